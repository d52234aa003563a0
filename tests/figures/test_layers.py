"""The package's layers point down only, read from each file's own import
statements (sourcehash's reader, imports inside functions included):

    build/        may import everything below
    figures/      a post's figure modules: experiments, nn, util, and
                  figures/figure.py + figures/diagrams.py; never build/ (draw()
                  gets its theme as an argument) nor another figure module
    experiments/  experiments, nn, util
    nn/           nn, util
    util/         util only
"""
import pytest

from figures_src.util import paths, sourcehash

PACKAGE = paths.PACKAGE_DIR
SHARED_FIGURE_CODE = {"figures/figure", "figures/diagrams"}


def direct_imports(path) -> set[str]:
    """The figures_src modules a file imports itself, as "nn/attention"
    (packages' __init__ left out)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    found = set()
    for name in sourcehash._imported_modules(path, module):
        parts = name.split(".")
        file = PACKAGE.parent.joinpath(*parts).with_suffix(".py")
        if parts[0] == PACKAGE.name and file.is_file():
            found.add("/".join(parts[1:]))
    return found


def files(folder, pattern="*.py"):
    return sorted(p for p in (PACKAGE / folder).glob(pattern) if p.name != "__init__.py")


def layer(name: str) -> str:
    return name.split("/")[0]


def figure_may_import(name: str) -> bool:
    return layer(name) in ("experiments", "nn", "util") or name in SHARED_FIGURE_CODE


def check(path, allowed) -> list[str]:
    return sorted(n for n in direct_imports(path) if not allowed(n))


@pytest.mark.parametrize("path", files("util"), ids=lambda p: p.name)
def test_util_imports_only_util(path):
    assert check(path, lambda n: layer(n) == "util") == []


@pytest.mark.parametrize("path", files("nn"), ids=lambda p: p.name)
def test_nn_imports_only_nn_and_util(path):
    assert check(path, lambda n: layer(n) in ("nn", "util")) == []


@pytest.mark.parametrize("path", files("experiments"), ids=lambda p: p.name)
def test_experiments_import_experiments_nn_and_util(path):
    assert check(path, lambda n: layer(n) in ("experiments", "nn", "util")) == []


@pytest.mark.parametrize("path", files("figures"), ids=lambda p: p.name)
def test_shared_figure_code_imports_no_build_and_no_figure(path):
    assert check(path, figure_may_import) == []


@pytest.mark.parametrize("path", files("figures", "*/*.py"),
                         ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_a_figure_imports_no_build_and_no_other_figure(path):
    bad = check(path, figure_may_import)
    assert bad == [], f"{path.name} imports {bad}: draw() gets its theme as an argument; " \
                      f"shared drawing code goes to figures/diagrams.py"


def test_the_checks_see_imports():
    """The reader behind these tests finds a figure module's imports, also inside functions."""
    found = direct_imports(PACKAGE / "figures" / "give_me_attention" / "reversal_attention.py")
    assert {"experiments/reversal", "figures/figure"} <= found
    assert "build/pipeline" in direct_imports(PACKAGE / "build" / "__main__.py")
    pipeline = direct_imports(PACKAGE / "build" / "pipeline.py")
    assert {"figures/figure", "build/render", "build/style"} <= pipeline


def test_every_module_is_in_a_layer():
    top = {p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "_"))}
    assert top == {"util", "nn", "experiments", "figures", "build"}, sorted(top)
