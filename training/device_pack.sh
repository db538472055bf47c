#!/usr/bin/env bash
# Here, before the device run (training/device_train.sh): packs what it needs beyond the working
# tree into CARRY (default .devcarry/, git-ignored; name it in the call's carry): the corpus splits
# xz-compressed, and the base SentencePiece model, trained here once into RUN/spm.model so that
# the device spends no time on it and this machine exports with the very same model.
#   PY, CORPUS (data/corpus), RUN (training/runs/base), VOCAB (8000), CARRY (.devcarry)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
CORPUS=${CORPUS:-data/corpus}
RUN=${RUN:-training/runs/base}
VOCAB=${VOCAB:-8000}
CARRY=${CARRY:-.devcarry}
for f in train.tsv valid.tsv test.tsv stats.json; do
  [ -f "$CORPUS/$f" ] || { echo "$CORPUS/$f is missing: build the corpus first (training/README.md)" >&2; exit 1; }
done
if [ ! -f "$RUN/spm.model" ]; then
  mkdir -p "$RUN"
  "$PY" -m training.tokenizer --train "$CORPUS/train.tsv" --prefix "$RUN/spm" --vocab "$VOCAB"
fi
rm -rf "$CARRY"
mkdir -p "$CARRY"
cp "$RUN/spm.model" "$CARRY/spm.model"
tar -c -C "$CORPUS" train.tsv valid.tsv test.tsv stats.json | xz -T0 -6 > "$CARRY/corpus.tar.xz"
du -sh "$CARRY"/*
