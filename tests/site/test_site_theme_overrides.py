"""The site's overrides of Chirpy's files (_includes/, _layouts/,
assets/feed.xml) against the pinned gem's own: each override is the gem's
file plus a recorded change, so a theme upgrade shows what changed upstream.

tests/site/theme/upstream.sha256 keeps the sha256 of the gem's copy of each
overridden file as it was when the override was made (the copy itself is in
the pinned gem); tests/site/theme/<file>.diff the override's change to it.
When the Gemfile's pin moves:
- test_upstream_is_unchanged fails, showing the new upstream file against the
  override: carry upstream's change into the override;
- then record again:
  THEME_RECORD=1 .venv/bin/python -m pytest tests/site/test_site_theme_overrides.py
"""
import difflib
import hashlib
import os
import re
import subprocess

import pytest

from sitecheck import BUNDLE, ROOT

RECORD = ROOT / "tests" / "site" / "theme"
OVERRIDES = ("_includes", "_layouts", "assets/feed.xml")
# The site's own includes, which the theme does not have.
OWN = {"_includes/scripts-after-paint.html"}
RECORDING = os.environ.get("THEME_RECORD") == "1"
HASHES = RECORD / "upstream.sha256"


def gem_dir():
    result = subprocess.run([str(BUNDLE), "info", "--path", "jekyll-theme-chirpy"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return type(ROOT)(result.stdout.strip().splitlines()[-1])


def overrides():
    found = []
    for entry in OVERRIDES:
        path = ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        found += [p.relative_to(ROOT).as_posix() for p in files if p.exists()]
    return [f for f in found if f not in OWN]


def unified(a: str, b: str, name: str) -> str:
    return "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                        f"chirpy/{name}", f"site/{name}"))


def test_the_theme_and_jekyll_are_pinned_exactly():
    gemfile = (ROOT / "Gemfile").read_text(encoding="utf-8")
    theme = re.search(r'^gem "jekyll-theme-chirpy", "(\d+\.\d+\.\d+)"$', gemfile, re.M)
    assert theme and re.search(r'^gem "jekyll", "\d+\.\d+\.\d+"$', gemfile,
                               re.M), "pin both to one version"
    assert gem_dir().name == f"jekyll-theme-chirpy-{theme.group(1)}"
    ignored = (ROOT / ".gitignore").read_text()
    assert not (ROOT / "Gemfile.lock").exists() or "Gemfile.lock" in ignored


def test_every_override_is_a_file_of_the_theme():
    gem = gem_dir()
    assert overrides(), "no overrides found: is the layout of the repository as this test expects?"
    strays = [f for f in overrides() if not (gem / f).is_file()]
    assert strays == [], ("not files of the theme (add them to OWN if they are the site's own): "
                          f"{strays}")


def recorded_hashes() -> dict:
    if not HASHES.is_file():
        return {}
    return {name: digest
            for digest, name in (line.split() for line in HASHES.read_text().splitlines())}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("name", overrides())
def test_upstream_is_unchanged(name):
    """The pinned gem's file is the one the override was made from."""
    upstream = (gem_dir() / name).read_text(encoding="utf-8")
    hashes = recorded_hashes()
    if RECORDING:
        hashes[name] = sha256(upstream)
        lines = [f"{digest}  {file}\n" for file, digest in sorted(hashes.items())]
        HASHES.write_text("".join(lines))
    assert name in hashes, (f"no recorded upstream hash of {name}: "
                            "record it (see the module's docstring)")
    override = (ROOT / name).read_text(encoding="utf-8")
    assert hashes[name] == sha256(upstream), (
        f"Chirpy changed {name} upstream; carry its change into the override, then record. "
        f"The new upstream against the override:\n{unified(upstream, override, name)}")


@pytest.mark.parametrize("name", overrides())
def test_the_override_changes_what_is_recorded(name):
    diff = unified((gem_dir() / name).read_text(encoding="utf-8"),
                   (ROOT / name).read_text(encoding="utf-8"),
                   name)
    recorded = RECORD / f"{name}.diff"
    if RECORDING:
        recorded.parent.mkdir(parents=True, exist_ok=True)
        recorded.write_text(diff, encoding="utf-8")
    assert diff, f"{name} is the theme's file unchanged: delete the override"
    assert recorded.is_file() and recorded.read_text(encoding="utf-8") == diff, \
        (f"{name} changes the theme's file otherwise than recorded in "
         f"{recorded.relative_to(ROOT)}:\n{diff}")


def test_a_changed_upstream_shows_as_a_diff():
    assert unified("a\nb\n", "a\nc\n", "x.html").splitlines()[2:] == ["@@ -1,2 +1,2 @@", " a", "-b",
                                                                      "+c"]
