"""Tokenised parallel data and token-budget batches, built once up front.

Per-step batch building in Python starved the GPU (DESIGN §3), so all padded batches are built
once as tensors (moved to the device once) and only their order is shuffled per epoch.
"""
import os
import random

import torch

from .configs import PAD_ID, BOS_ID, EOS_ID
from .tokenizer import read_pairs


def encode_pairs(sp, pairs, max_len=0):
    """(de, en) strings -> list of (src ids + [eos], tgt ids); pairs longer than max_len dropped.
    SentencePiece encodes on every core (the ids do not depend on the thread count)."""
    threads = os.cpu_count() or 1
    src = sp.encode([p[0] for p in pairs], num_threads=threads)
    tgt = sp.encode([p[1] for p in pairs], num_threads=threads)
    out = []
    for s, t in zip(src, tgt):
        if not s or not t:
            continue
        if max_len and (len(s) + 1 > max_len or len(t) + 1 > max_len):
            continue
        out.append((s + [EOS_ID], t))
    return out


def pad_batch(seqs, pad=PAD_ID):
    width = max(len(s) for s in seqs)
    out = torch.full((len(seqs), width), pad, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.tensor(s, dtype=torch.long)
    return out


def make_batch(examples):
    """-> dict(src (B,S), prev (B,T) = bos+tgt, target (B,T) = tgt+eos, ntokens = target tokens,
    src_tokens = source tokens), padding excluded from both counts."""
    src = pad_batch([s for s, _ in examples])
    prev = pad_batch([[BOS_ID] + t for _, t in examples])
    target = pad_batch([t + [EOS_ID] for _, t in examples])
    return {"src": src, "prev": prev, "target": target, "ntokens": int(target.ne(PAD_ID).sum()),
            "src_tokens": int(src.ne(PAD_ID).sum())}


def token_budget_batches(examples, max_tokens, seed=1):
    """Group examples of similar length so that rows * (padded src + padded tgt) <= max_tokens."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), len(examples[i][1]), i))
    batches, current, width_s, width_t = [], [], 0, 0
    for i in order:
        s, t = examples[i]
        ws, wt = max(width_s, len(s)), max(width_t, len(t) + 1)
        if current and (len(current) + 1) * (ws + wt) > max_tokens:
            batches.append(make_batch(current))
            current, ws, wt = [], len(s), len(t) + 1
        current.append(examples[i])
        width_s, width_t = ws, wt
    if current:
        batches.append(make_batch(current))
    random.Random(seed).shuffle(batches)
    return batches


def load_split(sp, path, limit=0, max_len=0, shuffle_seed=None):
    pairs = read_pairs(path)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(pairs)
    if limit:
        pairs = pairs[:limit]
    return pairs, encode_pairs(sp, pairs, max_len)


def source_batches(sp, sentences, max_tokens=4000, max_rows=64):
    """Batches of source sentences for translation, sorted by length; yields (indices, src)."""
    ids = [s + [EOS_ID] for s in sp.encode(list(sentences))]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    batch = []
    for i in order:
        if batch and (len(batch) + 1 > max_rows or (len(batch) + 1) * len(ids[i]) > max_tokens):
            yield batch, pad_batch([ids[j] for j in batch])
            batch = []
        batch.append(i)
    if batch:
        yield batch, pad_batch([ids[j] for j in batch])
