"""The decoder-only block figure draws the trained causal model's own block."""
import pytest

from blockdot import replay
from figures_src.figures import diagrams
from figures_src.build import style
from figures_src.experiments.reversal import trained_causal_reversal_model
from figures_src.build.render import render

NAME = "decoder-only-block"


def test_drawn_block_computes_the_trained_models_block(figure_data, figure_module):
    model, _ = trained_causal_reversal_model()
    block = model.blocks[0]
    spec = figure_data(NAME)["spec"]
    assert spec == diagrams.describe(block)
    assert spec.pre_norm and spec.causal and not spec.cross_attention
    source = figure_module(NAME).draw(figure_data(NAME), style.LIGHT).source
    replay(source, "block", "embed", diagrams.call_order(block))
    assert "Masked Multi-Head" in source


def test_the_stack_around_the_block_is_the_models(figure_data):
    model, _ = trained_causal_reversal_model()
    data = figure_data(NAME)
    assert data["n_layers"] == len(model.blocks) == data["facts"]["n_layers"]
    assert data["final_norm"] == type(model.final_norm).__name__ == "LayerNorm"
    assert data["positional"] == model.config.positional
    assert data["vocab_size"] == model.lm_head.out_features


@pytest.mark.parametrize("theme", style.THEMES, ids=lambda t: t.name)
def test_fits_a_laptop_screen(figure_module, figure_data, theme):
    rendered = render(figure_module(NAME).draw(figure_data(NAME), theme))
    assert rendered.height <= 760 and rendered.width <= 740
