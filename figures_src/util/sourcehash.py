"""A hash of Python code that changes only when the code can compute something
else, and the same on every supported Python (3.11 to 3.13).

What is hashed is the file's token stream (the standard `tokenize` module),
normalised: comments, blank lines and line breaks inside brackets are dropped,
docstrings are dropped (a string that is a whole statement at the start of a
module, class or def body), INDENT/DEDENT/NEWLINE are kept as bare markers of
structure, and every other token is its type name and its text. So rewording a
docstring or a comment, or re-wrapping a call, never makes a figure stale or
retrains a model; any change to what the code does changes the hash.

Why tokens, not the syntax tree: `ast.dump`'s text is not stable across
versions (3.12 adds `type_params=[]` to every def and class, 3.13 leaves out
empty fields). The token stream of valid 3.11 code is the same on 3.12 and
3.13 but for one documented change (3.12's What's New, "Changes in the Python
API", PEP 701): an f-string is no longer one STRING token but FSTRING_START,
FSTRING_MIDDLE..., the tokens of its expressions, FSTRING_END. _merge_fstrings
turns those back into one STRING token holding the f-string's source text
(sliced from FSTRING_START's start to the matching FSTRING_END's end), which
is what 3.11 emits. Only 3.11 runs here; the 3.12+ path is tested on the token
sequence the documentation gives (tests/figures/test_sourcehash.py).

Which files count toward what is declared once, in figures_src/util/inputs.py.
Pure standard library: listing stale figures imports neither torch nor matplotlib.
"""
from __future__ import annotations

import ast
import atexit
import functools
import hashlib
import io
import json
import os
import sys
import tokenize
from pathlib import Path

from .atomic import write_atomic
from .paths import BUILD_DIR


class SourceError(ValueError):
    """A file that is not valid Python; the message is `FILE:LINE: what is wrong`."""


def _where(path: Path) -> str:
    path = Path(path)
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


_DROPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_MARKERS = {tokenize.NEWLINE: "NEWLINE", tokenize.INDENT: "INDENT", tokenize.DEDENT: "DEDENT"}
# Present from Python 3.12 on (PEP 701); -1 never matches a token type.
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


def _merge_fstrings(tokens, lines: list[str]):
    """Yield (type, text), each f-string (3.12+: several tokens) as one STRING token."""
    tokens = iter(tokens)
    for tok in tokens:
        if tok.type != _FSTRING_START:
            yield tok.type, tok.string
            continue
        depth, start, end = 1, tok.start, tok.end
        for inner in tokens:  # to the matching FSTRING_END (f-strings nest)
            depth += (inner.type == _FSTRING_START) - (inner.type == _FSTRING_END)
            end = inner.end
            if depth == 0:
                break
        yield tokenize.STRING, _source_slice(lines, start, end)


