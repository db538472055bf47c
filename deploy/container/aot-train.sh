#!/bin/bash
# Build-time training run for the JVM's AOT cache (JDK 25, JEP 483/514/515): starts the server as
# the image will, loads the model, translates a few sentences through both APIs, scrapes the
# metrics and stops it with SIGTERM; at exit the JVM writes the classes it loaded and linked, and
# method profiles, to $1. With -XX:AOTCache the server then starts with those classes ready.
# The flags and the classpath must be the ENTRYPOINT's (the JVM checks them and ignores a cache
# that does not match). Runs in the Dockerfile's build stage, which has curl.
set -euo pipefail
cache="$1"
shift
"$@" -XX:AOTCacheOutput="$cache" io.kaleidoscope.server.Main &
pid=$!
for _ in $(seq 1 900); do
    curl -sf -o /dev/null "http://127.0.0.1:${KALEIDO_PORT:-5000}/ready" && break
    kill -0 "$pid" 2>/dev/null || { echo "aot-train: the server exited" >&2; exit 1; }
    sleep 0.2
done
base="http://127.0.0.1:${KALEIDO_PORT:-5000}"
for text in "Die Datei wurde nicht gefunden." "Einstellungen speichern" "Das Fenster wurde geschlossen."; do
    curl -sf -o /dev/null "$base/translate" -H 'Content-Type: application/json' -d "{\"q\": \"$text\", \"source\": \"de\", \"target\": \"en\"}"
    curl -sf -o /dev/null "$base/translate" --data-urlencode "q=$text" -d source=de -d target=en
    curl -sf -o /dev/null "$base/v1/translate" -H 'Content-Type: application/json' -d "{\"texts\": [\"$text\"], \"beam\": 1}"
done
curl -s -o /dev/null "$base/translate" -H 'Content-Type: application/json' -d '{"q": '
for path in /health /ready /metrics /languages /v1/models /openapi /dashboard; do
    curl -s -o /dev/null "$base$path"
done
kill -TERM "$pid"
wait "$pid"
test -s "$cache"
