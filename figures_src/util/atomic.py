"""The one way this project writes a file it generates: atomically.

A figure, a manifest or a checkpoint is first written to `.NAME.<random>.tmp`
beside its target and then renamed over it, so a reader (Jekyll, git, a
parallel build) never sees half a file. A process killed between the two
steps leaves only such a temp file, which remove_temps() sweeps away.
No heavy imports: training code and the staleness check use this too.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder and rename: never a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def remove_temps(folder: Path, stem: str = "") -> list[Path]:
    """Delete the temp files an interrupted write_atomic left in `folder`
    (only those of targets starting with `stem`, if given); returns them."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    left = sorted(folder.glob(f".{stem}*{TEMP_SUFFIX}"))
    for path in left:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return left
