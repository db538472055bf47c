"""Sequence-level knowledge distillation data (Kim and Rush, 2016): the German side of a sample of
the training corpus with a teacher model's translations as the English side.

    /usr/bin/python3 -m training.distill --teacher models/small-dense --pairs 300000 --out data/distilled

Writes two corpora that differ only in their English side, so that training on each (train.py
--corpus DIR) is an A/B of the targets alone:
    OUT/teacher/train.tsv     German<TAB>teacher's translation (beam search, the Java engine)
    OUT/reference/train.tsv   the same German sentences<TAB>their reference translations
Both get links to the corpus's valid.tsv and test.tsv. Pairs whose translation comes back empty
are left out of both. The teacher runs as `./kaleido translate`, one process per core.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time

from .tokenizer import read_pairs

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sample_pairs(corpus_dir, count, seed):
    """The first `count` pairs of train.tsv shuffled with `seed` (load_split's order for that seed)."""
    pairs = read_pairs(os.path.join(corpus_dir, "train.tsv"))
    random.Random(seed).shuffle(pairs)
    return pairs[:count] if count else pairs


def chunks(items, parts):
    """`items` in `parts` contiguous runs of nearly equal length, in order."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def translate_on_cores(sources, command, work_dir, workers):
    """`command` (reading German lines on stdin, writing as many English lines) run on each chunk of
    `sources`, one process per chunk, each pinned to its own core of those this process may use
    (in turn, when there are more workers than cores); the translations in order."""
    os.makedirs(work_dir, exist_ok=True)
    cores = sorted(os.sched_getaffinity(0))
    procs = []
    for i, part in enumerate(chunks(sources, workers)):
        pin = ["taskset", "-c", str(cores[i % len(cores)])] if shutil.which("taskset") else []
        src, hyp = (os.path.join(work_dir, f"{name}.{i}.txt") for name in ("source", "translation"))
        with open(src, "w", encoding="utf-8") as f:
            f.writelines(s + "\n" for s in part)
        with open(src, "rb") as stdin, open(hyp, "wb") as stdout:
            procs.append((subprocess.Popen([*pin, *command], stdin=stdin, stdout=stdout, cwd=REPO),
                          len(part), hyp))
    translations = []
    for proc, expected, hyp in procs:
        if proc.wait() != 0:
            for other, _, _ in procs:   # the others' work is lost anyway
                other.kill()
            raise SystemExit(f"teacher failed (exit {proc.returncode}): {' '.join(command)}")
        with open(hyp, encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f]
        if len(lines) != expected:
            raise SystemExit(f"{hyp}: {len(lines)} translations for {expected} sentences")
        translations.extend(lines)
    return translations


def write_corpus(out_dir, pairs, corpus_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "train.tsv"), "w", encoding="utf-8") as f:
        f.writelines(f"{de}\t{en}\n" for de, en in pairs)
    for split in ("valid", "test"):
        link = os.path.join(out_dir, f"{split}.tsv")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.abspath(os.path.join(corpus_dir, f"{split}.tsv")), link)


def distill(pairs, translations, out, corpus_dir):
    """Writes OUT/teacher and OUT/reference; returns the number of pairs kept."""
    kept = [(de, en, hyp.replace("\t", " ").strip()) for (de, en), hyp in zip(pairs, translations)]
    kept = [k for k in kept if k[2]]
    write_corpus(os.path.join(out, "teacher"), [(de, hyp) for de, _, hyp in kept], corpus_dir)
    write_corpus(os.path.join(out, "reference"), [(de, en) for de, en, _ in kept], corpus_dir)
    return len(kept)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", required=True, help="the teacher's bundle directory")
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--pairs", type=int, default=0, help="sample size (0 = the whole train split)")
    ap.add_argument("--seed", type=int, default=1, help="sampling seed (default 1, the training configs')")
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                    help="processes, one per core (default: the cores this process may use)")
    args = ap.parse_args()
    if args.workers < 1 or args.pairs < 0 or args.beam < 1:
        ap.error("--workers and --beam must be at least 1, --pairs at least 0")

    pairs = sample_pairs(args.corpus, args.pairs, args.seed)
    # Corpus lines are single segments: a German side the translate command would split into
    # sentences is still translated, sentence by sentence, and rejoined on one line.
    command = [os.path.join(REPO, "kaleido"), "translate", "--model", os.path.abspath(args.teacher),
               "--beam", str(args.beam), "--block", "512"]
    t0 = time.time()
    translations = translate_on_cores([de for de, _ in pairs], command, os.path.join(args.out, "work"),
                                      args.workers)
    kept = distill(pairs, translations, args.out, args.corpus)
    print(f"{kept} of {len(pairs)} pairs distilled by {args.teacher} in {time.time() - t0:.0f} s "
          f"-> {args.out}/teacher, {args.out}/reference", file=sys.stderr)


if __name__ == "__main__":
    main()
