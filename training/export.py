"""Checkpoint -> model bundle directory `models/<name>/` (format: docs/bundle-format.md).

    /usr/bin/python3 -m training.export --checkpoint RUN/checkpoint_avg.pt --name tiny-dense \
        --dtype float32 --corpus data/corpus --eval-split test --eval-limit 2000

Writes manifest.json, weights-*.safetensors (one copy of each tensor, shards <= 15 MiB),
sentencepiece.model, the ONNX graphs (opset 17; every weight is an external-data initializer named
like its safetensors tensor, so the loader supplies the weights from the one store), and the golden
data (golden.safetensors + golden.json).
"""
import argparse
import datetime
import inspect
import json
import os
import re
import shutil
import sys

import onnx
import torch
from torch import nn

from . import safetensors_io, shortlist, tokenizer
from .safetensors_io import write_shards
from .configs import PAD_ID, UNK_ID, BOS_ID, EOS_ID
from .data import pad_batch
from .kmatrix import KMatrixLayer
from .model import has_kmatrix, ring_order
from .search import beam_search, greedy_search, max_output_lengths
from .train import sha256_files

FORMAT_VERSION = 1
OPSET = 17
# How the step graphs take the encoder's keys, values and bias (docs/bundle-format.md §6): once per
# sentence, the beam's rows grouped. Bundles without it in the manifest ("onnx") took them per row.
STEP_ATTENTION = "per_sentence"
KMATRIX_LINEARS = ("linear1", "linear2", "fc1", "fc2")
GOLDEN_SENTENCES = [  # fallback when no test split is given (export of an untrained model in tests)
    "Datei öffnen",
    "Die Datei konnte nicht gespeichert werden.",
    "Fehler beim Laden des Bildes: %s",
    "Wählen Sie einen Ordner aus, in dem die Dateien gespeichert werden sollen.",
    "Hallo",
    "Klicken Sie auf die Schaltfläche „Weiter“, um die Installation fortzusetzen, oder auf „Abbrechen“.",
]


# ----------------------------------------------------------------------------- weights
def canonical_tensors(model, dtype):
    """state_dict names are the canonical names; every tensor stored once, in `dtype`."""
    return {name: t.detach().to(dtype).contiguous() for name, t in model.state_dict().items()}


# ----------------------------------------------------------------------------- ONNX pieces
class EncoderGraph(nn.Module):
    """src_tokens (B, S) -> encoder_out, enc_bias, and every decoder layer's attention keys/values."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, src_tokens):
        enc, enc_bias = self.model.encode(src_tokens)
        outs = [enc, enc_bias]
        for k, v in self.model.encoder_keys_values(enc):
            outs += [k, v]
        return tuple(outs)


class EncoderEmbedGraph(nn.Module):
    """src_tokens (B, S) -> the first encoder layer's input x and enc_bias (a bundle whose encoder
    has K-matrices runs its encoder in pieces, like the K-matrix decoder step)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, src_tokens):
        return self.model.embed_source(src_tokens)


class EncoderConvGraph(nn.Module):
    """h (linear1's output), enc_bias -> the layer's dynamic convolution c; padded positions (bias
    < 0) read as zeros."""

    def __init__(self, model, layer):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, h, enc_bias):
        return self.model.encoder.layers[self.layer].conv_block(h, enc_bias.lt(0))


class EncoderConvOutGraph(nn.Module):
    def __init__(self, model, layer):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, x, u):
        return self.model.encoder.layers[self.layer].conv_out(x, u)


class EncoderFfnOutGraph(nn.Module):
    def __init__(self, model, layer):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, y, g):
        return self.model.encoder.layers[self.layer].ffn_out(y, g)


class EncoderKeysValuesGraph(nn.Module):
    """encoder_out (B, S, C) -> every decoder layer's attention keys and values."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, encoder_out):
        return tuple(t for kv in self.model.encoder_keys_values(encoder_out) for t in kv)


class DecoderStepGraph(nn.Module):
    """Dense variant: the whole decoder step. With `hidden_only` (for shortlisted decoding) its first
    output is the last layer's output instead of the log-probs; then each layer's conv input, which
    the engine writes into that layer's conv ring (DynamicConv.step_ring). Inputs after tokens and
    step: enc_bias and keys/values per layer, or with `absorbed` the absorbed attention tensors per
    layer (bias_q, keys_q, values_o); then the conv rings, then their orders."""

    def __init__(self, model, hidden_only=False, absorbed=False):
        super().__init__()
        self.model = model
        self.hidden_only = hidden_only
        self.absorbed = absorbed

    def forward(self, tokens, step, *state):
        L = len(self.model.decoder.layers)
        x = self.model.embed_step(tokens, step)
        rings, orders = state[-2 * L:-L], state[-L:]
        if self.absorbed:
            attention = state[:3 * L]
            absorbed = [attention[3 * l:3 * l + 3] for l in range(L)]
            x, inputs = self.model.step_hidden_ring(x, rings, orders, absorbed=absorbed)
        else:
            enc_bias, kv = state[0], state[1:2 * L + 1]
            x, inputs = self.model.step_hidden_ring(x, rings, orders, kv[0::2], kv[1::2], enc_bias)
        first = x if self.hidden_only else self.model.output_log_probs(x)
        return (first, *inputs)


class AbsorbGraph(nn.Module):
    """enc_bias and every decoder layer's keys/values -> every layer's absorbed attention tensors
    (EncoderDecoderAttention.absorb), run once per search when the engine chooses that path."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, enc_bias, *kv):
        absorbed = self.model.absorb_attention(kv[0::2], kv[1::2], enc_bias)
        return tuple(t for layer in absorbed for t in layer)


