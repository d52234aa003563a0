"""Attention of a trained model: a one-layer, one-head transformer that reverses sequences.

The model is an encoder: position i reads input token x_i, its query is
computed from that token, and its output is the token it predicts for
position i of the reversed sequence, x_(n-1-i). To write it, position i must
read position n-1-i, and the attention map shows that it learned exactly
this: an anti-diagonal. Rows are positions (left labels: the input token
whose query it is; right labels: what that position outputs); columns are
the same positions as keys (top labels: their input tokens). The plotted
example is a held-out sequence (never seen in training). The mean
anti-diagonal mass quoted is over all 2000 held-out sequences; on the
plotted one it is within 1e-3 of 1.
"""
import torch

from figures_src.experiments.reversal import (CONFIG, LENGTH, first_distinct_digits, held_out_sequences,
                                              trained_reversal_model)
from figures_src.figures.figure import Figure

FIGURE = Figure(
    name="reversal-attention",
    alt=("Heat map of the attention weights of a one-layer, one-head transformer reversing the sequence "
         "{example}. Each row is a position, whose query comes from that position's input digit; it puts "
         "almost all of its weight on the mirrored position, so the bright cells form the anti-diagonal; "
         "mean weight on it {anti_diagonal_mass:.1%}."),
    caption=("Attention of a tiny transformer (1 layer, 1 head, $$d_{{model}} = {d_model}$$) trained to "
             "reverse {length} digits. Each row is a position: its query comes from that position's input "
             "digit (left), and it outputs the digit on the right, found at position $$n-1-i$$, where it "
             "attends. It reverses {held_out_accuracy:.1%} of {n_held_out} held-out sequences; "
             "{anti_diagonal_mass:.1%} of the attention sits on the anti-diagonal."),
)


def anti_diagonal_mass(weights):
    """Mean attention weight on the anti-diagonal (row i, column n-1-i) of [..., n, n] maps."""
    return weights.flip(-1).diagonal(dim1=-2, dim2=-1).mean().item()


@torch.no_grad()
def compute() -> dict:
    model, metrics = trained_reversal_model()
    held_out = held_out_sequences(CONFIG["n_held_out"])
    seen = []
    model(held_out, attention=seen)
    all_weights = seen[0][:, 0]  # the one layer's one head: [N, n, n]
    example = first_distinct_digits(held_out)[0]
    seen = []
    output = model(example[None], attention=seen).argmax(-1)[0]
    weights = seen[0][0, 0]
    return {
        "tokens": example,
        "output": output,
        "weights": weights,
        "metrics": metrics,
        "facts": {
            "length": LENGTH,
            "d_model": CONFIG["d_model"],
            "steps": metrics["steps"],
            "held_out_accuracy": metrics["held_out_sequence_accuracy"],
            "n_held_out": metrics["n_held_out"],
            "anti_diagonal_mass": anti_diagonal_mass(all_weights),
            "example": " ".join(str(t) for t in example.tolist()),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    weights = data["weights"].numpy()
    n = weights.shape[0]
    tokens = [str(t) for t in data["tokens"].tolist()]
    fig, ax = plt.subplots(figsize=(5.4, 5.6))
    image = ax.imshow(weights, cmap=theme.cmap("blue"), vmin=0, vmax=1, interpolation="none")
    # a light grid between the cells
    ax.set_xticks([j - 0.5 for j in range(1, n)], minor=True)
    ax.set_yticks([i - 0.5 for i in range(1, n)], minor=True)
    ax.grid(which="minor", color=theme.grid, linewidth=1.5)
    ax.tick_params(which="both", length=0)
    ax.set_xticks(range(n), tokens)
    ax.set_yticks(range(n), tokens)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("keys: input digit at each position")
    ax.set_ylabel("queries: input digit at each position")
    outputs = ax.secondary_yaxis("right")
    outputs.set_yticks(range(n), [str(t) for t in data["output"].tolist()])
    outputs.tick_params(length=0)
    outputs.set_ylabel("output at that position")
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    for spine in outputs.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, orientation="horizontal", fraction=0.05, pad=0.05, aspect=30,
                       ticks=(0, 0.5, 1))
    bar.outline.set_visible(False)
    bar.set_label("attention weight")
    return fig
