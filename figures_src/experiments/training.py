"""The one training loop of the project, and a checkpoint cache so each toy model trains once.

Reproducible by construction: seed() fixes torch's random state and the
thread count before a model is built. One thread, because (a) a different
thread count may change the order of floating-point sums and with it the
trained weights, and (b) `make -j2` on a 2-core machine runs two figure
builds side by side, each on one core.
"""
import fcntl
import hashlib
import inspect
import io
import json
import time
from pathlib import Path

import torch
from torch.nn import functional as F

from .. import pipeline
from ..pipeline import PACKAGE_DIR, TORCH_THREADS
from ..style import write_atomic

NUM_THREADS = TORCH_THREADS  # the pipeline's: one thread count for figures and training
REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = REPO_ROOT / "build"
CHECKPOINT_DIR = BUILD_DIR / "checkpoints"
IGNORE_INDEX = -100  # targets with this value do not count in the loss


def seed(value):
    """Fix the random state and the thread count (call before building the model)."""
    torch.manual_seed(value)
    torch.set_num_threads(NUM_THREADS)


def train(model, make_batch, *, max_steps, lr=1e-3, stop_loss=None, generator=None, log_every=0):
    """Adam on the cross-entropy of model(inputs) against targets, until the loss is low enough.

    make_batch(generator) -> (inputs [B, T], targets [B, T]); targets equal to
    IGNORE_INDEX are left out of the loss. Training stops early at the first
    step whose batch loss is below stop_loss (early stopping on a loss
    threshold: the toy tasks are solvable exactly, so "low enough" is known).
    Returns {"steps", "final_loss", "losses", "seconds", "stopped_early"}.
    """
    if generator is None:
        generator = torch.Generator().manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses, start, step = [], time.perf_counter(), 0
    with torch.enable_grad():  # also when called from inside torch.no_grad()
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
            if stop_loss is not None and losses[-1] < stop_loss:
                break
    model.eval()
    return {"steps": step, "final_loss": losses[-1], "losses": losses,
            "seconds": time.perf_counter() - start,
            "stopped_early": stop_loss is not None and losses[-1] < stop_loss}


def code_files(build_and_train, package_dir=PACKAGE_DIR):
    """The code whose edits must retrain a model: this loop, the module defining
    build_and_train and every figures_src module it imports, transitively (the
    pipeline's own import follower, without the pipeline and style files)."""
    caller = Path(inspect.getsourcefile(build_and_train)).resolve()
    files = set(pipeline.input_files(caller, package_dir, pipeline=False))
    return sorted(files | {Path(__file__).resolve()})


def _code_fingerprint(build_and_train, package_dir=PACKAGE_DIR):
    root = Path(package_dir).resolve().parent
    digest = hashlib.sha256()
    for path in code_files(build_and_train, package_dir):
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def checkpoint_path(name, config, build_and_train, package_dir=PACKAGE_DIR):
    """build/checkpoints/<name>-<hash of config and code>.pt"""
    key = json.dumps(config, sort_keys=True) + _code_fingerprint(build_and_train, package_dir)
    return CHECKPOINT_DIR / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"


def cached(name, config, build_and_train):
    """(model, metrics) from the checkpoint cache, training with build_and_train(config) on a miss.

    config: a JSON-able dict, everything that shapes the result. An exclusive
    file lock makes two processes asking for the same model at once train it
    once: the second waits, then loads. The checkpoint is written atomically
    (style.write_atomic), so a crash never leaves a half-written one.
    """
    path = checkpoint_path(name, config, build_and_train)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            # explicit: the checkpoint pickles whole modules (torch >= 2.6 defaults to True)
            saved = torch.load(path, weights_only=False)
            saved["model"].eval()
            return saved["model"], saved["metrics"]
        print(f"training {name} (no checkpoint {path.name})", flush=True)
        model, metrics = build_and_train(config)
        model.eval()
        buffer = io.BytesIO()
        torch.save({"model": model, "metrics": metrics}, buffer)
        write_atomic(path, buffer.getvalue())
        return model, metrics
