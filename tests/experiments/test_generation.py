"""The multiply-add count of generation, against a count taken from the shapes the code actually
multiplies."""
import pytest
import torch
from torch import nn

from figures_src.experiments import generation
from figures_src.nn import attention as attention_module
from figures_src.nn.transformer import DecoderOnly, TransformerConfig


def measured_multiply_adds(model, prompt, n_new, use_cache, monkeypatch):
    """Run generate() and count, step by step, the multiply-adds of every nn.Linear call
    (rows x in x out, from its input) and of both attention products (from q, k, v)."""
    counts = [0]

    def count_linear(module, inputs, output):
        x = inputs[0]
        counts[-1] += x.numel() // x.shape[-1] * module.in_features * module.out_features

    original = attention_module.scaled_dot_product_attention

    def counting_attention(q, k, v, mask=None):
        heads_and_queries = q.numel() // q.shape[-1]
        counts[-1] += heads_and_queries * k.shape[-2] * q.shape[-1]  # q k^T
        counts[-1] += heads_and_queries * k.shape[-2] * v.shape[-1]  # weights @ v
        return original(q, k, v, mask)

    monkeypatch.setattr(attention_module, "scaled_dot_product_attention", counting_attention)
    hooks = [m.register_forward_hook(count_linear) for m in model.modules()
             if isinstance(m, nn.Linear)]
    original_forward = model.forward

    def forward_then_new_count(*args, **kwargs):
        out = original_forward(*args, **kwargs)
        counts.append(0)
        return out

    monkeypatch.setattr(model, "forward", forward_then_new_count)
    try:
        generation.generate(model, prompt, n_new, use_cache=use_cache)
    finally:
        for hook in hooks:
            hook.remove()
    return counts[:-1]


@pytest.mark.parametrize("use_cache", [False, True])
@pytest.mark.parametrize("shape", [dict(n_layers=2, d_model=32, d_ff=64, n_heads=4, vocab_size=20),
                                   dict(n_layers=3, d_model=24, d_ff=96, n_heads=2, vocab_size=50)])
def test_counted_work_equals_the_work_done(use_cache, shape, monkeypatch):
    torch.manual_seed(0)
    config = TransformerConfig(**shape, max_len=32, dropout=0.0, positional="learned")
    model = DecoderOnly(config).eval()
    prompt = torch.randint(0, config.vocab_size, (1, 5))
    measured = measured_multiply_adds(model, prompt, 12, use_cache, monkeypatch)
    assert measured == generation.generation_multiply_adds(config, 5, 12, use_cache)


def test_the_cache_saves_work_after_the_first_step():
    config = TransformerConfig(n_layers=2, d_model=32, d_ff=64, n_heads=4, vocab_size=20,
                               max_len=64)
    without = generation.generation_multiply_adds(config, 4, 20, use_cache=False)
    with_cache = generation.generation_multiply_adds(config, 4, 20, use_cache=True)
    assert without[0] == with_cache[0]  # both read the whole prompt first
    assert all(a > b for a, b in zip(without[1:], with_cache[1:]))
    # without the cache the work grows with the sequence; with it, only the attention term does
    steps = [b - a for a, b in zip(with_cache[1:], with_cache[2:])]
    assert steps == [2 * config.n_layers * config.d_model] * len(steps)
