"""The two sites the benchmark compares, and their Jekyll build times.

"ours" is this repository built as `make build` builds it. "plain" is a plain
Chirpy site made from it in build/bench/plain/: the same gem (same Gemfile),
_config.yml, tabs, home page and _data, assets minus the post's figures, and
the post's text with its figure and explorer tags taken out; without our
_includes/ and _layouts/ overrides and without our plugins but the one that
prints the quoted numbers (_plugins/figure_tags.rb), so with what Chirpy does
by itself: MathJax 3 typesets the math in
the browser and the whole of Font Awesome is loaded (both self-hosted, from
tools/bench/node_modules, pinned by its lock file). Both are built with
Jekyll's disk cache off, so neither profits from an earlier build, and with
`url` set to the address the benchmark serves them from (as the deploy
workflow sets it), so canonical links and the sitemap are absolute."""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from figures_src.util import paths  # noqa: E402

POST = paths.post_file(paths.SHOWCASE_POST).relative_to(ROOT)
FIGURE_DIR = paths.image_dir(paths.SHOWCASE_POST)
BENCH_MODULES = ROOT / "tools" / "bench" / "node_modules"
# Plain Chirpy's math and icons (what _data/origin/basic.yml names for them).
PLAIN_LIBRARIES = {
    "mathjax/es5": "mathjax",
    "@fortawesome/fontawesome-free/css/all.min.css": "fontawesome-free/css/all.min.css",
    "@fortawesome/fontawesome-free/webfonts": "fontawesome-free/webfonts"}
PLAIN_CONFIG = ("kramdown:\n  math_engine: mathjax   # Chirpy's own: MathJax typesets in the "
                "browser\n")
# the figures and the attention explorer (which reads a figure's data)
FIGURE_INCLUDE = re.compile(r"^[ \t]*\{%-?\s*(?:figure|explorer)\s.*?%\}[ \t]*\n?", re.MULTILINE)
# The plain site's one plugin: the numbers the text quotes ({% fact %}).
FACT_PLUGIN = Path("_plugins") / "figure_tags.rb"


FRONT_MATTER_IMAGE = re.compile(r"^image:.*\n(?:[ \t]+.*\n)*", re.MULTILINE)


def strip_figures(markdown: str) -> str:
    """The post without its `{% figure ... %}` (and explorer) lines and without the
    front matter's `image:` (the banner figure, shown atop the post)."""
    _, front, body = markdown.split("---\n", 2)
    return "---\n" + FRONT_MATTER_IMAGE.sub("", front) + "---\n" + FIGURE_INCLUDE.sub("", body)


def make_plain_site(destination: Path) -> Path:
    """Write the plain Chirpy site's source into `destination` (emptied first)."""
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    for name in ("_config.yml", "index.html", "Gemfile"):
        shutil.copy2(ROOT / name, destination / name)
    # _data and the fact tag too: the post quotes measured numbers through
    # them (the text stays the same; only the figures go).
    for folder in ("_tabs", "_data"):
        shutil.copytree(ROOT / folder, destination / folder)
    (destination / FACT_PLUGIN).parent.mkdir()
    shutil.copy2(ROOT / FACT_PLUGIN, destination / FACT_PLUGIN)
    # Hard links: assets/lib is large and only read.
    shutil.copytree(ROOT / "assets", destination / "assets", copy_function=os.link,
                    ignore=lambda folder, names: [FIGURE_DIR.name]
                    if Path(folder) == ROOT / FIGURE_DIR.parent
                    else ["fontawesome-free"] if Path(folder) == ROOT / "assets" / "lib" else [])
    for source, target in PLAIN_LIBRARIES.items():
        if not (BENCH_MODULES / source).exists():
            raise SystemExit(f"bench: {BENCH_MODULES / source} is missing: run 'make bench' (npm "
                             f"ci in tools/bench)")
        copy = shutil.copytree if (BENCH_MODULES / source).is_dir() else shutil.copy2
        (destination / "assets" / "lib" / target).parent.mkdir(parents=True, exist_ok=True)
        copy(BENCH_MODULES / source, destination / "assets" / "lib" / target)
    with open(destination / "_data" / "origin" / "basic.yml", "a", encoding="utf-8") as origin:
        origin.write("\nmathjax:\n  js: /assets/lib/mathjax/tex-chtml.js\n")
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
        (out / f"url-{name}.yml").write_text(f"# written by tools/bench\nurl: {url.rstrip('/')}\n"
                                             + (PLAIN_CONFIG if name == "plain" else ""))
    for round_ in range(repeats):
        for name, source in (builds.items() if round_ % 2 == 0 else reversed(builds.items())):
            times[name].append(jekyll_build(source, out / DESTINATIONS[name],
                                            out / f"url-{name}.yml"))
        log(f"bench: jekyll round {round_ + 1}/{repeats}: "
            + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()))
    return {name: {"median_s": statistics.median(t), "runs_s": t,
                   "site": str(out / DESTINATIONS[name])}
            for name, t in times.items()}
