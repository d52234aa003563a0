"""The built site, shared by the site tests: built once per session, in
production mode, into build/test-site (the same way `make build` builds _site),
and the post as parsed HTML."""
import shutil
import sys
from pathlib import Path

import pytest

# The helpers beside this file (sitecheck), whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitecheck import POST_URL, ROOT, jekyll_build, read_page  # noqa: E402


@pytest.fixture(scope="session")
def site():
    destination = ROOT / "build" / "test-site"
    shutil.rmtree(destination, ignore_errors=True)
    result = jekyll_build(ROOT, destination)
    assert result.returncode == 0, f"jekyll build failed:\n{result.stdout}\n{result.stderr}"
    return destination


@pytest.fixture(scope="session")
def post(site):
    """The built post, parsed (BeautifulSoup)."""
    return read_page(site / POST_URL / "index.html")
