"""No accessibility violation found by axe-core (npm's pinned axe-core, injected
into the page) on the home page, the post and the tabs, in light and in dark mode."""
import pytest

import pages
import sitebrowser as browser
from figures_src.util import paths

pytestmark = pytest.mark.browser

AXE = paths.REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {"home": "", "post": pages.POST_URL, "about": "about/", "archives": "archives/",
         "categories": "categories/", "tags": "tags/"}


def axe_violations(driver) -> list[dict]:
    """axe-core's violations on the page the driver shows: rule, impact, where."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} not found: run 'make npm-assets'")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(
            r => done(r.violations.map(v => ({
                rule: v.id, impact: v.impact,
                where: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))),
            e => done([{rule: 'axe failed', impact: String(e), where: []}]));
    """)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_no_axe_violations(browsing, page, scheme):
    base, driver = browsing
    browser.set_color_scheme(driver, scheme)
    try:
        driver.get(base + PAGES[page])
        browser.wait_until_quiet(driver)
        assert pages.shown_mode(driver) == scheme
        violations = axe_violations(driver)
    finally:
        browser.set_color_scheme(driver, "light")
    assert violations == []


def test_axe_reports_a_violation(browsing):
    base, driver = browsing
    driver.get(base + "404.html")
    browser.wait_until_quiet(driver)
    driver.execute_script("document.body.insertAdjacentHTML('beforeend', '<img src=\"x.png\">')")
    assert "image-alt" in {v["rule"] for v in axe_violations(driver)}
