"""Readability floors of the figures (issues 11 and 22; /work/shared/FIGURES.md
"Style"): the measuring framework. tests/figures/test_legibility.py applies it to
every figure module in both themes; this module measures what the pipeline
renders (figures_src.build.render.render() for the CSS size) and turns the
measurements into lists of problems, one list per floor, so a test can show
each floor failing on a synthetic bad figure.

The floors:
- text size: base text >= 12 CSS px at laptop size (a figure W px wide is
  shown at min(W, 740) px, never enlarged) and >= 9 CSS px in a 343-px phone
  column (scale min(1, 343 / W));
- script size: sub- and superscripts, at the size they are drawn, >= 7 CSS px
  in the phone column;
- height: <= 680 CSS px at laptop size;
- text contrast: >= 4.5:1 (WCAG 2.1 relative luminance) against what the text
  sits on;
- line contrast: meaningful lines and outlines >= 3:1 against the page;
- colour scales: every colour-mapped image/mesh has a colorbar with a label,
  or direct labels (text inside its axes);
- legends: no legend box overlaps plotted data.

How each is measured
- Sizes. A font size in pt is 4/3 CSS px at the figure's natural size (the
  SVG is in pt, 72 per inch, shown at 96 CSS px per inch; PNGs are 96 dpi at
  1x). matplotlib: every Text that is actually drawn with non-empty text (a
  spy on Text.draw: tick labels, titles, labels, annotations, legend and
  colorbar text), at its fontsize. graphviz: every text graphviz draws (the
  `T` operations of `dot -Tjson`), at the font size in force (`F`), which
  covers graph/node/edge defaults, fontsize attributes and POINT-SIZE in HTML
  labels; the xdot coordinates are in the same pt as the SVG size
  (test_graphviz_units checks it on a known case).
- Scripts, as rendered. matplotlib: a text in math mode is laid out by
  matplotlib's own mathtext parser at its font size, and its smallest glyph
  is its script size (subscripts, superscripts, fractions and roots all come
  out smaller than the base size). graphviz: a `T` operation under a `t`
  flag of superscript (8) or subscript (16) is a script; pango draws it
  smaller than the font in force, by a factor measured here on a rendered
  calibration label (script_scale()), not assumed. A graphviz script is not
  base text: only the script floor applies to it.
- Text contrast. matplotlib: the figure is drawn once more with every Text
  hidden, and the median colour under each text's window extent is its
  background (a text's own bbox patch is laid over it); pixels outside the
  canvas (the tight bbox can grow past it) are the saved facecolor.
  graphviz: the topmost filled shape (graph background, cluster, node,
  HTML table cell) drawn under the text's centre, else the theme background.
  Text alpha is composited over the background first.
- Meaningful lines, against the theme background (the page):
  matplotlib: drawn Line2D strokes and marker edges/faces, drawn patch edges
  (annotation arrows, wedges, ...), collection edges with a line width,
  scatter marks, and visible spines. graphviz: every stroke with a visible pen
  (line width > 0, opaque colour) in node/cluster/edge shapes and arrowheads.
  Not meaningful, so skipped: anything invisible, zero-width or fully
  transparent; area fills (fill_between bands, box fills: they may stay
  light, text on them is checked); colour-mapped images (their scale is
  checked instead); HTML table cell borders; and any line drawn in the
  theme's grid colour (theme.grid), which is how a figure declares a line
  decorative (grid lines, zero lines, guide circles), or in the page colour
  itself (a gap, e.g. white separators between cells), and a colorbar's
  insides.
- Colour scales (matplotlib): an AxesImage with 2-D data, a QuadMesh, or a
  collection with a data array is covered when some colorbar in the figure
  shows the same colour map and limits and has a label (its axis label or
  title), or when its axes holds text inside its area (direct labels).
- Legends: a legend's window extent (clipped to the axes, for clipped
  artists) must not touch any data line's segments or markers, scatter
  point, filled area or image of any axes.

Run `.venv/bin/python tests/figures/legibility.py [NAME ...]` for a table of the
measurements per figure and theme.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np

from figures_src.build import render as output, pipeline, style

LAPTOP_COLUMN = 740  # CSS px: the post column on a laptop
PHONE_COLUMN = 343  # CSS px: the post column on a phone
MIN_LAPTOP_PX = 12.0  # base text
MIN_PHONE_PX = 9.0  # base text
MIN_PHONE_SCRIPT_PX = 7.0  # sub- and superscripts, as rendered
MAX_HEIGHT = 680  # CSS px at laptop size
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.1, 1.4.3
MIN_LINE_CONTRAST = 3.0  # WCAG 2.1, 1.4.11

FIGURES = [source.name for source in pipeline.discover()]
THEMES = {theme.name: theme for theme in style.THEMES}


# -- colour ------------------------------------------------------------------


def _rgba(color) -> tuple[float, float, float, float]:
    """Any matplotlib or graphviz colour (names, #rgb, #rrggbbaa, tuples) as RGBA floats."""
    import matplotlib.colors as mcolors

    if isinstance(color, str):
        text = color.strip().lower()
        if text in ("", "none", "transparent", "invis"):
            return (0.0, 0.0, 0.0, 0.0)
        color = text
    return tuple(float(v) for v in mcolors.to_rgba(color))


def _over(color, background) -> tuple[float, float, float]:
    """`color` (RGBA) composited over an opaque `background` (RGB)."""
    r, g, b, a = color
    return tuple(a * c + (1 - a) * bg for c, bg in zip((r, g, b), background[:3]))


def luminance(rgb) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour with components in [0, 1]."""
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(float(c)) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    la, lb = sorted((luminance(_rgba(a)[:3] if isinstance(a, str) else a),
                     luminance(_rgba(b)[:3] if isinstance(b, str) else b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(255 * min(1.0, max(0.0, float(c)))):02X}" for c in rgb[:3])


# -- what a figure shows ------------------------------------------------------

@dataclass
class Text:
    text: str
    size_pt: float  # the base size; None for a graphviz script, which has no base text
    color: tuple  # RGB, alpha composited
    background: tuple  # RGB
    script_pt: float | None = None  # its smallest script as rendered, if it has any


@dataclass
class Stroke:
    what: str  # "line 'RNN'", "node 'concat' outline", ...
    color: tuple  # RGB, alpha composited over the page


@dataclass
class Measured:
    """What the floors look at in one rendered figure variant."""

    label: str  # "rope/light"
    width: int  # CSS px, natural size
    height: int
    page: tuple  # RGB of the theme background
    texts: list = field(default_factory=list)
    strokes: list = field(default_factory=list)
    scale_problems: list = field(default_factory=list)
    legend_problems: list = field(default_factory=list)

    @property
    def laptop_scale(self) -> float:
        return min(1.0, LAPTOP_COLUMN / self.width)

    @property
    def phone_scale(self) -> float:
        return min(1.0, PHONE_COLUMN / self.width)

    @property
    def base_texts(self) -> list:
        return [t for t in self.texts if t.size_pt is not None]

    @property
    def script_texts(self) -> list:
        return [t for t in self.texts if t.script_pt is not None]

    def css_px(self, text: Text, scale: float) -> float:
        return text.size_pt * style.CSS_PX_PER_PT * scale

    def script_css_px(self, text: Text, scale: float) -> float:
        return text.script_pt * style.CSS_PX_PER_PT * scale


def measure(obj, theme, label: str, raster: bool = False) -> Measured:
    """Render `obj` (what draw() returned, inside theme.rc()) as the pipeline does,
    then measure it. Call inside theme.rc(): matplotlib reads rcParams on draw."""
    rendered = output.render(obj,
                             raster=raster)  # closes a matplotlib figure; the object stays usable
    page = _rgba(theme.background)[:3]
    measured = Measured(label, rendered.width, rendered.height, page)
    if hasattr(obj, "savefig"):
        _measure_matplotlib(obj, theme, measured)
    else:
        _measure_graphviz(obj, theme, measured)
    return measured


# -- matplotlib ---------------------------------------------------------------

def _is_decorative(color, theme) -> bool:
    rgba = _rgba(color)
    return rgba[3] == 0 or _hex(rgba) == _hex(_rgba(theme.grid))


def _drawn(style_value) -> bool:
    return style_value not in (None, "None", "none", "", " ")


def _artist_name(artist) -> str:
    label = artist.get_label() if hasattr(artist, "get_label") else ""
    return f"'{label}'" if label and not str(label).startswith("_") else type(artist).__name__


def _colorbars(fig) -> list:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colorbar import Colorbar

    seen = {}
    for artist in fig.findobj(lambda a: isinstance(a, ScalarMappable)
                              and isinstance(getattr(a, "colorbar", None), Colorbar)):
        seen[id(artist.colorbar)] = artist.colorbar
    return list(seen.values())


def _measure_matplotlib(fig, theme, measured: Measured) -> None:
    import matplotlib.text as mtext

    drawn = {}
    original = mtext.Text.draw

    def spy(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn[id(self)] = self
        return original(self, renderer)

    mtext.Text.draw = spy
    try:
        fig.canvas.draw()
    finally:
        mtext.Text.draw = original
    renderer = fig.canvas.get_renderer()
    texts = list(drawn.values())
    extents = [t.get_window_extent(renderer) for t in texts]

    # the background under each text: draw again without any text, sample
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")  # keep the positions just computed
    hidden = [t for t in fig.findobj(mtext.Text) if t.get_visible()]
    for t in hidden:
        t.set_visible(False)
    try:
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float) / 255
    finally:
        for t in hidden:
            t.set_visible(True)
    face = _rgba(fig.get_facecolor())
    saved_face = _over(_rgba(theme.background), face[:3]) if face[3] < 1 else face[:3]
    rows, cols = pixels.shape[:2]
    for t, box in zip(texts, extents):
        x0, x1 = int(np.floor(box.x0)), int(np.ceil(box.x1))
        y0, y1 = rows - int(np.ceil(box.y1)), rows - int(np.floor(box.y0))
        inside = pixels[max(0, y0):min(rows, y1), max(0, x0):min(cols, x1)].reshape(-1, 3)
        area = max(1, (x1 - x0) * (y1 - y0))
        background = np.median(inside, axis=0) if len(inside) >= area / 2 else np.array(saved_face)
        patch = t.get_bbox_patch()
        if patch is not None and patch.get_visible():
            background = np.array(_over(_rgba(patch.get_facecolor()), background))
        color = _rgba(t.get_color())
        if t.get_alpha() is not None:
            color = color[:3] + (color[3] * t.get_alpha(),)
        measured.texts.append(Text(t.get_text(), float(t.get_fontsize()),
                                   _over(color, background), tuple(background), _math_script_pt(t)))

    colorbar_axes = {id(cb.ax) for cb in _colorbars(fig)}
    page = measured.page
    strokes = measured.strokes

    def stroke(what, color, alpha=None):
        rgba = _rgba(color)
        if alpha is not None:
            rgba = rgba[:3] + (rgba[3] * alpha,)
        if rgba[3] > 0 and not _is_decorative(rgba,
                                              theme) and _hex(_over(rgba, page)) != _hex(page):
            strokes.append(Stroke(what, _over(rgba, page)))

    for ax in fig.axes:
        if not ax.get_visible() or id(ax) in colorbar_axes:
            continue  # a colorbar's insides are its scale, checked by _scale_problems
        for line in ax.get_lines():
            if not line.get_visible():
                continue
            name = f"line {_artist_name(line)}"
            if _drawn(line.get_linestyle()) and line.get_linewidth() > 0:
                stroke(name, line.get_color(), line.get_alpha())
            if _drawn(line.get_marker()) and line.get_markersize() > 0:
                if line.get_markeredgewidth() > 0:
                    stroke(f"{name} marker edge", line.get_markeredgecolor(), line.get_alpha())
                if line.get_fillstyle() != "none":
                    stroke(f"{name} marker", line.get_markerfacecolor(), line.get_alpha())
        patches = list(ax.patches) + [t.arrow_patch for t in ax.texts
                                      if getattr(t, "arrow_patch", None) is not None
                                      and t.get_visible()]
        for patch in patches:
            if patch.get_visible() and patch.get_linewidth() > 0 and patch.get_fill() is not None:
                if _drawn(patch.get_linestyle()):
                    stroke(f"{type(patch).__name__} edge", patch.get_edgecolor())
        for coll in ax.collections:
            if not coll.get_visible() or coll.get_array() is not None:
                continue
            widths = np.atleast_1d(coll.get_linewidths())
            if widths.size and widths.max() > 0:
                for color in np.atleast_2d(coll.get_edgecolors()):
                    stroke(f"{type(coll).__name__} edge", tuple(color))
            if type(coll).__name__ in ("PathCollection", "LineCollection"):
                for color in np.atleast_2d(coll.get_facecolors()
                                           if type(coll).__name__ == "PathCollection"
                                           else coll.get_colors()):
                    stroke(f"{type(coll).__name__} mark", tuple(color))
        for side, spine in ax.spines.items():
            if spine.get_visible() and spine.get_linewidth() > 0:
                stroke(f"{side} spine", spine.get_edgecolor())
    for line in fig.lines:
        if line.get_visible() and _drawn(line.get_linestyle()) and line.get_linewidth() > 0:
            stroke(f"line {_artist_name(line)}", line.get_color(), line.get_alpha())

    measured.scale_problems.extend(_scale_problems(fig, renderer))
    measured.legend_problems.extend(_legend_problems(fig, renderer, theme))


def _math_script_pt(text) -> float | None:
    """The size of the smallest glyph matplotlib's mathtext draws for `text`, if that is
    smaller than its font size (a sub- or superscript, a fraction, a root); else None.
    Laid out by the same parser, font set and size that draw the text."""
    from matplotlib.mathtext import MathTextParser

    sizes = []
    for line in text.get_text().split("\n"):  # Text lays out each line on its own
        string, is_math = text._preprocess_math(line)
        if is_math:
            parsed = MathTextParser("path").parse(string, dpi=72, prop=text.get_fontproperties())
            sizes += [float(glyph[1]) for glyph in parsed.glyphs]
    smallest = min(sizes, default=float(text.get_fontsize()))
    return smallest if smallest < float(text.get_fontsize()) - 1e-6 else None


def _scale_problems(fig, renderer) -> list[str]:
    import matplotlib.collections as mcoll
    import matplotlib.image as mimage

    colorbars = _colorbars(fig)
    colorbar_axes = {id(cb.ax) for cb in colorbars}

    def limits(mappable):
        norm = mappable.norm
        return (mappable.get_cmap().name, round(float(norm.vmin), 9), round(float(norm.vmax), 9))

    labelled = {limits(cb.mappable) for cb in colorbars

                if any(s.strip()
                       for s in (cb.ax.get_ylabel(), cb.ax.get_xlabel(), cb.ax.get_title()))}
    unlabelled = {limits(cb.mappable) for cb in colorbars} - labelled
    problems = []
    for ax in fig.axes:
        if id(ax) in colorbar_axes or not ax.get_visible():
            continue
        scales = [im for im in ax.get_images()
                  if im.get_visible() and isinstance(im, mimage.AxesImage)
                  and im.get_array() is not None
                  and np.ndim(im.get_array()) == 2]
        scales += [c for c in ax.collections
                   if c.get_visible() and c.get_array() is not None
                   and isinstance(c, mcoll.Collection)]
        if not scales:
            continue
        box = ax.get_window_extent(renderer)
        direct = [t for t in ax.texts if t.get_visible() and t.get_text().strip()
                  and box.overlaps(t.get_window_extent(renderer))]
        for mappable in scales:
            key = limits(mappable)
            if key in labelled or direct:
                continue
            where = ax.get_title() or ax.get_ylabel() or f"axes {fig.axes.index(ax) + 1}"
            reason = ("its colorbar has no label" if key in unlabelled
                      else "no colorbar and no direct labels")
            problems.append(f"{type(mappable).__name__} in '{where}' (colour map {key[0]}, "
                            f"{key[1]:g} to {key[2]:g}): {reason}")
    return problems


def _segment_hits_box(p, q, box) -> bool:
    """Does the segment p-q touch the box (x0, y0, x1, y1)? (Liang-Barsky clipping.)"""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, lo, hi, v in ((dx, x0, x1, p[0]), (dy, y0, y1, p[1])):
        if d == 0:
            if v < lo or v > hi:
                return False
            continue
        a, b = (lo - v) / d, (hi - v) / d
        if a > b:
            a, b = b, a
        t0, t1 = max(t0, a), min(t1, b)
        if t0 > t1:
            return False
    return True


def _points_in(points, box) -> bool:
    x0, y0, x1, y1 = box
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    return bool(((points[:, 0] >= x0) & (points[:, 0] <= x1)
                 & (points[:, 1] >= y0) & (points[:, 1] <= y1)).any())


def _polyline_hits(points, box) -> bool:
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    ok = np.isfinite(points).all(axis=1)
    if _points_in(points, box):
        return True
    return any(_segment_hits_box(points[i], points[i + 1], box)
               for i in range(len(points) - 1) if ok[i] and ok[i + 1])


def _legend_problems(fig, renderer, theme) -> list[str]:
    import matplotlib.transforms as mtransforms

    colorbar_axes = {id(cb.ax) for cb in _colorbars(fig)}
    legends = [ax.get_legend() for ax in fig.axes
               if ax.get_legend() is not None] + list(fig.legends)
    problems = []
    for legend in legends:
        if not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        entries = ", ".join(f"'{t.get_text()}'" for t in legend.get_texts()[:3])
        for ax in fig.axes:
            if id(ax) in colorbar_axes or not ax.get_visible():
                continue
            artists = [a for a in (list(ax.get_lines()) + list(ax.collections)
                                   + list(ax.get_images()))
                       if a.get_visible()]
            for artist in artists:
                region = box
                if artist.get_clip_on():
                    region = mtransforms.Bbox.intersection(box, ax.bbox)
                    if region is None:
                        continue
                bounds = (region.x0, region.y0, region.x1, region.y1)
                if _artist_hits(artist, bounds, theme, renderer):
                    problems.append(f"legend ({entries}) overlaps {type(artist).__name__} "
                                    f"{_artist_name(artist)}")
    return problems


def _artist_hits(artist, bounds, theme, renderer) -> bool:
    import matplotlib.collections as mcoll
    import matplotlib.image as mimage
    import matplotlib.lines as mlines
    import matplotlib.transforms as mtransforms

    if isinstance(artist, mlines.Line2D):
        if _is_decorative(artist.get_color(), theme):
            return False
        path = artist.get_transform().transform_path(artist.get_path())
        points = path.vertices
        if _drawn(artist.get_linestyle()) and artist.get_linewidth() > 0 and _polyline_hits(points,
                                                                                            bounds):
            return True
        return _drawn(artist.get_marker()) and _points_in(points, bounds)
    if isinstance(artist, mimage.AxesImage):
        extent = artist.get_window_extent(renderer)
        return mtransforms.Bbox.intersection(extent,
                                             mtransforms.Bbox.from_extents(*bounds)) is not None
    if isinstance(artist, mcoll.Collection):
        offsets = artist.get_offsets()
        if isinstance(artist, mcoll.PathCollection) and len(offsets):
            return _points_in(artist.get_offset_transform().transform(offsets), bounds)
        region = mtransforms.Bbox.from_extents(*bounds)
        transform = artist.get_transform()
        filled = isinstance(artist, (mcoll.PolyCollection, mcoll.QuadMesh))
        for path in artist.get_paths():
            shown = transform.transform_path(path)
            if filled and shown.intersects_bbox(region, filled=True):
                return True
            if not filled and _polyline_hits(shown.vertices, bounds):
                return True
    return False


# -- graphviz -----------------------------------------------------------------

def dot_json(graph) -> dict:
    """The laid-out graph with its drawing operations (`dot -Tjson`), laid out with the
    same fonts and settings as output.render."""
    dot = shutil.which(graph.engine)
    env = dict(os.environ, FONTCONFIG_FILE=str(output._fontconfig_file()))
    result = subprocess.run([dot, "-Tjson"], input=graph.source.encode(), capture_output=True,
                            env=env, check=True)
    return json.loads(result.stdout)


def _box_of(points) -> tuple:
    xs, ys = zip(*points)
    return (min(xs), min(ys), max(xs), max(ys))


def _measure_graphviz(graph, theme, measured: Measured) -> None:
    laid = dot_json(graph)
    page = measured.page
    fills: list[tuple[tuple, tuple]] = []  # (box, RGB) in drawing order
    objects = laid.get("objects", [])
    clusters = [o for o in objects if "nodes" in o or "edges" in o
                or o.get("name", "").startswith("cluster")]
    nodes = [o for o in objects if o not in clusters]
    edges = laid.get("edges", [])

    def run(owner, what, keys, outline):
        pen, fill, size, width, script = (0, 0, 0, 1), None, 14.0, 1.0, False
        for key in keys:
            for op in owner.get(key, []):
                kind = op["op"]
                if kind == "c":
                    pen = _rgba(op["color"])
                elif kind == "C":
                    fill = _rgba(op["color"])
                elif kind == "F":
                    size = float(op["size"])
                elif kind == "t":
                    script = bool(int(op.get("fontchar", 0)) & (SUPERSCRIPT | SUBSCRIPT))
                elif kind == "S" and op["style"].startswith("setlinewidth("):
                    width = float(op["style"][len("setlinewidth("):-1])
                elif kind == "S" and op["style"] == "invis":
                    pen = (0, 0, 0, 0)
                elif kind in "PpEeBbLl" and op.get("points") or kind in "Ee":
                    points = op.get("points") or _ellipse_points(op)
                    if fill is not None and kind not in "Ll":
                        fills.append((_box_of(points),
                                      _over(fill, _under(fills, _box_of(points), page))))
                    if (outline and width > 0 and pen[3] > 0 and not _is_decorative(pen, theme)
                            and _hex(_over(pen, page)) != _hex(page)):
                        if fill is None or _hex(pen) != _hex(fill) or kind in "Ll":
                            measured.strokes.append(Stroke(what, _over(pen, page)))
                elif kind == "T" and op["text"].strip():
                    x, y = op["pt"]
                    w = float(op.get("width", 0))
                    cx = x + {"l": w / 2, "r": -w / 2}.get(op.get("align", "c"), 0)
                    cy = y + 0.3 * size
                    background = _under(fills, (cx, cy, cx, cy), page)
                    if script:
                        measured.texts.append(Text(op["text"], None, _over(pen, background),
                                                   background,
                                                   size * script_scale()))
                    else:
                        measured.texts.append(Text(op["text"], size, _over(pen, background),
                                                   background))
            if key in ("_draw_",):
                fill = None  # a label's cells start unfilled

    run(laid, "graph", ("_draw_", "_ldraw_"), outline=False)
    for cluster in clusters:
        run(cluster, f"cluster '{cluster.get('name')}' outline", ("_draw_", "_ldraw_"),
            outline=True)
    for node in nodes:
        run(node, f"node '{node.get('name')}' outline", ("_draw_", "_ldraw_"), outline=True)
    names = {o.get("_gvid"): o.get("name") for o in objects}
    for edge in edges:
        what = f"edge {names.get(edge.get('tail'))} -> {names.get(edge.get('head'))}"
        run(edge, what, ("_draw_", "_hdraw_", "_tdraw_"), outline=True)
        run(edge, what, ("_ldraw_", "_hldraw_", "_tldraw_", "_xldraw_"), outline=False)


SUPERSCRIPT, SUBSCRIPT = 8, 16  # xdot's `t` flags


@functools.lru_cache(maxsize=None)
def script_scale() -> float:
    """How much smaller graphviz (through pango, as output.render draws) draws a
    <SUB>/<SUP> than the font in force: the ink height of a subscript 'x' over a
    plain 'x' of the same POINT-SIZE, each rendered alone at 2x."""
    import io

    from PIL import Image

    def ink_height(label: str) -> int:
        graph = style.LIGHT.digraph("calibration")
        graph.node("a", f'<<FONT POINT-SIZE="96">{label}</FONT>>', shape="plaintext", style="")
        image = np.asarray(Image.open(io.BytesIO(output.render(graph, raster=True).data))
                           .convert("RGBA").convert("L"))
        rows = np.flatnonzero((image < 128).any(axis=1))
        return int(rows[-1] - rows[0] + 1)

    return ink_height("<SUB>x</SUB>") / ink_height("x")


def _ellipse_points(op) -> list:
    (x, y), w, h = op["rect"][:2], op["rect"][2], op["rect"][3]
    return [(x - w, y - h), (x + w, y + h)]


def _under(fills, box, page) -> tuple:
    """The colour of the topmost fill that contains `box` (its centre), else the page."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for (x0, y0, x1, y1), color in reversed(fills):
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            return color
    return page


# -- the floors, as lists of problems ------------------------------------------------

def text_size_problems(m: Measured) -> list[str]:
    """Base text under 12 CSS px at laptop size or under 9 px on a phone."""
    problems = []
    for where, scale, floor in (("at laptop size", m.laptop_scale, MIN_LAPTOP_PX),
                                ("on a phone", m.phone_scale, MIN_PHONE_PX)):
        small = sorted({(round(m.css_px(t, scale), 1), t.text) for t in m.base_texts
                        if m.css_px(t, scale) < floor - 1e-9})
        for px, text in small[:5]:
            problems.append(f"{m.label}: text {text!r} is {px:.1f} CSS px {where} (floor "
                            f"{floor:g}; figure {m.width} px wide)")
        if len(small) > 5:
            problems.append(f"{m.label}: ... and {len(small) - 5} more texts under {floor:g} px "
                            f"{where}")
    return problems


def script_size_problems(m: Measured) -> list[str]:
    """Sub- and superscripts, as rendered, under 7 CSS px on a phone."""
    small = sorted({(round(m.script_css_px(t, m.phone_scale), 1), t.text) for t in m.script_texts
                    if m.script_css_px(t, m.phone_scale) < MIN_PHONE_SCRIPT_PX - 1e-9})
    problems = [f"{m.label}: a script in {text!r} is {px:.1f} CSS px on a phone (floor "
                f"{MIN_PHONE_SCRIPT_PX:g}; figure {m.width} px wide)" for px, text in small[:5]]
    if len(small) > 5:
        problems.append(f"{m.label}: ... and {len(small) - 5} more scripts under "
                        f"{MIN_PHONE_SCRIPT_PX:g} px")
    return problems


def height_problems(m: Measured) -> list[str]:
    shown = m.height * m.laptop_scale
    if shown > MAX_HEIGHT + 0.5:
        return [f"{m.label}: {shown:.0f} CSS px tall at laptop size ({m.width}x{m.height} shown "
                f"{min(m.width, LAPTOP_COLUMN)} px wide; floor {MAX_HEIGHT})"]
    return []


def _under_floor(rows, floor: float) -> list[str]:
    """(key, ratio, message) rows -> the messages of the rows under the floor, worst first, one per
    key."""
    seen, problems = set(), []
    for key, ratio, message in sorted(rows, key=lambda row: row[1]):
        if ratio < floor and key not in seen:
            seen.add(key)
            problems.append(message)
    return problems


def text_contrast_problems(m: Measured) -> list[str]:
    rows = []
    for t in m.texts:
        ratio = contrast(t.color, t.background)
        rows.append(((_hex(t.color), _hex(t.background)), ratio,
                     f"{m.label}: text {t.text!r} {_hex(t.color)} on {_hex(t.background)} "
                     f"is {ratio:.2f}:1 (floor {MIN_TEXT_CONTRAST})"))
    return _under_floor(rows, MIN_TEXT_CONTRAST)


def line_contrast_problems(m: Measured) -> list[str]:
    rows = []
    for s in m.strokes:
        ratio = contrast(s.color, m.page)
        rows.append(((s.what, _hex(s.color)), ratio,
                     f"{m.label}: {s.what} {_hex(s.color)} on the page {_hex(m.page)} "
                     f"is {ratio:.2f}:1 (floor {MIN_LINE_CONTRAST})"))
    return _under_floor(rows, MIN_LINE_CONTRAST)


def scale_problems(m: Measured) -> list[str]:
    return [f"{m.label}: {p}" for p in m.scale_problems]


def legend_problems(m: Measured) -> list[str]:
    return [f"{m.label}: {p}" for p in dict.fromkeys(m.legend_problems)]


FLOORS = {
    "text_size": text_size_problems,
    "script_size": script_size_problems,
    "height": height_problems,
    "text_contrast": text_contrast_problems,
    "line_contrast": line_contrast_problems,
    "colour_scales": scale_problems,
    "legends": legend_problems,
}

# -- the shared look: the theme's colours meet the floors before any figure uses them ---------

PALETTE = ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow", "black")


def theme_colour_problems(theme) -> list[str]:
    import colorsys

    import matplotlib.colors as mcolors

    problems = []
    for name in ("text", "heading", "muted"):
        ratio = contrast(getattr(theme, name), theme.background)
        if ratio < MIN_TEXT_CONTRAST:
            problems.append(f"{theme.name}: theme.{name} is {ratio:.2f}:1 on the page")
    for name in PALETTE:
        ink, floor = theme.color(name), MIN_TEXT_CONTRAST
        if theme.ink_contrast.get(name) == style.LINE_CONTRAST:
            floor = MIN_LINE_CONTRAST  # declared lines-and-outlines only
        ratio = contrast(ink, theme.background)
        if ratio < floor:
            problems.append(f"{theme.name}: color({name!r}) {ink} is {ratio:.2f}:1 on the page "
                            f"(floor {floor})")
        for text in ("text", "heading"):
            ratio = contrast(getattr(theme, text), theme.fill(name))
            if ratio < MIN_TEXT_CONTRAST:
                problems.append(f"{theme.name}: theme.{text} on fill({name!r}) {theme.fill(name)} "
                                f"is {ratio:.2f}:1")
        if name != "black":  # the ink keeps the Okabe-Ito hue
            hues = [colorsys.rgb_to_hls(*mcolors.to_rgb(c))[0] for c in (ink, theme.base(name))]
            if abs(hues[0] - hues[1]) > 0.01:
                problems.append(f"{theme.name}: color({name!r}) {ink} changed hue from "
                                f"{theme.base(name)}")
    return problems


# -- a table for reports -------------------------------------------------------------


def summary(m: Measured) -> dict:
    laptop = min((m.css_px(t, m.laptop_scale) for t in m.base_texts), default=float("nan"))
    phone = min((m.css_px(t, m.phone_scale) for t in m.base_texts), default=float("nan"))
    script = min((m.script_css_px(t, m.phone_scale) for t in m.script_texts), default=float("nan"))
    worst = min(m.texts, key=lambda t: contrast(t.color, t.background), default=None)
    line = min(m.strokes, key=lambda s: contrast(s.color, m.page), default=None)
    return {
        "size": f"{m.width}x{m.height}",
        "laptop_px": laptop, "phone_px": phone, "phone_script_px": script,
        "laptop_height": m.height * m.laptop_scale,
        "text_contrast": contrast(worst.color, worst.background) if worst else float("nan"),
        "text_worst": f"{worst.text[:18]!r} {_hex(worst.color)} on {_hex(worst.background)}"
        if worst else "",
        "line_contrast": contrast(line.color, m.page) if line else float("nan"),
        "fails": [floor for floor, check in FLOORS.items() if check(m)],
    }


def _main(names):
    from tests.figures.conftest import _computed

    print("| figure | theme | W x H | height at 740 | min text laptop px | phone px | phone script "
          "px | min text contrast | worst text | min line contrast | fails |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names or FIGURES:
        source = pipeline.find([name])[0]
        try:
            module = pipeline.load(source)
            data = _computed(name)
        except Exception as exc:  # noqa: BLE001: a report lists what does not build
            print(f"| {name} | - | does not build: {type(exc).__name__}: {str(exc)[:60]} |")
            continue
        for theme in style.THEMES:
            with theme.rc():
                m = measure(module.draw(data, theme), theme, f"{name}/{theme.name}",
                            raster=module.FIGURE.raster)
            s = summary(m)
            print(f"| {name} | {theme.name} | {s['size']} | {s['laptop_height']:.0f} | "
                  f"{s['laptop_px']:.1f} | {s['phone_px']:.1f} | {s['phone_script_px']:.1f} | "
                  f"{s['text_contrast']:.2f} | {s['text_worst']} | {s['line_contrast']:.2f} | "
                  f"{', '.join(s['fails']) or '-'} |", flush=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
