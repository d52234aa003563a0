"""Readability floors (tests/figures/legibility.py says what they are and how each
is measured) on every figure module in both themes, as pipeline.build draws it;
and each floor shown to fail on a synthetic bad figure, with a clean control.

`.venv/bin/python tests/figures/legibility.py [NAME ...]` prints the measurements.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

from figures_src.build import render as output, style
from tests.figures.legibility import (FIGURES, FLOORS, THEMES, MAX_HEIGHT, Measured, contrast,
                                      dot_json,
                                      height_problems, legend_problems, line_contrast_problems,
                                      measure,
                                      scale_problems, script_scale, script_size_problems,
                                      text_contrast_problems, text_size_problems,
                                      theme_colour_problems)


@pytest.fixture(scope="session")
def measured_figure(figure_data, figure_module):
    """measured_figure("rope", "light") -> Measured, drawn and rendered as pipeline.build does."""
    @functools.lru_cache(maxsize=None)
    def get(name: str, theme_name: str) -> Measured:
        module = figure_module(name)
        data = figure_data(name)
        theme = THEMES[theme_name]
        with theme.rc():
            return measure(module.draw(data, theme), theme, f"{name}/{theme_name}",
                           raster=module.FIGURE.raster)
    return get


CASES = [pytest.param(name, theme, id=f"{name}-{theme}") for name in FIGURES for theme in THEMES]


@pytest.mark.parametrize("floor", list(FLOORS))
@pytest.mark.parametrize("name, theme", CASES)
def test_floor(measured_figure, name, theme, floor):
    problems = FLOORS[floor](measured_figure(name, theme))
    assert not problems, "\n".join(problems)


# -- the checks can fail: a synthetic bad figure and a clean control ---------------------

def _bad_matplotlib(theme):
    import matplotlib.pyplot as plt

    fig, (plot, heat) = plt.subplots(1, 2, figsize=(6.0, 3.0))
    plot.plot([0, 1, 2, 3], [0, 1, 2, 3], color=theme.color("blue"), label="the data line")
    plot.legend(loc="center")  # right on the line
    plot.text(0.2, 2.5, "tiny", fontsize=4)
    plot.text(2.0, 0.5, "orange", color="#E69F00", fontsize=13)
    heat.imshow(np.arange(16.0).reshape(4, 4), cmap="viridis")  # no colorbar, no labels
    heat.plot([0, 3], [0, 3], color="#F0E442")  # a yellow line on white
    return fig


def _clean_matplotlib(theme):
    import matplotlib.pyplot as plt

    fig, (plot, heat) = plt.subplots(1, 2, figsize=(6.0, 3.0))
    plot.plot([0, 1, 2, 3], [0, 1, 2, 3], color=theme.text, label="the data line")
    plot.legend(loc="lower right")
    plot.grid(True)
    plot.set_xlabel("x")
    image = heat.imshow(np.arange(16.0).reshape(4, 4), cmap="viridis")
    fig.colorbar(image, ax=heat).set_label("value")
    return fig


@pytest.fixture(scope="module")
def bad_matplotlib():
    theme = style.LIGHT
    with theme.rc():
        return measure(_bad_matplotlib(theme), theme, "bad/light")


def test_bad_figure_tiny_text(bad_matplotlib):
    problems = text_size_problems(bad_matplotlib)
    assert any("'tiny' is 5.3 CSS px at laptop size" in p for p in problems), problems
    assert any("'tiny'" in p and "on a phone" in p for p in problems), problems
    assert all("'orange'" not in p for p in problems), problems  # 13 pt is fine


def test_bad_figure_orange_text(bad_matplotlib):
    problems = text_contrast_problems(bad_matplotlib)
    assert any("'orange' #E69F00 on #FFFFFF is 2.25:1" in p for p in problems), problems
    assert all("'tiny'" not in p for p in problems), problems  # the theme's text passes


def test_bad_figure_yellow_line(bad_matplotlib):
    problems = line_contrast_problems(bad_matplotlib)
    assert any("#F0E442" in p and "1.32:1" in p for p in problems), problems
    assert all("'the data line'" not in p for p in problems), problems


def test_bad_figure_unlabelled_scale(bad_matplotlib):
    problems = scale_problems(bad_matplotlib)
    assert len(problems) == 1 and "no colorbar and no direct labels" in problems[0], problems


def test_bad_figure_legend_over_line(bad_matplotlib):
    problems = legend_problems(bad_matplotlib)
    assert any("'the data line'" in p and "overlaps Line2D 'the data line'" in p
               for p in problems), problems


def test_clean_figure_passes():
    theme = style.LIGHT
    with theme.rc():
        m = measure(_clean_matplotlib(theme), theme, "clean/light")
    assert m.texts and m.strokes
    for floor, check in FLOORS.items():
        assert not check(m), (floor, check(m))


def test_unlabelled_colorbar_is_caught():
    import matplotlib.pyplot as plt

    theme = style.DARK
    with theme.rc():
        fig, ax = plt.subplots(figsize=(4, 3))
        fig.colorbar(ax.imshow(np.eye(3), cmap=theme.cmap()), ax=ax)
        problems = scale_problems(measure(fig, theme, "bare-colorbar/dark"))
    assert len(problems) == 1 and "its colorbar has no label" in problems[0], problems


def test_contrast_samples_what_text_sits_on():
    """White text on a dark cell passes; the same white text on the white page fails."""
    import matplotlib.pyplot as plt

    theme = style.LIGHT
    with theme.rc():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.imshow(np.array([[0.0, 1.0]]), cmap=theme.cmap(), vmin=0, vmax=1)
        ax.text(1, 0, "on dark", color="white", ha="center", va="center")
        ax.set_title("on white", color="white")
        m = measure(fig, theme, "white-text/light")
    problems = text_contrast_problems(m)
    assert any("'on white'" in p for p in problems), problems
    assert all("'on dark'" not in p for p in problems), problems


def _bad_graphviz(theme):
    g = theme.digraph("bad")
    g.node("tiny", "tiny", fontsize="6")
    g.node("orange", "orange", fontcolor="#E69F00")
    g.node("yellow", "yellow box", color="#F0E442")
    g.node("tall", "tall", height="12")
    g.edge("tiny", "orange", label="small", fontsize="8")
    return g


def test_bad_graphviz():
    theme = style.LIGHT
    with theme.rc():
        m = measure(_bad_graphviz(theme), theme, "bad-dot/light")
    sizes = text_size_problems(m)
    assert any("'tiny' is 8.0 CSS px at laptop size" in p for p in sizes), sizes
    assert any("'small' is 10.7 CSS px at laptop size" in p for p in sizes), sizes
    assert all("'orange'" not in p for p in sizes), sizes
    contrasts = text_contrast_problems(m)
    assert any("'orange' #E69F00 on #FFFFFF is 2.25:1" in p for p in contrasts), contrasts
    assert len(contrasts) == 1, contrasts
    lines = line_contrast_problems(m)
    assert any("node 'yellow' outline #F0E442" in p for p in lines), lines
    assert len(lines) == 1, lines
    assert height_problems(m) and "tall at laptop size" in height_problems(m)[0]


def test_graphviz_text_on_fill():
    """Text inside a filled node is measured against the fill, not the page."""
    theme = style.LIGHT
    g = theme.digraph("fill")
    g.node("dark", "on black", fillcolor="#000000", fontcolor="#ffffff")
    g.node("plain", "on white", fontcolor="#ffffff", shape="plaintext", style="")
    with theme.rc():
        problems = text_contrast_problems(measure(g, theme, "fill/light"))
    assert len(problems) == 1 and "'on white'" in problems[0], problems


def test_graphviz_units():
    """xdot coordinates and font sizes share one unit (pt) with the SVG's size: the CSS
    width output.render reports is the laid-out width (plus the pad) x 4/3."""
    theme = style.LIGHT
    g = theme.digraph("units")
    g.node("a", "a known case", fontsize="36")
    laid = dot_json(g)
    x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
    pad_pt = 72 * float(theme.graph_attr["pad"])
    with theme.rc():
        rendered = output.render(g)
    assert abs(rendered.width - (x1 - x0 + 2 * pad_pt) * style.CSS_PX_PER_PT) <= 2
    assert abs(rendered.height - (y1 - y0 + 2 * pad_pt) * style.CSS_PX_PER_PT) <= 2
    fonts = [op["size"] for o in laid["objects"] for op in o.get("_ldraw_", []) if op["op"] == "F"]
    assert fonts == [36.0]


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#E69F00", "#ffffff") == pytest.approx(2.25, abs=0.01)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("theme", style.THEMES, ids=lambda t: t.name)
def test_theme_colours(theme):
    problems = theme_colour_problems(theme)
    assert not problems, "\n".join(problems)


def test_theme_colours_control():
    """The raw Okabe-Ito orange on white, and a too-strong dark fill, are caught."""
    import dataclasses

    raw = dataclasses.replace(style.LIGHT, ink_contrast={"orange": 1.0})
    assert any("color('orange') #e69f00 is 2.25:1" in p for p in theme_colour_problems(raw))
    dim = dataclasses.replace(style.DARK, text="#777777")
    assert any("theme.text on fill('yellow')" in p for p in theme_colour_problems(dim))


# -- the raised floors of issue 22, each failing on a synthetic figure ---------------------

def _wide_matplotlib(theme, texts, height=2.0):
    """A figure about 720 CSS px wide holding `texts` ((x, string, pt), ...) on a blank axes."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(7.5, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.plot([0, 1], [0, 1], color=theme.text)  # spans the figure, so the tight bbox keeps it all
    for x, string, pt in texts:
        ax.text(x, 0.5, string, fontsize=pt, ha="center")
    return fig


def test_phone_base_text_floor():
    """12 pt text is 16 CSS px on a laptop (fine) and under 9 px in a phone column once
    a 720-px figure shrinks to 343 px; 16 pt text passes both."""
    theme = style.LIGHT
    with theme.rc():
        m = measure(_wide_matplotlib(theme, [(0.25, "twelve", 12), (0.75, "sixteen", 16)]), theme,
                    "phone/light")
    assert m.width > 640, m.width
    problems = text_size_problems(m)
    assert any("'twelve'" in p and "on a phone" in p for p in problems), problems
    assert all("at laptop size" not in p for p in problems), problems
    assert all("'sixteen'" not in p for p in problems), problems


def test_matplotlib_script_floor_measures_as_rendered():
    """A 15 pt subscript's base passes 9 px on a phone, but mathtext draws the subscript
    at 0.7 of it, under 7 px: caught, at the size drawn (not the base size)."""
    theme = style.LIGHT
    with theme.rc():
        m = measure(_wide_matplotlib(theme, [(0.25, "$x_{small}$", 15), (0.75, "$x_{big}$", 22)]),
                    theme, "script/light")
    assert not text_size_problems(m), text_size_problems(m)
    problems = script_size_problems(m)
    assert len(problems) == 1 and "'$x_{small}$'" in problems[0], problems
    drawn = 0.7 * 15 * style.CSS_PX_PER_PT * m.phone_scale
    assert f"is {drawn:.1f} CSS px on a phone" in problems[0], (drawn, problems)


