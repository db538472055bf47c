"""A trained checkpoint in pieces small enough to travel, and back.

The GPU machine that trains the base models (training/device_train.sh) hands back at most 8 files
of 16 MiB, 64 MiB together, per call; and its PyTorch is newer than this machine's, whose exporter
the bundles are made with. So the device run leaves each averaged checkpoint as float16 safetensors
pieces of at most 15 MiB (the bundle's own shard format and precision: a bundle stores every weight
in float16, so nothing it will hold is lost), and this machine joins them into a checkpoint that
`training.export` reads.

    python3 -m training.checkpoint_pieces split --checkpoint RUN/dense/checkpoint_avg.pt --out DIR
    python3 -m training.checkpoint_pieces join --pieces DIR --out RUN/dense/checkpoint_avg.pt \\
        --spm RUN/spm.model

Every piece carries the checkpoint's other fields (config, steps, corpus hash, ...) as JSON and a
digest of all the pieces' tensors; `join` refuses a missing, extra, foreign or altered piece.
"""
import argparse
import glob
import hashlib
import json
import os
import re

import torch

from . import safetensors_io
from .safetensors_io import write_shards

PIECE = re.compile(r"^weights-(\d{5})-of-(\d{5})\.safetensors$")


def tensors_digest(tensors):
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        h.update(f"{name}|{t.dtype}|{list(t.shape)}|".encode("utf-8"))
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def split(checkpoint_path, out_dir):
    """Writes the checkpoint's weights as float16 pieces into out_dir; returns the file names."""
    ckpt = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
    tensors = {name: t.detach().to(torch.float16).contiguous() if t.is_floating_point() else t.contiguous()
               for name, t in ckpt["model"].items()}
    fields = {k: v for k, v in ckpt.items() if k != "model"}
    os.makedirs(out_dir, exist_ok=True)
    stale = [f for f in os.listdir(out_dir) if PIECE.match(f)]
    if stale:
        raise ValueError(f"{out_dir} already holds pieces ({', '.join(sorted(stale))})")
    metadata = {"checkpoint": json.dumps(fields), "digest": tensors_digest(tensors)}
    _, files = write_shards(tensors, out_dir, metadata)
    return files


def join(pieces_dir, out_path, spm_path=None):
    """Reassembles the checkpoint (weights widened to float32) and writes it to out_path; `spm_path`
    replaces the tokenizer path recorded on the machine that trained it. Returns the checkpoint."""
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(pieces_dir, "weights-*.safetensors")))
    if not names:
        raise ValueError(f"{pieces_dir}: no weights-NNNNN-of-NNNNN.safetensors pieces")
    counts = {int(PIECE.match(n).group(2)) if PIECE.match(n) else None for n in names}
    if None in counts or len(counts) != 1:
        raise ValueError(f"{pieces_dir}: pieces of different sets or stray files: {names}")
    count = counts.pop()
    expected = [f"weights-{i:05d}-of-{count:05d}.safetensors" for i in range(1, count + 1)]
    if names != expected:
        missing = sorted(set(expected) - set(names))
        raise ValueError(f"{pieces_dir}: {count} pieces expected, missing {missing}")
    tensors, fields, digests = {}, set(), set()
    for name in names:
        path = os.path.join(pieces_dir, name)
        meta = safetensors_io.load_metadata(path)
        fields.add(meta.get("checkpoint"))
        digests.add(meta.get("digest"))
        for key, t in safetensors_io.load_file(path).items():
            if key in tensors:
                raise ValueError(f"{path}: tensor {key} appears in two pieces")
            tensors[key] = t
    if len(fields) != 1 or len(digests) != 1 or None in fields or None in digests:
        raise ValueError(f"{pieces_dir}: the pieces come from different checkpoints")
    digest = digests.pop()
    if tensors_digest(tensors) != digest:
        raise ValueError(f"{pieces_dir}: the pieces' tensors do not match their digest (altered or truncated)")
    ckpt = json.loads(fields.pop())
    if spm_path:
        ckpt["spm"] = os.path.abspath(spm_path)
    ckpt["model"] = {k: t.float() if t.is_floating_point() else t for k, t in tensors.items()}
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    torch.save(ckpt, out_path)
    return ckpt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("split", help="checkpoint -> float16 pieces of at most 15 MiB")
    s.add_argument("--checkpoint", required=True)
    s.add_argument("--out", required=True, help="directory for the pieces (must hold none yet)")
    j = sub.add_parser("join", help="pieces -> checkpoint (float32)")
    j.add_argument("--pieces", required=True, help="directory holding all pieces of one checkpoint")
    j.add_argument("--out", required=True, help="checkpoint file to write")
    j.add_argument("--spm", help="this machine's copy of the SentencePiece model the run trained with")
    args = ap.parse_args()
    if args.command == "split":
        files = split(args.checkpoint, args.out)
        total = sum(os.path.getsize(os.path.join(args.out, f)) for f in files)
        print(f"{args.out}: {len(files)} pieces, {total / 2 ** 20:.1f} MiB")
    else:
        ckpt = join(args.pieces, args.out, args.spm)
        print(f"{args.out}: {len(ckpt['model'])} tensors, step {ckpt.get('step')}, variant {ckpt.get('variant')}")


if __name__ == "__main__":
    main()
