"""Train one model (dense or kmatrix) and leave an averaged checkpoint.

Recipe (DESIGN §3): Adam (0.9, 0.98), inverse-sqrt warm-up and decay (an optional cool-down at the
end, schedule.py), label smoothing 0.1, dropout 0.3 / 0.1, bf16 autocast on GPU, batches built once
by token budget, average of the last N checkpoints.

    /usr/bin/python3 -m training.train --config tiny --variant dense --spm RUN/spm.model --out RUN/dense
"""
import argparse
import contextlib
import glob
import hashlib
import json
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from . import tokenizer
from .configs import CONFIGS, PAD_ID, get_config, ModelConfig
from .data import load_split, token_budget_batches
from .kmatrix import KMatrixLayer
from .model import KMATRIX_PARTS, DynamicConvTransformer, count_parameters
from .schedule import LearningRateSchedule


def corpus_hash(corpus_dir):
    """stats.json's corpus_sha256 (SHA-256 of train+valid+test.tsv concatenated), else the same
    hash computed here."""
    stats = os.path.join(corpus_dir, "stats.json")
    if os.path.exists(stats):
        with open(stats) as f:
            s = json.load(f)
        if isinstance(s.get("corpus_sha256"), str):
            return s["corpus_sha256"]
    paths = [os.path.join(corpus_dir, f"{split}.tsv") for split in ("train", "valid", "test")]
    return sha256_files([p for p in paths if os.path.exists(p)])


def sha256_files(paths):
    """SHA-256 of the files' bytes, concatenated in this order."""
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def param_groups(model, weight_decay):
    """Twiddles, biases, norms and embeddings get no weight decay (twiddles per DESIGN §2)."""
    decay, no_decay = [], []
    twiddles = {id(m.twiddle) for m in model.modules() if isinstance(m, KMatrixLayer)}
    for name, p in model.named_parameters():
        if id(p) in twiddles or p.dim() < 2 or "embed" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def average_checkpoints(paths):
    avg = None
    for p in paths:
        sd = torch.load(p, map_location="cpu", weights_only=False)["model"]
        if avg is None:
            avg = {k: v.clone().double() for k, v in sd.items()}
        else:
            for k, v in sd.items():
                avg[k] += v.double()
    return {k: (v / len(paths)).float() for k, v in avg.items()}


def smoothed_loss(logits, target, smoothing):
    """(label-smoothed loss, plain nll), both summed over the non-padding targets: what
    F.cross_entropy(..., label_smoothing=smoothing) and F.cross_entropy(...) give, from one
    log-softmax instead of two. The logits of a batch (tokens × vocabulary, ~0.5 GB at base size on
    the GPU, 100 MB for the small config) are the largest tensor of a step, and the second pass over
    them cost about 4% of a small training step on one core."""
    lprobs = F.log_softmax(logits, dim=-1)
    nll = F.nll_loss(lprobs, target, ignore_index=PAD_ID, reduction="sum")
    uniform = -(lprobs.sum(dim=-1) * (target != PAD_ID)).sum() / lprobs.shape[-1]
    return (1 - smoothing) * nll + smoothing * uniform, nll


