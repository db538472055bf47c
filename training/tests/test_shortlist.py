"""Lexical shortlist: exact co-occurrence counts, Dice ranking, candidate sets, and the bundle
files and manifest entries it adds (the Java tests check what the graphs compute)."""
import json
import os

import numpy as np
import onnx
import pytest
import torch

from training import export, safetensors_io, shortlist
from training.configs import BOS_ID, EOS_ID, PAD_ID, UNK_ID

from .conftest import make_model


class FakePieces:
    """Stands in for SentencePiece: each text is a list of ids written as numbers."""

    def encode(self, texts):
        return [[int(x) for x in t.split()] for t in texts]


def test_cooccurrence_counts_each_piece_once_per_pair():
    pairs = [("5 5 6", "7 8"), ("5", "7"), ("6", "9 9")]
    source, target, both = shortlist.cooccurrence(FakePieces(), pairs, 10, chunk=2)
    assert source.tolist() == [0, 0, 0, 0, 0, 2, 2, 0, 0, 0]
    assert target.tolist() == [0, 0, 0, 0, 0, 0, 0, 2, 1, 1]
    expected = np.zeros((10, 10), dtype=np.int32)
    expected[5, 7], expected[5, 8], expected[6, 7], expected[6, 8], expected[6, 9] = 2, 1, 1, 1, 1
    assert (both == expected).all()


def test_build_ranks_by_dice_and_drops_rare_pairs():
    vocab = 10
    source = np.zeros(vocab, dtype=np.int64)
    target = np.zeros(vocab, dtype=np.int64)
    both = np.zeros((vocab, vocab), dtype=np.int32)
    source[5] = 10
    target[[6, 7, 8, 9, PAD_ID, BOS_ID]] = [100, 10, 4, 20, 50, 50]
    both[5, 6] = 10  # dice 20/110 = 0.18
    both[5, 7] = 8   # dice 16/20 = 0.8
    both[5, 8] = 1   # below min_count 2
    both[5, 9] = 6   # dice 12/30 = 0.4
    both[5, PAD_ID] = both[5, BOS_ID] = 10  # never candidates
    frequent, table = shortlist.build(source, target, both, frequent=3, per_source=4, min_count=2)
    assert table[5].tolist() == [7, 9, 6, -1]
    assert (table[np.arange(vocab) != 5] == -1).all()
    # eos and unk always, then the most frequent target piece (6), never pad or bos
    assert frequent.tolist() == sorted([EOS_ID, UNK_ID, 6])


def test_candidates_are_frequent_source_and_listed_pieces():
    table = np.full((10, 2), -1, dtype=np.int32)
    table[5] = [7, 8]
    table[6] = [9, -1]
    frequent = np.asarray([EOS_ID, UNK_ID], dtype=np.int32)
    ids = shortlist.candidates(frequent, table, [[5, EOS_ID], [6, BOS_ID, PAD_ID]])
    assert ids.tolist() == [UNK_ID, EOS_ID, 5, 6, 7, 8, 9]


@pytest.fixture(scope="module", params=["dense", "kmatrix"])
def bundle_with_shortlist(request, spm_model, tmp_path_factory):
    model = make_model(request.param, seed=3)
    out = tmp_path_factory.mktemp("models") / f"sl-{request.param}"
    export.export_bundle(model, spm_model, str(out), out.name, torch.float32, golden_sentences=["Datei öffnen"])
    vocab = model.cfg.vocab_size
    table = np.full((vocab, 4), -1, dtype=np.int32)
    table[10] = [11, 12, -1, -1]
    frequent = np.asarray([UNK_ID, EOS_ID, 20], dtype=np.int32)
    manifest = shortlist.add_to_bundle(str(out), frequent, table, {"train_pairs": 0})
    return request.param, str(out), manifest, frequent, table


def test_bundle_gains_checksummed_shortlist_and_graphs(bundle_with_shortlist):
    variant, out, manifest, frequent, table = bundle_with_shortlist
    assert export.verify_bundle(out) == []
    listed = {f["path"] for f in manifest["files"]}
    assert listed == set(os.listdir(out)) - {"manifest.json"}
    entry = manifest["shortlist"]
    assert (entry["tensors"], entry["frequent"], entry["per_source"]) == ("shortlist.safetensors", 3, 4)
    stored = safetensors_io.load_file(os.path.join(out, entry["tensors"]))
    assert stored["shortlist.frequent"].dtype == torch.int32
    assert stored["shortlist.frequent"].tolist() == frequent.tolist()
    assert (stored["shortlist.by_source"].numpy() == table).all()
    graphs = manifest["onnx"]["graphs"]
    assert graphs[entry["output_graph"]]["inputs"] == ["x", "weight"]
    assert graphs[entry["output_graph"]]["weights"] == []
    if variant == "dense":
        hidden = graphs[entry["hidden_graph"]]
        assert hidden["outputs"][0] == "x"
        assert hidden["inputs"] == graphs["decoder_step"]["inputs"]
        assert set(hidden["weights"]) <= set(graphs["decoder_step"]["weights"])
        m = onnx.load(os.path.join(out, hidden["file"]), load_external_data=False)
        assert [o.name for o in m.graph.output][0] == "x"
    else:
        assert entry["hidden_graph"] == "decoder_output"
    with open(os.path.join(out, "manifest.json")) as f:
        assert json.load(f)["shortlist"] == entry


def test_shortlist_rows_must_match_the_vocabulary(bundle_with_shortlist):
    _, out, _, frequent, _ = bundle_with_shortlist
    with pytest.raises(ValueError, match="source rows"):
        shortlist.add_to_bundle(out, frequent, np.full((7, 4), -1, dtype=np.int32), {})
