"""Looking at a page the way a reader does: open it, scroll it through so the
lazy images load, then read what the browser made of it (requests, console,
images, formulas, table of contents, theme, width)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import sitebrowser as browser
import netlog
from figures_src.util import paths

# The site's source (its post says what the page must show) and its build.
# Both can point elsewhere, e.g. to try a post with figures before committing it.
SOURCE = Path(os.environ.get("BROWSER_TEST_SOURCE", paths.REPO_ROOT))
SITE = Path(os.environ.get("BROWSER_TEST_SITE", SOURCE / "_site"))
POST_SOURCE = paths.post_file(paths.SHOWCASE_POST, SOURCE)
POST_URL = paths.post_url(paths.SHOWCASE_POST)
PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True}


@dataclass
class Visit:
    """What one page load did: its network requests and its console errors."""
    requests: list[netlog.Request]
    console_errors: list[str]


def visit(driver, url: str) -> Visit:
    """Load `url`, wait for its fonts, scroll to the end and back so
    every lazy image loads; returns what happened on the way."""
    driver.get_log("performance")  # forget what came before
    driver.get_log("browser")
    driver.get(url)
    browser.wait_until_quiet(driver)
    scroll_through(driver)
    return Visit(requests=netlog.read(driver.get_log("performance")),
                 console_errors=[e["message"] for e in driver.get_log("browser")
                                 if e["level"] == "SEVERE"])


def scroll_through(driver, timeout: float = 20):
    """Scroll half a screen at a time to the bottom, wait (up to 10 s) until
    every shown image has loaded and decoded or failed, then go back to the top."""
    driver.set_script_timeout(timeout)
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const pause = () => new Promise(r => setTimeout(r, 60));
        // 'instant': Bootstrap makes scrolling smooth, which would lag behind.
        const go = (y) => scrollTo({top: y, left: 0, behavior: 'instant'});
        (async () => {
            const root = document.scrollingElement;
            for (let y = 0; y < root.scrollHeight; y += innerHeight / 2) {
                go(y); await pause();
            }
            go(root.scrollHeight); await pause();
            const shown = [...document.images].filter(i => i.checkVisibility());
            const settled = Promise.all(shown.map(i => i.decode().catch(() => null)));
            await Promise.race([settled, new Promise(r => setTimeout(r, 10000))]);
            go(0); await pause();
        })().then(() => done(), () => done());
    """)


def images(driver) -> list[dict]:
    """Every <img> of the page: its address, theme variant, whether CSS shows it,
    and its decoded width (0 if it never loaded)."""
    return driver.execute_script("""
        // Chirpy moves an image's .light/.dark class to the link it wraps it in.
        const variant = (i) => {
            const marked = i.closest('.light, .dark');
            return marked ? (marked.classList.contains('dark') ? 'dark' : 'light') : null;
        };
        return [...document.images].map(i => ({
            src: i.currentSrc || i.src,
            variant: variant(i),
            shown: i.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}),
            complete: i.complete,
            naturalWidth: i.naturalWidth,
        }));
    """)


def math_report(driver) -> dict:
    """The formulas KaTeX rendered at build time, as the browser shows them:
    how many, how many lack MathML or have no width, KaTeX errors, and TeX
    delimiters or commands left in the text of <main> (outside code)."""
    return driver.execute_script(r"""
        const formulas = [...document.querySelectorAll('main .katex')];
        const text = document.querySelector('main').cloneNode(true);
        text.querySelectorAll('pre, code, script, style, .katex').forEach(e => e.remove());
        const raw = text.textContent.match(/\$\$|\\(frac|sqrt|mathrm|top)\b|\\\(|\\\[/g) || [];
        return {
            rendered: formulas.length,
            without_mathml: formulas.filter(
                f => !f.querySelector('.katex-mathml math annotation')).length,
            empty: formulas.filter(
                f => f.querySelector('.katex-html').getBoundingClientRect().width === 0).length,
            errors: document.querySelectorAll('main .katex-error, main .math-tex').length,
            raw_left: raw.length,
            katex_fonts: [...document.fonts].filter(
                f => f.family.startsWith('KaTeX') && f.status === 'loaded').length,
        };
    """)


def toc_entries(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#toc a')].map(a => a.textContent.trim());")


def content_headings(driver) -> list[str]:
    """The post's h2-h4 headings that Chirpy's tocbot is set to list."""
    return driver.execute_script("""
        const content = document.querySelector('.content');  // tocbot's contentSelector
        return [...content.querySelectorAll('h2, h3, h4')]
            .filter(h => !h.hasAttribute('data-toc-skip')).map(h => h.textContent.trim());
    """)


def source_headings(path: Path = POST_SOURCE) -> list[str]:
    """The ##..#### headings written in the post's markdown (outside code blocks)."""
    headings, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (match := re.match(r"^#{2,4}\s+(.*?)\s*#*\s*$", line)):
            headings.append(re.sub(r"[*_`]", "", match.group(1)).strip())
    return headings


def figure_includes(path: Path = POST_SOURCE) -> list[str]:
    """The names of the figures the post embeds ({% figure NAME %}, _plugins/figure_tags.rb)."""
    return re.findall(r"\{%-?\s*figure\s+([\w.-]+)\s*-?%\}", path.read_text(encoding="utf-8"))


def choose_mode(driver, mode: str) -> str:
    """Pick `mode` (light, dark, system) in Chirpy 7.6's mode menu (the toggle
    button at the foot of the sidebar opens it); returns html[data-bs-theme],
    the attribute Chirpy 7.6 sets (older Chirpy set html[data-mode])."""
    driver.find_element("css selector", "#mode-toggle").click()
    driver.find_element("css selector",
                        f'#mode-toggle + .dropdown-menu [data-theme-mode="{mode}"]').click()
    return driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')")


def shown_mode(driver) -> str:
    """'dark' or 'light' by what the page paints: the body's background lightness."""
    rgb = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return "dark" if (red + green + blue) / 3 < 128 else "light"


def sideways_overflow(driver) -> dict:
    """How much wider than the window the page is, and the widest offenders."""
    return driver.execute_script("""
        const width = innerWidth;
        const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && e.checkVisibility())
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                      + (e.className && typeof e.className === 'string'
                         ? '.' + e.className.trim().replace(/\\s+/g, '.') : ''))
            .slice(0, 8);
        return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, wide: wide};
    """)


def screenshot(driver, path: Path, phone: bool = False):
    """A full-page PNG of what the browser shows now. The viewport is made as
    tall as the page for the shot, so Chirpy's fixed sidebar spans it all.
    The post's blocks are rendered only near the screen (content-visibility),
    each reserving a guessed height until then: the page grows as the taller
    viewport renders them, so the viewport follows until the height settles."""
    import base64
    import time
    width, height = driver.execute_script(
        "return [innerWidth, document.scrollingElement.scrollHeight]")
    try:
        for _ in range(10):
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone})
            time.sleep(0.3)  # a few frames: the newly near blocks render
            grown = driver.execute_script("return document.scrollingElement.scrollHeight")
            if grown == height:
                break
            height = grown
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        emulate_phone(driver, phone)
    path.write_bytes(base64.b64decode(shot["data"]))


def emulate_phone(driver, on: bool):
    if on:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
