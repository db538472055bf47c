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
# The device call sends the tracked and untracked-not-ignored files with the carry, at most 64 MiB
# together; the base bundles alone are 111 MiB, so they must leave the checkout for the call (files
# tracked but moved away are not counted: du skips them, hence the "|| true" under pipefail).
tree_kib=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | du -ck --files0-from=- 2>/dev/null | tail -n 1 | cut -f1 || true)
carry_kib=$(du -sk "$CARRY" | cut -f1)
total_mib=$(( (tree_kib + carry_kib) / 1024 ))
if [ "$total_mib" -gt 64 ]; then
  echo "warning: the working tree and $CARRY come to $total_mib MiB, over the 64 MiB a device call may send;" >&2
  echo "  move the largest bundles out of the checkout for the call (e.g. models/de-en-*): $(du -sm models/* | sort -rn | head -n 3 | awk '{printf "%s %s MiB; ", $2, $1}')" >&2
  echo "  e.g. mkdir -p ../kaleido-aside && mv models/de-en-* ../kaleido-aside/ before it and" >&2
  echo "  mv ../kaleido-aside/de-en-* models/ after it (git shows them deleted meanwhile: commit nothing until they are back)" >&2
else
  echo "working tree and $CARRY: $total_mib MiB of the 64 MiB a device call may send"
fi
