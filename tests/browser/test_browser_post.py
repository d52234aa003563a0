"""The post's own furniture in headless Chromium: the mode menu swaps every
figure for its dark variant and back, and the table of contents lists the
post's sections. Screenshots (light, dark) go to build/screenshots/."""
import pytest

import pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def post(browsing):
    base, driver = browsing
    pages.visit(driver, base + pages.POST_URL)
    return driver


def _variants(driver) -> dict:
    """Per variant, how many images there are and how many CSS shows."""
    result = {}
    for image in pages.images(driver):
        if image["variant"]:
            counts = result.setdefault(image["variant"], {"all": 0, "shown": 0, "decoded": 0})
            counts["all"] += 1
            counts["shown"] += image["shown"]
            counts["decoded"] += image["shown"] and image["naturalWidth"] > 0
    return result


def test_mode_toggle_switches_every_figure(post, screenshots):
    driver = post
    figures = len(pages.figure_includes())
    start = pages.shown_mode(driver)
    assert start == "light", "headless Chromium prefers light: the post should start light"
    light = _variants(driver)
    pages.screenshot(driver, screenshots / "post-light.png")

    assert pages.choose_mode(driver, "dark") == "dark"
    pages.scroll_through(driver)  # the dark variants are lazy images too
    dark = _variants(driver)
    dark_painted = pages.shown_mode(driver)
    pages.screenshot(driver, screenshots / "post-dark.png")

    back = pages.choose_mode(driver, "light")
    back_variants = _variants(driver)
    back_painted = pages.shown_mode(driver)
    pages.choose_mode(driver, "system")  # forget the choice (Chirpy keeps it in localStorage)

    none = {"all": 0, "shown": 0, "decoded": 0}
    every = {"all": figures, "shown": figures, "decoded": figures}
    hidden = {"all": figures, "shown": 0, "decoded": 0}
    assert (dark_painted, back, back_painted) == ("dark", "light", "light")
    assert (light.get("light", none), light.get("dark", none)) == (every, hidden)
    assert (dark.get("dark", none), dark.get("light", none)) == (every, hidden)
    assert (back_variants.get("light", none)["shown"], back_variants.get("dark", none)["shown"]) \
        == (figures, 0)


def test_toc_lists_the_posts_sections(post):
    driver = post
    written = pages.source_headings()
    assert written, f"no ## headings in {pages.POST_SOURCE}"
    assert pages.content_headings(driver) == written
    assert pages.toc_entries(driver) == written
    assert driver.find_element("css selector", "#toc-wrapper").is_displayed()
