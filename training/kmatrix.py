"""K-matrix linear layer (Dao et al., "Kaleidoscope", ICLR 2020): one BB* product per stack.

The layout follows DESIGN.md §2 exactly, because the Java kernel implements the same spec
independently and the golden data compares the two:

* ``twiddle`` has shape ``(stacks, 2*log2(n), n/2, 2, 2)``.  The stack dimension is always present,
  also when it is 1, so every K-matrix tensor in a bundle has the same rank.
* Levels in application order: the B* half with strides n/2, n/4, ..., 1, then the B half with
  strides 1, 2, ..., n/2.
* One level at stride s, pair index i in [0, n/2): o = i mod s, p = 2(i - o) + o, q = p + s,
  (a, b, c, d) = twiddle[level][i] read row-major; y_p = a*x_p + b*x_q, y_q = c*x_p + d*x_q.
* n = the smallest power of two >= in_features; the input is zero-padded to n.
  out >= n: ceil(out/n) independent K-matrices on the same input, outputs concatenated (and cut to
  out).  out < n: one K-matrix whose n outputs are summed in consecutive chunks of length out.
  Then the bias is added.

Two equivalent evaluations exist: ``apply_levels`` (per level, what the Java kernel does) and
``materialize`` (the dense (in, out) matrix the product equals, built half by half from the bottom
up and multiplied, ``dense_kmatrices``).  Training uses the materialised form because one big
matmul is much faster on a GPU than 2*log2(n) small strided steps; the tests check both agree, and
both against the product of the level matrices written from the spec.
"""
import math

import torch
from torch import nn


def next_pow2(n: int) -> int:
    return 1 << (n - 1).bit_length()


def level_strides(n: int):
    """Strides of the 2*log2(n) levels in application order (B* half, then B half)."""
    log_n = int(math.log2(n))
    down = [n >> (k + 1) for k in range(log_n)]  # n/2, n/4, ..., 1
    return down + down[::-1]  # then 1, 2, ..., n/2


