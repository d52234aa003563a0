"""Find the figure modules, decide which are stale, and build them.

A figure is stale when its manifest (_data/figures/<name>.yml) is missing,
when the hash of its inputs changed, or when an output file is missing or
differs from the sha256 the manifest recorded. File times are never used
(git sets them at checkout), so a fresh clone is up to date.

The inputs of a figure are the source of its module, of every figures_src
module it imports (transitively, found by parsing the imports, including the
packages' __init__ files unless they hold only a docstring) and of the
pipeline itself (figure.py, pipeline.py, style.py). Editing one figure module rebuilds that figure; editing shared
model code rebuilds the figures that import it.

This module imports neither torch nor matplotlib at import time, so listing
stale figures stays fast.
"""
from __future__ import annotations

import ast
import hashlib
import importlib
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "figures_src"
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
FIGURES_DIR = PACKAGE_DIR / "figures"
IMAGE_DIR = Path("assets/img/posts/give-me-attention")
MANIFEST_DIR = Path("_data/figures")
# Always inputs: the contract, the build and the look.
PIPELINE_FILES = ("figure.py", "pipeline.py", "style.py")
VARIANTS = ("light", "dark")
TORCH_THREADS = 1  # fixed: results must not depend on the machine's core count
FACT_DIGITS = 4  # significant digits kept for float facts


class FigureError(RuntimeError):
    """A figure failed to build; the message names it."""


@dataclass(frozen=True)
class FigureSource:
    """A figure module on disk, known without importing it."""

    name: str  # "rnn-unrolled"
    module: str  # "figures_src.figures.rnn_unrolled"
    path: Path  # .../figures_src/figures/rnn_unrolled.py
    package_dir: Path = PACKAGE_DIR

    @property
    def relpath(self) -> str:
        return self.path.relative_to(self.package_dir.parent).as_posix()


def discover(package_dir: Path = PACKAGE_DIR) -> list[FigureSource]:
    """Every figures/<stem>.py (not starting with "_"), sorted by name."""
    figures_dir = package_dir / "figures"
    sources = [
        FigureSource(name=path.stem.replace("_", "-"),
                     module=f"{package_dir.name}.figures.{path.stem}",
                     path=path.resolve(), package_dir=package_dir.resolve())
        for path in figures_dir.glob("*.py") if not path.name.startswith("_")
    ]
    return sorted(sources, key=lambda s: s.name)


def find(names: list[str] | None = None, package_dir: Path = PACKAGE_DIR) -> list[FigureSource]:
    """The named figures (all when `names` is empty); unknown names are an error."""
    sources = discover(package_dir)
    if not names:
        return sources
    by_name = {s.name: s for s in sources}
    by_name.update({s.path.stem: s for s in sources})  # accept module stems too
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise FigureError(f"unknown figure(s) {', '.join(unknown)}; known: "
                          f"{', '.join(s.name for s in sources)}")
    return [by_name[n] for n in dict.fromkeys(names)]


# -- the inputs hash -------------------------------------------------------

