"""The scaled dot-product figure: the project's attention is PyTorch's, and
the variance it prints is measured, d_k within 10%."""
import re

import pytest
import torch

from figures_src.style import LIGHT

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
    facts = figure_data(NAME)["facts"]
    uniform = 1 / facts["n_keys"]
    assert facts["max_weight_raw"] > 0.7  # close to one-hot
    assert uniform < facts["max_weight_scaled"] < 0.5


def test_diagram_is_the_papers_order_bottom_to_top(figure_data, figure_module):
    module = figure_module(NAME)
    graph = module.draw(figure_data(NAME), LIGHT)
    assert 'rankdir=BT' in graph.source
    edges = re.findall(r"^\s*(\w+) -> (\w+)(?!.*style=dotted)", graph.source, re.M)
    following = dict(edges)
    chain, node = [], "Q"
    while node in following:
        node = following[node]
        chain.append(node)
    assert chain == ["matmul_qk", "scale", "mask", "softmax", "matmul_v", "out"]
    assert ("V", "matmul_v") in edges and ("K", "matmul_qk") in edges
    notes = graph.source[graph.source.index("note_matmul_qk"):]
    assert f"{figure_data(NAME)['facts']['var_qk']:.1f}" in notes
