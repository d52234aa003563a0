"""What the site mends in Chirpy 7.6's HTML, checked on the built site:
readers may zoom, every link has a name, and the theme's markup that the W3C
validator rejects is fixed, in _includes/ and _layouts/ overrides (head.html,
notification.html, post-nav.html, toc.html, sidebar.html, post.html) or by the
Nokogiri pass of _plugins/chirpy_markup.rb (dates, heading anchors, code
tables). Each check also makes sure the markup it is about is there, so a
theme update that changes it fails here."""
from datetime import datetime, timezone

import pytest

from sitecheck import parse_html, read_page


def html_pages(site):
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)


@pytest.fixture(scope="module")
def parsed(site):
    found = {page.relative_to(site).as_posix(): read_page(page) for page in html_pages(site)}
    assert len(found) >= 5, "expected the home page, the post and the tabs"
    return found


def accessible_name(link) -> str:
    """A link's name: aria-label, title, its text, or the alt of an image in it."""
    return " ".join(filter(None,
                           [link.get("aria-label", ""), link.get("title", ""), link.get_text(),
                            *(img.get("alt", "") for img in link.find_all("img"))])).strip()


def nameless_links(page) -> list[str]:
    return [a["href"] for a in page.find_all("a", href=True) if not accessible_name(a)]


def test_readers_may_zoom(parsed):
    for page, html in parsed.items():
        viewport = [m.get("content", "") for m in html.find_all("meta", attrs={"name": "viewport"})]
        assert viewport, f"{page}: no viewport meta"
        assert all("user-scalable=no" not in c and "maximum-scale=1" not in c for c in viewport), \
            f"{page}: zooming is switched off"


def test_every_link_has_a_name(parsed):
    assert {page: nameless_links(html) for page, html in parsed.items()
            if nameless_links(html)} == {}


def test_the_name_check_catches_an_icon_only_link():
    page = parse_html('<a href="#x" class="anchor"><i class="fas fa-hashtag"></i></a>'
                      '<a href="/"><img src="a.png" alt="Home"></a>')
    assert nameless_links(page) == ["#x"]


def test_the_notification_is_an_alert_but_no_aside(parsed):
    for page, html in parsed.items():
        assert html.select("aside[role=alert]") == [], page
        assert html.select("#notification[role=alert]"), f"{page}: Chirpy's notification is gone"


def test_every_date_has_a_machine_readable_datetime(parsed):
    dates = [time for html in parsed.values() for time in html.select("time[data-ts]")]
    assert len(dates) >= len(parsed) // 2, "Chirpy's dates (time[data-ts]) are gone"
    for time in dates:
        expected = datetime.fromtimestamp(int(time["data-ts"]),
                                          timezone.utc).isoformat().replace("+00:00", "Z")
        assert time.get("datetime") == expected


def test_disabled_post_navigation_is_a_named_disabled_link(parsed):
    post = next(html for page, html in parsed.items() if page.startswith("posts/"))
    disabled = post.select("div.btn.disabled[aria-label]")
    assert disabled, "the post's disabled Older/Newer buttons are gone"
    assert all(d.get("role") == "link" and d.get("aria-disabled") == "true" for d in disabled)


def test_code_with_line_numbers_is_a_table_outside_code_and_still_copyable(parsed):
    tables = [t for html in parsed.values() for t in html.select("table.rouge-table")]
    assert tables, "no code block with line numbers in the site"
    for table in tables:
        assert table.find_parent("code") is None
        # Chirpy's copy button copies `code .rouge-code` of the block it sits on.
        assert len(table.select("code .rouge-code")) == 1


def test_the_preview_image_caption_is_in_a_figure(post):
    caption = post.select_one("figcaption")
    assert caption is not None and caption.parent.name == "figure"
    assert caption.parent.select_one("img.preview-img, .preview-img img") is not None


def test_every_navigation_landmark_has_a_name(parsed):
    for page, html in parsed.items():
        navs = html.find_all("nav")
        assert len(navs) >= 1, f"{page}: Chirpy's sidebar menu is gone"
        assert [nav for nav in navs if not nav.get("aria-label")] == [], page


def test_a_fix_whose_markup_is_gone_stops_the_build(tmp_path):
    """_plugins/chirpy_markup.rb: if the theme stops writing what a rule fixes
    (here, a datetime.html without data-ts), the build fails naming the rule."""
    from sitecheck import jekyll_build, make_site

    site = make_site(tmp_path, "Some text.", {})
    (site / "_includes").mkdir(exist_ok=True)
    (site / "_includes" / "datetime.html").write_text("<time>{{ include.date | date: '%b %e, %Y' "
                                                      "}}</time>")
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode != 0
    assert ("chirpy_markup: _posts/2023-05-20-figure-test.md: no dates "
            "(`time[data-ts]:not([datetime])`)" in result.stdout + result.stderr), \
        result.stdout + result.stderr
