"""Helpers for the site tests: build with Jekyll, read built HTML, read the draft.

The site is built the way `make build` builds it (tools/bundle, production
mode), so the tests check what is deployed.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "tools" / "bundle"
DRAFT = Path(__file__).resolve().parent / "draft" / "give-me-attention.draft.md"
POST_SOURCE = ROOT / "_posts" / "2023-05-19-give-me-attention.md"
POST_URL = "posts/give-me-attention/"


def jekyll_build(source: Path, destination: Path, *options: str) -> subprocess.CompletedProcess:
    """Build `source` into `destination` in production mode; returns the finished process."""
    command = [str(BUNDLE), "exec", "jekyll", "build", "--source", str(source),
               "--destination", str(destination), *options]
    env = {**os.environ, "JEKYLL_ENV": "production"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def htmlproofer(site: Path) -> subprocess.CompletedProcess:
    """Run html-proofer on a built site, internal checks only (as the deploy workflow does)."""
    command = [str(BUNDLE), "exec", "htmlproofer", str(site), "--disable-external"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


# --- reading built HTML ------------------------------------------------------

@dataclass
class Element:
    """A start tag with its attributes, and the text inside it (for blocks)."""
    tag: str
    attrs: dict
    text: str = ""
    inside_content: bool = False


BLOCK_TAGS = {"p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "figcaption"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}
# Chirpy's production HTML leaves out optional end tags (compress_html
# `endings: all`): these start tags close the open element named.
P_CLOSERS = {"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
             "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
             "main", "nav", "ol", "p", "pre", "section", "table", "ul"}
IMPLIED_END = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "td": {"td", "th"},
               "th": {"td", "th"}, "tr": {"tr", "td", "th"}}


@dataclass
class Page:
    """What the tests need from one HTML file: every tag with its attributes,
    the text blocks (marking those in Chirpy's post body, div.content) and
    inline <style> text."""
    elements: list = field(default_factory=list)
    blocks: list = field(default_factory=list)  # (tag, text, inside div.content), document order
    styles: list = field(default_factory=list)

    @property
    def content_blocks(self):
        """(tag, text) of the blocks in the post body."""
        return [(tag, text) for tag, text, inside in self.blocks if inside]


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._stack = []            # open non-void tags: (tag, is_content_root)
        self._content_depth = None  # stack depth of div.content, while inside it
        self._blocks = []           # open blocks: [tag, text parts, inside content]
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if self._stack and self._stack[-1] == "p" and tag in P_CLOSERS:
            self.handle_endtag("p")
        for closes in IMPLIED_END.get(tag, ()):
            if self._stack and self._stack[-1] == closes:
                self.handle_endtag(closes)
        inside = self._content_depth is not None
        self.page.elements.append(Element(tag, attrs, inside_content=inside))
        if tag in VOID_TAGS:
            return
        self._stack.append(tag)
        if tag == "div" and attrs.get("class", "").split() == ["content"] and self._content_depth is None:
            self._content_depth = len(self._stack)
        if tag in BLOCK_TAGS:
            self._blocks.append([tag, [], inside or self._content_depth is not None])
        if tag == "style":
            self._in_style = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or tag not in self._stack:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if self._content_depth is not None and len(self._stack) < self._content_depth:
                self._content_depth = None
            if open_tag in BLOCK_TAGS and self._blocks:
                block_tag, parts, inside = self._blocks.pop()
                text = normalize_space("".join(parts))
                if self._blocks:  # nested block: its text belongs to the outer one too
                    self._blocks[-1][1].append(" " + text + " ")
                self.page.blocks.append((block_tag, text, inside))
            if open_tag == "style":
                self._in_style = False
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._in_style:
            self.page.styles.append(data)
        if self._blocks:
            self._blocks[-1][1].append(data)


def read_page(path: Path) -> Page:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


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
