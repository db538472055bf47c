"""Export of a tiny random model: manifest checksums, shard limit, external ONNX initializers named
like the safetensors tensors, golden data consistent with the model, and the loader round trip."""
import json
import os
import shutil

import onnx
import pytest
import torch

from training import export, safetensors_io
from training.configs import BOS_ID
from training.search import beam_search, greedy_search

from .conftest import make_model

GOLDEN = ["Datei öffnen", "Fehler beim Laden", "Drucker nicht gefunden neu", "das Bild"]


@pytest.fixture(scope="module", params=["dense", "kmatrix"])
def bundle(request, spm_model, tmp_path_factory):
    model = make_model(request.param, seed=11)
    out = tmp_path_factory.mktemp("models") / f"tiny-{request.param}"
    manifest = export.export_bundle(model, spm_model, str(out), out.name, torch.float32,
                                    provenance={"steps": 0, "seed": 11}, golden_sentences=GOLDEN)
    return model, str(out), manifest


def test_manifest_checksums_verify(bundle):
    _, out, manifest = bundle
    assert export.verify_bundle(out) == []
    listed = {f["path"] for f in manifest["files"]}
    assert listed == set(os.listdir(out)) - {"manifest.json"}
    with open(os.path.join(out, manifest["weights"]["shards"][0]), "ab") as f:
        f.write(b"\0")  # tamper: the verification must notice
    problems = export.verify_bundle(out)
    os.truncate(os.path.join(out, manifest["weights"]["shards"][0]),
                next(f["size"] for f in manifest["files"] if f["path"] == manifest["weights"]["shards"][0]))
    assert len(problems) == 1 and manifest["weights"]["shards"][0] in problems[0]
    assert export.verify_bundle(out) == []


def test_shards_within_limit_and_every_tensor_once(bundle):
    model, out, manifest = bundle
    seen = {}
    for shard in manifest["weights"]["shards"]:
        assert os.path.getsize(os.path.join(out, shard)) <= 15 * 1024 * 1024
        for name in safetensors_io.load_file(os.path.join(out, shard)):
            assert name not in seen
            seen[name] = shard
    assert set(seen) == set(model.state_dict())


def test_sharding_splits_large_sets(tmp_path):
    tensors = {f"t{i}": torch.zeros(1_500_000) for i in range(6)}  # 6 x 6 MB
    where, files = export.write_shards(tensors, str(tmp_path), {})
    assert len(files) == 3
    assert all(os.path.getsize(tmp_path / f) <= 15 * 1024 * 1024 for f in files)
    back = {}
    for f in files:
        back.update(safetensors_io.load_file(tmp_path / f))
    assert set(back) == set(tensors)


