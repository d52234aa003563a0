"""The multi-head figure: a one-head and a two-head model of the same width and
budget, scored on the same held-out sequences; what each head does, measured over
all of them; the drawn maps, marks and outputs are the model's. (That the
hand-written multi-head attention equals nn.MultiheadAttention is tested in
tests/nn/test_attention.py.)"""
import pytest
import torch

from figures_src.nn.transformer import count_parameters
from figures_src.build.style import LIGHT

NAME = "multi-head"


def _models(figure_module):
    two_lookups = figure_module(NAME).two_lookups
    return two_lookups, {h: two_lookups.trained_two_lookups_model(n_heads=h) for h in (1, 2)}


def test_one_and_two_heads_have_the_same_budget(figure_module):
    """Same width, same parameter count, same data, seed and step limit: only h differs."""
    two_lookups, models = _models(figure_module)
    (one, _), (two, _) = models[1], models[2]
    assert count_parameters(one) == count_parameters(two)
    assert one.encoder.blocks[0].self_attn.n_heads == 1 and two.encoder.blocks[0].self_attn.n_heads == 2
    assert one.encoder.blocks[0].self_attn.d_model == two.encoder.blocks[0].self_attn.d_model


def test_accuracies_are_measured_on_the_held_out_sequences(figure_data, figure_module):
    data = figure_data(NAME)
    two_lookups, models = _models(figure_module)
    held_out = two_lookups.held_out()
    assert torch.equal(data["held_out"], held_out)
    assert data["facts"]["n_eval"] == len(held_out) == data["eval_maps"].shape[0]
    for heads in (1, 2):
        _, sequence_acc = two_lookups.accuracy(models[heads][0], held_out)
        assert data["facts"][f"accuracy_{heads}"] == pytest.approx(sequence_acc, abs=1e-4)


def test_two_heads_solve_the_task(figure_data):
    assert figure_data(NAME)["facts"]["accuracy_2"] > 0.99


def test_what_each_head_does_over_all_held_out_data(figure_data, figure_module):
    """The caption's mixes, measured over every held-out sequence: head 1 leans on the
    previous token (about 3/4 of its weight, and its largest weight is there in over 90%
    of positions); head 2 splits about evenly between the two. A head that simply
    swapped roles row to row would also read about 0.5 (the control in
    tests/experiments/test_two_lookups.py), which is why head 1's number matters."""
    data = figure_data(NAME)
    roles = figure_module(NAME).two_lookups.head_roles(data["eval_maps"])
    facts = data["facts"]
    for head in (1, 2):
        for role in ("previous", "mirror"):
            assert facts[f"head{head}_{role}"] == pytest.approx(float(roles[f"{role}_weight"][head - 1]), abs=1e-4)
    assert facts["head1_previous"] > 0.6 and roles["previous"][0] > 0.9
    assert 0.3 < facts["head2_previous"] < 0.7 and 0.3 < facts["head2_mirror"] < 0.7
    # nearly all of each head's weight is on the two tokens the task needs
    for head in (1, 2):
        assert facts[f"head{head}_previous"] + facts[f"head{head}_mirror"] > 0.9


def test_one_head_does_not_learn_it_in_the_same_steps(figure_data, figure_module):
    """The caption's baseline: the same budget leaves one head far from solving it."""
    facts = figure_data(NAME)["facts"]
    _, models = _models(figure_module)
    assert models[1][1]["steps"] == facts["max_steps"] and not models[1][1]["stopped_early"]
    assert facts["accuracy_1"] < 0.5 < facts["accuracy_2"]


def test_drawn_maps_and_outputs_are_the_models(figure_data, figure_module):
    data = figure_data(NAME)
    two_lookups, models = _models(figure_module)
    example = torch.tensor([data["tokens"]])
    index = int((data["held_out"] == example).all(-1).nonzero()[0])  # a held-out sequence
    assert torch.equal(data["maps"], data["eval_maps"][index])
    assert torch.allclose(data["maps"].sum(-1), torch.ones(data["maps"].shape[:2]), atol=1e-6)
    model = models[2][0]
    with torch.no_grad():
        assert model(example).argmax(-1)[0].tolist() == data["outputs"]
    assert data["targets"] == two_lookups.targets(example)[0].tolist()
    assert len(set(data["tokens"])) == len(data["tokens"])  # every tick label is unique


def test_marks_colorbar_and_row_outputs_are_drawn(figure_data, figure_module):
    data = figure_data(NAME)
    fig = figure_module(NAME).draw(data, LIGHT)
    heads, length = data["maps"].shape[:2]
    map_axes = [ax for ax in fig.axes if ax.images]
    assert len(map_axes) == heads
    for ax in map_axes:
        marks = [(line.get_marker(), tuple(line.get_xydata()[0])) for line in ax.lines]
        mirror = {(length - 1 - i, i) for i in range(length)}
        previous = {(i - 1, i) for i in range(1, length)}
        assert {xy for m, xy in marks if m == "o"} == mirror
        assert {xy for m, xy in marks if m == "x"} == previous
    every_axes = fig.axes + [child for ax in fig.axes for child in ax.child_axes]
    colorbars = [ax for ax in every_axes if ax.get_ylabel() == "attention weight"]
    assert len(colorbars) == 1  # one colour scale, labelled
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    for i, output in enumerate(data["outputs"]):
        assert any(t.endswith(f"→ {output}") for t in texts)