def _module_file(module: str, package_dir: Path) -> Path | None:
    """The file of a figures_src module name, or None if it is not one."""
    parts = module.split(".")
    if parts[0] != package_dir.name:
        return None
    base = package_dir.parent.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(path: Path, module: str, package_dir: Path) -> set[str]:
    """Module names imported anywhere in a file (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            # `from pkg import name` may import a submodule called name
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_docs_only_package(path: Path) -> bool:
    """A package __init__.py holding nothing but a docstring: importing it runs
    no code, so editing its documentation (e.g. figures/__init__.py, the
    how-to) must not rebuild every figure."""
    if path.name != "__init__.py":
        return False
    body = ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
               and isinstance(node.value.value, str) for node in body)


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def input_files(path: Path, package_dir: Path = PACKAGE_DIR, pipeline: bool = True) -> list[Path]:
    """The module at `path`, the figures_src modules it imports (transitively,
    with their packages' __init__.py) and, if `pipeline`, the pipeline files;
    sorted. With pipeline=False the pipeline files are left out even where
    imported: that is the code a trained model depends on (the checkpoint key
    of experiments.training), and restyling must not retrain."""
    package_dir = package_dir.resolve()
    path = path.resolve()
    rel = path.relative_to(package_dir.parent).with_suffix("")
    start = ".".join(rel.parts)
    pipeline_files = [package_dir / name for name in PIPELINE_FILES]
    files: dict[Path, None] = dict.fromkeys(pipeline_files if pipeline else ())
    todo = [(path, start)]
    seen = set() if pipeline else set(pipeline_files)  # without them: not even when imported
    while todo:
        file, module = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        if not _is_docs_only_package(file):
            files[file] = None
        for name in _imported_modules(file, module, package_dir) | set(_with_parents(module)):
            for candidate in _with_parents(name):
                dep = _module_file(candidate, package_dir)
                if dep is not None and dep.resolve() not in seen:
                    todo.append((dep.resolve(), candidate))
    return sorted(files, key=lambda p: p.relative_to(package_dir.parent).as_posix())


def inputs_hash(path: Path, package_dir: Path = PACKAGE_DIR) -> str:
    """sha256 over (relative path, source) of every input file of a figure module."""
    package_dir = package_dir.resolve()
    digest = hashlib.sha256()
    for file in input_files(path, package_dir):
        rel = file.relative_to(package_dir.parent).as_posix().encode()
        data = file.read_bytes()
        digest.update(b"%d:%s\n%d:" % (len(rel), rel, len(data)))
        digest.update(data)
    return digest.hexdigest()


# -- manifests and staleness -------------------------------------------------

def output_path(name: str, variant: str, suffix: str) -> Path:
    """Repository-relative path of one output file."""
    return IMAGE_DIR / f"{name}-{variant}{suffix}"


def manifest_path(name: str) -> Path:
    return MANIFEST_DIR / f"{name}.yml"


def read_manifest(name: str, root: Path = REPO_ROOT) -> dict | None:
    import yaml

    path = Path(root) / manifest_path(name)
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def stale_reason(source: FigureSource, root: Path = REPO_ROOT) -> str | None:
    """Why the figure must be rebuilt, or None when it is up to date."""
    root = Path(root)
    manifest = read_manifest(source.name, root)
    if not manifest:
        return "no manifest"
    if manifest.get("inputs_sha256") != inputs_hash(source.path, source.package_dir):
        return "inputs changed"
    outputs = manifest.get("outputs") or {}
    for variant in VARIANTS:
        entry = outputs.get(variant)
        if not entry:
            return f"manifest lacks the {variant} output"
        file = root / entry["path"].lstrip("/")
        actual = _sha256_file(file)
        if actual is None:
            return f"{entry['path']} is missing"
        if actual != entry.get("sha256"):
            return f"{entry['path']} differs from the manifest"
    return None


def stale(root: Path = REPO_ROOT, package_dir: Path = PACKAGE_DIR) -> list[tuple[FigureSource, str]]:
    return [(s, r) for s in discover(package_dir) if (r := stale_reason(s, root))]


# -- facts -------------------------------------------------------------------

def round_fact(value, digits: int = FACT_DIGITS):
    """A manifest-ready fact: floats to `digits` significant digits, tensors to numbers."""
    if hasattr(value, "item") and callable(value.item):  # torch/numpy scalars
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"fact is {value}")
        return float(f"{value:.{digits}g}")
    raise TypeError(f"a fact must be a number or a string, not {type(value).__name__}")


def clean_facts(facts: dict, name: str) -> dict:
    if not isinstance(facts, dict):
        raise FigureError(f"figure {name!r}: compute()['facts'] must be a dict")
    out = {}
    for key in sorted(facts):
        try:
            out[str(key)] = round_fact(facts[key])
        except (TypeError, ValueError) as exc:
            raise FigureError(f"figure {name!r}: fact {key!r}: {exc}") from None
    return out


def _format(text: str, facts: dict, name: str, what: str) -> str:
    try:
        return text.format(**facts)
    except (KeyError, IndexError, ValueError) as exc:
        raise FigureError(f"figure {name!r}: {what} needs {exc} which compute()['facts'] lacks "
                          f"(or has a bad format; double literal braces)") from None


# -- building ----------------------------------------------------------------

def seed_for(name: str) -> int:
    """A per-figure seed derived from its name, stable across machines."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def prepare_torch(name: str) -> None:
    """Seed every generator and fix the thread count before compute()."""
    random.seed(seed_for(name))
    try:
        import numpy
        numpy.random.seed(seed_for(name))
    except ImportError:  # pragma: no cover
        pass
    try:
        import torch
    except ImportError:  # a figure without torch does not need it
        return
    torch.manual_seed(seed_for(name))
    torch.set_num_threads(TORCH_THREADS)


def load(source: FigureSource):
    """Import a figure module and check its contract."""
    from figures_src.figure import Figure

    if str(source.package_dir.parent) not in sys.path:
        sys.path.insert(0, str(source.package_dir.parent))
    module = importlib.import_module(source.module)
    figure = getattr(module, "FIGURE", None)
    if not isinstance(figure, Figure):
        raise FigureError(f"figure {source.name!r}: {source.relpath} must define FIGURE = Figure(...)")
    if figure.name != source.name:
        raise FigureError(f"figure {source.name!r}: FIGURE.name is {figure.name!r} but the module "
                          f"{source.relpath} makes it {source.name!r}")
    for fn in ("compute", "draw"):
        if not callable(getattr(module, fn, None)):
            raise FigureError(f"figure {source.name!r}: {source.relpath} must define {fn}()")
    return module


def compute(source: FigureSource, module=None) -> dict:
    """Seed, then run the module's compute() once: the data both variants draw."""
    module = module or load(source)
    prepare_torch(source.name)
    data = module.compute()
    if not isinstance(data, dict):
        raise FigureError(f"figure {source.name!r}: compute() must return a dict, not {type(data).__name__}")
    return data


@dataclass(frozen=True)
class BuildResult:
    name: str
    seconds: float
    outputs: dict  # variant -> manifest entry


def build(source: FigureSource, root: Path = REPO_ROOT) -> BuildResult:
    """Compute once, draw light and dark, write both files, then the manifest.

    Both variants are rendered to memory before anything is written, and every
    write is atomic, so a failure leaves no partial file and the manifest
    (written last) never names a file that is not there.
    """
    from figures_src import style

    root = Path(root)
    start = time.perf_counter()
    try:
        module = load(source)
        figure = module.FIGURE
        data = compute(source, module)
        facts = clean_facts(data.get("facts", {}), source.name)
        rendered = {}
        for theme in style.THEMES:
            with theme.rc():
                rendered[theme.name] = style.render(module.draw(data, theme), raster=figure.raster)
        manifest = {
            "name": source.name,
            "module": source.relpath,
            "inputs_sha256": inputs_hash(source.path, source.package_dir),
            "alt": _format(figure.alt, facts, source.name, "alt"),
            "caption": _format(figure.caption, facts, source.name, "caption"),
            "outputs": {},
            "facts": facts,
        }
        for variant, out in rendered.items():
            rel = output_path(source.name, variant, out.suffix)
            style.write_atomic(root / rel, out.data)
            manifest["outputs"][variant] = {"path": "/" + rel.as_posix(), "width": out.width,
                                            "height": out.height, "sha256": out.sha256}
            other = rel.with_suffix(".png" if out.suffix == ".svg" else ".svg")
            (root / other).unlink(missing_ok=True)  # raster switched: drop the old format
        style.write_atomic(root / manifest_path(source.name), dump_manifest(manifest).encode())
    except FigureError:
        raise
    except Exception as exc:
        raise FigureError(f"figure {source.name!r} failed: {type(exc).__name__}: {exc}") from exc
    return BuildResult(source.name, time.perf_counter() - start, manifest["outputs"])


def dump_manifest(manifest: dict) -> str:
    """Stable YAML: fixed key order, facts sorted, no line wrapping."""
    import yaml

    header = "# Generated by `make figures` (figures_src/pipeline.py): do not edit.\n"
    return header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True,
                                   default_flow_style=False, width=10_000)
