"""Minimal safetensors reader/writer (no safetensors package on these machines).

File layout: 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON
{name: {"dtype": "F32"|"F16"|"BF16"|"I64"|"I32", "shape": [...], "data_offsets": [begin, end]},
 "__metadata__": {str: str}}, then the raw little-endian tensor bytes; offsets are relative to the
first byte after the header.  The header is padded with spaces to a multiple of 8 bytes so every
tensor starts 8-byte aligned (readers may map the data directly).

write_shards packs tensors into files of at most 15 MiB: a bundle's weights, and the pieces a
checkpoint travels in from the GPU machine (checkpoint_pieces.py).
"""
import json
import os
import struct

import numpy as np
import torch

_DTYPES = {  # safetensors code -> (torch dtype, numpy dtype, bytes per element)
    "F32": (torch.float32, np.dtype("<f4")),
    "F16": (torch.float16, np.dtype("<f2")),
    "I64": (torch.int64, np.dtype("<i8")),
    "I32": (torch.int32, np.dtype("<i4")),
    "U8": (torch.uint8, np.dtype("u1")),
}
_BY_TORCH = {t: code for code, (t, _) in _DTYPES.items()}
MAX_SHARD_BYTES = 15 * 1024 * 1024  # a bundle's shards, and the pieces a checkpoint travels in


def _tensor_bytes(t: torch.Tensor) -> bytes:
    return t.detach().cpu().contiguous().numpy().astype(_DTYPES[_BY_TORCH[t.dtype]][1], copy=False).tobytes()


def layout(tensors: dict, metadata: dict = None):
    """Header dict and the (name, begin, end) byte ranges relative to the data section, in order."""
    header, ranges, pos = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        if t.dtype not in _BY_TORCH:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        size = t.numel() * t.element_size()
        header[name] = {"dtype": _BY_TORCH[t.dtype], "shape": list(t.shape), "data_offsets": [pos, pos + size]}
        ranges.append((name, pos, pos + size))
        pos += size
    return header, ranges


def encode_header(header: dict) -> bytes:
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-(8 + len(raw)) % 8)
    return struct.pack("<Q", len(raw)) + raw


def save_file(tensors: dict, path, metadata: dict = None):
    """Write tensors (insertion order kept). Returns {name: absolute byte offset of its data}."""
    header, ranges = layout(tensors, metadata)
    head = encode_header(header)
    with open(path, "wb") as f:
        f.write(head)
        for name, t in tensors.items():
            f.write(_tensor_bytes(t))
    return {name: len(head) + begin for name, begin, _ in ranges}


def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    return header, 8 + n


def load_file(path) -> dict:
    header, data_start = read_header(path)
    with open(path, "rb") as f:
        f.seek(data_start)
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        torch_dtype, np_dtype = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=np_dtype).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def load_metadata(path) -> dict:
    return read_header(path)[0].get("__metadata__", {})


def shard_bytes(tensors: dict, metadata: dict = None) -> int:
    """The exact size of a shard holding these tensors: its header as written, then the data."""
    header, ranges = layout(tensors, metadata)
    return len(encode_header(header)) + (ranges[-1][2] if ranges else 0)


def write_shards(tensors, out_dir, metadata):
    """Pack tensors in order into shards of at most 15 MiB. Returns ({name: (file, abs offset,
    nbytes)}, [file names]). Each split is decided on the shard's exact size, header included
    (the header grows by 80-90 bytes per tensor, plus the metadata: a guess was once too low)."""
    groups, current = [], {}
    for name, t in tensors.items():
        if shard_bytes({name: t}, metadata) > MAX_SHARD_BYTES:
            raise ValueError(f"{name} ({t.numel() * t.element_size()} bytes) does not fit a 15 MiB shard"
                             " (a base-size model exports as float16)")
        if current and shard_bytes({**current, name: t}, metadata) > MAX_SHARD_BYTES:
            groups.append(current)
            current = {}
        current[name] = t
    if current:
        groups.append(current)
    where, files = {}, []
    for i, group in enumerate(groups):
        fname = f"weights-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        offsets = save_file(group, os.path.join(out_dir, fname), metadata)
        written = os.path.getsize(os.path.join(out_dir, fname))
        if written > MAX_SHARD_BYTES:   # a raise, not an assert: python -O must not let one through
            raise RuntimeError(f"{fname}: {written} bytes, over the {MAX_SHARD_BYTES}-byte shard limit")
        for name, t in group.items():
            where[name] = (fname, offsets[name], t.numel() * t.element_size())
        files.append(fname)
    return where, files
