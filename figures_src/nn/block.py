"""One transformer layer: attention and a feed-forward network, each wrapped in
a residual connection and a normalisation.

One flag places the norm:
    post-norm (the 2017 paper):   x = LN(x + F(x))
    pre-norm  (GPT-2 and later):  x = x + F(LN(x))
Pre-norm leaves the residual path x -> x + ... untouched from input to
output, which is why deep pre-norm stacks train without learning-rate
warm-up (Xiong et al. 2020); the stack then needs one final norm.
"""
import operator
from dataclasses import dataclass

import torch
from torch import fx, nn

from .attention import MultiHeadAttention, causal_mask
from .norms import LayerNorm, RMSNorm

# causal_mask(x.size(1)) depends on a traced size: record it as one step
# instead of tracing into it, so torch.fx can follow Block.forward.
fx.wrap("causal_mask")


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

    def forward(self, x, memory=None):
        mask = causal_mask(x.size(1), device=x.device) if self.causal else None
        x = self.residual(x, self.self_attn_norm, lambda h: self.self_attn(h, mask=mask))
        if self.cross_attention:
            x = self.residual(x, self.cross_attn_norm, lambda h: self.cross_attn(h, context=memory))
        x = self.residual(x, self.ffn_norm, self.ffn)
        return x


# ----------------------------------------------------------------------------
# The block's code path, for the pre-/post-norm diagrams: traced, not typed.

@dataclass(frozen=True)
class Step:
    """One step of Block.forward: name (unique), kind, and the steps it reads."""
    name: str
    kind: str      # "input", "attention", "feed_forward", "norm", "add", "mask", "output"
    inputs: tuple  # names of earlier steps (or inputs) this step consumes


class _BlockTracer(fx.Tracer):
    """Stops at attention, feed-forward, norms and dropout: they are the boxes of the diagram."""

    LEAVES = (MultiHeadAttention, FeedForward, LayerNorm, RMSNorm, nn.Dropout)

    def is_leaf_module(self, module, qualified_name):
        return isinstance(module, self.LEAVES) or super().is_leaf_module(module, qualified_name)


def _kind(node, modules):
    if node.op == "placeholder":
        return "input"
    if node.op == "output":
        return "output"
    if node.op == "call_module":
        module = modules[node.target]
        for cls, kind in ((MultiHeadAttention, "attention"), (FeedForward, "feed_forward"),
                          ((LayerNorm, RMSNorm), "norm"), (nn.Dropout, "dropout")):
            if isinstance(module, cls):
                return kind
    if node.op == "call_function" and node.target in (operator.add, torch.add):
        return "add"
    if node.op == "call_function" and node.target is causal_mask:
        return "mask"
    return "other"  # size lookups and the like: bookkeeping, not a step


def block_steps(block):
    """The steps of block.forward in execution order, from a torch.fx trace.

    Dropout is skipped (passed through to its input): it is the identity at
    evaluation and no box in the paper's figure. The memory input appears
    only when the block has cross-attention.
    """
    graph = _BlockTracer().trace(block)
    modules = dict(block.named_modules())
    alias = {}  # node name -> the step name that stands for it
    steps = []
    for node in graph.nodes:
        kind = _kind(node, modules)
        step_inputs = tuple(dict.fromkeys(alias[n.name] for n in node.all_input_nodes if n.name in alias))
        if kind in ("dropout", "other"):
            if kind == "dropout":
                alias[node.name] = step_inputs[0]
            continue
        if kind == "input" and not node.users:
            continue  # an unused argument (memory without cross-attention)
        name = node.target if kind in ("attention", "feed_forward", "norm") else node.name
        alias[node.name] = name
        steps.append(Step(name=name, kind=kind, inputs=step_inputs))
    return steps


def block_code_path(block):
    """Names of the computing steps of block.forward in execution order.

    e.g. post-norm: ['self_attn', 'add', 'self_attn_norm', 'ffn', 'add_1', 'ffn_norm']
         pre-norm:  ['self_attn_norm', 'self_attn', 'add', 'ffn_norm', 'ffn', 'add_1']
    """
    return [s.name for s in block_steps(block) if s.kind in ("attention", "feed_forward", "norm", "add")]
