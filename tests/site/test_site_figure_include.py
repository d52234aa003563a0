"""_includes/figure.md: a manifest entry becomes Chirpy's light/dark image pair
with its caption, under any baseurl; a missing entry stops the build, naming
the figure. Built in a throwaway copy of the site with a fake manifest (the
real _data/figures/ belongs to the figures pipeline)."""
import shutil

import pytest
import yaml

from sitecheck import ROOT, jekyll_build, read_page

FAKE = {
    "name": "fake-figure",
    "alt": "Loss [falls] as the model trains",
    "caption": "The loss over $$t$$ steps, see [the about page](/about/).",
    "outputs": {
        "light": {"path": "/assets/img/posts/test/fake-figure-light.svg", "width": 640, "height": 360},
        "dark": {"path": "/assets/img/posts/test/fake-figure-dark.svg", "width": 640, "height": 360},
    },
}


def make_site(where, body):
    """A copy of the site's own config, tabs, data and includes, with one post."""
    site = where / "src"
    site.mkdir()
    for name in ("_config.yml", "index.html"):
        shutil.copy(ROOT / name, site / name)
    for name in ("_tabs", "_data", "_includes"):
        shutil.copytree(ROOT / name, site / name)
    (site / "_data" / "figures").mkdir(exist_ok=True)
    (site / "_data" / "figures" / "fake-figure.yml").write_text(yaml.safe_dump(FAKE))
    images = site / "assets" / "img" / "posts" / "test"
    images.mkdir(parents=True)
    for variant in ("light", "dark"):
        shutil.copy(ROOT / "assets" / "img" / "avatar.svg", images / f"fake-figure-{variant}.svg")
    (site / "_posts").mkdir()
    (site / "_posts" / "2023-05-20-figure-test.md").write_text(
        f"---\ntitle: Figure test\ndate: 2023-05-20\n---\n\nBefore.\n\n{body}\n\nAfter.\n")
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    where = tmp_path_factory.mktemp("figure-include")
    site = make_site(where, '{% include figure.md name="fake-figure" %}')
    result = jekyll_build(site, where / "out", "--baseurl", "/sub")
    assert result.returncode == 0, result.stdout + result.stderr
    return read_page(where / "out" / "posts" / "figure-test" / "index.html")


def test_light_and_dark_images_with_size_and_alt(built):
    images = [e.attrs for e in built.elements if e.tag == "img" and e.inside_content]
    assert [i["src"] for i in images] == ["/sub/assets/img/posts/test/fake-figure-light.svg",
                                          "/sub/assets/img/posts/test/fake-figure-dark.svg"]
    assert all(i["alt"] == FAKE["alt"] for i in images)
    assert all((i["width"], i["height"]) == ("640", "360") for i in images)
    links = [e.attrs["class"].split() for e in built.elements
             if e.tag == "a" and "img-link" in e.attrs.get("class", "")]
    assert ["light" in c for c in links] == [True, False]
    assert ["dark" in c for c in links] == [False, True]


def test_caption_is_rendered_markdown_in_italics(built):
    captions = [e for e in built.elements if e.tag == "em" and e.inside_content]
    assert captions, "no italic caption line"
    paragraph = next(text for tag, text in built.content_blocks if "The loss over" in text)
    assert "the about page" in paragraph and "[" not in paragraph.replace("Loss [falls]", "")
    about = [e.attrs["href"] for e in built.elements if e.tag == "a" and e.inside_content
             and e.attrs.get("href", "").endswith("/about/")]
    assert about, "the caption's markdown link was not rendered"


def test_a_missing_manifest_stops_the_build_naming_the_figure(tmp_path):
    site = make_site(tmp_path, '{% include figure.md name="no-such-figure" %}')
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode != 0
    assert 'no complete manifest for the figure "no-such-figure"' in result.stdout + result.stderr
