"""Cutting a web font down to the characters a site shows, shared by
tools/subset-fonts (text), tools/subset-icons (Font Awesome) and
tools/subset-katex (math): one set of fonttools options for all three."""
from __future__ import annotations

from pathlib import Path

INSTALL = "sudo apt-get install python3-fonttools python3-brotli"


def missing_module() -> str | None:
    """The name of the Python module a subset needs and this interpreter lacks, if any."""
    try:
        import brotli  # noqa: F401  (fonttools writes woff2 with it)
        import fontTools  # noqa: F401
    except ImportError as error:
        return error.name
    return None


def subset_font(source: Path, destination: Path, code_points: set[int]) -> None:
    """Write `source` as a woff2 holding only the glyphs of `code_points` (those
    it has), with its layout features (kerning, ligatures) and names kept."""
    from fontTools import subset  # Debian: python3-fonttools (+ python3-brotli for woff2)

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(code_points))
    subsetter.subset(font)
    subset.save_font(font, str(destination), options)
