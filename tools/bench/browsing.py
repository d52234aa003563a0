"""The post as a browser gets it: its weight per resource type (Debian's headless
Chromium, cache off, scrolled through so the lazy figures load) and its
Lighthouse scores (Lighthouse from tools/bench/node_modules, driving the same
Chromium through CHROME_PATH; it downloads no browser of its own).

The sites are served by pages_server (gzip, like GitHub Pages). The browser
and the reading of the network log are the browser tests' own
(tests/browser/sitebrowser.py and pages.py)."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

# to import figures_src.util.paths and the browser tests' helpers
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]

import sitebrowser as browser  # noqa: E402
import pages  # noqa: E402
from figures_src.util import paths  # noqa: E402

LIGHTHOUSE = ROOT / "tools" / "bench" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
# DevTools resource types, grouped the way the report shows them.
KINDS = {"Document": "html", "Stylesheet": "css", "Script": "js", "Font": "fonts",
         "Image": "images"}
FIGURE_PATH = f"/{paths.image_dir(paths.SHOWCASE_POST).as_posix()}/"


def page_weight(base: str) -> dict:
    """Bytes the post at `base` costs a first-time reader, per kind, and its figures' share."""
    reason = browser.missing_browser()
    if reason:
        raise SystemExit(f"bench: {reason}")
    with browser.chromium() as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        visit = pages.visit(driver, base + pages.POST_URL)
    if visit.console_errors or any(r.failed for r in visit.requests):
        raise SystemExit(f"bench: the post did not load cleanly: {visit.console_errors} "
                         f"{[r.url for r in visit.requests if r.failed]}")
    weight = {kind: 0 for kind in (*KINDS.values(), "other")}
    for request in visit.requests:
        weight[KINDS.get(request.type, "other")] += request.encoded_bytes
    figures = [r for r in visit.requests if urlsplit(r.url).path.startswith(FIGURE_PATH)]
    return {"bytes": weight, "total": sum(weight.values()), "requests": len(visit.requests),
            "figures_loaded": len(figures), "figure_bytes": sum(r.encoded_bytes for r in figures)}


METRICS = {"lcp_ms": "largest-contentful-paint", "tbt_ms": "total-blocking-time",
           "fcp_ms": "first-contentful-paint"}


def lighthouse(base: str, out: Path) -> dict:
    """One Lighthouse run (mobile preset) on the post at `base`: its four
    category scores, LCP, TBT and FCP, and what the LCP element was (JSON
    report in `out`)."""
    if not LIGHTHOUSE.is_file():
        raise SystemExit("bench: Lighthouse is not installed: run 'make bench' (it runs npm ci in "
                         "tools/bench)")
    with tempfile.TemporaryDirectory(prefix="lighthouse-profile-") as profile:
        command = ["node", str(LIGHTHOUSE), base + pages.POST_URL, "--quiet",
                   "--output=json", f"--output-path={out}",
                   f"--only-categories={','.join(CATEGORIES)}",
                   f"--chrome-flags={CHROME_FLAGS} --user-data-dir={profile} "
                   "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
        env = {"PATH": "/usr/bin:/bin", "HOME": profile, "CHROME_PATH": browser.CHROMIUM}
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
    failing = {c: [a["id"]
                   for a in (report["audits"][ref["id"]]
                             for ref in report["categories"][c]["auditRefs"])
                   if a.get("score") is not None and a["score"] < 1
                   and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
               for c in CATEGORIES}
    metrics = {name: report["audits"][audit]["numericValue"] for name, audit in METRICS.items()}
    lcp_items = report["audits"].get("largest-contentful-paint-element", {}).get("details",
                                                                                 {}).get("items",
                                                                                         [])
    lcp_node = next((item.get("node", {}) for block in lcp_items
                     for item in block.get("items", [block])
                     if item.get("node")), {})
    return {"scores": scores, **metrics, "lcp_element": lcp_node.get("snippet", ""),
            "below_full_marks": failing, "lighthouse": report.get("lighthouseVersion"),
            "report": str(out)}
