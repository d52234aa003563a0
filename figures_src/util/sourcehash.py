"""What a piece of figures_src code depends on, and a hash of it that only
changes when the code can compute something else.

A module's hash is taken over its syntax tree with docstrings removed, so
comments, docstrings, blank lines and formatting never make a figure stale
or retrain a model; any change to what the code does changes it. The files
are the module and every figures_src module it imports, transitively
(imports are read from the source, also those inside functions), with the
packages' __init__ files.

Pure standard library: listing stale figures imports neither torch nor matplotlib.
"""
from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path


# Plumbing that moves bytes around but never shapes one: where files go (paths),
# how they are written (files) and this hash itself. Neither a figure's inputs
# nor a checkpoint's key: editing them rebuilds and retrains nothing.
PLUMBING = ("util/paths.py", "util/atomic.py", "util/sourcehash.py", "util/__init__.py")


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:]
    return tree


# One process lists every figure: each distinct source is parsed once (keyed by
# its text, so an edited file is parsed again).
@functools.lru_cache(maxsize=None)
def _tree(source: str) -> ast.Module:
    return ast.parse(source)


@functools.lru_cache(maxsize=None)
def _normalise(source: str) -> str:
    return ast.dump(_strip_docstrings(ast.parse(source)), annotate_fields=True, include_attributes=False)


def normalised(path: Path) -> str:
    """The code of a Python file as a canonical string: its AST without docstrings."""
    return _normalise(Path(path).read_text(encoding="utf-8"))


def _module_file(module: str, package_dir: Path) -> Path | None:
    """The file of a module name inside package_dir's package, or None."""
    parts = module.split(".")
    if parts[0] != package_dir.name:
        return None
    base = package_dir.parent.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _imported_modules(path: Path, module: str) -> set[str]:
    """Module names imported anywhere in a file; `from pkg import name` may be a submodule."""
    tree = _tree(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def module_files(path: Path, package_dir: Path, exclude=()) -> list[Path]:
    """The file at `path` and the package_dir modules it imports, transitively,
    with their packages' __init__.py; sorted. Files in `exclude` are neither
    listed nor followed."""
    package_dir = Path(package_dir).resolve()
    path = Path(path).resolve()
    excluded = {Path(p).resolve() for p in exclude}
    start = ".".join(path.relative_to(package_dir.parent).with_suffix("").parts)
    seen: set[Path] = set()
    todo = [(path, start)]
    while todo:
        file, module = todo.pop()
        if file in seen or file in excluded:
            continue
        seen.add(file)
        for name in _imported_modules(file, module) | set(_with_parents(module)):
            for candidate in _with_parents(name):
                dep = _module_file(candidate, package_dir)
                if dep is not None and dep not in seen:
                    todo.append((dep, candidate))
    return sorted(seen, key=lambda p: p.relative_to(package_dir.parent).as_posix())


def code_hash(files, package_dir: Path) -> str:
    """sha256 over (path relative to the package's parent, normalised code) of each file."""
    root = Path(package_dir).resolve().parent
    digest = hashlib.sha256()
    for file in sorted(Path(f).resolve() for f in files):
        rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else file.name
        code = normalised(file).encode()
        digest.update(b"%d:%s\n%d:" % (len(rel), rel.encode(), len(code)))
        digest.update(code)
    return digest.hexdigest()
