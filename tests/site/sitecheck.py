"""Helpers for the site tests: build with Jekyll, read built HTML, read the draft.

The site is built the way `make build` builds it (tools/bundle, production
mode), so the tests check what is deployed.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import yaml

from figures_src.util import paths

try:
    from bs4 import BeautifulSoup
    import lxml  # noqa: F401  (BeautifulSoup's parser here)
except ImportError as error:
    raise ImportError(f"{error.name} is missing: run "
                      "'sudo apt-get install python3-bs4 python3-lxml' "
                      "(or 'make python')") from error

ROOT = paths.REPO_ROOT
BUNDLE = ROOT / "tools" / "bundle"
DRAFT = Path(__file__).resolve().parent / "draft" / f"{paths.SHOWCASE_POST}.draft.md"
POST_SOURCE = paths.post_file(paths.SHOWCASE_POST)  # the post with a draft
POST_URL = paths.post_url(paths.SHOWCASE_POST)


def jekyll_build(source: Path, destination: Path, *options: str) -> subprocess.CompletedProcess:
    """Build `source` into `destination` in production mode; returns the finished process."""
    command = [str(BUNDLE), "exec", "jekyll", "build", "--source", str(source),
               "--destination", str(destination), *options]
    env = {**os.environ, "JEKYLL_ENV": "production"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def make_site(where: Path, body: str, manifests: dict) -> Path:
    """A throwaway site in `where`/src: a copy of the site's own config, tabs,
    data, includes and plugins, with one post (`body` as its text) and figure
    manifests {name: manifest} whose images are copies of the avatar."""
    site = where / "src"
    site.mkdir()
    for name in ("_config.yml", "index.html"):
        shutil.copy(ROOT / name, site / name)
    for name in ("_tabs", "_data", "_includes", "_layouts", "_plugins"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, site / name)
    shutil.rmtree(site / "_data" / "figures", ignore_errors=True)  # only the given manifests
    (site / "_data" / "figures").mkdir()
    for name, manifest in manifests.items():
        (site / "_data" / "figures" / f"{name}.yml").write_text(yaml.safe_dump(manifest))
        for output in manifest["outputs"].values():
            image = site / output["path"].lstrip("/")
            image.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "assets" / "img" / "avatar.svg", image)
    (site / "_posts").mkdir()
    (site / "_posts" / "2023-05-20-figure-test.md").write_text(
        f"---\ntitle: Figure test\ndate: 2023-05-20\n---\n\nBefore.\n\n{body}\n\nAfter.\n")
    return site


# What a copy of the project shares with the repository instead of copying
# (installed packages; nothing a build writes into).
SHARED = (".venv", "node_modules", "vendor")
# Generated or not needed to build the site.
NOT_COPIED = {".git", "build", "_site", ".jekyll-cache", ".sass-cache", ".pytest_cache",
              "figures_src", "tests"}


def copy_project(where: Path) -> Path:
    """A copy of the project in `where`/project that `make build` can build
    as it builds the repository: the sources copied (assets/lib included, so a
    re-lay writes into the copy), the installed packages linked, and make's
    stamps copied, so only what a change makes stale is redone."""
    project = where / "project"
    project.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in NOT_COPIED or entry.name in SHARED:
            continue
        if entry.is_dir():
            shutil.copytree(entry, project / entry.name, symlinks=False)
        else:
            shutil.copy2(entry, project / entry.name)
    for name in SHARED:
        (project / name).symlink_to((ROOT / name).resolve())
    shutil.copytree(ROOT / "build" / "stamps", project / "build" / "stamps")
    return project


def make(project: Path, *targets: str, env: dict | None = None,
         timeout: int = 600) -> subprocess.CompletedProcess:
    """`make TARGET...` in `project`, as a user runs it; stdout and stderr together."""
    return subprocess.run(["make", "--no-print-directory", *targets], cwd=project,
                          env={**os.environ, **(env or {})},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)


def htmlproofer(site: Path) -> subprocess.CompletedProcess:
    """Run html-proofer on a built site, internal checks only (as the deploy workflow does)."""
    command = [str(BUNDLE), "exec", "htmlproofer", str(site), "--disable-external"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


# --- reading built HTML ------------------------------------------------------

# The text blocks the post tests compare with the draft.
BLOCK_TAGS = ["p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "figcaption"]


def parse_html(html: str) -> BeautifulSoup:
    """A built page as lxml parses it (Chirpy's production HTML leaves out
    optional end tags; lxml closes them as a browser would)."""
    return BeautifulSoup(html, "lxml")


def read_page(path: Path) -> BeautifulSoup:
    return parse_html(path.read_text(encoding="utf-8"))


def post_body(page: BeautifulSoup):
    """Chirpy's post body, div.content (the post's markdown, rendered)."""
    body = page.select_one("div.content")
    assert body is not None, "no div.content: not a Chirpy post page?"
    return body


def after_paint_scripts(page: BeautifulSoup) -> list[str]:
    """The scripts the page's loader adds after the first paint, in order: the
    data block #scripts-after-paint-urls (_includes/js-selector.html) that the
    loader (_includes/scripts-after-paint.html) reads."""
    if page.find("script", id="scripts-after-paint") is None:
        return []
    listed = page.find("script", id="scripts-after-paint-urls")
    assert listed is not None and listed.get("type") == "application/json", \
        "the loader has no list of urls"
    return json.loads(listed.get_text())


def loads_of_scripts(page: BeautifulSoup) -> list[str]:
    """The src of every script the page loads, those it loads after the first paint included."""
    tags = [script["src"] for script in page.find_all("script", src=True)]
    return tags + after_paint_scripts(page)


def text_blocks(root) -> list[tuple[str, str]]:
    """(tag, text) of the blocks under `root`, in document order; a block
    nested in another counts in both. A formula reads as its TeX, $$...$$
    (KaTeX's rendering, glyph by glyph, would read as noise)."""
    root = copy.copy(root)  # the caller's tree stays as it is
    for formula in root.select(".katex"):
        tex = formula.select_one('annotation[encoding="application/x-tex"]')
        formula.replace_with(f"$${tex.get_text() if tex else ''}$$")
    return [(e.name, normalize_space(e.get_text())) for e in root.find_all(BLOCK_TAGS)]


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- the author's draft ------------------------------------------------------

@dataclass
class Draft:
    """The draft's front matter title, its headings and its paragraphs (list
    items and the code block count as paragraphs), in order."""
    title: str
    headings: list
    paragraphs: list


def is_figure_placeholder(line: str) -> bool:
    """`# Insert a PIC here`, `# Add a diagram ...`: a figure to come, not a heading."""
    return bool(re.match(r"#\s+(insert|add)\b", line.strip(), re.IGNORECASE))


def read_draft(path: Path = DRAFT) -> Draft:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    title = re.search(r"^title:\s*'(.*)'\s*$", front, re.MULTILINE).group(1)
    headings, paragraphs, current = [], [], []
    in_code = False

    def flush():
        if current:
            paragraphs.append(markdown_to_text(" ".join(current)))
            current.clear()

    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):  # a code block is one paragraph
            flush()
            in_code = not in_code
            continue
        if in_code:
            if stripped:
                current.append(stripped)
            continue
        if not stripped:
            flush()
        elif stripped.startswith("#"):
            flush()
            if not is_figure_placeholder(stripped):
                headings.append(stripped.lstrip("#").strip())
        elif stripped.startswith("- "):
            flush()
            paragraphs.append(markdown_to_text(stripped[2:]))
        else:
            current.append(stripped)
    flush()
    return Draft(title, headings, paragraphs)


