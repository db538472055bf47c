"""safetensors writer/reader: exact byte layout and round trip."""
import json
import struct

import torch

from training import safetensors_io


def test_round_trip(tmp_path):
    tensors = {"a.weight": torch.randn(3, 4), "b.half": torch.randn(5).half(),
               "ids": torch.tensor([1, -2, 3], dtype=torch.int64), "scalar": torch.tensor(2.5)}
    path = tmp_path / "t.safetensors"
    offsets = safetensors_io.save_file(tensors, path, {"k": "v"})
    back = safetensors_io.load_file(path)
    assert list(back) == list(tensors)
    for name, t in tensors.items():
        assert back[name].dtype == t.dtype and torch.equal(back[name], t)
    assert safetensors_io.load_metadata(path) == {"k": "v"}
    raw = path.read_bytes()
    assert raw[offsets["a.weight"]:offsets["a.weight"] + 48] == tensors["a.weight"].numpy().tobytes()


def test_byte_layout(tmp_path):
    path = tmp_path / "x.safetensors"
    safetensors_io.save_file({"x": torch.tensor([1.0, 2.0])}, path)
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0  # data section 8-byte aligned
    header = json.loads(raw[8:8 + n])
    assert header == {"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    assert raw[8 + n:] == struct.pack("<2f", 1.0, 2.0)
