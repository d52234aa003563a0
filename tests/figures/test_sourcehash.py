"""The source hash: pinned on a fixed snippet, blind to comments, docstrings and
blank lines, sensitive to code, and the same for the token stream Python 3.12+
emits for f-strings (PEP 701) as for 3.11's."""
import hashlib
import io
import tokenize

import pytest

from figures_src.util import sourcehash

SNIPPET = '''"""A module docstring."""
import math


class Scale:
    """A class docstring."""

    factor = 2.0

    def apply(self, xs, label="x"):
        "A one-line docstring."
        return [self.factor * math.sqrt(x) for x in xs], f"{label}: {len(xs)} values"
'''
# sha256 of normalise_source(SNIPPET). It changes only if the normal form changes:
# then every figure reads stale once, so change it on purpose, with a rebuild.
PINNED = "96d5f39b85fccec4e0c1d13cac7f1e4aae16eaef6709fce0dbc2733701b9c1a7"


def digest(source: str) -> str:
    return hashlib.sha256(sourcehash.normalise_source(source).encode()).hexdigest()


def test_the_hash_of_a_fixed_snippet_is_pinned():
    assert digest(SNIPPET) == PINNED


@pytest.mark.parametrize("edit", [
    lambda s: s.replace('"""A module docstring."""',
                        '"""Reworded, at length.\n\nTwo paragraphs."""'),
    lambda s: s.replace('"A one-line docstring."', "'''Another docstring.'''"),
    lambda s: s.replace('    """A class docstring."""\n\n', ""),
    lambda s: s.replace("import math\n", "import math  # for sqrt\n\n\n# a comment line\n"),
    lambda s: s.replace("for x in xs]", "for x\n                in xs]"),  # wrapped in brackets
    lambda s: s.replace("factor = 2.0", "factor=2.0"),
    lambda s: s + "\n\n# trailing comment",
], ids=["module-docstring", "function-docstring", "class-docstring", "comments", "wrapping",
        "spaces", "trailing-comment"])
def test_what_cannot_change_an_output_leaves_the_hash(edit):
    assert digest(edit(SNIPPET)) == PINNED


@pytest.mark.parametrize("edit", [
    lambda s: s.replace("factor = 2.0", "factor = 3.0"),
    lambda s: s.replace("math.sqrt(x)", "math.log(x)"),
    lambda s: s.replace('label="x"', 'label="y"'),
    lambda s: s.replace("{len(xs)} values", "{len(xs)} items"),  # inside an f-string
    lambda s: s.replace('"A one-line docstring."', '"A one-line docstring."\n        xs = xs[1:]'),
    lambda s: s.replace("        return", "        if xs:\n            pass\n        return"),
    lambda s: s.replace('    """A class docstring."""\n', '    NOTE = """A class docstring."""\n'),
], ids=["number", "call", "default", "f-string", "statement", "block", "string-now-assigned"])
def test_a_code_change_changes_the_hash(edit):
    assert digest(edit(SNIPPET)) != PINNED


def test_a_string_that_is_not_first_is_code():
    first = 'def f():\n    x = 1\n    "not a docstring"\n'
    assert digest(first) != digest('def f():\n    x = 1\n')


# -- Python 3.12+ ------------------------------------------------------------------
# Only 3.11 runs here. From 3.12 on, tokenize emits an f-string as FSTRING_START,
# FSTRING_MIDDLE, the expression's tokens, FSTRING_END (3.12's What's New, "Changes
# in the Python API"; the example there is f"start {1+1} end"). The sequence below
# is that documented form for `x = f"a{y!r:>4}b"`, positions included; the
# normaliser must read it as 3.11's single STRING token.

FAKE_START, FAKE_MIDDLE, FAKE_END = 1001, 1002, 1003


def _tok(kind, text, start, end, line):
    return tokenize.TokenInfo(kind, text, start, end, line)


