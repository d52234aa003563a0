"""The banner shows the trained reversal model's real attention, at the social-preview size."""
import torch

from figures_src.experiments.reversal import CONFIG, held_out_sequences, trained_reversal_model
from figures_src.build.render import RASTER_SCALE, png_size

NAME = "banner"


def test_maps_are_the_models_attention_on_held_out_sequences(figure_data):
    data = figure_data(NAME)
    model, _ = trained_reversal_model()
    held_out = held_out_sequences(CONFIG["n_held_out"], CONFIG["seed"])
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


def test_rendered_at_preview_size(figure_data, figure_module):
    from figures_src.build import render, style
    module = figure_module(NAME)
    assert module.FIGURE.raster
    for theme in style.THEMES:
        with theme.rc():
            png = render.render(module.draw(figure_data(NAME), theme), raster=True).data
        assert png_size(png) == (module.WIDTH * RASTER_SCALE, module.HEIGHT * RASTER_SCALE)
