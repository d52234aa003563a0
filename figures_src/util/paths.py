"""Where things live: the one place that knows the repository's layout and
the post's slug. Imported by figures_src, the tests and tools/, so that a
renamed folder or post is changed here only. Plain pathlib: importing it is free."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO_ROOT / "figures_src"

POST_SLUG = "give-me-attention"
POST_FILE = Path("_posts") / f"2023-05-19-{POST_SLUG}.md"  # relative to a site root
POST_URL = f"posts/{POST_SLUG}/"

# Relative to an output root (the repository, or `--root DIR`):
IMAGE_DIR = Path("assets/img/posts") / POST_SLUG  # the figures the post serves
MANIFEST_DIR = Path("_data/figures")  # one <name>.yml per figure: site.data.figures[name]

BUILD_DIR = REPO_ROOT / "build"  # generated, never committed
CHECKPOINT_DIR = BUILD_DIR / "checkpoints"  # trained toy models, keyed by what defines them
