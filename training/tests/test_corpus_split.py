"""Deterministic train/valid/test split of the corpus builder (training/corpus/split.py)."""

import collections

from training.corpus import split


def test_bucket_is_fixed_by_sha1_of_normalised_english():
    # sha1("open file")[:4] as a big-endian integer, modulo 10,000.
    assert split.bucket("Open file") == 1380
    assert split.bucket("  OPEN \t file\n") == 1380
    assert split.split_of("Open file") == "train"


def test_same_english_same_split_whatever_the_german():
    assert split.normalise_english(" Save  As… ") == "save as"
    assert split.split_of("Save As…") == split.split_of("save   as")
    # Punctuation variants of one string share a split.
    assert split.bucket("Open File...") == split.bucket("open file:") == split.bucket("Open file")


def test_held_out_fractions():
    counts = collections.Counter(split.split_of("sentence %d" % i) for i in range(100_000))
    # 25 of 10,000 buckets each: 0.25% of pairs, i.e. 250 per 100,000 with sampling noise.
    assert 200 <= counts["valid"] <= 300
    assert 200 <= counts["test"] <= 300
    assert counts["train"] == 100_000 - counts["valid"] - counts["test"]


def test_known_held_out_strings():
    # Exact assignments: a change to the hash or the bucket ranges would move these.
    assert [split.bucket(s) for s in ("sentence 93", "sentence 297", "sentence 451")] == [7, 24, 13]
    assert [split.split_of(s) for s in ("sentence 93", "sentence 297", "sentence 451")] == [
        "valid", "valid", "valid"]
    assert [split.bucket(s) for s in ("sentence 172", "sentence 365", "sentence 924")] == [
        43, 25, 33]
    assert [split.split_of(s) for s in ("sentence 172", "sentence 365", "sentence 924")] == [
        "test", "test", "test"]
