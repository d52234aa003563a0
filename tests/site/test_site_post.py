"""The built post keeps the author's draft: title, headings in order, every paragraph."""
import pytest

from sitecheck import (DRAFT, headings_in_order, missing_paragraphs, normalize_space,
                       post_body, read_draft, text_blocks)


@pytest.fixture(scope="module")
def draft():
    return read_draft(DRAFT)


def content_text(post):
    return [text for tag, text in text_blocks(post_body(post))]


def test_the_draft_is_read_as_expected(draft):
    # The reader itself: the draft's known shape, so a parsing slip cannot
    # make the tests below vacuous.
    assert draft.title == "Give me attention: LLMs and Transformers"
    assert draft.headings[0] == "Introduction" and draft.headings[-1] == "Conclusion"
    assert len(draft.headings) == 13
    assert len(draft.paragraphs) > 30


def test_post_shows_the_drafts_title_as_its_only_h1(draft, post):
    h1s = [normalize_space(h1.get_text()) for h1 in post.find_all("h1")]
    assert h1s == [draft.title], "one H1, the title (a figure placeholder left as '# ...'?)"


def test_post_has_every_heading_of_the_draft_in_order(draft, post):
    headings = [text for tag, text in text_blocks(post_body(post)) if tag in ("h2", "h3", "h4")]
    assert headings_in_order(draft.headings, headings) == []


def test_post_has_every_paragraph_of_the_draft(draft, post):
    assert missing_paragraphs(draft.paragraphs, content_text(post)) == []


def test_a_dropped_paragraph_is_noticed(draft, post):
    # The check above must fail when a paragraph is gone: drop the block that
    # holds one long paragraph and it is reported.
    blocks = content_text(post)
    paragraph = max(draft.paragraphs, key=len)
    kept = [b for b in blocks if paragraph.split()[3] not in b or len(b) < 100]
    assert missing_paragraphs([paragraph], kept) == [paragraph]


def test_a_shortened_paragraph_is_noticed(draft, post):
    blocks = content_text(post)
    paragraph = max(draft.paragraphs, key=len)
    sentences = paragraph.split(". ")
    shortened = [b.replace(sentences[2], "") for b in blocks]
    assert missing_paragraphs([paragraph], shortened) == [paragraph]


def test_every_post_reads_in_thirty_minutes_at_most(site):
    """Each post stays readable: Chirpy's own reading-time count (words / 180 a minute)."""
    import re
    from figures_src.util import paths
    for post in paths.posts():
        url = paths.post_url(paths.post_slug(post))
        html = (site / url / "index.html").read_text(encoding="utf-8")
        minutes = re.search(r'class="readtime"[^>]*>\s*<em>(\d+) min</em>', html)
        assert minutes, f"no reading time on {url}"
        assert int(minutes.group(1)) <= 30, f"{post.name}: {minutes.group(1)} min"
