"""`make bench`: time the figure builds and the Jekyll build, weigh the post,
score it with Lighthouse, each beside a plain Chirpy site holding the same text
without figures; compare with the project's goals. Writes bench.md and
bench.json into --out and prints the table. Goals are reported, not asserted.

Lighthouse (mobile preset) runs --runs times per site (default 5), post and
plain taking turns at going first; the table gives each measure's median and
range (min-max), and the goals are judged on the medians.

    .venv/bin/python tools/bench/bench.py [--out build/bench] [--only figures|site]
                                          [--jobs N] [--runs N]"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import figure_timings
import sites

from figures_src.util import paths  # noqa: E402  (sites puts the repository on sys.path)

ROOT = paths.REPO_ROOT
MB, KB = 1_000_000, 1_000
LIGHTHOUSE_RUNS = 5


def _s(x):
    return f"{x:.2f} s"


def _bytes(x):
    return f"{x / KB:,.0f} KB"


def figure_rows(f: dict) -> list[tuple]:
    """(measure, ours, plain, goal, met) rows for the figure timings."""
    noop_note = "" if not f["noop_stale"] else f" (found stale: {' '.join(f['noop_stale'])})"
    one_note = f" ({f['one_figure']}; stale: {' '.join(f['one_stale']) or 'none'})"
    return [
        (f"cold figure build, `make -j{f['jobs']} figures-all`, {f['figures']} figures, "
         "fresh clone",
         _s(f["cold_s"]), "–", "≤ 60 s", f["cold_s"] <= 60),
        ("no-op figure build, `make figures` after a fresh clone" + noop_note,
         _s(f["noop_s"]), "–", "≤ 1 s", f["noop_s"] <= 1 and not f["noop_stale"]),
        ("one-figure rebuild, `make figures` after editing one module" + one_note,
         _s(f["one_s"]), "–", "–", None),
    ]


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": values}


def lighthouse_summary(runs: list[dict]) -> dict:
    """Median and range of each measure over a site's Lighthouse runs."""
    summary = {key: spread([r[key] for r in runs]) for key in ("lcp_ms", "tbt_ms", "fcp_ms")}
    for category in runs[0]["scores"]:
        summary[category] = spread([r["scores"][category] for r in runs])
    summary["lcp_elements"] = sorted({r["lcp_element"] for r in runs})
    return summary


def _score(x: dict) -> str:
    return f"{x['median']:.2f} ({x['min']:.2f}–{x['max']:.2f})"


def _ms(x: dict) -> str:
    return f"{x['median']:,.0f} ms ({x['min']:,.0f}–{x['max']:,.0f})"


def site_rows(j: dict, w: dict, wp: dict, lh: dict, lhp: dict, runs: int) -> list[tuple]:
    ratio = j["ours"]["median_s"] / j["plain"]["median_s"]
    rows = [
        ("jekyll production build (median of 5, disk cache off)", _s(j["ours"]["median_s"]),
         _s(j["plain"]["median_s"]), "≤ 1.5 × plain", ratio <= 1.5),
        ("… ratio ours / plain", f"{ratio:.2f} ×", "1.00 ×", "≤ 1.5", ratio <= 1.5),
    ]
    for kind in ("html", "css", "js", "fonts", "images", "other"):
        rows.append((f"post weight: {kind}", _bytes(w["bytes"][kind]), _bytes(wp["bytes"][kind]),
                     "–", None))
    rows += [
        (f"post weight: total ({w['requests']} / {wp['requests']} requests; text gzipped as GitHub "
         f"Pages does)",
         _bytes(w["total"]), _bytes(wp["total"]), "≤ 550 KB", w["total"] <= 550 * KB),
        (f"figures loaded by the post ({w['figures_loaded']} images, one theme)",
         _bytes(w["figure_bytes"]), _bytes(wp["figure_bytes"]), "≤ 400 KB",
         w["figure_bytes"] <= 400 * KB),
    ]
    perf, plain_perf = lh["performance"], lhp["performance"]
    rows += [
        (f"Lighthouse performance, mobile: median (range) of {runs} runs", _score(perf),
         _score(plain_perf),
         "≥ 0.95 and > plain's", perf["median"] >= 0.95 and perf["median"] > plain_perf["median"]),
        ("… largest contentful paint (LCP)", _ms(lh["lcp_ms"]), _ms(lhp["lcp_ms"]), "≤ 2,500 ms",
         lh["lcp_ms"]["median"] <= 2500),
        ("… total blocking time (TBT)", _ms(lh["tbt_ms"]), _ms(lhp["tbt_ms"]), "≤ 200 ms",
         lh["tbt_ms"]["median"] <= 200),
        ("… first contentful paint (FCP)", _ms(lh["fcp_ms"]), _ms(lhp["fcp_ms"]), "–", None),
    ]
    for category, goal in {"accessibility": 1.0, "best-practices": 0.95, "seo": 0.95}.items():
        ours, plain = lh[category], lhp[category]
        rows.append((f"Lighthouse {category} (post, mobile)", _score(ours), _score(plain),
                     f"{'=' if goal == 1 else '≥'} {goal:.2f}", ours["median"] >= goal))
    return rows


