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
        {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
         line: e.lineNumber}));
"""


@pytest.fixture(scope="module")
def recording(browsing):
    base, driver = browsing
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": RECORD_VIOLATIONS})
    yield base, driver
    driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument",
                           {"identifier": script["identifier"]})


@pytest.mark.parametrize("page", PAGES)
def test_the_page_runs_with_no_csp_violation(recording, page):
    base, driver = recording
    visit = pages.visit(driver, base + PAGES[page])
    policy = driver.execute_script(
        "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); return "
        "m && m.content")
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
    driver.execute_async_script("const done = arguments[arguments.length - 1]; setTimeout(done, "
                                "500);")
    assert driver.execute_script("return window.__injected") is None
    assert driver.execute_script("return window.__handler") is None
    blocked = driver.execute_script("return window.__cspViolations")
    assert [v["directive"] for v in blocked] == ["script-src-elem", "script-src-attr"], blocked
    assert blocked[0]["blocked"] == "inline"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_preview_still_live_reloads(browsing):
    """`make serve` injects a live-reload script as it serves each page, at
    the top of the head: ahead of the policy's <meta>, so it loads and
    connects, and nothing is violated."""
    import os
    import signal
    import subprocess
    import time
    import urllib.request

    _, driver = browsing
    port, reload_port = free_port(), free_port()
    serve = subprocess.Popen(["make", "--no-print-directory", "serve", f"SERVE_PORT={port}",
                              f"LIVERELOAD_PORT={reload_port}"], cwd=pages.SOURCE,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/{pages.POST_URL}"
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert serve.poll() is None, serve.stdout.read()
                time.sleep(0.5)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": RECORD_VIOLATIONS})
        driver.get(url)
        driver.set_script_timeout(20)
        connected = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const t0 = Date.now();
            (function wait() {
                if (window.LiveReload && window.LiveReload.connector
                    && window.LiveReload.connector._connectionDesired
                    && window.LiveReload.connector.protocol) return done(true);
                if (Date.now() - t0 > 15000) return done(!!window.LiveReload);
                setTimeout(wait, 200);
            })();""")
        assert connected, "livereload.js did not load"
        assert driver.execute_script("return window.__cspViolations") == []
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
