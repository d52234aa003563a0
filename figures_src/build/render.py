"""Drawing in, file bytes out: render() turns a matplotlib Figure or a
graphviz graph into deterministic, optimised bytes (SVG with text as paths,
or a 2x palette PNG for dense rasters) and measures its CSS size. Figure
modules never save: the pipeline renders, then writes every file with
figures_src.util.atomic.write_atomic.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import matplotlib

from figures_src.util.atomic import write_atomic
from figures_src.build.style import CSS_PX_PER_PT

RASTER_SCALE = 2  # PNGs are written at 2x their CSS size
# Seeds matplotlib's SVG ids: a fixed string makes them reproducible. A constant,
# not a path or a post's name: where a figure lives must shape none of its bytes.
HASH_SALT = "figures_src"


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


def downscaled(png: bytes, width: int) -> bytes:
    """A smaller copy of a raster, `width` pixels wide, for browsers that show
    it small (srcset): a phone's column needs a third of the banner's pixels.
    Resampled from the full-size pixels (Lanczos), so every copy shows the same
    drawing, then re-palettised like the original."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if width >= image.width:
        raise ValueError(f"a smaller copy must be narrower than {image.width} px, not {width} px")
    height = round(image.height * width / image.width)
    mode = "RGBA" if "transparency" in image.info or image.mode in ("RGBA", "LA") else "RGB"
    small = image.convert(mode).resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG")
    return optimise_png(out.getvalue())


_EMBEDDED_PNG = re.compile(rb"data:image/png;base64,\s*([A-Za-z0-9+/=\s]+)")


def lossless_palette_png(data: bytes) -> bytes:
    """The same pixels in fewer bytes: a heat map drawn cell by cell (imshow
    with interpolation="none") has at most a colour map's 256 colours, so a
    palette PNG holds it exactly. An image with more colours, or with any
    transparency (a masked map), is only recompressed."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    if image.mode == "RGB":
        colours = image.getcolors(256)
        if colours is not None:
            palette = [colour for _, colour in sorted(colours, key=lambda c: c[1])]
            index = {colour: i for i, colour in enumerate(palette)}
            paletted = Image.new("P", image.size)
            paletted.putpalette([channel for colour in palette for channel in colour])
            paletted.putdata([index[pixel] for pixel in image.getdata()])
            image = paletted
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    smaller = out.getvalue()
    return smaller if len(smaller) < len(data) else data


def _optimise_embedded_pngs(data: bytes) -> bytes:
    """Re-encode the PNGs matplotlib embeds in an SVG (heat maps) losslessly."""
    def reencode(match: re.Match) -> bytes:
        png = base64.b64decode(b"".join(match.group(1).split()))
        return b"data:image/png;base64," + base64.b64encode(lossless_palette_png(png))
    return _EMBEDDED_PNG.sub(reencode, data)


def optimise_svg(data: bytes) -> bytes:
    """Scour the SVG: keep viewBox and size, drop metadata, comments and unused
    ids; embedded heat maps as palette PNGs."""
    data = _optimise_embedded_pngs(data)
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
