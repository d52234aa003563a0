"""Scaled dot-product attention as the paper draws it (Vaswani et al. 2017,
Figure 2 left), bottom to top: MatMul, Scale, Mask (optional), SoftMax, MatMul.

The annotations are measured, not quoted: for queries and keys with
independent unit-variance components q.k has variance d_k, so without the
1/sqrt(d_k) the scores are large and the softmax saturates (one weight near
1, tiny gradients); with it, the scores have unit variance.
"""
import math

import torch

from figures_src.figure import Figure
from figures_src.nn.attention import causal_mask, scaled_dot_product_attention
from figures_src.nn.transformer import TransformerConfig

N_PAIRS = 200_000  # (q, k) samples for the variance
N_KEYS = 16  # keys per query for the saturation measurement
N_QUERIES = 20_000

FIGURE = Figure(
    name="scaled-dot-product",
    alt=("Flow diagram of scaled dot-product attention, read bottom to top: Q and K enter a "
         "MatMul, then Scale by one over the square root of d_k, an optional Mask, SoftMax, "
         "and a second MatMul with V. Notes beside it: the measured variance of q dot k is "
         "{var_qk:.1f} for d_k = {d_k}, {var_scaled:.2f} after scaling; the largest softmax "
         "weight averages {max_weight_raw:.2f} without scaling and {max_weight_scaled:.2f} with it."),
    caption=("Scaled dot-product attention, $$\\mathrm{{softmax}}(QK^\\top/\\sqrt{{d_k}})\\,V$$ "
             "(after Vaswani et al. 2017, Figure 2). Measured on random unit-variance vectors "
             "with $$d_k = {d_k}$$: $$\\mathrm{{var}}(q \\cdot k) = {var_qk:.1f}$$, so unscaled "
             "scores push the softmax into saturation (its largest weight over {n_keys} keys "
             "averages {max_weight_raw:.2f}); divided by $$\\sqrt{{d_k}}$$ the variance is "
             "{var_scaled:.2f} and the largest weight {max_weight_scaled:.2f}."),
)


def torch_attention(q, k, v, mask=None):
    """PyTorch's own scaled dot-product attention (output only), for the check."""
    from torch.nn import functional as F

    if hasattr(F, "scaled_dot_product_attention"):  # torch >= 2.0
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    output, _ = F._scaled_dot_product_attention(q, k, v, mask, 0.0, False, False)  # torch 1.13
    return output


def compute() -> dict:
    d_k = TransformerConfig().d_k  # the paper's base model: 512 / 8 = 64

    q, k = torch.randn(2, N_PAIRS, d_k, dtype=torch.float64)
    dots = (q * k).sum(-1)
    scaled = dots / math.sqrt(d_k)

    queries = torch.randn(N_QUERIES, 1, d_k, dtype=torch.float64)
    keys = torch.randn(N_QUERIES, N_KEYS, d_k, dtype=torch.float64)
    raw_scores = (queries @ keys.transpose(-2, -1)).squeeze(1)
    max_raw = torch.softmax(raw_scores, -1).max(-1).values.mean()
    max_scaled = torch.softmax(raw_scores / math.sqrt(d_k), -1).max(-1).values.mean()

    # the project's function against PyTorch's, with and without a causal mask
    qs, ks, vs = torch.randn(3, 2, 6, d_k, dtype=torch.float64)
    ours, weights = scaled_dot_product_attention(qs, ks, vs)
    ours_masked, weights_masked = scaled_dot_product_attention(qs, ks, vs, causal_mask(6))
    return {
        "d_k": d_k,
        "dots": dots,
        "scaled": scaled,
        "check": {"q": qs, "k": ks, "v": vs, "mask": causal_mask(6),
                  "ours": ours, "ours_masked": ours_masked, "weights_masked": weights_masked,
                  "torch": torch_attention(qs, ks, vs),
                  "torch_masked": torch_attention(qs, ks, vs, causal_mask(6))},
        "facts": {
            "d_k": d_k,
            "n_keys": N_KEYS,
            "var_qk": float(dots.var()),
            "var_scaled": float(scaled.var()),
            "max_weight_raw": float(max_raw),
            "max_weight_scaled": float(max_scaled),
        },
    }


def _note(lines):
    """An HTML-like label: left-aligned lines."""
    return "<" + "".join(f'{line}<BR ALIGN="LEFT"/>' for line in lines) + ">"


def draw(data, theme):
    facts = data["facts"]
    d_k = data["d_k"]
    g = theme.digraph("scaled_dot_product", rankdir="BT", ranksep="0.32", nodesep="0.3")

    def box(name, label, color, **attrs):
        g.node(name, label, color=theme.color(color), fillcolor=theme.fill(color), **attrs)

    with g.subgraph(name="inputs") as inputs:
        inputs.attr(rank="same")
        for name in ("Q", "K", "V"):
            inputs.node(name, f"<<I>{name}</I>>", shape="plaintext", style="", fontsize="16")
    box("matmul_qk", "<MatMul&#160;&#160;<I>QK</I><SUP>T</SUP>>", "purple")
    box("scale", f"<Scale&#160;&#160;÷ √<I>d</I><SUB>k</SUB> = {math.sqrt(d_k):g}>", "yellow")
    box("mask", "<Mask (opt.)>", "vermillion", style="rounded,filled,dashed")
    box("softmax", "SoftMax", "green")
    box("matmul_v", "MatMul", "purple")
    g.node("out", "<Attention(<I>Q</I>, <I>K</I>, <I>V</I>)>", shape="plaintext", style="")

    g.edge("Q", "matmul_qk")
    g.edge("K", "matmul_qk")
    g.edge("matmul_qk", "scale")
    g.edge("scale", "mask")
    g.edge("mask", "softmax")
    g.edge("softmax", "matmul_v")
    g.edge("V", "matmul_v")
    g.edge("matmul_v", "out")

    # measured notes beside the steps they explain
    notes = {
        "matmul_qk": [f"var(<I>q</I>·<I>k</I>) = {facts['var_qk']:.1f} ≈ <I>d</I><SUB>k</SUB> = {d_k}"],
        "scale": [f"var after scaling = {facts['var_scaled']:.2f}"],
        "softmax": [f"largest weight of {facts['n_keys']} keys:",
                    f"{facts['max_weight_raw']:.2f} unscaled (saturated)",
                    f"{facts['max_weight_scaled']:.2f} scaled"],
    }
    for step, lines in notes.items():
        with g.subgraph() as row:
            row.attr(rank="same")
            row.node(f"note_{step}", _note(lines), shape="plaintext", style="",
                     fontcolor=theme.muted, fontsize="13")
            row.edge(step, f"note_{step}", style="dotted", arrowhead="none", color=theme.muted,
                     constraint="false")
    return g
