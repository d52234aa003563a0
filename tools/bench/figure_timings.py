"""Figure build timings in a fresh clone of this repository, as a newcomer gets
it: no build/, no checkpoints. The clone's own venv (`make python`, Debian's
site-packages) is made first and not timed.

Timed, in this order, in the same clone:
  no-op    `make figures` straight after cloning (every figure is committed
           and up to date, so it should build nothing);
  cold     `make figures-all` (retrains the toy models, draws every figure);
  one      change one figure module's code (a new module-level name; a comment
           would not make it stale), `make figures`."""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict:
    """The environment without the calling make's flags (jobserver, -B, ...)."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed in "
                           f"{cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _timed(args: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = _run(args, cwd)
    return time.perf_counter() - start, result.stdout + result.stderr


def _stale(clone: Path) -> list[str]:
    return _run([".venv/bin/python", "-m", "figures_src.build", "stale"], clone).stdout.split()


def measure(jobs: int = 1, figure: str | None = None, log=print) -> dict:
    """Time the three figure builds in a fresh clone of HEAD; returns seconds and
    what each build found stale. `figure` (default: the first listed) is the one edited."""
    with tempfile.TemporaryDirectory(prefix="bench-clone-") as tmp:
        clone = Path(tmp) / "repo"
        _run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], ROOT)
        commit = _run(["git", "rev-parse", "--short", "HEAD"], clone).stdout.strip()
        log(f"bench: fresh clone of {commit} in {clone}; making its venv (not timed)")
        _run(["make", "--no-print-directory", "python"], clone)
        listing = _run([".venv/bin/python", "-m", "figures_src.build", "list"],
                       clone).stdout.split("\n")
        figures = [line.split() for line in listing if line.strip()]

        stale_after_clone = _stale(clone)
        log("bench: timing `make figures` after the clone (no-op)")
        noop, _ = _timed(["make", "--no-print-directory", "figures"], clone)

        log(f"bench: timing `make -j{jobs} figures-all` (cold: trains and draws {len(figures)} "
            f"figures)")
        cold, _ = _timed(["make", "--no-print-directory", f"-j{jobs}", "figures-all"], clone)

        name, module = next((f[0], f[1]) for f in figures if figure in (None, f[0]))
        with open(clone / module, "a", encoding="utf-8") as source:
            source.write("\n_BENCH_EDIT = True  # tools/bench: a code change, to time a one-figure "
                         "rebuild\n")
        stale_after_edit = _stale(clone)
        log(f"bench: timing `make figures` after editing {module}")
        one, _ = _timed(["make", "--no-print-directory", f"-j{jobs}", "figures"], clone)
        left = _stale(clone)
    return {
        "commit": commit, "figures": len(figures), "jobs": jobs,
        "noop_s": noop, "noop_stale": stale_after_clone,
        "cold_s": cold,
        "one_s": one, "one_figure": name, "one_stale": stale_after_edit, "stale_left": left,
    }