class AttendAbsorbedGraph(nn.Module):
    def __init__(self, model, layer):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, x, u, bias_q, keys_q, values_o):
        return self.model.decoder.layers[self.layer].attend_absorbed(x, u, bias_q, keys_q, values_o)


class EmbedGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, tokens, step):
        return self.model.embed_step(tokens, step)


class ConvGraph(nn.Module):
    def __init__(self, model, layer):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, h, conv_ring, conv_order):
        return self.model.decoder.layers[self.layer].conv.step_ring(h, conv_ring, conv_order)


class AttendGraph(nn.Module):
    def __init__(self, model, layer):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, x, u, enc_bias, enc_keys, enc_values):
        """x, u: (B, k, C), the k rows of each of B sentences; keys, values and enc_bias per sentence."""
        return self.model.decoder.layers[self.layer].attend(x, u, enc_keys, enc_values, enc_bias)


class FfnOutGraph(nn.Module):
    def __init__(self, model, layer):
        super().__init__()
        self.model, self.layer = model, layer

    def forward(self, y, g):
        return self.model.decoder.layers[self.layer].ffn_out(y, g)


class OutputGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.output_log_probs(x)


# PyTorch 2.9 made its dynamo-based exporter the default; the graphs (and the engine's expectations of
# them: names, node forms) come from the tracing exporter, which older versions only have.
_TRACING_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def export_graph(module, args, input_names, output_names, dynamic_axes, path, weight_index):
    """Export with torch.onnx, then turn every weight initializer into an external-data tensor
    named like the canonical safetensors tensor, pointing at its bytes in the shard."""
    # torch.onnx.export restores the wrapper's train/eval mode afterwards, recursively: the wrapper
    # must be in eval mode or the shared model comes back in training mode (dropout on).
    module.eval()
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=False, **_TRACING_EXPORTER)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    used = []
    for init in m.graph.initializer:
        name = init.name[len("model."):] if init.name.startswith("model.") else init.name
        if name not in weight_index:
            n = 1
            for d in init.dims:
                n *= d
            if n > 64:  # small constants may stay inside the graph; weights may not
                raise ValueError(f"{path}: initializer {init.name} ({list(init.dims)}) is no canonical tensor")
            continue
        fname, offset, nbytes = weight_index[name]
        init.name = name
        del init.external_data[:]
        for key, value in (("location", fname), ("offset", str(offset)), ("length", str(nbytes))):
            entry = init.external_data.add()
            entry.key, entry.value = key, value
        init.data_location = onnx.TensorProto.EXTERNAL
        init.ClearField("raw_data")
        init.ClearField("float_data")
        used.append(name)
    rename = {f"model.{n}": n for n in used}
    for node in m.graph.node:
        for i, inp in enumerate(node.input):
            if inp in rename:
                node.input[i] = rename[inp]
    m.producer_name = "kaleidoscope-training"
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    return sorted(used)


