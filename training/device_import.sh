#!/usr/bin/env bash
# Here, after the two device calls (training/device_train.sh): joins the returned pieces into
# RUN/dense and RUN/kmatrix checkpoints and exports both bundles as train_base.sh would, with this
# machine's PyTorch, on its CPU.
#   bash training/device_import.sh DENSE_PIECES_DIR KMATRIX_PIECES_DIR [KMATRIX_ENCODER_PIECES_DIR]
#   (the third when the device run trained the kmatrix-encoder variant too)
#   PY, RUN (training/runs/base, holding spm.model from device_pack.sh), MODELS, CORPUS, PREFIX,
#   EVAL_LIMIT (sentences per split for the manifests' scores; default 500: the evaluation runs on
#   this machine's two cores; ./kaleido evaluate gives the whole split afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# = 2 ] || [ $# = 3 ] || { echo "usage: bash training/device_import.sh DENSE_PIECES_DIR KMATRIX_PIECES_DIR [KMATRIX_ENCODER_PIECES_DIR]" >&2; exit 2; }
PY=${PY:-/usr/bin/python3}
RUN=${RUN:-training/runs/base}
[ -f "$RUN/spm.model" ] || { echo "$RUN/spm.model is missing: it is the model device_pack.sh sent" >&2; exit 1; }
"$PY" -m training.checkpoint_pieces join --pieces "$1" --out "$RUN/dense/checkpoint_avg.pt" --spm "$RUN/spm.model"
"$PY" -m training.checkpoint_pieces join --pieces "$2" --out "$RUN/kmatrix/checkpoint_avg.pt" --spm "$RUN/spm.model"
VARIANTS="dense kmatrix"
if [ $# = 3 ]; then
  "$PY" -m training.checkpoint_pieces join --pieces "$3" --out "$RUN/kmatrix-encoder/checkpoint_avg.pt" --spm "$RUN/spm.model"
  VARIANTS="dense kmatrix kmatrix-encoder"
fi
PY="$PY" RUN="$RUN" DEVICE=cpu EVAL_LIMIT="${EVAL_LIMIT:-500}" VARIANTS="$VARIANTS" bash training/export_base.sh
