"""Every post: no placeholder is left, every figure of a post is embedded in it
(light and dark, once each), every number the text quotes is the one the
figures' runs wrote (_data/figures/<name>.yml), and no measured number is
typed by hand in any form a reader sees (rounded, percent, times, scientific)."""
import math
import re

import pytest
import yaml

from figures_src.build import pipeline
from figures_src.util import paths
from sitecheck import POST_SOURCE, ROOT, read_page

MANIFESTS = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "_data" / "figures").glob("*.yml"))}
POSTS = paths.posts()
BANNER = "banner"  # the showcase post's preview image (front matter `image:`), see below
FACT = re.compile(r'<span class="fact" data-figure="([^"]*)" data-key="([^"]*)" '
                  r'data-value="([^"]*)">(.*?)</span>', re.S)


def built(site, post) -> str:
    """The built page of a post file."""
    return (site / paths.post_url(paths.post_slug(post)) / "index.html").read_text(encoding="utf-8")


def test_every_post_is_found():
    assert POST_SOURCE in POSTS


def front_matter():
    return yaml.safe_load(POST_SOURCE.read_text(encoding="utf-8").split("---")[1])


def images(post):
    return [img.attrs for img in post.find_all("img")]


def test_the_figures_manifest_is_there():
    # Guards the tests below against an empty folder making them vacuous.
    assert len(MANIFESTS) >= 12, sorted(MANIFESTS)


@pytest.mark.parametrize("source_file", POSTS, ids=lambda p: p.name)
def test_no_placeholder_is_left(source_file):
    source = source_file.read_text(encoding="utf-8")
    leftovers = [line for line in source.splitlines()
                 if re.match(r"\s*(# *(insert|add a diagram)|> *figure:)", line, re.I)
                 or "[[fact:" in line or "[[figure:" in line]
    assert leftovers == []


@pytest.mark.parametrize("name", sorted(set(MANIFESTS) - {BANNER}))
def test_each_figure_is_embedded_once_per_variant_in_its_post(name, site):
    manifest = MANIFESTS[name]
    post = read_page(site / paths.post_url(manifest["post"]) / "index.html")
    sources = [i.get("src", "") for i in images(post)]
    for variant in ("light", "dark"):
        entry = manifest["outputs"][variant]
        embedded = [i for i in images(post) if i.get("src") == entry["path"]]
        assert len(embedded) == 1, f"{name}: {variant} variant embedded {len(embedded)} times"
        image = embedded[0]
        assert image.get("alt") == manifest["alt"], f"{name}: alt text differs from the manifest"
        size = (str(entry["width"]), str(entry["height"]))
        assert (image.get("width"), image.get("height")) == size
        assert entry["path"] in sources


def test_the_banner_is_the_preview_image_and_swaps_in_dark_mode(site, post):
    banner = MANIFESTS[BANNER]
    image = front_matter()["image"]
    assert image["path"] == banner["outputs"]["light"]["path"]
    assert image["alt"] == banner["alt"], "front matter image alt differs from the banner's"
    previews = [i for i in images(post) if i.get("src") == banner["outputs"]["light"]["path"]]
    assert len(previews) == 1
    style = post.select_one("head style#preview-image-dark")  # _plugins/preview_image.rb
    dark = banner["outputs"]["dark"]["path"]
    # in each band of window widths, for the mode the reader toggled and for the system's dark mode
    assert style is not None, "no dark banner style"
    assert style.get_text().count(f'url("{dark}")') == 8, "the dark banner is not swapped in"


def test_every_image_has_alt_text_and_exists(site, post):
    for image in images(post):
        src = image.get("src", "")
        assert image.get("alt", "").strip(), f"{src}: no alt text"
        if src.startswith("/"):
            assert (site / src.lstrip("/")).is_file(), f"{src} is not in the built site"


