"""The mask grids are the mask functions' output, drawn cell for cell, and exactly what the models
apply."""
import matplotlib.colors as mcolors
import pytest
import torch
from matplotlib.patches import Rectangle

from figures_src.nn.attention import causal_mask, full_mask

NAME = "attention-masks"
EXPECTED = {  # panel -> the mask function the models use there
    "bert": lambda n, m: full_mask(n),
    "gpt": lambda n, m: causal_mask(n),
    "t5-encoder": lambda n, m: full_mask(n),
    "t5-cross": lambda n, m: full_mask(m, n),
    "t5-decoder": lambda n, m: causal_mask(m),
}


def panels(data):
    return {p["key"]: p for p in data["panels"]}


def test_grids_are_the_mask_functions_output(figure_data):
    data = figure_data(NAME)
    n, m = data["facts"]["n_source"], data["facts"]["n_target"]
    assert list(panels(data)) == list(EXPECTED)
    for key, panel in panels(data).items():
        assert torch.equal(panel["mask"], EXPECTED[key](n, m)), key
        assert panel["mask"].shape == (len(panel["rows"]), len(panel["columns"]))
    gpt = panels(data)["gpt"]["mask"]
    assert data["facts"]["gpt_allowed"] == n * (n + 1) // 2 == int(gpt.sum())


def test_models_zero_exactly_the_masked_weights(figure_data):
    """In every layer and head, a weight is non-zero exactly where the drawn grid allows it."""
    data = figure_data(NAME)
    for key, panel in panels(data).items():
        weights = panel["weights"]
        assert len(weights) == data["n_layers"], key  # one attention module per layer
        for name, w in weights.items():
            assert w.shape == (data["n_heads"], *panel["mask"].shape), (key, name)
            assert torch.equal(w > 0, panel["mask"].expand_as(w)), (key, name)
            torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:-1]))
    assert data["facts"]["largest_masked_weight"] == 0


def test_the_check_can_fail(figure_data):
    """Control: the encoder's weights do not pass the causal check, nor the decoder's the full one.
    """
    p = panels(figure_data(NAME))
    for source, other in (("bert", "gpt"), ("gpt", "bert")):
        w = next(iter(p[source]["weights"].values()))
        assert not torch.equal(w > 0, p[other]["mask"].expand_as(w))


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_drawn_cells_are_the_grids(figure_data, figure_module, variant):
    from figures_src.build import style
    theme = {t.name: t for t in style.THEMES}[variant]
    data = figure_data(NAME)
    with theme.rc():
        fig = figure_module(NAME).draw(data, theme)
    cells = {r.get_gid(): r for r in fig.findobj(Rectangle) if r.get_gid()}
    allowed = mcolors.to_rgba(theme.color("blue"))
    for key, panel in panels(data).items():
        mask = panel["mask"]
        drawn = [k for k in cells if k.startswith(key + "/")]
        assert len(drawn) == mask.numel(), key
        for i in range(mask.shape[0]):
            for j in range(mask.shape[1]):
                cell = cells[f"{key}/{i}/{j}"]
                assert (cell.get_facecolor() == allowed) == bool(mask[i, j]), (key, i, j)
                assert (cell.get_hatch() is None) == bool(mask[i, j])
