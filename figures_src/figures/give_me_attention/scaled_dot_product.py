"""Scaled dot-product attention as the paper draws it (Vaswani et al. 2017,
Figure 2 left), bottom to top: MatMul, Scale, Mask (optional), SoftMax, MatMul;
beside it, what the scale is for.

The numbers are measured, not quoted: for queries and keys with independent
unit-variance components q.k has variance d_k (200,000 pairs, d_k = 64; the
test allows 10%), so without the 1/sqrt(d_k) the scores are large and the
softmax saturates: over 16 keys, the largest weight averages about 0.84 over
20,000 queries, against about 0.25 with the scale (uniform would be 1/16).

The bars show one of those queries, the one whose two largest weights
(unscaled, scaled) are together nearest the two averages: a typical query,
not a picked one (the distribution of the unscaled largest weight is skewed:
its median is about 0.93). Its 16 keys are sorted by score; scaling keeps
the order, so both panels sort alike.
The project's attention function equals PyTorch's within 1e-12 (float64),
with and without a causal mask (tests/figures/test_scaled_dot_product.py).
"""
import math

import torch

from figures_src.figures.figure import Figure
from figures_src.nn.attention import causal_mask, scaled_dot_product_attention
from figures_src.nn.transformer import TransformerConfig

N_PAIRS = 200_000  # (q, k) samples for the variance
N_KEYS = 16  # keys per query for the saturation measurement
N_QUERIES = 20_000
# the diagram, bottom to top: (name, label, palette colour of its fill)
STEPS = (("matmul_qk", "MatMul  $QK^\\top$", "purple"),
         ("scale", "Scale  $\\div\\sqrt{d_k}$", "orange"),
         ("mask", "Mask (optional)", "vermillion"),
         ("softmax", "SoftMax", "green"),
         ("matmul_v", "MatMul  with $V$", "purple"))