def training_batches(sp, spm_path, corpus_dir, tcfg, cache_path=None):
    """(pairs kept, token-budget batches on the CPU, where they came from) for this config.

    Tokenising the whole base corpus takes minutes of one core; runs that train several models on
    the same data (training/device_train.sh) build the batches once into `cache_path` and read them
    from there. The cache is used only when its key (corpus, tokenizer and the settings that shape
    the batches) equals this run's; otherwise it is rebuilt and overwritten."""
    key = {"corpus_hash": corpus_hash(corpus_dir), "spm_sha256": sha256_files([spm_path]),
           "train_slice": tcfg.train_slice, "max_len": tcfg.max_len, "max_tokens": tcfg.max_tokens,
           "seed": tcfg.seed}
    if cache_path and os.path.exists(cache_path):
        cached = torch.load(cache_path, weights_only=False)
        if cached.get("key") == key:
            return cached["pairs"], cached["batches"], f"read from {cache_path}"
    _, train = load_split(sp, os.path.join(corpus_dir, "train.tsv"), tcfg.train_slice, tcfg.max_len,
                          shuffle_seed=tcfg.seed)
    batches = token_budget_batches(train, tcfg.max_tokens, tcfg.seed)
    if cache_path:
        os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
        torch.save({"key": key, "pairs": len(train), "batches": batches}, cache_path + ".tmp")
        os.replace(cache_path + ".tmp", cache_path)
    return len(train), batches, "built"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", default="tiny", choices=sorted(CONFIGS))
    ap.add_argument("--variant", default="dense", choices=list(KMATRIX_PARTS))
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--spm", required=True, help="SentencePiece .model (train it with training.tokenizer)")
    ap.add_argument("--out", required=True, help="run directory (checkpoints, log)")
    ap.add_argument("--steps", type=int, help="override the config's step count")
    ap.add_argument("--cooldown", type=int, help="override: the run's last N steps take the learning rate "
                                                 "linearly down to zero (0 = none)")
    ap.add_argument("--cooldown-minutes", type=float, help="override: the last N minutes of a --max-minutes run "
                                                           "take the learning rate linearly down to zero")
    ap.add_argument("--max-minutes", type=float, default=0, help="stop after this wall time (0 = no limit)")
    ap.add_argument("--train-slice", type=int, help="override: use the first N shuffled train pairs")
    ap.add_argument("--max-tokens", type=int, help="override the token budget per batch")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = leave default)")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--data-cache", help="file holding the tokenised batches: read when it was built from the "
                                         "same corpus, tokenizer and settings, else built and written")
    ap.add_argument("--resume", help="a checkpoint of this run (same config and variant) to continue from, up to "
                    "--steps: its weights, optimizer, schedule, random state and place in the batch order")
    ap.add_argument("--init-from", metavar="BUNDLE",
                    help="a bundle (models/NAME) of this config and variant, with this --spm: its weights start the "
                         "run at the step it was trained to, Adam's moments from zero (to continue a shipped model "
                         "whose checkpoints are gone, e.g. on a rebuilt corpus; --steps must be beyond that step)")
    ap.add_argument("--prepare-only", action="store_true",
                    help="build the batches (and --data-cache), then stop: for runs that share them")
    args = ap.parse_args()
    if args.resume and args.init_from:
        ap.error("--resume and --init-from exclude each other: a resumed run already has its weights")

    mcfg, tcfg = get_config(args.config, args.variant)
    for field, value in (("steps", args.steps), ("cooldown", args.cooldown),
                         ("cooldown_minutes", args.cooldown_minutes), ("train_slice", args.train_slice),
                         ("max_tokens", args.max_tokens), ("seed", args.seed)):
        if value is not None:
            setattr(tcfg, field, value)
    if not 0 <= tcfg.cooldown < tcfg.steps:
        ap.error(f"--cooldown {tcfg.cooldown} must be at least 0 and below --steps {tcfg.steps}")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(tcfg.seed)
    random.seed(tcfg.seed)
    os.makedirs(args.out, exist_ok=True)
    device = torch.device(args.device)
    on_gpu = device.type == "cuda"
    if on_gpu:
        torch.backends.cuda.matmul.allow_tf32 = True

    t0 = time.time()
    sp = tokenizer.load(args.spm)
    mcfg.vocab_size = sp.get_piece_size()
    pairs, batches, source = training_batches(sp, args.spm, args.corpus, tcfg, args.data_cache)
    n_tok = sum(b["ntokens"] for b in batches)
    print(f"data: {pairs} pairs, {len(batches)} batches, {n_tok} target tokens per epoch, "
          f"{source} in {time.time() - t0:.1f} s", flush=True)
    if args.prepare_only:
        return
    batches = [{k: (v.to(device) if torch.is_tensor(v) else v) for k, v in b.items()} for b in batches]

    model = DynamicConvTransformer(mcfg).to(device)
    print(f"model: {args.variant}, {count_parameters(model)} parameters", flush=True)
    opt = torch.optim.Adam(param_groups(model, tcfg.weight_decay), lr=tcfg.lr, betas=tcfg.betas,
                           eps=1e-8)
    try:
        schedule = LearningRateSchedule(tcfg.warmup, tcfg.steps, tcfg.cooldown, args.max_minutes,
                                        tcfg.cooldown_minutes)
    except ValueError as e:
        ap.error(str(e))
    # Through a lambda: LambdaLR saves a callable object's attributes in its state and a resume would
    # put the old run's settings (cool-down, clock) back into this one's schedule.
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda updates_done: schedule(updates_done))

    meta = {"config": args.config, "variant": args.variant, "model_config": mcfg.to_dict(),
            "train_config": {k: v for k, v in vars(tcfg).items()}, "spm": os.path.abspath(args.spm),
            "corpus_hash": corpus_hash(args.corpus), "seed": tcfg.seed}
    log = open(os.path.join(args.out, "train.log"), "a")
    step, saved = 0, []
    if args.resume:
        step = resume(args.resume, model, opt, sched, meta)
        saved = earlier_checkpoints(args.out, step)
        print(f"resumed from {args.resume} at step {step}", flush=True)
        log.write(f"resumed from {args.resume} at step {step}\n")
    elif args.init_from:
        step = init_from_bundle(args.init_from, model, opt, sched, meta)
        if step >= tcfg.steps:
            raise SystemExit(f"{args.init_from} was trained to step {step}: --steps {tcfg.steps} leaves nothing to do")
        print(f"initialised from {args.init_from} at step {step}", flush=True)
        log.write(f"initialised from {args.init_from} at step {step}\n")
    # An uninterrupted run's batch order: the epoch and the place in it that step reached.
    epoch, skip = divmod(step, len(batches))
    start = time.time()
    schedule.start()
    win_tokens, win_tgt, win_loss, win_nll, win_time = 0, 0, 0.0, 0.0, time.time()
    stop = False
    model.train()
    while not stop:
        epoch += 1
        order = list(range(len(batches)))
        random.Random(tcfg.seed + epoch).shuffle(order)
        for bi in order[skip:]:
            b = batches[bi]
            with (torch.autocast(device_type="cuda", dtype=torch.bfloat16) if on_gpu else contextlib.nullcontext()):
                logits = model(b["src"], b["prev"])
            logits = logits.float().reshape(-1, logits.shape[-1])
            target = b["target"].reshape(-1)
            loss, nll = smoothed_loss(logits, target, tcfg.label_smoothing)
            opt.zero_grad(set_to_none=True)
            (loss / b["ntokens"]).backward()
            if tcfg.clip_norm:
                torch.nn.utils.clip_grad_norm_(model.parameters(), tcfg.clip_norm)
            opt.step()
            sched.step()
            step += 1
            # running sums stay on the device: no host sync per step, only when logging
            win_tokens += b["ntokens"] + b["src_tokens"]
            win_loss = win_loss + loss.detach()
            win_nll = win_nll + nll.detach()
            win_tgt += b["ntokens"]
            if step % tcfg.log_every == 0:
                win_loss, win_nll = float(win_loss), float(win_nll)
                dt = time.time() - win_time
                msg = (f"step {step} epoch {epoch} | loss {win_loss / win_tgt:.3f} nll/token "
                       f"{win_nll / win_tgt:.3f} (ppl {math.exp(win_nll / win_tgt):.1f}) | lr "
                       f"{sched.get_last_lr()[0]:.2e} | {win_tokens / dt:.0f} tokens/s (src+tgt, last "
                       f"{tcfg.log_every} steps) | {time.time() - start:.0f} s elapsed")
                print(msg, flush=True)
                log.write(msg + "\n")
                log.flush()
                win_tokens, win_tgt, win_loss, win_nll, win_time = 0, 0, 0.0, 0.0, time.time()
            over_time = args.max_minutes and time.time() - start > args.max_minutes * 60
            if step % tcfg.save_every == 0 or step >= tcfg.steps or over_time:
                path = os.path.join(args.out, f"checkpoint_{step}.pt")
                torch.save({"model": model.state_dict(), "step": step, **meta, "optimizer": opt.state_dict(),
                            "scheduler": sched.state_dict(), "torch_rng": torch.get_rng_state()}, path)
                saved.append(path)
                for old in saved[:-tcfg.avg_last]:
                    if os.path.exists(old):
                        os.remove(old)
            if step >= tcfg.steps or over_time:
                stop = True
                break
        skip = 0

    wall = time.time() - start
    keep = saved[-tcfg.avg_last:]
    avg = average_checkpoints(keep)
    final = os.path.join(args.out, "checkpoint_avg.pt")
    summary = {"steps": step, "epochs": epoch, "train_wall_s": round(wall, 1),
               "averaged": [os.path.basename(p) for p in keep]}
    if args.resume:
        summary["resumed_from"] = os.path.basename(args.resume)   # train_wall_s: this part only
    torch.save({"model": avg, "step": step, **meta, "training": summary}, final)
    print(f"done: {step} steps in {wall:.0f} s; averaged {len(keep)} checkpoints -> {final}", flush=True)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)


