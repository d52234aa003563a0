"""The training loop is seeded and stops early; the checkpoint cache trains
once, even across processes, and retrains a damaged checkpoint."""
import multiprocessing
import os
import time
from pathlib import Path

import torch
from torch import nn

from figures_src.util import seeding
from figures_src.experiments import training


def copy_task_batch(generator):
    tokens = torch.randint(0, 5, (32, 4), generator=generator)
    return tokens, tokens


class Copier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(5, 8)
        self.out = nn.Linear(8, 5)

    def forward(self, tokens):
        return self.out(self.embed(tokens))


def train_copier(seed_value, stop_loss=None, max_steps=30):
    seeding.seed_all(seed_value)
    model = Copier()
    log = training.train(model, copy_task_batch, max_steps=max_steps, lr=0.05, stop_loss=stop_loss)
    return model, log


def test_training_is_reproducible_and_seeded():
    a, log_a = train_copier(0)
    b, log_b = train_copier(0)
    c, _ = train_copier(1)
    assert log_a["losses"] == log_b["losses"]
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.out.weight, c.out.weight)
    assert torch.get_num_threads() == seeding.TORCH_THREADS


def test_early_stopping_on_loss_threshold():
    _, full = train_copier(0, max_steps=400)
    threshold = full["losses"][len(full["losses"]) // 2]
    _, stopped = train_copier(0, stop_loss=threshold, max_steps=400)
    assert stopped["stopped_early"] and stopped["steps"] < 400
    assert stopped["final_loss"] < threshold <= min(stopped["losses"][:-1])


def build_and_train_counted(config):
    """Records each call in a file (shared by processes), and is slow enough
    for the calls to overlap."""
    with open(config["calls_file"], "a") as f:
        f.write(f"trained {os.getpid()}\n")
    time.sleep(1.0)
    model, log = train_copier(config["seed"])
    return model, {"final_loss": log["final_loss"]}


def _cached_in_child(config, checkpoint_dir):
    training.CHECKPOINT_DIR = checkpoint_dir
    training.cached("copier", config, build_and_train_counted)


def test_cache_trains_once_then_loads(tmp_path, monkeypatch):
    monkeypatch.setattr(training, "CHECKPOINT_DIR", tmp_path)
    config = {"seed": 0, "calls_file": str(tmp_path / "calls")}
    model, metrics = training.cached("copier", config, build_and_train_counted)
    again, metrics_again = training.cached("copier", config, build_and_train_counted)
    assert (tmp_path / "calls").read_text().count("trained") == 1
    assert metrics == metrics_again
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), again.parameters()))
    assert not again.training
    # another config of the same seed is another model of that name: it supersedes the first
    # checkpoint
    first = list(tmp_path.glob("copier-*.pt"))
    (tmp_path / f".{first[0].name}.x1.tmp").write_text("left by a killed write")
    training.cached("copier", {**config, "width": 2}, build_and_train_counted)
    assert (tmp_path / "calls").read_text().count("trained") == 2
    (current,) = tmp_path.glob("copier-*.pt")
    assert current != first[0]
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {current.name, current.with_suffix(".lock").name, "calls"}


def test_each_seed_is_its_own_checkpoint(tmp_path, monkeypatch):
    """Seeds of one model do not supersede each other: each is cached, and a second
    call trains nothing."""
    monkeypatch.setattr(training, "CHECKPOINT_DIR", tmp_path)
    config = {"seed": 0, "calls_file": str(tmp_path / "calls")}
    first = training.cached_seeds("copier", config, build_and_train_counted, seeds=(0, 1, 2))
    again = training.cached_seeds("copier", config, build_and_train_counted, seeds=(0, 1, 2))
    assert (tmp_path / "calls").read_text().count("trained") == 3
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("copier-*.pt")) == ["seed0", "seed1",
                                                                                  "seed2"]
    for (a, _), (b, _), seed in zip(first, again, (0, 1, 2)):
        alone, _ = train_copier(seed)
        assert torch.equal(a.out.weight, b.out.weight) and torch.equal(a.out.weight,
                                                                       alone.out.weight)
    assert not torch.equal(first[0][0].out.weight, first[1][0].out.weight)


def _cached_seeds_in_child(config, checkpoint_dir):
    training.CHECKPOINT_DIR = checkpoint_dir
    training.cached_seeds("copier", config, build_and_train_counted, seeds=(0, 1, 2, 3))


def run_in_two_processes(target, config, checkpoint_dir) -> list[str]:
    """Run target(config, checkpoint_dir) in two forked processes at once; the
    trainings they recorded, one line each ("trained PID")."""
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=target, args=(config, checkpoint_dir)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    return Path(config["calls_file"]).read_text().splitlines()


def test_two_processes_share_the_seeds(tmp_path):
    """Two builds needing the same seeds train each seed once, between them: each
    process trains some (neither waits for the other's four)."""
    config = {"seed": 0, "calls_file": str(tmp_path / "calls")}
    calls = run_in_two_processes(_cached_seeds_in_child, config, tmp_path)
    assert len(calls) == 4 and len(set(calls)) == 2
    assert len(list(tmp_path.glob("copier-*.pt"))) == 4


def test_cache_hit_and_miss_leave_the_random_state_alike(tmp_path, monkeypatch):
    monkeypatch.setattr(training, "CHECKPOINT_DIR", tmp_path)
    config = {"seed": 5, "calls_file": str(tmp_path / "calls")}
    draws = []
    for _ in range(2):  # a miss, then a hit
        seeding.seed_all(11)
        training.cached("copier", config, build_and_train_counted)
        draws.append(torch.randn(3))
    assert (tmp_path / "calls").read_text().count("trained") == 1
    assert torch.equal(draws[0], draws[1])


