"""The multi-head figure: our MultiHeadAttention is nn.MultiheadAttention, and
the maps drawn are the weights of the trained model's heads."""
import re

import pytest
import torch

from figures_src.style import LIGHT

NAME = "multi-head"


def test_hand_written_multi_head_equals_pytorch(figure_data):
    check = figure_data(NAME)["check"]
    assert torch.allclose(check["ours"], check["torch"], atol=1e-6)
    assert torch.allclose(check["ours_maps"], check["torch_maps"], atol=1e-6)


def test_pytorch_twin_would_catch_a_wrong_weight(figure_data, figure_module):
    """The comparison is sharp: one swapped projection changes the output."""
    module = figure_module(NAME)
    model, _ = module.two_lookups.trained_two_lookups_model()
    attention = model.encoder.blocks[0].self_attn
    twin = attention.to_torch()
    with torch.no_grad():
        twin.in_proj_weight[: attention.d_model] = attention.w_k.weight  # W_q := W_k
        x = figure_data(NAME)["check"]["x"]
        wrong, _ = twin(x, x, x)
    assert not torch.allclose(wrong, figure_data(NAME)["check"]["ours"], atol=1e-4)


def test_maps_are_attention_weights_of_each_head(figure_data):
    data = figure_data(NAME)
    maps = data["maps"]
    heads, length = data["config"]["n_heads"], len(data["tokens"])
    assert maps.shape == (heads, length, length)
    assert torch.allclose(maps.sum(-1), torch.ones(heads, length), atol=1e-6)
    assert data["config"]["d_k"] * heads == data["config"]["d_model"]


def test_heads_split_the_two_lookups(figure_data, figure_module):
    data = figure_data(NAME)
    facts = data["facts"]
    assert facts["accuracy"] > 0.99
    assert facts["split"] == pytest.approx(figure_module(NAME).split_share(data["eval_maps"]), abs=1e-4)
    assert facts["split"] > 0.5  # the caption's claim: most positions are split between heads


def test_accuracy_and_split_are_measured_on_the_held_out_sequences(figure_data, figure_module):
    """The caption's "held-out": the sequences scored are the ones training never drew."""
    data = figure_data(NAME)
    two_lookups = figure_module(NAME).two_lookups
    held_out = two_lookups.held_out()
    assert torch.equal(data["held_out"], held_out)
    assert data["facts"]["n_eval"] == len(held_out) == data["eval_maps"].shape[0]
    model, _ = two_lookups.trained_two_lookups_model()
    _, sequence_acc = two_lookups.accuracy(model, held_out)
    assert data["facts"]["accuracy"] == pytest.approx(sequence_acc, abs=1e-4)


def test_head_colours_are_passed_not_guessed(figure_data, figure_module):
    module = figure_module(NAME)
    data = figure_data(NAME)
    weights, tokens = data["maps"][0], data["tokens"]
    blue = module._map_label(weights, tokens, "head 1", "blue", LIGHT)
    orange = module._map_label(weights, tokens, "head 1", "orange", LIGHT)
    assert blue != orange
    assert blue == module._map_label(weights, tokens, "any title", "blue", LIGHT).replace("any title", "head 1")


def test_split_share_counts_only_complementary_heads(figure_module):
    split_share = figure_module(NAME).split_share
    length = 8
    mirror = torch.eye(length).flip(-1)
    previous = torch.diag(torch.ones(length - 1), -1)
    previous[0, 0] = 1
    assert split_share(torch.stack([mirror, previous])[None]) == 1.0
    assert split_share(torch.stack([mirror, mirror])[None]) == 0.0


def test_diagram_labels_and_cells_come_from_the_data(figure_data, figure_module):
    data = figure_data(NAME)
    source = figure_module(NAME).draw(data, LIGHT).source
    c = data["config"]
    assert len(re.findall(r'BGCOLOR="#[0-9a-f]{6}"', source)) == c["n_heads"] * len(data["tokens"]) ** 2
    assert f"{c['d_model']} → <I>d<SUB>k</SUB></I> = {c['d_k']}" in source
    assert f"{c['n_heads']} × {c['d_k']} = {c['d_model']}" in source
