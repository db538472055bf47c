#!/usr/bin/env bash
# The Python tests of training/ (corpus rules, model, K-matrix forms, search, BLEU, export), run
# with Debian's python3 on the tiny configuration. Part of `./mvnw verify`; skipped by -DskipTests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=/usr/bin/python3
missing=()
for module in torch onnx sentencepiece numpy pytest; do
    "$PY" -c "import $module" 2>/dev/null || missing+=("$module")
done
if ((${#missing[@]})); then
    echo "Python tests need Debian's python3 modules: ${missing[*]}. Install them with .ci/install-python-deps.sh (root)." >&2
    exit 1
fi
exec "$PY" -m pytest training/tests -q -p no:cacheprovider
