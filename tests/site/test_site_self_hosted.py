"""Self-hosting is real: the site loads nothing from another host, and every
library in _data/origin/basic.yml is in the built site."""
import re
from urllib.parse import urlsplit

import yaml

from sitecheck import ROOT, after_paint_scripts, parse_html, read_page

# <link rel=...> values that make the browser fetch something.
FETCHING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
                 "prefetch", "preconnect", "dns-prefetch", "manifest", "mask-icon"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


def is_foreign(url: str) -> bool:
    """Does this URL point at another host? (data: and relative URLs do not.)"""
    url = url.strip()
    if url.startswith("data:") or url.startswith("#"):
        return False
    parts = urlsplit(url)
    return bool(parts.netloc) or url.startswith("//")


def loads_of(page):
    """Every URL the page makes the browser fetch, as written in the HTML."""
    for element in page.find_all(True):
        attrs = element.attrs
        if element.name == "link" and FETCHING_RELS & {r.lower() for r in attrs.get("rel", [])}:
            yield attrs.get("href", "")
        if element.name in ("script", "img", "iframe", "source", "audio", "video", "embed",
                            "track"):
            yield attrs.get("src", "")
        for candidate in attrs.get("srcset", "").split(","):
            if candidate.strip():
                yield candidate.split()[0]
        if element.name == "video":
            yield attrs.get("poster", "")
        if element.name == "object":
            yield attrs.get("data", "")
        yield from css_urls(attrs.get("style", ""))
    for style in page.find_all("style"):
        yield from css_urls(style.get_text())
    yield from after_paint_scripts(page)


def css_urls(css: str):
    for match in CSS_URL.finditer(css):
        yield match.group(1) or match.group(2)


def test_no_page_loads_from_another_host(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    foreign = {f"{p.relative_to(site)}: {url}" for p in pages
               for url in loads_of(read_page(p)) if url and is_foreign(url)}
    assert not foreign, sorted(foreign)


def test_no_stylesheet_loads_from_another_host(site):
    sheets = sorted(site.rglob("*.css"))
    assert any(s.name == "all.min.css" for s in sheets)  # Font Awesome's, with its fonts
    foreign = {f"{s.relative_to(site)}: {url}" for s in sheets
               for url in css_urls(s.read_text(encoding="utf-8", errors="replace"))
               if is_foreign(url)}
    assert not foreign, sorted(foreign)


def test_the_scan_sees_a_foreign_load():
    page = parse_html('<link rel="stylesheet" href="https://cdn.example/x.css">'
                      '<div style="background: url(//cdn.example/a.png)"></div>'
                      '<img src="/a.png" srcset="/a-600.png 600w, https://cdn.example/b.png 1200w" '
                      'alt=""><style>@import "https://cdn.example/y.css";</style>'
                      '<script src="/assets/ok.js"></script>'
                      '<script type="application/json" id="scripts-after-paint-urls">'
                      '["/a.js","https://cdn.example/z.js"]</script>'
                      '<script id="scripts-after-paint">(function () {})();</script>')
    urls = [u for u in loads_of(page) if is_foreign(u)]
    assert urls == ["https://cdn.example/x.css", "//cdn.example/a.png", "https://cdn.example/b.png",
                    "https://cdn.example/y.css", "https://cdn.example/z.js"]


def origin_paths(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from origin_paths(value)
    elif isinstance(node, str):
        yield node


def test_every_self_hosted_library_is_in_the_site(site):
    mapping = yaml.safe_load((ROOT / "_data" / "origin" / "basic.yml").read_text())
    paths = [p.replace(":LOCALE", "en") for p in origin_paths(mapping)]
    assert len(paths) >= 12
    missing = [p for p in paths if not (site / p.lstrip("/")).is_file()]
    assert not missing, f"not in the built site (run `make npm-assets`): {missing}"


def test_the_post_loads_the_self_hosted_libraries(post):
    loaded = set(loads_of(post))
    for library in ("/assets/lib/katex/katex.min.css", "/assets/lib/fonts/main.css",
                    "/assets/lib/fontawesome-free/css/all.min.css",
                    "/assets/lib/tocbot/tocbot.min.js"):
        assert library in loaded, f"the post does not load {library}"


def test_every_named_source_map_is_there(site):
    # Browsers' developer tools (and Lighthouse) fetch the map a file names;
    # tools/lay-assets copies it or drops the comment.
    missing = []
    for path in sorted((site / "assets").rglob("*")):
        if path.suffix not in (".js", ".css") or not path.is_file():
            continue
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            if not name.startswith("data:") and not (path.parent / name).is_file():
                missing.append(f"{path.relative_to(site)} -> {name}")
    assert missing == []
