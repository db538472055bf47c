"""Cached decoder state for incremental decoding (what the Java engine carries between steps)."""
from dataclasses import dataclass, replace
from typing import List

import torch


@dataclass
class DecoderState:
    """Per decoder layer: `conv` (B, K-1, C) the last K-1 conv inputs (post-linear1), oldest first,
    zeros before the first step; `keys`/`values` (B, H, S, Dh) the encoder-decoder attention
    keys/values, computed once per sentence.  `enc_bias` (B, S) is 0 or -1e9 at source padding;
    `step` is the position of the next token (0 for the bos step)."""
    conv: List[torch.Tensor]
    keys: List[torch.Tensor]
    values: List[torch.Tensor]
    enc_bias: torch.Tensor
    step: int

    def advance(self, new_conv):
        return replace(self, conv=new_conv, step=self.step + 1)

    def select(self, rows: torch.Tensor) -> "DecoderState":
        """Reorder/duplicate rows (beam search): row i of the result is row rows[i] of self."""
        pick = lambda t: t.index_select(0, rows)
        return DecoderState(conv=[pick(c) for c in self.conv], keys=[pick(k) for k in self.keys],
                            values=[pick(v) for v in self.values], enc_bias=pick(self.enc_bias),
                            step=self.step)
