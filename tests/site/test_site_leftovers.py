"""What a killed build leaves behind: tools/lay-assets builds assets/lib in
assets/.lib.<pid>.XXXXXX; such folders are git-ignored, swept by the next lay
when the lay that made them is no longer running (never another running lay's),
and removed by `make clean`."""
import os
import subprocess
import time

from sitecheck import ROOT, copy_project, make


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_leftover_lay_folders_are_ignored_by_git():
    result = subprocess.run(["git", "check-ignore", "-q",
                             "assets/.lib.1234.abcdef/katex/katex.min.css"], cwd=ROOT)
    assert result.returncode == 0


def test_the_next_lay_sweeps_only_stale_folders_and_clean_removes_all(tmp_path):
    project = copy_project(tmp_path)
    assets = project / "assets"
    dead = assets / f".lib.{dead_pid()}.abcdef"
    running = assets / f".lib.{os.getpid()}.ghijkl"  # this test is running: not stale
    old = assets / ".lib.OLDXYZ"  # an older lay's name, no id: stale after an hour
    young = assets / ".lib.NEWXYZ"
    for folder in (dead, running, old, young):
        (folder / "katex").mkdir(parents=True)
    an_hour_ago = time.time() - 2 * 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    (project / "index.html").touch()  # the site's text changed: the next build lays again
    result = make(project, "build")
    assert result.returncode == 0, result.stdout
    assert "lay-assets: front-end libraries laid" in result.stdout
    assert sorted(p.name for p in assets.glob(".lib.*")) == sorted([running.name, young.name])
    result = make(project, "clean")
    assert result.returncode == 0, result.stdout
    assert list(assets.glob(".lib.*")) == [] and not (assets / "lib").exists()
