"""The PyTorch eager decode benchmark: a tiny random model exported to a temporary bundle is loaded
back, benchmarked on three sentences (JSON fields) and checked against its golden data."""
import json

import pytest
import torch

from training import bench_decode, export
from training.search import beam_search, greedy_search

from .conftest import make_model

GOLDEN = ["Datei öffnen", "Fehler beim Laden", "Drucker nicht gefunden neu"]
SENTENCES = [("Datei öffnen", "open file"), ("Fehler beim Laden der Einstellungen", "error loading the settings"),
             ("das Bild", "the image"), ("Ordner nicht gefunden", "folder not found")]


@pytest.fixture(scope="module", params=["dense", "kmatrix"])
def bundle(request, spm_model, tmp_path_factory):
    model = make_model(request.param, seed=5)
    out = tmp_path_factory.mktemp("bench") / f"tiny-{request.param}"
    export.export_bundle(model, spm_model, str(out), out.name, torch.float32,
                         provenance={"steps": 0, "seed": 5}, golden_sentences=GOLDEN)
    data = out.parent / "test.tsv"
    data.write_text("".join(f"{de}\t{en}\tsyn\n" for de, en in SENTENCES), encoding="utf-8")
    return model, str(out), str(data)


@pytest.mark.parametrize("beam,batch", [(1, 1), (4, 2)])
def test_benchmark_json(bundle, capsys, beam, batch):
    _, out, data = bundle
    result = bench_decode.main([out, "--data", data, "--limit", "3", "--beam", str(beam), "--batch", str(batch),
                                "--warmup", "1", "--json"])
    captured = capsys.readouterr()
    lines = [l for l in captured.out.splitlines() if l.strip()]
    assert len(lines) == 1  # stdout holds only the JSON object; the human-readable line is on stderr
    js = json.loads(lines[0])
    assert js == json.loads(json.dumps(result))
    assert js["model"] == out.rsplit("/", 1)[-1]
    assert js["variant"] in ("dense", "kmatrix")
    assert (js["kmatrix_form"] == "levels") == (js["variant"] == "kmatrix")
    assert (js["beam"], js["batch"], js["sentences"], js["threads"]) == (beam, batch, 3, 1)
    assert js["seconds"] > 0
    assert js["sentences_per_s"] == pytest.approx(3 / js["seconds"], rel=1e-2)
    assert js["target_tokens"] >= 3  # at least one eos per sentence
    assert js["target_tokens_per_s"] == pytest.approx(js["target_tokens"] / js["seconds"], rel=1e-2)
    assert js["blas"] and js["blas_kind"] != "reference"
    assert js["torch"] == torch.__version__
    assert "sentences/s" in captured.err


def test_a_length_rule_caps_the_outputs(bundle):
    """--max-len-a/-b replace the bundle's limit: a = 0, b = 2 leaves one token and eos per sentence."""
    _, out, data = bundle
    default = bench_decode.main([out, "--data", data, "--limit", "3", "--beam", "1", "--warmup", "0"])
    capped = bench_decode.main([out, "--data", data, "--limit", "3", "--beam", "1", "--warmup", "0",
                                "--max-len-a", "0", "--max-len-b", "2"])
    assert default["max_len"] == [1.5, 10] and capped["max_len"] == [0.0, 2]
    assert default["target_tokens"] > 6  # the untrained model runs past the cap without it
    assert capped["target_tokens"] <= 6
    with pytest.raises(SystemExit):
        bench_decode.main([out, "--data", data, "--limit", "3", "--max-len-b", "0"])


def test_outputs_equal_the_original_model(bundle):
    """Loader round trip: the reloaded model decodes exactly like the model that was exported."""
    model, out, data = bundle
    for form in ("levels", "materialized"):
        loaded, manifest = bench_decode.load_model(out, form)
        src = torch.randint(4, 300, (2, 6))
        src[:, -1] = 3
        with torch.no_grad():
            enc, bias = model.encode(src)
            lp, _ = model.decode_step(torch.full((2,), 2), model.init_state(enc, bias))
            enc2, bias2 = loaded.encode(src)
            lp2, _ = loaded.decode_step(torch.full((2,), 2), loaded.init_state(enc2, bias2))
        assert torch.allclose(lp, lp2, atol=1e-5)
        assert greedy_search(loaded, src) == greedy_search(model, src)
        assert beam_search(loaded, src, 4)[0] == beam_search(model, src, 4)[0]


def test_check_golden_passes(bundle, capsys):
    _, out, _ = bundle
    result = bench_decode.main([out, "--check-golden", "--json"])
    assert result["golden"] == "ok", result["problems"]
    assert json.loads(capsys.readouterr().out)["golden"] == "ok"


def test_check_golden_notices_other_weights(bundle, tmp_path):
    """A model with different weights must fail the golden check (the check is not vacuous)."""
    _, out, _ = bundle
    loaded, manifest = bench_decode.load_model(out)
    other = make_model(manifest["variant"], seed=99)
    sp = bench_decode.tokenizer.load(f"{out}/sentencepiece.model")
    assert bench_decode.check_golden(other, manifest, out, sp, lambda m: None)
    assert bench_decode.check_golden(loaded, manifest, out, sp, lambda m: None) == []


def test_batches_sorted_by_length_for_batch_above_one():
    ids = [[5, 6, 3], [5, 3], [5, 6, 7, 8, 3], [4, 3]]
    assert [idx for idx, _ in bench_decode.make_batches(ids, 1)] == [[0], [1], [2], [3]]
    batches = bench_decode.make_batches(ids, 3)
    assert [idx for idx, _ in batches] == [[1, 3, 0], [2]]  # stable sort by source length
    assert batches[0][1].tolist() == [[5, 3, 0], [4, 3, 0], [5, 6, 3]]


def test_reference_blas_refused(bundle, monkeypatch):
    _, out, data = bundle
    fake = {"kind": "reference", "sgemm_from": "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3", "build": "BLAS_INFO=generic",
            "openblas_config": None, "openblas_threads": None, "mapped": [], "sgemm256_gflops": 2.0}
    monkeypatch.setattr(bench_decode, "blas_info", lambda: fake)
    with pytest.raises(bench_decode.BlasError, match="reference BLAS"):
        bench_decode.main([out, "--data", data, "--limit", "1", "--beam", "1"])
    result = bench_decode.main([out, "--data", data, "--limit", "1", "--beam", "1", "--warmup", "0",
                                "--allow-reference-blas"])
    assert result["blas_kind"] == "reference"
    assert bench_decode.classify_blas("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3") == "reference"
    assert bench_decode.classify_blas("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3") == "OpenBLAS"
