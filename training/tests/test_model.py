"""The DynamicConv transformer: incremental decoding equals the full forward, padding does not
leak, and the two variants differ only in the decoder's four linear layers."""
import pytest
import torch

from training.configs import base_config, small_config
from training.model import DynamicConvTransformer, count_parameters, ring_order, ring_write, sinusoidal_positions

from .conftest import make_model


@pytest.mark.parametrize("variant", ["dense", "kmatrix"])
def test_incremental_equals_full_forward(variant):
    model = make_model(variant)
    torch.manual_seed(1)
    src = torch.randint(4, 300, (3, 9))
    src[1, 6:] = 0
    src[2, 2:] = 0
    prev = torch.randint(4, 300, (3, 8))
    prev[:, 0] = 2
    with torch.no_grad():
        full = torch.log_softmax(model(src, prev), dim=-1)
        enc, enc_bias = model.encode(src)
        state = model.init_state(enc, enc_bias)
        steps = []
        for t in range(prev.shape[1]):
            lp, state = model.decode_step(prev[:, t], state)
            steps.append(lp)
    assert state.step == 8
    assert (full - torch.stack(steps, dim=1)).abs().max().item() < 1e-4


@pytest.mark.parametrize("variant", ["dense", "kmatrix"])
def test_absorbed_attention_step_equals_the_standard_step(variant):
    """Three padded sentences with two rows each (a beam of 2): the absorbed tensors are per
    sentence, the standard keys/values per row; six steps give the same hidden states."""
    model = make_model(variant)
    torch.manual_seed(2)
    src = torch.randint(4, 300, (3, 7))
    src[1, 5:] = 0
    src[2, 1:] = 0
    prev = torch.randint(4, 300, (6, 6))
    with torch.no_grad():
        enc, enc_bias = model.encode(src)
        keys, values = zip(*model.encoder_keys_values(enc))
        absorbed = model.absorb_attention(keys, values, enc_bias)
        assert [t.shape for t in absorbed[0]] == [(3, 4, 1, 7), (3, 4, 32, 7), (3, 4, 7, 32)]
        rows = [k.repeat_interleave(2, dim=0) for k in keys], [v.repeat_interleave(2, dim=0) for v in values]
        bias = enc_bias.repeat_interleave(2, dim=0)
        conv_a = conv_b = [torch.zeros(6, layer.conv.kernel - 1, 32) for layer in model.decoder.layers]
        worst = 0.0
        for t in range(prev.shape[1]):
            x = model.embed(prev[:, t], torch.full((6,), t))
            a, conv_a = model.step_hidden(x, conv_a, rows[0], rows[1], bias)
            b, conv_b = model.step_hidden_absorbed(x, conv_b, absorbed)
            worst = max(worst, (a - b).abs().max().item())
    assert worst < 1e-4
    assert a.abs().max().item() > 0.1


@pytest.mark.parametrize("variant", ["dense", "kmatrix"])
def test_kmatrix_levels_and_materialised_decode_agree(variant):
    model = make_model(variant)
    src = torch.randint(4, 300, (2, 6))
    prev = torch.randint(4, 300, (2, 5))
    with torch.no_grad():
        a = model(src, prev)
        model.set_kmatrix_materialized(False)
        b = model(src, prev)
    assert (a - b).abs().max().item() < 1e-4


def test_source_padding_does_not_change_encoder_output():
    model = make_model("dense")
    src = torch.randint(4, 300, (1, 5))
    padded = torch.cat([src, torch.zeros(1, 4, dtype=torch.long)], dim=1)
    with torch.no_grad():
        a, _ = model.encode(src)
        b, bias = model.encode(padded)
    assert (a - b[:, :5]).abs().max().item() < 1e-5
    assert bias[0, :5].eq(0).all() and bias[0, 5:].eq(-1e9).all()


@pytest.mark.parametrize("kernel,padding", [(5, 2), (5, 4), (3, 1), (7, 6)])
@pytest.mark.parametrize("length", [1, 4, 11])
def test_dynamic_conv_band_form_equals_the_tap_definition(kernel, padding, length):
    """out[t] = sum_k w[t, k] * x[t - padding + k] per head, positions outside the sequence zero:
    centred (encoder) and causal (decoder) windows, sequences shorter and longer than the kernel."""
    from training.model import DynamicConv
    torch.manual_seed(3)
    conv = DynamicConv(16, kernel, 4, padding, 0.0).eval()
    x = torch.randn(2, length, 16)
    with torch.no_grad():
        w = conv.weights(x)                                               # (B, T, H, K)
        expected = torch.zeros_like(x)
        for t in range(length):
            for k in range(kernel):
                src = t - padding + k
                if 0 <= src < length:
                    expected[:, t] += (x[:, src].reshape(2, 4, 4) * w[:, t, :, k:k + 1]).reshape(2, 16)
        assert (conv(x) - expected).abs().max().item() < 1e-5


