"""Whole models built from Block: the paper's encoder-decoder and a GPT-style decoder.

TransformerConfig defaults are the paper's base model (Vaswani et al. 2017,
Table 3): N=6 layers, d_model=512, d_ff=2048, h=8, d_k=d_v=64, dropout 0.1.
vocab_size=37000 is the shared source/target byte-pair vocabulary of the
paper's English-German setup (section 5.1); the parameter count depends on it
(the embedding alone is 37000 x 512 = 18.9M of the base model's "65M").
"""
import math
from dataclasses import dataclass

import torch
from torch import nn

from .attention import KVCache
from .block import Block
from .norms import LayerNorm
from .positional import sinusoidal_encoding

POSITIONAL_KINDS = ("sinusoidal", "learned")


@dataclass(frozen=True)
class TransformerConfig:
    n_layers: int = 6
    d_model: int = 512
    d_ff: int = 2048             # 0: no feed-forward sub-layer (an attention-only model)
    n_heads: int = 8
    vocab_size: int = 37000      # shared EN-DE BPE vocabulary of the paper
    max_len: int = 512           # longest sequence the positional table covers
    dropout: float = 0.1
    tie_embeddings: bool = True  # paper 3.4: embeddings and pre-softmax linear share weights
    positional: str = "sinusoidal"  # or "learned" (GPT)

    def __post_init__(self):
        if self.d_model % self.n_heads != 0:
            raise ValueError(f"TransformerConfig: d_model={self.d_model} is not divisible by "
                             f"n_heads={self.n_heads}")
        if self.positional not in POSITIONAL_KINDS:
            raise ValueError(f"TransformerConfig: positional={self.positional!r}, expected one of "
                             f"{POSITIONAL_KINDS}")

    @property
    def d_k(self):
        """Width of one head's queries and keys: d_model / h."""
        return self.d_model // self.n_heads

    @property
    def d_v(self):
        """Width of one head's values (the paper uses d_v = d_k)."""
        return self.d_model // self.n_heads


def count_parameters(module):
    """Number of distinct trainable numbers (a tied weight counts once)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class Embedding(nn.Module):
    """Token embedding * sqrt(d_model) + position, then dropout (paper 3.4, 3.5)."""

    def __init__(self, config):
        super().__init__()
        self.scale = math.sqrt(config.d_model)
        self.tokens = nn.Embedding(config.vocab_size, config.d_model)
        # std d^-1/2, so that the scaled embedding has unit variance
        nn.init.normal_(self.tokens.weight, std=config.d_model ** -0.5)
        if config.positional == "learned":
            # unit variance, like the scaled token embedding: neither drowns the other
            self.positions = nn.Parameter(torch.randn(config.max_len, config.d_model))
        else:
            self.register_buffer("positions", sinusoidal_encoding(config.max_len, config.d_model),
                                 persistent=False)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, tokens, start=0):
        """tokens [B, T] at positions start .. start+T-1 (start > 0: generation with a cache)."""
        end = start + tokens.size(1)
        if end > self.positions.size(0):
            raise ValueError(f"Embedding: sequence length {end} exceeds "
                             f"max_len={self.positions.size(0)}")
        return self.dropout(self.tokens(tokens) * self.scale + self.positions[start:end])


class Encoder(nn.Module):
    """N blocks of self-attention + FFN; every token sees every other token.

    Post-norm as in the paper; pre_norm=True gives the modern variant, which
    needs a final norm because nothing normalises the last residual sum.
    """

    def __init__(self, config, pre_norm=False):
        super().__init__()
        self.embed = Embedding(config)
        self.blocks = nn.ModuleList(
            Block(config.d_model, config.n_heads, config.d_ff, pre_norm=pre_norm,
                  dropout=config.dropout)
            for _ in range(config.n_layers))
        self.final_norm = LayerNorm(config.d_model) if pre_norm else nn.Identity()

    def forward(self, tokens, attention=None, key_mask=None):
        """tokens [B, T] -> [B, T, d_model]; attention: a list that receives
        each layer's weights [B, h, T, T], first layer first; key_mask: [B, T]
        bool, False at padding (no query attends to it)."""
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x, attention=attention, key_mask=key_mask)
        return self.final_norm(x)


class EncoderTagger(nn.Module):
    """An encoder and a linear read-out at every position: one output token per
    input token (the toy tasks' model: reverse a sequence, name a pronoun's referent)."""

    def __init__(self, config):
        super().__init__()
        self.encoder = Encoder(config)
        self.readout = nn.Linear(config.d_model, config.vocab_size)

    def forward(self, tokens, attention=None, key_mask=None):
        """tokens [B, T] -> logits [B, T, vocab]; attention, key_mask: see Encoder.forward."""
        return self.readout(self.encoder(tokens, attention, key_mask))


class Decoder(nn.Module):
    """N blocks of masked self-attention, cross-attention to the encoder output, FFN."""

    def __init__(self, config, pre_norm=False):
        super().__init__()
        self.embed = Embedding(config)
        self.blocks = nn.ModuleList(
            Block(config.d_model, config.n_heads, config.d_ff, pre_norm=pre_norm, causal=True,
                  cross_attention=True, dropout=config.dropout)
            for _ in range(config.n_layers))
        self.final_norm = LayerNorm(config.d_model) if pre_norm else nn.Identity()

    def forward(self, tokens, memory):
        """tokens: the target shifted right; memory: the encoder output (keys and values)."""
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x, memory)
        return self.final_norm(x)


class EncoderDecoder(nn.Module):
    """The paper's model: encode the source, decode the target, linear + softmax over the
    vocabulary."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.decoder = Decoder(config)
        self.generator = nn.Linear(config.d_model, config.vocab_size, bias=False)
        if config.tie_embeddings:  # one matrix for both embeddings and the output layer
            self.decoder.embed.tokens.weight = self.encoder.embed.tokens.weight
            self.generator.weight = self.encoder.embed.tokens.weight

    def forward(self, source, target):
        """-> logits [B, T_target, vocab]; softmax of them is the next-token distribution."""
        return self.generator(self.decoder(target, self.encoder(source)))


class DecoderOnly(nn.Module):
    """GPT-style language model: pre-norm causal blocks, a final norm, logits per position."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed = Embedding(config)
        self.blocks = nn.ModuleList(
            Block(config.d_model, config.n_heads, config.d_ff, pre_norm=True, causal=True,
                  dropout=config.dropout)
            for _ in range(config.n_layers))
        self.final_norm = LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        if config.tie_embeddings:
            self.lm_head.weight = self.embed.tokens.weight

    def forward(self, tokens, attention=None, cache=None, last_only=False):
        """tokens [B, T] -> logits [B, T, vocab]; position t sees tokens 0..t only.
        attention: a list that receives each layer's weights [B, h, T, T].
        cache: a list of one KVCache per layer (from new_cache()); tokens are
        then the positions after the cached ones, and their keys and values
        are appended, so generation computes each token's keys and values once.
        last_only: logits of the last position only, [B, 1, vocab]: all that
        generation reads, so the output layer runs on one position, not T."""
        start = 0 if cache is None else len(cache[0])
        x = self.embed(tokens, start)
        for i, block in enumerate(self.blocks):
            x = block(x, attention=attention, cache=None if cache is None else cache[i])
        if last_only:
            x = x[:, -1:]
        return self.lm_head(self.final_norm(x))

    def new_cache(self):
        """An empty key/value cache: one KVCache per layer."""
        return [KVCache() for _ in self.blocks]
