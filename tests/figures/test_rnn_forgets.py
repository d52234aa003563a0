"""The rnn-forgets figure shows a geometric decay for the RNN and none for
attention, measured on the curves it draws, and what it quotes is drawn."""
import pytest
import torch

from figures_src.experiments import rnn_gradients

NAME = "rnn-forgets"


def test_rnn_gradient_vanishes_within_twenty_steps(figure_data):
    data = figure_data(NAME)
    for seed_row in data["rnn"]:  # every seed, not only the mean
        assert seed_row[20] < 1e-3 * seed_row[0]
    assert data["rnn_mean"][20] < 1e-3 * data["rnn_mean"][0]


def test_rnn_decay_is_exponential(figure_data):
    data = figure_data(NAME)
    k = data["k"][1:]
    factor = rnn_gradients.per_step_factor(data["rnn_mean"][1:], k)
    assert factor < 0.9
    # a straight line in log space: the fitted line explains the curve
    log_norm = data["rnn_mean"][1:].log()
    fitted = log_norm.mean() + torch.log(torch.tensor(factor, dtype=torch.float64)) * (k - k.double().mean())
    residual = (log_norm - fitted).pow(2).sum() / (log_norm - log_norm.mean()).pow(2).sum()
    assert residual < 0.05


def test_attention_does_not_decay(figure_data):
    data = figure_data(NAME)
    k = data["k"][1:]
    for seed_row in data["attention"]:
        assert 0.99 < rnn_gradients.per_step_factor(seed_row[1:], k) < 1.01
        assert seed_row[20] > 0.1 * seed_row[1]
        assert seed_row[1:].min() > 0.1 * seed_row[1:].max()
    # k = 0 is larger (the newest input is also the query), yet not by orders of magnitude
    assert data["attention_mean"][0] > 2 * data["attention_mean"][1:].max()
    assert data["attention_mean"][20] > 0.05 * data["attention_mean"][0]


def test_decay_follows_the_initial_weight_scale(figure_data):
    """The caption: the per-step factor reflects W_hh's initial scale (its spectral radius)."""
    data = figure_data(NAME)
    facts = data["facts"]
    radii = torch.stack([torch.linalg.eigvals(rnn_gradients.make_rnn(s).W_hh).abs().max()
                         for s in rnn_gradients.SEEDS])
    assert torch.allclose(data["spectral_radii"], radii)
    assert facts["spectral_radius"] == pytest.approx(float(radii.mean()), rel=1e-12)
    # tanh' <= 1 only shrinks each step further: the factor is a bit below the radius
    assert 0.75 * facts["spectral_radius"] < facts["decay_per_step"] < facts["spectral_radius"]


def test_plot_shows_what_the_text_quotes(figure_data):
    """The clipped y-range still holds both curves at k = 0 and the marked k = 20 point."""
    data = figure_data(NAME)
    low, high = data["y_range"]
    k = data["facts"]["k_report"]
    for value in (data["rnn_mean"][0], data["rnn_mean"][k], data["attention_mean"][0], data["attention_mean"][k]):
        assert low < value < high
    assert data["attention_mean"].min() > low  # attention never leaves the plot
    assert data["rnn_mean"][-1] < low  # the RNN does: the docstring says it keeps falling


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    facts = data["facts"]
    k = facts["k_report"]
    assert 0 < k < data["rnn"].shape[1]
    assert facts["grad_ratio_k20"] == pytest.approx(float(data["rnn_mean"][k] / data["rnn_mean"][0]), rel=1e-12)
    fit = data["k"][1:]
    assert facts["decay_per_step"] == rnn_gradients.per_step_factor(data["rnn_mean"][fit], fit)
    assert facts["n_seeds"] == data["rnn"].shape[0] > 1
    assert facts["k_max"] + 1 == data["rnn"].shape[1] == data["attention"].shape[1]
    assert torch.allclose(data["rnn_mean"], data["rnn"].log().mean(0).exp())
