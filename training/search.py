"""Batched greedy and beam search over the incremental decoder.

Rules (the Java engine follows the same ones, so golden outputs match):
* every row starts from bos at step 0; pad and bos are never generated (log-prob set to -inf);
* max output length per sentence = floor(a * source length) + b tokens, eos included, where the
  source length counts the source pieces including the final eos (a = 1.5, b = 10 unless the caller
  passes another `max_len`); at the last allowed step only eos may be chosen;
* greedy: argmax, stop at eos;
* beam (size k, length penalty lp): per step take the 2k best (hypothesis score + log-prob)
  candidates in descending order; an eos candidate becomes a finished hypothesis with score
  sum / (length incl. eos)^lp, any other candidate extends the live beam, until k live hypotheses
  exist; a sentence is done once k hypotheses finished; the answer is the finished hypothesis with
  the best normalised score.  Beam 1 therefore equals greedy.
"""
import math
from typing import List

import torch

from .configs import PAD_ID, BOS_ID, EOS_ID


def max_output_lengths(src: torch.Tensor, pad_id=PAD_ID, a=1.5, b=10) -> List[int]:
    lens = src.ne(pad_id).sum(dim=1).tolist()
    return [int(math.floor(a * n)) + b for n in lens]


def _mask_step(lp, t, max_lens, rows_per_sentence):
    lp[:, PAD_ID] = -math.inf
    lp[:, BOS_ID] = -math.inf
    last = [i for i, m in enumerate(max_lens) if t >= m - 1]
    if last:
        rows = torch.tensor([i * rows_per_sentence + r for i in last for r in range(rows_per_sentence)])
        eos = lp[rows, EOS_ID].clone()
        lp[rows] = -math.inf
        lp[rows, EOS_ID] = eos
    return lp


@torch.no_grad()
def greedy_search(model, src: torch.Tensor, max_len=(1.5, 10)) -> List[List[int]]:
    """src: (B, S) padded ids; max_len: the (a, b) of the length limit. Returns the output ids per
    sentence, without bos/eos."""
    enc, enc_bias = model.encode(src)
    state = model.init_state(enc, enc_bias)
    B = src.shape[0]
    max_lens = max_output_lengths(src, a=max_len[0], b=max_len[1])
    tokens = torch.full((B,), BOS_ID, dtype=torch.long, device=src.device)
    out = [[] for _ in range(B)]
    done = [False] * B
    for t in range(max(max_lens)):
        lp, state = model.decode_step(tokens, state)
        lp = _mask_step(lp, t, max_lens, 1)
        tokens = lp.argmax(dim=-1)
        for i, tok in enumerate(tokens.tolist()):
            if done[i]:
                continue
            if tok == EOS_ID:
                done[i] = True
            else:
                out[i].append(tok)
        if all(done):
            break
    return out


@torch.no_grad()
def beam_search(model, src: torch.Tensor, beam: int = 4, len_penalty: float = 1.0, max_len=(1.5, 10)):
    """Returns (best ids per sentence without bos/eos, their normalised scores); max_len as in
    greedy_search."""
    enc, enc_bias = model.encode(src)
    B = src.shape[0]
    max_lens = max_output_lengths(src, a=max_len[0], b=max_len[1])
    # Every hypothesis of a sentence starts from the same bos state: the first step runs on one row
    # per sentence and its log-probs stand for the beam's copies (whose scores are -inf anyway);
    # the state then takes the beam's rows. The Java engine does the same (BeamSearch).
    state = model.init_state(enc, enc_bias)
    tokens = torch.full((B,), BOS_ID, dtype=torch.long, device=src.device)
    scores = torch.full((B, beam), -math.inf)
    scores[:, 0] = 0.0  # one live hypothesis at the start; the copies must not be picked
    history = [[[] for _ in range(beam)] for _ in range(B)]
    finished = [[] for _ in range(B)]  # (normalised score, ids)
    for t in range(max(max_lens)):
        lp, state = model.decode_step(tokens, state)
        if t == 0:
            lp = _mask_step(lp.float().cpu(), t, max_lens, 1).repeat_interleave(beam, dim=0)
        else:
            lp = _mask_step(lp.float().cpu(), t, max_lens, beam)
        V = lp.shape[1]
        cand = (scores.reshape(-1, 1) + lp).reshape(B, beam * V)
        top_scores, top_idx = cand.topk(2 * beam, dim=1)
        new_scores = torch.full((B, beam), -math.inf)
        new_tokens = torch.full((B, beam), PAD_ID, dtype=torch.long)
        src_rows = torch.arange(B * beam).reshape(B, beam).clone()  # default: keep own row
        new_history = [[[] for _ in range(beam)] for _ in range(B)]
        for i in range(B):
            if len(finished[i]) >= beam:
                continue  # sentence done; its rows keep decoding harmlessly with -inf scores
            live = 0
            for s, idx in zip(top_scores[i].tolist(), top_idx[i].tolist()):
                if s == -math.inf:
                    break
                hyp, tok = divmod(idx, V)
                if tok == EOS_ID:
                    if len(finished[i]) < beam:
                        finished[i].append((s / (t + 1) ** len_penalty, history[i][hyp]))
                elif live < beam:
                    new_scores[i, live] = s
                    new_tokens[i, live] = tok
                    src_rows[i, live] = i * beam + hyp
                    new_history[i][live] = history[i][hyp] + [tok]
                    live += 1
                if live == beam or len(finished[i]) >= beam:
                    break
        scores, history = new_scores, new_history
        tokens = new_tokens.reshape(-1).to(src.device)
        parents = src_rows.reshape(-1)
        state = state.select((parents // beam if t == 0 else parents).to(src.device))
        if all(len(f) >= beam for f in finished):
            break
    best, best_scores = [], []
    for f in finished:
        s, ids = max(f, key=lambda e: e[0])  # first one wins ties (max keeps the earliest)
        best.append(ids)
        best_scores.append(s)
    return best, best_scores
