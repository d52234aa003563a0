"""The figure tags (_plugins/figure_tags.rb): {% figure %} makes a manifest
entry Chirpy's light/dark image pair with its caption (math rendered), under
any baseurl; {% fact %} and {% explorer %} read the same manifest; anything
missing stops the build naming the post, the line and the fix. Built in a
throwaway copy of the site with a fake manifest (the real _data/figures/
belongs to the figures pipeline)."""
import pytest

from sitecheck import jekyll_build, make_site, normalize_space, post_body, read_page

FACTS = {  # tag -> what it shows
    "{% fact fake-figure slope %}": "0.123456",
    "{% fact fake-figure slope digits=2 %}": "0.12",
    "{% fact fake-figure slope as=percent digits=1 %}": "12.3%",
    "{% fact fake-figure slope as=times digits=0 %}": "0×",
    "{% fact fake-figure tiny as=sci digits=1 %}": "2.4 × 10−6",
    "{% fact fake-figure big as=millions digits=1 %}": "63.1 million",
    "{% fact fake-figure word %}": "animal",
}
FAKE = {
    "name": "fake-figure",
    "alt": "Loss [falls] as the model trains",
    "caption": "The loss over $$t$$ steps, see [the about page](/about/).",
    "facts": {"slope": 0.123456, "tiny": 2.39e-06, "big": 63123456, "word": "animal"},
    "outputs": {
        "light": {"path": "/assets/img/posts/test/fake-figure-light.svg", "width": 640,
                  "height": 360},
        "dark": {"path": "/assets/img/posts/test/fake-figure-dark.svg", "width": 640,
                 "height": 360},
        "data": {"path": "/assets/img/posts/test/fake-figure.json"},
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    where = tmp_path_factory.mktemp("figure-include")
    site = make_site(where, "{% figure fake-figure %}\n\n" + " ".join(FACTS) +
                     '\n\n{% explorer fake-figure title="It\'s <here>" %}\n', {"fake-figure": FAKE})
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
    caption = next((em for em in post_body(built).find_all("em")
                    if "The loss over" in em.get_text()), None)
    assert caption is not None, "no italic caption line"
    assert "[" not in normalize_space(caption.get_text()), \
        "the caption's markdown link was not rendered"
    about = [a["href"] for a in caption.find_all("a") if a.get("href", "").endswith("/about/")]
    assert about, "the caption's markdown link was not rendered"


def test_math_in_a_caption_is_rendered_with_mathml(built):
    caption = next(em for em in post_body(built).find_all("em") if "The loss over" in em.get_text())
    formulas = caption.select(".katex")
    assert len(formulas) == 1 and "$$" not in caption.get_text()
    assert formulas[0].select_one("math annotation").get_text() == "t"
    assert built.select_one('link[href="/sub/assets/lib/katex/katex.min.css"]') is not None


def test_facts_show_each_format_and_keep_the_raw_value(built):
    spans = built.select("span.fact")
    assert [normalize_space(span.get_text()) for span in spans] == list(FACTS.values())
    assert all(span["data-figure"] == "fake-figure" for span in spans)
    assert [span["data-value"] for span in spans] == [str(FAKE["facts"][span["data-key"]])
                                                      for span in spans]
    assert spans[4].sup is not None, "the exponent is a superscript"


def test_the_explorer_points_at_the_data_under_the_baseurl(built):
    explorer = built.select_one("div.attention-explorer#explorer-fake-figure")
    assert explorer["data-src"] == "/sub/assets/img/posts/test/fake-figure.json"
    assert explorer["data-title"] == "It's <here>" and explorer.has_attr("hidden")


@pytest.mark.parametrize("embed, says", [
    ("{% figure no-such-figure %}", 'no figure "no-such-figure": known figures: fake-figure; '
                                    "or run make figure-no-such-figure if its module exists"),
    ("{% fact fake-figure slpoe %}",
     "the post quotes fake-figure.slpoe; fake-figure computes: big, slope, tiny, word"),
    ("{% fact fake-figure slope as=percnt %}",
     "as=percnt: use one of percent, sci, times, millions"),
    ("{% figure %}", "write {% figure NAME %}"),
    ("{% explorer other %}", 'the figure "other" exports no data'),
])
def test_a_wrong_embed_stops_the_build_naming_the_post_line_and_fix(tmp_path, embed, says):
    other = {**FAKE, "name": "other",
             "outputs": {k: v for k, v in FAKE["outputs"].items() if k != "data"}}
    site = make_site(tmp_path, embed, {"fake-figure": FAKE, "other": other} if "other" in embed
                     else {"fake-figure": FAKE})
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode != 0
    # make_site's post: 4 lines of front matter, a blank line, "Before.", a blank line, the embed
    assert f"_posts/2023-05-20-figure-test.md:8: {says}" in result.stdout + result.stderr, \
        result.stdout + result.stderr


def test_the_caption_links_to_the_module_when_source_url_is_set(tmp_path):
    site = make_site(tmp_path, "{% figure fake-figure %}",
                     {"fake-figure": {**FAKE, "module": "figures_src/x.py"}})
    config = tmp_path / "source.yml"
    config.write_text("source_url: https://example.org/repo/blob/abc\n")
    result = jekyll_build(site, tmp_path / "out", "--config", f"{site / '_config.yml'},{config}")
    assert result.returncode == 0, result.stdout + result.stderr
    page = read_page(tmp_path / "out" / "posts" / "figure-test" / "index.html")
    made = [a for a in post_body(page).select("em a") if a.get_text() == "how it is made"]
    assert [a["href"] for a in made] == ["https://example.org/repo/blob/abc/figures_src/x.py"]


def test_without_source_url_the_caption_has_no_link(built):
    assert not [a for a in post_body(built).select("em a") if a.get_text() == "how it is made"]
