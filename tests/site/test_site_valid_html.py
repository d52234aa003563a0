"""Every page of the built site is valid HTML for the W3C Nu validator (npm's
vnu-jar, on Debian's Java): one Java run over all pages, with a page broken on
purpose among them, to show that the validator really reports errors."""
import json
import shutil
import subprocess

import pytest

from sitecheck import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BROKEN = ('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><div>'
          '<figcaption>x</figcaption></div>')


@pytest.fixture(scope="module")
def report(site, tmp_path_factory):
    java = shutil.which("java")
    if not java:
        pytest.fail("java not found: run 'sudo apt-get install default-jre-headless'")
    if not VNU.is_file():
        pytest.fail(f"{VNU} not found: run 'make npm-assets'")
    broken = tmp_path_factory.mktemp("vnu") / "broken.html"
    broken.write_text(BROKEN)
    pages = sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)
    assert len(pages) >= 10, pages
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json",
                             *map(str, pages), str(broken)], capture_output=True, text=True,
                            timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    for message in messages:  # vnu names a file file:/path
        message["file"] = message["url"].removeprefix("file:")
    return {"broken": str(broken), "site": str(site), "messages": messages}


def test_every_page_of_the_site_is_valid(report):
    errors = [f"{m['file'].removeprefix(report['site'])}: {m['message']} [{m.get('extract', '')}]"
              for m in report["messages"] if m["file"] != report["broken"]]
    assert errors == []


def test_the_validator_reports_a_broken_page(report):
    errors = [m["message"] for m in report["messages"] if m["file"] == report["broken"]]
    assert any("figcaption" in e for e in errors), errors
