"""The scaled dot-product figure: the project's attention is PyTorch's, the
variance it quotes is measured (d_k within 10%), and the bars are one typical
query's real softmax weights, saturated unscaled and spread out scaled."""
import math

import pytest
import torch

from figures_src.build.style import LIGHT

NAME = "scaled-dot-product"


def test_project_attention_equals_pytorch(figure_data):
    check = figure_data(NAME)["check"]
    assert torch.allclose(check["ours"], check["torch"], atol=1e-12, rtol=0)
    assert torch.allclose(check["ours_masked"], check["torch_masked"], atol=1e-12, rtol=0)
    # the mask really masks: no weight above the diagonal, rows still sum to one
    weights = check["weights_masked"]
    assert (weights.masked_select(~check["mask"]) == 0).all()
    assert torch.allclose(weights.sum(-1), torch.ones_like(weights.sum(-1)))


def test_measured_variance_is_d_k(figure_data):
    data = figure_data(NAME)
    d_k = data["d_k"]
    variance = data["dots"].var().item()
    assert abs(variance - d_k) < 0.1 * d_k
    assert abs(data["scaled"].var().item() - 1) < 0.1
    assert data["facts"]["var_qk"] == pytest.approx(variance, rel=1e-3)  # what the post quotes


def test_scaling_keeps_softmax_out_of_saturation(figure_data):
    data = figure_data(NAME)
    facts = data["facts"]
    weights = torch.softmax(data["raw_scores"], -1)
    scaled = torch.softmax(data["raw_scores"] / math.sqrt(data["d_k"]), -1)
    assert facts["max_weight_raw"] == pytest.approx(float(weights.max(-1).values.mean()), rel=1e-12)
    assert facts["max_weight_scaled"] == pytest.approx(float(scaled.max(-1).values.mean()),
                                                       rel=1e-12)
    uniform = 1 / facts["n_keys"]
    assert facts["max_weight_raw"] > 0.7  # close to one-hot
    assert uniform < facts["max_weight_scaled"] < 0.5


def test_bars_are_one_typical_querys_weights(figure_data):
    data = figure_data(NAME)
    facts = data["facts"]
    scores = data["raw_scores"][data["example"]]
    order = scores.argsort(descending=True)
    assert torch.equal(data["example_raw"], torch.softmax(scores, -1)[order])
    assert torch.equal(data["example_scaled"],
                       torch.softmax(scores / math.sqrt(data["d_k"]), -1)[order])
    # typical, not picked: its largest weights are near the averages the caption quotes
    assert abs(float(data["example_raw"][0]) - facts["max_weight_raw"]) < 0.05
    assert abs(float(data["example_scaled"][0]) - facts["max_weight_scaled"]) < 0.05
    # what the reader sees: one key takes most of the weight unscaled, several share it scaled
    assert ((data["example_raw"] > 0.1).sum() <= 2
            < (data["example_scaled"] > 1 / facts["n_keys"]).sum())


def test_diagram_is_the_papers_order_bottom_to_top(figure_data, figure_module):
    data = figure_data(NAME)
    assert data["steps"] == ["matmul_qk", "scale", "mask", "softmax", "matmul_v"]
    module = figure_module(NAME)
    with LIGHT.rc():
        fig = module.draw(data, LIGHT)
    diagram = fig.axes[0]
    drawn = {t.get_text(): t.get_position()[1] for t in diagram.texts}
    labels = [label for _, label, _ in module.STEPS]
    heights = [next(y for text, y in drawn.items() if text.startswith(label)) for label in labels]
    assert heights == sorted(heights) and len(set(heights)) == len(heights)
    assert labels[0].startswith("MatMul") and "QK" in labels[0]
    assert labels[-1].startswith("MatMul") and "V" in labels[-1]


def test_bar_labels_say_which_number_and_sit_clear_of_the_bars(figure_data, figure_module):
    """Issue 22: the label gives this query's largest weight and the mean the caption quotes,
    and no label sits over a bar; the scale box names an operation, not a result."""
    data = figure_data(NAME)
    facts = data["facts"]
    module = figure_module(NAME)
    with LIGHT.rc():
        fig = module.draw(data, LIGHT)
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for key, mean in (("example_raw", "max_weight_raw"), ("example_scaled", "max_weight_scaled")):
        (label,) = [t for ax in fig.axes for t in ax.texts if t.get_gid() == f"largest/{key}"]
        assert f"this query: {float(data[key][0]):.2f}" in label.get_text()
        assert f"mean of {data['n_queries']:,}: {facts[mean]:.2f}" in label.get_text()
        box = label.get_window_extent(renderer)
        bars = [p for p in label.axes.patches if p.get_height() > 0]
        assert bars and not any(box.overlaps(bar.get_window_extent(renderer)) for bar in bars)
    diagram = fig.axes[0]
    assert not any("=" in t.get_text() for t in diagram.texts if t.get_text().startswith("Scale"))
    assert [t.get_text() for t in diagram.texts
            if t.get_gid() == "scale-value"] == [f"here\n÷ {math.sqrt(data['d_k']):g}"]
