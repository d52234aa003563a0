"""The production build (_site, made by `make build`) served on 127.0.0.1 and
one headless Chromium per test module (sitebrowser.py; the benchmark drives
the browser the same way).

BROWSER_TEST_SOURCE=<dir> (a copy of the repository) and BROWSER_TEST_SITE=<dir>
(its build, default <source>/_site) point the tests at another site, e.g. to
try a post with figures before it is committed."""
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the helpers beside this file, whatever pytest's import mode
    sys.path.insert(0, str(HERE))

import sitebrowser as browser  # noqa: E402
import pages  # noqa: E402
from figures_src.util import paths  # noqa: E402

SCREENSHOTS = paths.BUILD_DIR / "screenshots"


@pytest.fixture(scope="session")
def built_site() -> Path:
    site = pages.SITE
    if not (site / "index.html").is_file():
        pytest.fail(f"no built site in {site}: run 'make build' first (make test does)")
    return site


@pytest.fixture(scope="module")
def browsing(built_site):
    """(base URL, driver): one browser session for the module."""
    reason = browser.missing_browser()
    if reason:
        pytest.fail(reason)
    with browser.serve(built_site) as base, browser.chromium() as driver:
        yield base, driver


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
