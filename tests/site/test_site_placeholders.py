"""No placeholder reaches a page: with no author configured (_config.yml
social.name empty) posts have no byline and the footer and the feed name the
site; with one, they name the author (_layouts/post.html, _includes/footer.html
and assets/feed.xml override Chirpy's)."""
import pytest

from sitecheck import POST_URL, ROOT, jekyll_build, normalize_space, read_page

PLACEHOLDERS = ("Your Name", "username")
TEXT = {".html", ".xml", ".json", ".js", ".txt", ".webmanifest"}


def placeholders_in(site):
    found = []
    for path in sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT):
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(site)}: {word}" for word in PLACEHOLDERS if word in text]
    return found


def test_no_page_nor_the_feed_has_a_placeholder(site):
    assert (site / "feed.xml").is_file() and len(list(site.rglob("*.html"))) >= 5
    assert placeholders_in(site) == []


def test_the_check_finds_a_placeholder(tmp_path):
    (tmp_path / "feed.xml").write_text("<feed><author><name>Your Name</name></author></feed>")
    assert placeholders_in(tmp_path) == ["feed.xml: Your Name"]


def test_without_an_author_no_byline_and_the_footer_names_the_site(site, post):
    title = __import__("yaml").safe_load(
        (ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    assert "By" not in normalize_space(post.select_one("article header").get_text()).split()
    assert title in normalize_space(post.select_one("footer").get_text())
    assert f"<name>{title}</name>" in (site / "feed.xml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def with_author(tmp_path_factory):
    where = tmp_path_factory.mktemp("author")
    config = where / "author.yml"
    config.write_text("social:\n  name: Ada Lovelace\n  links:\n    - https://example.org/ada\n")
    result = jekyll_build(ROOT, where / "out", "--config", f"{ROOT / '_config.yml'},{config}")
    assert result.returncode == 0, result.stdout + result.stderr
    return where / "out"


def test_with_an_author_the_byline_footer_and_feed_name_them(with_author):
    page = read_page(with_author / POST_URL / "index.html")
    byline = [a for a in page.select("article header a") if a.get_text() == "Ada Lovelace"]
    assert byline and byline[0]["href"] == "https://example.org/ada"
    assert "By Ada Lovelace" in normalize_space(page.select_one("article header").get_text())
    assert page.select_one('footer a[href="https://example.org/ada"]').get_text() == "Ada Lovelace"
    assert "<name>Ada Lovelace</name>" in (with_author / "feed.xml").read_text(encoding="utf-8")
