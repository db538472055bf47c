"""Training helpers: token-budget batches, weight-decay groups, schedule, checkpoint averaging."""
import math
import os
import random

import torch

from training.configs import BOS_ID, EOS_ID, PAD_ID
from training.data import token_budget_batches
from training.kmatrix import KMatrixLayer
from training.schedule import LearningRateSchedule, inverse_sqrt, learning_rate_factor
from training.train import average_checkpoints, param_groups, smoothed_loss

from .conftest import make_model


def test_token_budget_batches_cover_everything_within_budget():
    r = random.Random(0)
    examples = [([r.randint(4, 99) for _ in range(r.randint(1, 30))] + [EOS_ID],
                 [r.randint(4, 99) for _ in range(r.randint(1, 30))]) for _ in range(500)]
    batches = token_budget_batches(examples, max_tokens=256)
    seen = []
    for b in batches:
        rows, width_s = b["src"].shape
        assert rows * (width_s + b["target"].shape[1]) <= 256
        assert b["prev"][:, 0].eq(BOS_ID).all()
        assert torch.equal(b["prev"].ne(PAD_ID), b["target"].ne(PAD_ID))
        shifted = b["prev"][:, 1:].ne(PAD_ID)  # prev is target shifted right by one (bos first)
        assert torch.equal(b["prev"][:, 1:][shifted], b["target"][:, :-1][shifted])
        for i in range(rows):
            s = b["src"][i][b["src"][i].ne(PAD_ID)].tolist()
            t = b["target"][i][b["target"][i].ne(PAD_ID)].tolist()
            assert t[-1] == EOS_ID
            seen.append((tuple(s), tuple(t[:-1])))
        assert b["ntokens"] == int(b["target"].ne(PAD_ID).sum())
    assert sorted(seen) == sorted((tuple(s), tuple(t)) for s, t in examples)


def test_smoothed_loss_is_cross_entropys_with_and_without_label_smoothing():
    """One log-softmax gives what two F.cross_entropy calls gave: values and gradients, padding
    targets ignored by both terms."""
    torch.manual_seed(9)
    logits = torch.randn(50, 40, dtype=torch.float64, requires_grad=True)
    target = torch.randint(4, 40, (50,))
    target[::7] = PAD_ID
    loss, nll = smoothed_loss(logits, target, 0.1)
    (grad,) = torch.autograd.grad(loss, logits)
    expected = torch.nn.functional.cross_entropy(logits, target, ignore_index=PAD_ID, reduction="sum",
                                                 label_smoothing=0.1)
    (expected_grad,) = torch.autograd.grad(expected, logits)
    expected_nll = torch.nn.functional.cross_entropy(logits, target, ignore_index=PAD_ID, reduction="sum")
    assert torch.allclose(loss, expected, rtol=1e-12, atol=0)
    assert torch.allclose(nll, expected_nll, rtol=1e-12, atol=0)
    assert torch.allclose(grad, expected_grad, rtol=1e-10, atol=1e-12)
    assert grad[::7].abs().max() == 0  # padding rows get no gradient
    assert not torch.allclose(loss, nll)  # the smoothing term is there


def test_twiddles_are_excluded_from_weight_decay():
    model = make_model("kmatrix")
    decay, no_decay = param_groups(model, 1e-4)
    twiddles = [m.twiddle for m in model.modules() if isinstance(m, KMatrixLayer)]
    assert len(twiddles) == 8
    assert all(any(t is p for p in no_decay["params"]) for t in twiddles)
    assert not any(p.dim() < 2 for p in decay["params"])
    assert decay["weight_decay"] == 1e-4 and no_decay["weight_decay"] == 0.0


def test_inverse_sqrt_schedule():
    assert inverse_sqrt(50, 100) == 0.5
    assert inverse_sqrt(100, 100) == 1.0
    assert math.isclose(inverse_sqrt(400, 100), 0.5)


