"""In a real browser, with every other host unreachable: the pages request
nothing but 127.0.0.1, the web fonts and icons come from assets/lib, and
MathJax typesets with its own fonts."""
from urllib.parse import urlsplit

import pytest

import sitebrowser as browser
from pages import POST_URL

pytestmark = pytest.mark.browser

PAGES = ["", POST_URL, "about/", "archives/", "categories/", "tags/",
         "categories/machine-learning/", "tags/attention/", "404.html"]


def test_pages_request_nothing_from_another_host(browsing):
    base, driver = browsing
    seen = []
    for page in PAGES:
        driver.get(base + page)
        browser.wait_until_quiet(driver)
        seen += browser.requested_urls(driver)
    hosts = {urlsplit(u).hostname for u in seen if urlsplit(u).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}, sorted(u for u in seen if "127.0.0.1" not in u)
    paths = {urlsplit(u).path for u in seen}
    assert any(p.startswith("/assets/lib/fonts/") and p.endswith(".woff2") for p in paths)
    assert any(p.startswith("/assets/lib/fontawesome-free/webfonts/") for p in paths)


def test_mathjax_typesets_offline(browsing):
    base, driver = browsing
    driver.get(base + POST_URL)
    browser.wait_until_quiet(driver)
    # The post's own formulas may have loaded MathJax's fonts already.
    seen = browser.requested_urls(driver)
    driver.set_script_timeout(20)
    width = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const box = document.createElement('div');
        box.textContent = '$$\\\\frac{QK^\\\\top}{\\\\sqrt{d_k}}$$';
        document.querySelector('.content').appendChild(box);
        MathJax.typesetPromise([box]).then(() => document.fonts.ready).then(() => {
            const math = box.querySelector('mjx-container');
            done(math ? math.getBoundingClientRect().width : -1);
        }, (e) => done('error: ' + e));
    """)
    assert isinstance(width, (int, float)) and width > 20, width
    seen += browser.requested_urls(driver)
    math_fonts = [u for u in seen if ".woff" in u and "mathjax" in u.lower()]
    assert math_fonts, "MathJax loaded no font"
    assert all("/assets/lib/mathjax/output/chtml/fonts/" in u for u in math_fonts), math_fonts
