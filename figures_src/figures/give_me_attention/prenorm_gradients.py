"""Gradient size per layer at initialisation, post-norm vs pre-norm, in the
layer Xiong et al. 2020 analyse ("On Layer Normalization in the Transformer
Architecture", ICML).

The setting: an encoder stack (figures_src.nn Encoder) of blocks of
self-attention + feed-forward network, post-norm (LN(x + F(x)), the 2017
paper) or pre-norm (x + F(LN(x)), with a final LayerNorm), every weight
matrix of the blocks Xavier-uniform as in their analysis (biases keep
PyTorch's default), d_model 64, 4 heads, d_ff 256, a linear read-out and
one cross-entropy loss on random tokens (vocabulary 100, batch 8, length
16, no dropout). We measure what their Theorem 1 and
Figure 3 are about: the gradient norm ||dℓ/dW_2|| of each layer's
feed-forward output weight, at initialisation, mean over seeds.

Left panel: a 12-layer stack. Right panel: the top layer's gradient,
post-norm over pre-norm, for stacks of 1 to 12 layers, against sqrt(L).
Their Theorem 1 bounds the last layer's gradient by O(d sqrt(ln d)) for
Post-LN and O(d sqrt(ln d / L)) for Pre-LN, so the ratio should grow like
sqrt(L); ours does (facts top_ratio_*; the test holds each depth within 25%
of sqrt(L)).

What we measure and the paper draws differ in one place, and the figure
shows ours: in this encoder, post-norm's per-layer gradient is nearly level
(fact post_rise, last over first layer), not rising towards the output; it is
pre-norm's that changes with depth, falling from layer 1 to the top (fact
pre_fall). Measured on this code but not drawn: in a decoder block (masked
self-attention + cross-attention to a fixed memory + FFN; the figure's
previous version) post-norm's gradient does rise about 3x from layer 1 to 12,
as Liu et al. 2020 ("Understanding the Difficulty of Training Transformers")
also find for the decoder and not for the encoder.

Cost: 6 seeds x 2 norms x (1 + 3 + 6 + 12) layers, d_model 64: about 4 s on
one thread.
"""
import math

import torch
from torch.nn import functional as F

from figures_src.figures.figure import Figure
from figures_src.nn.transformer import Encoder, TransformerConfig

CONFIG = dict(d_model=64, n_heads=4, d_ff=256, vocab_size=100, max_len=16, dropout=0.0)
N_LAYERS = 12            # the stack of the left panel
DEPTHS = (1, 3, 6, 12)   # the stacks of the right panel (N_LAYERS last: its run is shared)
BATCH = 8
SEEDS = tuple(range(6))

FIGURE = Figure(
    name="prenorm-gradients",
    alt=("Two line charts of the gradient norm of each layer's feed-forward weight W_2 at "
         "initialisation in an encoder of self-attention and feed-forward blocks (Xavier "
         "initialisation, mean of {n_seeds} seeds, bands plus and minus one standard deviation). "
         "Left, per layer of a {n_layers}-layer stack: post-norm stays near level, "
         "{post_first:.2f} at layer 1 and {post_last:.2f} at the top ({post_rise:.1f}x); pre-norm "
         "falls from {pre_first:.2f} to {pre_last:.2f} ({pre_fall:.1f}x). Right: the top layer's "
         "post-norm over pre-norm ratio grows with depth, close to the square root of the number "
         "of layers, as Xiong et al. predict, reaching {post_over_pre_top:.1f} at {n_layers} "
         "layers."),
    caption=("Each layer's gradient at initialisation ({n_seeds} seeds). Left: over {n_layers} "
             "layers post-norm stays near level, pre-norm falls {pre_fall:.1f}x. Right: at the "
             "top, post-norm's is about $$\\sqrt{{L}}$$ times pre-norm's, as Xiong et al. "
             "predict."),
)


def spearman(values) -> float:
    """Spearman rank correlation of `values` with their index (no ties expected)."""
    values = torch.as_tensor(values, dtype=torch.float64)
    if torch.unique(values).numel() != values.numel():
        raise ValueError("spearman: tied values; this hand-written version has no tie correction")
    n = values.numel()
    ranks = values.argsort().argsort().double()
    index = torch.arange(n, dtype=torch.float64)
    return float(1 - 6 * (ranks - index).pow(2).sum() / (n * (n * n - 1)))