def resume(path, model, opt, sched, meta):
    """Load a checkpoint of the same run into model, opt and sched; returns its step.

    The learning rate follows this run's schedule (a --cooldown given now applies from the next
    update). Checkpoints written before resuming existed hold the weights only: Adam's moments then start
    again from zero and the learning rate from the schedule's value at that step; the dropout
    masks differ from an uninterrupted run's. Newer ones continue exactly where the run was."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    for key in ("config", "variant", "model_config", "corpus_hash"):
        if ckpt.get(key) != meta[key]:
            raise SystemExit(f"{path}: its {key} is {ckpt.get(key)!r}, this run's is {meta[key]!r}: not the same run")
    step = ckpt["step"]
    if ckpt.get("initialized_from"):                       # a run started from a bundle stays marked so
        meta["initialized_from"] = ckpt["initialized_from"]
    model.load_state_dict(ckpt["model"])
    if "optimizer" in ckpt:
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        torch.set_rng_state(ckpt["torch_rng"])
    else:
        print(f"{path} holds weights only: Adam's moments restart from zero", flush=True)
    restart_schedule(opt, sched, step)     # the checkpoint's rate, unless this run adds a cool-down
    return step


def restart_schedule(opt, sched, step):
    """Fresh Adam moments continue at the schedule's learning rate of `step`."""
    for group in opt.param_groups:
        group["lr"] = group["initial_lr"] * sched.lr_lambdas[0](step)
    sched.last_epoch = step


