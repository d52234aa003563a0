"""Attention, written out as in the paper (Vaswani et al. 2017, section 3.2).

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V

Tensors are batch-first: queries [..., T_q, d_k], keys [..., T_k, d_k],
values [..., T_k, d_v]. A mask is boolean with True meaning "may attend".
"""
import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v; returns (output, attention weights).

    Dividing by sqrt(d_k) keeps the scores at unit variance: for independent
    unit-variance components q.k has variance d_k, which would push the
    softmax into saturation (tiny gradients) as d_k grows.
    """
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        # a masked position gets -inf, so softmax gives it exactly zero weight
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def causal_mask(n, device=None):
    """[n, n] boolean mask, True on and below the diagonal: token t sees 0..t."""
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()


def full_mask(n_queries, n_keys=None, device=None):
    """[n_queries, n_keys] boolean mask, all True: every query sees every key
    (encoder self-attention; cross-attention from the decoder to the encoder)."""
    n_keys = n_queries if n_keys is None else n_keys
    return torch.ones(n_queries, n_keys, dtype=torch.bool, device=device)


class KVCache:
    """The keys and values one attention layer has computed so far, kept for the next step.

    When a causal model generates token by token, the key and value of token t
    depend on tokens 0..t only, so they never change once computed. With the
    cache, each step computes the new token's key and value, appends them here
    and attends over everything stored, instead of recomputing all of them.
    """

    def __init__(self):
        self.keys = None    # [B, h, T_so_far, d_k]
        self.values = None  # [B, h, T_so_far, d_v]

    def __len__(self):
        """How many positions are stored."""
        return 0 if self.keys is None else self.keys.size(-2)

    def append(self, keys, values):
        """Store the new positions' keys and values [B, h, T_new, d]; return all stored so far."""
        if self.keys is not None:
            keys = torch.cat([self.keys, keys], dim=-2)
            values = torch.cat([self.values, values], dim=-2)
        self.keys, self.values = keys, values
        return keys, values


class MultiHeadAttention(nn.Module):
    """h attention heads in parallel, concatenated and projected by W^O.

    Each head works in d_k = d_model / h dimensions, so h heads cost about
    the same as one full-width head. Like torch.nn.MultiheadAttention, the
    forward pass returns (output, weights): weights [batch, heads, T_q, T_k].
    """

    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_k = d_model // n_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def split_heads(self, x):
        """[B, T, d_model] -> [B, h, T, d_k]"""
        batch, length, _ = x.shape
        return x.view(batch, length, self.n_heads, self.d_k).transpose(1, 2)

    def forward(self, x, context=None, mask=None, cache=None):
        """Self-attention over x, or cross-attention from x to context.

        Queries come from x; keys and values from context (default: x).
        mask: bool, broadcastable to [B, h, T_q, T_k], True = may attend.
        cache: a KVCache (self-attention while generating): x holds only the
        new positions; their keys and values are appended to the cache and
        the queries attend over all cached positions (T_k = cached + new).
        Returns (output [B, T_q, d_model], weights [B, h, T_q, T_k]).
        """
        context = x if context is None else context
        q = self.split_heads(self.w_q(x))
        k = self.split_heads(self.w_k(context))
        v = self.split_heads(self.w_v(context))
        if cache is not None:
            k, v = cache.append(k, v)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        batch, length, _ = x.shape
        concat = heads.transpose(1, 2).reshape(batch, length, self.d_model)
        return self.w_o(concat), weights

    @classmethod
    def from_torch(cls, torch_mha):
        """A copy of a torch.nn.MultiheadAttention's weights (same numbers).

        PyTorch stores W_q, W_k, W_v stacked in one in_proj_weight [3d, d].
        """
        if torch_mha._qkv_same_embed_dim is False:
            raise ValueError("from_torch: only nn.MultiheadAttention with kdim = vdim = embed_dim")
        bias = torch_mha.in_proj_bias is not None
        mha = cls(torch_mha.embed_dim, torch_mha.num_heads, bias=bias)
        w_q, w_k, w_v = torch_mha.in_proj_weight.detach().chunk(3)
        with torch.no_grad():
            mha.w_q.weight.copy_(w_q)
            mha.w_k.weight.copy_(w_k)
            mha.w_v.weight.copy_(w_v)
            mha.w_o.weight.copy_(torch_mha.out_proj.weight)
            if bias:
                b_q, b_k, b_v = torch_mha.in_proj_bias.detach().chunk(3)
                mha.w_q.bias.copy_(b_q)
                mha.w_k.bias.copy_(b_k)
                mha.w_v.bias.copy_(b_v)
                mha.w_o.bias.copy_(torch_mha.out_proj.bias)
        return mha.to(torch_mha.in_proj_weight.dtype)

    def to_torch(self):
        """The same numbers in a torch.nn.MultiheadAttention (batch_first), the
        inverse of from_torch: W_q, W_k, W_v stacked into in_proj_weight."""
        bias = self.w_q.bias is not None
        twin = nn.MultiheadAttention(self.d_model, self.n_heads, bias=bias, batch_first=True)
        with torch.no_grad():
            twin.in_proj_weight.copy_(torch.cat([self.w_q.weight, self.w_k.weight,
                                                 self.w_v.weight]))
            twin.out_proj.weight.copy_(self.w_o.weight)
            if bias:
                twin.in_proj_bias.copy_(torch.cat([self.w_q.bias, self.w_k.bias, self.w_v.bias]))
                twin.out_proj.bias.copy_(self.w_o.bias)
        return twin.to(self.w_q.weight.dtype).eval()
