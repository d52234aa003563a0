"""THE style module: light and dark themes matched to Chirpy 7, and the one
deterministic, optimised, atomic way to turn a drawing into a file: render()
to bytes, then write_atomic(); pipeline.build is the one caller that saves
figures that way (figure modules never save).

Colours come from Chirpy's `_sass/themes/_light.scss` and `_dark.scss`
(--main-bg, --text-color, --heading-color, --text-muted-color, borders), so a
figure sits on the page like the text around it. The palette is Okabe-Ito
(colour-blind safe); the font is Lato, Chirpy's heading font.

Drawing code gets a `Theme` and uses its colours, `theme.digraph()` for
graphviz and the matplotlib rc that the pipeline activates around draw().
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display, same pixels everywhere
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.font_manager as font_manager  # noqa: E402

FONT = "Lato"
FONT_PACKAGE = "fonts-lato"
HASH_SALT = "give-me-attention"
RASTER_SCALE = 2  # PNGs are written at 2x their CSS size
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


def _mix(color: str, background: str, amount: float) -> str:
    """`amount` of `color` over `background`, as a hex string."""
    c = mcolors.to_rgb(color)
    b = mcolors.to_rgb(background)
    return mcolors.to_hex(tuple(amount * ci + (1 - amount) * bi for ci, bi in zip(c, b)))


@dataclass(frozen=True)
class Theme:
    """One of the two looks of every figure; `name` is "light" or "dark"."""

    name: str
    background: str
    text: str
    heading: str
    muted: str
    grid: str
    fill_amount: float  # how much of a palette colour tints a box fill
    blue: str  # the Okabe-Ito blue that reads on this background
    colors: dict = field(default_factory=dict)

    # -- colours ---------------------------------------------------------
    @property
    def palette(self) -> tuple[str, ...]:
        """Series colours in order: blue, orange, green, vermillion, purple, sky blue, yellow."""
        c = self.colors
        return (self.blue, c["orange"], c["green"], c["vermillion"], c["purple"],
                c["sky_blue"], c["yellow"])

    def color(self, name: str) -> str:
        """A palette colour by Okabe-Ito name ("blue", "orange", ...)."""
        if name == "blue":
            return self.blue
        try:
            return self.colors[name]
        except KeyError:
            raise KeyError(f"unknown palette colour {name!r}; have {sorted(self.colors)}") from None

    def fill(self, name: str) -> str:
        """A soft box fill of a palette colour over this background."""
        return _mix(self.color(name), self.background, self.fill_amount)

    def cmap(self, name: str = "blue"):
        """Sequential colour map from the background to a palette colour (0 = invisible)."""
        return mcolors.LinearSegmentedColormap.from_list(
            f"{self.name}-{name}", [self.background, self.fill(name), self.color(name)])

    def diverging_cmap(self, low: str = "blue", high: str = "orange"):
        """Diverging colour map: low colour, background at the centre, high colour."""
        return mcolors.LinearSegmentedColormap.from_list(
            f"{self.name}-{low}-{high}",
            [self.color(low), self.fill(low), self.background, self.fill(high), self.color(high)])

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
            "svg.hashsalt": HASH_SALT,
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


# -- rendering -----------------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    """The bytes of one output file and its CSS size."""

    data: bytes
    suffix: str  # ".svg" or ".png"
    width: int  # CSS px (1x for PNGs)
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def render(obj, raster: bool = False) -> Rendered:
    """Turn a matplotlib Figure or a graphviz graph into deterministic file bytes.

    SVG: text as paths, no dates, fixed ids, optimised by scour.
    PNG (raster=True): 2x pixels, no timestamps or software tags.
    """
    if hasattr(obj, "savefig"):
        data = _render_matplotlib(obj, raster)
    elif hasattr(obj, "source") and hasattr(obj, "engine"):
        data = _render_graphviz(obj, raster)
    else:
        raise TypeError(f"draw() must return a matplotlib Figure or a graphviz graph, "
                        f"not {type(obj).__name__}")
    if raster:
        data = optimise_png(data)
        width, height = png_size(data)
        return Rendered(data, ".png", round(width / RASTER_SCALE), round(height / RASTER_SCALE))
    data = optimise_svg(data)
    width, height = svg_size(data)
    return Rendered(data, ".svg", width, height)


def _render_matplotlib(fig, raster: bool) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    # Also applied here so that a save outside Theme.rc() is deterministic too.
    deterministic = {"svg.fonttype": "path", "svg.hashsalt": HASH_SALT}
    try:
        with matplotlib.rc_context(deterministic):
            if raster:
                fig.savefig(buf, format="png", dpi=96 * RASTER_SCALE,
                            metadata={"Software": None})
            else:
                fig.savefig(buf, format="svg",
                            metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    finally:
        plt.close(fig)
    return buf.getvalue()


def _render_graphviz(graph, raster: bool) -> bytes:
    dot = shutil.which(graph.engine)
    if dot is None:
        raise RuntimeError(f"graphviz '{graph.engine}' not found: run 'sudo apt-get install graphviz'")
    # cairo turns text into glyph outlines (so the SVG needs no font), and the
    # fontconfig file below turns hinting off so outlines are not snapped.
    fmt = ["-Tpng:cairo", f"-Gdpi={96 * RASTER_SCALE}"] if raster else ["-Tsvg:cairo"]
    env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig_file()))
    result = subprocess.run([dot, *fmt], input=graph.source.encode(), capture_output=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{graph.engine} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def _fontconfig_file() -> Path:
    """A fontconfig setup that includes the system's and disables hinting."""
    conf = ("<?xml version='1.0'?>\n<!DOCTYPE fontconfig SYSTEM 'fonts.dtd'>\n<fontconfig>\n"
            "  <include ignore_missing='yes'>/etc/fonts/fonts.conf</include>\n"
            "  <match target='font'>\n"
            "    <edit name='hinting' mode='assign'><bool>false</bool></edit>\n"
            "    <edit name='hintstyle' mode='assign'><const>hintnone</const></edit>\n"
            "    <edit name='autohint' mode='assign'><bool>false</bool></edit>\n"
            "  </match>\n</fontconfig>\n")
    path = Path(tempfile.gettempdir()) / f"figures-src-fonts-{hashlib.sha256(conf.encode()).hexdigest()[:12]}.conf"
    if not path.exists():
        write_atomic(path, conf.encode())
    return path