def kmatrix_geometry(in_features: int, out_features: int):
    """(n, stacks) for a layer of the given shape, per the padding/stacking/chunk rules."""
    n = next_pow2(in_features)
    stacks = -(-out_features // n) if out_features > n else 1
    return n, stacks


def apply_level(x: torch.Tensor, tw: torch.Tensor, stride: int) -> torch.Tensor:
    """One butterfly level.  x: (..., S, n); tw: (S, n/2, 2, 2) for that level.

    Pair i = block*stride + o touches p = block*2*stride + o and q = p + stride, so viewing x as
    (..., S, n/(2*stride), 2, stride) puts x_p at [..., 0, :] and x_q at [..., 1, :], and viewing the
    twiddles as (S, n/(2*stride), stride, 2, 2) lines pair i up with the same (block, o).
    """
    n = x.shape[-1]
    blocks = n // (2 * stride)
    xs = x.reshape(*x.shape[:-1], blocks, 2, stride)
    xp, xq = xs[..., 0, :], xs[..., 1, :]
    t = tw.reshape(tw.shape[0], blocks, stride, 2, 2)
    a, b, c, d = t[..., 0, 0], t[..., 0, 1], t[..., 1, 0], t[..., 1, 1]
    yp = a * xp + b * xq
    yq = c * xp + d * xq
    return torch.stack((yp, yq), dim=-2).reshape(x.shape)


def apply_levels(x: torch.Tensor, twiddle: torch.Tensor) -> torch.Tensor:
    """x: (..., S, n) -> (..., S, n), the BB* product of every stack applied to its row."""
    n = x.shape[-1]
    for level, stride in enumerate(level_strides(n)):
        x = apply_level(x, twiddle[:, level], stride)
    return x


def combine_outputs(y: torch.Tensor, out_features: int) -> torch.Tensor:
    """(..., S, n) K-matrix outputs -> (..., out): concatenate stacks, or sum chunks of length out."""
    stacks, n = y.shape[-2], y.shape[-1]
    y = y.reshape(*y.shape[:-2], stacks * n)
    if out_features >= stacks * n or out_features > n:
        return y[..., :out_features]
    # out < n: sum consecutive chunks of length out (zero-pad the last chunk if out does not divide n)
    chunks = -(-n // out_features)
    pad = chunks * out_features - n
    if pad:
        y = torch.nn.functional.pad(y, (0, pad))
    return y.reshape(*y.shape[:-1], chunks, out_features).sum(dim=-2)


def kmatrix_forward_levels(x, twiddle, bias, out_features):
    """Per-level evaluation of the whole layer (padding, stacking/chunk-summing, bias)."""
    stacks, n = twiddle.shape[0], 2 * twiddle.shape[2]
    if x.shape[-1] < n:
        x = torch.nn.functional.pad(x, (0, n - x.shape[-1]))
    x = x.unsqueeze(-2).expand(*x.shape[:-1], stacks, n)
    y = combine_outputs(apply_levels(x, twiddle), out_features)
    return y + bias if bias is not None else y


def materialize(twiddle: torch.Tensor, in_features: int, out_features: int) -> torch.Tensor:
    """The (in, out) matrix W with layer(x) = x @ W + bias.

    Row j of W is K e_j, the transpose of the K-matrix, which is what a row-vector matmul needs.
    Padding (drop rows >= in) and stacking/chunk-summing are linear too, so they fold into W.
    """
    k = dense_kmatrices(twiddle)  # (S, n, n), k[s, i, j] = K_s[i, j]
    return combine_outputs(k.permute(2, 0, 1), out_features)[:in_features]  # rows (j, s, i)


def dense_kmatrices(twiddle: torch.Tensor) -> torch.Tensor:
    """K_s = B_s · B*_s of every stack as dense (S, n, n) matrices (y = K x, column vectors).

    Each half is built from the bottom up: a butterfly half on 2s positions is the two halves on s
    positions, side by side, joined by the level at stride s (B*: that level acts first, so it
    scales the columns; B: it acts last and scales the rows). That costs about 2·n² per stack and
    half, against log2(n)·n² for pushing the identity through the levels one by one (the
    per-level form, `apply_levels`), and one or two tensor operations per level and half, most of
    them small, instead of seven over whole (n, S, n) tensors: a training step on a GPU pays for
    each in a kernel launch and a pass over memory. The halves' entries are products along each
    entry's single path, as the per-level form computes them; the product B · B* then sums over n
    terms, in float64 on a GPU, where float32 products may run as TF32 (10-bit mantissas) and the
    materialised matrix must stay the K-matrix the inference kernel computes.
    """
    stacks, levels, pairs = twiddle.shape[:3]
    n, log_n = 2 * pairs, levels // 2
    b_star = twiddle.new_ones(stacks, n, 1, 1)
    b = twiddle.new_ones(stacks, n, 1, 1)
    for j in range(log_n):
        s = 1 << j
        b_star = join_halves(b_star, twiddle[:, log_n - 1 - j], s, scale_columns=True)
        b = join_halves(b, twiddle[:, log_n + j], s, scale_columns=False)
    b_star, b = b_star.reshape(stacks, n, n), b.reshape(stacks, n, n)
    product_dtype = torch.float64 if twiddle.is_cuda else twiddle.dtype
    with torch.autocast(device_type=twiddle.device.type, enabled=False):
        return (b.to(product_dtype) @ b_star.to(product_dtype)).to(twiddle.dtype)


def join_halves(blocks: torch.Tensor, level: torch.Tensor, s: int, scale_columns: bool) -> torch.Tensor:
    """(S, n/s, s, s) diagonal blocks of a butterfly half on s positions -> (S, n/(2s), 2s, 2s).

    Blocks 2t and 2t+1 hold positions p and q = p + s of the pairs the level at stride s joins;
    `level` is that level's (S, n/2, 2, 2) twiddle, pair i = t·s + o holding (a, b; c, d) of
    y_p = a·x_p + b·x_q, y_q = c·x_p + d·x_q. With h the half a block sits in and g the other
    index of the 2 × 2 (both 0 for p, 1 for q):
      scale_columns (diag(top, bottom) · L):  new[(h, r), (g, o)] = block_h[r, o] · coef[o][h][g]
      scale rows    (L · diag(top, bottom)):  new[(g, r), (h, c)] = coef[r][g][h] · block_h[r, c]
    """
    stacks, n = blocks.shape[0], blocks.shape[1] * s
    pairs = blocks.reshape(stacks, n // (2 * s), 2, s, s)  # (S, t, h, r, c)
    coef = level.reshape(stacks, n // (2 * s), s, 2, 2)  # (S, t, o, row half, column half)
    if scale_columns:
        joined = pairs.unsqueeze(-2) * coef.permute(0, 1, 3, 4, 2).unsqueeze(3)  # (S, t, h, r, g, o)
    else:
        joined = coef.permute(0, 1, 3, 2, 4).unsqueeze(-1) * pairs.transpose(2, 3).unsqueeze(2)  # (S, t, g, r, h, c)
    return joined.reshape(stacks, n // (2 * s), 2 * s, 2 * s)


def random_orthogonal_twiddle(stacks: int, n: int, generator=None) -> torch.Tensor:
    """Each 2x2 block a random rotation or reflection (the paper's orthogonal init)."""
    levels = 2 * int(math.log2(n))
    theta = torch.rand(stacks, levels, n // 2, generator=generator) * (2 * math.pi)
    cos, sin = torch.cos(theta), torch.sin(theta)
    reflect = torch.randint(0, 2, (stacks, levels, n // 2), generator=generator).to(cos.dtype) * 2 - 1
    # rotation [[c, -s], [s, c]]; reflection flips the sign of the second row: [[c, -s], [-s, -c]]
    tw = torch.stack((torch.stack((cos, -sin), -1), torch.stack((reflect * sin, reflect * cos), -1)), -2)
    return tw


class KMatrixLayer(nn.Module):
    """Drop-in replacement for nn.Linear(in_features, out_features) built from BB* products.

    ``materialized=True`` (default) evaluates through the dense matrix (fast on GPUs, and the
    gradient is the same); ``False`` applies the levels one by one as the inference kernel does.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.n, self.stacks = kmatrix_geometry(in_features, out_features)
        levels = 2 * int(math.log2(self.n))
        self.twiddle = nn.Parameter(torch.empty(self.stacks, levels, self.n // 2, 2, 2))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        self.materialized = True
        self.weight_override = None  # set by materialize_together() for one training forward
        self._cache, self._cache_key = None, None
        self.reset_parameters()

    def reset_parameters(self):
        with torch.no_grad():
            self.twiddle.copy_(random_orthogonal_twiddle(self.stacks, self.n))
            if self.bias is not None:
                # same range as nn.Linear's bias init
                bound = 1 / math.sqrt(self.in_features)
                self.bias.uniform_(-bound, bound)

    def dense_weight(self) -> torch.Tensor:
        """(in, out) matrix equal to this layer without bias.

        Without autograd (evaluation, search) the matrix is cached until the twiddles change
        (tensor version counter), so a decoding step does not rebuild it."""
        if torch.is_grad_enabled():
            return materialize(self.twiddle, self.in_features, self.out_features)
        key = (self.twiddle._version, self.twiddle.data_ptr(), self.twiddle.device, self.twiddle.dtype)
        if self._cache_key != key:
            self._cache = materialize(self.twiddle, self.in_features, self.out_features).detach()
            self._cache_key = key
        return self._cache

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.weight_override is not None:
            y = x @ self.weight_override.to(x.dtype)
            return y + self.bias if self.bias is not None else y
        if self.materialized:
            y = x @ self.dense_weight()
            return y + self.bias if self.bias is not None else y
        return kmatrix_forward_levels(x, self.twiddle, self.bias, self.out_features)

    def extra_repr(self):
        return f"in={self.in_features}, out={self.out_features}, n={self.n}, stacks={self.stacks}"


def materialize_together(layers):
    """Dense (in, out) weights of many K-matrix layers in one pass per size n.

    Layers of the same n are concatenated along the stack dimension and built together
    (`dense_kmatrices`), then split again: a few dozen tensor operations per training step instead
    of that many per layer.
    """
    by_n = {}
    for layer in layers:
        by_n.setdefault(layer.n, []).append(layer)
    weights = {}
    for n, group in by_n.items():
        k = dense_kmatrices(torch.cat([l.twiddle for l in group], dim=0))  # (total stacks, n, n)
        start = 0
        for l in group:
            part = k[start:start + l.stacks].permute(2, 0, 1)  # rows (j, s, i), as materialize
            start += l.stacks
            weights[l] = combine_outputs(part, l.out_features)[:l.in_features]
    return [weights[l] for l in layers]