def init_from_bundle(bundle_dir, model, opt, sched, meta):
    """Load an exported bundle's weights into model and restart the schedule at the step the bundle
    was trained to (its manifest's provenance); returns that step. The bundle must be of this run's
    config and variant and carry this run's tokenizer, byte for byte: another vocabulary would give
    the embeddings other meanings. Its weights are the float16 (or float32) values it ships, the
    average of its run's last checkpoints; Adam's moments start from zero, as after a weights-only
    resume. meta records where the run started, and so does every checkpoint and bundle after it."""
    from .export import load_bundle_state, sha256_file
    manifest, state = load_bundle_state(bundle_dir)
    provenance = manifest.get("provenance", {})
    for what, theirs, ours in (("config", provenance.get("config"), meta["config"]),
                               ("variant", manifest.get("variant"), meta["variant"])):
        if theirs != ours:
            raise SystemExit(f"{bundle_dir}: its {what} is {theirs!r}, this run's is {ours!r}")
    if sha256_file(os.path.join(bundle_dir, manifest["tokenizer"])) != sha256_file(meta["spm"]):
        raise SystemExit(f"{bundle_dir}: its tokenizer is not {meta['spm']}: the vocabularies would differ")
    step = provenance.get("steps")
    if not isinstance(step, int) or step < 1:
        raise SystemExit(f"{bundle_dir}: its provenance names no training step ({step!r})")
    model.load_state_dict({name: t.float() for name, t in state.items()})
    restart_schedule(opt, sched, step)
    meta["initialized_from"] = {"bundle": manifest.get("name"), "steps": step,
                                "corpus_hash": provenance.get("corpus_hash")}
    return step


def earlier_checkpoints(out, step):
    """The run's checkpoint_N.pt files up to step, oldest first: the averaging window continues
    across the resume, and the old ones are removed as new ones are written."""
    found = []
    for path in glob.glob(os.path.join(out, "checkpoint_*.pt")):
        name = os.path.basename(path)[len("checkpoint_"):-len(".pt")]
        if name.isdigit() and int(name) <= step:
            found.append((int(name), path))
    return [path for _, path in sorted(found)]


def load_checkpoint(path, device="cpu"):
    """Model (eval mode) and the checkpoint dict."""
    ckpt = torch.load(path, map_location=device, weights_only=False)
    model = DynamicConvTransformer(ModelConfig(**ckpt["model_config"]))
    model.load_state_dict(ckpt["model"])
    return model.to(device).eval(), ckpt


if __name__ == "__main__":
    main()