def test_causal_conv_first_steps_use_zero_past():
    """Step 0 of a K=5 conv: softmax over all 5 logits, only the weight of the current position
    survives (no renormalisation)."""
    model = make_model("dense")
    conv = model.decoder.layers[1].conv
    h = torch.randn(2, 32)
    with torch.no_grad():
        out, state = conv.step(h, torch.zeros(2, 4, 32))
        w = torch.softmax(conv.weight_linear(h).reshape(2, 4, 5), dim=-1)[..., -1]  # (B, H)
    expected = h.reshape(2, 4, 8) * w.unsqueeze(-1)
    assert torch.allclose(out, expected.reshape(2, 32), atol=1e-6)
    assert torch.equal(state[:, -1], h) and state[:, :-1].eq(0).all()


def test_ring_order_and_write_values():
    assert ring_order(5, 0).tolist() == [0, 1, 2, 3]
    assert ring_order(5, 1).tolist() == [3, 0, 1, 2]
    assert ring_order(5, 6).tolist() == [2, 3, 0, 1]
    ring = torch.zeros(1, 2, 4, 3)
    ring_write(ring, torch.arange(6.0).reshape(1, 6), 6)
    assert ring[0, :, 2].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert ring.sum().item() == 15.0


def test_conv_ring_steps_equal_the_shifted_window_steps():
    """Twelve steps of every decoder layer's conv (kernels 3 and 5: their rings wrap around several
    times): step_ring with ring_write gives step()'s outputs from a zero start."""
    model = make_model("kmatrix")
    torch.manual_seed(3)
    for layer in model.decoder.layers:
        conv = layer.conv
        K, H = conv.kernel, conv.heads
        state = torch.zeros(3, K - 1, 32)
        ring = torch.zeros(3, H, K - 1, 32 // H)
        worst = 0.0
        with torch.no_grad():
            for n in range(12):
                h = torch.randn(3, 32)
                expected, state = conv.step(h, state)
                out = conv.step_ring(h, ring, ring_order(K, n))
                ring_write(ring, h, n)
                worst = max(worst, (out - expected).abs().max().item())
        assert worst < 1e-6, (K, worst)


@pytest.mark.parametrize("variant", ["dense", "kmatrix"])
@pytest.mark.parametrize("absorbed", [False, True])
def test_ring_step_equals_the_step(variant, absorbed):
    """step_hidden_ring, the form the engine's graphs take, equals step_hidden / step_hidden_absorbed
    over eight steps of two sentences with two rows each (the ring form taking keys, values and
    bias once per sentence, the step form per row), and hands back each layer's conv input."""
    model = make_model(variant)
    torch.manual_seed(4)
    src = torch.randint(4, 300, (2, 6))
    src[1, 3:] = 0
    prev = torch.randint(4, 300, (4, 8))
    with torch.no_grad():
        enc, enc_bias = model.encode(src)
        keys, values = zip(*model.encoder_keys_values(enc))
        rows_k = [k.repeat_interleave(2, dim=0) for k in keys]
        rows_v = [v.repeat_interleave(2, dim=0) for v in values]
        bias = enc_bias.repeat_interleave(2, dim=0)
        tensors = model.absorb_attention(keys, values, enc_bias) if absorbed else None
        layers = model.decoder.layers
        conv = [torch.zeros(4, layer.conv.kernel - 1, 32) for layer in layers]
        rings = [torch.zeros(4, layer.conv.heads, layer.conv.kernel - 1, 32 // layer.conv.heads) for layer in layers]
        worst = 0.0
        for n in range(prev.shape[1]):
            x = model.embed(prev[:, n], torch.full((4,), n))
            assert torch.equal(model.embed_step(prev[:, n], torch.tensor([n])), x)
            if absorbed:
                a, conv = model.step_hidden_absorbed(x, conv, tensors)
            else:
                a, conv = model.step_hidden(x, conv, rows_k, rows_v, bias)
            orders = [ring_order(layer.conv.kernel, n) for layer in layers]
            b, inputs = model.step_hidden_ring(x, rings, orders, keys, values, enc_bias, absorbed=tensors)
            for ring, h in zip(rings, inputs):
                ring_write(ring, h, n)
            worst = max(worst, (a - b).abs().max().item())
            assert torch.equal(inputs[0], layers[0].linear1(x))
    assert worst < 1e-5
    assert a.abs().max().item() > 0.1


def test_variants_differ_only_in_decoder_linears():
    dense = {k: v.shape for k, v in make_model("dense").state_dict().items()}
    kmat = {k: v.shape for k, v in make_model("kmatrix").state_dict().items()}
    only_dense = {k for k in dense.keys() - kmat.keys()}
    only_kmat = {k for k in kmat.keys() - dense.keys()}
    linears = {f"decoder.layers.{l}.{n}" for l in range(2) for n in ("linear1", "linear2", "fc1", "fc2")}
    assert only_dense == {f"{x}.weight" for x in linears}
    assert only_kmat == {f"{x}.twiddle" for x in linears}
    assert kmat["decoder.layers.0.fc1.twiddle"] == (2, 10, 16, 2, 2)  # 32 -> 64: two 32-point stacks
    assert kmat["decoder.layers.0.fc2.twiddle"] == (1, 12, 32, 2, 2)  # 64 -> 32: one 64-point


def test_kmatrix_encoder_variant_also_makes_the_encoder_linears_kmatrices():
    """The named variant `kmatrix-encoder`: the paper's K-matrix model with the encoder's linear1,
    linear2, fc1 and fc2 as K-matrices too; everything else the same."""
    kmat = {k: v.shape for k, v in make_model("kmatrix").state_dict().items()}
    both = {k: v.shape for k, v in make_model("kmatrix-encoder").state_dict().items()}
    linears = {f"encoder.layers.{l}.{n}" for l in range(2) for n in ("linear1", "linear2", "fc1", "fc2")}
    assert kmat.keys() - both.keys() == {f"{x}.weight" for x in linears}
    assert both.keys() - kmat.keys() == {f"{x}.twiddle" for x in linears}
    assert both["encoder.layers.0.fc1.twiddle"] == kmat["decoder.layers.0.fc1.twiddle"]
    with pytest.raises(ValueError, match="unknown variant"):
        make_model("kmatrix-everything")


def test_encoder_layer_pieces_compose_to_the_layer():
    """The pieces a kmatrix-encoder bundle exports (conv_block, conv_out, ffn_out) with the linears
    between them are the layer, padding included."""
    model = make_model("kmatrix-encoder")
    layer = model.encoder.layers[1]
    x = torch.randn(2, 5, model.cfg.d_model)
    pad = torch.tensor([[False] * 5, [False, False, False, True, True]])
    y = layer.conv_out(x, layer.linear2(layer.conv_block(layer.linear1(x), pad)))
    pieces = layer.ffn_out(y, layer.fc2(torch.relu(layer.fc1(y))))
    assert torch.allclose(pieces, layer(x, pad), atol=1e-6)


def test_base_parameter_counts():
    """DESIGN §2: dense about 31 M, K-matrix about 22 M; the kmatrix-encoder variant 12.5 M."""
    assert count_parameters(DynamicConvTransformer(base_config("dense")[0])) == 31_459_840
    assert count_parameters(DynamicConvTransformer(base_config("kmatrix")[0])) == 22_710_784
    assert count_parameters(DynamicConvTransformer(base_config("kmatrix-encoder")[0])) == 12_503_552


def test_small_parameter_counts():
    """The shipped small bundles (training/README.md), as their training runs counted them."""
    assert count_parameters(DynamicConvTransformer(small_config("dense")[0])) == 5_263_360
    assert count_parameters(DynamicConvTransformer(small_config("kmatrix")[0])) == 4_237_312


def test_sinusoidal_positions_values():
    pe = sinusoidal_positions(torch.tensor([0, 1]), 8)
    assert torch.equal(pe[0], torch.tensor([0.0, 0, 0, 0, 1, 1, 1, 1]))
    # position 1: frequencies 10000^(-j/3), j = 0..3
    freqs = torch.tensor([1.0, 10000 ** (-1 / 3), 10000 ** (-2 / 3), 1e-4])
    assert torch.allclose(pe[1], torch.cat([torch.sin(freqs), torch.cos(freqs)]), atol=1e-6)


def test_tied_embeddings():
    model = make_model("dense")
    names = [n for n, _ in model.named_parameters() if "embed" in n]
    assert names == ["embed_tokens.weight"]
