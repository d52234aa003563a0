"""Generating one token at a time with a decoder-only model, with and without a
key/value cache, and the work each step costs.

Without a cache, every step runs the model on the whole sequence so far, so
the keys and values of the earlier tokens are computed again and again. With
the cache (figures_src.nn.attention.KVCache), the first step reads the prompt
and stores each layer's keys and values; every later step feeds only the token
just chosen, appends one key and one value per layer, and attends over all of
them. The logits are the same either way (tests/nn/test_cache.py).

Both runs compute logits at the last position only (DecoderOnly's
last_only), the one generation reads: the comparison is then about the
cache alone. (Logits at every position would add the output layer's work
over the whole sequence to the uncached run: 34.75x instead of 32.98x.)

The work is counted in multiply-adds of the matrix products, from the shapes
alone: it is what the code computes, not a timing. Without the cache, step s
costs about (P + s) times what a cached step costs, so the total ratio is
about the mean context length (mean_context_length).

The memory the cache costs is computed from published configurations
(kv_cache_bytes_per_token): one key and one value per layer, per key/value
head, per token.
"""
from dataclasses import dataclass

import torch


@torch.no_grad()
def generate(model, prompt, n_new, use_cache=True, cache_shapes=None):
    """Greedy decoding of n_new tokens after prompt [B, P] by a DecoderOnly.

    Returns (tokens [B, P + n_new], logits [B, n_new, vocab]): the scores each
    step chose its token from. cache_shapes: a list that receives, after each
    step, one (keys shape, values shape) pair per layer (use_cache only).
    """
    cache = model.new_cache() if use_cache else None
    tokens, new, step_logits = prompt, prompt, []
    for _ in range(n_new):
        if use_cache:
            logits = model(new, cache=cache, last_only=True)[:, -1]  # only the new positions go in
        else:
            logits = model(tokens, last_only=True)[:, -1]  # the whole sequence, every step
        new = logits.argmax(-1, keepdim=True)
        tokens = torch.cat([tokens, new], dim=1)
        step_logits.append(logits)
        if cache_shapes is not None and use_cache:
            cache_shapes.append([(tuple(c.keys.shape), tuple(c.values.shape)) for c in cache])
    return tokens, torch.stack(step_logits, dim=1)


def forward_multiply_adds(config, n_new, n_keys):
    """Multiply-adds of the matrix products of one DecoderOnly forward pass (batch 1,
    last_only) over n_new positions whose self-attention sees n_keys positions.

    Per layer, with d = d_model:
      Q, K, V and output projections   4 * n_new * d * d
      scores Q K^T and weights @ V     2 * n_new * n_keys * d   (h heads of d/h, summed)
      feed-forward                     2 * n_new * d * d_ff
    then the output layer at the last position, d * vocab. The full n_new x n_keys score
    matrix is computed (the causal mask is applied to it afterwards), so it is
    counted in full. Not counted: LayerNorm, softmax, biases, embedding lookups
    (each O(n d), no product of matrices).
    """
    d = config.d_model
    per_layer = 4 * n_new * d * d + 2 * n_new * n_keys * d + 2 * n_new * d * config.d_ff
    return config.n_layers * per_layer + d * config.vocab_size


def generation_multiply_adds(config, prompt_length, n_new, use_cache):
    """Multiply-adds of each step of generate(): a list, one entry per generated token.

    Step s (0-based) runs on a sequence of prompt_length + s tokens. Without
    the cache all of them go through the model; with it, the prompt at step 0
    and one token after that, attending to all prompt_length + s positions.
    """
    work = []
    for step in range(n_new):
        length = prompt_length + step
        n_in = (prompt_length if step == 0 else 1) if use_cache else length
        work.append(forward_multiply_adds(config, n_in, length))
    return work


def mean_context_length(prompt_length, n_new):
    """The mean number of tokens a generation step reads: prompt_length + s for s = 0..n_new-1.
    Without the cache a step costs about that many cached steps, so the total ratio is about it."""
    return prompt_length + (n_new - 1) / 2


# -- the cache's memory, from published configurations --------------------------

@dataclass(frozen=True)
class PublishedConfig:
    """The shapes that fix a model's key/value cache."""

    name: str
    n_layers: int
    n_heads: int
    d_model: int
    source: str

    @property
    def d_head(self):
        return self.d_model // self.n_heads


# Touvron et al. 2023 (LLaMA), Table 2: dimension, heads, layers of the four sizes.
LLAMA = (
    PublishedConfig("LLaMA-7B", n_layers=32, n_heads=32, d_model=4096,
                    source="Touvron et al. 2023, Table 2"),
    PublishedConfig("LLaMA-13B", n_layers=40, n_heads=40, d_model=5120,
                    source="Touvron et al. 2023, Table 2"),
    PublishedConfig("LLaMA-33B", n_layers=60, n_heads=52, d_model=6656,
                    source="Touvron et al. 2023, Table 2"),
    PublishedConfig("LLaMA-65B", n_layers=80, n_heads=64, d_model=8192,
                    source="Touvron et al. 2023, Table 2"),
)
# a context length for the example: GPT-3's n_ctx (Brown et al. 2020, section 2.1)
EXAMPLE_CONTEXT = 2048
FP16_BYTES = 2


def kv_cache_bytes_per_token(config, kv_heads=None, bytes_per_number=FP16_BYTES):
    """Bytes the cache grows by per token: layers x key/value heads x head width x 2 (a key
    and a value) x bytes per number. kv_heads: the model's own heads by default (multi-head
    attention); 1 is multi-query attention (Shazeer 2019), whose heads share one key and one
    value, so the cache is n_heads times smaller."""
    kv_heads = config.n_heads if kv_heads is None else kv_heads
    d_head = config.d_model // config.n_heads
    return config.n_layers * kv_heads * d_head * 2 * bytes_per_number
