"""The look of every figure, and nothing else: light and dark themes matched
to Chirpy 7, the palette, the font, sizes and colour maps. (Turning a drawing
into file bytes is figures_src.build.render's job.)

Colours come from Chirpy's `_sass/themes/_light.scss` and `_dark.scss`
(--main-bg, --text-color, --heading-color, --text-muted-color, borders), so a
figure sits on the page like the text around it. The palette is Okabe-Ito
(colour-blind safe); the font is Lato, Chirpy's heading font.

Drawing code gets a `Theme` and uses its colours, `theme.digraph()` for
graphviz and the matplotlib rc that the pipeline activates around draw().

Contrast (WCAG 2.1; tests/figures/test_legibility.py enforces it on every
figure): text needs 4.5:1 against what it sits on, meaningful lines and
outlines 3:1 against the page. Okabe-Ito's orange, yellow and sky blue are
only 1.3 to 2.3:1 on white, so each theme draws the palette as *inks*: the
same hue (HLS) made just dark enough on the light page, or light enough on
the dark one, for text (4.5:1). Two exceptions keep the palette colour-blind
safe: in the light theme yellow and sky blue are only darkened to the 3:1 of
lines and outlines (at 4.5:1 yellow becomes orange's twin and sky blue
blue's), so never write text in them there; and vermillion goes a little
darker than text needs so it stays apart from the darkened orange.
`theme.color(name)` is the ink (text, lines, outlines, markers);
`theme.fill(name)` is a soft tint of the original Okabe-Ito colour, capped so
that `theme.text` and `theme.heading` keep 4.5:1 on it (the dark theme's
yellow and orange fills are fainter than the others for that reason); colour
maps run from the page to the original colour. `theme.muted` text is for the
page background, not for fills.
"""
from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")  # no display, same pixels everywhere
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.font_manager as font_manager  # noqa: E402

FONT = "Lato"
FONT_PACKAGE = "fonts-lato"
CSS_PX_PER_PT = 96 / 72

# Okabe & Ito (2008), "Color Universal Design": distinguishable by all common
# forms of colour-vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# Phone-readable sizes (points; 1 pt = 4/3 CSS px). A 6.4 in wide figure is
# about 610 CSS px, shown at roughly 60% on a phone: 13 pt stays legible.
FONT_SIZE = 13
SMALL_FONT_SIZE = 12
FIGSIZE = (6.4, 4.0)


TEXT_CONTRAST = 4.5  # WCAG 2.1, 1.4.3: text against what it sits on
LINE_CONTRAST = 3.0  # WCAG 2.1, 1.4.11: meaningful lines and outlines against the page
MARGIN = 0.1  # aim a little above a floor, so rounding to hex never drops below it


def _mix(color: str, background: str, amount: float) -> str:
    """`amount` of `color` over `background`, as a hex string."""
    c = mcolors.to_rgb(color)
    b = mcolors.to_rgb(background)
    return mcolors.to_hex(tuple(amount * ci + (1 - amount) * bi for ci, bi in zip(c, b)))


