"""The n^2 cost: a fresh measurement on this machine has the shape the committed one
(and the figure) shows. Timings are noisy, so only slopes are checked, on medians."""
import pytest
import torch

from figures_src.experiments import attention_cost as cost
from figures_src.experiments import attention_cost_measured as measured
from figures_src.nn.attention import scaled_dot_product_attention


def test_memory_is_exactly_quadratic_and_linear():
    lengths = [2 ** k for k in range(6, 13)]
    assert cost.fitted_slope(lengths, [cost.score_matrix_bytes(n) for n in lengths]) == pytest.approx(2, abs=1e-12)
    assert cost.fitted_slope(lengths, [cost.qkv_output_bytes(n) for n in lengths]) == pytest.approx(1, abs=1e-12)
    assert cost.score_matrix_bytes(4096) == 64 * 2 ** 20  # 4096^2 floats of 4 bytes


def test_score_bytes_are_what_the_attention_function_holds():
    """The weights the project's attention returns are the n x n matrix counted."""
    q = torch.randn(1, 300, cost.D)
    _, weights = scaled_dot_product_attention(q, q, q)
    assert weights.numel() * weights.element_size() == cost.score_matrix_bytes(300)


def test_fitted_slope_recovers_a_power():
    xs = [64, 128, 256, 512]
    assert cost.fitted_slope(xs, [3 * x ** 1.5 for x in xs]) == pytest.approx(1.5)


def test_committed_measurement_has_the_n_squared_shape():
    large = [i for i, n in enumerate(measured.LENGTHS) if n >= 512]
    lengths = [measured.LENGTHS[i] for i in large]
    assert 1.7 < cost.fitted_slope(lengths, [measured.ATTENTION_SECONDS[i] for i in large]) < 2.3
    assert 0.8 < cost.fitted_slope(lengths, [measured.RNN_SECONDS[i] for i in large]) < 1.2
    assert measured.LENGTHS == cost.LENGTHS


def test_a_fresh_measurement_on_this_machine_has_the_same_shape():
    """Re-measure at 512, 1024 and 2048 (a few seconds): attention's time grows as about n^2,
    the RNN's as about n. Bounds are loose: the machine is shared."""
    lengths = (512, 1024, 2048)
    fresh = cost.measure(lengths, repeats=5)
    assert 1.5 < cost.fitted_slope(lengths, fresh["attention_seconds"]) < 2.5
    assert 0.6 < cost.fitted_slope(lengths, fresh["rnn_seconds"]) < 1.4
