"""The banner, the phone's largest first paint (_plugins/preview_image.rb):
offered in the sizes the figure pipeline writes, fetched at once, not lazily."""
import re

from figures_src.util import paths
from figures_src.build.render import png_size

BANNER = f"/{paths.image_dir(paths.SHOWCASE_POST).as_posix()}/banner-light.png"


def banner(post):
    images = post.select(f'.preview-img img[src="{BANNER}"]')
    assert len(images) == 1, f"the post shows its banner {BANNER} once atop the post"
    return images[0]


def png_width(path) -> int:
    return png_size(path.read_bytes())[0]


def test_banner_offers_each_size_the_pipeline_wrote(site, post):
    candidates = [c.split() for c in banner(post)["srcset"].split(",")]
    assert len(candidates) >= 3, "the full size and at least two smaller copies"
    widths = []
    for url, descriptor in candidates:
        file = site / url.lstrip("/")
        assert file.is_file(), f"srcset names {url}, which the site lacks"
        assert descriptor == f"{png_width(file)}w", \
            f"{url} is {png_width(file)} px wide, srcset says {descriptor}"
        widths.append(png_width(file))
    assert widths == sorted(widths) and widths[-1] == png_width(site / BANNER.lstrip("/"))
    assert widths[0] <= 760, "a phone's column (380 CSS px at 2x) has a copy of its size"


def test_banner_is_fetched_at_once(post):
    img = banner(post)
    assert img.get("loading") != "lazy", "the first screen's largest image must not wait for layout"
    assert img.get("fetchpriority") == "high"
    assert re.search(r"calc\(100vw - \d+px\)$", img["sizes"]), "the last size is the phone's column"


DARK_RULE = re.compile(r"@media ([^{]+) \{ ([^{]+) \{ content: url\(\"([^\"]+)\"\); \} \}")


def test_dark_mode_style_gives_each_screen_a_dark_copy_sharp_enough(site, post):
    """The head's style swaps in the dark render (_plugins/preview_image.rb):
    per band of window widths and dark root, the full render, then each
    smaller dark copy for screens of at most the density it offers there."""
    style = post.select_one("head style#preview-image-dark")
    assert style is not None, "no dark-mode style for the banner in the head"
    rules = DARK_RULE.findall(style.get_text())
    full_dark = BANNER.replace("-light.png", "-dark.png")
    widest = {"(max-width: 575.98px)": 544,
              "(min-width: 1200px)": 800}  # two bands, by Chirpy's column
    seen = 0
    for media, selector, url in rules:
        file = site / url.lstrip("/")
        assert file.is_file() and "-dark" in file.name and BANNER in selector, (media, url)
        resolution = re.search(r"max-resolution: ([\d.]+)dppx", media)
        assert (resolution is None) == (url == full_dark), \
            "only the full render applies at any density"
        band = next((b for b in widest if media.startswith(b)), None)
        if resolution and band:
            assert png_width(file) >= float(resolution.group(1)) * widest[band], \
                f"{url} blurred at {media}"
            seen += 1
    assert len(rules) == 4 * 2 * 3, "4 bands x 2 dark roots x (full render + 2 copies)"
    assert seen == 2 * 2 * 2