def luminance(color: str) -> float:
    """WCAG 2.1 relative luminance."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in mcolors.to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@functools.lru_cache(maxsize=None)
def ink(color: str, background: str, ratio: float) -> str:
    """`color` with its HLS hue and saturation kept, its lightness moved (darker on a light
    background, lighter on a dark one) just far enough to reach `ratio` against `background`."""
    import colorsys

    if contrast(color, background) >= ratio:
        return mcolors.to_hex(color)
    hue, lightness, saturation = colorsys.rgb_to_hls(*mcolors.to_rgb(color))
    darken = luminance(background) > 0.18
    ok, bad = (0.0, lightness) if darken else (1.0, lightness)
    for _ in range(30):  # bisection on lightness: contrast is monotonic along it
        mid = (ok + bad) / 2
        if contrast(mcolors.to_hex(colorsys.hls_to_rgb(hue, mid, saturation)), background) >= ratio:
            ok = mid
        else:
            bad = mid
    return mcolors.to_hex(colorsys.hls_to_rgb(hue, ok, saturation))


@functools.lru_cache(maxsize=None)
def _fill_amount(color: str, background: str, texts: tuple[str, ...], amount: float) -> float:
    """The largest tint of `color` over `background`, at most `amount`, on which every
    colour in `texts` keeps TEXT_CONTRAST (+ MARGIN)."""
    def fine(a: float) -> bool:
        return all(contrast(t, _mix(color, background, a)) >= TEXT_CONTRAST + MARGIN for t in texts)
    if fine(amount):
        return amount
    low, high = 0.0, amount
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if fine(mid) else (low, mid)
    return round(low, 3)


@dataclass(frozen=True)
class Theme:
    """One of the two looks of every figure; `name` is "light" or "dark"."""

    name: str
    background: str
    text: str
    heading: str
    muted: str
    grid: str
    fill_amount: float  # how much of a palette colour tints a box fill (at most)
    blue: str  # the Okabe-Ito blue that reads on this background
    colors: dict = field(default_factory=dict)  # the Okabe-Ito colours this theme starts from
    # how far each ink must stand out from the page: TEXT_CONTRAST unless named here
    ink_contrast: dict = field(default_factory=dict)

    # -- colours ---------------------------------------------------------
    def base(self, name: str) -> str:
        """The original Okabe-Ito colour (for "blue": the theme's blue) before any shading."""
        if name == "blue":
            return self.blue
        try:
            return self.colors[name]
        except KeyError:
            raise KeyError(f"unknown palette colour {name!r}; have {sorted(self.colors)}") from None

    @property
    def palette(self) -> tuple[str, ...]:
        """Series colours in order: blue, orange, green, vermillion, purple, sky blue, yellow."""
        return tuple(self.color(name) for name in
                     ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow"))

    def color(self, name: str) -> str:
        """A palette colour by Okabe-Ito name ("blue", "orange", ...), as this theme's ink:
        for text, lines, outlines and markers (see the module docstring)."""
        return ink(self.base(name), self.background,
                   self.ink_contrast.get(name, TEXT_CONTRAST) + MARGIN)

    def text_on(self, color) -> str:
        """The theme's text or background colour, whichever reads better on `color`
        (a cell of a colour map, say)."""
        hex_color = mcolors.to_hex(color)
        return max((self.text, self.background), key=lambda c: contrast(c, hex_color))

    def fill(self, name: str) -> str:
        """A soft box fill of a palette colour over this background; theme.text and
        theme.heading keep 4.5:1 on it."""
        base = self.base(name)
        amount = _fill_amount(base, self.background, (self.text, self.heading), self.fill_amount)
        return _mix(base, self.background, amount)

    def _tint(self, name: str) -> str:
        return _mix(self.base(name), self.background, self.fill_amount)

    def cmap(self, name: str = "blue"):
        """Sequential colour map from the background to a palette colour (0 = invisible)."""
        return mcolors.LinearSegmentedColormap.from_list(
            f"{self.name}-{name}", [self.background, self._tint(name), self.base(name)])

    def diverging_cmap(self, low: str = "blue", high: str = "orange"):
        """Diverging colour map: low colour, background at the centre, high colour."""
        return mcolors.LinearSegmentedColormap.from_list(
            f"{self.name}-{low}-{high}",
            [self.base(low), self._tint(low), self.background, self._tint(high), self.base(high)])

    # -- matplotlib ------------------------------------------------------
    def rc_params(self) -> dict:
        return {
            "figure.figsize": FIGSIZE,
            "figure.facecolor": self.background,
            "figure.edgecolor": self.background,
            "savefig.facecolor": self.background,
            "savefig.edgecolor": self.background,
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.08,
            "axes.facecolor": self.background,
            "axes.edgecolor": self.muted,
            "axes.labelcolor": self.text,
            "axes.titlecolor": self.heading,
            "axes.prop_cycle": matplotlib.cycler(color=list(self.palette)),
            "axes.grid": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": FONT_SIZE + 1,
            "axes.labelsize": FONT_SIZE,
            "axes.linewidth": 1.0,
            "grid.color": self.grid,
            "grid.linewidth": 0.8,
            "xtick.color": self.muted,
            "ytick.color": self.muted,
            "xtick.labelcolor": self.text,
            "ytick.labelcolor": self.text,
            "xtick.labelsize": SMALL_FONT_SIZE,
            "ytick.labelsize": SMALL_FONT_SIZE,
            "legend.fontsize": SMALL_FONT_SIZE,
            "legend.frameon": False,
            "legend.labelcolor": self.text,
            "text.color": self.text,
            "font.family": "sans-serif",
            "font.sans-serif": [FONT],
            "font.size": FONT_SIZE,
            "mathtext.fontset": "custom",
            "mathtext.rm": FONT,
            "mathtext.it": f"{FONT}:italic",
            "mathtext.bf": f"{FONT}:bold",
            "mathtext.sf": FONT,
            "mathtext.cal": f"{FONT}:italic",
            "mathtext.tt": "DejaVu Sans Mono",
            "mathtext.fallback": "stixsans",
            "lines.linewidth": 2.0,
            "image.cmap": "viridis",
            "svg.fonttype": "path",
            "path.simplify": True,
        }

    @contextlib.contextmanager
    def rc(self):
        """Matplotlib settings for this theme; draw() runs inside it."""
        require_font()
        with matplotlib.rc_context(self.rc_params()):
            yield self

    # -- graphviz --------------------------------------------------------
    @property
    def graph_attr(self) -> dict:
        return {"bgcolor": self.background, "fontname": FONT, "fontsize": str(FONT_SIZE + 1),
                "fontcolor": self.text, "color": self.muted, "pad": "0.15",
                "nodesep": "0.35", "ranksep": "0.4"}

    @property
    def node_attr(self) -> dict:
        return {"fontname": FONT, "fontsize": str(FONT_SIZE + 1), "fontcolor": self.text,
                "color": self.muted, "fillcolor": self.background, "shape": "box",
                "style": "rounded,filled", "penwidth": "1.4", "margin": "0.18,0.08"}

    @property
    def edge_attr(self) -> dict:
        return {"fontname": FONT, "fontsize": str(SMALL_FONT_SIZE), "fontcolor": self.text,
                "color": self.muted, "penwidth": "1.4", "arrowsize": "0.8"}

    def digraph(self, name: str = "figure", **graph_attr):
        """A graphviz Digraph with this theme's graph, node and edge attributes."""
        import graphviz

        attrs = dict(self.graph_attr)
        attrs.update({k: str(v) for k, v in graph_attr.items()})
        return graphviz.Digraph(name, graph_attr=attrs, node_attr=self.node_attr,
                                edge_attr=self.edge_attr)


LIGHT = Theme(
    name="light",
    background="#ffffff",  # Chirpy light --main-bg: white
    text="#34343c",  # --text-color
    heading="#2a2a2a",  # --heading-color
    muted="#757575",  # --text-muted-color
    grid="#e9ecef",  # --btn-border-color
    fill_amount=0.22,
    blue=OKABE_ITO["blue"],
    colors=dict(OKABE_ITO, black="#34343c"),
    # yellow and sky blue: lines and outlines only (see the module docstring);
    # vermillion a step darker than orange's ink so the two stay apart
    ink_contrast={"yellow": LINE_CONTRAST, "sky_blue": LINE_CONTRAST, "vermillion": 5.9},
)

DARK = Theme(
    name="dark",
    background="#1b1b1e",  # Chirpy dark --main-bg: rgb(27 27 30)
    text="#afb0b1",  # --text-color: rgb(175 176 177)
    heading="#cccccc",  # --heading-color
    muted="#868686",  # --text-muted-color
    grid="#2c2d2d",  # --main-border-color: rgb(44 45 45)
    fill_amount=0.28,
    blue=OKABE_ITO["sky_blue"],  # Okabe-Ito's dark blue is too dim on rgb(27 27 30)
    colors=dict(OKABE_ITO, black="#afb0b1"),
)

THEMES = (LIGHT, DARK)


def require_font() -> None:
    """Fail clearly if the figure font is missing (matplotlib would silently swap it)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if FONT not in names:
        raise RuntimeError(f"font {FONT!r} not found: run 'sudo apt-get install {FONT_PACKAGE}' "
                           "then delete ~/.cache/matplotlib")
