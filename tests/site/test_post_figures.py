"""The finished post: every placeholder is a generated figure, every figure of
the manifest is embedded (light and dark, once each), and every number the
text quotes is the one the figures' runs wrote (_data/figures/<name>.yml)."""
import re

import pytest
import yaml

from sitecheck import POST_SOURCE, POST_URL, ROOT

MANIFESTS = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "_data" / "figures").glob("*.yml"))}
BANNER = "banner"  # the post's preview image (front matter `image:`), see below
FACT = re.compile(r'<span class="fact" data-figure="([^"]*)" data-key="([^"]*)" '
                  r'data-value="([^"]*)">(.*?)</span>', re.S)


@pytest.fixture(scope="module")
def html(site):
    return (site / POST_URL / "index.html").read_text(encoding="utf-8")


def front_matter():
    return yaml.safe_load(POST_SOURCE.read_text(encoding="utf-8").split("---")[1])


def images(post):
    return [img.attrs for img in post.find_all("img")]


def test_the_figures_manifest_is_there():
    # Guards the tests below against an empty folder making them vacuous.
    assert len(MANIFESTS) >= 12, sorted(MANIFESTS)


def test_no_placeholder_is_left():
    source = POST_SOURCE.read_text(encoding="utf-8")
    leftovers = [line for line in source.splitlines()
                 if re.match(r"\s*(# *(insert|add a diagram)|> *figure:)", line, re.I)
                 or "[[fact:" in line or "[[figure:" in line]
    assert leftovers == []


@pytest.mark.parametrize("name", sorted(set(MANIFESTS) - {BANNER}))
def test_each_figure_is_embedded_once_per_variant(name, post):
    manifest = MANIFESTS[name]
    sources = [i.get("src", "") for i in images(post)]
    for variant in ("light", "dark"):
        entry = manifest["outputs"][variant]
        embedded = [i for i in images(post) if i.get("src") == entry["path"]]
        assert len(embedded) == 1, f"{name}: {variant} variant embedded {len(embedded)} times"
        image = embedded[0]
        assert image.get("alt") == manifest["alt"], f"{name}: alt text differs from the manifest"
        assert (image.get("width"), image.get("height")) == (str(entry["width"]), str(entry["height"]))
        assert entry["path"] in sources


def test_the_banner_is_the_preview_image_and_swaps_in_dark_mode(site, post):
    banner = MANIFESTS[BANNER]
    image = front_matter()["image"]
    assert image["path"] == banner["outputs"]["light"]["path"]
    assert image["alt"] == banner["alt"], "front matter image alt drifted from the banner's manifest"
    previews = [i for i in images(post) if i.get("src") == banner["outputs"]["light"]["path"]]
    assert len(previews) == 1
    style = post.select_one("head style#preview-image-dark")  # _plugins/preview_image.rb
    dark = banner["outputs"]["dark"]["path"]
    # in each band of window widths, for the mode the reader toggled and for the system's dark mode
    assert style is not None and style.get_text().count(f'url("{dark}")') == 8, "the dark banner is not swapped in"


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


def test_every_quoted_number_is_the_manifests(html):
    facts = FACT.findall(html)
    assert len(facts) >= 10, "the post quotes its measured numbers through {% fact %} (_plugins/figure_tags.rb)"
    for figure, key, raw, text in facts:
        assert figure in MANIFESTS, f"fact from unknown figure {figure!r}"
        expected = MANIFESTS[figure]["facts"][key]
        if isinstance(expected, str):  # a word the figure chose, e.g. the token it shows
            assert raw == text.strip() == expected, f"{figure}.{key}"
            continue
        assert float(raw) == pytest.approx(float(expected), rel=1e-12), f"{figure}.{key}"
        shown, half_unit = shown_value(text)
        assert abs(shown - float(expected)) <= half_unit * (1 + 1e-9), \
            f"{figure}.{key}: the text shows {text!r} for {expected}"


def test_every_fact_include_is_shown_as_text(html):
    """One fact span per {% fact %} in the source: a tag inside $$...$$ math would
    be swallowed by the formula (or garble it) instead of showing its number."""
    written = re.findall(r"\{%-?\s*fact\s", POST_SOURCE.read_text(encoding="utf-8"))
    assert len(FACT.findall(html)) == len(written)


def test_shown_value_reads_every_format():
    # The reader of the displayed numbers must itself be right, or the check
    # above could pass anything.
    assert shown_value("2.4 × 10<sup>−6</sup>") == pytest.approx((2.4e-6, 0.05e-6))
    assert shown_value("99.9%") == pytest.approx((0.999, 0.0005))
    assert shown_value("63.1 million") == pytest.approx((63.1e6, 0.05e6))
    assert shown_value("3.6×") == pytest.approx((3.6, 0.05))
    assert shown_value("64") == pytest.approx((64, 0.5))


def measured_floats():
    """Facts with at least three significant digits: typed by hand, they would be noticed."""
    for name, manifest in MANIFESTS.items():
        for key, value in (manifest.get("facts") or {}).items():
            if isinstance(value, float) and not value.is_integer():
                digits = f"{value:.3g}"
                if len(digits.replace("-", "").replace(".", "").lstrip("0")) >= 3:
                    yield name, key, digits


def test_no_measured_number_is_typed_by_hand():
    source = POST_SOURCE.read_text(encoding="utf-8")
    prose = re.sub(r"\{%.*?%\}", "", source)  # includes quote facts the right way
    typed = [f"{name}.{key} = {digits}" for name, key, digits in measured_floats()
             if re.search(rf"(?<![\d.]){re.escape(digits)}(?!\d)", prose)]
    assert typed == [], "quote these with {% fact FIGURE KEY %} instead of typing them"
