"""Where things live: the one place that knows the repository's layout. A blog
of many posts: a post is `_posts/<date>-<slug>.md`; its figures are the modules
of `figures_src/figures/<slug with _ for ->/`, and their images go to
`assets/img/posts/<slug>/`. Imported by figures_src, the tests and tools/, so
that a renamed folder is changed here only. Plain pathlib: importing it is free."""
from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO_ROOT / "figures_src"

# Relative to a site root (the repository, or a copy of it):
POSTS_DIR = Path("_posts")
POST_FILE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)\.(md|markdown)$")

# Relative to an output root (the repository, or `--root DIR`):
MANIFEST_DIR = Path("_data/figures")  # one <name>.yml per figure, names unique across posts
IMAGES_DIR = Path("assets/img/posts")  # one folder per post

# The post the browser tests, the draft check and the benchmark look at. The
# figure pipeline never uses it: every post is read the same way.
SHOWCASE_POST = "give-me-attention"

BUILD_DIR = REPO_ROOT / "build"  # generated, never committed
CHECKPOINT_DIR = BUILD_DIR / "checkpoints"  # trained toy models, keyed by what defines them


def posts(root: Path = REPO_ROOT) -> list[Path]:
    """Every post of the site at `root`: _posts/<date>-<slug>.md, sorted by file name."""
    folder = Path(root) / POSTS_DIR
    return sorted(p for p in folder.glob("*") if p.is_file() and POST_FILE_NAME.match(p.name))


def post_slug(path: Path) -> str:
    """The slug of a post file: `2023-05-19-give-me-attention.md` -> `give-me-attention`."""
    match = POST_FILE_NAME.match(Path(path).name)
    if not match:
        raise ValueError(f"{path}: a post is named <YYYY-MM-DD>-<slug>.md")
    return match.group(2)


def post_file(slug: str, root: Path = REPO_ROOT) -> Path:
    """The file of the post with this slug; FileNotFoundError naming the folder if none."""
    for path in posts(root):
        if post_slug(path) == slug:
            return path
    raise FileNotFoundError(f"no post {POSTS_DIR}/<date>-{slug}.md under {root}")


def post_url(slug: str) -> str:
    """The post's URL path (Chirpy's permalink /posts/:title/), without the leading slash."""
    return f"posts/{slug}/"


def image_dir(slug: str) -> Path:
    """Where a post's figures go, relative to an output root."""
    return IMAGES_DIR / slug


def figures_folder(slug: str) -> str:
    """The figures_src/figures/ folder of a post: its slug with '_' for '-'."""
    return slug.replace("-", "_")


def folder_slug(folder: str) -> str:
    """The post a figures_src/figures/<folder>/ belongs to: '-' for '_'."""
    return folder.replace("_", "-")
