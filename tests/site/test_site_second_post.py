"""A blog of many posts: a second post with a new figure of its own (the figure
contract's example), end to end, in a copy of the project, through the same
make targets an author runs (README, "Starting a new post with figures")."""
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from sitecheck import ROOT, copy_project, make, read_page

SLUG = "second-post"


def contract_example() -> str:
    """The example figure module of the figure contract (figures_src/figures/__init__.py),
    so the documented example is the one proven to work end to end."""
    import textwrap

    import figures_src.figures as contract
    doc = contract.__doc__
    heading = "Example\n-------\n"
    example = doc[doc.index(heading) + len(heading):doc.index("\nBuild and check")]
    return textwrap.dedent(example).strip() + "\n"


POST = """---
title: A second post
date: 2024-01-02
categories: [Machine Learning]
tags: [demo]
---

Sine waves, computed:

{% figure sine-demo %}

The slowest one repeats every {% fact sine-demo period %} positions.
"""


def digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    """The project copied, with a second post and its figure written as the README says."""
    project = copy_project(tmp_path_factory.mktemp("blog"))
    shutil.copytree(ROOT / "figures_src", project / "figures_src",
                    ignore=shutil.ignore_patterns("__pycache__"))
    folder = project / "figures_src" / "figures" / SLUG.replace("-", "_")
    folder.mkdir()
    (folder / "__init__.py").write_text('"""The second post\'s figures."""\n')
    (folder / "sine_demo.py").write_text(contract_example())
    (project / "_posts" / f"2024-01-02-{SLUG}.md").write_text(POST)
    figure = make(project, "figure-sine-demo")
    assert figure.returncode == 0, figure.stdout
    build = make(project, "build")
    assert build.returncode == 0, build.stdout
    return project


def test_the_new_figure_lands_in_its_posts_folder(blog):
    images = blog / "assets" / "img" / "posts" / SLUG
    assert sorted(p.name for p in images.iterdir()) == ["sine-demo-dark.svg", "sine-demo-light.svg"]
    manifest = yaml.safe_load((blog / "_data" / "figures" / "sine-demo.yml").read_text())
    assert manifest["post"] == SLUG
    assert manifest["outputs"]["light"]["path"] == f"/assets/img/posts/{SLUG}/sine-demo-light.svg"


def test_the_second_post_shows_its_figure_and_quotes_its_fact(blog):
    page = read_page(blog / "_site" / "posts" / SLUG / "index.html")
    sources = [img.get("src") or img.get("data-src") for img in page.select(".content img")]
    assert f"/assets/img/posts/{SLUG}/sine-demo-light.svg" in sources
    assert f"/assets/img/posts/{SLUG}/sine-demo-dark.svg" in sources
    fact = page.select_one('.content span.fact[data-figure="sine-demo"][data-key="period"]')
    assert fact is not None and fact.get_text() == "32.0"


def test_the_first_posts_figures_and_url_are_untouched(blog):
    first = Path("assets/img/posts/give-me-attention")
    assert digests(blog / first) == digests(ROOT / first)
    assert (blog / "_site" / "posts" / "give-me-attention" / "index.html").is_file()


def test_the_listing_knows_both_posts(blog):
    listing = make(blog, "figures-list")
    assert listing.returncode == 0, listing.stdout
    line = next(line for line in listing.stdout.splitlines() if line.startswith("sine-demo"))
    assert "second_post/sine_demo.py" in line and line.rstrip().endswith("ok")
