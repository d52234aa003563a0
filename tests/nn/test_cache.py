"""The key/value cache: generating with it gives the logits of running the whole sequence."""
import pytest
import torch

from figures_src.experiments.generation import generate
from figures_src.nn.attention import KVCache, MultiHeadAttention, causal_mask
from figures_src.nn.transformer import DecoderOnly, TransformerConfig


def small_decoder_only(positional="learned", seed=0):
    torch.manual_seed(seed)
    return DecoderOnly(TransformerConfig(n_layers=2, d_model=32, d_ff=64, n_heads=4, vocab_size=20,
                                         max_len=40, dropout=0.0, positional=positional)).eval()


@pytest.mark.parametrize("positional", ["learned", "sinusoidal"])
def test_logits_with_and_without_cache_are_equal(positional):
    model = small_decoder_only(positional)
    prompt = torch.randint(0, 20, (3, 5), generator=torch.Generator().manual_seed(1))
    tokens, logits = generate(model, prompt, 30, use_cache=False)
    tokens_cached, logits_cached = generate(model, prompt, 30, use_cache=True)
    assert torch.equal(tokens, tokens_cached)
    assert (logits - logits_cached).abs().max() < 1e-5
    # and both are the logits of one pass over the finished sequence
    full = model(tokens[:, :-1])[:, prompt.shape[1] - 1:]
    assert (full - logits_cached).abs().max() < 1e-5


def test_cached_step_equals_the_last_row_of_a_full_pass():
    model = small_decoder_only()
    tokens = torch.randint(0, 20, (2, 12), generator=torch.Generator().manual_seed(2))
    cache = model.new_cache()
    model(tokens[:, :7], cache=cache)
    seen = []
    step = model(tokens[:, 7:8], cache=cache, attention=seen)
    torch.testing.assert_close(step[:, 0], model(tokens[:, :8])[:, 7], rtol=0, atol=1e-5)
    assert [w.shape for w in seen] == [(2, 4, 1, 8)] * 2  # one query over 8 keys, per layer


def test_cache_without_its_past_is_wrong():
    """Control: feeding the new token with an empty cache (or none) does not give
    the same logits."""
    model = small_decoder_only()
    tokens = torch.randint(0, 20, (1, 9), generator=torch.Generator().manual_seed(3))
    wrong = model(tokens[:, 8:9], cache=model.new_cache())
    assert (wrong[:, 0] - model(tokens)[:, 8]).abs().max() > 1e-2


def test_each_step_appends_one_key_and_one_value_per_layer():
    model = small_decoder_only()
    prompt = torch.randint(0, 20, (1, 4), generator=torch.Generator().manual_seed(4))
    shapes = []
    generate(model, prompt, 6, use_cache=True, cache_shapes=shapes)
    lengths = [[(k[2], v[2]) for k, v in step] for step in shapes]
    assert lengths == [[(4 + s, 4 + s)] * 2 for s in range(6)]
    assert shapes[-1][0] == ((1, 4, 9, 8), (1, 4, 9, 8))


def test_kv_cache_appends_along_positions():
    cache = KVCache()
    assert len(cache) == 0
    k1, v1 = torch.randn(1, 2, 3, 4), torch.randn(1, 2, 3, 4)
    cache.append(k1, v1)
    k2, v2 = torch.randn(1, 2, 1, 4), torch.randn(1, 2, 1, 4)
    keys, values = cache.append(k2, v2)
    assert len(cache) == 4
    assert torch.equal(keys, torch.cat([k1, k2], 2)) and torch.equal(values, torch.cat([v1, v2], 2))


def test_multi_head_with_cache_equals_masked_full_pass():
    torch.manual_seed(5)
    mha = MultiHeadAttention(16, 2)
    x = torch.randn(1, 6, 16)
    cache = KVCache()
    outs = [mha(x[:, t:t + 1], cache=cache)[0] for t in range(6)]
    full, _ = mha(x, mask=causal_mask(6))
    torch.testing.assert_close(torch.cat(outs, 1), full)


def test_generation_beyond_max_len_is_refused():
    model = small_decoder_only()
    with pytest.raises(ValueError, match="max_len=40"):
        generate(model, torch.zeros(1, 5, dtype=torch.long), 40, use_cache=True)