def test_cooldown_takes_the_learning_rate_linearly_to_zero_over_the_last_steps():
    for step in (1, 50, 100, 900, 1000):                   # no cool-down: inverse_sqrt throughout
        assert learning_rate_factor(step, 100, 1000, 0) == inverse_sqrt(step, 100)
    third = inverse_sqrt(900, 100)                          # 1/3 where a 100-step cool-down starts
    assert math.isclose(third, 1 / 3)
    assert learning_rate_factor(900, 100, 1000, 100) == third
    assert math.isclose(learning_rate_factor(901, 100, 1000, 100), third * 100 / 101)
    assert math.isclose(learning_rate_factor(950, 100, 1000, 100), third * 51 / 101)
    assert math.isclose(learning_rate_factor(1000, 100, 1000, 100), third / 101)
    assert learning_rate_factor(1001, 100, 1000, 100) == 0.0


def test_a_wall_clock_cooldown_takes_the_learning_rate_to_zero_as_the_run_ends():
    import pytest
    now = [0.0]
    schedule = LearningRateSchedule(warmup=100, total_steps=8000, max_minutes=10, cooldown_minutes=2,
                                    clock=lambda: now[0])
    assert schedule(399) == inverse_sqrt(400, 100)           # before start(): the step schedule alone
    schedule.start()
    now[0] = 479.0                                           # 8 min 59 s left: not yet
    assert schedule(399) == inverse_sqrt(400, 100) == 0.5
    now[0] = 540.0                                           # 60 s of the 120 left: half the value where it began
    assert schedule(899) == pytest.approx(inverse_sqrt(900, 100) / 2)
    now[0] = 570.0                                           # from that value, not the step schedule's later ones
    assert schedule(1599) == pytest.approx(inverse_sqrt(900, 100) / 4)
    now[0] = 601.0
    assert schedule(1700) == 0.0
    with pytest.raises(ValueError, match="needs --max-minutes"):
        LearningRateSchedule(100, 8000, max_minutes=0, cooldown_minutes=2)
    with pytest.raises(ValueError, match="longer than the run"):
        LearningRateSchedule(100, 8000, max_minutes=1, cooldown_minutes=2)


def test_average_checkpoints(tmp_path):
    paths = []
    for i, v in enumerate([1.0, 2.0, 6.0]):
        p = tmp_path / f"c{i}.pt"
        torch.save({"model": {"w": torch.full((2,), v)}}, p)
        paths.append(str(p))
    assert torch.equal(average_checkpoints(paths)["w"], torch.full((2,), 3.0))


def test_training_batches_are_cached_for_the_same_data_and_settings_only(tmp_path, spm_model):
    from training import tokenizer
    from training.configs import TrainConfig
    from training.train import training_batches
    corpus = _corpus(tmp_path, [(f"Datei {i} nicht gefunden", f"file {i} not found") for i in range(200)])
    sp = tokenizer.load(spm_model)
    cfg = TrainConfig(max_tokens=256, max_len=64, seed=3)
    cache = str(tmp_path / "cache" / "batches.pt")

    pairs, built, source = training_batches(sp, spm_model, str(corpus), cfg, cache)
    assert (pairs, source) == (200, "built") and os.path.exists(cache)
    again, read, source = training_batches(sp, spm_model, str(corpus), cfg, cache)
    assert (again, source) == (200, f"read from {cache}")
    assert len(read) == len(built)
    for a, b in zip(built, read):
        assert a["ntokens"] == b["ntokens"] and torch.equal(a["src"], b["src"]) and torch.equal(a["target"], b["target"])

    cfg.max_tokens = 512                                   # other settings: rebuilt, cache replaced
    _, wider, source = training_batches(sp, spm_model, str(corpus), cfg, cache)
    assert source == "built" and len(wider) < len(built)
    assert torch.load(cache)["key"]["max_tokens"] == 512
    with open(corpus / "train.tsv", "a", encoding="utf-8") as f:   # other data: rebuilt
        f.write("Fenster schließen\tclose window\tsyn\n")
    pairs, _, source = training_batches(sp, spm_model, str(corpus), cfg, cache)
    assert (pairs, source) == (201, "built")


