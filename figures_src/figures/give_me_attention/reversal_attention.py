"""Attention of a trained model: a one-layer, one-head transformer that reverses sequences.

The model is an encoder: output position i must write x_(n-1-i), so it must
read position n-1-i, and the attention map shows that it learned exactly
this: an anti-diagonal. What makes the anti-diagonal is the learned position
vectors, not the digits: the position vectors alone (token embeddings set to
zero) already put the largest weight of row i on n-1-i (measured, in every
seed). Rows are query positions i (left: i and its input digit; right: the
digit the model outputs there); columns are key positions j (top: their input
digits; bottom: j).

Every number is over all 2000 held-out sequences and over the training seeds
of experiments.seeds.SEEDS (median and range, or "in k of n seeds"). The map
drawn is one seed's: the median seed by anti-diagonal mass, the typical one.
The drawn sequence is the post's example, 3 1 4 1 5 9 2 6, which no seed
ever trained on (reversal.EXAMPLE).
"""
import torch

from figures_src.experiments import reversal
from figures_src.experiments.seeds import SEEDS, median_seed, seed_facts
from figures_src.figures.figure import Figure

FIGURE = Figure(
    name="reversal-attention",
    alt=("Heat map of the attention weights of a one-layer, one-head transformer (d_model = "
         "{d_model}) reversing the {length}-digit sequence {example}, which it never saw in "
         "training (seed {shown_seed}, the median of {n_seeds} training seeds). Each row is an "
         "output position i, with the input digit on the left and the output on the right, and "
         "puts almost all of its weight on input position n-1-i, so the bright cells form the "
         "anti-diagonal. Over {n_held_out} held-out sequences and {n_seeds} seeds, the mean weight "
         "on it is {anti_diagonal_mass_median:.1%} ({anti_diagonal_mass_min:.1%} to "
         "{anti_diagonal_mass_max:.1%}), and the models reverse {held_out_accuracy_median:.1%} of "
         "the sequences ({held_out_accuracy_min:.1%} to {held_out_accuracy_max:.1%})."),
    caption=("A one-layer, one-head transformer reversing {length} digits (seed {shown_seed}, the "
             "median of {n_seeds}): row $$i$$ looks at position $$n-1-i$$, the anti-diagonal, with "
             "{anti_diagonal_mass_median:.1%} of its weight (median over seeds)."),
)


# The facts the caption, the alt and the post quote (the manifest carries only those).
QUOTED = ("length", "d_model", "n_held_out", "n_seeds", "shown_seed", "example", "steps_min",
          "steps_max",
          "held_out_accuracy_median", "held_out_accuracy_min", "held_out_accuracy_max",
          "anti_diagonal_mass_median", "anti_diagonal_mass_min", "anti_diagonal_mass_max",
          "every_row_on_mirror_k", "position_only_mirror_k")


@torch.no_grad()
def compute() -> dict:
    runs = reversal.trained_reversal_models()
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    per_seed = {"seed": list(SEEDS), "steps": [], "held_out_accuracy": [], "anti_diagonal_mass": [],
                "mirror_argmax": [], "position_only_mirror": [], "position_only_mass": []}
    for model, metrics in runs:
        measured = reversal.measures(model, held_out)
        per_seed["steps"].append(metrics["steps"])
        per_seed["held_out_accuracy"].append(metrics["held_out_sequence_accuracy"])
        per_seed["anti_diagonal_mass"].append(measured["anti_diagonal_mass"])
        per_seed["mirror_argmax"].append(measured["mirror_argmax"])
        per_seed["position_only_mirror"].append(measured["position_only_mirror"])
        per_seed["position_only_mass"].append(
            reversal.position_only_weights(model).flip(-1).diagonal().mean().item())
    shown = median_seed(per_seed["anti_diagonal_mass"])  # as reversal.typical_seed (the banner's)
    model, _ = runs[SEEDS.index(shown)]
    example = torch.tensor(reversal.EXAMPLE)
    seen = []
    output = model(example[None], attention=seen).argmax(-1)[0]
    summary = {
        "length": reversal.LENGTH,
        "d_model": reversal.CONFIG["d_model"],
        "n_held_out": len(held_out),
        "n_seeds": len(SEEDS),
        "shown_seed": shown,
        "example": " ".join(str(t) for t in example.tolist()),
        "example_output": " ".join(str(t) for t in output.tolist()),
        # every row's largest weight on n-1-i in every held-out sequence: in k of n seeds
        **seed_facts("every_row_on_mirror", [share == 1.0 for share in per_seed["mirror_argmax"]]),
        **seed_facts("position_only_mirror", per_seed["position_only_mirror"]),
    }
    for key in ("steps", "held_out_accuracy", "anti_diagonal_mass", "mirror_argmax",
                "position_only_mass"):
        summary.update(seed_facts(key, per_seed[key]))
    return {
        "tokens": example,
        "output": output,
        "weights": seen[0][0, 0],
        "shown_seed": shown,
        "summary": summary,  # every measure over seeds; the tests check the claims on it
        "facts": {key: summary[key] for key in QUOTED},
        "per_seed": per_seed,
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    weights = data["weights"].numpy()
    n = weights.shape[0]
    tokens = [str(t) for t in data["tokens"].tolist()]
    fig, ax = plt.subplots(figsize=(5.6, 6.2))
    image = ax.imshow(weights, cmap=theme.cmap("blue"), vmin=0, vmax=1, interpolation="none")
    # a light grid between the cells
    ax.set_xticks([j - 0.5 for j in range(1, n)], minor=True)
    ax.set_yticks([i - 0.5 for i in range(1, n)], minor=True)
    ax.grid(which="minor", color=theme.grid, linewidth=1.5)
    ax.tick_params(which="both", length=0)
    # rows: query position i and its input digit; columns: key input digit (top), position j
    # (bottom)
    ax.set_yticks(range(n), [f"{i}: {t}" for i, t in enumerate(tokens)])
    ax.set_ylabel("position i: input digit")
    ax.set_xticks(range(n), tokens)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("input digit at each position (keys)")
    positions = ax.secondary_xaxis("bottom")
    positions.set_xticks(range(n), [str(j) for j in range(n)])
    positions.tick_params(length=0)
    positions.set_xlabel("key position j")
    outputs = ax.secondary_yaxis("right")
    outputs.set_yticks(range(n), [str(t) for t in data["output"].tolist()])
    outputs.tick_params(length=0)
    outputs.set_ylabel("output at position i")
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    for axis in (outputs, positions):
        for spine in axis.spines.values():
            spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, orientation="horizontal", fraction=0.05, pad=0.13, aspect=30,
                       ticks=(0, 0.5, 1))
    bar.outline.set_visible(False)
    bar.set_label("attention weight")
    return fig
