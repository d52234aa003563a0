"""The prenorm-gradients figure shows Xiong et al.'s effect on the curves it
draws: post-norm's gradient grows with depth, and at the top it is well
above pre-norm's."""
import pytest
import torch

NAME = "prenorm-gradients"
pytestmark = pytest.mark.slow  # compute() builds and backpropagates 20 twelve-layer models (~20 s)


def test_post_norm_gradient_grows_with_layer_index(figure_module, figure_data):
    data = figure_data(NAME)
    assert figure_module(NAME).spearman(data["mean"]["post"]) > 0.8
    assert data["mean"]["post"][-1] > data["mean"]["post"][0]


def test_top_layer_post_over_pre(figure_data):
    mean = figure_data(NAME)["mean"]
    assert mean["post"][-1] / mean["pre"][-1] > 1.5


def test_pre_norm_does_not_grow(figure_module, figure_data):
    data = figure_data(NAME)
    assert figure_module(NAME).spearman(data["mean"]["pre"]) < 0
    assert data["mean"]["pre"][-1] <= data["mean"]["pre"][0]


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
    for name in ("post", "pre"):
        rows = data["norms"][name]
        assert rows.shape == (len(module.SEEDS), module.CONFIG["n_layers"])
        assert torch.allclose(data["mean"][name], rows.mean(0))
        assert torch.allclose(data["std"][name], rows.std(0))
        assert (rows > 0).all()
    # re-measuring one seed gives the same row: the figure is reproducible
    again = module.layer_gradient_norms(pre_norm=False, seed=module.SEEDS[-1])
    assert torch.allclose(again, data["norms"]["post"][-1])


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    facts, mean = data["facts"], data["mean"]
    assert facts["n_layers"] == mean["post"].numel() == data["layers"].numel()
    assert facts["post_first"] == float(mean["post"][0])
    assert facts["pre_last"] == float(mean["pre"][-1])
    assert facts["post_over_pre_top"] == pytest.approx(float(mean["post"][-1] / mean["pre"][-1]))
