"""Decoder-only (GPT-style) transformer: a pre-norm block with a causal mask.

Left: the block, drawn from the code path of the trained model's own Block
(torch.fx trace, figures_src.nn.block.block_steps), so the picture cannot
drift from the code. Right: the real attention of that model as it generates
the reversal of a held-out digit sequence after a separator (the task of the
reversal figure, done the GPT way: one token at a time, looking back only).
The masked cells above the diagonal are hatched and their weight is exactly
zero: position t cannot see tokens after t, which is what lets the model be
trained on every position at once and then generate one token at a time.
"""
import torch

from figures_src.experiments.reversal import (CONFIG, LENGTH, SEP, causal_sequences, held_out_sequences,
                                              trained_causal_reversal_model)
from figures_src.figure import Figure
from figures_src.nn.block import block_steps

FIGURE = Figure(
    name="decoder-only",
    alt=("Left: a decoder-only transformer block drawn bottom to top: token and position embedding, then "
         "N times LayerNorm, masked multi-head self-attention, add, LayerNorm, feed-forward, add; "
         "then a final LayerNorm and a linear layer with softmax giving next-token probabilities. Right: the "
         "attention weights of a trained model that reads {length} digits and a separator, then writes them "
         "in reverse; after the separator each position looks back at the mirrored digit, and every cell "
         "above the diagonal is masked with weight exactly zero."),
    caption=("A decoder-only (GPT-style) transformer: pre-norm blocks whose self-attention is causally masked "
             "(GPT-2 small stacks N = 12; this model has N = {n_layers}). Right: its attention while it "
             "generates the reversal of a held-out sequence after the separator; it reverses "
             "{held_out_accuracy:.1%} of {n_held_out} held-out sequences, generating token by token. The hatched "
             "cells above the diagonal are masked and their weight is exactly {max_above_diagonal:g}; changing "
             "the tokens after position {probe_position} leaves the outputs up to it unchanged (largest "
             "difference {causal_difference:g})."),
)

PROBE_POSITION = 11  # 0-based; tokens after it are changed to test causality
SEP_LABEL = "SEP"


def token_labels(tokens):
    return [SEP_LABEL if t == SEP else str(t) for t in tokens.tolist()]


@torch.no_grad()
def compute() -> dict:
    model, metrics = trained_causal_reversal_model()
    sequence = held_out_sequences(CONFIG["n_held_out"], CONFIG["seed"])[:1]
    tokens, _ = causal_sequences(sequence)  # x SEP reversed(x)[:-1], [1, 2n]
    # causality, measured: change every token after the probe position
    changed = tokens.clone()
    changed[:, PROBE_POSITION + 1:] = (changed[:, PROBE_POSITION + 1:] + 1) % (SEP + 1)
    logits_changed = model(changed)
    logits = model(tokens)  # last: the kept attention weights are those of `tokens`
    weights = torch.stack(model.attention_weights())  # [layers, 1, h, T, T]
    above = torch.ones(tokens.shape[1], tokens.shape[1], dtype=torch.bool).triu(1)
    return {
        "tokens": tokens[0],
        "weights": weights[-1, 0, 0],  # last layer, first head: the one drawn
        "all_weights": weights,
        "logits": logits[0],
        "logits_changed": logits_changed[0],
        "steps": block_steps(model.blocks[0]),
        "n_layers": len(model.blocks),
        "positional": model.config.positional,
        "facts": {
            "n_layers": len(model.blocks),
            "length": LENGTH,
            "held_out_accuracy": metrics["held_out_sequence_accuracy"],
            "n_held_out": metrics["n_held_out"],
            "max_above_diagonal": float(weights[..., above].abs().max()),
            "probe_position": PROBE_POSITION + 1,
            "causal_difference": float((logits[0, :PROBE_POSITION + 1]
                                        - logits_changed[0, :PROBE_POSITION + 1]).abs().max()),
            "later_difference": float((logits[0, PROBE_POSITION + 1:]
                                       - logits_changed[0, PROBE_POSITION + 1:]).abs().max()),
        },
    }


# -- drawing -------------------------------------------------------------------

STEP_LABELS = {"norm": "LayerNorm", "feed_forward": "Feed-forward"}


def step_label(step):
    if step.kind == "attention":
        masked = any(name.startswith("causal_mask") for name in step.inputs)
        return "Masked multi-head\nself-attention" if masked else "Multi-head\nself-attention"
    return STEP_LABELS[step.kind]


def step_color(step, theme):
    return {"norm": theme.fill("yellow"), "attention": theme.fill("orange"),
            "feed_forward": theme.fill("sky_blue")}[step.kind]