def shown_value(text):
    """The number a fact span shows, and half a unit of its last digit."""
    text = text.strip()
    sci = re.fullmatch(r"([\d.]+) × 10<sup>([−-]?\d+)</sup>", text)
    if sci:
        mantissa, exponent = sci.group(1), int(sci.group(2).replace("−", "-"))
        scale = 10.0 ** exponent
    else:
        scale = 1.0
        for suffix, factor in (("%", 0.01), (" million", 1e6), ("×", 1.0)):
            if text.endswith(suffix):
                text, scale = text[: -len(suffix)], factor
                break
        mantissa = text
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return float(mantissa) * scale, 0.5 * 10.0 ** -decimals * scale


def test_the_showcase_quotes_its_numbers(site):
    quoted = FACT.findall(built(site, POST_SOURCE))
    assert len(quoted) >= 10, "the post quotes its numbers with {% fact %}"


@pytest.mark.parametrize("source_file", POSTS, ids=lambda p: p.name)
def test_every_quoted_number_is_the_manifests(source_file, site):
    for figure, key, raw, text in FACT.findall(built(site, source_file)):
        assert figure in MANIFESTS, f"fact from unknown figure {figure!r}"
        expected = MANIFESTS[figure]["facts"][key]
        if isinstance(expected, str):  # a word the figure chose, e.g. the token it shows
            assert raw == text.strip() == expected, f"{figure}.{key}"
            continue
        assert float(raw) == pytest.approx(float(expected), rel=1e-12), f"{figure}.{key}"
        shown, half_unit = shown_value(text)
        assert abs(shown - float(expected)) <= half_unit * (1 + 1e-9), \
            f"{figure}.{key}: the text shows {text!r} for {expected}"


@pytest.mark.parametrize("source_file", POSTS, ids=lambda p: p.name)
def test_every_fact_tag_is_shown_as_text(source_file, site):
    """One fact span per tag in the source: a tag inside $$...$$ math would
    be swallowed by the formula (or garble it) instead of showing its number."""
    written = pipeline.FACT_TAG.findall(source_file.read_text(encoding="utf-8"))
    assert len(FACT.findall(built(site, source_file))) == len(written)


def test_shown_value_reads_every_format():
    # The reader of the displayed numbers must itself be right, or the check
    # above could pass anything.
    assert shown_value("2.4 × 10<sup>−6</sup>") == pytest.approx((2.4e-6, 0.05e-6))
    assert shown_value("99.9%") == pytest.approx((0.999, 0.0005))
    assert shown_value("63.1 million") == pytest.approx((63.1e6, 0.05e6))
    assert shown_value("3.6×") == pytest.approx((3.6, 0.05))
    assert shown_value("64") == pytest.approx((64, 0.5))


# -- numbers typed by hand ---------------------------------------------------

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
TIMES = r"\s?(?:x|×|times|\\times)(?!\w)"  # after a number: 3.2x, 3.2 ×, 3.2 times, LaTeX
PERCENT = r"\s?(?:%|\\%|percent)"
TIMES_TEN = r"\s?(?:×|x|\\times|\\cdot)\s?10\s?"  # 2.4 × 10..., 2.4 \times 10^...


def significant(text: str) -> int:
    """Significant digits of a number as written ("0.054" 2, "89" 2, "50" 1, "50.0" 3)."""
    digits = text.replace("-", "").replace(".", "").lstrip("0")
    return len(digits if "." in text else digits.rstrip("0"))


