"""The production build: html-proofer passes, and html-proofer really checks."""
from sitecheck import htmlproofer


def test_htmlproofer_passes_on_the_built_site(site):
    result = htmlproofer(site)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "HTML-Proofer finished successfully" in report
    # A checker that silently checks nothing also "passes" (async 2.24 on Ruby
    # 3.1 did that): the post alone has dozens of internal links.
    checked = int(report.split("Checking ")[1].split(" internal links")[0])
    assert checked > 20, report


def test_htmlproofer_reports_a_broken_link(tmp_path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><body><a href="/no-such-page/">x</a>'
        '<img src="/no-such-image.png" alt="x"></body></html>')
    result = htmlproofer(tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode != 0
    assert "/no-such-page/" in report and "/no-such-image.png" in report
