"""K-matrix layer: the per-level form, the materialised matrix and an explicit product of the
sparse level matrices built straight from the DESIGN.md §2 formulas must agree."""
import math

import pytest
import torch

from training.kmatrix import (KMatrixLayer, apply_levels, dense_kmatrices, kmatrix_forward_levels,
                              level_strides, materialize, random_orthogonal_twiddle)


def level_matrix(tw_level, n, stride):
    """The n x n matrix of one level, written with the spec's index formulas (no reshapes)."""
    m = torch.zeros(n, n, dtype=tw_level.dtype)
    for i in range(n // 2):
        o = i % stride
        p = 2 * (i - o) + o
        q = p + stride
        (a, b), (c, d) = tw_level[i].tolist()
        m[p, p], m[p, q], m[q, p], m[q, q] = a, b, c, d
    return m


def explicit_product(twiddle_stack):
    """K = M_last @ ... @ M_first for one stack (levels in application order)."""
    n = 2 * twiddle_stack.shape[1]
    k = torch.eye(n, dtype=twiddle_stack.dtype)
    for level, stride in enumerate(level_strides(n)):
        k = level_matrix(twiddle_stack[level], n, stride) @ k
    return k


def test_level_strides_order():
    assert level_strides(16) == [8, 4, 2, 1, 1, 2, 4, 8]
    assert level_strides(2) == [1, 1]


@pytest.mark.parametrize("n,stacks", [(2, 1), (8, 1), (16, 2), (64, 3)])
def test_levels_equal_explicit_product_float64(n, stacks):
    g = torch.Generator().manual_seed(n + stacks)
    tw = torch.randn(stacks, 2 * int(math.log2(n)), n // 2, 2, 2, generator=g, dtype=torch.float64)
    x = torch.randn(5, n, generator=g, dtype=torch.float64)
    y = apply_levels(x.unsqueeze(1).expand(5, stacks, n), tw)  # (5, S, n)
    for s in range(stacks):
        k = explicit_product(tw[s])
        assert torch.allclose(y[:, s], x @ k.t(), atol=1e-12, rtol=0)


@pytest.mark.parametrize("n,stacks", [(2, 1), (4, 1), (8, 2), (64, 3)])
def test_dense_kmatrices_equal_explicit_product_float64(n, stacks):
    """The halves built from the bottom up and multiplied are the spec's product of level matrices."""
    g = torch.Generator().manual_seed(7 * n + stacks)
    tw = torch.randn(stacks, 2 * int(math.log2(n)), n // 2, 2, 2, generator=g, dtype=torch.float64)
    k = dense_kmatrices(tw)
    assert k.shape == (stacks, n, n) and k.dtype == torch.float64
    for s in range(stacks):
        ref = explicit_product(tw[s])
        assert (k[s] - ref).abs().max().item() <= 1e-12 * ref.abs().max().item()


def test_dense_kmatrices_keep_float32_under_autocast():
    """Inside a training forward (bf16 autocast) the matrix is still built and multiplied in float32."""
    g = torch.Generator().manual_seed(11)
    tw = torch.randn(2, 12, 32, 2, 2, generator=g)
    plain = dense_kmatrices(tw)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        inside = dense_kmatrices(tw)
    assert inside.dtype == torch.float32
    assert torch.equal(inside, plain)


@pytest.mark.parametrize("fan_in,fan_out", [(64, 64), (64, 128), (128, 64), (48, 100), (64, 40)])
def test_per_level_equals_materialised_float32(fan_in, fan_out):
    torch.manual_seed(fan_in * 1000 + fan_out)
    layer = KMatrixLayer(fan_in, fan_out)
    with torch.no_grad():
        layer.twiddle.normal_()  # not just orthogonal: any twiddles must agree
    x = torch.randn(7, 3, fan_in)
    layer.materialized = True
    dense = layer(x)
    layer.materialized = False
    levels = layer(x)
    assert dense.shape == levels.shape == (7, 3, fan_out)
    scale = levels.abs().max().item()
    assert (dense - levels).abs().max().item() <= 1e-5 * scale
    # and both equal the float64 explicit product with padding / stacking / chunk-summing by hand
    tw = layer.twiddle.detach().double()
    n = layer.n
    xp = torch.nn.functional.pad(x.double(), (0, n - fan_in))
    outs = torch.cat([xp @ explicit_product(tw[s]).t() for s in range(layer.stacks)], dim=-1)
    if fan_out > n:
        ref = outs[..., :fan_out]
    elif fan_out == n:
        ref = outs
    else:
        chunks = -(-n // fan_out)
        ref = torch.nn.functional.pad(outs, (0, chunks * fan_out - n)).reshape(7, 3, chunks, fan_out).sum(-2)
    ref = ref + layer.bias.detach().double()
    assert (levels.double() - ref).abs().max().item() <= 1e-5 * scale


def test_identity_twiddles_give_identity():
    n = 32
    tw = torch.zeros(1, 10, n // 2, 2, 2)
    tw[..., 0, 0] = 1
    tw[..., 1, 1] = 1
    assert torch.equal(materialize(tw, n, n), torch.eye(n))
    x = torch.randn(4, n)
    assert torch.equal(kmatrix_forward_levels(x, tw, None, n), x)


def hadamard(n):
    i = torch.arange(n)
    bits = (i.unsqueeze(1) & i.unsqueeze(0))
    parity = torch.zeros_like(bits)
    while bits.any():
        parity ^= bits & 1
        bits = bits >> 1
    return (1 - 2 * parity).to(torch.float32)  # H[i, j] = (-1)^popcount(i & j)


def test_walsh_hadamard_closed_form():
    n = 16
    levels = 2 * 4
    h2 = torch.tensor([[1.0, 1.0], [1.0, -1.0]])
    eye2 = torch.eye(2)
    tw = torch.empty(1, levels, n // 2, 2, 2)
    tw[0, :levels // 2] = eye2  # B* half: identity
    tw[0, levels // 2:] = h2  # B half: Hadamard butterflies at strides 1, 2, 4, 8
    k = materialize(tw, n, n).t()  # materialize gives the transpose (row-vector convention)
    assert torch.equal(k, hadamard(n))
    # Hadamard on both halves: H_n @ H_n = n I
    tw[0, :] = h2
    assert torch.equal(materialize(tw, n, n), n * torch.eye(n))
    # per-level on a unit vector: column j of H
    e = torch.zeros(n)
    e[5] = 1
    tw[0, :levels // 2] = eye2
    assert torch.equal(kmatrix_forward_levels(e, tw, None, n), hadamard(n)[:, 5])


def test_shapes_of_design_layers():
    assert KMatrixLayer(512, 512).twiddle.shape == (1, 18, 256, 2, 2)
    assert KMatrixLayer(512, 1024).twiddle.shape == (2, 18, 256, 2, 2)  # fc1: two stacked 512-point
    assert KMatrixLayer(1024, 512).twiddle.shape == (1, 20, 512, 2, 2)  # fc2: one 1024-point
    assert KMatrixLayer(100, 300).twiddle.shape == (3, 14, 64, 2, 2)  # in 100 padded to n = 128


def test_stacking_concatenates_independent_kmatrices():
    torch.manual_seed(3)
    layer = KMatrixLayer(16, 32, bias=False)
    x = torch.randn(4, 16)
    y = layer(x)
    for s in range(2):
        single = KMatrixLayer(16, 16, bias=False)
        with torch.no_grad():
            single.twiddle.copy_(layer.twiddle[s:s + 1])
        assert torch.allclose(y[:, 16 * s:16 * (s + 1)], single(x), atol=1e-6)


def test_chunk_sum_adds_halves():
    torch.manual_seed(4)
    layer = KMatrixLayer(32, 16, bias=False)  # one 32-point K-matrix, halves summed
    full = KMatrixLayer(32, 32, bias=False)
    with torch.no_grad():
        full.twiddle.copy_(layer.twiddle)
    x = torch.randn(6, 32)
    z = full(x)
    assert torch.allclose(layer(x), z[:, :16] + z[:, 16:], atol=1e-6)


def test_orthogonal_init():
    tw = random_orthogonal_twiddle(2, 64, torch.Generator().manual_seed(0))
    blocks = tw.reshape(-1, 2, 2)
    assert torch.allclose(blocks @ blocks.transpose(1, 2), torch.eye(2).expand_as(blocks), atol=1e-6)
    dets = torch.linalg.det(blocks)
    assert (dets > 0).any() and (dets < 0).any()  # both rotations and reflections occur
    k = materialize(tw[:1], 64, 64)
    assert torch.allclose(k @ k.t(), torch.eye(64), atol=1e-5)


def test_gradient_same_through_both_forms():
    torch.manual_seed(5)
    layer = KMatrixLayer(32, 64)
    x = torch.randn(3, 32)
    grads = []
    for flag in (True, False):
        layer.materialized = flag
        layer.zero_grad()
        (layer(x) ** 2).sum().backward()
        grads.append(layer.twiddle.grad.clone())
    assert torch.allclose(grads[0], grads[1], atol=1e-4, rtol=1e-4)


def test_materialize_together_equals_one_by_one():
    from training.kmatrix import materialize_together
    torch.manual_seed(6)
    layers = [KMatrixLayer(32, 32), KMatrixLayer(32, 64), KMatrixLayer(64, 32), KMatrixLayer(20, 32)]
    for layer, w in zip(layers, materialize_together(layers)):
        assert w.shape == (layer.in_features, layer.out_features)
        assert torch.allclose(w, layer.dense_weight(), atol=1e-6)


def test_eval_cache_follows_twiddle_updates():
    torch.manual_seed(8)
    layer = KMatrixLayer(16, 16)
    x = torch.randn(2, 16)
    with torch.no_grad():
        a = layer(x)
        layer.twiddle.mul_(0.5)  # in-place update bumps the version counter: cache must refresh
        b = layer(x)
    assert torch.allclose(b - layer.bias, (a - layer.bias) * 0.5 ** 8, atol=1e-6)
