"""Math rendered when the site is built (_plugins/katex_math.rb): every formula
of the post and of its figure captions is KaTeX HTML with MathML, none is left
as TeX, no page loads MathJax, a formula KaTeX cannot read stops the build, and
KaTeX's fonts hold every character the math shows (tools/subset-katex)."""
import copy
import re

import yaml

from sitecheck import (POST_SOURCE, ROOT, jekyll_build, loads_of_scripts, make_site, parse_html,
                       post_body)

KATEX_CSS = "/assets/lib/katex/katex.min.css"


def formulas_in(markdown: str) -> int:
    """$$...$$ pairs outside fenced code."""
    return re.sub(r"```.*?```", "", markdown, flags=re.S).count("$$") // 2


def expected_formulas() -> int:
    """The post's formulas and those of the captions of the figures it embeds ({% figure NAME %}).
    """
    source = POST_SOURCE.read_text(encoding="utf-8")
    names = re.findall(r"\{%-?\s*figure\s+([\w.-]+)\s*-?%\}", source)
    captions = [yaml.safe_load((ROOT / "_data" / "figures" / f"{n}.yml").read_text())["caption"]
                for n in names]
    return formulas_in(source) + sum(formulas_in(c) for c in captions)


def test_every_formula_is_rendered_with_mathml(post):
    expected = expected_formulas()
    assert expected > 50, "the post has dozens of formulas: is the count reading the right files?"
    formulas = post_body(post).select(".katex")
    assert len(formulas) == expected
    without_mathml = [f for f in formulas if not f.select_one(".katex-mathml math annotation")]
    assert without_mathml == []
    assert post.select(".math-tex, .katex-error") == []


def test_no_tex_is_left_in_the_text(post):
    body = copy.copy(post_body(post))  # the session's parsed post stays whole
    for hidden in body.select(".katex, pre, code"):
        hidden.decompose()
    text = body.get_text()
    assert "$$" not in text and not re.search(r"\\(frac|sqrt|mathrm|top)\b", text)


def test_no_page_loads_mathjax_and_only_math_pages_load_katex(site, post):
    pages = sorted(site.rglob("*.html"))
    mathjax = [str(p.relative_to(site)) for p in pages
               if "mathjax" in p.read_text(encoding="utf-8").lower()]
    assert mathjax == []
    assert [link["href"] for link in post.select("link[rel=stylesheet]")
            if "katex" in link["href"]] == [KATEX_CSS]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert KATEX_CSS not in home and not any("math" in s for s in loads_of_scripts(post))


def test_a_formula_katex_cannot_read_stops_the_build(tmp_path):
    site = make_site(tmp_path, "Broken: $$\\frac{1}{$$ here.", {})
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode != 0
    report = result.stdout + result.stderr
    assert ("2023-05-20-figure-test.md: KaTeX cannot render the formula" in report
            and "frac{1}{`" in report)


# -- KaTeX's fonts, cut to the characters of the site's math (tools/subset-katex)

KATEX_FONTS = "assets/lib/katex/fonts"
WHOLE_FONTS = ROOT / "node_modules" / "katex" / "dist" / "fonts"


def math_characters(site) -> set[str]:
    """Every character the built pages' math shows (KaTeX's HTML, not its hidden MathML)."""
    chars = set()
    for page in site.rglob("*.html"):
        for formula in parse_html(page.read_text(encoding="utf-8")).select(".katex-html"):
            chars |= set(formula.get_text())
    return {c for c in chars if c.isprintable() and not c.isspace()}


def lost_characters(chars: set[str], subset_font, whole_font) -> set[str]:
    """Characters the whole KaTeX font draws and its subset does not."""
    from fontTools.ttLib import TTFont
    whole, kept = set(TTFont(whole_font).getBestCmap()), set(TTFont(subset_font).getBestCmap())
    return {c for c in chars if ord(c) in whole and ord(c) not in kept}


def test_math_fonts_hold_every_character_of_the_math(site):
    chars = math_characters(site)
    assert {"Q", "K", "V", "⊤", "∑", "1"} <= chars, "the math scan found too little"
    fonts = sorted((site / KATEX_FONTS).glob("*.woff2"))
    assert len(fonts) == len(list(WHOLE_FONTS.glob("*.woff2"))) == 20
    for font in fonts:
        lost = lost_characters(chars, font, WHOLE_FONTS / font.name)
        assert not lost, (f"{font.name} lacks {''.join(sorted(lost))!r}: "
                          "run 'make npm-assets' (tools/subset-katex)")


def test_the_math_font_check_notices_a_missing_character(site):
    font = site / KATEX_FONTS / "KaTeX_Main-Regular.woff2"
    assert lost_characters({"1", "\u2135"}, font,
                           WHOLE_FONTS / font.name) == {"\u2135"}, "no ℵ in this site's math"


def test_math_fonts_keep_about_the_characters_used(site):
    from fontTools.ttLib import TTFont
    font = "KaTeX_Main-Regular.woff2"
    kept, whole = (len(TTFont(f).getBestCmap())
                   for f in (site / KATEX_FONTS / font, WHOLE_FONTS / font))
    assert 40 <= kept <= 100 < whole, f"{font}: {kept} of {whole} characters"
