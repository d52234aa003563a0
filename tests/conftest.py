"""Shared test setup: the repository root, importable as a package root, and
every test marked by what it costs, from its folder and its fixtures (never by
hand), so `make check` can leave out the expensive ones:

    browser  drives headless Chromium (tests/browser/)
    site     builds the Jekyll site: uses the `site` fixture (or one built on
             it), or the test or one of its fixtures builds a site of its own
             (jekyll_build, make_site, copy_project, `make serve`)
    train    trains toy models or computes figures from trained checkpoints:
             tests/experiments/, or uses the `figure_data` fixture
    build    builds figures end to end in fresh Python processes (the
             `project` fixture of tests/figures/test_pipeline.py)

`make check` runs what carries none of these (and no `slow` mark).
"""
import inspect
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TESTS = Path(__file__).resolve().parent
BUILDS_A_SITE = ("jekyll_build(", "make_site(", "htmlproofer(", '"serve"', "copy_project(")


def _source(function) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def _code(item) -> str:
    """The source of the test and of every fixture it uses."""
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for definitions in (info.name2fixturedefs.values() if info else ()):
        functions.extend(d.func for d in definitions)
    return "\n".join(_source(f) for f in functions if f is not None)


def costs(item) -> set[str]:
    """The cost markers of one collected test."""
    folder = Path(str(item.fspath)).resolve().relative_to(TESTS).parts[0]
    fixtures = set(getattr(item, "fixturenames", ()))
    found = set()
    if folder == "browser":
        found.add("browser")
    if "site" in fixtures or any(call in _code(item) for call in BUILDS_A_SITE):
        found.add("site")
    if folder == "experiments" or "figure_data" in fixtures:
        found.add("train")
    if "project" in fixtures:
        found.add("build")
    return found


def pytest_collection_modifyitems(config, items):
    for item in items:
        for name in sorted(costs(item)):
            item.add_marker(getattr(pytest.mark, name))
