"""The attention-cost figure draws the committed measurement, and its facts follow from it
(the fresh re-measurement is in tests/experiments/test_attention_timing.py)."""
import pytest

from figures_src.experiments import attention_cost_measured as measured


def test_the_figure_draws_the_committed_measurement(figure_data):
    data = figure_data("attention-cost")
    assert data["attention_seconds"] == list(measured.ATTENTION_SECONDS)
    assert data["rnn_seconds"] == list(measured.RNN_SECONDS)
    facts = data["facts"]
    assert data["memory_slope"] == pytest.approx(2)
    assert 1.7 < facts["time_slope_attention"] < 2.3
    assert facts["score_mib_max"] == 64 and facts["qkv_mib_max"] == 4
    assert (facts["doubling_factor"]
            == measured.ATTENTION_SECONDS[-1] / measured.ATTENTION_SECONDS[-2])
