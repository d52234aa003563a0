"""Debian's headless Chromium on a built site served from 127.0.0.1, with
Chromium's network log on (tests/browser/netlog.py reads it). Used by the
browser tests and by the benchmark (tools/bench)."""
from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = "sudo apt-get install chromium chromium-driver python3-selenium"


def missing_browser() -> str | None:
    """Why the browser cannot run here, or None."""
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not Path(tool).exists():
            return f"{tool} not found: run '{INSTALL}'"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return f"selenium not importable: run '{INSTALL}'"
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve `directory` on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900):
    """A headless Chromium that logs network requests. Names other than
    127.0.0.1 resolve nowhere, so a request to another host fails at once
    (and is still logged)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--hide-scrollbars", f"--window-size={width},{height}",
                 f"--user-data-dir={profile}",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_color_scheme(driver, scheme: str):
    """Make the page see `prefers-color-scheme: light|dark` (Chirpy follows it)."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def wait_until_quiet(driver, timeout: float = 20):
    """Wait for the page's load, its scripts (which start after the first
    paint: _includes/scripts-after-paint.html) and its web fonts."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(
        "return !document.getElementById('scripts-after-paint')"
        " || document.documentElement.dataset.scripts === 'loaded'"))
    driver.set_script_timeout(timeout)
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        document.fonts.ready.then(() => setTimeout(done, 300), () => done());
    """)
