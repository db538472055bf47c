#!/usr/bin/env bash
# Container smoke test: builds the image (Dockerfile at the repository root), runs it with a
# read-only root file system and a small noexec tmpfs /tmp (the native libraries must load from the
# image, not from /tmp), waits for /ready, translates a sentence through POST /translate,
# checks the answer is non-empty English, checks the HEALTHCHECK, the non-root user and that the
# JVM uses the image's AOT cache, stops the container (SIGTERM: it must exit 0), and prints the
# image size and the start-up time (container start -> /ready answers 200). Removes the
# container in every case.
#
# Usage: deploy/container-smoke.sh                  (needs podman + runc, and the base images:
#                                                   deploy/build-base-images.sh where they cannot be pulled)
# Environment: IMAGE (tag to build; default localhost/kaleidoscope:smoke), MODEL_DIR (build arg;
#              default models/small-kmatrix), PORT (host port; default 5080), NO_BUILD=1 (test an
#              existing IMAGE), NETWORK=host (use the host network instead of publishing a port),
#              READY_TIMEOUT (seconds; default 180), AOT_CHECK=0 (image without an AOT cache).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE="${IMAGE:-localhost/kaleidoscope:smoke}"
MODEL_DIR="${MODEL_DIR:-models/small-kmatrix}"
PORT="${PORT:-5080}"
READY_TIMEOUT="${READY_TIMEOUT:-180}"
NAME="kaleido-smoke-$$"
# No Docker daemon here: podman with chroot isolation and runc, explicit ulimits (see deploy/README.md).
ULIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
SENTENCE="Die Datei wurde nicht gefunden."

die() { echo "container-smoke: FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
command -v podman >/dev/null || die "podman missing (apt-get install -y podman runc)"
command -v curl >/dev/null || die "curl missing"

cleanup() { podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [[ "${NO_BUILD:-0}" != 1 ]]; then
    echo "container-smoke: building $IMAGE (MODEL_DIR=$MODEL_DIR) ..."
    t0=$(now)
    # --format docker keeps the HEALTHCHECK (the OCI image format has none); --pull=never uses
    # the local base images.
    podman build --format docker --pull=never --isolation=chroot --runtime runc "${ULIMITS[@]}" \
        --build-arg MODEL_DIR="$MODEL_DIR" -t "$IMAGE" -f Dockerfile . \
        || die "image build failed"
    echo "container-smoke: built in $(seconds "$t0" "$(now)") s"
fi
size_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")

if [[ "${NETWORK:-}" == host ]]; then
    net=(--network host -e KALEIDO_PORT="$PORT")
else
    net=(-p "127.0.0.1:$PORT:5000")
fi
aot=(-e JDK_JAVA_OPTIONS=-XX:AOTMode=on)
[[ "${AOT_CHECK:-1}" == 1 ]] || aot=()
t0=$(now)
# -XX:AOTMode=on: the JVM must use the image's AOT cache (made in the build stage) or not start,
# so a cache the runtime silently ignores fails here (same speed as the default when it is used).
# --health-interval disable: podman schedules health checks with systemd timers, and there may be
# no systemd; `podman healthcheck run` below runs the image's HEALTHCHECK once instead. (Without
# systemd, podman 4.3 still logs "unable to get systemd connection" errors: harmless.)
# --tmpfs /tmp: noexec (Docker's default for a tmpfs) and 16 MB, so a native library that is
# unpacked to /tmp and loaded from there fails the start.
podman run -d --name "$NAME" --runtime runc "${ULIMITS[@]}" --read-only --cpus 2 --memory 2g \
    --tmpfs /tmp:rw,noexec,nosuid,nodev,size=16m --health-interval disable "${aot[@]}" \
    "${net[@]}" "$IMAGE" >/dev/null || die "container did not start"
ready=""
while [[ $(seconds "$t0" "$(now)" | cut -d. -f1) -lt $READY_TIMEOUT ]]; do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/ready") == 200 ]]; then
        ready=$(seconds "$t0" "$(now)")
        break
    fi
    if [[ $(podman inspect --format '{{.State.Running}}' "$NAME") != true ]]; then
        podman logs "$NAME" >&2 || true
        die "the container exited before it was ready"
    fi
    sleep 0.1
done
[[ -n "$ready" ]] || { podman logs "$NAME" >&2; die "not ready within $READY_TIMEOUT s"; }

answer=$(curl -s --max-time 30 "http://127.0.0.1:$PORT/translate" -H 'Content-Type: application/json' \
    -d "{\"q\": \"$SENTENCE\", \"source\": \"de\", \"target\": \"en\"}")
if command -v jq >/dev/null; then
    text=$(jq -r '.translatedText // empty' <<<"$answer" 2>/dev/null || true)
else
    text=$(printf '%s' "$answer" | sed -n 's/^{"translatedText":"\([^"]*\)".*$/\1/p')
fi
echo "container-smoke: \"$SENTENCE\" -> \"$text\""
[[ -n "$text" ]] || die "no translatedText in the answer: $answer"
[[ "$text" != "$SENTENCE" ]] || die "the answer is the input"
# English: plain ASCII letters and punctuation, and at least one common English word.
LC_ALL=C grep -q '^[][A-Za-z0-9 .,;:!?()"'"'"'-]*$' <<<"$text" || die "not plain English text: $text"
grep -qiwE 'the|a|file|was|is|has|not|found|no' <<<"$text" || die "no English word in: $text"

user=$(podman exec "$NAME" id -u)
[[ "$user" != 0 ]] || die "the server runs as root"
podman healthcheck run "$NAME" >/dev/null || die "HEALTHCHECK failed on a ready server"
# Only ONNX Runtime's empty directory may be there: no file (no unpacked library).
left=$(podman exec "$NAME" find /tmp -mindepth 1 ! -type d)
[[ -z "$left" ]] || die "the server left files in /tmp: $left"
metrics=$(curl -s "http://127.0.0.1:$PORT/metrics")
grep -q '^kaleido_inference_seconds_bucket{' <<<"$metrics" || die "/metrics lacks kaleido_inference_seconds"

podman stop -t 20 "$NAME" >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
[[ "$code" == 0 ]] || { podman logs "$NAME" | tail -20 >&2; die "exit code $code after SIGTERM (expected 0)"; }

echo "container-smoke: image $IMAGE: $(awk -v b="$size_bytes" 'BEGIN { printf "%.1f MB (%d bytes)", b / 1e6, b }')"
echo "container-smoke: start-up (container start -> /ready 200): $ready s"
echo "container-smoke: runs as uid $user;${aot[*]:+ AOT cache used;} /tmp (noexec) holds no file; HEALTHCHECK passes; SIGTERM -> exit 0"
echo "container-smoke: PASS"