def reader_forms(value: float) -> list[tuple[str, str]]:
    """(regex, example) for each way a reader could see `value` typed: to 2 or 3
    significant digits as a decimal, a percent (of a fraction), a factor (x, ×,
    times), or in scientific notation (2.4 × 10⁻⁶, 2.4e-6, LaTeX). A form needs
    two significant digits (or an exponent): "50%" or "0.5" say too little to
    be a copy; a whole number alone may be an input (d_k = 64), not a measurement."""
    start = r"(?<![\d.])"
    forms = []
    for digits in (2, 3):
        plain = f"{value:#.{digits}g}".rstrip(".")  # "#": 64.04 to 3 digits is "64.0", not "64"
        if "e" not in plain and significant(plain) >= 2:
            if "." in plain:
                forms.append((start + re.escape(plain) + r"(?!\d)", plain))
            forms.append((start + re.escape(plain) + TIMES, plain + "×"))
        if 0 < abs(value) <= 1:
            for percent in sorted({f"{100 * value:.{digits}g}", f"{100 * value:.0f}"}):
                if "e" not in percent and significant(percent) >= 2:
                    forms.append((start + re.escape(percent) + PERCENT, percent + "%"))
    if value != 0 and not 1e-3 <= abs(value) < 1e4:
        exponent = math.floor(math.log10(abs(value)))
        sign = "[-−]" if exponent < 0 else r"\+?"
        for digits in (1, 2, 3):
            mantissa = f"{value / 10 ** exponent:.{digits - 1}f}"
            if mantissa.lstrip("-").startswith("10"):
                continue
            power = (rf"(?:\^\{{?{sign}{abs(exponent)}\}}?|<sup>{sign}{abs(exponent)}</sup>|"
                     rf"{re.escape(str(exponent).translate(SUPERSCRIPT))})")
            forms.append((start + re.escape(mantissa) + TIMES_TEN + power,
                          f"{mantissa} × 10^{exponent}"))
            forms.append((start + re.escape(mantissa) + rf"[eE]{sign}0*{abs(exponent)}(?!\d)",
                          f"{mantissa}e{exponent}"))
    return forms


def typed_numbers(source: str, manifests: dict) -> list[str]:
    """Measured facts (floats that are not whole) a post's text types instead of
    quoting with {% fact %}: "figure.key = value as 'what the text shows'"."""
    prose = re.sub(r"\{%.*?%\}", "", source, flags=re.S)  # tags quote facts the right way
    found = []
    for name, manifest in sorted(manifests.items()):
        for key, value in sorted((manifest.get("facts") or {}).items()):
            if isinstance(value, float) and not value.is_integer():
                for pattern, _example in reader_forms(value):
                    for match in re.finditer(pattern, prose):
                        found.append(f"{name}.{key} = {value} as {match.group(0)!r}")
    return found


@pytest.mark.parametrize("source_file", POSTS, ids=lambda p: p.name)
def test_no_measured_number_is_typed_by_hand(source_file):
    typed = typed_numbers(source_file.read_text(encoding="utf-8"), MANIFESTS)
    assert typed == [], f"{source_file.name}: quote these with {{% fact FIGURE KEY %}}"


SYNTHETIC = {"demo": {"facts": {"share": 0.5412, "accuracy": 0.8912, "speedup": 3.214,
                                "ratio": 2.4e-6, "d_k": 64, "var": 64.04, "word": "tanh"}}}


@pytest.mark.parametrize("text", [
    "the share is 0.54 here", "the share is 0.541.", "it is right 89% of the time", "89.1 % right",
    r"accuracy of 89\% in math", "3.2x faster", "3.2× faster", "3.21 times faster",
    r"$$3.2 \times$$",
    "down to 2.4 × 10⁻⁶ of it", "down to 2.4e-6", "down to 2.4e-06", r"$$2.4 \times 10^{-6}$$",
    "2.4 × 10<sup>−6</sup>", "64.0 on average",
])
def test_typed_numbers_are_caught_in_every_form_readers_see(text):
    assert typed_numbers(f"Before. {text} After.", SYNTHETIC), text


@pytest.mark.parametrize("text", [
    "with $$d_k = 64$$ dimensions", "below 50% from step 3", "a factor of 0.5", "in 2024",
    "{% fact demo share as=percent digits=0 %} of the time", "version 3.11", "arXiv 1902.10186",
])
def test_what_is_not_a_typed_measurement_passes(text):
    assert typed_numbers(f"Before. {text} After.", SYNTHETIC) == [], text
