"""DynamicConv Transformer (fairseq `lightconv_iwslt_de_en` semantics, DESIGN.md §2).

Batch-first tensors throughout: (batch, time, channels).  The variants share every line
here except the factory that builds the layers' linear1/linear2/fc1/fc2 (`block_linear`).

The decoder layer is written as small pieces (`conv_step`, `attend`, `ffn_out`) with the four
linear layers between them, because that is exactly how the K-matrix bundle splits the decoder
step between ONNX Runtime (the pieces) and the Java kernel (the linear layers).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from .configs import ModelConfig
from .decoder_state import DecoderState
from .kmatrix import KMatrixLayer, materialize_together

NEG_INF = -1e9  # additive attention bias for padded source positions (finite: safe in bf16 / ONNX)


def sinusoidal_positions(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """fairseq's sinusoidal table: [sin(p*f_0..f_{h-1}), cos(p*f_0..f_{h-1})], f_j = 10000^(-j/(h-1)).

    Positions count from 0 (the first token is position 0); computed, not stored, so the ONNX graphs
    compute them from the step index too.
    """
    half = dim // 2
    freq = torch.exp(torch.arange(half, dtype=torch.float32, device=positions.device)
                     * -(math.log(10000.0) / (half - 1)))
    angles = positions.to(torch.float32).unsqueeze(-1) * freq
    return torch.cat((torch.sin(angles), torch.cos(angles)), dim=-1)


class DynamicConv(nn.Module):
    """Dynamic convolution (Wu et al. 2019) with weight softmax, no bias, H heads.

    Weights for position t come from the conv input at t: softmax over K of a bias-free linear to
    H*K, shared by the C/H channels of each head.  `padding_l` = K-1 (causal decoder) or K//2
    (centred encoder); positions outside the sequence read as zeros, which is also the rule for the
    first decoder steps (softmax over all K logits, no renormalisation).
    """

    def __init__(self, dim, kernel, heads, padding_l, weight_dropout):
        super().__init__()
        self.dim, self.kernel, self.heads, self.padding_l = dim, kernel, heads, padding_l
        self.weight_linear = nn.Linear(dim, heads * kernel, bias=False)
        self.weight_dropout = nn.Dropout(weight_dropout)
        nn.init.xavier_uniform_(self.weight_linear.weight)

    def weights(self, x):
        w = self.weight_linear(x)
        w = w.reshape(*w.shape[:-1], self.heads, self.kernel)
        return self.weight_dropout(torch.softmax(w.float(), dim=-1).to(x.dtype))

    def forward(self, x):
        """Full sequence. x: (B, T, C) -> (B, T, C).

        Tap k of position t reads position t - padding_l + k, so per head the convolution is a
        (T, T) band matrix times the input: band[t, t'] = w[t, t' - t + padding_l] inside the band,
        0 outside (which also reads the positions before and after the sequence as zeros). The
        band is built from the weights by padding each row to T + K and reading the flattened rows
        with a stride one shorter, which shifts row t right by t (plain ONNX Pad/Reshape/Slice).
        Measured against a multiply-accumulate per tap over shifted slices (K Slice/Mul/Add nodes):
        the base-size ONNX encoder 22% faster at batch 1 and 13% at batch 8; stacking the K windows
        instead, a (B, T, C, K) tensor, had made the encoder 5x slower at batch 32."""
        B, T, C = x.shape
        K, H, p = self.kernel, self.heads, self.padding_l
        w = self.weights(x).permute(0, 2, 1, 3)                                   # (B, H, T, K)
        n = T + K - 1
        band = F.pad(w, (0, n + 1 - K)).reshape(B, H, T * (n + 1))[..., :T * n].reshape(B, H, T, n)
        band = band[..., p:p + T]                                                 # (B, H, T, T)
        xh = x.reshape(B, T, H, C // H).transpose(1, 2)                           # (B, H, T, C/H)
        return torch.matmul(band, xh).transpose(1, 2).reshape(B, T, C)

    def step(self, h, state):
        """One causal step. h: (B, C) this step's conv input; state: (B, K-1, C) the previous K-1
        inputs, oldest first (zeros before the sequence starts).  Returns (output, new state)."""
        B, C = h.shape
        window = torch.cat((state, h.unsqueeze(1)), dim=1)  # (B, K, C)
        w = self.weights(h)  # (B, H, K)
        per_head = window.transpose(1, 2).reshape(B, self.heads, C // self.heads, self.kernel)
        out = torch.matmul(per_head, w.unsqueeze(-1))  # (B, H, C/H, 1)
        return out.reshape(B, C), window[:, 1:]

    def step_ring(self, h, ring, order):
        """step() as the engine runs it (docs/bundle-format.md §6): the previous K-1 inputs stay in
        place in a ring, so a step copies no state. h: (B, C); ring: (B, H, K-1, C/H), slot s holding
        the input of the latest position p < n with p ≡ s (mod K-1), per head (zeros before the
        sequence); order: (K-1,) int64, ring_order(K, n). Returns the output (B, C); the caller then
        writes h into slot n mod (K-1) (ring_write).

        Measured against step() in ONNX Runtime at 4 rows, K = 31: 19 vs 51 µs per call, and
        66 vs 134 µs with the caches flushed in between, as in a real step (docs/engine.md): the
        concatenated window, its transpose and the shifted copy were most of the work."""
        C, H, K = self.dim, self.heads, self.kernel
        # Constant shapes (-1 for the rows): no Shape/Gather/Concat chains in the exported graph.
        w = self.weights_step(h)                                                   # (B, H, K)
        past = torch.index_select(w, 2, order)                                     # (B, H, K-1) slot order
        out = torch.matmul(past.unsqueeze(2), ring).reshape(-1, H, C // H)         # (B, H, C/H)
        out = out + w[:, :, K - 1:] * h.reshape(-1, H, C // H)
        return out.reshape(-1, C)

    def weights_step(self, h):
        """weights() of one step's rows, h: (B, C) -> (B, H, K), with constant reshape shapes."""
        w = self.weight_linear(h).reshape(-1, self.heads, self.kernel)
        return self.weight_dropout(torch.softmax(w.float(), dim=-1).to(h.dtype))


