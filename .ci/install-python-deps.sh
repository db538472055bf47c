#!/usr/bin/env bash
# Installs the Debian packages the tests need, when missing: the Python side (training/),
# promtool (package prometheus), which checks the server's /metrics text, and chromium, which
# loads the dashboard page headless. Idempotent; needs root
# (CI and these machines run as root). PyPI is not reachable here: everything is Debian's.
set -euo pipefail
packages=(python3-torch python3-onnx python3-sentencepiece python3-numpy python3-pytest libopenblas0-pthread prometheus chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