def test_fstring_tokens_of_python_312_normalise_like_311(monkeypatch):
    source = 'x = f"a{y!r:>4}b"\n'
    line = source
    tokens_312 = [
        _tok(tokenize.NAME, "x", (1, 0), (1, 1), line),
        _tok(tokenize.OP, "=", (1, 2), (1, 3), line),
        _tok(FAKE_START, 'f"', (1, 4), (1, 6), line),
        _tok(FAKE_MIDDLE, "a", (1, 6), (1, 7), line),
        _tok(tokenize.OP, "{", (1, 7), (1, 8), line),
        _tok(tokenize.NAME, "y", (1, 8), (1, 9), line),
        _tok(tokenize.OP, "!", (1, 9), (1, 10), line),
        _tok(tokenize.NAME, "r", (1, 10), (1, 11), line),
        _tok(tokenize.OP, ":", (1, 11), (1, 12), line),
        _tok(FAKE_MIDDLE, ">4", (1, 12), (1, 14), line),
        _tok(tokenize.OP, "}", (1, 14), (1, 15), line),
        _tok(FAKE_MIDDLE, "b", (1, 15), (1, 16), line),
        _tok(FAKE_END, '"', (1, 16), (1, 17), line),
        _tok(tokenize.NEWLINE, "\n", (1, 17), (1, 18), line),
        _tok(tokenize.ENDMARKER, "", (2, 0), (2, 0), ""),
    ]
    monkeypatch.setattr(sourcehash, "_FSTRING_START", FAKE_START)
    monkeypatch.setattr(sourcehash, "_FSTRING_END", FAKE_END)
    lines = source.splitlines(keepends=True)
    as_312 = sourcehash.normalise_tokens(tokens_312, lines)
    tokens_311 = tokenize.generate_tokens(io.StringIO(source).readline)
    as_311 = sourcehash.normalise_tokens(tokens_311, lines)
    assert as_312 == as_311 == 'NAME x\nOP =\nSTRING f"a{y!r:>4}b"\nNEWLINE\n'


def test_nested_multiline_fstring_of_python_312_is_one_string(monkeypatch):
    source = 'x = f"""a{\nf"{y}"\n}b"""\n'
    lines = source.splitlines(keepends=True)
    tokens_312 = [
        _tok(tokenize.NAME, "x", (1, 0), (1, 1), lines[0]),
        _tok(tokenize.OP, "=", (1, 2), (1, 3), lines[0]),
        _tok(FAKE_START, 'f"""', (1, 4), (1, 8), lines[0]),
        _tok(FAKE_MIDDLE, "a", (1, 8), (1, 9), lines[0]),
        _tok(tokenize.OP, "{", (1, 9), (1, 10), lines[0]),
        _tok(tokenize.NL, "\n", (1, 10), (1, 11), lines[0]),
        _tok(FAKE_START, 'f"', (2, 0), (2, 2), lines[1]),
        _tok(tokenize.OP, "{", (2, 2), (2, 3), lines[1]),
        _tok(tokenize.NAME, "y", (2, 3), (2, 4), lines[1]),
        _tok(tokenize.OP, "}", (2, 4), (2, 5), lines[1]),
        _tok(FAKE_END, '"', (2, 5), (2, 6), lines[1]),
        _tok(tokenize.NL, "\n", (2, 6), (2, 7), lines[1]),
        _tok(tokenize.OP, "}", (3, 0), (3, 1), lines[2]),
        _tok(FAKE_MIDDLE, "b", (3, 1), (3, 2), lines[2]),
        _tok(FAKE_END, '"""', (3, 2), (3, 5), lines[2]),
        _tok(tokenize.NEWLINE, "\n", (3, 5), (3, 6), lines[2]),
    ]
    monkeypatch.setattr(sourcehash, "_FSTRING_START", FAKE_START)
    monkeypatch.setattr(sourcehash, "_FSTRING_END", FAKE_END)
    text = sourcehash.normalise_tokens(tokens_312, lines)
    assert text == 'NAME x\nOP =\nSTRING f"""a{\nf"{y}"\n}b"""\nNEWLINE\n'
