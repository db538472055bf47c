"""Lexical shortlist: which target pieces a batch may produce, chosen from its source pieces.

At batch 1 a decoder step of the base K-matrix model reads about half of its bytes in the output
projection (512 x 8,000 floats). A shortlist restricts that projection to the target pieces a
sentence plausibly needs (the same idea as Marian's lexical shortlists, with co-occurrence
statistics in place of word alignments):

- the `frequent` most frequent target pieces of the train split (function words, punctuation,
  eos and unk are always among them), and
- for every source piece s, up to `per_source` target pieces t ranked by the Dice coefficient
  2·c(s,t) / (c(s) + c(t)), counted over sentence pairs (c = number of pairs containing the piece;
  pairs with c(s,t) < `min_count` are ignored).

A batch's candidates are the union of the frequent list and the lists of every source piece of
every sentence in the batch; log-softmax then runs over the candidates only (docs/engine.md).

    python3 -m training.shortlist --bundle models/tiny-dense --corpus data/corpus

adds `shortlist.safetensors` and the two graphs that use it to a bundle (docs/bundle-format.md §10)
and prints how much of the valid split's reference pieces the candidates cover.
"""
import argparse
import datetime
import json
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

from . import safetensors_io, tokenizer
from .configs import EOS_ID, UNK_ID, PAD_ID, BOS_ID

SHORTLIST_FILE = "shortlist.safetensors"
OUTPUT_GRAPH = "decoder_output_shortlist"
DENSE_HIDDEN_GRAPH = "decoder_step_hidden"
DEFAULTS = {"frequent": 256, "per_source": 32, "min_count": 2, "pairs": 0}


def cooccurrence(sp, pairs, vocab, chunk=20_000):
    """(pairs containing each source piece, each target piece, both: a dense V x V count matrix).
    Dense on purpose: 8,000² int32 counts are 256 MB, and numpy counts them in a few passes."""
    source_count = np.zeros(vocab, dtype=np.int64)
    target_count = np.zeros(vocab, dtype=np.int64)
    both = np.zeros(vocab * vocab, dtype=np.int32)
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        sources = [np.unique(ids) for ids in sp.encode([de for de, _ in part])]
        targets = [np.unique(ids) for ids in sp.encode([en for _, en in part])]
        for ids in sources:
            source_count[ids] += 1
        for ids in targets:
            target_count[ids] += 1
        flat = np.concatenate([(s[:, None] * vocab + t[None, :]).ravel() for s, t in zip(sources, targets)])
        both += np.bincount(flat, minlength=vocab * vocab).astype(np.int32)
    return source_count, target_count, both.reshape(vocab, vocab)


def build(source_count, target_count, both, frequent, per_source, min_count):
    """(frequent target ids, (V, per_source) table of target ids by source id, -1 = unused)."""
    vocab = len(target_count)
    always = [EOS_ID, UNK_ID]
    by_frequency = [int(t) for t in np.argsort(-target_count, kind="stable") if t not in (PAD_ID, BOS_ID)]
    chosen = always + [t for t in by_frequency if t not in always][:max(0, frequent - len(always))]
    table = np.full((vocab, per_source), -1, dtype=np.int32)
    k = min(per_source, vocab)
    for begin in range(0, vocab, 512):  # blocks of source rows keep the temporaries small
        rows = slice(begin, min(vocab, begin + 512))
        counts = both[rows].astype(np.float32)
        denominator = source_count[rows, None].astype(np.float32) + target_count[None, :].astype(np.float32)
        dice = np.where(counts >= min_count, 2.0 * counts / np.maximum(denominator, 1.0), 0.0).astype(np.float32)
        dice[:, [PAD_ID, BOS_ID]] = 0.0
        # Best first, ties by the lower id (a stable sort of the negated scores).
        order = np.argsort(-dice, axis=1, kind="stable")[:, :k]
        best = np.take_along_axis(dice, order, axis=1)
        table[rows, :k] = np.where(best > 0, order, -1)
    return np.asarray(sorted(chosen), dtype=np.int32), table


def candidates(frequent, table, source_batch):
    """Sorted target ids a batch of source id lists may produce."""
    ids = set(int(t) for t in frequent)
    for source in source_batch:
        for s in source:
            ids.add(int(s))  # copies: names, numbers, placeholders share pieces in the joint vocabulary
            ids.update(int(t) for t in table[s] if t >= 0)
    ids.discard(PAD_ID)
    ids.discard(BOS_ID)
    return np.asarray(sorted(ids), dtype=np.int64)


def coverage(sp, frequent, table, pairs, batch=1):
    """Mean candidates per batch and the share of reference target pieces (eos included) inside
    their batch's candidates, over `pairs` taken in order in batches of `batch`."""
    sources = [ids + [EOS_ID] for ids in sp.encode([de for de, _ in pairs])]
    targets = [ids + [EOS_ID] for ids in sp.encode([en for _, en in pairs])]
    sizes, inside, total = [], 0, 0
    for start in range(0, len(pairs), batch):
        allowed = set(candidates(frequent, table, sources[start:start + batch]).tolist())
        sizes.append(len(allowed))
        for t in targets[start:start + batch]:
            inside += sum(1 for x in t if x in allowed)
            total += len(t)
    return {"batch": batch, "mean_candidates": round(float(np.mean(sizes)), 1),
            "reference_coverage": round(inside / max(1, total), 4)}


