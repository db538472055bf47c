#!/usr/bin/env bash
# Runs ON the device machine (one GPU, 16 cores; training/README.md, "Base models on the device
# machine"): trains the dense and K-matrix base models side by side, as train_base.sh does, and
# leaves each averaged checkpoint as float16 pieces (training/checkpoint_pieces.py) that the
# device tool can hand back: at most 8 files of 16 MiB, 64 MiB together, per call. The bundles are
# exported here afterwards (training/device_import.sh), with this machine's PyTorch and exporter.
#   bash training/device_train.sh train   first call: data, training, dense pieces and logs into $OUT
#   bash training/device_train.sh fetch [VARIANT]   second call, straight after (the machine stays
#                                         warm only ~30 s): that model's pieces into $OUT (default
#                                         kmatrix; with VARIANTS naming a third, a third call fetches it)
# Its inputs travel in .devcarry/ (made by training/device_pack.sh, named in the call's carry).
#   MINUTES  training wall time, both models at once (default 7; the first call ends ~1.5 min later)
#   COOLDOWN_MINUTES  the last N minutes of it take the learning rate linearly to zero (train.py
#            --cooldown-minutes; default 0: it helped a plateaued run and hurt a short one,
#            training/README.md, "Cool-down")
#   VARIANTS the models trained side by side (default "dense kmatrix"; dense first, its pieces come
#            back with the first call; "dense kmatrix kmatrix-encoder" adds the named variant)
#   PY, CONFIG (base), DEVICE (cuda), CARRY (.devcarry), WORK (/tmp/kaleido-device)
#   CALL_LIMIT_S the device call's limit (590): MINUTES must leave ~2 minutes of it for unpacking,
#            tokenising, averaging and splitting, or the call is killed and nothing comes back
# A variant whose training fails does not cost the others: their pieces are still made and the
# dense ones returned, and the call then exits 1.
# Checked here on the tiny config:
#   CONFIG=tiny DEVICE=cpu MINUTES=0.5 OUT=/tmp/o1 WORK=/tmp/dw CARRY=/tmp/carry bash training/device_train.sh train
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
CONFIG=${CONFIG:-base}
DEVICE=${DEVICE:-cuda}
MINUTES=${MINUTES:-7}
COOLDOWN_MINUTES=${COOLDOWN_MINUTES:-0}
VARIANTS=${VARIANTS:-dense kmatrix}
CARRY=${CARRY:-.devcarry}
WORK=${WORK:-/tmp/kaleido-device}
: "${OUT:?OUT must name the folder whose files come back}"
export PYTHONUNBUFFERED=1

mkdir -p "$OUT"

case "${1:-}" in
train)
  start=$SECONDS
  CALL_LIMIT_S=${CALL_LIMIT_S:-590}
  if awk -v m="$MINUTES" -v l="$CALL_LIMIT_S" 'BEGIN { exit !(m * 60 + 120 > l) }'; then
    echo "MINUTES=$MINUTES leaves less than 2 minutes of the ${CALL_LIMIT_S} s call for the rest; use at most $(( (CALL_LIMIT_S - 120) / 60 ))" >&2
    exit 2
  fi
  if [ "$DEVICE" = cuda ]; then
    "$PY" -c "import torch; assert torch.cuda.is_available(), 'no GPU visible to PyTorch'; print('torch', torch.__version__, torch.cuda.get_device_name(0))"
  fi
  rm -rf "$WORK"
  mkdir -p "$WORK/corpus" "$WORK/run"
  "$PY" -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$CARRY/corpus.tar.xz" "$WORK/corpus"
  cp "$CARRY/spm.model" "$WORK/run/spm.model"
  common=(--config "$CONFIG" --spm "$WORK/run/spm.model" --corpus "$WORK/corpus" --device "$DEVICE"
          --data-cache "$WORK/batches.pt")
  # Tokenise once (on every core) for both models.
  "$PY" -m training.train "${common[@]}" --variant dense --out "$WORK/run/prepare" --prepare-only
  pids=()
  for v in $VARIANTS; do
    "$PY" -m training.train "${common[@]}" --variant $v --out "$WORK/run/$v" --max-minutes "$MINUTES" \
      --cooldown-minutes "$COOLDOWN_MINUTES" \
      > "$WORK/run/$v.log" 2>&1 &
    pids+=($!)
  done
  status=0
  trained=()
  vs=($VARIANTS)
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then trained+=("${vs[$i]}"); else status=1; fi
  done
  for v in $VARIANTS; do
    cp "$WORK/run/$v.log" "$OUT/"
    tail -n 4 "$WORK/run/$v.log"
  done
  for v in "${trained[@]}"; do
    "$PY" -m training.checkpoint_pieces split --checkpoint "$WORK/run/$v/checkpoint_avg.pt" --out "$WORK/pieces/$v" || status=1
  done
  if [ -d "$WORK/pieces/dense" ]; then
    mkdir -p "$OUT/dense"
    cp "$WORK/pieces/dense/"* "$OUT/dense/"
  fi
  echo "first call done in $((SECONDS - start)) s; trained: ${trained[*]:-none}; next, at once: bash training/device_train.sh fetch"
  [ "$status" = 0 ] || { echo "a training or split failed (logs above and in \$OUT); the others' pieces are ready" >&2; exit 1; }
  ;;
fetch)
  v=${2:-kmatrix}
  [ -d "$WORK/pieces/$v" ] || { echo "no $v pieces in $WORK: the machine was given back, or 'train' failed" >&2; exit 1; }
  mkdir -p "$OUT/$v"
  cp "$WORK/pieces/$v/"* "$OUT/$v/"
  ls -l "$OUT/$v"
  ;;
*)
  echo "usage: OUT=DIR bash training/device_train.sh train|fetch [VARIANT]" >&2
  exit 2
  ;;
esac
