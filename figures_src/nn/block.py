"""One transformer layer: attention and a feed-forward network, each wrapped in
a residual connection and a normalisation.

One flag places the norm:
    post-norm (the 2017 paper):   x = LN(x + F(x))
    pre-norm  (Wang et al. 2019; GPT-2):  x = x + F(LN(x))
Pre-norm leaves the residual path x -> x + ... untouched from input to
output, which is why deep pre-norm stacks train without learning-rate
warm-up (Xiong et al. 2020); the stack then needs one final norm.
"""
import torch
from torch import nn

from .attention import MultiHeadAttention, causal_mask, full_mask
from .norms import LayerNorm


class FeedForward(nn.Module):
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, applied to each position alone."""

    def __init__(self, d_model, d_ff):
        super().__init__()
        self.w_1 = nn.Linear(d_model, d_ff)
        self.w_2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.w_2(torch.relu(self.w_1(x)))


class Block(nn.Module):
    """Self-attention (+ optional cross-attention) + feed-forward, with residuals.

    causal=True masks attention to later positions (decoder self-attention);
    cross_attention=True adds a sub-layer whose queries come from x and whose
    keys and values come from `memory` (the encoder output).
    """

    def __init__(self, d_model, n_heads, d_ff, pre_norm=True, causal=False,
                 cross_attention=False, norm=LayerNorm, dropout=0.0):
        super().__init__()
        self.pre_norm = pre_norm
        self.causal = causal
        self.cross_attention = cross_attention
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.self_attn_norm = norm(d_model)
        if cross_attention:
            self.cross_attn = MultiHeadAttention(d_model, n_heads)
            self.cross_attn_norm = norm(d_model)
        self.ffn = FeedForward(d_model, d_ff)
        self.ffn_norm = norm(d_model)
        self.dropout = nn.Dropout(dropout)

    def residual(self, x, norm, sublayer):
        """Post-norm: LN(x + F(x)). Pre-norm: x + F(LN(x))."""
        if self.pre_norm:
            return x + self.dropout(sublayer(norm(x)))
        return norm(x + self.dropout(sublayer(x)))

    def forward(self, x, memory=None, attention=None, cache=None, key_mask=None):
        """x [B, T, d_model] -> same shape. attention: a list that receives the
        self-attention weights [B, h, T, T], when the caller wants to see them.
        cache: a KVCache of this layer's earlier positions (generation); x then
        holds the next T positions and the weights are [B, h, T, cached + T].
        key_mask: [B, T] bool, False at keys no query may attend to (padding)."""
        past, n = (0 if cache is None else len(cache)), x.size(1)
        if self.causal:  # the new positions are the last n rows of the causal mask
            mask = causal_mask(past + n, device=x.device)[past:]
        else:
            mask = full_mask(n, past + n, device=x.device)
        if key_mask is not None:
            mask = mask & key_mask[:, None, None, :]  # -> [B, 1, T_q, T_k], every head alike

        def self_attention(h):
            out, weights = self.self_attn(h, mask=mask, cache=cache)
            if attention is not None:
                attention.append(weights)
            return out

        x = self.residual(x, self.self_attn_norm, self_attention)
        if self.cross_attention:
            cross_mask = full_mask(n, memory.size(1), device=x.device)  # every source token, always
            x = self.residual(x, self.cross_attn_norm,
                              lambda h: self.cross_attn(h, context=memory, mask=cross_mask)[0])
        x = self.residual(x, self.ffn_norm, self.ffn)
        return x
