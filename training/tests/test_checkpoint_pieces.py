"""Checkpoints split into float16 pieces for the trip back from the GPU machine, and joined here."""
import os

import pytest
import torch

from training import safetensors_io
from training.checkpoint_pieces import join, split
from training.safetensors_io import MAX_SHARD_BYTES


def write_checkpoint(path, scale=1.0):
    g = torch.Generator().manual_seed(0)
    model = {
        # 3 x 6 MiB in float16: more than one 15 MiB piece
        "big.a": torch.randn(3 * 2 ** 20, generator=g) * scale,
        "big.b": torch.randn(1024, 3 * 2 ** 10, generator=g) * scale,
        "big.c": torch.randn(3 * 2 ** 20, generator=g) * scale,
        "small.weight": torch.tensor([[0.1, -2.5], [65504.0, 3.0e-5]]),
        "counter": torch.tensor([7, 8], dtype=torch.int64),
    }
    ckpt = {"model": model, "step": 1234, "variant": "kmatrix", "spm": "/far/away/spm.model",
            "model_config": {"d_model": 512}, "training": {"steps": 1234, "train_wall_s": 420.5}}
    torch.save(ckpt, path)
    return ckpt


def test_pieces_join_to_the_float16_weights_and_the_same_fields(tmp_path):
    ckpt = write_checkpoint(tmp_path / "c.pt")
    files = split(str(tmp_path / "c.pt"), str(tmp_path / "pieces"))
    assert files == ["weights-00001-of-00002.safetensors", "weights-00002-of-00002.safetensors"]
    assert all(os.path.getsize(tmp_path / "pieces" / f) <= MAX_SHARD_BYTES for f in files)
    joined = join(str(tmp_path / "pieces"), str(tmp_path / "back.pt"), spm_path=str(tmp_path / "spm.model"))
    on_disk = torch.load(tmp_path / "back.pt")
    for ck in (joined, on_disk):
        assert set(ck["model"]) == set(ckpt["model"])
        for name, original in ckpt["model"].items():
            if original.is_floating_point():
                assert ck["model"][name].dtype == torch.float32
                assert torch.equal(ck["model"][name], original.half().float()), name
            else:
                assert torch.equal(ck["model"][name], original)
        assert ck["step"] == 1234 and ck["variant"] == "kmatrix"
        assert ck["model_config"] == {"d_model": 512} and ck["training"]["train_wall_s"] == 420.5
        assert ck["spm"] == os.path.abspath(tmp_path / "spm.model")
    assert torch.equal(on_disk["model"]["small.weight"], torch.tensor([[0.0999755859375, -2.5], [65504.0, 2.998e-5]]).half().float())


def test_join_refuses_a_missing_piece(tmp_path):
    write_checkpoint(tmp_path / "c.pt")
    split(str(tmp_path / "c.pt"), str(tmp_path / "pieces"))
    os.remove(tmp_path / "pieces" / "weights-00002-of-00002.safetensors")
    with pytest.raises(ValueError, match=r"2 pieces expected, missing \['weights-00002-of-00002.safetensors'\]"):
        join(str(tmp_path / "pieces"), str(tmp_path / "back.pt"))
    assert not (tmp_path / "back.pt").exists()


def test_join_refuses_an_altered_piece(tmp_path):
    write_checkpoint(tmp_path / "c.pt")
    split(str(tmp_path / "c.pt"), str(tmp_path / "pieces"))
    path = tmp_path / "pieces" / "weights-00001-of-00002.safetensors"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="do not match their digest"):
        join(str(tmp_path / "pieces"), str(tmp_path / "back.pt"))


def test_join_refuses_pieces_of_two_checkpoints(tmp_path):
    write_checkpoint(tmp_path / "one.pt")
    write_checkpoint(tmp_path / "two.pt", scale=2.0)
    split(str(tmp_path / "one.pt"), str(tmp_path / "one"))
    split(str(tmp_path / "two.pt"), str(tmp_path / "two"))
    os.replace(tmp_path / "two" / "weights-00002-of-00002.safetensors",
               tmp_path / "one" / "weights-00002-of-00002.safetensors")
    with pytest.raises(ValueError, match="different checkpoints"):
        join(str(tmp_path / "one"), str(tmp_path / "back.pt"))


def test_split_refuses_a_directory_with_pieces_in_it(tmp_path):
    write_checkpoint(tmp_path / "c.pt")
    split(str(tmp_path / "c.pt"), str(tmp_path / "pieces"))
    with pytest.raises(ValueError, match="already holds pieces"):
        split(str(tmp_path / "c.pt"), str(tmp_path / "pieces"))


def test_pieces_record_the_fields_and_digest(tmp_path):
    write_checkpoint(tmp_path / "c.pt")
    split(str(tmp_path / "c.pt"), str(tmp_path / "pieces"))
    metas = [safetensors_io.load_metadata(tmp_path / "pieces" / f"weights-0000{i}-of-00002.safetensors")
             for i in (1, 2)]
    assert metas[0] == metas[1]
    assert set(metas[0]) == {"checkpoint", "digest"}
    assert '"step": 1234' in metas[0]["checkpoint"] and '"model"' not in metas[0]["checkpoint"]
