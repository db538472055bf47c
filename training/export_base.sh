#!/usr/bin/env bash
# Exports RUN/dense and RUN/kmatrix (their checkpoint_avg.pt) as the bundles MODELS/PREFIX-dense and
# MODELS/PREFIX-kmatrix (VARIANTS: default "dense kmatrix"), all at once, each with its BLEU and chrF (beam 4) on the valid and test
# splits written into its manifest. Called by train_base.sh on a GPU machine and by
# device_import.sh here, with the same variables:
#   PY, RUN, PREFIX (de-en), DTYPE (float16), CORPUS, MODELS, DEVICE (where the evaluation runs),
#   EVAL_LIMIT (sentences per split for the manifest's scores; 0 = whole split)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
RUN=${RUN:-training/runs/base}
PREFIX=${PREFIX:-de-en}
DTYPE=${DTYPE:-float16}
CORPUS=${CORPUS:-data/corpus}
MODELS=${MODELS:-models}
DEVICE=${DEVICE:-cpu}
EVAL_LIMIT=${EVAL_LIMIT:-2000}
VARIANTS=${VARIANTS:-dense kmatrix}
status=0
pids=()
for v in $VARIANTS; do
  "$PY" -m training.export --checkpoint "$RUN/$v/checkpoint_avg.pt" --name "$PREFIX-$v" --dtype "$DTYPE" \
    --corpus "$CORPUS" --models-dir "$MODELS" --device "$DEVICE" \
    --eval-split valid --eval-split test --eval-limit "$EVAL_LIMIT" > "$RUN/export-$v.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
for v in $VARIANTS; do
  grep -h -E '^(valid|test|bundle)' "$RUN/export-$v.log" || true   # a failed export may print none of these
done
[ "$status" = 0 ] || echo "export failed, see $RUN/export-*.log" >&2
exit $status