def _corpus(tmp_path, pairs):
    """A corpus directory whose train split holds these (german, english) pairs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(corpus / "train.tsv", "w", encoding="utf-8") as f:
        for de, en in pairs:
            f.write(f"{de}\t{en}\tsyn\n")
    return corpus


def _train(monkeypatch, *args):
    import sys
    from training import train
    monkeypatch.setattr(sys, "argv", ["train", *args])
    train.main()


def test_a_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(tmp_path, spm_model, monkeypatch):
    r = random.Random(1)
    corpus = _corpus(tmp_path, [(f"Datei {i} {'nicht ' * r.randint(0, 3)}gefunden", f"file {i} {'not ' * r.randint(0, 3)}found")
                                for i in range(120)])
    common = ["--config", "tiny", "--variant", "kmatrix", "--spm", spm_model, "--corpus", str(corpus),
              "--max-tokens", "256", "--threads", "1", "--device", "cpu"]
    # 23 batches an epoch: the resumed part starts mid-epoch and crosses into the next one
    _train(monkeypatch, *common, "--out", str(tmp_path / "whole"), "--steps", "30")
    _train(monkeypatch, *common, "--out", str(tmp_path / "parts"), "--steps", "5")
    _train(monkeypatch, *common, "--out", str(tmp_path / "parts"), "--steps", "30",
           "--resume", str(tmp_path / "parts" / "checkpoint_5.pt"))

    whole = torch.load(tmp_path / "whole" / "checkpoint_30.pt")
    parts = torch.load(tmp_path / "parts" / "checkpoint_30.pt")
    assert whole["step"] == parts["step"] == 30
    for name, tensor in whole["model"].items():
        assert torch.equal(tensor, parts["model"][name]), name
    # the averaging window continues across the resume: the checkpoint resumed from is in it
    summary = torch.load(tmp_path / "parts" / "checkpoint_avg.pt")["training"]
    assert summary["averaged"] == ["checkpoint_5.pt", "checkpoint_30.pt"] and summary["resumed_from"] == "checkpoint_5.pt"


def test_a_run_resumed_with_a_cooldown_ends_as_one_cooled_down_from_the_start(tmp_path, spm_model, monkeypatch):
    """--cooldown on a resumed run: a plateaued run is cooled down from its last checkpoint."""
    import pytest
    corpus = _corpus(tmp_path, [(f"Datei {i} gefunden", f"file {i} found") for i in range(60)])
    common = ["--config", "tiny", "--variant", "dense", "--spm", spm_model, "--corpus", str(corpus),
              "--max-tokens", "256", "--threads", "1", "--device", "cpu"]
    _train(monkeypatch, *common, "--out", str(tmp_path / "whole"), "--steps", "10", "--cooldown", "4")
    _train(monkeypatch, *common, "--out", str(tmp_path / "parts"), "--steps", "5")
    _train(monkeypatch, *common, "--out", str(tmp_path / "parts"), "--steps", "10", "--cooldown", "4",
           "--resume", str(tmp_path / "parts" / "checkpoint_5.pt"))
    whole = torch.load(tmp_path / "whole" / "checkpoint_10.pt")
    parts = torch.load(tmp_path / "parts" / "checkpoint_10.pt")
    for name, tensor in whole["model"].items():
        assert torch.equal(tensor, parts["model"][name]), name
    assert parts["optimizer"]["param_groups"][0]["lr"] == 0.0   # update 11 would have none
    assert parts["train_config"]["cooldown"] == 4               # recorded for the bundle's manifest
    assert torch.load(tmp_path / "parts" / "checkpoint_5.pt")["train_config"]["cooldown"] == 0
    with pytest.raises(SystemExit):                          # argparse's error: the cool-down must fit the run
        _train(monkeypatch, *common, "--out", str(tmp_path / "bad"), "--steps", "10", "--cooldown", "10")
    with pytest.raises(SystemExit):                          # a cool-down in minutes counts back from --max-minutes
        _train(monkeypatch, *common, "--out", str(tmp_path / "bad"), "--steps", "10", "--cooldown-minutes", "1")


def test_resuming_from_another_runs_checkpoint_is_refused(tmp_path, spm_model, monkeypatch):
    import pytest
    corpus = _corpus(tmp_path, [(f"Datei {i} gefunden", f"file {i} found") for i in range(40)])
    common = ["--config", "tiny", "--spm", spm_model, "--corpus", str(corpus), "--max-tokens", "256", "--threads", "1",
              "--device", "cpu", "--steps", "2"]
    _train(monkeypatch, *common, "--variant", "dense", "--out", str(tmp_path / "dense"))
    with pytest.raises(SystemExit, match="its variant is 'dense', this run's is 'kmatrix': not the same run"):
        _train(monkeypatch, *common, "--variant", "kmatrix", "--out", str(tmp_path / "k"),
               "--resume", str(tmp_path / "dense" / "checkpoint_2.pt"))


def test_a_run_starts_from_a_bundles_weights_and_step(tmp_path, spm_model, monkeypatch):
    """--init-from: a shipped bundle's weights and training step start a new run (its checkpoints
    being gone); the schedule continues at that step and the bundle it came from is recorded."""
    import pytest
    from training import export
    from training.configs import get_config
    from training.model import DynamicConvTransformer
    from training.train import init_from_bundle, load_checkpoint
    corpus = _corpus(tmp_path, [(f"Datei {i} gefunden", f"file {i} found") for i in range(40)])
    common = ["--config", "tiny", "--variant", "kmatrix", "--spm", spm_model, "--corpus", str(corpus),
              "--max-tokens", "256", "--threads", "1", "--device", "cpu"]
    _train(monkeypatch, *common, "--out", str(tmp_path / "first"), "--steps", "3")
    trained, ckpt = load_checkpoint(str(tmp_path / "first" / "checkpoint_avg.pt"))
    bundle = tmp_path / "models" / "tiny-kmatrix"
    export.export_bundle(trained, spm_model, str(bundle), "tiny-kmatrix", torch.float16, export.provenance_of(ckpt),
                         golden_sentences=["Datei gefunden"])

    mcfg, tcfg = get_config("tiny", "kmatrix")
    mcfg.vocab_size = 300
    model = DynamicConvTransformer(mcfg)
    opt = torch.optim.Adam(model.parameters(), lr=tcfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: inverse_sqrt(s + 1, tcfg.warmup))
    meta = {"config": "tiny", "variant": "kmatrix", "spm": spm_model}
    assert init_from_bundle(str(bundle), model, opt, sched, meta) == 3
    for name, tensor in model.state_dict().items():             # the float16 values the bundle ships
        assert torch.equal(tensor, ckpt["model"][name].half().float()), name
    assert opt.param_groups[0]["lr"] == pytest.approx(tcfg.lr * inverse_sqrt(3 + 1, tcfg.warmup))
    assert meta["initialized_from"] == {"bundle": "tiny-kmatrix", "steps": 3, "corpus_hash": ckpt["corpus_hash"]}

    _train(monkeypatch, *common, "--out", str(tmp_path / "more"), "--steps", "5", "--init-from", str(bundle))
    more = torch.load(tmp_path / "more" / "checkpoint_avg.pt")
    assert more["step"] == 5 and more["initialized_from"]["steps"] == 3
    assert sorted(os.listdir(tmp_path / "more")) == ["checkpoint_5.pt", "checkpoint_avg.pt", "summary.json",
                                                     "train.log"]
    assert export.provenance_of(more)["initialized_from"]["bundle"] == "tiny-kmatrix"

    with pytest.raises(SystemExit, match="its variant is 'kmatrix', this run's is 'dense'"):
        init_from_bundle(str(bundle), model, opt, sched, dict(meta, variant="dense"))
    with pytest.raises(SystemExit, match="its config is 'tiny', this run's is 'small'"):
        init_from_bundle(str(bundle), model, opt, sched, dict(meta, config="small"))
    other_spm = tmp_path / "other.model"
    other_spm.write_bytes(open(spm_model, "rb").read() + b"\0")
    with pytest.raises(SystemExit, match="its tokenizer is not"):
        init_from_bundle(str(bundle), model, opt, sched, dict(meta, spm=str(other_spm)))
    with pytest.raises(SystemExit, match="trained to step 3: --steps 3 leaves nothing to do"):
        _train(monkeypatch, *common, "--out", str(tmp_path / "none"), "--steps", "3", "--init-from", str(bundle))