def output_graph(path, d_model, opset):
    """x (R, d) and the candidates' rows of the output embedding (S, d) -> log-softmax over S."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", d_model])
    w = helper.make_tensor_value_info("weight", TensorProto.FLOAT, ["candidates", d_model])
    out = helper.make_tensor_value_info("log_probs", TensorProto.FLOAT, ["batch", "candidates"])
    nodes = [helper.make_node("Gemm", ["x", "weight"], ["logits"], transB=1),
             helper.make_node("LogSoftmax", ["logits"], ["log_probs"], axis=-1)]
    graph = helper.make_graph(nodes, OUTPUT_GRAPH, [x, w], [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="kaleidoscope-training")
    onnx.checker.check_model(model)
    onnx.save(model, path)


def add_to_bundle(bundle_dir, frequent, table, info):
    """Writes the shortlist and its graphs into a bundle and updates the manifest (checksums too)."""
    from . import export
    with open(os.path.join(bundle_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    vocab = manifest["architecture"]["vocab_size"]
    if table.shape[0] != vocab:
        raise ValueError(f"shortlist has {table.shape[0]} source rows, bundle vocabulary is {vocab}")
    safetensors_io.save_file({"shortlist.frequent": torch.from_numpy(frequent),
                              "shortlist.by_source": torch.from_numpy(table)},
                             os.path.join(bundle_dir, SHORTLIST_FILE), {"format": "kaleidoscope-shortlist"})
    opset = manifest["onnx"]["opset"]
    graphs = manifest["onnx"]["graphs"]
    output_graph(os.path.join(bundle_dir, f"{OUTPUT_GRAPH}.onnx"), manifest["architecture"]["d_model"], opset)
    graphs[OUTPUT_GRAPH] = {"file": f"{OUTPUT_GRAPH}.onnx", "inputs": ["x", "weight"], "outputs": ["log_probs"],
                            "weights": []}
    if manifest["variant"] == "dense":
        model, _ = export.load_bundle_model(bundle_dir)
        graphs[DENSE_HIDDEN_GRAPH] = export.export_dense_hidden_step(model, bundle_dir, weight_index(bundle_dir, manifest))
        export.add_int8_variants(bundle_dir, graphs)
    manifest["shortlist"] = dict(info, tensors=SHORTLIST_FILE, frequent=int(len(frequent)),
                                 per_source=int(table.shape[1]), output_graph=OUTPUT_GRAPH,
                                 hidden_graph=DENSE_HIDDEN_GRAPH if manifest["variant"] == "dense" else "decoder_output")
    manifest["files"] = export.file_entries(bundle_dir)
    with open(os.path.join(bundle_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
    return manifest


def weight_index(bundle_dir, manifest):
    """{tensor: (shard, absolute offset, bytes)} of a written bundle, as export.write_shards returns."""
    index = {}
    for shard in manifest["weights"]["shards"]:
        header, data_start = safetensors_io.read_header(os.path.join(bundle_dir, shard))
        for name, entry in header.items():
            if name != "__metadata__":
                begin, end = entry["data_offsets"]
                index[name] = (shard, data_start + begin, end - begin)
    return index


def build_from_corpus(sp_path, corpus, frequent, per_source, min_count, pair_limit, log=print):
    """Counts over the train split with the tokenizer at `sp_path`, builds the lists and measures
    their coverage on the valid split. Returns (frequent ids, table, manifest info)."""
    sp = tokenizer.load(sp_path)
    train = tokenizer.read_pairs(os.path.join(corpus, "train.tsv"), pair_limit)
    counts = cooccurrence(sp, train, sp.get_piece_size())
    first, table = build(*counts, frequent, per_source, min_count)
    valid = tokenizer.read_pairs(os.path.join(corpus, "valid.tsv"), 2000)
    measured = [coverage(sp, first, table, valid, b) for b in (1, 32)]
    for m in measured:
        log(f"shortlist batch {m['batch']}: {m['mean_candidates']} candidates of {sp.get_piece_size()}, "
            f"{100 * m['reference_coverage']:.2f}% of valid reference pieces inside")
    info = {"min_count": min_count, "train_pairs": len(train), "valid_coverage": measured,
            "built_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    return first, table, info


def build_for_bundle(bundle_dir, corpus, frequent, per_source, min_count, pair_limit, log=print):
    """The shortlist for a bundle's tokenizer, added to the bundle."""
    built = build_from_corpus(os.path.join(bundle_dir, "sentencepiece.model"), corpus, frequent, per_source,
                              min_count, pair_limit, log)
    return add_to_bundle(bundle_dir, *built)


def main():
    from . import export
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True, action="append", help="bundle directory (repeatable)")
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--frequent", type=int, default=DEFAULTS["frequent"])
    ap.add_argument("--per-source", type=int, default=DEFAULTS["per_source"])
    ap.add_argument("--min-count", type=int, default=DEFAULTS["min_count"])
    ap.add_argument("--pairs", type=int, default=DEFAULTS["pairs"], help="train pairs counted (0 = all)")
    args = ap.parse_args()
    by_tokenizer = {}  # bundles that share a tokenizer (a dense and a K-matrix model) share the counting
    for bundle in args.bundle:
        sp_path = os.path.join(bundle, "sentencepiece.model")
        key = export.sha256_file(sp_path)
        if key not in by_tokenizer:
            by_tokenizer[key] = build_from_corpus(sp_path, args.corpus, args.frequent, args.per_source,
                                                  args.min_count, args.pairs)
        add_to_bundle(bundle, *by_tokenizer[key])
        problems = export.verify_bundle(bundle)
        print(f"bundle {bundle}: {'OK' if not problems else problems}")


if __name__ == "__main__":
    main()
