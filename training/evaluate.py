"""Translate a split with greedy or beam search and score it (corpus BLEU 13a + chrF2).

    /usr/bin/python3 -m training.evaluate --checkpoint RUN/checkpoint_avg.pt --split test --beam 4
"""
import argparse
import json
import os
import time

import torch

from . import tokenizer
from .bleu import corpus_bleu, corpus_chrf
from .data import source_batches
from .search import beam_search, greedy_search
from .tokenizer import read_pairs


def translate(model, sp, sentences, beam=4, max_tokens=4000, max_rows=64, device="cpu"):
    """Detokenised translations of German sentences, in input order."""
    out = [None] * len(sentences)
    for idx, src in source_batches(sp, sentences, max_tokens, max_rows):
        src = src.to(device)
        ids = greedy_search(model, src) if beam == 1 else beam_search(model, src, beam)[0]
        for i, hyp in zip(idx, ids):
            out[i] = sp.decode(hyp)
    return out


def evaluate(model, sp, tsv_path, beam=4, limit=0, device="cpu"):
    if beam < 1 or limit < 0:
        raise ValueError(f"beam must be at least 1 and limit at least 0, got beam {beam}, limit {limit}")
    pairs = read_pairs(tsv_path, limit)
    if not pairs:
        # A score of nothing is no score: it must not reach a bundle's manifest as BLEU 0.
        raise ValueError(f"{tsv_path}: no German<TAB>English pairs to evaluate on")
    t0 = time.time()
    rows = 256 if str(device).startswith("cuda") else 64  # bigger batches where rows are cheap
    hyps = translate(model, sp, [de for de, _ in pairs], beam=beam, max_tokens=rows * 64, max_rows=rows,
                     device=device)
    wall = time.time() - t0
    refs = [en for _, en in pairs]
    bleu = corpus_bleu(hyps, refs)
    return {"bleu": round(bleu.score, 2), "chrf": round(corpus_chrf(hyps, refs), 2), "bleu_detail": str(bleu),
            "sentences": len(pairs), "beam": beam, "translate_wall_s": round(wall, 1)}, hyps


def main():
    from .train import load_checkpoint
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--split", default="test", choices=["valid", "test"])
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    ap.add_argument("--out", help="write the score JSON here (hypotheses next to it as .txt)")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    model, ckpt = load_checkpoint(args.checkpoint, args.device)
    sp = tokenizer.load(ckpt["spm"])
    scores, hyps = evaluate(model, sp, os.path.join(args.corpus, f"{args.split}.tsv"), args.beam,
                            args.limit, args.device)
    scores["split"] = args.split
    print(json.dumps(scores, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(scores, f, indent=2)
        with open(os.path.splitext(args.out)[0] + ".txt", "w") as f:
            f.write("\n".join(hyps) + "\n")


if __name__ == "__main__":
    main()
