"""The post's own furniture in headless Chromium: the mode menu swaps every
figure for its dark variant and back, and the table of contents lists the
post's sections. Screenshots (light, dark) go to build/screenshots/."""
import pytest

import pages
import sitebrowser as browser

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


BANNER_WIDTHS = r"""
const img = document.querySelector('.preview-img img[srcset]');
let promised = null;
for (const entry of img.sizes.split(/,(?![^(]*\))/)) {
  const text = entry.trim(), conditional = text.match(/^(\([^)]*\))\s+(.+)$/);
  if (!conditional || window.matchMedia(conditional[1]).matches) {
    const probe = document.createElement('div');
    probe.style.width = conditional ? conditional[2] : text;
    document.body.appendChild(probe);
    promised = probe.getBoundingClientRect().width;
    probe.remove();
    break;
  }
}
return {viewport: window.innerWidth, shown: img.getBoundingClientRect().width, promised: promised};
"""


@pytest.mark.parametrize("width", [360, 412, 768, 850, 1000, 1199, 1200, 1440, 1920])
def test_banner_sizes_never_promise_less_than_it_shows(post, width):
    """The banner's `sizes` (_plugins/preview_image.rb) tells the browser how
    wide Chirpy's column shows it, before layout; saying less would fetch a
    copy too small for the screen (blurred)."""
    post.set_window_size(width, 900)
    try:
        seen = post.execute_script(BANNER_WIDTHS)
        assert seen["promised"] is not None, "no entry of sizes applies"
        assert seen["shown"] <= seen["promised"] + 1, seen
        assert seen["promised"] <= 1.3 * seen["shown"] + 40, f"sizes overstates by far: {seen}"
    finally:
        post.set_window_size(1280, 900)


DARK_BANNER = r"""
const img = document.querySelector('.preview-img img[srcset]');
const fetched = performance.getEntriesByType('resource').map(e => e.name)
  .filter(u => /\/banner-dark(-\d+w)?\.png$/.test(u)).map(u => u.slice(location.origin.length));
return {fetched: fetched, shown: img.getBoundingClientRect().width, dpr: window.devicePixelRatio};
"""


@pytest.mark.parametrize("window, dark",
                         [("phone", "system"), ("laptop", "system"), ("laptop", "picked")])
def test_dark_mode_shows_the_dark_banner_sharp_and_no_larger_than_needed(browsing, window, dark):
    """In dark mode, the system's or the one the reader picked, the banner is
    its dark render (_plugins/preview_image.rb), as sharp as the screen, and
    not the 2400-pixel file where a copy will do."""
    import io
    from PIL import Image, ImageStat
    from figures_src.build.render import png_size

    base, driver = browsing
    pages.emulate_phone(driver, window == "phone")  # 375 px at 2x; else 1280 px at 1x
    browser.set_color_scheme(driver, "dark" if dark == "system" else "light")
    try:
        driver.get(base + pages.POST_URL)
        browser.wait_until_quiet(driver)
        if dark == "picked":
            assert pages.choose_mode(driver, "dark") == "dark"
            driver.execute_async_script("const done = arguments[0]; setTimeout(done, 500);")
        seen = driver.execute_script(DARK_BANNER)
        img = driver.find_element("css selector", ".preview-img img[srcset]")
        shot = Image.open(io.BytesIO(img.screenshot_as_png)).convert("L")
    finally:
        if dark == "picked":
            pages.choose_mode(driver, "system")  # Chirpy keeps the choice in localStorage
        browser.set_color_scheme(driver, "light")
        pages.emulate_phone(driver, False)
    assert len(seen["fetched"]) == 1, seen
    file = pages.SITE / seen["fetched"][0].lstrip("/")
    width = png_size(file.read_bytes())[0]
    assert width >= seen["dpr"] * seen["shown"], f"{file.name} is blurred at {seen}"
    assert not file.name.endswith("-dark.png"), f"the full render where a copy does: {seen}"
    assert ImageStat.Stat(shot).mean[0] < 100, "the banner shown is not the dark render"


def test_the_home_pages_card_shows_the_dark_banner_in_dark_mode(browsing):
    import io
    from PIL import Image, ImageStat

    base, driver = browsing
    browser.set_color_scheme(driver, "dark")
    try:
        driver.get(base)
        browser.wait_until_quiet(driver)
        pages.scroll_through(driver)
        card = driver.find_element("css selector", ".preview-img img")
        shot = Image.open(io.BytesIO(card.screenshot_as_png)).convert("L")
    finally:
        browser.set_color_scheme(driver, "light")
    assert ImageStat.Stat(shot).mean[0] < 100, \
        "the home page's card shows the light banner in dark mode"


def test_no_shown_image_keeps_its_loading_shimmer(post):
    """Chirpy's shimmer placeholder comes off every image once it shows: the
    eager banner has none (_plugins/preview_image.rb), the lazy figures lose
    theirs when they load."""
    stuck = post.execute_script(
        "return [...document.querySelectorAll('.shimmer')].filter(e => e.checkVisibility())"
        ".map(e => e.className + ' ' + (e.querySelector('img') || {}).src)")
    assert stuck == []