def draw_block(ax, data, theme):
    """The block, bottom to top, from the traced steps; residual paths on the right."""
    from matplotlib.patches import Circle, FancyBboxPatch

    half_width, side_x, gap = 1.5, 1.95, 0.34  # box half-width, residual line x, space between boxes

    def box(bottom, text, fill, height=0.62):
        ax.add_patch(FancyBboxPatch((-half_width, bottom), 2 * half_width, height,
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor=fill, edgecolor=theme.muted, linewidth=1.2))
        ax.text(0, bottom + height / 2, text, ha="center", va="center", fontsize=12, color=theme.text,
                linespacing=1.15)
        return bottom, bottom + height

    def arrow(y0, y1, x0=0.0, x1=0.0):
        ax.annotate("", (x1, y1), (x0, y0), arrowprops=dict(arrowstyle="-|>", color=theme.muted, lw=1.3,
                                                           shrinkA=0, shrinkB=0))

    embedding = "Token embedding\n+ " + ("learned" if data["positional"] == "learned" else "sinusoidal") + " position"
    _, top = box(0, embedding, theme.fill("green"), height=0.8)
    top_of = {"x": top}  # where each step's output leaves, by step name
    block_bottom = top + gap / 2
    y = top + gap
    computing = [s for s in data["steps"] if s.kind in ("norm", "attention", "feed_forward", "add")]
    for step in computing:
        sources = [name for name in step.inputs if name in top_of]
        if step.kind == "add":
            radius = 0.2
            lower, upper = y, y + 2 * radius
            centre = y + radius
            ax.add_patch(Circle((0, centre), radius, facecolor=theme.background, edgecolor=theme.muted,
                                linewidth=1.2))
            ax.text(0, centre, "+", ha="center", va="center", fontsize=15, color=theme.text)
            # the sub-layer's output comes from below; the residual (the other input) goes around the right
            sublayer = [n for n in sources if n == computing[computing.index(step) - 1].name][0]
            residual = [n for n in sources if n != sublayer][0]
            branch = top_of[residual] + gap / 2
            ax.plot([0, side_x, side_x], [branch, branch, centre], color=theme.muted, lw=1.3)
            ax.add_patch(Circle((0, branch), 0.06, color=theme.muted))
            arrow(centre, centre, side_x, radius)
            arrow(top_of[sublayer], lower)
        else:
            height = 0.8 if step.kind == "attention" else 0.62
            lower, upper = box(y, step_label(step), step_color(step, theme), height)
            arrow(top_of[sources[0]], lower)
            if step.kind == "attention" and any(n.startswith("causal_mask") for n in step.inputs):
                ax.annotate("causal\nmask", (-half_width, lower + height / 2), (-2.45, lower + height / 2),
                            ha="center", va="center", fontsize=11, color=theme.text,
                            arrowprops=dict(arrowstyle="-|>", color=theme.color("vermillion"), lw=1.5,
                                            shrinkA=17, shrinkB=0))
        top_of[step.name] = upper
        y = upper + gap
    block_top = y - gap / 2
    ax.add_patch(FancyBboxPatch((-half_width - 0.2, block_bottom), 2 * half_width + 0.2 + side_x - half_width + 0.25,
                                block_top - block_bottom, boxstyle="round,pad=0,rounding_size=0.15",
                                facecolor="none", edgecolor=theme.muted, linewidth=1.0, linestyle=(0, (4, 3))))
    ax.text(-half_width - 0.45, block_top - 0.45, "× N", ha="right", va="center",
            fontsize=15, color=theme.heading)
    lower, upper = box(y, "LayerNorm", theme.fill("yellow"))
    arrow(top_of[computing[-1].name], lower)
    lower2, upper2 = box(upper + gap, "Linear + softmax", theme.fill("blue"))
    arrow(upper, lower2)
    ax.text(0, upper2 + 0.15, "next-token probabilities", ha="center", va="bottom", fontsize=12, color=theme.text)
    ax.set_xlim(-3.0, 2.6)
    ax.set_ylim(-0.1, upper2 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_attention(ax, data, theme):
    import matplotlib.colors as mcolors
    import numpy as np
    from matplotlib.patches import Rectangle

    weights = data["weights"].numpy()
    n = weights.shape[0]
    above = np.triu(np.ones((n, n), dtype=bool), 1)
    shown = np.ma.masked_array(weights, mask=above)
    image = ax.imshow(shown, cmap=theme.cmap("blue"), vmin=0, vmax=1, interpolation="nearest")
    # the masked cells: hatched, in the muted colour
    ax.imshow(np.where(above, 1.0, np.nan), cmap=mcolors.ListedColormap([theme.grid]), interpolation="nearest")
    ys, xs = np.nonzero(above)
    for y, x in zip(ys, xs):
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="////", edgecolor=theme.muted,
                               linewidth=0))
    ax.text(0.7 * n, 0.25 * n, "masked:\nscore −∞,\nweight 0", ha="center", va="center", fontsize=12,
            color=theme.text, bbox=dict(boxstyle="round,pad=0.35", facecolor=theme.background,
                                        edgecolor=theme.muted, linewidth=1.0))
    labels = token_labels(data["tokens"])
    ax.set_xticks(range(n), labels, fontsize=10)
    ax.set_yticks(range(n), labels, fontsize=10)
    ax.xaxis.tick_top()
    ax.tick_params(length=0, pad=2)
    ax.set_xlabel("key (a token it may look at)")
    ax.xaxis.set_label_position("top")
    ax.set_ylabel("query (predicts the next token)")
    for side in ax.spines.values():
        side.set_visible(False)
    return image


def draw(data, theme):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(9.6, 5.6))
    grid = fig.add_gridspec(1, 2, width_ratios=(1, 1.3), wspace=0.12)
    draw_block(fig.add_subplot(grid[0]), data, theme)
    ax = fig.add_subplot(grid[1])
    image = draw_attention(ax, data, theme)
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.03, ticks=(0, 0.5, 1))
    bar.outline.set_visible(False)
    bar.set_label("attention weight")
    return fig