def export_onnx(model, out_dir, weight_index):
    """Returns the manifest's "onnx" section (graph files with their inputs, outputs, weights)."""
    cfg = model.cfg
    d, H = cfg.d_model, cfg.heads
    Dh = d // H
    L = cfg.decoder_layers
    B, S = 2, 5
    src = torch.randint(4, cfg.vocab_size, (B, S))
    graphs = {}

    def add(key, module, args, ins, outs, axes):
        fname = f"{key}.onnx"
        weights = export_graph(module, args, ins, outs, axes, os.path.join(out_dir, fname), weight_index)
        graphs[key] = {"file": fname, "inputs": ins, "outputs": outs, "weights": weights}

    kv_outs = [f"{kv}_{l}" for l in range(L) for kv in ("enc_keys", "enc_values")]
    axes = {"src_tokens": {0: "batch", 1: "src_len"}, "encoder_out": {0: "batch", 1: "src_len"},
            "enc_bias": {0: "batch", 1: "src_len"}}
    axes.update({n: {0: "batch", 2: "src_len"} for n in kv_outs})
    if has_kmatrix(cfg, "encoder"):
        add_encoder_pieces(model, src, add, kv_outs, axes)
    else:
        add("encoder", EncoderGraph(model), (src,), ["src_tokens"], ["encoder_out", "enc_bias"] + kv_outs, axes)

    tokens, step, enc_bias, kv, rings, orders = step_example_inputs(cfg, B, S)
    batch_only = _batch_only
    graphs.update(export_absorbed_graphs(model, out_dir, weight_index))
    if cfg.variant == "dense":
        graphs["decoder_step"] = export_dense_step(DecoderStepGraph(model), "decoder_step", "log_probs", cfg,
                                                   out_dir, weight_index)
        # The step without the projection: the shortlist's, and the Java float16 projection's at
        # any row count, so a bundle exported without a shortlist still has it.
        graphs["decoder_step_hidden"] = export_dense_hidden_step(model, out_dir, weight_index)
    else:
        x = torch.randn(B, d)
        add("decoder_embed", EmbedGraph(model), (tokens, step), ["tokens", "step"], ["x"],
            batch_only(["tokens", "x"]))
        for l in range(L):
            add(f"decoder_layer{l}_conv", ConvGraph(model, l), (x, rings[l], orders[l]),
                ["h", "conv_ring", "conv_order"], ["c"], batch_only(["h", "conv_ring", "c"]))
            # x, u, y: (sentences, rows per sentence, d), views of the rows; keys and values per sentence
            axes = {n: {0: "sentences", 1: "beam"} for n in ("x", "u", "y")}
            axes.update({"enc_bias": {0: "sentences", 1: "src_len"}, "enc_keys": {0: "sentences", 2: "src_len"},
                         "enc_values": {0: "sentences", 2: "src_len"}})
            add(f"decoder_layer{l}_attend", AttendGraph(model, l),
                (x.reshape(B, 1, d).repeat(1, 2, 1), x.reshape(B, 1, d).repeat(1, 2, 1), enc_bias, kv[2 * l], kv[2 * l + 1]),
                ["x", "u", "enc_bias", "enc_keys", "enc_values"], ["y"], axes)
            add(f"decoder_layer{l}_ffn_out", FfnOutGraph(model, l), (x, x), ["y", "g"], ["x_out"],
                batch_only(["y", "g", "x_out"]))
        add("decoder_output", OutputGraph(model), (x,), ["x"], ["log_probs"], batch_only(["x", "log_probs"]))
    return add_int8_variants(out_dir, graphs)


def add_encoder_pieces(model, src, add, kv_outs, kv_axes):
    """The encoder of a bundle whose encoder linears are K-matrices (docs/bundle-format.md §13): the
    pieces between those layers, which the engine runs around its kernel over the batch's B·S
    positions, each layer being h = linear1(x); c = encoder_layer{l}_conv(h, enc_bias);
    u = linear2(c); y = encoder_layer{l}_conv_out(x, u); g = fc2(relu(fc1(y)));
    x = encoder_layer{l}_ffn_out(y, g). The last x is encoder_out, from which encoder_kv computes the
    decoder layers' keys and values."""
    x, enc_bias = model.embed_source(src)
    seq = {0: "batch", 1: "src_len"}
    add("encoder_embed", EncoderEmbedGraph(model), (src,), ["src_tokens"], ["x", "enc_bias"],
        {"src_tokens": seq, "x": seq, "enc_bias": seq})
    for l in range(model.cfg.encoder_layers):
        add(f"encoder_layer{l}_conv", EncoderConvGraph(model, l), (x, enc_bias), ["h", "enc_bias"], ["c"],
            {"h": seq, "enc_bias": seq, "c": seq})
        add(f"encoder_layer{l}_conv_out", EncoderConvOutGraph(model, l), (x, x), ["x", "u"], ["y"],
            {"x": seq, "u": seq, "y": seq})
        add(f"encoder_layer{l}_ffn_out", EncoderFfnOutGraph(model, l), (x, x), ["y", "g"], ["x_out"],
            {"y": seq, "g": seq, "x_out": seq})
    add("encoder_kv", EncoderKeysValuesGraph(model), (x,), ["encoder_out"], kv_outs,
        {"encoder_out": seq, **{n: kv_axes[n] for n in kv_outs}})


def _batch_only(names):
    return {n: {0: "batch"} for n in names}


