"""The unrolled RNN figure is drawn from the RNN's own forward pass: one node
per step it took, and every recurrent edge is the same parameter tensor."""
import re

import torch

from figures_src.experiments import rnn_gradients
from figures_src.style import LIGHT

NAME = "rnn-unrolled"


def dot_source(figure_data, figure_module):
    return figure_module(NAME).draw(figure_data(NAME), LIGHT).source


def test_one_node_per_step_taken(figure_data, figure_module):
    data = figure_data(NAME)
    source = dot_source(figure_data, figure_module)
    unrolled_cells = re.findall(r"^\s*h(\d+) \[.*shape=circle", source, re.M)
    assert len(unrolled_cells) == len(data["steps"]) == data["states"].shape[0] == data["facts"]["steps"]
    assert [int(t) for t in unrolled_cells] == [s["t"] + 1 for s in data["steps"]]


def test_every_recurrent_edge_is_the_same_parameter(figure_data, figure_module):
    data = figure_data(NAME)
    rnn = data["rnn"]
    assert all(step["recurrent_weight"] is rnn.W_hh for step in data["steps"])
    assert len({id(step["recurrent_weight"]) for step in data["steps"]}) == 1
    source = dot_source(figure_data, figure_module)
    chain = re.findall(r"^\s*(h\d+) -> (h\d+) \[label=(.*?) color", source, re.M)
    assert [head for _, head, _ in chain] == [f"h{s['t'] + 1}" for s in data["steps"]]
    assert len({label for *_, label in chain}) == 1 and "<I>W</I><SUB>hh</SUB>" in chain[0][2]


def test_drawn_states_follow_the_recurrence(figure_data):
    """The steps drawn are real: h_t = tanh(W_xh x_t + W_hh h_(t-1) + b), one W_hh throughout."""
    data = figure_data(NAME)
    rnn = data["rnn"]
    with torch.no_grad():
        h = torch.zeros(rnn.hidden_size, dtype=data["states"].dtype)
        for x_t, state in zip(data["inputs"], data["states"]):
            h = torch.tanh(rnn.W_xh @ x_t + rnn.W_hh @ h + rnn.b)
            assert torch.allclose(h, state, atol=1e-12)


def test_rnn_is_the_decay_figures(figure_data):
    rnn = figure_data(NAME)["rnn"]
    assert (rnn.input_size, rnn.hidden_size) == (rnn_gradients.INPUT_SIZE, rnn_gradients.HIDDEN_SIZE)
    torch.manual_seed(rnn_gradients.SEEDS[0])  # rnn_gradients.make_rnn, built independently here
    reference = torch.nn.RNN(rnn_gradients.INPUT_SIZE, rnn_gradients.HIDDEN_SIZE, nonlinearity="tanh")
    assert torch.equal(rnn.W_hh, reference.weight_hh_l0.double())
    assert torch.equal(rnn.W_xh, reference.weight_ih_l0.double())