def layer_gradient_norms(pre_norm: bool, seed: int, n_layers: int = N_LAYERS) -> torch.Tensor:
    """[n_layers] ||dℓ/dW_2|| per layer for one freshly initialised encoder."""
    torch.manual_seed(seed)
    config = TransformerConfig(n_layers=n_layers, **CONFIG)
    encoder = Encoder(config, pre_norm=pre_norm)
    for block in encoder.blocks:
        for weight in block.parameters():
            if weight.dim() > 1:
                torch.nn.init.xavier_uniform_(weight)
    head = torch.nn.Linear(config.d_model, config.vocab_size)
    tokens = torch.Generator().manual_seed(10_000 + seed)
    inputs, labels = (torch.randint(0, config.vocab_size, (BATCH, config.max_len), generator=tokens)
                      for _ in range(2))
    logits = head(encoder(inputs))
    loss = F.cross_entropy(logits.reshape(-1, config.vocab_size), labels.reshape(-1))
    loss.backward()
    return torch.tensor([block.ffn.w_2.weight.grad.norm().item() for block in encoder.blocks],
                        dtype=torch.float64)


def compute() -> dict:
    # norms[depth][name]: [seeds, depth]
    norms = {depth: {name: torch.stack([layer_gradient_norms(pre_norm, seed, depth)
                                        for seed in SEEDS])
                     for name, pre_norm in (("post", False), ("pre", True))}
             for depth in DEPTHS}
    mean = {name: rows.mean(0) for name, rows in norms[N_LAYERS].items()}
    std = {name: rows.std(0) for name, rows in norms[N_LAYERS].items()}
    top_ratio = torch.tensor([float(norms[d]["post"][:, -1].mean() / norms[d]["pre"][:, -1].mean())
                              for d in DEPTHS], dtype=torch.float64)
    return {
        "norms": norms[N_LAYERS],
        "depth_norms": norms,
        "mean": mean,
        "std": std,
        "layers": torch.arange(1, N_LAYERS + 1),
        "depths": torch.tensor(DEPTHS),
        "top_ratio": top_ratio,
        "post_spearman": spearman(mean["post"]),
        "pre_spearman": spearman(mean["pre"]),
        "facts": {
            "n_layers": N_LAYERS,
            "n_seeds": len(SEEDS),
            "post_first": float(mean["post"][0]),
            "post_last": float(mean["post"][-1]),
            "pre_first": float(mean["pre"][0]),
            "pre_last": float(mean["pre"][-1]),
            "post_rise": float(mean["post"][-1] / mean["post"][0]),
            "pre_fall": float(mean["pre"][0] / mean["pre"][-1]),
            "post_over_pre_top": float(top_ratio[-1]),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    fig, (ax, ax_depth) = plt.subplots(1, 2, figsize=(7.0, 3.5),
                                       gridspec_kw={"wspace": 0.45, "width_ratios": (1.55, 1)})
    layers = data["layers"].numpy()
    for name, label, colour, marker in (("post", "post-norm", "vermillion", "o"),
                                        ("pre", "pre-norm", "blue", "s")):
        mean, std = data["mean"][name].numpy(), data["std"][name].numpy()
        ax.fill_between(layers, mean - std, mean + std, color=theme.fill(colour), linewidth=0)
        ax.plot(layers, mean, color=theme.color(colour), marker=marker, markersize=5)
        # direct label at the right end of each line, in the line's colour
        ax.annotate(label, (layers[-1], mean[-1]), xytext=(6, 0), textcoords="offset points",
                    va="center", ha="left", color=theme.color(colour))
    ax.set_xticks([1, 3, 6, 9, 12] if len(layers) == 12 else layers)
    ax.set_xlim(layers[0] - 0.4, layers[-1] + 4.2)  # room for the direct labels
    ax.set_ylim(bottom=0)
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("$\\Vert \\partial \\ell / \\partial W_2 \\Vert$  ($\\ell$: the loss)")
    ax.set_title(f"per layer, {len(layers)} layers", loc="left")
    ax.grid(True, axis="y")

    depths, ratio = data["depths"].numpy(), data["top_ratio"].numpy()
    smooth = torch.linspace(1, float(depths[-1]), 60).numpy()
    ax_depth.plot(smooth, [math.sqrt(v) for v in smooth], color=theme.muted, linestyle="--",
                  linewidth=1.5)
    ax_depth.annotate("$\\sqrt{L}$", (smooth[-1], math.sqrt(smooth[-1])), xytext=(4, 8),
                      textcoords="offset points", ha="right", va="bottom", color=theme.text)
    ax_depth.plot(depths, ratio, color=theme.color("vermillion"), marker="o", markersize=6)
    ax_depth.set_xticks(depths)
    ax_depth.set_xlim(0, depths[-1] + 1)
    ax_depth.set_ylim(0, max(ratio.max(), math.sqrt(depths[-1])) * 1.25)
    ax_depth.set_xlabel("number of layers $L$")
    ax_depth.set_ylabel("top layer's gradient,\npost-norm ÷ pre-norm")
    ax_depth.set_title("top layer vs depth", loc="left")
    ax_depth.grid(True, axis="y")
    return fig
