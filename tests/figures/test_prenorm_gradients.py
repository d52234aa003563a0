"""The prenorm-gradients figure, in the layer Xiong et al. analyse (self-attention +
FFN, Xavier, at initialisation): what the data shows is that pre-norm's gradient
falls with depth while post-norm's stays level, and that the top layer's post/pre
ratio grows like sqrt(L) (their Theorem 1). Each check has a control that fails it."""
import math

import pytest
import torch

NAME = "prenorm-gradients"


def _level(curve, tolerance=0.3):
    """Last over first layer within 1 +- tolerance: no trend from bottom to top."""
    return abs(float(curve[-1] / curve[0]) - 1) < tolerance


def test_pre_norm_falls_with_layer_index(figure_module, figure_data):
    data = figure_data(NAME)
    pre = data["mean"]["pre"]
    assert figure_module(NAME).spearman(pre) < -0.9
    assert pre[0] / pre[-1] > 2
    assert not _level(pre)  # the level check below can fail: it fails on pre-norm


def test_post_norm_stays_level_in_the_encoder(figure_data):
    """Xiong et al.'s Figure 3 has Post-LN rising towards the output; in this encoder
    at initialisation it does not (the post says so): last/first within 30%."""
    post = figure_data(NAME)["mean"]["post"]
    assert _level(post)


def test_top_layer_post_over_pre(figure_data):
    data = figure_data(NAME)
    mean = data["mean"]
    assert mean["post"][-1] / mean["pre"][-1] > 1.5
    assert data["facts"]["post_over_pre_top"] == pytest.approx(float(data["top_ratio"][-1]))


def test_top_ratio_grows_like_sqrt_depth(figure_data):
    """Theorem 1 (Xiong et al.): last layer O(d sqrt(ln d)) post-LN, O(d sqrt(ln d / L))
    pre-LN, so post/pre ~ sqrt(L). Each depth within 25% of sqrt(L), and rising."""
    data = figure_data(NAME)
    depths, ratio = data["depths"].double(), data["top_ratio"]
    assert (ratio.diff() > 0).all()
    assert torch.allclose(ratio / depths.sqrt(), torch.ones_like(ratio), atol=0.25)
    # control: a depth-independent ratio (the top layer's ratio at L = 1 everywhere) fails
    flat = torch.full_like(ratio, float(ratio[0]))
    assert not torch.allclose(flat / depths.sqrt(), torch.ones_like(ratio), atol=0.25)


def test_spearman_by_hand(figure_module):
    spearman = figure_module(NAME).spearman
    assert spearman([1.0, 2.0, 3.0, 4.0]) == pytest.approx(1.0)
    assert spearman([4.0, 3.0, 2.0, 1.0]) == pytest.approx(-1.0)
    assert spearman([1.0, 3.0, 2.0, 4.0]) == pytest.approx(0.8)  # 1 - 6*2/(4*15)
    with pytest.raises(ValueError, match="tied"):
        spearman([1.0, 1.0, 2.0])


def test_drawn_curves_are_the_measurements(figure_module, figure_data):
    data = figure_data(NAME)
    module = figure_module(NAME)
    # the left panel's run is the right panel's last point
    assert module.DEPTHS[-1] == module.N_LAYERS
    for name in ("post", "pre"):
        rows = data["norms"][name]
        assert rows.shape == (len(module.SEEDS), module.N_LAYERS)
        assert torch.allclose(data["mean"][name], rows.mean(0))
        assert torch.allclose(data["std"][name], rows.std(0))
        assert (rows > 0).all()
    for depth, ratio in zip(module.DEPTHS, data["top_ratio"]):
        runs = data["depth_norms"][depth]
        assert runs["post"].shape == (len(module.SEEDS), depth)
        assert float(ratio) == pytest.approx(float(runs["post"][:, -1].mean()
                                                   / runs["pre"][:, -1].mean()))
    # re-measuring one seed gives the same row: the figure is reproducible
    again = module.layer_gradient_norms(pre_norm=False, seed=module.SEEDS[-1])
    assert torch.allclose(again, data["norms"]["post"][-1])


def test_the_stack_is_self_attention_and_ffn(figure_module):
    """Xiong et al.'s analysed layer: no cross-attention, no causal mask."""
    from figures_src.nn.transformer import Encoder, TransformerConfig

    module = figure_module(NAME)
    encoder = Encoder(TransformerConfig(n_layers=2, **module.CONFIG))
    for block in encoder.blocks:
        assert not block.cross_attention and not block.causal


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    facts, mean = data["facts"], data["mean"]
    assert facts["n_layers"] == mean["post"].numel() == data["layers"].numel()
    assert facts["post_first"] == float(mean["post"][0])
    assert facts["pre_last"] == float(mean["pre"][-1])
    assert facts["pre_fall"] == pytest.approx(float(mean["pre"][0] / mean["pre"][-1]))
    assert facts["post_rise"] == pytest.approx(float(mean["post"][-1] / mean["post"][0]))
    assert facts["post_over_pre_top"] == pytest.approx(float(mean["post"][-1] / mean["pre"][-1]))
    assert math.isclose(facts["n_seeds"], data["norms"]["post"].shape[0])


def test_loss_is_ell_and_layers_are_L(figure_data, figure_module):
    """Issue 22: L is the number of layers (sqrt(L)), so the loss is written ℓ, never L."""
    from matplotlib.text import Text

    from figures_src.build import style
    with style.LIGHT.rc():
        fig = figure_module("prenorm-gradients").draw(figure_data("prenorm-gradients"), style.LIGHT)
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]
    assert any("\\partial \\ell" in t for t in texts)
    assert not any("\\partial L" in t for t in texts)
    assert any("post-norm ÷ pre-norm" in t for t in texts)
    assert any("number of layers $L$" in t for t in texts)
