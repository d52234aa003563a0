"""The two sites the benchmark compares, and their Jekyll build times.

"ours" is this repository built as `make build` builds it. "plain" is a plain
Chirpy site made from it in build/bench/plain/: the same gem (same Gemfile),
_config.yml, tabs, home page, _data and _includes, assets minus the post's
figures, and the post's text with its figure includes taken out. Both are built with
Jekyll's disk cache off, so neither profits from an earlier build, and with
`url` set to the address the benchmark serves them from (as the deploy
workflow sets it), so canonical links and the sitemap are absolute."""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POST = Path("_posts/2023-05-19-give-me-attention.md")
FIGURE_DIR = Path("assets/img/posts/give-me-attention")
FIGURE_INCLUDE = re.compile(r"^[ \t]*\{%-?\s*include\s+figure\.md\b.*?%\}[ \t]*\n?", re.MULTILINE)


FRONT_MATTER_IMAGE = re.compile(r"^image:.*\n(?:[ \t]+.*\n)*", re.MULTILINE)


def strip_figures(markdown: str) -> str:
    """The post without its `{% include figure.md ... %}` lines and without the
    front matter's `image:` (the banner figure, shown atop the post)."""
    _, front, body = markdown.split("---\n", 2)
    return "---\n" + FRONT_MATTER_IMAGE.sub("", front) + "---\n" + FIGURE_INCLUDE.sub("", body)


def make_plain_site(destination: Path) -> Path:
    """Write the plain Chirpy site's source into `destination` (emptied first)."""
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    for name in ("_config.yml", "index.html", "Gemfile"):
        shutil.copy2(ROOT / name, destination / name)
    # _includes and _data too: the post quotes measured numbers through them
    # (the text stays the same; only the figures go).
    for folder in ("_tabs", "_includes", "_data"):
        shutil.copytree(ROOT / folder, destination / folder)
    # Hard links: assets/lib is large and only read.
    shutil.copytree(ROOT / "assets", destination / "assets", copy_function=os.link,
                    ignore=lambda folder, names: ["give-me-attention"]
                    if Path(folder) == ROOT / FIGURE_DIR.parent else [])
    (destination / POST).parent.mkdir(parents=True)
    (destination / POST).write_text(strip_figures((ROOT / POST).read_text(encoding="utf-8")),
                                    encoding="utf-8")
    return destination


def jekyll_build(source: Path, destination: Path, url_config: Path) -> float:
    """One production build of `source` into `destination`; returns seconds."""
    command = [str(ROOT / "tools" / "bundle"), "exec", "jekyll", "build", "--disable-disk-cache",
               "--config", f"{source / '_config.yml'},{url_config}",
               "--source", str(source), "--destination", str(destination)]
    env = {**os.environ, "JEKYLL_ENV": "production"}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"jekyll build of {source} failed:\n{result.stdout}\n{result.stderr}")
    return seconds


DESTINATIONS = {"ours": "site", "plain": "plain-site"}


def build_times(out: Path, urls: dict[str, str], repeats: int = 5, log=print) -> dict:
    """Build ours and plain (into out/site, out/plain-site) `repeats` times each,
    taking turns at going first (the machine may be busy); the median of each."""
    plain_source = make_plain_site(out / "plain")
    builds = {"ours": ROOT, "plain": plain_source}
    times = {name: [] for name in builds}
    for name, url in urls.items():
        (out / f"url-{name}.yml").write_text(f"# written by tools/bench\nurl: {url.rstrip('/')}\n")
    for round_ in range(repeats):
        for name, source in (builds.items() if round_ % 2 == 0 else reversed(builds.items())):
            times[name].append(jekyll_build(source, out / DESTINATIONS[name], out / f"url-{name}.yml"))
        log(f"bench: jekyll round {round_ + 1}/{repeats}: "
            + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()))
    return {name: {"median_s": statistics.median(t), "runs_s": t, "site": str(out / DESTINATIONS[name])}
            for name, t in times.items()}
