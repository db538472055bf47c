"""Distillation data: the sample, the split over cores, and the two corpora's pairing."""
import re
import sys

import pytest

from training.distill import chunks, distill, sample_pairs, translate_on_cores
from training.tokenizer import read_pairs


def write_corpus(d, pairs):
    for split, rows in (("train", pairs), ("valid", pairs[:2]), ("test", pairs[2:4])):
        with open(d / f"{split}.tsv", "w", encoding="utf-8") as f:
            f.writelines(f"{de}\t{en}\tgettext\n" for de, en in rows)


def test_chunks_split_in_order_with_the_remainder_first():
    assert chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4], [5, 6]]
    assert chunks([1], 2) == [[1], []]


def test_sample_is_a_seeded_shuffle_prefix(tmp_path):
    pairs = [(f"Satz {i}", f"sentence {i}") for i in range(50)]
    write_corpus(tmp_path, pairs)
    first = sample_pairs(tmp_path, 10, seed=1)
    assert first == sample_pairs(tmp_path, 10, seed=1)
    assert first != sample_pairs(tmp_path, 10, seed=2)
    assert first != pairs[:10] and set(first) <= set(pairs)
    assert sorted(sample_pairs(tmp_path, 0, seed=1)) == sorted(pairs)


def test_translations_come_back_in_order_from_every_worker(tmp_path):
    sources = [f"Zeile {i}" for i in range(11)]
    reverse = [sys.executable, "-c", "import sys\nfor line in sys.stdin: print(line.rstrip('\\n')[::-1])"]
    # three workers: more than this machine's cores on a small one, so pinning wraps around
    assert translate_on_cores(sources, reverse, tmp_path / "work", 3) == [s[::-1] for s in sources]


@pytest.mark.parametrize("script, message", [
    ("import sys\nsys.exit(3)", "teacher failed (exit 3)"),
    ("import sys\nfor line in list(sys.stdin)[1:]: print(line.rstrip())", "translations for"),
])
def test_a_teacher_that_fails_or_loses_lines_stops_the_run(tmp_path, script, message):
    with pytest.raises(SystemExit, match=re.escape(message)):
        translate_on_cores(["eins", "zwei", "drei"], [sys.executable, "-c", script], tmp_path / "work", 1)


def test_both_corpora_keep_the_same_german_and_drop_empty_translations(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pairs = [("Datei öffnen", "Open file"), ("Speichern", "Save"), ("Drucken", "Print"), ("Neu", "New")]
    write_corpus(corpus, pairs)
    out = tmp_path / "out"
    kept = distill(pairs, ["Open a file", "", "Print\tnow ", "New"], out, corpus)
    assert kept == 3
    assert read_pairs(out / "teacher" / "train.tsv") == [
        ("Datei öffnen", "Open a file"), ("Drucken", "Print now"), ("Neu", "New")]
    assert read_pairs(out / "reference" / "train.tsv") == [
        ("Datei öffnen", "Open file"), ("Drucken", "Print"), ("Neu", "New")]
    for d in ("teacher", "reference"):
        assert read_pairs(out / d / "valid.tsv") == pairs[:2]
        assert read_pairs(out / d / "test.tsv") == pairs[2:4]
