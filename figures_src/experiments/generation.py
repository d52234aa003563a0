"""Generating one token at a time with a decoder-only model, with and without a
key/value cache, and the work each step costs.

Without a cache, every step runs the model on the whole sequence so far, so
the keys and values of the earlier tokens are computed again and again. With
the cache (figures_src.nn.attention.KVCache), the first step reads the prompt
and stores each layer's keys and values; every later step feeds only the token
just chosen, appends one key and one value per layer, and attends over all of
them. The logits are the same either way (tests/nn/test_cache.py).

The work is counted in multiply-adds of the matrix products, from the shapes
alone: it is what the code computes, not a timing.
"""
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
            logits = model(new, cache=cache)[:, -1]  # only the new positions go in
        else:
            logits = model(tokens)[:, -1]  # the whole sequence, every step
        new = logits.argmax(-1, keepdim=True)
        tokens = torch.cat([tokens, new], dim=1)
        step_logits.append(logits)
        if cache_shapes is not None and use_cache:
            cache_shapes.append([(tuple(c.keys.shape), tuple(c.values.shape)) for c in cache])
    return tokens, torch.stack(step_logits, dim=1)


def forward_multiply_adds(config, n_new, n_keys):
    """Multiply-adds of the matrix products of one DecoderOnly forward pass (batch 1)
    over n_new positions whose self-attention sees n_keys positions.

    Per layer, with d = d_model:
      Q, K, V and output projections   4 * n_new * d * d
      scores Q K^T and weights @ V     2 * n_new * n_keys * d   (h heads of d/h, summed)
      feed-forward                     2 * n_new * d * d_ff
    then the output layer, n_new * d * vocab. The full n_new x n_keys score
    matrix is computed (the causal mask is applied to it afterwards), so it is
    counted in full. Not counted: LayerNorm, softmax, biases, embedding lookups
    (each O(n d), no product of matrices).
    """
    d = config.d_model
    per_layer = 4 * n_new * d * d + 2 * n_new * n_keys * d + 2 * n_new * d * config.d_ff
    return config.n_layers * per_layer + n_new * d * config.vocab_size


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
