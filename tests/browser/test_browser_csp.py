"""The Content-Security-Policy <meta> (_plugins/content_security_policy.rb)
in headless Chromium: the post, the home page and the tabs run with no
violation (the loader, search, the explorer, the lightbox's scripts all
allowed), their scripts do run, and an inline script injected into the page
is blocked."""
import pytest

import pages

pytestmark = pytest.mark.browser

PAGES = {"home": "", "post": pages.POST_URL, "about": "about/", "archives": "archives/",
         "categories": "categories/", "tags": "tags/"}

# Registered before any script of the page runs (CDP), so it sees every violation.
RECORD_VIOLATIONS = """
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
        {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, line: e.lineNumber}));
"""


@pytest.fixture(scope="module")
def recording(browsing):
    base, driver = browsing
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    yield base, driver
    driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


@pytest.mark.parametrize("page", PAGES)
def test_the_page_runs_with_no_csp_violation(recording, page):
    base, driver = recording
    visit = pages.visit(driver, base + PAGES[page])
    policy = driver.execute_script(
        "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); return m && m.content")
    assert policy and "script-src 'self' 'sha256-" in policy
    assert driver.execute_script("return window.__cspViolations") == []
    assert visit.console_errors == []
    # the inline loader ran, and so did the scripts it added (Chirpy's dayjs, search ...)
    assert driver.execute_script("return document.documentElement.dataset.scripts") == "loaded"
    assert driver.execute_script("return typeof SimpleJekyllSearch") == "function"


def test_an_injected_inline_script_is_blocked(recording):
    base, driver = recording
    pages.visit(driver, base + pages.POST_URL)
    driver.execute_script("""
        const script = document.createElement('script');
        script.textContent = 'window.__injected = true;';
        document.body.appendChild(script);
        const div = document.createElement('div');
        div.innerHTML = '<img src="/nowhere.png" onerror="window.__handler = true">';
        document.body.appendChild(div);
    """)
    driver.execute_async_script("const done = arguments[arguments.length - 1]; setTimeout(done, 500);")
    assert driver.execute_script("return window.__injected") is None
    assert driver.execute_script("return window.__handler") is None
    blocked = driver.execute_script("return window.__cspViolations")
    assert [v["directive"] for v in blocked] == ["script-src-elem", "script-src-attr"], blocked
    assert blocked[0]["blocked"] == "inline"