def ring_order(kernel, n):
    """DynamicConv.step_ring's `order` at step n: the window index (0 = oldest of the K-1 previous
    inputs) of the input in each ring slot s, (s - n) mod (K-1)."""
    return torch.tensor([(s - n) % (kernel - 1) for s in range(kernel - 1)], dtype=torch.long)


def ring_write(ring, h, n):
    """After step n: h (B, C) into slot n mod (K-1) of ring (B, H, K-1, C/H), in place."""
    B, H, _, Dh = ring.shape
    ring[:, :, n % ring.shape[2], :] = h.reshape(B, H, Dh)


class EncoderDecoderAttention(nn.Module):
    """Multi-head scaled dot-product attention over the encoder output (fairseq MultiheadAttention)."""

    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.q_proj, self.k_proj = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.v_proj, self.out_proj = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.dropout = nn.Dropout(dropout)
        for lin in (self.q_proj, self.k_proj, self.v_proj):
            nn.init.xavier_uniform_(lin.weight, gain=1 / math.sqrt(2))
        nn.init.xavier_uniform_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def split(self, x):  # (B, S, C) -> (B, H, S, Dh)
        return x.reshape(x.shape[0], x.shape[1], self.heads, self.head_dim).transpose(1, 2)

    def keys_values(self, enc):
        """Per-sentence keys and values: (B, H, S, Dh) each, computed once per sentence."""
        return self.split(self.k_proj(enc)), self.split(self.v_proj(enc))

    def forward(self, x, k, v, enc_bias):
        """x: (B, T, C) queries; enc_bias: (B, S) additive (0 or NEG_INF). In a decoder step T is the
        beam: the rows of a sentence query its keys and values together, which are then held once
        per sentence (docs/engine.md, "Keys and values per sentence"). Reshapes read one shape, the
        sentence count from enc_bias, which every layer of a step shares, so the step graphs carry
        one Shape chain."""
        H, Dh = self.heads, self.head_dim
        B = enc_bias.shape[0]
        q = self.q_proj(x).reshape(B, -1, H, Dh).transpose(1, 2) * (Dh ** -0.5)  # (B, H, T, Dh)
        scores = q @ k.transpose(-1, -2) + enc_bias[:, None, None, :].to(q.dtype)
        probs = self.dropout(torch.softmax(scores.float(), dim=-1).to(q.dtype))
        out = (probs @ v).transpose(1, 2).reshape(B, -1, H * Dh)  # (B, T, C)
        return self.out_proj(out)


    def absorb(self, k, v, enc_bias):
        """Folds the query projection into the keys and the output projection into the values, once
        per sentence, for decoding with few rows per sentence (docs/engine.md, "Absorbed attention"):
        a step then reads (S, C) tensors per head and sentence instead of the two C×C projections.
        k, v: (B, H, S, Dh), enc_bias: (B, S) -> bias_q (B, H, 1, S), keys_q (B, H, C, S),
        values_o (B, H, S, C): per head, so a step needs no reshapes (forward_absorbed)."""
        # Heads and head size from the module, not from k.shape: constants in the exported graph,
        # so ONNX Runtime folds the reshaped and permuted weights once at load instead of
        # permuting a C×C matrix per call.
        B, S = k.shape[0], k.shape[2]
        H, Dh = self.heads, self.head_dim
        C = H * Dh
        scale = Dh ** -0.5
        # One 2-D product per head with a constant slice of the weight (ONNX Runtime folds the
        # slices once at load and packs them for its GEMM), not one batched product over the heads,
        # which ONNX Runtime repacks on every call (4x slower on the base model, docs/engine.md).
        # q_h = x W_h^T + b_h, so q_h . k_s = x . (W_h^T k_s) + b_h . k_s
        w_q, w_o = self.q_proj.weight, self.out_proj.weight
        keys_q = torch.stack([torch.matmul(k[:, h], w_q[h * Dh:(h + 1) * Dh]).transpose(1, 2) for h in range(H)],
                             dim=1) * scale                                                     # (B, H, C, S)
        bias_q = torch.matmul(k, self.q_proj.bias.reshape(H, Dh, 1)).squeeze(-1) * scale       # (B, H, S)
        bias_q = (bias_q + enc_bias[:, None, :].to(bias_q.dtype)).unsqueeze(2)                  # (B, H, 1, S)
        # out = sum_h ctx_h W_o[:, h]^T + b_o with ctx_h = sum_s p_hs v_s, so out = sum_hs p_hs (v_s W_o[:, h]^T) + b_o
        values_o = torch.stack([torch.matmul(v[:, h], w_o[:, h * Dh:(h + 1) * Dh].t()) for h in range(H)], dim=1)
        return bias_q, keys_q, values_o

    def forward_absorbed(self, x, bias_q, keys_q, values_o):
        """forward() for one query per row with absorbed tensors. x: (B, k, C), k rows per sentence
        (the beam) -> (B, k, C). Per head: no reshapes, so the step graphs carry no shape arithmetic."""
        scores = torch.matmul(x.unsqueeze(1), keys_q) + bias_q                                  # (B, H, k, S)
        probs = self.dropout(torch.softmax(scores.float(), dim=-1).to(x.dtype))
        return torch.matmul(probs, values_o).sum(1) + self.out_proj.bias                        # (B, k, C)


class EncoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, kernel):
        super().__init__()
        d = cfg.d_model
        self.linear1, self.linear2 = block_linear(cfg, "encoder", d, d), block_linear(cfg, "encoder", d, d)
        self.conv = DynamicConv(d, kernel, cfg.heads, kernel // 2, cfg.weight_dropout)
        self.conv_norm = nn.LayerNorm(d)
        self.fc1, self.fc2 = block_linear(cfg, "encoder", d, cfg.ffn_dim), block_linear(cfg, "encoder", cfg.ffn_dim, d)
        self.ffn_norm = nn.LayerNorm(d)
        self.drop, self.relu_drop = nn.Dropout(cfg.dropout), nn.Dropout(cfg.relu_dropout)

    # --- pieces between the four linear layers (ONNX graphs of a bundle whose encoder has K-matrices) ---
    def conv_block(self, h, pad_mask):
        """h: linear1's output (B, T, C) -> the convolution's output; padding reads as zeros."""
        return self.conv(h.masked_fill(pad_mask.unsqueeze(-1), 0.0))

    def conv_out(self, x, u):
        """x: layer input (residual), u: linear2 output -> the FFN input y."""
        return self.conv_norm(x + self.drop(u))

    def ffn_out(self, y, g):
        """y: FFN input (residual), g: fc2 output -> layer output."""
        return self.ffn_norm(y + self.drop(g))

    def forward(self, x, pad_mask):
        y = self.conv_out(x, self.linear2(self.conv_block(self.linear1(x), pad_mask)))
        return self.ffn_out(y, self.fc2(self.relu_drop(torch.relu(self.fc1(y)))))


# Which layers' linear1, linear2, fc1 and fc2 each variant makes K-matrices: `kmatrix` is the paper's
# setting (DESIGN.md §2), `kmatrix-encoder` a named variant with the encoder's as well.
KMATRIX_PARTS = {"dense": (), "kmatrix": ("decoder",), "kmatrix-encoder": ("encoder", "decoder")}


def has_kmatrix(cfg: ModelConfig, part):
    """Whether `part` ("encoder" or "decoder") of this variant has K-matrix linears."""
    if cfg.variant not in KMATRIX_PARTS:
        raise ValueError(f"unknown variant {cfg.variant!r}")
    return part in KMATRIX_PARTS[cfg.variant]


def block_linear(cfg: ModelConfig, part, fan_in, fan_out):
    """The only line where the variants differ."""
    return KMatrixLayer(fan_in, fan_out) if has_kmatrix(cfg, part) else nn.Linear(fan_in, fan_out)


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, kernel):
        super().__init__()
        d = cfg.d_model
        self.linear1 = block_linear(cfg, "decoder", d, d)
        self.conv = DynamicConv(d, kernel, cfg.heads, kernel - 1, cfg.weight_dropout)
        self.linear2 = block_linear(cfg, "decoder", d, d)
        self.conv_norm = nn.LayerNorm(d)
        self.encoder_attn = EncoderDecoderAttention(d, cfg.heads, cfg.attention_dropout)
        self.attn_norm = nn.LayerNorm(d)
        self.fc1 = block_linear(cfg, "decoder", d, cfg.ffn_dim)
        self.fc2 = block_linear(cfg, "decoder", cfg.ffn_dim, d)
        self.ffn_norm = nn.LayerNorm(d)
        self.drop, self.relu_drop = nn.Dropout(cfg.dropout), nn.Dropout(cfg.relu_dropout)

    # --- pieces between the four linear layers (ONNX graphs of the K-matrix bundle) ---
    def attend(self, x, u, k, v, enc_bias):
        """x: layer input (residual), u: linear2 output -> the FFN input y."""
        x = self.conv_norm(x + self.drop(u))
        return self.attn_norm(x + self.drop(self.encoder_attn(x, k, v, enc_bias)))

    def attend_absorbed(self, x, u, bias_q, keys_q, values_o):
        """attend() for one query per row, x and u (B, k, C), with EncoderDecoderAttention.absorb's tensors."""
        x = self.conv_norm(x + self.drop(u))
        return self.attn_norm(x + self.drop(self.encoder_attn.forward_absorbed(x, bias_q, keys_q, values_o)))

    def ffn_out(self, y, g):
        """y: FFN input (residual), g: fc2 output -> layer output."""
        return self.ffn_norm(y + self.drop(g))

    def ffn(self, y):
        return self.fc2(self.relu_drop(torch.relu(self.fc1(y))))

    def forward(self, x, k, v, enc_bias):
        """Full target sequence (training / scoring). x: (B, T, C)."""
        u = self.linear2(self.conv(self.linear1(x)))
        y = self.attend(x, u, k, v, enc_bias)
        return self.ffn_out(y, self.ffn(y))

    def step(self, x, conv_state, k, v, enc_bias):
        """One incremental step. x: (B, C). Returns (layer output, new conv state)."""
        c, conv_state = self.conv.step(self.linear1(x), conv_state)
        y = self.attend(x.unsqueeze(1), self.linear2(c).unsqueeze(1), k, v, enc_bias)
        return self.ffn_out(y, self.ffn(y)).squeeze(1), conv_state

    def step_ring(self, x, ring, order, attend):
        """step() over a conv ring (DynamicConv.step_ring), the engine's form. attend(y_in, u) is this
        layer's attention piece. Returns (layer output, this step's conv input h for the ring)."""
        h = self.linear1(x)
        y = attend(x, self.linear2(self.conv.step_ring(h, ring, order)))
        return self.ffn_out(y, self.ffn(y)), h

    def step_absorbed(self, x, conv_state, absorbed):
        """step() with the attention absorbed: `absorbed` = (bias_q, keys_q, values_o) of this layer."""
        c, conv_state = self.conv.step(self.linear1(x), conv_state)
        y = self.attend_absorbed(*by_sentence(absorbed[1], self.conv.dim, x, self.linear2(c)), *absorbed).reshape(x.shape)
        return self.ffn_out(y, self.ffn(y)), conv_state


