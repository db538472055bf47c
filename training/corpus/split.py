"""Deterministic train/valid/test assignment by a hash of the normalised English side.

Hashing the English side (not the pair) puts every translation of one English string in the same
split, so a test sentence is never seen in training under another German rendering. The hash is
SHA-1 of the normalised English text (lower-cased, punctuation and whitespace collapsed to single
spaces, so "Open File..." and "open file" count as one string); its first four bytes taken modulo
10,000 give a bucket:
  buckets  0–24  (0.25% of hash space) -> valid
  buckets 25–49  (0.25%)               -> test
  buckets 50–9999                      -> train
At about one million pairs that is roughly 2,500 pairs each for valid and test: enough for a stable
BLEU estimate, small enough to evaluate in seconds on a CPU. The assignment of a string never
changes when the corpus grows or shrinks, because it depends on nothing but the string.
"""

import hashlib
import re

BUCKETS = 10_000
VALID_BUCKETS = range(0, 25)
TEST_BUCKETS = range(25, 50)


def normalise_english(english):
    """Lower-cased words only: "Open File...", "open file:" and "Open file" hash alike, so
    punctuation variants of one string cannot straddle train and test."""
    return " ".join(re.split(r"\W+", english.lower())).strip()


def bucket(english):
    digest = hashlib.sha1(normalise_english(english).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % BUCKETS


def split_of(english):
    """'train', 'valid' or 'test' for a pair with this English side."""
    b = bucket(english)
    if b in VALID_BUCKETS:
        return "valid"
    if b in TEST_BUCKETS:
        return "test"
    return "train"
