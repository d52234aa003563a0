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
    """The alt text: the per-step factor reflects W_hh's initial scale (its spectral radius)."""
    data = figure_data(NAME)
    facts = data["facts"]
    radii = torch.stack([torch.linalg.eigvals(rnn_gradients.make_rnn(s).W_hh).abs().max()
                         for s in rnn_gradients.SEEDS])
    assert torch.allclose(data["spectral_radii"], radii)
    assert facts["spectral_radius"] == pytest.approx(float(radii.mean()), rel=1e-12)
    # tanh' <= 1 only shrinks each step further: the factor is a bit below the radius
    assert 0.75 * facts["spectral_radius"] < facts["decay_per_step"] < facts["spectral_radius"]


def test_plot_shows_what_the_text_quotes(figure_data):
    """The y-range holds both relative curves over the whole shown axis (the RNN's line no
    longer leaves the chart), with the k = 0 and the marked k = 20 points."""
    data = figure_data(NAME)
    low, high = data["y_range"]
    shown = slice(0, data["k_shown"] + 1)
    for key in ("rnn_rel", "attention_rel"):
        rows = data[key][:, shown]
        assert low < rows.min() and rows.max() < high, key


def test_curves_relative_to_k1(figure_data):
    """Each seed's row is divided by its own k = 1 value, so both curves start at 1 and attention
    (raw: about 60 times smaller per input) no longer sits below the RNN for small k."""
    data = figure_data(NAME)
    for key in ("rnn", "attention"):
        assert torch.allclose(data[f"{key}_rel"][:, 1], torch.ones(len(rnn_gradients.SEEDS), dtype=torch.float64))
        assert torch.allclose(data[f"{key}_rel"], data[key] / data[key][:, 1:2])
    assert (data["attention_rel_mean"][2:data["k_shown"] + 1] > data["rnn_rel_mean"][2:data["k_shown"] + 1]).all()
    assert data["attention_mean"][1] < data["rnn_mean"][1]  # what the raw drawing hid
