"""Build the German→English corpus from Debian's archive: the one command.

    /usr/bin/python3 -m training.corpus.build --out data/corpus

Stages:
1. package lists: `lists/*.txt` (committed), or regenerated with `--discover` (needs apt-file);
2. raw pairs: each package (or package group) is downloaded, the files the extractors need are
   read from its data archive, the .deb is deleted, and the raw (origin, English, German) pairs
   are cached under `--cache` keyed by package and version, so a rebuild after a change to the
   cleaning rules downloads nothing;
3. cleaning (`clean.py`), de-duplication of (German, English) pairs (the first origin in build
   order wins), and the split by English hash (`split.py`);
4. outputs: train/valid/test.tsv, test.<origin>.tsv, stats.json, and a per-source table on stdout.
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
import time

from . import clean, extract_ding, extract_gettext, extract_help, extract_manuals, extract_mozilla
from . import extract_qt
from . import fetch, packages, split

GETTEXT_MO_RE = re.compile(r"(^|/)(de|de_DE)/LC_MESSAGES/[^/]+\.mo$")
GETTEXT_PO_RE = re.compile(r"(^|/)de\.po$")
QT_RE = re.compile(r"(_|/)de\.qm$")

# Build order of origins in the output and in the per-source table.
ORIGINS = ["gettext", "libreoffice-ui", "qt", "mozilla", "libreoffice-help", "mallard",
           "kde-docbook", "debian-manual", "ding"]


# ---- stage 2: what to read from a package, and the raw pairs it gives ----------------------

def wanted_per_package(path):
    return bool(GETTEXT_MO_RE.search(path) or GETTEXT_PO_RE.search(path) or QT_RE.search(path)
                or extract_help.wanted(path))


def wanted_in_group(path):
    return (wanted_per_package(path) or path.endswith("omni.ja")
            or ("langpack-de@" in path and path.endswith(".xpi")) or extract_ding.wanted(path)
            or extract_manuals.wanted(path))


def gettext_origin(path):
    return "libreoffice-ui" if "/libreoffice/" in path else "gettext"


def raw_pairs(files):
    """Yield (origin, english, german) from every extractor that finds its files in `files`."""
    for path in sorted(files):
        data = files[path]
        if GETTEXT_MO_RE.search(path):
            for en, de in extract_gettext.parse_mo(data):
                yield gettext_origin(path), en, de
        elif GETTEXT_PO_RE.search(path):
            for en, de in extract_gettext.parse_po(data.decode("utf-8", "replace")):
                yield gettext_origin(path), en, de
        elif QT_RE.search(path):
            for en, de in extract_qt.parse_qm(data):
                yield "qt", en, de
    for en, de in extract_help.libreoffice_pairs(files):
        yield "libreoffice-help", en, de
    for en, de in extract_help.mallard_pairs(files):
        yield "mallard", en, de
    for en, de in extract_help.kde_pairs(files):
        yield "kde-docbook", en, de
    en_zips = [files[p] for p in sorted(files) if p.endswith("omni.ja")]
    de_zips = [files[p] for p in sorted(files) if "langpack-de@" in p and p.endswith(".xpi")]
    if en_zips and de_zips:
        for en, de in extract_mozilla.pairs(en_zips, de_zips):
            yield "mozilla", en, de
    for en, de in extract_manuals.pairs(files):
        yield "debian-manual", en, de
    for en, de in extract_ding.pairs(files):
        yield "ding", en, de


# ---- stage 2: the cache of raw pairs ----------------------------------------------------------

def cache_path(cache_dir, job_name, versions):
    safe = re.sub(r"[^A-Za-z0-9.+-]", "_", "%s_%s" % (job_name, "+".join(versions)))
    return os.path.join(cache_dir, safe + ".json.gz")


def load_cache(path):
    with gzip.open(path, "rt", encoding="utf-8") as source:
        return [tuple(row) for row in json.load(source)]


def save_cache(path, rows):
    tmp = path + ".tmp"
    with gzip.open(tmp, "wt", encoding="utf-8") as out:
        json.dump(rows, out, ensure_ascii=False)
    os.replace(tmp, path)


class Log:
    def __init__(self):
        self.start = time.monotonic()

    def __call__(self, message):
        print("[%7.1f s] %s" % (time.monotonic() - self.start, message), flush=True)


def collect_raw(lists, cache_dir, scratch, parallel, log):
    """Return (jobs, failures, versions): jobs is [(job name, [packages], raw rows)] in build order,
    versions {package: the version apt offered, the one fetched or read from the cache}."""
    os.makedirs(cache_dir, exist_ok=True)
    per_package = sorted({p for name, members in lists.items()
                          if name not in packages.GROUPS for p in members})
    groups = [(name, lists[name]) for name in packages.GROUPS if name in lists]
    versions = packages.candidate_versions(per_package + [p for _, g in groups for p in g])
    failures = {}

    # Per-package jobs: those cached are read back, the rest stream through fetch_all.
    results = {}
    to_fetch = []
    for package in per_package:
        if package not in versions:
            failures[package] = "not in apt's package index"
            continue
        path = cache_path(cache_dir, package, [versions[package]])
        if os.path.exists(path):
            results[package] = load_cache(path)
        else:
            to_fetch.append(package)
    log("%d packages listed, %d cached, %d to fetch"
        % (len(per_package), len(results), len(to_fetch)))
    done = 0
    for package, version, files, error in fetch.fetch_all(to_fetch, wanted_per_package,
                                                          scratch, ahead=parallel):
        done += 1
        if error:
            failures[package] = error
            log("FAILED %s" % error)
            continue
        rows = [list(row) for row in raw_pairs(files)]
        save_cache(cache_path(cache_dir, package, [version]), rows)
        results[package] = rows
        if done % 25 == 0 or done == len(to_fetch):
            log("fetched %d/%d (%s: %d raw pairs)" % (done, len(to_fetch), package, len(rows)))

    jobs = [(p, [p], results[p]) for p in per_package if p in results]

    # Group jobs: all members are fetched, then paired together.
    for name, members in groups:
        known = [m for m in members if m in versions]
        if len(known) != len(members):
            failures[name] = "group member missing from apt's index: %s" % (
                sorted(set(members) - set(known)))
            continue
        path = cache_path(cache_dir, name, [versions[m] for m in members])
        if os.path.exists(path):
            rows = load_cache(path)
        else:
            files = {}
            for package, version, member_files, error in fetch.fetch_all(
                    members, wanted_in_group, scratch, ahead=parallel):
                if error:
                    failures[name] = error
                    break
                files.update(member_files)
            if name in failures:
                log("FAILED group %s: %s" % (name, failures[name]))
                continue
            rows = [list(row) for row in raw_pairs(files)]
            del files
            save_cache(path, rows)
        log("group %s: %d raw pairs" % (name, len(rows)))
        jobs.append((name, members, rows))
    return jobs, failures, versions


# ---- stages 3 and 4 ----------------------------------------------------------------------------

def tsv_field(text):
    """Tabs and newlines can never appear inside a field (cleaning collapses them already)."""
    return " ".join(text.split())


def build_corpus(jobs):
    """Clean and de-duplicate; return {split: [(de, en, origin)]} and per-job kept counts."""
    seen = set()
    splits = {"train": [], "valid": [], "test": []}
    used = {}
    # Software strings first (their origin tag wins a duplicate), then documents, then the
    # dictionary; within an origin, jobs stay in list order.
    rows_by_origin = {origin: [] for origin in ORIGINS}
    for job_name, _, rows in jobs:
        for origin, en, de in rows:
            rows_by_origin.setdefault(origin, []).append((job_name, en, de))
    for origin, rows in rows_by_origin.items():
        for job_name, en, de in rows:
            for de_piece, en_piece in clean.clean_pair(en, de):
                de_piece, en_piece = tsv_field(de_piece), tsv_field(en_piece)
                key = (de_piece, en_piece)
                if key in seen:
                    continue
                seen.add(key)
                used[job_name] = used.get(job_name, 0) + 1
                splits[split.split_of(en_piece)].append((de_piece, en_piece, origin))
    return splits, used


def write_outputs(out_dir, splits):
    os.makedirs(out_dir, exist_ok=True)
    corpus_hash = hashlib.sha256()
    for name in ("train", "valid", "test"):
        path = os.path.join(out_dir, name + ".tsv")
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            for de, en, origin in splits[name]:
                out.write("%s\t%s\t%s\n" % (de, en, origin))
        with open(path, "rb") as written:
            corpus_hash.update(written.read())
    for old in os.listdir(out_dir):
        if old.startswith("test.") and old.endswith(".tsv") and old != "test.tsv":
            os.remove(os.path.join(out_dir, old))
    by_origin = {}
    for row in splits["test"]:
        by_origin.setdefault(row[2], []).append(row)
    for origin, rows in by_origin.items():
        with open(os.path.join(out_dir, "test.%s.tsv" % origin), "w", encoding="utf-8",
                  newline="\n") as out:
            for de, en, _ in rows:
                out.write("%s\t%s\t%s\n" % (de, en, origin))
    return corpus_hash.hexdigest()


def statistics(splits):
    per_source = {}
    for name, rows in splits.items():
        for de, en, origin in rows:
            entry = per_source.setdefault(origin, {"pairs": 0, "german_words": 0,
                                                   "english_words": 0, "train": 0, "valid": 0,
                                                   "test": 0})
            entry["pairs"] += 1
            entry[name] += 1
            entry["german_words"] += len(de.split())
            entry["english_words"] += len(en.split())
    ordered = {o: per_source[o] for o in ORIGINS if o in per_source}
    ordered.update({o: v for o, v in sorted(per_source.items()) if o not in ordered})
    return ordered


def print_table(per_source, splits):
    print()
    print("%-18s %10s %14s %14s %8s %8s" % ("source", "pairs", "German words", "English words",
                                           "valid", "test"))
    total = {"pairs": 0, "german_words": 0, "english_words": 0, "valid": 0, "test": 0}
    for origin, s in per_source.items():
        print("%-18s %10d %14d %14d %8d %8d" % (origin, s["pairs"], s["german_words"],
                                               s["english_words"], s["valid"], s["test"]))
        for key in total:
            total[key] += s[key]
    print("%-18s %10d %14d %14d %8d %8d" % ("total", total["pairs"], total["german_words"],
                                           total["english_words"], total["valid"],
                                           total["test"]))
    print("splits (pairs): train %d, valid %d, test %d" % tuple(
        len(splits[n]) for n in ("train", "valid", "test")))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="data/corpus", help="output folder (default %(default)s)")
    parser.add_argument("--cache", default="data/corpus-cache",
                        help="raw-pair cache, one file per package and version")
    parser.add_argument("--scratch", default="data/corpus-scratch",
                        help="download folder; holds only the few .debs in flight")
    parser.add_argument("--parallel", type=int, default=2,
                        help="download batches (10 packages each) in flight ahead of the reader")
    parser.add_argument("--discover", action="store_true",
                        help="regenerate lists/*.txt with apt-file before building")
    parser.add_argument("--only", action="append", default=None,
                        help="build from these lists only (repeatable; for quick trials)")
    parser.add_argument("--limit", type=int, default=0,
                        help="use only the first N packages of each list (for quick trials)")
    args = parser.parse_args(argv)
    log = Log()

    if args.discover:
        lists = packages.discover()
        packages.write_lists(lists)
        log("discovered: " + ", ".join("%s %d" % (k, len(v)) for k, v in lists.items()))
    lists = packages.read_lists()
    if args.only:
        lists = {k: v for k, v in lists.items() if k in args.only}
    if args.limit:
        lists = {k: v[:args.limit] for k, v in lists.items()}

    jobs, failures, versions = collect_raw(lists, args.cache, args.scratch, args.parallel, log)
    raw_count = sum(len(rows) for _, _, rows in jobs)
    log("%d jobs, %d raw pairs; cleaning" % (len(jobs), raw_count))
    splits, used = build_corpus(jobs)
    corpus_hash = write_outputs(args.out, splits)
    per_source = statistics(splits)
    used_packages = sorted({p for name, members, _ in jobs if used.get(name) for p in members})
    stats = {
        "corpus_sha256": corpus_hash,
        "corpus_sha256_of": "train.tsv + valid.tsv + test.tsv, concatenated in that order",
        "splits": {n: len(splits[n]) for n in ("train", "valid", "test")},
        "per_source": per_source,
        "raw_pairs": raw_count,
        "packages_listed": sorted({p for members in lists.values() for p in members}).__len__(),
        "packages_used": len(used_packages),
        "packages_failed": failures,
        "split_rule": "sha1(lower-cased English, punctuation and whitespace collapsed)[:4] "
                      "mod 10000: 0-24 valid, 25-49 test, else train",
        "build_seconds": round(time.monotonic() - log.start, 1),
    }
    with open(os.path.join(args.out, "stats.json"), "w", encoding="utf-8") as out:
        json.dump(stats, out, indent=2, ensure_ascii=False)
        out.write("\n")
    with open(os.path.join(args.out, "packages-used.txt"), "w", encoding="utf-8") as out:
        # package=version, as apt-get download takes it: the archive moves on, and with the
        # versions a later rebuild can fetch exactly these (where the archive still has them).
        out.write("\n".join("%s=%s" % (p, versions[p]) for p in used_packages) + "\n")
    log("done: %d packages used, %d failed, corpus sha256 %s"
        % (len(used_packages), len(failures), corpus_hash))
    print_table(per_source, splits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
