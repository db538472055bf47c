#!/usr/bin/env bash
# Runs every query of the Grafana dashboard against a real Prometheus
# scraping a real server under a little load, and fails when one returns no data: catches wrong
# label names, wrong aggregations and empty histograms, which a metric-name check cannot.
# (DeployConfigTest checks the names and the PromQL syntax on every build.)
#
# Usage: deploy/check-dashboard-live.sh          starts ./kaleido serve on port 5191 itself
#        TARGET=127.0.0.1:5080 deploy/check-dashboard-live.sh    a server already running (e.g. the container)
# Needs: prometheus (Debian package prometheus), curl, jq; about a minute.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DASHBOARD=deploy/grafana/kaleidoscope-dashboard.json
PROM_PORT="${PROM_PORT:-9191}"
WORK=$(mktemp -d /tmp/kaleido-dashboard-check.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
die() { echo "check-dashboard-live: FAIL: $*" >&2; exit 1; }
for tool in prometheus curl jq; do command -v $tool >/dev/null || die "$tool missing"; done

wait_for() {   # url, seconds
    local until=$((SECONDS + $2))
    until curl -sf -o /dev/null "$1"; do
        ((SECONDS < until)) || return 1
        sleep 0.2
    done
}

if [[ -z "${TARGET:-}" ]]; then
    TARGET=127.0.0.1:5191
    KALEIDO_PORT=5191 ./kaleido serve >"$WORK/server.log" 2>&1 &
    pids+=($!)
    wait_for "http://$TARGET/ready" 180 || { tail -20 "$WORK/server.log" >&2; die "server not ready"; }
fi
curl -sf -o /dev/null "http://$TARGET/ready" || die "no ready server at $TARGET"

cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kaleidoscope
    static_configs:
      - targets: ["$TARGET"]
EOF
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$PROM_PORT/-/ready" 60 || { tail -20 "$WORK/prometheus.log" >&2; die "prometheus not ready"; }

echo "check-dashboard-live: 25 s of translations (and some bad requests) against $TARGET ..."
load() {
    local end=$((SECONDS + 25)) i=0
    while ((SECONDS < end)); do
        curl -s -o /dev/null "http://$TARGET/translate" -H 'Content-Type: application/json' \
            -d '{"q": "Die Datei wurde nicht gefunden.", "source": "de", "target": "en"}'
        curl -s -o /dev/null "http://$TARGET/v1/translate" -H 'Content-Type: application/json' \
            -d '{"texts": ["Einstellungen speichern", "Neuer Ordner"], "beam": 1}'
        ((i++ % 5)) || curl -s -o /dev/null "http://$TARGET/translate" -H 'Content-Type: application/json' -d '{"q": '
    done
}
loaders=()
for _ in 1 2 3; do load & loaders+=($!); done
wait "${loaders[@]}"
sleep 3

# Grafana fills in its variables before Prometheus sees a query.
promql() { sed -e 's/\$__rate_interval/15s/g; s/\$__interval/15s/g; s/\$[a-z_]*/.*/g'; }
failed=0
checked=0
while IFS= read -r expr; do
    [[ -n "$expr" ]] || continue
    q=$(promql <<<"$expr")
    case "$q" in
        label_values\(*)
            metric=$(sed -E 's/^label_values\((.*),[^,]*\)$/\1/' <<<"$q")
            n=$(curl -s -G "http://127.0.0.1:$PROM_PORT/api/v1/series" --data-urlencode "match[]=$metric" | jq '.data | length') ;;
        *)
            n=$(curl -s -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$q" \
                | jq 'if .status == "success" then (.data.result | length) else -1 end') ;;
    esac
    checked=$((checked + 1))
    if [[ "$n" -le 0 ]]; then
        echo "  no data: $expr" >&2
        failed=$((failed + 1))
    fi
done < <(jq -r '(.. | .expr? // empty), (.templating.list[] | select(.type == "query") | .query | if type == "object" then .query else . end)' "$DASHBOARD")

((failed == 0)) || die "$failed of $checked queries returned no data"
echo "check-dashboard-live: PASS: all $checked dashboard queries return data"
