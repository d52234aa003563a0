"""The unrolled RNN figure is drawn from the RNN's own forward pass: one node
per step it took, every recurrent edge is the same parameter tensor, and the
dashed backward arrows stand for Jacobians that change every step."""
import re

import torch

from figures_src.experiments import untrained_rnn
from figures_src.build.style import LIGHT

NAME = "rnn-unrolled"


def dot_source(figure_data, figure_module):
    return figure_module(NAME).draw(figure_data(NAME), LIGHT).source


def test_one_node_per_step_taken(figure_data, figure_module):
    data = figure_data(NAME)
    source = dot_source(figure_data, figure_module)
    unrolled_cells = re.findall(r"^\s*h(\d+) \[.*shape=circle", source, re.M)
    assert (len(unrolled_cells) == len(data["steps"]) == data["states"].shape[0]
            == data["facts"]["steps"])
    assert [int(t) for t in unrolled_cells] == [s["t"] + 1 for s in data["steps"]]


def test_every_recurrent_edge_is_the_same_parameter(figure_data, figure_module):
    data = figure_data(NAME)
    rnn = data["rnn"]
    assert all(step["recurrent_weight"] is rnn.W_hh for step in data["steps"])
    source = dot_source(figure_data, figure_module)
    forward = [line for line in source.splitlines() if "dashed" not in line]
    chain = [m.groups() for m in (re.match(r"^\s*(h\d+) -> (h\d+) \[label=(.*?) color", line)
                                  for line in forward) if m]
    assert [head for _, head, _ in chain] == [f"h{s['t'] + 1}" for s in data["steps"]]
    assert len({label for *_, label in chain}) == 1 and "<I>W</I><SUB>hh</SUB>" in chain[0][2]


def test_backward_arrows_run_the_chain_in_reverse(figure_data, figure_module):
    data = figure_data(NAME)
    source = dot_source(figure_data, figure_module)
    backward = re.findall(r"^\s*h(\d+) -> h(\d+) \[label=<× <I>J</I><SUB>(\d+)</SUB>>.*dashed",
                          source, re.M)
    steps = len(data["steps"])
    assert [tuple(map(int, edge)) for edge in backward] == [(t, t - 1, t)
                                                            for t in range(steps, 1, -1)]
    assert len(data["jacobians"]) == steps - 1


def test_drawn_states_follow_the_recurrence(figure_data):
    """The steps drawn are real: h_t = tanh(W_xh x_t + W_hh h_(t-1) + b), one W_hh throughout."""
    data = figure_data(NAME)
    rnn = data["rnn"]
    with torch.no_grad():
        h = torch.zeros(rnn.hidden_size, dtype=data["states"].dtype)
        for x_t, state in zip(data["inputs"], data["states"]):
            h = torch.tanh(rnn.W_xh @ x_t + rnn.W_hh @ h + rnn.b)
            assert torch.allclose(h, state, atol=1e-12)


def test_jacobians_are_diag_times_w_hh_and_change_every_step(figure_data):
    """The caption: J_t = diag(1 - h_t^2) W_hh is a different matrix each step, with one W_hh in it.
    """
    data = figure_data(NAME)
    w_hh, states = data["rnn"].W_hh.detach(), data["states"]
    for j, jacobian in enumerate(data["jacobians"]):
        h_t = states[j + 1]
        assert torch.allclose(jacobian, torch.diag(1 - h_t ** 2) @ w_hh, atol=1e-12)
    first, second = data["jacobians"][:2]
    assert (first - second).abs().max() > 1e-3  # not "nearly the same Jacobian"
    # ... and the change is only the diagonal factor: divide it out and W_hh remains
    for j, jacobian in enumerate(data["jacobians"]):
        assert torch.allclose(jacobian / (1 - states[j + 1] ** 2)[:, None], w_hh, atol=1e-10)


def test_rnn_is_the_decay_figures(figure_data):
    rnn = figure_data(NAME)["rnn"]
    reference = untrained_rnn.make_rnn()
    assert torch.equal(rnn.W_hh, reference.W_hh) and torch.equal(rnn.W_xh, reference.W_xh)
