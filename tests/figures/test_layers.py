"""The package's layers point down only: figures -> experiments -> nn; the
pipeline -> figures. Read from the import statements (sourcehash's reader),
so a new module cannot break the rule unnoticed."""
import pytest

from figures_src.util import paths, sourcehash

PACKAGE = paths.PACKAGE_DIR
BUILD_MODULES = {"pipeline", "style", "output", "figure", "__main__", "diagrams"}


def modules_in(folder):
    return sorted((PACKAGE / folder).glob("*.py"))


def imported(path):
    """The figures_src modules a file imports (by file), itself and packages left out."""
    return {p for p in sourcehash.module_files(path, PACKAGE) if p != path.resolve() and p.name != "__init__.py"}


def names(files):
    return {p.relative_to(PACKAGE).with_suffix("").as_posix() for p in files}


@pytest.mark.parametrize("path", modules_in("nn") + modules_in("experiments"), ids=lambda p: p.name)
def test_models_and_experiments_import_no_build_code(path):
    """Training a model never imports the look, the output or the pipeline (nor matplotlib)."""
    direct = {name.split("/")[-1] for name in names(imported(path)) if "/" not in name}
    assert not direct & BUILD_MODULES, f"{path.name} imports {sorted(direct & BUILD_MODULES)}"


@pytest.mark.parametrize("path", modules_in("nn"), ids=lambda p: p.name)
def test_nn_imports_only_nn(path):
    outside = {n for n in names(imported(path)) if not n.startswith("nn/")}
    assert not outside, f"nn/{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", [p for p in modules_in("figures") if not p.name.startswith("_")],
                         ids=lambda p: p.name)
def test_no_figure_module_imports_another_or_the_build(path):
    found = names(imported(path))
    others = {n for n in found if n.startswith("figures/")}
    build = found & {"pipeline", "style", "output"}
    assert not others, f"{path.name} imports figure modules {sorted(others)}"
    assert not build, f"{path.name} imports {sorted(build)}: draw() gets its theme as an argument"


def test_the_checks_see_imports():
    """The reader behind these tests does find a figure module's imports."""
    found = names(imported(PACKAGE / "figures" / "reversal_attention.py"))
    assert {"experiments/reversal", "experiments/training", "nn/transformer", "figure"} <= found