def step_example_inputs(cfg, B, S):
    """Example (tokens, step, enc_bias, keys/values, conv rings, ring orders) for tracing a decoder step."""
    H, L = cfg.heads, cfg.decoder_layers
    tokens = torch.randint(4, cfg.vocab_size, (B,))
    step = torch.tensor([3], dtype=torch.long)
    enc_bias = torch.zeros(B, S)
    kv = [torch.randn(B, H, S, cfg.d_model // H) for _ in range(2 * L)]
    rings = [torch.randn(B, H, k - 1, cfg.d_model // H) for k in cfg.decoder_kernels]
    orders = [ring_order(k, 3) for k in cfg.decoder_kernels]
    return tokens, step, enc_bias, kv, rings, orders


# Graphs with an int8 variant "<name>_int8" (docs/bundle-format.md §12) and the weights whose
# products that variant runs in int8: the encoder's linears and the decoder's key/value projections
# (the encoder graph computes those); in the decoder step, every product ONNX Runtime runs by a
# decoder weight: the dense model's linears (the layers the K-matrix model runs in its kernel) and
# both models' attention q/out projections (standard attention path). The dynamic convolution's
# weight projection stays float32 everywhere (small, and it feeds a softmax), and so do the output
# projection and the absorbed attention's per-sentence preparation.
_ENCODER_INT8 = re.compile(r"^(encoder\.layers\.\d+\.(linear1|linear2|fc1|fc2)"
                           r"|decoder\.layers\.\d+\.encoder_attn\.(k_proj|v_proj))\.weight$")
_DECODER_INT8 = re.compile(r"^(decoder\.layers\.\d+\.(linear1|linear2|fc1|fc2|encoder_attn\.q_proj"
                           r"|encoder_attn\.out_proj)|embed_tokens)\.weight$")
INT8_GRAPHS = {"encoder": _ENCODER_INT8, "decoder_step": _DECODER_INT8, "decoder_step_absorbed": _DECODER_INT8,
               "decoder_step_hidden": _DECODER_INT8, "decoder_step_hidden_absorbed": _DECODER_INT8,
               "decoder_output": _DECODER_INT8}
# K-matrix bundles: each layer's standard attention piece (its q/out projections)
_INT8_GRAPH_NAMES = re.compile(r"^decoder_layer\d+_attend$")
INT8_SUFFIX = "_int8"

# Suffixes of the tensors the engine derives from such a weight W (d_out, d_in) at load
# (docs/bundle-format.md §12): Wᵀ in int8 (d_in, d_out), a float32 scale per output (d_out), and
# int8 zero points (d_out, all 0: symmetric).
INT8_SUFFIXES = (".int8", ".scale", ".zero")


def add_int8_variants(out_dir, graphs):
    """Adds to `graphs` (manifest entries by name) the int8 variant of every graph in INT8_GRAPHS
    that is there without one; returns `graphs`."""
    for name in list(graphs):
        pattern = INT8_GRAPHS.get(name) or (_DECODER_INT8 if _INT8_GRAPH_NAMES.match(name) else None)
        if pattern is not None and name + INT8_SUFFIX not in graphs:
            graphs[name + INT8_SUFFIX] = export_int8_graph(out_dir, name, graphs[name], pattern)
    return graphs


def export_int8_graph(out_dir, name, float_entry, pattern):
    """<name>_int8.onnx (docs/bundle-format.md §12): graph `name` with every product x·Wᵀ by a weight
    W matching `pattern` (MatMul by Transpose(W), or Gemm(x, W, b) with transB) replaced by ONNX
    Runtime's DynamicQuantizeMatMul (com.microsoft) over W's int8 form, which the engine derives
    from the bundle's weights when it loads the graph. Returns its manifest entry, whose
    "quantized" lists the weights used in that form."""
    m = onnx.load(os.path.join(out_dir, float_entry["file"]), load_external_data=False)
    g = m.graph
    initializers = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    quantized, transposes = [], set()
    for node in g.node:
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "MatMul":
            t = producer.get(node.input[1])
            casts = []
            while t is not None and t.op_type == "Cast" and \
                    onnx.helper.get_attribute_value(t.attribute[0]) == onnx.TensorProto.FLOAT:
                casts.append(t)   # a no-op cast to float32 between the weight and the product
                t = producer.get(t.input[0])
            if t is None or t.op_type != "Transpose" or not pattern.search(t.input[0]):
                continue
            if [list(a.ints) for a in t.attribute if a.name == "perm"] not in ([], [[1, 0]]):
                raise ValueError(f"{name}: {node.name} multiplies by {t.input[0]} in an unexpected form")
            w, bias = t.input[0], []
            transposes.update(id(n) for n in [t] + casts)
        elif node.op_type == "Gemm" and pattern.search(node.input[1]):
            if attributes != {"alpha": 1.0, "beta": 1.0, "transB": 1}:
                raise ValueError(f"{name}: {node.name} is a Gemm with {attributes}")
            w, bias = node.input[1], list(node.input[2:3])
        else:
            continue
        if w not in initializers:
            raise ValueError(f"{name}: {node.name} multiplies by {w}, which is no weight")
        x = node.input[0]
        node.op_type, node.domain = "DynamicQuantizeMatMul", "com.microsoft"
        del node.input[:]
        node.input.extend([x] + [w + s for s in INT8_SUFFIXES] + bias)
        del node.attribute[:]
        quantized.append(w)
    if not quantized:
        raise ValueError(f"{name}: no product to run in int8")
    kept = [n for n in g.node if id(n) not in transposes]
    del g.node[:]
    g.node.extend(kept)
    used = {i for n in g.node for i in n.input}
    for w in sorted(set(quantized)):
        d_out, d_in = initializers[w].dims
        for suffix, dtype, dims in ((".int8", onnx.TensorProto.INT8, [d_in, d_out]),
                                    (".scale", onnx.TensorProto.FLOAT, [d_out]),
                                    (".zero", onnx.TensorProto.INT8, [d_out])):
            # A placeholder like every weight here: the engine supplies the tensor at load.
            placeholder = onnx.TensorProto(name=w + suffix, data_type=dtype, dims=dims)
            placeholder.data_location = onnx.TensorProto.EXTERNAL
            for entry in initializers[w].external_data:
                placeholder.external_data.add().CopyFrom(entry)
            g.initializer.append(placeholder)
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept)
    m.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    fname = f"{name}{INT8_SUFFIX}.onnx"
    with open(os.path.join(out_dir, fname), "wb") as f:
        f.write(m.SerializeToString())
    derived = {w + s for w in quantized for s in INT8_SUFFIXES}
    weights = sorted(i.name for i in g.initializer
                     if i.data_location == onnx.TensorProto.EXTERNAL and i.name not in derived)
    return {"file": fname, "inputs": float_entry["inputs"], "outputs": float_entry["outputs"], "weights": weights,
            "quantized": sorted(set(quantized))}


ABSORB_GRAPH = "decoder_absorb"
ABSORBED_NAMES = ("bias_q", "keys_q", "values_o")
# Axes of the absorbed tensors (B, H, 1, S), (B, H, C, S), (B, H, S, C): sentences and source positions.
ABSORBED_AXES = {"bias_q": {0: "sentences", 3: "src_len"}, "keys_q": {0: "sentences", 3: "src_len"},
                 "values_o": {0: "sentences", 2: "src_len"}}


def absorbed_example_inputs(model, B, S):
    """Example absorbed tensors per layer for B sentences of S positions (flat: layer-major)."""
    _, _, enc_bias, kv, _, _ = step_example_inputs(model.cfg, B, S)
    with torch.no_grad():
        return [t.contiguous() for layer in model.absorb_attention(kv[0::2], kv[1::2], enc_bias) for t in layer]


def export_dense_step(module, key, first_output, cfg, out_dir, weight_index):
    """One dense decoder-step graph (all state in and out) whose first output is `first_output`;
    returns its manifest entry. The module's `absorbed` flag picks its attention inputs."""
    L = cfg.decoder_layers
    tokens, step, enc_bias, kv, rings, orders = step_example_inputs(cfg, 2, 5)
    conv_in = [f"conv_ring_{l}" for l in range(L)] + [f"conv_order_{l}" for l in range(L)]
    conv_out = [f"conv_input_{l}" for l in range(L)]
    outs = [first_output] + conv_out
    axes = _batch_only(["tokens", first_output] + conv_in[:L] + conv_out)
    # two rows per sentence, so the graph cannot confuse rows with sentences: the attention's
    # tensors are per sentence (keys and values, or the absorbed ones)
    tokens = torch.cat((tokens, tokens))
    rings = [torch.cat((r, r)) for r in rings]
    if module.absorbed:
        attention = [f"{n}_{l}" for l in range(L) for n in ABSORBED_NAMES]
        axes.update({f"{n}_{l}": ABSORBED_AXES[n] for l in range(L) for n in ABSORBED_NAMES})
        args = (tokens, step, *absorbed_example_inputs(module.model, 2, 5), *rings, *orders)
    else:
        attention = ["enc_bias"] + [f"{kv}_{l}" for l in range(L) for kv in ("enc_keys", "enc_values")]
        axes["enc_bias"] = {0: "sentences", 1: "src_len"}
        axes.update({n: {0: "sentences", 2: "src_len"} for n in attention[1:]})
        args = (tokens, step, enc_bias, *kv, *rings, *orders)
    ins = ["tokens", "step"] + attention + conv_in
    fname = f"{key}.onnx"
    weights = export_graph(module, args, ins, outs, axes, os.path.join(out_dir, fname), weight_index)
    return {"file": fname, "inputs": ins, "outputs": outs, "weights": weights}


def export_absorbed_graphs(model, out_dir, weight_index):
    """The graphs of the absorbed-attention path (docs/bundle-format.md §11): decoder_absorb, and per
    variant its step pieces (K-matrix: decoder_layer{l}_attend_absorbed; dense: decoder_step_absorbed
    and decoder_step_hidden_absorbed). Returns their manifest entries."""
    cfg = model.cfg
    L = cfg.decoder_layers
    graphs = {}

    def add(key, module, args, ins, outs, axes):
        fname = f"{key}.onnx"
        weights = export_graph(module, args, ins, outs, axes, os.path.join(out_dir, fname), weight_index)
        graphs[key] = {"file": fname, "inputs": ins, "outputs": outs, "weights": weights}

    _, _, enc_bias, kv, _, _ = step_example_inputs(cfg, 2, 5)
    kv_names = [f"{kv}_{l}" for l in range(L) for kv in ("enc_keys", "enc_values")]
    absorbed_names = [f"{n}_{l}" for l in range(L) for n in ABSORBED_NAMES]
    axes = {"enc_bias": {0: "sentences", 1: "src_len"}}
    axes.update({n: {0: "sentences", 2: "src_len"} for n in kv_names})
    axes.update({f"{n}_{l}": ABSORBED_AXES[n] for l in range(L) for n in ABSORBED_NAMES})
    add(ABSORB_GRAPH, AbsorbGraph(model), (enc_bias, *kv), ["enc_bias"] + kv_names, absorbed_names, axes)
    if cfg.variant == "dense":
        for key, first, hidden in (("decoder_step_absorbed", "log_probs", False),
                                   ("decoder_step_hidden_absorbed", "x", True)):
            graphs[key] = export_dense_step(DecoderStepGraph(model, hidden, absorbed=True), key, first, cfg, out_dir,
                                            weight_index)
    else:
        x = torch.randn(2, 2, cfg.d_model)  # (sentences, rows per sentence, d): two of each
        absorbed = absorbed_example_inputs(model, 2, 5)
        axes = {n: {0: "sentences", 1: "beam"} for n in ("x", "u", "y")}
        axes.update(ABSORBED_AXES)
        for l in range(L):
            add(f"decoder_layer{l}_attend_absorbed", AttendAbsorbedGraph(model, l), (x, x, *absorbed[3 * l:3 * l + 3]),
                ["x", "u", *ABSORBED_NAMES], ["y"], axes)
    return graphs


def export_dense_hidden_step(model, out_dir, weight_index):
    """The dense step without the output projection (output "x"), for shortlisted decoding."""
    return export_dense_step(DecoderStepGraph(model, hidden_only=True), "decoder_step_hidden", "x", model.cfg, out_dir,
                             weight_index)


def file_entries(out_dir):
    """The manifest's "files": size and SHA-256 of every file in the bundle but the manifest."""
    files = []
    for fname in sorted(os.listdir(out_dir)):
        if fname == "manifest.json":
            continue
        path = os.path.join(out_dir, fname)
        files.append({"path": fname, "size": os.path.getsize(path), "sha256": sha256_file(path)})
    return files


# ----------------------------------------------------------------------------- golden data
def pick_golden_sentences(test_tsv, count=6):
    """Sentences of different lengths from the test split (deterministic)."""
    if not test_tsv or not os.path.exists(test_tsv):
        return GOLDEN_SENTENCES[:count]
    pairs = tokenizer.read_pairs(test_tsv, 20000)
    by_len = sorted({de for de, _ in pairs if 3 <= len(de) <= 300 and len(de.split()) <= 40},
                    key=lambda s: (len(s.split()), s))
    if len(by_len) < count:
        return GOLDEN_SENTENCES[:count]
    return [by_len[int(i * (len(by_len) - 1) / (count - 1) * 0.97)] for i in range(count)]


class Recorder:
    """Records inputs and outputs of the K-matrix (or dense) decoder linears during one step."""

    def __init__(self, model):
        self.data, self.handles = {}, []
        for l, layer in enumerate(model.decoder.layers):
            for name in KMATRIX_LINEARS:
                mod = getattr(layer, name)
                self.handles.append(mod.register_forward_hook(self.hook(f"decoder.layers.{l}.{name}")))

    def hook(self, key):
        def fn(module, inputs, output):
            self.data[f"{key}.input"] = inputs[0].detach().reshape(-1).clone()
            self.data[f"{key}.output"] = output.detach().reshape(-1).clone()
        return fn

    def remove(self):
        for h in self.handles:
            h.remove()


@torch.no_grad()
def make_golden(model, sp, sentences, out_dir):
    tensors, entries = {}, []
    for i, text in enumerate(sentences):
        ids = sp.encode(text) + [EOS_ID]
        src = torch.tensor([ids], dtype=torch.long)
        enc, enc_bias = model.encode(src)
        state = model.init_state(enc, enc_bias)
        recorder = Recorder(model) if i == 0 else None
        lp, _ = model.decode_step(torch.tensor([BOS_ID]), state)
        if recorder:
            recorder.remove()
            for k, v in recorder.data.items():
                tensors[f"sentence0.step0.{k}"] = v.float()
        greedy = greedy_search(model, src)[0]
        beam, beam_score = beam_search(model, src, beam=4)
        tensors[f"sentence{i}.src_ids"] = src[0]
        tensors[f"sentence{i}.encoder_out"] = enc[0].float().contiguous()
        tensors[f"sentence{i}.step0.log_probs"] = lp[0].float().contiguous()
        entries.append({"index": i, "source": text, "src_ids": ids, "max_output_len": max_output_lengths(src)[0],
                        "greedy_ids": greedy, "greedy_text": sp.decode(greedy),
                        "beam4_ids": beam[0], "beam4_text": sp.decode(beam[0]),
                        "beam4_score": round(float(beam_score[0]), 6)})
    # the same sentences as one padded batch: encoder output must match the unbatched rows
    batch = pad_batch([e["src_ids"] for e in entries])
    enc, enc_bias = model.encode(batch)
    tensors["batch.src_ids"] = batch
    tensors["batch.encoder_out"] = enc.float().contiguous()
    tensors["batch.enc_bias"] = enc_bias.float().contiguous()
    safetensors_io.save_file(tensors, os.path.join(out_dir, "golden.safetensors"))
    with open(os.path.join(out_dir, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"beam": 4, "len_penalty": 1.0, "sentences": entries}, f, ensure_ascii=False, indent=1)


# ----------------------------------------------------------------------------- manifest
def sha256_file(path):
    return sha256_files([path])


def kmatrix_layers(model):
    out = []
    for name, mod in model.named_modules():
        if isinstance(mod, KMatrixLayer):
            out.append({"name": name, "in_features": mod.in_features, "out_features": mod.out_features,
                        "n": mod.n, "stacks": mod.stacks, "twiddle": f"{name}.twiddle",
                        "twiddle_shape": list(mod.twiddle.shape), "bias": f"{name}.bias"})
    return out


def round_weights(model, dtype):
    """Rounds every parameter to `dtype` and back, in place: the model then computes with exactly
    the weights a bundle stored in `dtype` holds, so golden outputs (and BLEU) describe the shipped
    model rather than its float32 original."""
    if dtype == torch.float32:
        return model
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(dtype).to(p.dtype))
    return model


def export_bundle(model, sp_path, out_dir, name, dtype=torch.float32, provenance=None, evaluation=None,
                  golden_sentences=None):
    model = round_weights(model.eval(), dtype)
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    cfg = model.cfg
    sp = tokenizer.load(sp_path)
    if sp.get_piece_size() != cfg.vocab_size:
        raise ValueError(f"{sp_path} has {sp.get_piece_size()} pieces, the model's vocabulary is {cfg.vocab_size}")
    shutil.copyfile(sp_path, os.path.join(out_dir, "sentencepiece.model"))

    tensors = canonical_tensors(model, dtype)
    weight_index, shard_files = write_shards(tensors, out_dir, {"format": "pt", "bundle": name})
    graphs = export_onnx(model, out_dir, weight_index)
    assert not any(m.training for m in model.modules())
    make_golden(model, sp, golden_sentences or GOLDEN_SENTENCES, out_dir)

    files = file_entries(out_dir)
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "variant": cfg.variant,
        "architecture": {
            "type": "dynamicconv-transformer",
            "d_model": cfg.d_model, "ffn_dim": cfg.ffn_dim, "heads": cfg.heads,
            "encoder_layers": cfg.encoder_layers, "decoder_layers": cfg.decoder_layers,
            "encoder_kernels": cfg.encoder_kernels, "decoder_kernels": cfg.decoder_kernels,
            "vocab_size": cfg.vocab_size, "embedding_scale": model.embed_scale,
            "positions": "sinusoidal, from 0, [sin | cos] halves", "normalization": "post-layernorm, eps 1e-5",
            "tied_embeddings": True, "activation": "relu",
        },
        "special_tokens": {"pad": PAD_ID, "unk": UNK_ID, "bos": BOS_ID, "eos": EOS_ID},
        "search": {"beam": 4, "len_penalty": 1.0, "max_len_a": 1.5, "max_len_b": 10},
        "kmatrix_layers": kmatrix_layers(model),
        "weights": {"dtype": {torch.float32: "float32", torch.float16: "float16"}[dtype],
                    "shards": shard_files,
                    "tensors": {n: {"shard": weight_index[n][0], "shape": list(t.shape)} for n, t in tensors.items()}},
        "tokenizer": "sentencepiece.model",
        "onnx": {"opset": OPSET, "graphs": graphs, "step_attention": STEP_ATTENTION},
        "golden": {"tensors": "golden.safetensors", "json": "golden.json"},
        "files": files,
        "provenance": provenance or {},
        "evaluation": evaluation or {},
    }
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
    return manifest


def verify_bundle(out_dir):
    """Re-hash every file named in the manifest; returns a list of problems (empty = good)."""
    with open(os.path.join(out_dir, "manifest.json")) as f:
        manifest = json.load(f)
    problems = []
    for entry in manifest["files"]:
        path = os.path.join(out_dir, entry["path"])
        if not os.path.exists(path):
            problems.append(f"{entry['path']}: missing")
        elif os.path.getsize(path) != entry["size"]:
            problems.append(f"{entry['path']}: size {os.path.getsize(path)} != {entry['size']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 mismatch")
    return problems


def main():
    from .evaluate import evaluate
    from .train import load_checkpoint
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--name", required=True, help="bundle name; written to models/<name>/")
    ap.add_argument("--models-dir", default="models")
    ap.add_argument("--dtype", default="float16", choices=["float16", "float32"])
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--eval-split", action="append", default=[], choices=["valid", "test"],
                    help="measure BLEU/chrF (beam 4) on this split for the manifest (repeatable)")
    ap.add_argument("--eval-limit", type=int, default=0, help="only the first N sentences of each split")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-shortlist", action="store_true",
                    help="do not add the lexical shortlist (built from the corpus' train split when it exists)")
    args = ap.parse_args()

    model, ckpt = load_checkpoint(args.checkpoint, args.device)
    model = round_weights(model, getattr(torch, args.dtype))  # evaluate the weights that ship
    sp = tokenizer.load(ckpt["spm"])
    evaluation = {}
    for split in args.eval_split:
        scores, _ = evaluate(model, sp, os.path.join(args.corpus, f"{split}.tsv"), 4, args.eval_limit, args.device)
        print(split, json.dumps(scores), flush=True)
        evaluation[split] = scores
    model = model.cpu().float()
    provenance = provenance_of(ckpt)
    test_tsv = os.path.join(args.corpus, "test.tsv")
    out_dir = os.path.join(args.models_dir, args.name)
    # Built beside the old bundle and put in its place only once verified: a failed or interrupted
    # export leaves the bundle that was there (a shipped model, models/de-en-*) as it was.
    staging = os.path.join(args.models_dir, f".{args.name}.partial")
    export_bundle(model, ckpt["spm"], staging, args.name, getattr(torch, args.dtype), provenance, evaluation,
                  pick_golden_sentences(test_tsv))
    if not args.no_shortlist and os.path.exists(os.path.join(args.corpus, "train.tsv")):
        d = shortlist.DEFAULTS
        shortlist.build_for_bundle(staging, args.corpus, d["frequent"], d["per_source"], d["min_count"], d["pairs"])
    problems = verify_bundle(staging)
    if problems:
        print(f"bundle {staging}: {problems}; {out_dir} left as it was")
        sys.exit(1)
    replace_directory(staging, out_dir)
    print(f"bundle {out_dir}: OK")


