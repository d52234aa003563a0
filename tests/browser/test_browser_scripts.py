"""Chirpy's scripts start after the first paint (_includes/scripts-after-paint.html)
and still do their jobs: every one of them is fetched after the browser has
painted the page's first frame, all of them run, and search (whose set-up
waited for DOMContentLoaded, and whose index now waits for the reader:
_includes/search-loader.html) finds the post."""
import pytest

import pages
import sitebrowser as browser

pytestmark = pytest.mark.browser

PAGES = {"home": "", "post": pages.POST_URL, "archives": "archives/"}

# When the first frame was painted (PerformancePaintTiming.paintTime: the main
# thread's rendering update, before the compositor shows it), and when each
# script of the page was requested, but the theme script, which must run
# before the first paint (it picks light or dark).
TIMING = r"""
const paint = performance.getEntriesByType('paint').find(e => e.name === 'first-paint');
const urls = [...document.scripts].map(s => s.src).filter(u => u && !u.endsWith('/theme.min.js'));
const fetched = performance.getEntriesByType('resource')
  .filter(e => urls.includes(e.name))
  .map(e => ({url: e.name.slice(location.origin.length), start: e.startTime}));
return {painted: paint && paint.paintTime, urls: urls, fetched: fetched};
"""


@pytest.mark.parametrize("page", PAGES)
def test_scripts_are_fetched_after_the_first_paint(browsing, page):
    base, driver = browsing
    driver.get(base + PAGES[page])
    browser.wait_until_quiet(driver)
    seen = driver.execute_script(TIMING)
    assert seen["painted"], "no first-paint entry with a paintTime"
    assert len(seen["urls"]) >= 7 and len(seen["fetched"]) == len(seen["urls"])
    early = [f for f in seen["fetched"] if f["start"] < seen["painted"]]
    assert early == [], f"fetched before the first paint at {seen['painted']:.0f} ms"


def test_every_script_ran(browsing):
    base, driver = browsing
    driver.get(base + pages.POST_URL)
    browser.wait_until_quiet(driver)
    assert driver.execute_script("return document.documentElement.dataset.scripts") == "loaded"
    missing = driver.execute_script("""
        return ['SimpleJekyllSearch', 'GLightbox', 'ClipboardJS', 'dayjs', 'tocbot']
          .filter(name => typeof window[name] === 'undefined');""")
    assert missing == []
    assert driver.find_elements("css selector", "#toc a"), "tocbot built no table of contents"


INDEX_FETCHES = ("return performance.getEntriesByType('resource')"
                 ".filter(e => e.name.endsWith('/search.json')).length")


def test_search_fetches_its_index_when_asked_and_finds_the_post(browsing):
    """The index waits for the reader (_includes/search-loader.html); a query
    typed before it arrives is searched once it has."""
    from selenium.webdriver.support.ui import WebDriverWait

    base, driver = browsing
    driver.get(base)
    browser.wait_until_quiet(driver)
    assert driver.execute_script(INDEX_FETCHES) == 0, \
        "the page fetched the search index without being asked"
    # a slow network (and no service worker answering from its cache): the
    # whole query is typed before the index arrives
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBypassServiceWorker", {"bypass": True})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        driver.find_element("css selector", "#search-input").send_keys("transformers")
        assert driver.execute_script(
            "return document.querySelectorAll('#search-results a').length") == 0
        WebDriverWait(driver, 10).until(
            lambda d: d.find_elements("css selector",
                                      f'#search-results a[href$="{pages.POST_URL}"]'))
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        driver.execute_cdp_cmd("Network.setBypassServiceWorker", {"bypass": False})
    assert driver.execute_script(INDEX_FETCHES) == 1
