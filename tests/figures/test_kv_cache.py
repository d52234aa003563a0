"""The KV-cache figure: the same logits with the cache, the work counted from the shapes the code multiplies,
and the cache growing by one key and one value per layer per step."""
import pytest
import torch
from torch import nn

from figures_src.experiments.generation import generate
from figures_src.nn.attention import MultiHeadAttention

NAME = "kv-cache"


def test_same_tokens_and_logits_with_and_without_cache(figure_data):
    data = figure_data(NAME)
    assert torch.equal(data["tokens"], data["tokens_cached"])
    assert data["facts"]["max_logit_difference"] == (data["logits"] - data["logits_cached"]).abs().max().item()
    assert data["facts"]["max_logit_difference"] < 1e-5
    assert len(data["tokens"]) == data["prompt_length"] + data["facts"]["n_new"] == 68


def executed_multiply_adds(model, prompt, n_new, use_cache):
    """Multiply-adds per generation step, from the tensors the code actually multiplies:
    every nn.Linear call (rows x in x out) and both products of every attention call
    (its weights are [B, h, T_q, T_k]; q k^T and weights @ v cost T_q T_k d_k each, per head)."""
    counts = []

    def linear(module, inputs, output):
        counts[-1] += inputs[0].numel() // module.in_features * module.in_features * module.out_features

    def attention(module, inputs, output):
        counts[-1] += output[1].numel() * module.d_k * 2

    hooks = [m.register_forward_hook(linear) for m in model.modules() if isinstance(m, nn.Linear)]
    hooks += [m.register_forward_hook(attention) for m in model.modules() if isinstance(m, MultiHeadAttention)]
    hooks.append(model.register_forward_pre_hook(lambda module, inputs: counts.append(0)))
    try:
        generate(model, prompt, n_new, use_cache=use_cache)
    finally:
        for hook in hooks:
            hook.remove()
    return counts


@pytest.mark.parametrize("use_cache", [False, True])
def test_plotted_work_is_the_work_the_code_does(figure_data, use_cache):
    data = figure_data(NAME)
    plotted = data["work_with"] if use_cache else data["work_without"]
    assert executed_multiply_adds(data["model"], data["prompt"], data["facts"]["n_new"], use_cache) == plotted


def test_work_in_closed_form(figure_data):
    """Totals re-derived by hand: per position a fixed cost c, plus 2 d L per layer for attention over L."""
    data = figure_data(NAME)
    config, p, n = data["config"], data["prompt_length"], data["facts"]["n_new"]
    d, layers = config.d_model, config.n_layers
    c = layers * (4 * d * d + 2 * d * config.d_ff) + d * config.vocab_size
    lengths = range(p, p + n)  # sequence length when each step runs
    without = sum(L * c + layers * 2 * L * L * d for L in lengths)
    with_cache = (p * c + layers * 2 * p * p * d) + sum(c + layers * 2 * L * d for L in lengths[1:])
    assert (data["total_without"], data["total_with"]) == (without, with_cache)
    assert data["facts"]["total_ratio"] == without / with_cache
    assert 20 < data["facts"]["total_ratio"] < 50  # roughly the mean sequence length, ~36


def test_cache_grows_by_one_key_and_one_value_per_layer_per_step(figure_data):
    data = figure_data(NAME)
    config, p = data["config"], data["prompt_length"]
    shapes = data["cache_shapes"]
    assert len(shapes) == data["facts"]["n_new"]
    for step, layers in enumerate(shapes):
        assert len(layers) == config.n_layers
        for keys, values in layers:
            assert keys == values == (1, config.n_heads, p + step, config.d_k)
    assert data["cache_lengths"] == [[p + step] * config.n_layers for step in range(len(shapes))]
