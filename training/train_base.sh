#!/usr/bin/env bash
# One command on the GPU machine: SentencePiece (CPU), then the dense and K-matrix base models
# side by side on one GPU (two processes), then evaluation (beam 4, valid + test) and export of
# models/de-en-dense and models/de-en-kmatrix as fp16 bundles.
#   MINUTES     training wall time per model (default 7: both run at once, so ~7 min of GPU time,
#               plus ~2 min for evaluation and export)
#   COOLDOWN_MINUTES  the last N minutes of training take the learning rate linearly to zero
#               (train.py --cooldown-minutes; default 0: it helped a plateaued run and hurt a
#               short one, training/README.md, "Cool-down")
#   EVAL_LIMIT  sentences per split for the manifest's BLEU (default 2000; 0 = whole split)
#   VARIANTS    the models (default "dense kmatrix"; add kmatrix-encoder for the named variant)
# The same script runs the tiny config on CPU (how it was proven without a GPU):
#   CONFIG=tiny DEVICE=cpu VOCAB=2000 DTYPE=float32 PREFIX=check MINUTES=1 training/train_base.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
CONFIG=${CONFIG:-base}
DEVICE=${DEVICE:-cuda}
VOCAB=${VOCAB:-8000}
DTYPE=${DTYPE:-float16}
PREFIX=${PREFIX:-de-en}
CORPUS=${CORPUS:-data/corpus}
MODELS=${MODELS:-models}
RUN=${RUN:-training/runs/$CONFIG}
MINUTES=${MINUTES:-7}
COOLDOWN_MINUTES=${COOLDOWN_MINUTES:-0}
EVAL_LIMIT=${EVAL_LIMIT:-2000}
VARIANTS=${VARIANTS:-dense kmatrix}
mkdir -p "$RUN"
if [ "$DEVICE" = cuda ]; then
  "$PY" -c "import torch; assert torch.cuda.is_available(), 'needs a CUDA build of PyTorch and a GPU'"
fi
if [ ! -f "$RUN/spm.model" ]; then
  "$PY" -m training.tokenizer --train "$CORPUS/train.tsv" --prefix "$RUN/spm" --vocab "$VOCAB"
fi
pids=()
logs=()
for v in $VARIANTS; do
  logs+=("$RUN/$v.log")
  "$PY" -m training.train --config "$CONFIG" --variant $v --spm "$RUN/spm.model" --out "$RUN/$v" \
    --corpus "$CORPUS" --device "$DEVICE" --max-minutes "$MINUTES" \
    --cooldown-minutes "$COOLDOWN_MINUTES" > "$RUN/$v.log" 2>&1 &
  pids+=($!)
done
tail -n +1 -f "${logs[@]}" &
tailpid=$!
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
kill "$tailpid" 2>/dev/null || true
[ "$status" = 0 ] || { echo "training failed, see $RUN/*.log" >&2; exit 1; }
PY="$PY" RUN="$RUN" PREFIX="$PREFIX" DTYPE="$DTYPE" CORPUS="$CORPUS" MODELS="$MODELS" DEVICE="$DEVICE" \
  EVAL_LIMIT="$EVAL_LIMIT" VARIANTS="$VARIANTS" bash training/export_base.sh
