"""The home page and the post in headless Chromium, as a reader gets them from
the production build: nothing fails, nothing comes from another host, every
image decodes, every formula is rendered (with MathML), nothing scrolls
sideways on a phone."""
import pytest

import pages

pytestmark = pytest.mark.browser

PAGES = {"home": "", "post": pages.POST_URL}


@pytest.fixture(scope="module")
def visits(browsing):
    """Each page loaded once, scrolled through (so lazy images load)."""
    base, driver = browsing
    result = {}
    for name, path in PAGES.items():
        visit = pages.visit(driver, base + path)
        result[name] = (visit, pages.images(driver), pages.math_report(driver))
    return result


@pytest.mark.parametrize("page", PAGES)
def test_no_console_errors(visits, page):
    visit, _, _ = visits[page]
    assert visit.console_errors == []


@pytest.mark.parametrize("page", PAGES)
def test_every_request_is_local_and_succeeds(visits, page):
    visit, _, _ = visits[page]
    assert visit.requests, "the performance log recorded no request"
    elsewhere = [r.url for r in visit.requests if r.host != "127.0.0.1"]
    failed = [(r.url, r.status, r.error) for r in visit.requests if r.failed]
    assert elsewhere == [] and failed == []


@pytest.mark.parametrize("page", PAGES)
def test_every_shown_image_is_decoded(visits, page):
    """Images CSS hides must be the other theme's variants; all others decode."""
    _, images, _ = visits[page]
    assert images, "no <img> on the page"
    broken = [i["src"] for i in images if i["shown"]
              and not (i["complete"] and i["naturalWidth"] > 0)]
    hidden = [i["src"] for i in images if not i["shown"] and i["variant"] != "dark"]
    assert broken == [] and hidden == []


@pytest.mark.parametrize("page", PAGES)
def test_every_formula_is_rendered_none_raw_each_with_mathml(visits, page):
    _, _, math = visits[page]
    assert math["raw_left"] == 0, f"TeX left as text: {math}"
    assert math["errors"] == 0 and math["empty"] == 0 and math["without_mathml"] == 0, math


def test_the_post_shows_its_formulas_in_katex_fonts(visits):
    """The check above must not pass by seeing no formulas at all."""
    _, _, math = visits["post"]
    assert "$$" in pages.POST_SOURCE.read_text(encoding="utf-8")
    assert math["rendered"] > 50 and math["katex_fonts"] > 0, math


@pytest.mark.parametrize("page", PAGES)
def test_nothing_scrolls_sideways_on_a_phone(browsing, screenshots, page):
    base, driver = browsing
    pages.emulate_phone(driver, True)
    try:
        pages.visit(driver, base + PAGES[page])
        overflow = pages.sideways_overflow(driver)
        pages.screenshot(driver, screenshots / f"{page}-phone.png", phone=True)
    finally:
        pages.emulate_phone(driver, False)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow
