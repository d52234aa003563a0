"""Every number the attention-step figure prints is the attention module's, at the printed rounding.
"""
import math
import re

import pytest
import torch
from matplotlib.text import Text

from figures_src.nn.attention import scaled_dot_product_attention

NAME = "attention-step"
NUMBER = re.compile(r"^=?\s*(−?\d+(?:\.(\d+))?)$")


def module_values(data):
    """The values, recomputed here from Q, K, V with the module's function."""
    q, k, v = data["Q"], data["K"], data["V"]
    output, weights = scaled_dot_product_attention(q, k, v)
    scores = q @ k.T
    return {"Q": q, "K": k, "V": v, "scores": scores, "scaled": scores / math.sqrt(q.shape[-1]),
            "weights": weights, "row_sums": weights.sum(-1), "output": output}


def printed_texts(figure_module, data, theme):
    with theme.rc():
        fig = figure_module(NAME).draw(data, theme)
    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def check_numbers(texts, values, decimals):
    """Every text that holds a digit is a checked number or a checked shape; returns how many
    numbers."""
    checked = 0
    for text in texts:
        string, gid = text.get_text(), text.get_gid()
        if not any(c.isdigit() for c in string):
            continue
        assert gid is not None, f"unchecked number in the figure: {string!r}"
        kind, _, index = gid.partition("/")
        if kind == "shape":
            rows, columns = (int(x) for x in re.match(r"^(\d+) × (\d+)", string).groups())
            assert (rows, columns) == tuple(values[index].shape), gid
            continue
        if kind == "scale":
            d_k = values["Q"].shape[-1]
            assert string == f"÷ √{d_k} = ÷ {math.sqrt(d_k):g}"
            continue
        match = NUMBER.match(string.strip())
        assert match, (gid, string)
        printed, digits = match.group(1), match.group(2) or ""
        assert len(digits) == decimals[kind], (gid, string)
        value = values[kind][tuple(int(i) for i in index.split("/"))].item()
        assert (abs(float(printed.replace("−", "-")) - value)
                <= 0.5 * 10 ** -decimals[kind] + 1e-9), (gid, string, value)
        checked += 1
    return checked


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_every_printed_number_is_the_modules(figure_data, figure_module, variant):
    from figures_src.build import style
    data = figure_data(NAME)
    theme = {t.name: t for t in style.THEMES}[variant]
    values = module_values(data)
    checked = check_numbers(printed_texts(figure_module, data, theme), values,
                            figure_module(NAME).DECIMALS)
    n, d_k, d_v = len(data["tokens"]), values["Q"].shape[1], values["V"].shape[1]
    # Q, K, V; scores, scaled, weights (twice), row sums; V again and the output
    assert checked == 2 * n * d_k + n * d_v + 4 * n * n + n + n * d_v + n * d_v


def test_a_wrong_number_is_caught(figure_data, figure_module):
    """Control: draw with one output value off by 0.01 and the check fails."""
    from figures_src.build import style
    data = dict(figure_data(NAME))
    wrong = data["output"].clone()
    wrong[1, 2] += 0.01
    data["output"] = wrong
    with pytest.raises(AssertionError):
        check_numbers(printed_texts(figure_module, data, style.LIGHT),
                      module_values(figure_data(NAME)),
                      figure_module(NAME).DECIMALS)


def test_data_is_the_modules_attention(figure_data):
    data = figure_data(NAME)
    values = module_values(data)
    for name in ("scores", "scaled", "weights", "output", "row_sums"):
        assert torch.equal(data[name], values[name]), name
    torch.testing.assert_close(data["weights"], torch.softmax(data["scaled"], -1))
    assert data["Q"].shape == data["K"].shape == (3, 4) and data["V"].shape[0] == 3


def test_rows_sum_to_one_and_printed_rows_too(figure_data, figure_module):
    data = figure_data(NAME)
    torch.testing.assert_close(data["weights"].sum(-1), torch.ones(3))
    fmt = figure_module(NAME).format_number
    for row in data["weights"]:
        assert sum(float(fmt(float(w), 2)) for w in row) == pytest.approx(1.0, abs=1e-9)
    assert float(data["weights"].max()) < 0.8  # nothing saturated: the softmax visibly mixes


def test_facts(figure_data):
    data = figure_data(NAME)
    facts = data["facts"]
    assert (facts["n"], facts["d_k"], facts["scale"]) == (3, 4, 2.0)
    assert facts["first_row_max"] == data["weights"][0].max().item()
    assert facts["first_row_argmax"] == data["tokens"][data["weights"][0].argmax()]


def relative_luminance(color):
    import matplotlib.colors as mcolors
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                for c in mcolors.to_rgb(color)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def test_numbers_contrast_with_their_cells(figure_data, figure_module):
    """WCAG 1.4.3: the numbers (theme text) on every cell fill at least 4.5:1, in both themes."""
    from figures_src.build import style
    from matplotlib.patches import Rectangle
    for theme in style.THEMES:
        with theme.rc():
            fig = figure_module(NAME).draw(figure_data(NAME), theme)
        fills = {r.get_facecolor()[:3] for r in fig.findobj(Rectangle) if r.get_facecolor()[3] > 0}
        text = relative_luminance(theme.text)
        for fill in fills:
            high, low = sorted((text, relative_luminance(fill)), reverse=True)
            assert (high + 0.05) / (low + 0.05) >= 4.5, (theme.name, fill)


def test_followed_row_and_projections_drawn(figure_data, figure_module):
    """The text says "follow the first row": that row is outlined in every matrix it runs through,
    and the Q/K/V projections from X lead into the example (issue 22)."""
    from matplotlib.patches import Rectangle

    from figures_src.build import style
    theme = style.LIGHT
    with theme.rc():
        fig = figure_module(NAME).draw(figure_data(NAME), theme)
    outlined = {r.get_gid() for r in fig.findobj(Rectangle)
                if (r.get_gid() or "").startswith("followed/")}
    assert outlined == {f"followed/{name}"
                        for name in ("Q", "scores", "scaled", "weights", "output")}
    cells = {t.get_gid(): t for t in fig.findobj(Text) if t.get_gid()}
    for name in ("Q", "scores", "output"):  # the outline sits on row 0's cells
        outline = next(r for r in fig.findobj(Rectangle) if r.get_gid() == f"followed/{name}")
        assert outline.get_y() <= cells[f"{name}/0/0"].get_position()[1] <= outline.get_y() + 1
    projections = {t.get_text() for t in fig.findobj(Text)
                   if (t.get_gid() or "").startswith("projection/")}
    assert {"$X W^Q$", "$X W^K$", "$X W^V$"} <= projections
