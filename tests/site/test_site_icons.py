"""Fonts: Font Awesome carries only the icons the site uses (tools/subset-icons),
every web font is woff2, and the text fonts swap in (font-display: swap)."""
import re
from pathlib import Path

import pytest

from sitecheck import parse_html

FA = "assets/lib/fontawesome-free"
ICON_NAME = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}")


def icons_named(site) -> set[str]:
    """fa-* classes on the site's pages, and fa-* names in Chirpy's scripts."""
    names = set()
    for page in site.rglob("*.html"):
        for element in parse_html(page.read_text(encoding="utf-8")).select('[class*="fa-"]'):
            names.update(c for c in element["class"] if c.startswith("fa-"))
    for script in (site / "assets" / "js" / "dist").glob("*.js"):
        names.update(ICON_NAME.findall(script.read_text(encoding="utf-8")))
    return names


def selectors(css: str) -> set[str]:
    return set(re.findall(r"\.(fa-[a-z0-9-]+)", css))


def missing_icons(names: set[str], css: str) -> set[str]:
    return names - selectors(css)


@pytest.fixture(scope="module")
def icon_css(site):
    return (site / FA / "css" / "all.min.css").read_text(encoding="utf-8")


def test_every_icon_the_site_names_is_in_the_subset(site, icon_css):
    names = icons_named(site)
    assert {"fa-bars", "fa-angle-up", "fa-clipboard"} <= names, "the icon scan found too little"
    assert missing_icons(names, icon_css) == set(), "run 'make npm-assets' (tools/subset-icons)"


def test_the_subset_check_notices_a_missing_icon(icon_css):
    assert missing_icons({"fa-bars", "fa-no-such-icon"}, icon_css) == {"fa-no-such-icon"}


def test_each_kept_icon_has_its_glyph_and_the_rest_are_gone(site, icon_css):
    from fontTools.ttLib import TTFont
    kept = {int(code, 16) for code in re.findall(r'--fa:"\\([0-9a-f]{4})"', icon_css)}
    assert 10 < len(kept) < 100, f"{len(kept)} icons: is the stylesheet the subset?"
    glyphs = set()
    for font in (site / FA / "webfonts").glob("*.woff2"):
        glyphs |= set(TTFont(font).getBestCmap() or {})  # a font with no glyph kept has no cmap
    assert kept <= glyphs
    assert len(glyphs) < 3 * len(kept), "the fonts hold far more glyphs than the icons used"


def test_every_font_is_woff2(site):
    fonts = [p for p in (site / "assets" / "lib").rglob("*")
             if p.suffix in (".woff2", ".woff", ".ttf", ".otf", ".eot")]
    assert fonts and all(p.suffix == ".woff2" for p in fonts), sorted({p.suffix for p in fonts})
    for sheet in (site / "assets" / "lib").rglob("*.css"):
        for face in FONT_FACE.findall(sheet.read_text(encoding="utf-8")):
            urls = re.findall(r"url\(([^)]*)\)", face)
            assert urls and all(u.strip("'\"").endswith(".woff2")
                                for u in urls), f"{sheet.name}: {face}"


def test_text_fonts_swap_in(site):
    faces = FONT_FACE.findall(
        (site / "assets" / "lib" / "fonts" / "main.css").read_text(encoding="utf-8"))
    assert faces and all(re.search(r"font-display:\s*swap", f) for f in faces)


# -- the text fonts, cut to the site's characters (tools/subset-fonts) --------

def unicode_ranges(face: str) -> list[tuple[int, int]]:
    declared = re.search(r"unicode-range:\s*([^;]+)", face)
    ranges = []
    for part in (declared.group(1).split(",") if declared else ["U+0-10FFFF"]):
        low, _, high = part.strip()[2:].partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return ranges


def latin_faces(site) -> list[tuple[str, list[tuple[int, int]]]]:
    """(font file, unicode ranges) of each subset Latin file main.css names."""
    fonts = site / "assets" / "lib" / "fonts"
    faces = []
    for face in FONT_FACE.findall((fonts / "main.css").read_text(encoding="utf-8")):
        url = re.search(r"url\(([^)]*)\)", face).group(1).strip("'\"")
        if re.search(r"-latin-\d+-", url):
            faces.append((str(fonts / url), unicode_ranges(face)))
    return faces


def site_text(site) -> set[str]:
    """Every character of the built pages' text in the site's fonts: not
    scripts or styles, not code (a monospace system font), not math (KaTeX's
    own fonts)."""
    chars = set()
    for page in site.rglob("*.html"):
        soup = parse_html(page.read_text(encoding="utf-8"))
        for hidden in soup.select("script, style, code, pre, .katex"):
            hidden.decompose()
        chars |= set(soup.get_text())
        chars |= {c for tag in soup.select("[title], [placeholder], [aria-label]")
                  for a in ("title", "placeholder", "aria-label") for c in tag.get(a, "")}
    return chars


def uncovered(chars: set[str], font: str, ranges: list[tuple[int, int]]) -> set[str]:
    """Characters in the face's unicode-range that its file has no glyph for."""
    from fontTools.ttLib import TTFont
    cmap = set(TTFont(font).getBestCmap())
    return {c for c in chars if any(lo <= ord(c) <= hi for lo, hi in ranges)
            and ord(c) not in cmap and c.isprintable() and not c.isspace()}


def test_text_fonts_hold_every_character_of_the_site(site):
    faces = latin_faces(site)
    assert len(faces) == 6, \
        "Lato 300 and 400, Source Sans Pro 400, 600, 700 and 900: one Latin file each"
    chars = site_text(site)
    assert {"A", "z", "0", "’"} <= chars, "the text scan found too little"
    for font, ranges in faces:
        missing = uncovered(chars, font, ranges)
        assert not missing, (f"{Path(font).name} lacks {''.join(sorted(missing))!r}: "
                             "run 'make npm-assets' (tools/subset-fonts)")


def test_the_font_check_notices_a_missing_character(site):
    font, ranges = latin_faces(site)[0]
    assert uncovered({"a", "\u00e9"}, font, ranges) == {"\u00e9"}, "é is not in this site's text"


def test_text_fonts_keep_about_the_characters_used(site):
    from fontTools.ttLib import TTFont
    for font, _ in latin_faces(site):
        glyphs = len(TTFont(font).getBestCmap())
        assert 95 <= glyphs < 200, \
            f"{Path(font).name}: {glyphs} characters (Fontsource's Latin file has about 400)"
