"""The rnn-forgets figure shows a geometric decay for the RNN and none for
attention, measured on the curves it draws; the gradients are right."""
import pytest
import torch

from figures_src.experiments import rnn_gradients
from figures_src.nn.rnn import SimpleRNN

NAME = "rnn-forgets"


def test_rnn_gradient_vanishes_within_twenty_steps(figure_data):
    data = figure_data(NAME)
    for seed_row in data["rnn"]:  # every seed, not only the mean
        assert seed_row[20] < 1e-3 * seed_row[0]
    assert data["rnn_mean"][20] < 1e-3 * data["rnn_mean"][0]


def test_rnn_decay_is_exponential(figure_module, figure_data):
    data = figure_data(NAME)
    module = figure_module(NAME)
    k = data["k"][1:]
    factor = rnn_gradients.per_step_factor(data["rnn_mean"][1:], k)
    assert factor < 0.9
    # a straight line in log space: the fitted line explains the curve
    log_norm = data["rnn_mean"][1:].log()
    fitted = log_norm.mean() + torch.log(torch.tensor(factor, dtype=torch.float64)) * (k - k.double().mean())
    residual = (log_norm - fitted).pow(2).sum() / (log_norm - log_norm.mean()).pow(2).sum()
    assert residual < 0.05


def test_attention_does_not_decay(figure_module, figure_data):
    data = figure_data(NAME)
    module = figure_module(NAME)
    k = data["k"][1:]
    for seed_row in data["attention"]:
        assert 0.99 < rnn_gradients.per_step_factor(seed_row[1:], k) < 1.01
        assert seed_row[20] > 0.1 * seed_row[1]
        assert seed_row[1:].min() > 0.1 * seed_row[1:].max()
    # k = 0 is larger (the newest input is also the query; the alt says so), yet not by orders of magnitude
    assert data["attention_mean"][0] > 2 * data["attention_mean"][1:].max()
    assert data["attention_mean"][20] > 0.05 * data["attention_mean"][0]


def test_per_step_factor_recovers_a_known_rate(figure_module):
    module = figure_module(NAME)
    k = torch.arange(1, 50)
    assert abs(rnn_gradients.per_step_factor(3.0 * 0.7 ** k.double(), k) - 0.7) < 1e-9


def test_jacobian_norms_match_autograd(figure_module):
    """The batched one-backward-pass trick equals a plain per-component Jacobian."""
    module = figure_module(NAME)
    torch.manual_seed(3)
    rnn = SimpleRNN.from_torch(torch.nn.RNN(3, 5).double())
    x = torch.randn(7, 3, dtype=torch.float64)
    fast = rnn_gradients.jacobian_blocks(lambda seqs: rnn(seqs)[1], x)
    full = torch.autograd.functional.jacobian(lambda v: rnn(v[None])[1][0], x)  # [5, 7, 3]
    assert torch.allclose(fast, full.pow(2).sum(dim=(0, 2)).sqrt())


def test_the_rnn_is_torch_nn_rnn(figure_module):
    """SimpleRNN.from_torch, as measure() builds it, computes what torch.nn.RNN computes."""
    torch.manual_seed(0)
    reference = torch.nn.RNN(4, 6, nonlinearity="tanh", batch_first=True).double()
    copy = SimpleRNN.from_torch(reference)
    x = torch.randn(2, 9, 4, dtype=torch.float64)
    assert torch.allclose(copy(x)[1], reference(x)[1][0])


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    facts = data["facts"]
    assert facts["rnn_k0"] == float(data["rnn_mean"][0])
    k = facts["k_report"]  # the distance caption and alt quote
    assert 0 < k < facts["length"]
    assert facts["rnn_k20"] == float(data["rnn_mean"][k])
    assert facts["attention_k20"] == float(data["attention_mean"][k])
    assert facts["grad_ratio_k20"] == pytest.approx(facts["rnn_k20"] / facts["rnn_k0"], rel=1e-12)
    assert facts["n_seeds"] == data["rnn"].shape[0] > 1
    assert facts["length"] == data["rnn"].shape[1] == data["attention"].shape[1]
    assert torch.allclose(data["rnn_mean"], data["rnn"].log().mean(0).exp())
