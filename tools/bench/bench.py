"""`make bench`: time the figure builds and the Jekyll build, weigh the post,
score it with Lighthouse, each beside a plain Chirpy site holding the same text
without figures; compare with the project's goals. Writes bench.md and
bench.json into --out and prints the table. Goals are reported, not asserted.

    .venv/bin/python tools/bench/bench.py [--out build/bench] [--only figures] [--jobs N]"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import figure_timings
import sites

ROOT = Path(__file__).resolve().parents[2]
MB, KB = 1_000_000, 1_000


def _s(x):
    return f"{x:.2f} s"


def _bytes(x):
    return f"{x / KB:,.0f} KB"


def figure_rows(f: dict) -> list[tuple]:
    """(measure, ours, plain, goal, met) rows for the figure timings."""
    noop_note = "" if not f["noop_stale"] else f" (found stale: {' '.join(f['noop_stale'])})"
    one_note = f" ({f['one_figure']}; stale: {' '.join(f['one_stale']) or 'none'})"
    return [
        (f"cold figure build, `make -j{f['jobs']} figures-all`, {f['figures']} figures, fresh clone",
         _s(f["cold_s"]), "–", "≤ 60 s", f["cold_s"] <= 60),
        ("no-op figure build, `make figures` after a fresh clone" + noop_note,
         _s(f["noop_s"]), "–", "≤ 1 s", f["noop_s"] <= 1 and not f["noop_stale"]),
        ("one-figure rebuild, `make figures` after editing one module" + one_note,
         _s(f["one_s"]), "–", "–", None),
    ]


def site_rows(j: dict, w: dict, wp: dict, lh: dict, lhp: dict) -> list[tuple]:
    ratio = j["ours"]["median_s"] / j["plain"]["median_s"]
    rows = [
        ("jekyll production build (median of 5, disk cache off)", _s(j["ours"]["median_s"]),
         _s(j["plain"]["median_s"]), "≤ 1.5 × plain", ratio <= 1.5),
        ("… ratio ours / plain", f"{ratio:.2f} ×", "1.00 ×", "≤ 1.5", ratio <= 1.5),
    ]
    for kind in ("html", "css", "js", "fonts", "images", "other"):
        rows.append((f"post weight: {kind}", _bytes(w["bytes"][kind]), _bytes(wp["bytes"][kind]), "–", None))
    rows += [
        (f"post weight: total ({w['requests']} / {wp['requests']} requests; text gzipped as GitHub Pages does)",
         _bytes(w["total"]), _bytes(wp["total"]), "≤ 1 MB", w["total"] <= MB),
        (f"figures loaded by the post ({w['figures_loaded']} images, one theme)",
         _bytes(w["figure_bytes"]), _bytes(wp["figure_bytes"]), "≤ 400 KB", w["figure_bytes"] <= 400 * KB),
    ]
    goals = {"performance": 0.95, "accessibility": 1.0, "best-practices": 0.95, "seo": 0.95}
    for category, goal in goals.items():
        ours, plain = lh["scores"][category], lhp["scores"][category]
        rows.append((f"Lighthouse {category} (post, mobile)", f"{ours:.2f}", f"{plain:.2f}",
                     f"{'=' if goal == 1 else '≥'} {goal:.2f}", ours is not None and ours >= goal))
    return rows


def markdown(rows: list[tuple], header: str) -> str:
    lines = [header, "", "| measure | ours | plain Chirpy | goal | met? |", "|---|---|---|---|---|"]
    for measure, ours, plain, goal, met in rows:
        mark = "–" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {measure} | {ours} | {plain} | {goal} | {mark} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--only", choices=["figures"], help="figure timings only")
    parser.add_argument("--jobs", type=int, default=1, help="make -j for the figure builds")
    parser.add_argument("--figure", help="the figure whose module is edited (default: the first listed)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M:%S")

    result = {"started": started, "machine": f"{platform.machine()}, {platform.node()}",
              "figures": figure_timings.measure(args.jobs, args.figure)}
    rows = figure_rows(result["figures"])
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")  # so far
    if args.only != "figures":
        import browsing  # needs the browser; not for figure timings only
        import pages_server
        sites_out = {name: out / folder for name, folder in sites.DESTINATIONS.items()}
        with pages_server.serving(sites_out) as urls:
            result["jekyll"] = sites.build_times(out, urls)
            print("bench: weighing the post in Chromium", flush=True)
            result["weight"] = {name: browsing.page_weight(url) for name, url in urls.items()}
            print("bench: Lighthouse (ours, then plain)", flush=True)
            result["lighthouse"] = {name: browsing.lighthouse(url, out / f"lighthouse-{name}.json")
                                    for name, url in urls.items()}
        rows += site_rows(result["jekyll"], result["weight"]["ours"], result["weight"]["plain"],
                          result["lighthouse"]["ours"], result["lighthouse"]["plain"])
    header = (f"Benchmark of commit {result['figures']['commit']} ({started}; "
              f"goals are reported, not asserted; KB = 1000 bytes)")
    table = markdown(rows, header)
    result["rows"] = [dict(zip(("measure", "ours", "plain", "goal", "met"), row)) for row in rows]
    (out / "bench.md").write_text(table, encoding="utf-8")
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table)
    print(f"bench: wrote {out / 'bench.md'} and {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