def provenance_of(ckpt):
    """What a bundle's manifest records of the training run behind a checkpoint."""
    provenance = {
        "corpus_hash": ckpt.get("corpus_hash"), "steps": ckpt.get("step"), "seed": ckpt.get("seed"),
        "config": ckpt.get("config"), "train_config": ckpt.get("train_config"),
        "training": ckpt.get("training", {}), "torch": torch.__version__,
        "exported_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if ckpt.get("initialized_from"):
        provenance["initialized_from"] = ckpt["initialized_from"]
    return provenance


def replace_directory(new_dir, target):
    """Puts new_dir where target is, by renames (one file system): the old target is removed last."""
    old = None
    if os.path.exists(target):
        old = f"{new_dir}.old"
        if os.path.exists(old):
            shutil.rmtree(old)
        os.rename(target, old)
    os.rename(new_dir, target)
    if old:
        shutil.rmtree(old)


if __name__ == "__main__":
    main()


def load_bundle_state(bundle_dir):
    """A bundle's manifest and its weights by state_dict name, as stored (float16 or float32)."""
    with open(os.path.join(bundle_dir, "manifest.json")) as f:
        manifest = json.load(f)
    state = {}
    for shard in manifest["weights"]["shards"]:
        state.update(safetensors_io.load_file(os.path.join(bundle_dir, shard)))
    return manifest, state


def load_bundle_model(bundle_dir):
    """Rebuild the PyTorch model from a bundle's manifest and safetensors shards (fp32)."""
    from .configs import ModelConfig
    from .model import DynamicConvTransformer
    manifest, state = load_bundle_state(bundle_dir)
    a = manifest["architecture"]
    cfg = ModelConfig(variant=manifest["variant"], vocab_size=a["vocab_size"], d_model=a["d_model"],
                      ffn_dim=a["ffn_dim"], heads=a["heads"], encoder_kernels=a["encoder_kernels"],
                      decoder_kernels=a["decoder_kernels"])
    model = DynamicConvTransformer(cfg)
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.eval(), manifest
