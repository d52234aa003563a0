"""What counts toward a figure's inputs and a checkpoint's key: declared here only.

A figure is stale when the code hash of its inputs changed; a toy model is
retrained when the code hash of its key changed (figures_src.util.sourcehash
hashes both, without comments or docstrings). The files are named relative to
the package folder, so the tests can point the same rules at a copy.

- PLUMBING moves bytes and never shapes one (where files go, how they are
  written, this hashing): it counts toward nothing, so editing it rebuilds and
  retrains nothing.
- BUILD is what turns any figure's code into its files: it counts toward every
  figure's inputs.
- LOOK is how a figure is drawn and written: it never counts toward a
  checkpoint (restyling a figure must not retrain its model).
- TRAINING is the loop and the seeding: it counts toward every checkpoint.
"""
from __future__ import annotations

from pathlib import Path

from .paths import PACKAGE_DIR

PLUMBING = ("util/__init__.py", "util/paths.py", "util/atomic.py", "util/sourcehash.py",
            "util/inputs.py")
BUILD = ("figures/figure.py", "build/pipeline.py", "build/render.py", "build/style.py",
         "util/seeding.py")
LOOK = ("figures/figure.py", "figures/diagrams.py", "build/__init__.py", "build/__main__.py",
        "build/pipeline.py", "build/render.py", "build/style.py")
TRAINING = ("experiments/training.py", "util/seeding.py")


def _files(names, package_dir: Path) -> list[Path]:
    return [Path(package_dir).resolve() / name for name in names]


def figure_inputs(path: Path, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """A figure module's inputs: itself, what it imports (transitively) and BUILD."""
    from . import sourcehash

    package_dir = Path(package_dir).resolve()
    plumbing = _files(PLUMBING, package_dir)
    files = set(sourcehash.module_files(path, package_dir, exclude=plumbing))
    for file in _files(BUILD, package_dir):
        files.update(sourcehash.module_files(file, package_dir, exclude=plumbing))
    return sorted(files, key=lambda p: p.relative_to(package_dir.parent).as_posix())


def checkpoint_inputs(path: Path, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The code whose edits retrain a model built by a function in `path`: that
    module, what it imports (transitively, never the LOOK nor the PLUMBING) and
    TRAINING."""
    from . import sourcehash

    package_dir = Path(package_dir).resolve()
    skipped = _files(PLUMBING + LOOK, package_dir)
    files = set(sourcehash.module_files(path, package_dir, exclude=skipped))
    files.update(file for file in _files(TRAINING, package_dir) if file.is_file())
    return sorted(files, key=lambda p: p.relative_to(package_dir.parent).as_posix())
