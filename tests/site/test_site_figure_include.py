"""_includes/figure.md: a manifest entry becomes Chirpy's light/dark image pair
with its caption (math rendered), under any baseurl; a missing entry stops the
build, naming the figure. Built in a throwaway copy of the site with a fake manifest (the
real _data/figures/ belongs to the figures pipeline)."""
import pytest

from sitecheck import jekyll_build, make_site, normalize_space, post_body, read_page

FAKE = {
    "name": "fake-figure",
    "alt": "Loss [falls] as the model trains",
    "caption": "The loss over $$t$$ steps, see [the about page](/about/).",
    "outputs": {
        "light": {"path": "/assets/img/posts/test/fake-figure-light.svg", "width": 640, "height": 360},
        "dark": {"path": "/assets/img/posts/test/fake-figure-dark.svg", "width": 640, "height": 360},
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    where = tmp_path_factory.mktemp("figure-include")
    site = make_site(where, '{% include figure.md name="fake-figure" %}', {"fake-figure": FAKE})
    result = jekyll_build(site, where / "out", "--baseurl", "/sub")
    assert result.returncode == 0, result.stdout + result.stderr
    return read_page(where / "out" / "posts" / "figure-test" / "index.html")


def test_light_and_dark_images_with_size_and_alt(built):
    images = post_body(built).find_all("img")
    assert [i["src"] for i in images] == ["/sub/assets/img/posts/test/fake-figure-light.svg",
                                          "/sub/assets/img/posts/test/fake-figure-dark.svg"]
    assert all(i["alt"] == FAKE["alt"] for i in images)
    assert all((i["width"], i["height"]) == ("640", "360") for i in images)
    links = [a["class"] for a in built.select("a.img-link")]
    assert ["light" in c for c in links] == [True, False]
    assert ["dark" in c for c in links] == [False, True]


def test_caption_is_rendered_markdown_in_italics(built):
    caption = next((em for em in post_body(built).find_all("em") if "The loss over" in em.get_text()), None)
    assert caption is not None, "no italic caption line"
    assert "[" not in normalize_space(caption.get_text()), "the caption's markdown link was not rendered"
    about = [a["href"] for a in caption.find_all("a") if a.get("href", "").endswith("/about/")]
    assert about, "the caption's markdown link was not rendered"


def test_math_in_a_caption_is_rendered_with_mathml(built):
    caption = next(em for em in post_body(built).find_all("em") if "The loss over" in em.get_text())
    formulas = caption.select(".katex")
    assert len(formulas) == 1 and "$$" not in caption.get_text()
    assert formulas[0].select_one("math annotation").get_text() == "t"
    assert built.select_one('link[href="/sub/assets/lib/katex/katex.min.css"]') is not None


def test_a_missing_manifest_stops_the_build_naming_the_figure(tmp_path):
    site = make_site(tmp_path, '{% include figure.md name="no-such-figure" %}', {"fake-figure": FAKE})
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode != 0
    assert 'no complete manifest for the figure "no-such-figure"' in result.stdout + result.stderr
