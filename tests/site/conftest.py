"""The built site, shared by the site tests: built once per session, in
production mode, into build/test-site (the same way `make build` builds _site)."""
import shutil

import pytest

from sitecheck import ROOT, jekyll_build


@pytest.fixture(scope="session")
def site():
    destination = ROOT / "build" / "test-site"
    shutil.rmtree(destination, ignore_errors=True)
    result = jekyll_build(ROOT, destination)
    assert result.returncode == 0, f"jekyll build failed:\n{result.stdout}\n{result.stderr}"
    return destination
