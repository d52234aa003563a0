"""The one training loop of the project, and a checkpoint cache so each toy model trains once.

A checkpoint is keyed by what defines the model: its config and the code that
builds and trains it (the builder's module, what it imports, this loop),
hashed without comments or docstrings (figures_src.util.sourcehash), so rewording
a docstring never retrains. A name is one model: writing its checkpoint
removes its superseded ones. Training runs inside seeding.preserved(), so a
cache hit and a miss leave the caller's random state the same.

A claim about a trained toy holds over several training seeds (issue 21):
cached_seeds() gives one model per seed (the seed sets the initial weights
and the batches; held-out data never depends on it), each seed's checkpoint
cached on its own by cached(). Training the seeds together as one batched
model (functorch's vmap over stacked parameters) was measured and dropped:
with this machine's torch 1.13, five seeds in one vmapped step cost as much
as five plain steps.
"""
import fcntl
import hashlib
import inspect
import io
import json
import re
import sys
import time
from pathlib import Path

import torch
from torch.nn import functional as F

from ..util import inputs, seeding, sourcehash
from .seeds import SEEDS
from ..util.atomic import write_atomic
from ..util.paths import CHECKPOINT_DIR, PACKAGE_DIR

IGNORE_INDEX = -100  # targets with this value do not count in the loss


def train(model, make_batch, *, max_steps, lr=1e-3, stop_loss=None, generator=None, log_every=0,
          evaluate=None, evaluate_every=0):
    """Adam on the cross-entropy of model(inputs) against targets, until the loss is low enough.

    make_batch(generator) -> (inputs [B, T], targets [B, T]); targets equal to
    IGNORE_INDEX are left out of the loss. Training stops early at the first
    step whose batch loss is below stop_loss (early stopping on a loss
    threshold: the toy tasks are solvable exactly, so "low enough" is known).
    evaluate(model) -> a JSON-able value, taken before the first step, every
    evaluate_every steps and at the last step, in eval mode and without
    gradients: a learning curve, so a figure can show how far a model got at
    every budget, not only at the one it stopped at ("seconds" includes it).
    Returns {"steps", "final_loss", "losses", "seconds", "stopped_early"}, and
    "evaluations": [(step, evaluate(model)), ...] when evaluate is given.
    """
    if generator is None:
        generator = torch.Generator().manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses, evaluations, start, step = [], [], time.perf_counter(), 0

    def take_evaluation():
        model.eval()
        with torch.no_grad():
            evaluations.append((step, evaluate(model)))
        model.train()

    with torch.enable_grad():  # also when called from inside torch.no_grad()
        if evaluate is not None:
            take_evaluation()
        for step in range(1, max_steps + 1):
            inputs, targets = make_batch(generator)
            logits = model(inputs)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1),
                                   ignore_index=IGNORE_INDEX)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if log_every and step % log_every == 0:
                print(f"  step {step:5d}  loss {losses[-1]:.3g}", flush=True)
            stop = stop_loss is not None and losses[-1] < stop_loss
            if evaluate is not None and (stop or step == max_steps or
                                         (evaluate_every and step % evaluate_every == 0)):
                take_evaluation()
            if stop:
                break
    model.eval()
    log = {"steps": step, "final_loss": losses[-1], "losses": losses,
           "seconds": time.perf_counter() - start,
           "stopped_early": stop_loss is not None and losses[-1] < stop_loss}
    if evaluate is not None:
        log["evaluations"] = evaluations
    return log


def code_files(build_and_train, package_dir=PACKAGE_DIR):
    """The code whose edits must retrain a model: see figures_src.util.inputs."""
    return inputs.checkpoint_inputs(Path(inspect.getsourcefile(build_and_train)), package_dir)


def checkpoint_path(name, config, build_and_train, package_dir=PACKAGE_DIR, folder=None):
    """<folder>/<name>-seed<seed>-<hash of config and code>.pt (folder: build/checkpoints)."""
    code = sourcehash.code_hash(code_files(build_and_train, package_dir), package_dir)
    key = json.dumps(config, sort_keys=True) + code
    folder = CHECKPOINT_DIR if folder is None else Path(folder)
    return folder / (f"{name}-seed{config.get('seed', 0)}-"
                     f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt")


def cached(name, config, build_and_train, folder=None, wait=True):
    """(model, metrics) from the checkpoint cache, training with build_and_train(config) on a miss.

    config: a JSON-able dict, everything that shapes the result; its "seed"
    (default 0) seeds the training. An exclusive file lock makes two processes
    asking for the same model at once train it once: the second waits, then
    loads (wait=False: returns None instead of waiting). The checkpoint is written atomically.
    """
    path = checkpoint_path(name, config, build_and_train, folder=folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        saved = _load(path)
        if saved is not None:
            saved["model"].eval()
            return saved["model"], saved["metrics"]
        print(f"training {name} (no checkpoint {path.name})", flush=True)
        with seeding.preserved():
            seeding.seed_all(config.get("seed", 0))
            model, metrics = build_and_train(config)
        model.eval()
        buffer = io.BytesIO()
        torch.save({"model": model, "metrics": metrics}, buffer)
        write_atomic(path, buffer.getvalue())
        _prune(path, f"{name}-seed{config.get('seed', 0)}")
        return model, metrics


def cached_seeds(name, config, build_and_train, seeds=SEEDS, folder=None):
    """[(model, metrics)], one per training seed (config with "seed" set to each), in
    the order of seeds: cached() for each seed.

    The seeds no other process is training right now come first, then
    (waiting) the rest: two figures built side by side (make -j2) that need
    the same model share its seeds' training instead of queueing behind one
    another. Each seed trains alone, so who trained it never changes it.
    """
    configs = [{**config, "seed": seed} for seed in seeds]
    results = {i: cached(name, c, build_and_train, folder, wait=False)
               for i, c in enumerate(configs)}
    return [results[i] or cached(name, c, build_and_train, folder) for i, c in enumerate(configs)]


def _load(path):
    """The saved {"model", "metrics"}, or None when there is none. A damaged file
    (a disk error, a killed copy) is named, deleted and so retrained: the cache
    only ever saves time."""
    if not path.exists():
        return None
    try:
        # explicit: the checkpoint pickles whole modules (torch >= 2.6 defaults to True)
        saved = torch.load(path, weights_only=False)
        if not isinstance(saved, dict) or not {"model", "metrics"} <= saved.keys():
            raise ValueError("not a checkpoint of this cache")
    except Exception as exc:  # torch raises RuntimeError, pickle's errors, EOFError, ...
        problem = (str(exc).splitlines() or [type(exc).__name__])[0]
        print(f"checkpoint {path} is unreadable ({problem}): deleting it and retraining",
              file=sys.stderr, flush=True)
        path.unlink(missing_ok=True)
        return None
    return saved


def _prune(current, name):
    """Remove the superseded checkpoints of `name` (its name and seed: other code or
    config), their locks and any temp file a killed write left; a name and a seed are
    one model."""
    same_model = re.compile(rf"^\.?{re.escape(name)}-[0-9a-f]{{16}}\.(pt|lock)(\..+\.tmp)?$")
    for path in current.parent.iterdir():
        if path not in (current, current.with_suffix(".lock")) and same_model.match(path.name):
            path.unlink(missing_ok=True)
