#!/usr/bin/env bash
# Train and export the small CPU bundles (models/small-dense, models/small-kmatrix; VARIANTS below): the `small`
# config (training/configs.py), one model per core side by side, 5,000 steps each (the config's
# cap, so both see the same batches however busy the machine is; MINUTES is only a safety stop),
# then fp16 export with BLEU and chrF (beam 4) on valid and test written into each manifest.
# A run that stopped early (MINUTES, a reboot) continues from its latest checkpoint when this is
# started again (train.py --resume); a finished one is only exported again.
#   MINUTES     safety stop per model (default 180; 5,000 steps took 148 and 161 min on a 2-core machine)
#   EVAL_LIMIT  sentences per split for the manifests' scores (default 1000; 0 = whole split)
#   CORPUS      corpus directory (default data/corpus)
#   STEPS       step cap (default: the config's, 5,000)
#   COOLDOWN    the last N steps (up to STEPS) take the learning rate linearly down to zero (train.py
#               --cooldown; default 0); with STEPS beyond a run's latest checkpoint it cools that run
#               down from there, e.g. STEPS=19000 COOLDOWN=2000 after 17,000 steps
#   INIT_FROM   start each run that has no checkpoint yet from the bundle INIT_FROM-VARIANT at the
#               step it was trained to (train.py --init-from), e.g. INIT_FROM=models/small STEPS=7000
#               continues the shipped pair (RUN/spm.model must then be their sentencepiece.model)
#   VARIANTS    the models trained, one per core from core 0 (default "dense kmatrix"; e.g.
#               VARIANTS=kmatrix-encoder trains the named variant alone on core 0)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
RUN=${RUN:-training/runs/small}
MINUTES=${MINUTES:-180}
STEPS=${STEPS:-$($PY -c "from training.configs import get_config; print(get_config('small', 'dense')[1].steps)")}
INIT_FROM=${INIT_FROM:-}
COOLDOWN=${COOLDOWN:-0}
EVAL_LIMIT=${EVAL_LIMIT:-1000}
VARIANTS=${VARIANTS:-dense kmatrix}
CORPUS=${CORPUS:-data/corpus}
mkdir -p "$RUN"
if [ ! -f "$RUN/spm.model" ]; then
  taskset -c 0 $PY -m training.tokenizer --train "$CORPUS/train.tsv" --prefix "$RUN/spm" --vocab 8000
fi
# Tokenise once (~45 s), so that both runs read the same batches.
taskset -c 0 $PY -m training.train --config small --spm "$RUN/spm.model" --out "$RUN/prep" \
  --corpus "$CORPUS" --threads 1 --data-cache "$RUN/batches.pt" --prepare-only
core=0
pids=()
for v in $VARIANTS; do
  # `|| true`: a first run has no directory yet, and pipefail would stop the script there
  latest=$({ ls "$RUN/$v" 2>/dev/null || true; } | sed -n 's/^checkpoint_\([0-9]*\)\.pt$/\1/p' | sort -n | tail -1)
  resume=()
  if [ -n "$latest" ] && [ "$latest" -ge "$STEPS" ]; then
    echo "$v: trained to step $latest already"
    continue
  elif [ -n "$latest" ]; then
    resume=(--resume "$RUN/$v/checkpoint_$latest.pt")
  elif [ -n "$INIT_FROM" ]; then
    resume=(--init-from "$INIT_FROM-$v")
  fi
  OMP_NUM_THREADS=1 taskset -c $core $PY -m training.train --config small --variant $v \
    --spm "$RUN/spm.model" --out "$RUN/$v" --corpus "$CORPUS" --threads 1 \
    --data-cache "$RUN/batches.pt" --max-minutes "$MINUTES" --steps "$STEPS" --cooldown "$COOLDOWN" "${resume[@]}" >> "$RUN/$v.log" 2>&1 &
  pids+=($!)
  core=$(( (core + 1) % $(nproc) ))
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ "$status" = 0 ] || { echo "training failed, see $RUN/*.log" >&2; exit 1; }
# The base recipe's export, one torch thread per process (one per trained variant, all at once).
OMP_NUM_THREADS=1 PY="$PY" RUN="$RUN" PREFIX=small DTYPE=float16 CORPUS="$CORPUS" DEVICE=cpu \
  EVAL_LIMIT="$EVAL_LIMIT" VARIANTS="$VARIANTS" bash training/export_base.sh
