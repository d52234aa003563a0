"""In a real browser, with every other host unreachable: the pages request
nothing but 127.0.0.1, and the web fonts, icons and math fonts come from
assets/lib."""
from urllib.parse import urlsplit

import pytest

import netlog
import sitebrowser as browser
from pages import POST_URL, scroll_through

pytestmark = pytest.mark.browser

PAGES = ["", POST_URL, "about/", "archives/", "categories/", "tags/",
         "categories/machine-learning/", "tags/attention/", "404.html"]


def test_pages_request_nothing_from_another_host(browsing):
    base, driver = browsing
    seen = []
    for page in PAGES:
        driver.get_log("performance")  # forget what came before
        driver.get(base + page)
        if page == POST_URL:  # its math is rendered (and its fonts fetched) as it nears the screen
            scroll_through(driver)
        browser.wait_until_quiet(driver)
        seen += [request.url for request in netlog.read(driver.get_log("performance"))]
    hosts = {urlsplit(u).hostname for u in seen}
    assert hosts == {"127.0.0.1"}, sorted(u for u in seen if "127.0.0.1" not in u)
    paths = {urlsplit(u).path for u in seen}
    assert any(p.startswith("/assets/lib/fonts/") and p.endswith(".woff2") for p in paths)
    assert any(p.startswith("/assets/lib/fontawesome-free/webfonts/") for p in paths)
    assert any(p.startswith("/assets/lib/katex/fonts/") and p.endswith(".woff2") for p in paths)
