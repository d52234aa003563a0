"""The banner shows the trained reversal model's real attention, at the social-preview size,
labelled as the reversal figure is: rows by their input digit (left) and output (right)."""
import torch

from figures_src.experiments import reversal
from figures_src.experiments.seeds import SEEDS
from figures_src.build.render import RASTER_SCALE, png_size

NAME = "banner"


def test_maps_are_the_drawn_seeds_attention_on_held_out_sequences(figure_data):
    data = figure_data(NAME)
    runs = reversal.trained_reversal_models()
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    assert data["shown_seed"] == reversal.typical_seed(runs, held_out, SEEDS) == \
        figure_data("reversal-attention")["shown_seed"]
    model, _ = runs[SEEDS.index(data["shown_seed"])]
    for tokens in data["tokens"]:
        assert (held_out == tokens).all(-1).any()
    with torch.no_grad():
        seen = []
        outputs = model(data["tokens"], attention=seen).argmax(-1)
    torch.testing.assert_close(data["weights"], seen[0][:, 0])
    assert torch.equal(data["outputs"], outputs)
    assert torch.equal(outputs, data["tokens"].flip(-1))


def test_maps_are_anti_diagonal_distributions(figure_data):
    weights = figure_data(NAME)["weights"]
    n = weights.shape[-1]
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]))
    assert (weights.argmax(-1) == torch.arange(n - 1, -1, -1)).all()
    assert weights.flip(-1).diagonal(dim1=-2, dim2=-1).mean() > 0.9


def test_rows_are_labelled_with_inputs_and_outputs(figure_data, figure_module):
    from figures_src.build.style import LIGHT

    data = figure_data(NAME)
    with LIGHT.rc():
        fig = figure_module(NAME).draw(data, LIGHT)
    maps = [ax for ax in fig.axes if ax.images and ax.get_xticklabels()
            and len(ax.get_yticklabels()) == 8]
    assert len(maps) == len(data["tokens"])
    for ax, tokens, outputs in zip(maps, data["tokens"], data["outputs"]):
        digits = [str(t) for t in tokens.tolist()]
        assert [t.get_text() for t in ax.get_yticklabels()] == digits
        assert [t.get_text() for t in ax.get_xticklabels()] == digits
        (right,) = ax.child_axes
        assert [t.get_text() for t in right.get_yticklabels()] == [str(t) for t in outputs.tolist()]
    assert maps[0].get_ylabel() == "input" and maps[0].get_xlabel() == "input"
    assert maps[-1].child_axes[0].get_ylabel() == "output"


def test_rendered_at_preview_size(figure_data, figure_module):
    from figures_src.build import render, style
    module = figure_module(NAME)
    assert module.FIGURE.raster
    for theme in style.THEMES:
        with theme.rc():
            png = render.render(module.draw(figure_data(NAME), theme), raster=True).data
        assert png_size(png) == (module.WIDTH * RASTER_SCALE, module.HEIGHT * RASTER_SCALE)
