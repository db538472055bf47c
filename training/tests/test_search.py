"""Greedy and beam search: beam 1 equals greedy, batching does not change results, length limits."""
import json
import os

import pytest
import torch

from training.configs import EOS_ID
from training.search import beam_search, greedy_search, max_output_lengths

from .conftest import make_model


def sources():
    torch.manual_seed(7)
    src = torch.randint(4, 300, (4, 7))
    src[:, -1] = EOS_ID
    src[1, 4:] = 0
    src[1, 3] = EOS_ID
    src[3, 2:] = 0
    src[3, 1] = EOS_ID
    return src


def test_max_output_lengths():
    assert max_output_lengths(sources()) == [20, 16, 20, 13]


def trained_like(variant):
    return make_model(variant, seed=3)


def test_beam1_equals_greedy():
    for variant in ("dense", "kmatrix"):
        model = trained_like(variant)
        src = sources()
        greedy = greedy_search(model, src)
        beam, _ = beam_search(model, src, beam=1)
        assert beam == greedy
        limits = max_output_lengths(src)
        assert all(len(g) <= m - 1 for g, m in zip(greedy, limits))


def test_batched_equals_one_by_one():
    model = trained_like("dense")
    src = sources()
    batched, scores = beam_search(model, src, beam=4)
    greedy = greedy_search(model, src)
    for i in range(src.shape[0]):
        row = src[i:i + 1, : int(src[i].ne(0).sum())]
        single, single_score = beam_search(model, row, beam=4)
        assert single[0] == batched[i]
        assert abs(single_score[0] - scores[i]) < 1e-4
        assert greedy_search(model, row)[0] == greedy[i]


def rescore(model, src_row, ids):
    """Sum of log-probs of ids + eos under teacher forcing, divided by the length incl. eos."""
    with torch.no_grad():
        enc, bias = model.encode(src_row)
        state = model.init_state(enc, bias)
        total, tok = 0.0, 2
        for t in ids + [EOS_ID]:
            lp, state = model.decode_step(torch.tensor([tok]), state)
            total += lp[0, t].item()
            tok = t
    return total / (len(ids) + 1)


def test_beam_scores_are_length_normalised_log_probs():
    model = trained_like("kmatrix")
    src = sources()
    best, scores = beam_search(model, src, beam=4)
    for i, ids in enumerate(best):
        row = src[i:i + 1, : int(src[i].ne(0).sum())]
        assert abs(rescore(model, row, ids) - scores[i]) < 1e-4


def test_a_caller_length_rule_limits_both_searches():
    model = trained_like("kmatrix")
    src = sources()
    rule = (0.5, 1)
    limits = max_output_lengths(src, a=0.5, b=1)
    assert limits == [4, 3, 4, 2]
    unlimited = greedy_search(model, src)
    assert all(len(g) > m - 1 for g, m in zip(unlimited, limits))  # the default rule lets them run longer
    greedy = greedy_search(model, src, max_len=rule)
    beamed, _ = beam_search(model, src, beam=4, max_len=rule)
    assert [len(g) for g in greedy] == [m - 1 for m in limits]
    assert greedy == [g[:m - 1] for g, m in zip(unlimited, limits)]
    assert all(len(b) <= m - 1 for b, m in zip(beamed, limits))


@pytest.mark.parametrize("name", ["tiny-dense", "tiny-kmatrix"])
def test_beam_search_reproduces_the_shipped_golden_outputs_with_one_row_per_sentence_first(name):
    """The golden beam outputs were recorded when the first step still ran on the beam's repeated
    rows; running it once per sentence must find the same hypotheses. The Java engine's
    GoldenParityTest holds it to the same outputs."""
    from training.export import load_bundle_model
    bundle = os.path.join(os.path.dirname(__file__), "..", "..", "models", name)
    model, _ = load_bundle_model(bundle)
    with open(os.path.join(bundle, "golden.json"), encoding="utf-8") as f:
        golden = json.load(f)
    rows_per_step = []
    step = model.decode_step
    model.decode_step = lambda tokens, state: (rows_per_step.append(tokens.shape[0]), step(tokens, state))[1]
    for s in golden["sentences"]:
        rows_per_step.clear()
        ids, scores = beam_search(model, torch.tensor([s["src_ids"]]), beam=golden["beam"])
        assert ids[0] == s["beam4_ids"], s["source"]
        assert abs(scores[0] - s["beam4_score"]) < 1e-4, s["source"]
        assert rows_per_step[0] == 1 and all(r == golden["beam"] for r in rows_per_step[1:])
