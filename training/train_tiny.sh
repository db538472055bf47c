#!/usr/bin/env bash
# Train and export the two tiny fixture bundles (models/tiny-dense, models/tiny-kmatrix) on CPU.
# Runs on one core (taskset -c 0, lowest priority) so the other core stays free.
#   MINUTES  training wall time per model (default 25)
#   EVAL_LIMIT  test sentences for the manifest's BLEU (default 2000; 0 = whole split)
#   CORPUS   corpus directory (default data/corpus; the fixtures used a snapshot of it, because the
#            corpus was being rebuilt while they trained)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
RUN=${RUN:-training/runs/tiny}
MINUTES=${MINUTES:-25}
EVAL_LIMIT=${EVAL_LIMIT:-2000}
CORPUS=${CORPUS:-data/corpus}
CPU="nice -n 19 taskset -c 0"
mkdir -p "$RUN"
if [ ! -f "$RUN/spm.model" ]; then
  $CPU $PY -m training.tokenizer --train "$CORPUS/train.tsv" --prefix "$RUN/spm" --vocab 2000 \
    --max-sentences 400000
fi
for v in dense kmatrix; do
  $CPU $PY -m training.train --config tiny --variant $v --spm "$RUN/spm.model" --out "$RUN/$v" \
    --corpus "$CORPUS" \
    --max-minutes "$MINUTES" --threads 1 2>&1 | tee "$RUN/$v.log"
done
for v in dense kmatrix; do
  $CPU $PY -m training.export --checkpoint "$RUN/$v/checkpoint_avg.pt" --name tiny-$v --dtype float32 \
    --corpus "$CORPUS" \
    --eval-split test --eval-limit "$EVAL_LIMIT" 2>&1 | grep -v Warning | tee "$RUN/export-$v.log"
done
