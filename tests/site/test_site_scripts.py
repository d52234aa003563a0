"""Scripts after the first paint (_includes/js-selector.html lists them,
_includes/scripts-after-paint.html loads them): no deferred
script is left in the HTML, one loader lists them (each a file of the site,
libraries before the Chirpy script that uses them), no inline script still
waits for DOMContentLoaded, the theme script stays where it runs before the
first paint, and search fetches its index only when the reader asks
(_includes/search-loader.html)."""
from urllib.parse import urlsplit

import pytest

from sitecheck import after_paint_scripts, read_page

# Chirpy's post script needs these libraries to have run first.
POST_NEEDS = ("dayjs.min.js", "tocbot.min.js", "glightbox.min.js", "clipboard.min.js")


@pytest.fixture(scope="module")
def parsed(site):
    pages = {p.relative_to(site).as_posix(): read_page(p) for p in sorted(site.rglob("*.html"))
             if "assets" not in p.parts}
    assert len(pages) >= 5
    return pages


def test_no_page_defers_a_script_and_each_has_one_loader(parsed):
    for name, page in parsed.items():
        assert page.select("script[defer]") == [], f"{name}: a deferred script is left"
        assert len(page.select("script#scripts-after-paint")) == 1, f"{name}: no loader"


def test_the_loader_lists_files_of_the_site_libraries_first(site, parsed):
    post = after_paint_scripts(parsed["posts/give-me-attention/index.html"])
    names = [urlsplit(u).path.rsplit("/", 1)[-1] for u in post]
    assert "post.min.js" in names and "attention-explorer.js" in names
    assert all(names.index(lib) < names.index("post.min.js") for lib in POST_NEEDS), names
    for name, page in parsed.items():
        for url in after_paint_scripts(page):
            assert (site / urlsplit(url).path.lstrip("/")).is_file(), \
                f"{name}: {url} is not in the site"


def test_no_inline_script_waits_for_the_dom_and_search_waits_for_the_scripts(parsed):
    for name, page in parsed.items():
        inline = [s.get_text() for s in page.find_all("script", src=False)]
        assert not any("DOMContentLoaded" in s
                       for s in inline), f"{name}: an inline script waits for the DOM"
        assert any("addEventListener('scripts-loaded'" in s and "searchOnDemand({" in s
                   for s in inline), name


def test_search_starts_its_index_only_on_demand(parsed):
    for name, page in parsed.items():
        setup = [s.get_text() for s in page.find_all("script", src=False)
                 if "searchInput" in s.get_text()]
        assert len(setup) == 1, f"{name}: Chirpy's search set-up not found"
        assert ("function searchOnDemand(" in setup[0]
                and "SimpleJekyllSearch({" not in setup[0]), name


def test_the_theme_script_still_runs_before_the_first_paint(parsed):
    for name, page in parsed.items():
        theme = page.select('head script[src$="/theme.min.js"]')
        assert len(theme) == 1 and not theme[0].has_attr("async"), name