def _toy_package(root):
    """root/toypkg, laid out like figures_src: a builder in experiments/ importing a
    model in nn/ that imports the build's style, and a copy of the training loop."""
    package = root / "toypkg"
    for folder in ("", "build", "nn", "experiments", "util"):
        (package / folder).mkdir(exist_ok=True)
        (package / folder / "__init__.py").write_text('"""A toy package."""\n')
    (package / "build" / "style.py").write_text("COLOR = 'red'\n")
    (package / "nn" / "model.py").write_text("from ..build import style\nWIDTH = 4\n")
    (package / "experiments" / "builder.py").write_text(
        "from ..nn.model import WIDTH\n\ndef build_and_train(config):\n    return None, {}\n")
    (package / "experiments" / "training.py").write_text("STEPS = 1\n")
    (package / "util" / "seeding.py").write_text("SEED = 0\n")
    return package


def test_cache_key_follows_imports_but_not_the_style(tmp_path, monkeypatch):
    """Editing a module the builder imports (even indirectly) retrains; restyling does not."""
    package = _toy_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    from toypkg.experiments.builder import build_and_train

    def key():
        return training.checkpoint_path("toy", {"seed": 0}, build_and_train, package_dir=package)

    files = training.code_files(build_and_train, package)
    assert {p.relative_to(package).as_posix() for p in files} == {
        "__init__.py", "experiments/__init__.py", "experiments/builder.py", "nn/__init__.py",
        "nn/model.py", "experiments/training.py", "util/seeding.py"}
    before = key()
    (package / "build" / "style.py").write_text("COLOR = 'blue'\n")
    assert key() == before
    (package / "nn" / "model.py").write_text("from ..build import style\nWIDTH = 8\n")
    changed = key()
    assert changed != before
    (package / "nn" / "model.py").write_text(
        '"""Reworded."""\n# a comment\nfrom ..build import style\n\nWIDTH = 8\n')
    assert key() == changed  # documentation never retrains
    (package / "experiments" / "training.py").write_text("STEPS = 2\n")
    assert key() != changed  # the training loop counts toward every checkpoint


def test_a_damaged_checkpoint_is_named_deleted_and_retrained(tmp_path, capsys):
    config = {"seed": 0, "calls_file": str(tmp_path / "calls")}
    training.cached("copier", config, build_and_train_counted, folder=tmp_path)
    (checkpoint,) = tmp_path.glob("copier-*.pt")
    checkpoint.write_bytes(checkpoint.read_bytes()[:100])  # a truncated copy
    capsys.readouterr()
    model, metrics = training.cached("copier", config, build_and_train_counted, folder=tmp_path)
    assert f"checkpoint {checkpoint} is unreadable" in capsys.readouterr().err
    assert (tmp_path / "calls").read_text().count("trained") == 2
    assert metrics["final_loss"] >= 0 and checkpoint.is_file()
    training.cached("copier", config, build_and_train_counted, folder=tmp_path)  # sound again
    assert (tmp_path / "calls").read_text().count("trained") == 2


def test_cache_key_of_the_real_models_covers_their_imports():
    from figures_src.experiments import reversal, two_lookups

    files = {p.name for p in training.code_files(two_lookups.build_and_train)}
    assert {"two_lookups.py", "reversal.py", "training.py", "transformer.py",
            "attention.py"} <= files
    assert not files & {"style.py", "pipeline.py", "render.py", "figure.py", "atomic.py",
                        "paths.py", "sourcehash.py", "inputs.py"}
    assert "two_lookups.py" not in {p.name for p in training.code_files(reversal.build_and_train)}


def test_two_processes_train_once(tmp_path):
    config = {"seed": 0, "calls_file": str(tmp_path / "calls")}
    assert len(run_in_two_processes(_cached_in_child, config, tmp_path)) == 1
    assert len(list(tmp_path.glob("copier-*.pt"))) == 1


def test_training_works_inside_no_grad():
    """Figures' compute() may run under torch.no_grad(); a cache miss must still train."""
    with torch.no_grad():
        _, log = train_copier(0, max_steps=20)
    assert log["losses"][-1] < log["losses"][0]


def test_evaluations_form_a_learning_curve_without_changing_training():
    """evaluate is taken before training, every evaluate_every steps and at the last step
    (also an early stop), and the trained weights are the same as without it."""
    seeding.seed_all(0)
    plain = Copier()
    log = training.train(plain, copy_task_batch, max_steps=25, lr=0.05)
    seeding.seed_all(0)
    watched = Copier()
    calls = []

    def evaluate(model):
        calls.append(model.training)
        return float(model.out.weight.sum())

    curve = training.train(watched, copy_task_batch, max_steps=25, lr=0.05, evaluate=evaluate,
                           evaluate_every=10)
    assert [step for step, _ in curve["evaluations"]] == [0, 10, 20, 25]
    assert not any(calls)  # measured in eval mode
    assert curve["evaluations"][-1][1] == float(watched.out.weight.sum())
    assert curve["losses"] == log["losses"]
    assert all(torch.equal(p, q) for p, q in zip(plain.parameters(), watched.parameters()))
    threshold = log["losses"][12]
    seeding.seed_all(0)
    stopped = training.train(Copier(), copy_task_batch, max_steps=25, lr=0.05, stop_loss=threshold,
                             evaluate=evaluate, evaluate_every=10)
    assert stopped["evaluations"][-1][0] == stopped["steps"] < 25
    assert "evaluations" not in log
