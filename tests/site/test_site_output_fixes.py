"""What _plugins/chirpy_output_fixes.rb mends in Chirpy 7.6's HTML: readers may
zoom, and every link has a name."""
from html.parser import HTMLParser

import pytest


class _Links(HTMLParser):
    """Each <a>'s accessible name: its text, aria-label, title, or an image's alt."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.nameless, self.viewport = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "viewport":
            self.viewport.append(attrs.get("content", ""))
        if tag == "a" and attrs.get("href") is not None:
            label = (attrs.get("aria-label") or attrs.get("title") or "").strip()
            self.open.append([attrs["href"], label])
        elif tag == "img" and self.open:
            self.open[-1][1] += (attrs.get("alt") or "").strip()

    def handle_data(self, data):
        if self.open:
            self.open[-1][1] += data.strip()

    def handle_endtag(self, tag):
        if tag == "a" and self.open:
            href, name = self.open.pop()
            if not name:
                self.nameless.append(href)


def pages(site):
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)


@pytest.fixture(scope="module")
def parsed(site):
    found = {}
    for page in pages(site):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        found[page.relative_to(site).as_posix()] = parser
    assert len(found) >= 5, "expected the home page, the post and the tabs"
    return found


def test_readers_may_zoom(parsed):
    for page, parser in parsed.items():
        assert parser.viewport, f"{page}: no viewport meta"
        assert all("user-scalable=no" not in c and "maximum-scale=1" not in c
                   for c in parser.viewport), f"{page}: zooming is switched off"


def test_every_link_has_a_name(parsed):
    nameless = {page: p.nameless for page, p in parsed.items() if p.nameless}
    assert nameless == {}


def test_the_name_check_catches_an_icon_only_link():
    parser = _Links()
    parser.feed('<a href="#x" class="anchor"><i class="fas fa-hashtag"></i></a>'
                '<a href="/"><img src="a.png" alt="Home"></a>')
    assert parser.nameless == ["#x"]

