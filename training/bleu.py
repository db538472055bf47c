"""Corpus BLEU and chrF, written from the published definitions (sacreBLEU conventions):

* BLEU: mteval-v13a tokenisation, case-sensitive, detokenised input, n-grams 1..4 with clipped
  counts summed over the corpus, closest reference length (ties: the shorter), brevity penalty,
  and sacreBLEU's default "exp" smoothing for orders with zero matches.
* chrF (chrF2): character n-grams 1..6 with whitespace removed, beta 2, statistics summed over the
  corpus (with several references, each sentence uses the reference with the best sentence chrF),
  F-beta of the precision and recall averaged over the n-gram orders.
"""
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import List, Sequence, Union

_13A_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),  # punctuation and symbols
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period/comma unless preceded by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # period/comma unless followed by a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),  # dash after a digit
]


def tokenize_13a(line: str) -> str:
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    for pattern, repl in _13A_RULES:
        line = pattern.sub(repl, line)
    return " ".join(line.split())


def _ngrams(tokens, n_max):
    c = Counter()
    for n in range(1, n_max + 1):
        for i in range(len(tokens) - n + 1):
            c[tuple(tokens[i:i + n])] += 1
    return c


def _as_ref_sets(refs, n_hyp):
    """Accept one reference list (one ref per sentence) or a list of reference streams."""
    if refs and isinstance(refs[0], str):
        refs = [refs]
    for stream in refs:
        if len(stream) != n_hyp:
            raise ValueError("every reference stream needs one line per hypothesis")
    return refs


@dataclass
class BleuScore:
    score: float
    precisions: List[float]
    bp: float
    hyp_len: int
    ref_len: int

    def __str__(self):
        p = "/".join(f"{x:.1f}" for x in self.precisions)
        return (f"BLEU = {self.score:.2f} {p} (BP = {self.bp:.3f} ratio = {self.hyp_len / max(self.ref_len, 1):.3f} "
                f"hyp_len = {self.hyp_len} ref_len = {self.ref_len})")


def corpus_bleu(hyps: Sequence[str], refs: Union[Sequence[str], Sequence[Sequence[str]]], max_order=4) -> BleuScore:
    ref_streams = _as_ref_sets(list(refs), len(hyps))
    correct, total = [0] * max_order, [0] * max_order
    hyp_len = ref_len = 0
    for i, hyp in enumerate(hyps):
        h = tokenize_13a(hyp).split()
        rs = [tokenize_13a(stream[i]).split() for stream in ref_streams]
        hyp_len += len(h)
        ref_len += min((abs(len(r) - len(h)), len(r)) for r in rs)[1]
        max_ref = Counter()
        for r in rs:
            max_ref |= _ngrams(r, max_order)  # union = elementwise max: clip by the best reference
        for gram, count in _ngrams(h, max_order).items():
            total[len(gram) - 1] += count
            correct[len(gram) - 1] += min(count, max_ref[gram])
    precisions = [0.0] * max_order
    smooth = 1.0
    for n in range(max_order):
        if total[n] == 0 or not any(correct):  # no match at all: 0, as sacreBLEU stops early (its #141)
            break
        if correct[n] == 0:
            smooth *= 2  # sacreBLEU "exp" smoothing
            precisions[n] = 100.0 / (smooth * total[n])
        else:
            precisions[n] = 100.0 * correct[n] / total[n]
    if hyp_len == 0:
        bp = 0.0
    else:
        bp = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    if min(precisions) <= 0:
        score = 0.0
    else:
        score = bp * math.exp(sum(math.log(p) for p in precisions) / max_order)
    return BleuScore(score, precisions, bp, hyp_len, ref_len)


def _char_stats(hyp, ref, order):
    h, r = "".join(hyp.split()), "".join(ref.split())
    stats = []
    for n in range(1, order + 1):
        hc = Counter(h[i:i + n] for i in range(len(h) - n + 1))
        rc = Counter(r[i:i + n] for i in range(len(r) - n + 1))
        stats += [sum(hc.values()), sum(rc.values()), sum((hc & rc).values())]
    return stats


def _chrf_from_stats(stats, order, beta):
    factor = beta ** 2
    eps = 1e-16
    avg_prec = avg_rec = 0.0
    effective = 0
    for n in range(order):
        n_hyp, n_ref, n_match = stats[3 * n:3 * n + 3]
        avg_prec += n_match / n_hyp if n_hyp > 0 else eps
        avg_rec += n_match / n_ref if n_ref > 0 else eps
        effective += 1 if n_hyp > 0 and n_ref > 0 else 0
    if effective == 0:
        return 0.0
    avg_prec /= effective
    avg_rec /= effective
    if avg_prec + avg_rec == 0:
        return 0.0
    return 100.0 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec)


def corpus_chrf(hyps, refs, order=6, beta=2) -> float:
    ref_streams = _as_ref_sets(list(refs), len(hyps))
    total = [0] * (3 * order)
    for i, hyp in enumerate(hyps):
        candidates = [_char_stats(hyp, stream[i], order) for stream in ref_streams]
        best = max(candidates, key=lambda s: _chrf_from_stats(s, order, beta))  # first wins ties
        total = [a + b for a, b in zip(total, best)]
    return _chrf_from_stats(total, order, beta)
