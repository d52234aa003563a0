"""Fonts: Font Awesome carries only the icons the site uses (tools/subset-icons),
every web font is woff2, and the text fonts swap in (font-display: swap)."""
import re

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
    fonts = [p for p in (site / "assets" / "lib").rglob("*") if p.suffix in (".woff2", ".woff", ".ttf", ".otf", ".eot")]
    assert fonts and all(p.suffix == ".woff2" for p in fonts), sorted({p.suffix for p in fonts})
    for sheet in (site / "assets" / "lib").rglob("*.css"):
        for face in FONT_FACE.findall(sheet.read_text(encoding="utf-8")):
            urls = re.findall(r"url\(([^)]*)\)", face)
            assert urls and all(u.strip("'\"").endswith(".woff2") for u in urls), f"{sheet.name}: {face}"


def test_text_fonts_swap_in(site):
    faces = FONT_FACE.findall((site / "assets" / "lib" / "fonts" / "main.css").read_text(encoding="utf-8"))
    assert faces and all(re.search(r"font-display:\s*swap", f) for f in faces)
