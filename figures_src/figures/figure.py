"""The declaration every figure module makes: `FIGURE = Figure(...)`.

It sits next to compute() and draw() so that the alt text and the caption can
never drift away from the figure they describe. See figures_src/figures/__init__.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Figure:
    """What a figure is called and how it is described.

    name:    file stem of the outputs, e.g. "rnn-unrolled" (module rnn_unrolled.py).
    alt:     plain-text alt text; may use {fact} fields like the caption.
    caption: markdown caption; `{fact_name:.2g}` is filled from compute()["facts"].
             Write literal braces (e.g. in LaTeX) doubled: `{{` and `}}`.
    raster:  True for dense rasters: PNG at 2x instead of SVG.
    smaller: pixel widths of smaller copies of a raster, offered to browsers
             through srcset (the banner, which a phone shows at a third of
             its pixels); written as <name>-<variant>-<width>w.png.
    """

    name: str
    alt: str
    caption: str
    raster: bool = False
    smaller: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not NAME_PATTERN.match(self.name):
            raise ValueError(f"figure name {self.name!r}: use lowercase words joined by '-'")
        if self.smaller and not self.raster:
            raise ValueError(f"figure {self.name!r}: smaller copies are for rasters (raster=True)")
        for field in ("alt", "caption"):
            if not str(getattr(self, field)).strip():
                raise ValueError(f"figure {self.name!r}: {field} is empty")