def lighthouse_rounds(urls: dict[str, str], out: Path, runs: int) -> dict:
    """`runs` Lighthouse runs per site, the sites taking turns at going first."""
    import browsing
    results = {name: [] for name in urls}
    for round_ in range(runs):
        order = list(urls) if round_ % 2 == 0 else list(reversed(urls))
        for name in order:
            results[name].append(browsing.lighthouse(urls[name],
                                                     out / f"lighthouse-{name}-{round_ + 1}.json"))
        print(f"bench: Lighthouse round {round_ + 1}/{runs}: " + ", ".join(
            f"{n} {results[n][-1]['scores']['performance']:.2f} (LCP "
            f"{results[n][-1]['lcp_ms']:,.0f} ms)"
            for n in urls), flush=True)
    return {name: {"summary": lighthouse_summary(r), "runs": r} for name, r in results.items()}


def markdown(rows: list[tuple], header: str) -> str:
    lines = [header, "", "| measure | ours | plain Chirpy | goal | met? |", "|---|---|---|---|---|"]
    for measure, ours, plain, goal, met in rows:
        mark = "–" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {measure} | {ours} | {plain} | {goal} | {mark} |")
    return "\n".join(lines) + "\n"


def commit() -> str:
    import subprocess
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True)
    return run.stdout.strip() or "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=paths.BUILD_DIR / "bench")
    parser.add_argument("--only", choices=["figures", "site"],
                        help="figure timings only, or the site's only")
    parser.add_argument("--runs", type=int, default=LIGHTHOUSE_RUNS,
                        help="Lighthouse runs per site (at least 5)")
    parser.add_argument("--jobs", type=int, default=1, help="make -j for the figure builds")
    parser.add_argument("--figure",
                        help="the figure whose module is edited (default: the first listed)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M:%S")

    if args.runs < 5 and args.only != "figures":
        parser.error("--runs: at least 5 Lighthouse runs per site (one run varies by up to 0.3)")
    result = {"started": started, "machine": f"{platform.machine()}, {platform.node()}",
              "commit": commit()}
    rows = []
    if args.only != "site":
        result["figures"] = figure_timings.measure(args.jobs, args.figure)
        rows += figure_rows(result["figures"])
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")  # so far
    if args.only != "figures":
        import browsing  # needs the browser; not for figure timings only
        import pages_server
        sites_out = {name: out / folder for name, folder in sites.DESTINATIONS.items()}
        with pages_server.serving(sites_out) as urls:
            result["jekyll"] = sites.build_times(out, urls)
            print("bench: weighing the post in Chromium", flush=True)
            result["weight"] = {name: browsing.page_weight(url) for name, url in urls.items()}
            result["lighthouse"] = lighthouse_rounds(urls, out, args.runs)
        rows += site_rows(result["jekyll"], result["weight"]["ours"], result["weight"]["plain"],
                          result["lighthouse"]["ours"]["summary"],
                          result["lighthouse"]["plain"]["summary"],
                          args.runs)
    header = (f"Benchmark of commit {result['commit']} ({started}; "
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