FIGURE = Figure(
    name="scaled-dot-product",
    alt=("Left, a flow diagram of scaled dot-product attention, read bottom to top: Q and K enter "
         "a MatMul, then Scale by one over the square root of d_k, an optional Mask, SoftMax, and "
         "a second MatMul with V. Right, one typical query's softmax weights over its {n_keys} "
         "keys as bars: unscaled, one key takes almost all the weight; scaled, the weight is "
         "spread over several keys. For random unit-variance vectors with d_k = {d_k}, the "
         "variance of q·k is {var_qk:.1f}; averaged over {n_queries:,} queries the largest of the "
         "{n_keys} weights is {max_weight_raw:.2f} unscaled and {max_weight_scaled:.2f} scaled."),
    caption=("Scaled dot-product attention (after Vaswani et al. 2017, Figure 2). Right, why "
             "scale: with $$d_k = {d_k}$$ the largest of {n_keys} weights averages "
             "{max_weight_raw:.2f} unscaled, {max_weight_scaled:.2f} scaled."),
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
    raw_scores = (queries @ keys.transpose(-2, -1)).squeeze(1)  # [N_QUERIES, N_KEYS]
    weights_raw = torch.softmax(raw_scores, -1)
    weights_scaled = torch.softmax(raw_scores / math.sqrt(d_k), -1)
    largest_raw = weights_raw.max(-1).values
    largest_scaled = weights_scaled.max(-1).values
    # a typical query for the bars: both of its largest weights nearest the two averages
    distance = ((largest_raw - largest_raw.mean()).abs()
                + (largest_scaled - largest_scaled.mean()).abs())
    example = int(distance.argmin())
    order = raw_scores[example].argsort(descending=True)

    # the project's function against PyTorch's, with and without a causal mask
    qs, ks, vs = torch.randn(3, 2, 6, d_k, dtype=torch.float64)
    ours, _ = scaled_dot_product_attention(qs, ks, vs)
    ours_masked, weights_masked = scaled_dot_product_attention(qs, ks, vs, causal_mask(6))
    return {
        "d_k": d_k,
        "dots": dots,
        "scaled": scaled,
        "steps": [name for name, _, _ in STEPS],
        "raw_scores": raw_scores,
        "example": example,
        "n_queries": N_QUERIES,
        "example_raw": weights_raw[example, order],  # the bars, keys sorted by score
        "example_scaled": weights_scaled[example, order],
        "check": {"mask": causal_mask(6), "ours": ours, "ours_masked": ours_masked,
                  "weights_masked": weights_masked,
                  "torch": torch_attention(qs, ks, vs),
                  "torch_masked": torch_attention(qs, ks, vs, causal_mask(6))},
        "facts": {
            "d_k": d_k,
            "n_keys": N_KEYS,
            "n_queries": N_QUERIES,
            "var_qk": float(dots.var()),
            "max_weight_raw": float(largest_raw.mean()),
            "max_weight_scaled": float(largest_scaled.mean()),
        },
    }


def _draw_diagram(ax, theme, d_k):
    """The paper's flow, bottom to top, as boxes and arrows in data units (x 0..1)."""
    from matplotlib.patches import FancyBboxPatch

    box_height, gap = 0.62, 0.5
    y_inputs = 0.0
    ys = [y_inputs + 0.9 + i * (box_height + gap) for i in range(len(STEPS))]
    y_out = ys[-1] + box_height + 0.75
    arrow = dict(arrowstyle="-|>", color=theme.muted, linewidth=1.4, mutation_scale=14,
                 shrinkA=2, shrinkB=2)
    for (name, label, colour), y in zip(STEPS, ys):
        ax.add_patch(FancyBboxPatch((0.06, y), 0.88, box_height,
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor=theme.fill(colour), edgecolor=theme.muted,
                                    linewidth=1.3,
                                    linestyle=(0, (4, 2)) if name == "mask" else "-"))
        ax.text(0.5, y + box_height / 2, label, ha="center", va="center", color=theme.text,
                fontsize=13)
        # the operation's value here, beside the box: an operation, not a result
        if name == "scale":
            ax.text(0.97, y + box_height / 2, f"here\n÷ {math.sqrt(d_k):g}", ha="left", va="center",
                    color=theme.text, fontsize=12, linespacing=1.0, gid="scale-value")
    for lower, upper in zip(ys, ys[1:]):
        ax.annotate("", xy=(0.5, upper), xytext=(0.5, lower + box_height), arrowprops=arrow)
    for x, name in ((0.3, "Q"), (0.7, "K")):
        ax.text(x, y_inputs + 0.1, f"${name}$", ha="center", va="bottom", fontsize=15,
                color=theme.text)
        ax.annotate("", xy=(x, ys[0]), xytext=(x, y_inputs + 0.5), arrowprops=arrow)
    v_y = ys[-1] - gap / 2  # V comes in from the side, into the last MatMul
    ax.text(1.12, v_y, "$V$", ha="center", va="center", fontsize=15, color=theme.text)
    ax.annotate("", xy=(0.94, ys[-1] + box_height / 2), xytext=(1.12, v_y + 0.15),
                arrowprops=dict(arrow, connectionstyle="angle,angleA=90,angleB=0,rad=5"))
    ax.annotate("", xy=(0.5, y_out - 0.1), xytext=(0.5, ys[-1] + box_height), arrowprops=arrow)
    ax.text(0.5, y_out, "Attention$(Q, K, V)$", ha="center", va="bottom", fontsize=13,
            color=theme.text)
    ax.set_xlim(0, 1.25)
    ax.set_ylim(-0.05, y_out + 0.45)
    ax.axis("off")


def draw(data, theme):
    import matplotlib.pyplot as plt

    facts = data["facts"]
    fig = plt.figure(figsize=(7.0, 4.7))
    grid = fig.add_gridspec(2, 2, width_ratios=(1, 1.45), wspace=0.3, hspace=0.55)
    _draw_diagram(fig.add_subplot(grid[:, 0]), theme, data["d_k"])

    keys = range(1, facts["n_keys"] + 1)
    uniform = 1 / facts["n_keys"]
    panels = (("example_raw", "max_weight_raw", "vermillion",
               "unscaled: $\\mathrm{softmax}(q \\cdot k)$"),
              ("example_scaled", "max_weight_scaled", "blue",
               "scaled: $\\mathrm{softmax}(q \\cdot k / \\sqrt{d_k})$"))
    for row, (key, mean_key, colour, title) in enumerate(panels):
        ax = fig.add_subplot(grid[row, 1])
        weights = data[key].numpy()
        ax.bar(keys, weights, width=0.75, color=theme.color(colour))
        ax.axhline(uniform, color=theme.muted, linewidth=1.2, linestyle=(0, (4, 3)))
        ax.text(facts["n_keys"] + 0.5, uniform + 0.04, f"uniform 1/{facts['n_keys']}", ha="right",
                va="bottom", fontsize=12, color=theme.text)
        # the largest bar's value, in clear space to the right of the bars it describes (never over
        # one), and the average over all queries that the caption quotes beside it
        ax.annotate(f"this query: {weights[0]:.2f}\nmean of {data['n_queries']:,}: "
                    f"{facts[mean_key]:.2f}",
                    xy=(1.4, weights[0]), xytext=(3.6, 0.62 if row == 0 else 0.6), ha="left",
                    va="center",
                    fontsize=12, color=theme.text, linespacing=1.15, gid=f"largest/{key}",
                    arrowprops=dict(arrowstyle="-", color=theme.muted, linewidth=1.0, shrinkA=2,
                                    shrinkB=2))
        ax.set_ylim(0, 1)
        ax.set_yticks((0, 0.5, 1))
        ax.set_xlim(0.4, facts["n_keys"] + 0.6)
        ax.set_xticks((1, facts["n_keys"]))
        ax.set_title(title, fontsize=13, loc="left")
        ax.set_ylabel("weight")
    ax.set_xlabel(f"one query's {facts['n_keys']} keys, by score")
    return fig