def markdown_to_text(text: str) -> str:
    """The text a reader sees: links keep their words only."""
    return normalize_space(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))


# --- fuzzy matching ----------------------------------------------------------

def comparable(text: str) -> str:
    return normalize_space(re.sub(r"[^\w\s]", " ", text.lower()))


def coverage(needle: str, haystack: str, min_run: int = 4) -> float:
    """The share of `needle` found, in order, in `haystack`, counting only runs
    of at least `min_run` characters (so scattered letters do not add up).
    Spelling and grammar fixes lower it a little; a dropped sentence a lot."""
    a, b = comparable(needle), comparable(haystack)
    if not a:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    found = sum(m.size for m in matcher.get_matching_blocks() if m.size >= min_run)
    return found / len(a)


def missing_paragraphs(paragraphs: list, blocks: list, threshold: float = 0.85) -> list:
    """The paragraphs with no block of the post that covers them. Short ones
    (a question, a line) must appear word for word."""
    missing = []
    for paragraph in paragraphs:
        if len(comparable(paragraph)) < 60:
            ok = any(comparable(paragraph) in comparable(block) for block in blocks)
        else:
            ok = max((coverage(paragraph, block) for block in blocks), default=0.0) >= threshold
        if not ok:
            missing.append(paragraph)
    return missing


def same_heading(a: str, b: str) -> bool:
    """Headings match if they differ by case, punctuation or a typo fix."""
    x, y = re.sub(r"[^a-z0-9]", "", a.lower()), re.sub(r"[^a-z0-9]", "", b.lower())
    return SequenceMatcher(None, x, y).ratio() >= 0.85


def headings_in_order(expected: list, actual: list) -> list:
    """The expected headings not found in `actual` in the same order."""
    lost, position = [], 0
    for heading in expected:
        for i in range(position, len(actual)):
            if same_heading(heading, actual[i]):
                position = i + 1
                break
        else:
            lost.append(heading)
    return lost
