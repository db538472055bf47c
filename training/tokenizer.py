"""Joint German+English SentencePiece model (unigram, byte fallback) trained on the train split.

Special ids are fixed (pad 0, unk 1, bos 2, eos 3) because the model, the bundle manifest and the
Java engine all rely on them.
"""
import argparse
import os
import random
import tempfile

import sentencepiece as spm

from .configs import PAD_ID, UNK_ID, BOS_ID, EOS_ID


def read_pairs(path, limit=0):
    """Lines `german<TAB>english[<TAB>origin]` -> list of (de, en)."""
    pairs = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ValueError(f"{path}:{number}: not UTF-8 ({e.reason} at byte {e.start})") from None
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 2 or not parts[0] or not parts[1]:
                continue
            pairs.append((parts[0], parts[1]))
            if limit and len(pairs) >= limit:
                break
    return pairs


def train_spm(train_tsv, model_prefix, vocab_size, max_sentences=2_000_000, seed=1, limit=0):
    """Train on both sides of the train split (a random sample of at most max_sentences lines)."""
    pairs = read_pairs(train_tsv, limit)
    lines = [s for pair in pairs for s in pair]
    random.Random(seed).shuffle(lines)
    lines = lines[:max_sentences]
    os.makedirs(os.path.dirname(os.path.abspath(model_prefix)), exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as tmp:
        for s in lines:
            tmp.write(s.replace("\n", " ") + "\n")
        text_path = tmp.name
    try:
        spm.SentencePieceTrainer.train(
            input=text_path, model_prefix=model_prefix, vocab_size=vocab_size, model_type="unigram",
            byte_fallback=True, character_coverage=0.9999, pad_id=PAD_ID, unk_id=UNK_ID,
            bos_id=BOS_ID, eos_id=EOS_ID, input_sentence_size=max_sentences, shuffle_input_sentence=True,
            num_threads=2, max_sentence_length=4096, minloglevel=2)
    finally:
        os.unlink(text_path)
    return model_prefix + ".model"


def load(model_path) -> spm.SentencePieceProcessor:
    sp = spm.SentencePieceProcessor()
    sp.Load(model_path)
    ids = (sp.pad_id(), sp.unk_id(), sp.bos_id(), sp.eos_id())
    if ids != (PAD_ID, UNK_ID, BOS_ID, EOS_ID):
        raise ValueError(f"{model_path}: special ids pad/unk/bos/eos are {ids}, this project's models need "
                         f"{(PAD_ID, UNK_ID, BOS_ID, EOS_ID)} (train it with training.tokenizer)")
    return sp


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train", default="data/corpus/train.tsv")
    ap.add_argument("--prefix", required=True, help="output prefix, writes PREFIX.model/.vocab")
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N pairs")
    ap.add_argument("--max-sentences", type=int, default=2_000_000,
                    help="random sample of at most this many lines (both sides together)")
    args = ap.parse_args()
    print(train_spm(args.train, args.prefix, args.vocab, max_sentences=args.max_sentences, limit=args.limit))


if __name__ == "__main__":
    main()