def _source_slice(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    """The source text between two (row, column) token positions (rows from 1)."""
    (row0, col0), (row1, col1) = start, end
    if row0 == row1:
        return lines[row0 - 1][col0:col1]
    return lines[row0 - 1][col0:] + "".join(lines[row0:row1 - 1]) + lines[row1 - 1][:col1]


def _is_docstring(token: tuple[int, str]) -> bool:
    kind, text = token
    prefix = text[: len(text) - len(text.lstrip("rRuUbBfF"))].lower()
    return kind == tokenize.STRING and "b" not in prefix and "f" not in prefix


def _drop_docstrings(tokens: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Leave out every string statement that opens a module, class or def body."""
    out: list[tuple[int, str]] = []
    body_start = True  # the module's body starts here
    header, depth = False, 0  # inside a `def`/`class` line, up to its colon
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if body_start:
            body_start = False
            if kind == tokenize.INDENT:  # the body is an indented block
                out.append(tokens[i])
                i += 1
                kind, text = tokens[i] if i < len(tokens) else (None, "")
            j = i
            while j < len(tokens) and _is_docstring(tokens[j]):
                j += 1
            if j > i and j < len(tokens) and tokens[j][0] == tokenize.NEWLINE:
                i = j + 1  # the strings and the statement's NEWLINE
                continue
        if kind == tokenize.NAME and text in ("def", "class") and depth == 0:
            header = True
        elif kind == tokenize.OP and text in "([{":
            depth += 1
        elif kind == tokenize.OP and text in ")]}":
            depth -= 1
        elif header and depth == 0 and kind == tokenize.OP and text == ":":
            header = False
            out.append(tokens[i])
            i += 1
            if i < len(tokens) and tokens[i][0] == tokenize.NEWLINE:  # a block follows
                out.append(tokens[i])
                i += 1
            body_start = True
            continue
        out.append(tokens[i])
        i += 1
    return out


def normalise_tokens(tokens, lines: list[str]) -> str:
    """The canonical text of a token stream (tokenize.TokenInfo items) of `lines`."""
    merged = [t for t in _merge_fstrings(tokens, lines) if t[0] not in _DROPPED]
    parts = []
    for kind, text in _drop_docstrings(merged):
        parts.append(_MARKERS.get(kind) or f"{tokenize.tok_name[kind]} {text}")
    return "\n".join(parts) + "\n"


@functools.lru_cache(maxsize=None)
def normalise_source(source: str) -> str:
    """The code of a Python source as a canonical string (see the module's docstring)."""
    lines = source.splitlines(keepends=True)
    return normalise_tokens(tokenize.generate_tokens(io.StringIO(source).readline), lines)


def normalised(path: Path) -> str:
    """The code of a Python file as a canonical string; SourceError if it is not Python."""
    source = Path(path).read_text(encoding="utf-8")
    _tree(source, str(path))  # the syntax error with its line, before tokenize's vaguer one
    try:
        return normalise_source(source)
    except (tokenize.TokenError, SyntaxError) as exc:
        raise SourceError(f"{_where(path)}: {exc}") from None


# -- what each file is: its code's digest and its imports, cached by content ---
# `make figures` with nothing to do reads every figure's sources; tokenizing and
# parsing them each time would cost most of a second. The cache maps the sha256
# of a file's bytes (with the Python version and FORM) to what was read from it,
# so it can never be stale: an edited file has another key.

FORM = 1  # the version of the normal form and of this cache's entries
CACHE_FILE = BUILD_DIR / "cache" / "sourcehash.json"
CACHE_ENTRIES = 4000  # the newest are kept


class _Cache:
    def __init__(self, file: Path):
        self.file, self.entries, self.changed = file, None, False

    def get(self, key: str, compute):
        if self.entries is None:
            try:
                self.entries = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.entries = {}
            if not isinstance(self.entries, dict):
                self.entries = {}
            atexit.register(self.save)
        if key not in self.entries:
            self.entries[key] = compute()
            self.changed = True
        return self.entries[key]

    def save(self) -> None:
        if not self.changed:
            return
        kept = dict(list(self.entries.items())[-CACHE_ENTRIES:])
        try:
            write_atomic(self.file, json.dumps(kept, sort_keys=False).encode())
        except OSError:  # a read-only checkout: the cache only saves time
            pass
        self.changed = False


_CACHE = _Cache(CACHE_FILE)


def _read(path: Path) -> dict:
    """{"code": sha256 of the normal form, "imports": [[level, module, [names]], ...]}
    (level -1: `import a, b`), for the file's current content."""
    data = Path(path).read_bytes()
    key = f"{FORM}:{sys.version_info[0]}.{sys.version_info[1]}:{hashlib.sha256(data).hexdigest()}"

    def compute():
        source = data.decode("utf-8")
        imports = []
        for node in ast.walk(_tree(source, str(path))):
            if isinstance(node, ast.Import):
                imports.append([-1, "", [alias.name for alias in node.names]])
            elif isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
                imports.append([node.level, node.module or "", names])
        try:
            code = normalise_source(source)
        except (tokenize.TokenError, SyntaxError) as exc:
            raise SourceError(f"{_where(path)}: {exc}") from None
        return {"code": hashlib.sha256(code.encode()).hexdigest(), "imports": imports}

    return _CACHE.get(key, compute)


# -- which modules a file imports ----------------------------------------------

def _tree(source: str, filename: str) -> ast.Module:
    """The syntax tree, read for its import statements only (node types every
    Python 3 has); SourceError naming the file and line if it does not parse."""
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise SourceError(f"{_where(Path(filename))}:{exc.lineno}: {exc.msg}") from None


def _imported_modules(path: Path, module: str) -> set[str]:
    """Module names imported anywhere in a file; `from pkg import name` may be a submodule."""
    found: set[str] = set()
    for level, name, names in _read(path)["imports"]:
        if level < 0:
            found.update(names)
            continue
        base = name
        if level:
            anchor = module.split(".")
            anchor = anchor if path.name == "__init__.py" else anchor[:-1]
            anchor = anchor[: len(anchor) - (level - 1)]
            base = ".".join(anchor + ([name] if name else []))
        found.add(base)
        found.update(f"{base}.{alias}" for alias in names)
    return found


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def module_files(path: Path, package_dir: Path, exclude=()) -> list[Path]:
    """The file at `path` and the package_dir modules it imports, transitively,
    with their packages' __init__.py; sorted. Files in `exclude` are neither
    listed nor followed. (Plain strings inside: `list` runs this for every figure.)"""
    package_dir = Path(package_dir).resolve()
    parent, package = str(package_dir.parent), package_dir.name
    path = Path(path).resolve()
    excluded = {str(Path(p).resolve()) for p in exclude}
    start = ".".join(path.relative_to(package_dir.parent).with_suffix("").parts)
    found: dict[str, str | None] = {}

    def module_file(module: str) -> str | None:
        """The file of a module name inside package_dir's package, or None."""
        if module not in found:
            found[module] = None
            if module.split(".", 1)[0] == package:
                base = os.path.join(parent, *module.split("."))
                for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                    if os.path.isfile(candidate):
                        found[module] = candidate
                        break
        return found[module]

    seen: set[str] = set()
    todo = [(str(path), start)]
    while todo:
        file, module = todo.pop()
        if file in seen or file in excluded:
            continue
        seen.add(file)
        for name in _imported_modules(Path(file), module) | set(_with_parents(module)):
            for candidate in _with_parents(name):
                dep = module_file(candidate)
                if dep is not None and dep not in seen:
                    todo.append((dep, candidate))
    return sorted((Path(f) for f in seen),
                  key=lambda p: p.relative_to(package_dir.parent).as_posix())


def code_hash(files, package_dir: Path) -> str:
    """sha256 over each file's path (relative to the package's parent) and the
    sha256 of its normal form."""
    root = Path(package_dir).resolve().parent
    digest = hashlib.sha256()
    for file in sorted(Path(f).resolve() for f in files):
        rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else file.name
        digest.update(f"{rel}\n{_read(file)['code']}\n".encode())
    return digest.hexdigest()
