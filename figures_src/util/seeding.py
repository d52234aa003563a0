"""Every random generator and the thread count, set in one place.

The pipeline seeds a figure from its name before compute(); training seeds a
model from its config. Both go through seed_all(), and training runs inside
preserved(), so whether a model came from the checkpoint cache or was just
trained, the figure's own random stream continues exactly the same.

One thread: a different thread count may change the order of floating-point
sums and with it trained weights; and `make -j2` runs two builds side by side.
"""
from __future__ import annotations

import contextlib
import hashlib
import random

TORCH_THREADS = 1


def seed_for(name: str) -> int:
    """A seed derived from a name, stable across machines and Python runs."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def seed_all(value: int) -> None:
    """Seed Python's, NumPy's and torch's generators; fix torch's thread count."""
    random.seed(value)
    with contextlib.suppress(ImportError):
        import numpy
        numpy.random.seed(value)
    with contextlib.suppress(ImportError):  # a figure without torch does not need it
        import torch
        torch.manual_seed(value)
        torch.set_num_threads(TORCH_THREADS)


@contextlib.contextmanager
def preserved():
    """Run a block (e.g. training) without disturbing the caller's random state."""
    import numpy
    import torch

    python_state, numpy_state = random.getstate(), numpy.random.get_state()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            random.setstate(python_state)
            numpy.random.set_state(numpy_state)
