"""Attention of a trained model: a one-layer, one-head transformer that reverses sequences.

To output position i of the reversed sequence the model must read input
position n-1-i, and the attention map shows that it learned exactly this: an
anti-diagonal. The plotted example is a held-out sequence (never seen in
training); the tick labels are its actual tokens.
"""
import torch

from figures_src.experiments.reversal import (CONFIG, LENGTH, first_distinct_digits, held_out_sequences,
                                              trained_reversal_model)
from figures_src.figure import Figure

FIGURE = Figure(
    name="reversal-attention",
    alt=("Heat map of the attention weights of a one-layer, one-head transformer reversing the sequence "
         "{example}. Each output position puts almost all of its weight on the mirrored input position, "
         "so the bright cells form the anti-diagonal; mean weight on it {anti_diagonal_mass:.0%}."),
    caption=("Attention of a tiny transformer (1 layer, 1 head, $$d_{{model}} = {d_model}$$) trained to reverse "
             "sequences of {length} digits: output position $$i$$ attends to input position $$n-1-i$$. "
             "Trained in {steps} steps; it reverses {held_out_accuracy:.1%} of {n_held_out} held-out "
             "sequences it never saw. The plotted example is one of them; on average "
             "{anti_diagonal_mass:.0%} of the attention sits on the anti-diagonal."),
)


def anti_diagonal_mass(weights):
    """Mean attention weight on the anti-diagonal (row i, column n-1-i) of [..., n, n] maps."""
    return weights.flip(-1).diagonal(dim1=-2, dim2=-1).mean().item()


@torch.no_grad()
def compute() -> dict:
    model, metrics = trained_reversal_model()
    held_out = held_out_sequences(CONFIG["n_held_out"], CONFIG["seed"])
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
            "final_loss": metrics["final_loss"],
            "held_out_accuracy": metrics["held_out_sequence_accuracy"],
            "held_out_token_accuracy": metrics["held_out_token_accuracy"],
            "n_held_out": metrics["n_held_out"],
            "anti_diagonal_mass": anti_diagonal_mass(all_weights),
            "example_anti_diagonal_mass": anti_diagonal_mass(weights),
            "example": " ".join(str(t) for t in example.tolist()),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    weights = data["weights"].numpy()
    n = weights.shape[0]
    fig, ax = plt.subplots(figsize=(5.6, 5.0))
    image = ax.imshow(weights, cmap=theme.cmap("blue"), vmin=0, vmax=1, interpolation="nearest")
    for i in range(n):
        for j in range(n):
            if weights[i, j] >= 0.1:  # print the weights that carry the map
                ax.text(j, i, f"{weights[i, j]:.2f}".lstrip("0"), ha="center", va="center",
                        fontsize=10, color=theme.background if weights[i, j] > 0.5 else theme.text)
    ax.set_xticks(range(n), [str(t) for t in data["tokens"].tolist()])
    ax.set_yticks(range(n), [str(t) for t in data["output"].tolist()])
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("input tokens (keys)")
    ax.set_ylabel("output tokens (queries)")
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, ticks=(0, 0.5, 1))
    bar.outline.set_visible(False)
    bar.set_label("attention weight")
    return fig
