"""The KV-cache figure: the same logits with the cache, the work counted from the shapes the code
multiplies, and the cache growing by one key and one value per layer per step."""
import pytest
import torch
from torch import nn

from figures_src.experiments.generation import generate
from figures_src.nn.attention import MultiHeadAttention

NAME = "kv-cache"


def test_same_tokens_and_logits_with_and_without_cache(figure_data):
    data = figure_data(NAME)
    assert torch.equal(data["tokens"], data["tokens_cached"])
    assert (data["facts"]["max_logit_difference"]
            == (data["logits"] - data["logits_cached"]).abs().max().item())
    assert data["facts"]["max_logit_difference"] < 1e-5
    assert len(data["tokens"]) == data["prompt_length"] + data["facts"]["n_new"] == 68


def executed_multiply_adds(model, prompt, n_new, use_cache):
    """Multiply-adds per generation step, from the tensors the code actually multiplies:
    every nn.Linear call (rows x in x out) and both products of every attention call
    (its weights are [B, h, T_q, T_k]; q k^T and weights @ v cost T_q T_k d_k each, per head)."""
    counts = []

    def linear(module, inputs, output):
        counts[-1] += (inputs[0].numel() // module.in_features * module.in_features
                       * module.out_features)

    def attention(module, inputs, output):
        counts[-1] += output[1].numel() * module.d_k * 2

    hooks = [m.register_forward_hook(linear) for m in model.modules() if isinstance(m, nn.Linear)]
    hooks += [m.register_forward_hook(attention) for m in model.modules()
              if isinstance(m, MultiHeadAttention)]
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
    assert executed_multiply_adds(data["model"], data["prompt"], data["facts"]["n_new"],
                                  use_cache) == plotted


def test_work_in_closed_form(figure_data):
    """Totals re-derived by hand: per position a fixed cost c, plus 2 d L per layer for attention
    over L."""
    data = figure_data(NAME)
    config, p, n = data["config"], data["prompt_length"], data["facts"]["n_new"]
    d, layers = config.d_model, config.n_layers
    c = layers * (4 * d * d + 2 * d * config.d_ff)  # per position through the layers
    out = d * config.vocab_size  # the output layer, at the last position only (both runs)
    lengths = range(p, p + n)  # sequence length when each step runs
    without = sum(L * c + layers * 2 * L * L * d + out for L in lengths)
    with_cache = (p * c + layers * 2 * p * p * d + out) + sum(c + layers * 2 * L * d + out
                                                              for L in lengths[1:])
    assert (data["total_without"], data["total_with"]) == (without, with_cache)
    assert data["facts"]["total_ratio"] == without / with_cache


def test_ratio_is_about_the_mean_context_length(figure_data):
    """A step without the cache costs about as many cached steps as it has tokens of context."""
    facts = figure_data(NAME)["facts"]
    assert facts["mean_context_length"] == sum(range(4, 4 + 64)) / 64 == 35.5
    assert (abs(facts["total_ratio"] - facts["mean_context_length"])
            / facts["mean_context_length"] < 0.1)


def test_both_runs_compute_logits_at_the_last_position_only(figure_data):
    """The uncached baseline is fair: its output layer runs on one position per step, like the
    cached run."""
    data = figure_data(NAME)
    model, calls = data["model"], []
    hook = model.lm_head.register_forward_hook(lambda m, i, o: calls.append(o.shape[1]))
    try:
        for use_cache in (False, True):
            generate(model, data["prompt"], 5, use_cache=use_cache)
    finally:
        hook.remove()
    assert calls == [1] * 10


def test_memory_per_token_from_the_published_llama_shapes(figure_data):
    """LLaMA-7B (Touvron et al. 2023, Table 2: 32 layers, 32 heads, d_model 4096), fp16:
    32 x 32 x 128 x 2 (K and V) x 2 bytes = 512 KiB; one shared K/V head (MQA) 32x less."""
    data = figure_data(NAME)
    facts = data["facts"]
    assert facts["llama7b_kib_per_token"] * 1024 == 32 * 32 * 128 * 2 * 2 == 524288
    assert data["memory"]["llama13b_kib_per_token"] * 1024 == 40 * 40 * 128 * 2 * 2
    assert data["memory"]["llama33b_mqa_kib_per_token"] * 1024 == 60 * 1 * 128 * 2 * 2
    assert facts["llama7b_mqa_kib_per_token"] == 16 == facts["llama7b_kib_per_token"] / 32
    assert facts["llama65b_kib_per_token"] * 1024 == 80 * 64 * 128 * 2 * 2
    assert facts["llama7b_gib_at_context"] == 1.0 and facts["example_context"] == 2048


def test_toy_memory_per_token_is_what_the_cache_holds(figure_data):
    data = figure_data(NAME)
    config = data["config"]
    assert data["toy_cache_bytes_per_token"] == data["toy_bytes_per_token"] \
        == config.n_layers * config.d_model * 2 * 4


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


def test_first_row_is_the_prompt_step(figure_data, figure_module):
    """Issue 22: "token 1 (prompt)" read as if token 1 were the prompt; the rows are steps."""
    from figures_src.build.style import LIGHT

    with LIGHT.rc():
        fig = figure_module(NAME).draw(figure_data(NAME), LIGHT)
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert "step 1: 4-token prompt" in texts and "step 2" in texts
    assert any("512 KiB" == t.get_text() for t in fig.axes[2].texts)
    assert any("16 KiB" == t.get_text() for t in fig.axes[2].texts)