def test_graphviz_script_floor_measures_as_rendered():
    """A graphviz <SUB> is drawn smaller than its font (pango, measured by script_scale):
    a subscript under 7 px on a phone is caught, though its font size alone would pass."""
    theme = style.LIGHT
    g = theme.digraph("scripts")
    g.node("wide",
           '<<FONT POINT-SIZE="28">base <I>W</I></FONT><FONT POINT-SIZE="17"><SUB>qk</SUB></FONT>>',
           width="10", shape="box")
    with theme.rc():
        m = measure(g, theme, "scripts/light")
    assert 0.7 < script_scale() < 0.95, script_scale()
    assert not text_size_problems(m), text_size_problems(m)  # the script is not base text
    (sub,) = m.script_texts
    assert 17 * style.CSS_PX_PER_PT * m.phone_scale >= 7  # at its font size it would pass
    problems = script_size_problems(m)
    assert len(problems) == 1 and "'qk'" in problems[0], problems


def test_height_floor_680():
    """A figure 700 CSS px tall at the 740-px column (which the old 760 floor let through)."""
    theme = style.LIGHT
    with theme.rc():
        m = measure(_wide_matplotlib(theme, [(0.5, "tall", 16)], height=7.4), theme, "tall/light")
    shown = m.height * m.laptop_scale
    assert MAX_HEIGHT < shown < 760, shown
    assert height_problems(m) and "tall at laptop size" in height_problems(m)[0]
    with theme.rc():
        short = measure(_wide_matplotlib(theme, [(0.5, "short", 16)], height=6.6), theme,
                        "short/light")
    assert short.height * short.laptop_scale <= MAX_HEIGHT and not height_problems(short)