def test_shards_never_exceed_the_limit_whatever_the_header_holds(tmp_path):
    # A shard nearly full of one tensor, a large metadata block and long-named small tensors: the
    # header, not the data, decides whether the next tensor fits. Sizes sweep across the edge.
    limit = safetensors_io.MAX_SHARD_BYTES
    metadata = {"format": "pt", "note": "x" * 4000}
    for small in range(200, 4200, 400):
        out = tmp_path / f"s{small}"
        out.mkdir()
        tensors = {"big": torch.zeros((limit - 9000) // 4)}
        tensors.update({f"decoder.layers.{i}.some_long_parameter_name.bias": torch.zeros(small // 4) for i in range(3)})
        where, files = export.write_shards(tensors, str(out), metadata)
        sizes = [os.path.getsize(out / f) for f in files]
        assert all(size <= limit for size in sizes), (small, sizes)
        assert sizes[0] == safetensors_io.shard_bytes({k: tensors[k] for k in safetensors_io.load_file(out / files[0])}, metadata)
        back = {}
        for f in files:
            back.update(safetensors_io.load_file(out / f))
        assert set(back) == set(tensors)


def test_onnx_graphs_have_only_external_named_weights(bundle):
    model, out, manifest = bundle
    names = set(model.state_dict())
    graphs = manifest["onnx"]["graphs"]
    expected = {"encoder", "encoder_int8", "decoder_absorb"} | (
        {"decoder_step", "decoder_step_absorbed", "decoder_step_hidden", "decoder_step_hidden_absorbed", "decoder_step_int8",
         "decoder_step_absorbed_int8", "decoder_step_hidden_int8", "decoder_step_hidden_absorbed_int8"}
        if manifest["variant"] == "dense" else
        {"decoder_embed", "decoder_output", "decoder_output_int8"} | {f"decoder_layer{l}_{p}" for l in range(2)
                                               for p in ("conv", "attend", "attend_absorbed", "ffn_out", "attend_int8")})
    assert set(graphs) == expected
    for key, g in graphs.items():
        m = onnx.load(os.path.join(out, g["file"]), load_external_data=False)
        assert m.opset_import[0].version == 17
        assert [i.name for i in m.graph.input] == g["inputs"]
        assert [o.name for o in m.graph.output] == g["outputs"]
        derived = {w + s for w in g.get("quantized", []) for s in export.INT8_SUFFIXES}
        for init in m.graph.initializer:
            if init.name in derived:
                continue  # the int8 form of a weight, derived by the engine at load (bundle format §12)
            if init.data_location == onnx.TensorProto.EXTERNAL:
                assert init.name in names
                info = {e.key: e.value for e in init.external_data}
                raw = open(os.path.join(out, info["location"]), "rb").read()
                data = raw[int(info["offset"]):int(info["offset"]) + int(info["length"])]
                assert data == model.state_dict()[init.name].float().numpy().tobytes()
            else:
                assert len(init.raw_data) <= 64 * 8, f"{key}: {init.name} is a weight inside the graph"
        assert sorted(i.name for i in m.graph.initializer
                      if i.data_location == onnx.TensorProto.EXTERNAL and i.name not in derived) == g["weights"]
        assert derived <= {i.name for i in m.graph.initializer}
    twiddles = [n for g in graphs.values() for n in g["weights"] if n.endswith("twiddle")]
    assert twiddles == []  # K-matrix layers are run by the Java kernel, never inside a graph
    assert len(manifest["kmatrix_layers"]) == (8 if manifest["variant"] == "kmatrix" else 0)


@pytest.fixture(scope="module")
def kmatrix_encoder_bundle(spm_model, tmp_path_factory):
    model = make_model("kmatrix-encoder", seed=12)
    out = tmp_path_factory.mktemp("models") / "tiny-kmatrix-encoder"
    manifest = export.export_bundle(model, spm_model, str(out), out.name, torch.float32,
                                    provenance={"steps": 0, "seed": 12}, golden_sentences=GOLDEN)
    return model, str(out), manifest


def test_kmatrix_encoder_bundle_exports_the_encoder_in_pieces(kmatrix_encoder_bundle):
    """Bundle format §13: no one-graph encoder; per layer the three pieces between the K-matrix
    linears, which the manifest lists with the decoder's; then encoder_kv. No piece holds a linear's
    weight or a twiddle."""
    model, out, manifest = kmatrix_encoder_bundle
    assert export.verify_bundle(out) == []
    graphs = manifest["onnx"]["graphs"]
    assert "encoder" not in graphs and "encoder_int8" not in graphs
    L = model.cfg.encoder_layers
    pieces = ["encoder_embed", "encoder_kv"] + [f"encoder_layer{l}_{p}" for l in range(L)
                                                 for p in ("conv", "conv_out", "ffn_out")]
    assert set(pieces) <= set(graphs)
    assert graphs["encoder_embed"]["outputs"] == ["x", "enc_bias"]
    assert graphs["encoder_layer0_conv"]["inputs"] == ["h", "enc_bias"]
    assert graphs["encoder_kv"]["outputs"] == [f"{kv}_{l}" for l in range(model.cfg.decoder_layers)
                                               for kv in ("enc_keys", "enc_values")]
    linears = [f"{part}.layers.{l}.{n}" for part in ("encoder", "decoder") for l in range(2)
               for n in ("linear1", "linear2", "fc1", "fc2")]
    assert sorted(k["name"] for k in manifest["kmatrix_layers"]) == sorted(linears)
    for name in pieces:
        assert not [w for w in graphs[name]["weights"] if w.endswith("twiddle") or ".linear" in w or ".fc" in w], name


def test_step_graphs_read_conv_rings_and_copy_no_window(bundle):
    """Bundle format §6: every step graph takes each layer's conv ring and order and never builds,
    transposes or shifts a window of conv inputs (no Concat, Transpose or Slice left from it); the
    dense steps hand back each layer's conv input instead of a new state."""
    _, out, manifest = bundle
    graphs = manifest["onnx"]["graphs"]
    L = 2
    if manifest["variant"] == "kmatrix":
        steps = {f"decoder_layer{l}_conv": (["h", "conv_ring", "conv_order"], ["c"]) for l in range(L)}
    else:
        rings = [f"conv_ring_{l}" for l in range(L)] + [f"conv_order_{l}" for l in range(L)]
        steps = {name: (rings, [f"conv_input_{l}" for l in range(L)]) for name in graphs if name.startswith("decoder_step")}
    assert len(steps) >= 2
    for name, (ins, outs) in steps.items():
        g = graphs[name]
        assert g["inputs"][-len(ins):] == ins, name
        assert g["outputs"][-len(outs):] == outs, name
        if manifest["variant"] == "kmatrix":
            m = onnx.load(os.path.join(out, g["file"]), load_external_data=False)
            ops = [n.op_type for n in m.graph.node]
            assert not {"Concat", "Shape"} & set(ops), (name, ops)  # no window, no shape arithmetic
            # the only Transpose is of the constant weight (folded by ONNX Runtime at load), the only
            # Slice takes the current input's weight; the ring is read by one product
            assert [n.input[0] for n in m.graph.node if n.op_type == "Transpose"] == [
                f"decoder.layers.{name[len('decoder_layer')]}.conv.weight_linear.weight"], (name, ops)
            assert ops.count("Slice") == 1
            assert [n.op_type for n in m.graph.node if "conv_ring" in n.input] == ["MatMul"]


def test_step_graphs_take_the_encoder_tensors_per_sentence(bundle):
    """Bundle format §6: the manifest says so (the engine refuses bundles without it), and the
    standard attention's step graphs name the sentence axis of keys, values and bias."""
    _, out, manifest = bundle
    assert manifest["onnx"]["step_attention"] == "per_sentence"
    graphs = manifest["onnx"]["graphs"]
    names = [n for n in ("decoder_step", "decoder_layer0_attend") if n in graphs]
    assert len(names) == 1
    for name in names:
        m = onnx.load(os.path.join(out, graphs[name]["file"]), load_external_data=False)
        dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in m.graph.input}
        keys = "enc_keys_0" if name == "decoder_step" else "enc_keys"
        assert dims[keys][0] == "sentences" and dims["enc_bias"][0] == "sentences", (name, dims)
        rows = dims["tokens"][0] if name == "decoder_step" else dims["x"][:2]
        assert rows in ("batch", ["sentences", "beam"]), (name, rows)


def test_step_graphs_compute_no_shapes(bundle):
    """Step graphs run every decoder step, where each node costs cache misses (docs/engine.md, "Step
    graphs without shape arithmetic"): the K-matrix pieces read no tensor's shape at all except the
    standard attention's sentence count, the dense steps only the sentence count (of enc_bias or the
    absorbed tensors), once."""
    _, out, manifest = bundle
    graphs = manifest["onnx"]["graphs"]
    step_graphs = [n for n in graphs if n.startswith(("decoder_step", "decoder_layer", "decoder_embed"))]
    assert len(step_graphs) >= 8 if manifest["variant"] == "kmatrix" else len(step_graphs) == 8
    for name in step_graphs:
        m = onnx.load(os.path.join(out, graphs[name]["file"]), load_external_data=False)
        shapes = [n.input[0] for n in m.graph.node if n.op_type == "Shape"]
        if "absorbed" in name:
            expected = ["keys_q_0"] if manifest["variant"] == "dense" else []
        else:
            expected = ["enc_bias"] if name.startswith("decoder_step") or "_attend" in name else []
        assert shapes == expected, (name, shapes)


def test_int8_encoder_quantizes_every_encoder_linear_and_the_key_value_projections(bundle):
    """encoder_int8 is encoder with each product x·Wᵀ by linear1/linear2/fc1/fc2 (encoder layers) and
    k_proj/v_proj (decoder layers) replaced by DynamicQuantizeMatMul over W's derived int8 form; the
    rest of the graph, its inputs and outputs are those of encoder."""
    model, out, manifest = bundle
    graphs = manifest["onnx"]["graphs"]
    cfg = model.cfg
    entry = graphs["encoder_int8"]
    assert (entry["inputs"], entry["outputs"]) == (graphs["encoder"]["inputs"], graphs["encoder"]["outputs"])
    expected = sorted([f"encoder.layers.{l}.{p}.weight" for l in range(cfg.encoder_layers)
                       for p in ("linear1", "linear2", "fc1", "fc2")] +
                      [f"decoder.layers.{l}.encoder_attn.{p}.weight" for l in range(cfg.decoder_layers)
                       for p in ("k_proj", "v_proj")])
    assert entry["quantized"] == expected
    assert not set(expected) & set(entry["weights"])
    float_graph = onnx.load(os.path.join(out, graphs["encoder"]["file"]), load_external_data=False).graph
    int8_graph = onnx.load(os.path.join(out, entry["file"]), load_external_data=False).graph
    quantized = [n for n in int8_graph.node if n.op_type == "DynamicQuantizeMatMul"]
    assert all(n.domain == "com.microsoft" for n in quantized)
    assert sorted(n.input[1][:-len(".int8")] for n in quantized) == expected
    for n in quantized:
        w = n.input[1][:-len(".int8")]
        assert list(n.input[1:]) == [w + ".int8", w + ".scale", w + ".zero"]
    float_ops = [n.op_type for n in float_graph.node]
    int8_ops = [n.op_type for n in int8_graph.node]
    assert int8_ops.count("MatMul") == float_ops.count("MatMul") - len(expected)
    assert int8_ops.count("Transpose") == float_ops.count("Transpose") - len(expected)
    shapes = {i.name: list(i.dims) for i in int8_graph.initializer}
    d, f = cfg.d_model, cfg.ffn_dim
    assert shapes["encoder.layers.0.fc1.weight.int8"] == [d, f]     # Wᵀ: (d_in, d_out)
    assert shapes["encoder.layers.0.fc1.weight.scale"] == [f]


def test_int8_decoder_graphs_quantize_every_decoder_product_onnx_runtime_runs(bundle):
    """Dense: the step graphs' int8 variants run linear1, linear2, fc1, fc2 (Gemm with the bias), on
    the standard attention path q_proj and out_proj, and in the graphs that end in log-probs the
    output projection in DynamicQuantizeMatMul. K-matrix: each layer's standard attend piece (its
    q/out projections) and the output graph have one; its kernel runs the rest."""
    model, out, manifest = bundle
    graphs = manifest["onnx"]["graphs"]
    cfg = model.cfg
    L = range(cfg.decoder_layers)
    attention = [f"decoder.layers.{l}.encoder_attn.{p}.weight" for l in L for p in ("q_proj", "out_proj")]
    if manifest["variant"] == "dense":
        linears = [f"decoder.layers.{l}.{p}.weight" for l in L for p in ("linear1", "linear2", "fc1", "fc2")]
        expected = {"decoder_step": sorted(linears + attention + ["embed_tokens.weight"]),
                    "decoder_step_absorbed": sorted(linears + ["embed_tokens.weight"]),
                    "decoder_step_hidden": sorted(linears + attention),
                    "decoder_step_hidden_absorbed": sorted(linears)}
    else:
        expected = {f"decoder_layer{l}_attend": sorted(attention[2 * l:2 * l + 2]) for l in L}
        expected["decoder_output"] = ["embed_tokens.weight"]
    variants = sorted(n for n in graphs if n.startswith("decoder") and n.endswith("_int8"))
    assert variants == sorted(n + "_int8" for n in expected)
    for name, weights in expected.items():
        entry = graphs[name + "_int8"]
        assert (entry["inputs"], entry["outputs"]) == (graphs[name]["inputs"], graphs[name]["outputs"])
        assert entry["quantized"] == weights
        g = onnx.load(os.path.join(out, entry["file"]), load_external_data=False).graph
        quantized = [n for n in g.node if n.op_type == "DynamicQuantizeMatMul"]
        assert sorted(n.input[1][:-len(".int8")] for n in quantized) == weights
        # a Gemm's bias moves into the operator; a MatMul's Add stays where it was
        # (the export may share one of two identical bias tensors, so only the kind is checked)
        assert all(len(n.input) == 4 or (len(n.input) == 5 and n.input[4].endswith(".bias")) for n in quantized)
        assert not [n for n in g.node if n.op_type in ("Gemm", "MatMul") and n.input[1] in weights]
        if name == "decoder_step":
            assert "embed_tokens.weight" in entry["weights"]   # the input embedding's lookup, float32


def test_absorb_graph_multiplies_by_constant_per_head_weight_slices(bundle):
    """decoder_absorb's products with q_proj/out_proj weights take operands computed from weights and
    constants alone (so ONNX Runtime folds and packs them once at load), one 2-D slice per head."""
    model, out, manifest = bundle
    m = onnx.load(os.path.join(out, manifest["onnx"]["graphs"]["decoder_absorb"]["file"]), load_external_data=False)
    weights = {i.name for i in m.graph.initializer if i.data_location == onnx.TensorProto.EXTERNAL}
    constant = {i.name for i in m.graph.initializer}
    sources = {name: {name} for name in weights}   # tensor -> the weights it is computed from
    for node in m.graph.node:                        # nodes are in topological order
        if all(i in constant or i == "" for i in node.input):
            constant.update(node.output)
        derived = set().union(*(sources.get(i, set()) for i in node.input))
        for o in node.output:
            sources[o] = derived
    per_head = 0
    for node in m.graph.node:
        if node.op_type != "MatMul":
            continue
        for operand in node.input:
            if any(w.endswith(("q_proj.weight", "out_proj.weight")) for w in sources.get(operand, ())):
                assert operand in constant, f"{node.name}: its weight operand depends on a graph input"
                per_head += 1
    cfg = model.cfg
    assert per_head == 2 * cfg.heads * cfg.decoder_layers


def test_golden_data_matches_model(bundle):
    model, out, manifest = bundle
    golden = json.load(open(os.path.join(out, "golden.json"), encoding="utf-8"))
    tensors = safetensors_io.load_file(os.path.join(out, "golden.safetensors"))
    assert len(golden["sentences"]) == len(GOLDEN)
    for e in golden["sentences"]:
        i = e["index"]
        src = tensors[f"sentence{i}.src_ids"].unsqueeze(0)
        assert src[0].tolist() == e["src_ids"]
        with torch.no_grad():
            enc, bias = model.encode(src)
            lp, _ = model.decode_step(torch.tensor([BOS_ID]), model.init_state(enc, bias))
        assert torch.allclose(tensors[f"sentence{i}.encoder_out"], enc[0], atol=1e-6)
        assert torch.allclose(tensors[f"sentence{i}.step0.log_probs"], lp[0], atol=1e-6)
        assert greedy_search(model, src)[0] == e["greedy_ids"]
        assert beam_search(model, src, 4)[0][0] == e["beam4_ids"]
    batch = tensors["batch.encoder_out"]
    assert batch.shape[0] == len(GOLDEN)
    # padding leaks nothing: each sentence's rows of the padded batch are its own encoder output
    for e in golden["sentences"]:
        i, n = e["index"], len(e["src_ids"])
        assert torch.allclose(batch[i, :n], tensors[f"sentence{i}.encoder_out"], atol=1e-5), i
    if manifest["variant"] == "kmatrix":
        # K-matrix layer inputs/outputs of the first step: output = per-level K-matrix(input)
        from training.kmatrix import kmatrix_forward_levels
        layer = model.decoder.layers[1].fc2
        x = tensors["sentence0.step0.decoder.layers.1.fc2.input"]
        y = kmatrix_forward_levels(x, layer.twiddle.detach(), layer.bias.detach(), layer.out_features)
        assert torch.allclose(y, tensors["sentence0.step0.decoder.layers.1.fc2.output"], atol=1e-5)


def test_bundle_loads_back(bundle):
    model, out, _ = bundle
    loaded, manifest = export.load_bundle_model(out)
    src = torch.randint(4, 300, (2, 5))
    prev = torch.randint(4, 300, (2, 4))
    with torch.no_grad():
        assert torch.equal(loaded(src, prev), model(src, prev))
    assert manifest["format_version"] == 1
    assert manifest["special_tokens"] == {"pad": 0, "unk": 1, "bos": 2, "eos": 3}


def test_regraph_restores_the_graphs_of_an_older_bundle(bundle, tmp_path):
    """A bundle that predates the absorbed attention (its graphs removed from files and manifest)
    gets them back from its own weights; the graphs it had come out byte for byte the same."""
    from training import regraph
    _, out, manifest = bundle
    old = tmp_path / "old"
    shutil.copytree(out, old)
    absorbed = [n for n in manifest["onnx"]["graphs"] if n == "decoder_absorb" or n.endswith("_absorbed")]
    assert len(absorbed) == 3   # decoder_absorb + two dense steps, or + two attend pieces (two layers)
    stripped = json.load(open(old / "manifest.json"))
    for name in absorbed:
        os.remove(old / stripped["onnx"]["graphs"].pop(name)["file"])
    stripped["files"] = export.file_entries(str(old))
    json.dump(stripped, open(old / "manifest.json", "w"))
    before = {f: open(old / f, "rb").read() for f in os.listdir(old) if f.endswith(".onnx")}

    again = regraph.regraph(str(old))
    assert export.verify_bundle(str(old)) == []
    assert list(again["onnx"]["graphs"]) == list(stripped["onnx"]["graphs"]) + absorbed
    assert again["onnx"]["graphs"] == manifest["onnx"]["graphs"]
    for f, data in before.items():
        assert open(old / f, "rb").read() == data, f


def _checkpoint(tmp_path, spm_model):
    model = make_model("dense")
    path = tmp_path / "ck.pt"
    torch.save({"model_config": model.cfg.to_dict(), "model": model.state_dict(), "spm": spm_model, "step": 1}, path)
    return path


def _run_export(monkeypatch, checkpoint, models_dir):
    monkeypatch.setattr("sys.argv", ["export", "--checkpoint", str(checkpoint), "--name", "m", "--models-dir", str(models_dir),
                                     "--corpus", str(models_dir / "no-corpus"), "--dtype", "float32"])
    export.main()


def test_export_replaces_a_bundle_only_once_the_new_one_is_complete(tmp_path, spm_model, monkeypatch):
    checkpoint = _checkpoint(tmp_path, spm_model)
    models = tmp_path / "models"
    (models / "m").mkdir(parents=True)
    (models / "m" / "manifest.json").write_text("the bundle that was there")
    # an export that fails half-way (here: while writing the golden data) leaves it as it was
    monkeypatch.setattr(export, "make_golden", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("interrupted")))
    with pytest.raises(RuntimeError):
        _run_export(monkeypatch, checkpoint, models)
    assert (models / "m" / "manifest.json").read_text() == "the bundle that was there"
    monkeypatch.undo()
    # a complete one takes its place, and nothing of the attempt is left beside it
    _run_export(monkeypatch, checkpoint, models)
    assert json.loads((models / "m" / "manifest.json").read_text())["name"] == "m"
    assert export.verify_bundle(str(models / "m")) == []
    assert sorted(p.name for p in models.iterdir()) == ["m"]   # no staging folder or old copy left


@pytest.mark.parametrize("variant", ["dense", "kmatrix"])
def test_float16_export_ships_the_rounded_weights_in_f16_shards(variant, spm_model, tmp_path):
    model = make_model(variant, seed=5)
    reference = {k: v.clone() for k, v in model.state_dict().items()}
    out = tmp_path / f"f16-{variant}"
    manifest = export.export_bundle(model, spm_model, str(out), out.name, torch.float16, golden_sentences=GOLDEN[:2])
    assert manifest["weights"]["dtype"] == "float16"
    assert export.verify_bundle(str(out)) == []
    for shard in manifest["weights"]["shards"]:
        header, _ = safetensors_io.read_header(out / shard)
        assert {info["dtype"] for name, info in header.items() if name != "__metadata__"} == {"F16"}
    loaded, _ = export.load_bundle_model(str(out))
    for name, value in loaded.state_dict().items():
        # exactly the float16 value of each weight, widened back: what Java's loader multiplies
        assert torch.equal(value, reference[name].to(torch.float16).float()), name