def optimise_png(data: bytes) -> bytes:
    """A 256-colour palette PNG: figures have few colours, and the banner is the
    post's largest paint, so a third of the bytes loads visibly sooner.
    Median cut without dithering is deterministic and keeps flat areas flat."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    if image.mode == "RGB":
        image = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    else:  # transparency: octree keeps the alpha channel
        image = image.convert("RGBA").quantize(256, method=Image.Quantize.FASTOCTREE,
                                               dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def optimise_svg(data: bytes) -> bytes:
    """Scour the SVG: keep viewBox and size, drop metadata, comments and unused ids."""
    try:
        from scour import scour
    except ImportError:
        raise RuntimeError("scour not found: run 'sudo apt-get install scour'") from None
    options = scour.sanitizeOptions(None)
    options.remove_metadata = True
    options.strip_comments = True
    options.strip_ids = True
    options.shorten_ids = True
    options.strip_xml_prolog = False
    options.enable_viewboxing = False  # keep width/height: the post gives the size
    options.indent_type = "none"
    options.newlines = False
    options.digits = 5
    options.quiet = True
    out = scour.scourString(data.decode("utf-8"), options)
    return out.encode("utf-8")


_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px|pt|in|cm|mm)?\s*$")
_UNIT_PX = {None: 1.0, "px": 1.0, "pt": CSS_PX_PER_PT, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}


def svg_size(data: bytes) -> tuple[int, int]:
    """CSS pixel width and height of an SVG (from width/height, else the viewBox)."""
    root = ET.fromstring(data)
    sizes = []
    for attr in ("width", "height"):
        value = root.get(attr)
        match = _LENGTH.match(value or "")
        if match:
            sizes.append(float(match.group(1)) * _UNIT_PX[match.group(2)])
    if len(sizes) != 2:
        box = (root.get("viewBox") or "").replace(",", " ").split()
        if len(box) != 4:
            raise ValueError("SVG has neither width/height nor a viewBox")
        sizes = [float(box[2]), float(box[3])]
    return round(sizes[0]), round(sizes[1])


def png_size(data: bytes) -> tuple[int, int]:
    """Pixel width and height from a PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder and rename: never a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