def by_sentence(per_sentence, dim, *rows):
    """Row tensors (R, dim) as (B, k, dim), B the first dimension of `per_sentence` (a tensor held
    once per sentence: enc_bias or an absorbed tensor); dim is a constant, so the exported graph
    reads one shape only (the sentence count)."""
    sentences = per_sentence.shape[0]
    return [r.reshape(sentences, -1, dim) for r in rows]


class DynamicConvTransformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        # One matrix for source embeddings, target embeddings and the output projection.
        self.embed_tokens = nn.Embedding(cfg.vocab_size, d, padding_idx=cfg.pad_id)
        nn.init.normal_(self.embed_tokens.weight, mean=0.0, std=d ** -0.5)
        with torch.no_grad():
            self.embed_tokens.weight[cfg.pad_id].zero_()
        self.embed_scale = math.sqrt(d)
        self.encoder = nn.Module()
        self.encoder.layers = nn.ModuleList(EncoderLayer(cfg, k) for k in cfg.encoder_kernels)
        self.decoder = nn.Module()
        self.decoder.layers = nn.ModuleList(DecoderLayer(cfg, k) for k in cfg.decoder_kernels)
        self.drop = nn.Dropout(cfg.dropout)
        for name, m in self.named_modules():
            # fairseq's Linear(): Xavier-uniform weights, zero bias (attention and conv-weight
            # projections have their own init above)
            if isinstance(m, nn.Linear) and "encoder_attn" not in name and "weight_linear" not in name:
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def set_kmatrix_materialized(self, flag: bool):
        for m in self.modules():
            if isinstance(m, KMatrixLayer):
                m.materialized = flag

    def embed(self, tokens, positions):
        x = self.embed_tokens(tokens) * self.embed_scale
        return self.drop(x + sinusoidal_positions(positions, self.cfg.d_model).to(x.dtype))

    def embed_step(self, tokens, step):
        """embed() of one decoding step: tokens (R,), step (1,) the position of every row; the one
        position's encoding is broadcast over the rows (no shape arithmetic in the step graphs)."""
        x = self.embed_tokens(tokens) * self.embed_scale
        return self.drop(x + sinusoidal_positions(step, self.cfg.d_model).to(x.dtype))

    def encode(self, src):
        """src: (B, S) ids, right-padded with pad_id.
        Returns encoder output (B, S, C) and the additive source bias (B, S): 0 or NEG_INF at pads."""
        x, enc_bias = self.embed_source(src)
        pad_mask = src.eq(self.cfg.pad_id)
        for layer in self.encoder.layers:
            x = layer(x, pad_mask)
        return x, enc_bias

    def embed_source(self, src):
        """The encoder's input for src (B, S): its embeddings (B, S, C) and the source bias (B, S)."""
        pad_mask = src.eq(self.cfg.pad_id)
        positions = torch.arange(src.shape[1], device=src.device).unsqueeze(0)
        enc_bias = torch.zeros(pad_mask.shape, dtype=torch.float32, device=src.device)
        return self.embed(src, positions), enc_bias.masked_fill(pad_mask, NEG_INF)

    def encoder_keys_values(self, enc):
        return [layer.encoder_attn.keys_values(enc) for layer in self.decoder.layers]

    def absorb_attention(self, keys, values, enc_bias):
        """Per decoder layer (bias_q, keys_q, values_o): EncoderDecoderAttention.absorb."""
        return [layer.encoder_attn.absorb(k, v, enc_bias) for layer, k, v in zip(self.decoder.layers, keys, values)]

    def output_log_probs(self, x):
        logits = x @ self.embed_tokens.weight.t().to(x.dtype)
        return torch.log_softmax(logits.float(), dim=-1)

    def decode(self, prev_tokens, enc, enc_bias):
        """Full target sequence, teacher-forced. prev_tokens: (B, T) starting with bos.
        Returns logits (B, T, V)."""
        positions = torch.arange(prev_tokens.shape[1], device=prev_tokens.device).unsqueeze(0)
        x = self.embed(prev_tokens, positions)
        for layer, (k, v) in zip(self.decoder.layers, self.encoder_keys_values(enc)):
            x = layer(x, k, v, enc_bias)
        return x @ self.embed_tokens.weight.t().to(x.dtype)

    def forward(self, src, prev_tokens):
        """Teacher-forced logits (B, T, V).  K-matrix weights are materialised once for the whole
        forward (grouped by size), so training costs about the same as the dense model."""
        kmat = [m for m in self.modules() if isinstance(m, KMatrixLayer)]
        if kmat and all(m.materialized for m in kmat):
            for m, w in zip(kmat, materialize_together(kmat)):
                m.weight_override = w
        try:
            enc, enc_bias = self.encode(src)
            return self.decode(prev_tokens, enc, enc_bias)
        finally:
            for m in kmat:
                m.weight_override = None

    # --- incremental decoding ---
    def init_state(self, enc, enc_bias) -> DecoderState:
        B = enc.shape[0]
        conv = [enc.new_zeros(B, layer.conv.kernel - 1, self.cfg.d_model) for layer in self.decoder.layers]
        kv = self.encoder_keys_values(enc)
        return DecoderState(conv=conv, keys=[k for k, _ in kv], values=[v for _, v in kv],
                            enc_bias=enc_bias, step=0)

    def decode_step(self, tokens, state: DecoderState):
        """tokens: (B,) the previous token of each row. Returns (log-probs (B, V), new state)."""
        pos = torch.full((tokens.shape[0],), state.step, dtype=torch.long, device=tokens.device)
        log_probs, new_conv = self.step_layers(self.embed(tokens, pos), state.conv, state.keys,
                                               state.values, state.enc_bias)
        return log_probs, state.advance(new_conv)

    def step_layers(self, x, conv, keys, values, enc_bias):
        """The decoder step after the embedding: x (B, C) -> (log-probs (B, V), new conv states)."""
        x, new_conv = self.step_hidden(x, conv, keys, values, enc_bias)
        return self.output_log_probs(x), new_conv

    def step_hidden(self, x, conv, keys, values, enc_bias):
        """The decoder layers of one step: x (B, C) -> (last layer's output (B, C), new conv states)."""
        new_conv = []
        for i, layer in enumerate(self.decoder.layers):
            x, c = layer.step(x, conv[i], keys[i], values[i], enc_bias)
            new_conv.append(c)
        return x, new_conv

    def step_hidden_ring(self, x, rings, orders, keys=None, values=None, enc_bias=None, absorbed=None):
        """step_hidden() (or, given `absorbed`, step_hidden_absorbed()) over conv rings, as the engine's
        graphs compute it: x (R, C) -> (last layer's output, each layer's conv input h). Keys,
        values and enc_bias are per sentence, (B, ...), the R rows being B groups of R / B (the beam)."""
        inputs = []
        C = self.cfg.d_model
        for i, layer in enumerate(self.decoder.layers):
            # The sentence count from one tensor for every layer, so ONNX Runtime's common
            # subexpression elimination leaves one Shape/Gather chain in the dense step graph.
            if absorbed is None:
                def attend(y, u, layer=layer, i=i):
                    return layer.attend(*by_sentence(enc_bias, C, y, u), keys[i], values[i], enc_bias).reshape(-1, C)
            else:
                def attend(y, u, layer=layer, i=i):
                    return layer.attend_absorbed(*by_sentence(absorbed[0][1], C, y, u), *absorbed[i]).reshape(-1, C)
            x, h = layer.step_ring(x, rings[i], orders[i], attend)
            inputs.append(h)
        return x, inputs

    def step_hidden_absorbed(self, x, conv, absorbed):
        """step_hidden() with every layer's attention absorbed (absorb_attention)."""
        new_conv = []
        for i, layer in enumerate(self.decoder.layers):
            x, c = layer.step_absorbed(x, conv[i], absorbed[i])
            new_conv.append(c)
        return x, new_conv


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
