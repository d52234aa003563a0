"""The post's preview image (front matter `image:`, about 1200x630 for social cards).

Not decoration from nowhere: the three maps are the attention of the trained
reversal model (figures_src.experiments.reversal) on held-out sequences, the
same model and seed as the reversal-attention figure (the median of the
training seeds by anti-diagonal mass, reversal.typical_seed), so the banner
shows the post's point, attention finding the one position that matters.
As in that figure, rows are labelled with their input digit (left) and the
digit the model outputs there (right); columns with their input digit.

It is shown at the post's column width (740 px on a laptop, 343 px on a
phone), so its smallest text is 19 pt = 25 CSS px: 7.2 px on a phone. The
colour scale is the same as reversal-attention's (0 to 1), with a small
colour bar under the note.
"""
import torch

from figures_src.experiments import reversal
from figures_src.experiments.seeds import SEEDS
from figures_src.figures.figure import Figure

WIDTH, HEIGHT = 1200, 630  # CSS px of the social preview
N_EXAMPLES = 3
TITLE = "Give me attention"
SUBTITLE = "LLMs and Transformers"
NOTE = "a trained transformer's attention\nas it reverses digit sequences"

FIGURE = Figure(
    name="banner",
    # Chirpy also shows the preview image's alt as its visible caption: keep it short.
    alt=("Give me attention: a small transformer's attention as it reverses three digit sequences "
         "it never saw ({examples}); the bright cells run along the anti-diagonal."),
    caption=("Attention of a one-layer transformer reversing three digit sequences it never saw in "
             "training (the model of the reversal figure below, seed {shown_seed}: the median of "
             "{n_seeds}). Rows: input digit (left), output (right); columns: input digit."),
    raster=True,
    # A phone's column (343-380 CSS px at 1.75-3 device px each) needs 720 or
    # 1200 of its 2400 pixels; laptops at 2x take the full size.
    smaller=(720, 1200),
)


@torch.no_grad()
def compute() -> dict:
    runs = reversal.trained_reversal_models()
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    shown = reversal.typical_seed(runs, held_out, SEEDS)
    model, _ = runs[SEEDS.index(shown)]
    examples = reversal.first_distinct_digits(held_out, N_EXAMPLES)
    seen = []
    outputs = model(examples, attention=seen).argmax(-1)
    weights = seen[0][:, 0]  # the one layer's one head: [N_EXAMPLES, n, n]
    return {
        "tokens": examples,
        "outputs": outputs,
        "weights": weights,
        "shown_seed": shown,
        "facts": {
            "shown_seed": shown,
            "n_seeds": len(SEEDS),
            "examples": ", ".join(" ".join(str(t) for t in s.tolist()) for s in examples),
        },
    }


def draw(data, theme):
    import matplotlib
    import matplotlib.pyplot as plt

    # The pipeline saves with a tight bounding box plus a pad; a background
    # rectangle filling the canvas makes that box the whole canvas, so the
    # canvas is WIDTH x HEIGHT minus the pad on each side.
    pad = matplotlib.rcParams["savefig.pad_inches"]
    epsilon = 1e-4  # inches: keeps the pixel count from rounding down to 2399
    fig = plt.figure(figsize=(WIDTH / 96 - 2 * pad + epsilon, HEIGHT / 96 - 2 * pad + epsilon),
                     dpi=96)
    fig.patches.append(matplotlib.patches.Rectangle((0, 0), 1, 1, transform=fig.transFigure,
                                                    facecolor=theme.background, edgecolor="none",
                                                    zorder=-1))

    fig.text(0.04, 0.875, TITLE, fontsize=46, fontweight="bold", color=theme.heading, va="center")
    fig.text(0.04, 0.765, SUBTITLE, fontsize=26, color=theme.muted, va="center")
    fig.text(0.965, 0.82, NOTE, fontsize=24, color=theme.muted, ha="right", va="center",
             linespacing=1.4)

    cmap = theme.cmap("blue")
    n = data["weights"].shape[-1]
    # axes in figure fractions; a gap holds one map's outputs and the next one's inputs
    height, bottom, gap = 0.44, 0.06, 0.095
    width = height * HEIGHT / WIDTH
    left = 1 - 3 * width - 2 * gap - 0.0575
    for index, (weights, tokens,
                outputs) in enumerate(zip(data["weights"], data["tokens"], data["outputs"])):
        ax = fig.add_axes((left + index * (width + gap), bottom, width, height))
        image = ax.imshow(weights.numpy(), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks(range(n), [str(t) for t in tokens.tolist()])
        ax.set_yticks(range(n), [str(t) for t in tokens.tolist()])
        ax.xaxis.tick_top()
        ax.tick_params(length=0, labelsize=24, pad=5, labelcolor=theme.muted)
        right = ax.secondary_yaxis("right")
        right.set_yticks(range(n), [str(t) for t in outputs.tolist()])
        right.tick_params(length=0, labelsize=24, pad=5, labelcolor=theme.heading)
        for side in (*ax.spines.values(), *right.spines.values()):
            side.set_visible(False)
        if index == 0:
            ax.set_ylabel("input", fontsize=24, color=theme.muted, labelpad=4)
            ax.xaxis.set_label_position("top")
            ax.set_xlabel("input", fontsize=24, color=theme.muted, labelpad=4, loc="left")
        if index == len(data["weights"]) - 1:
            right.set_ylabel("output", fontsize=24, color=theme.heading, labelpad=6)
    bar_axes = fig.add_axes((0.835, 0.705, 0.13, 0.028))
    bar = fig.colorbar(image, cax=bar_axes, orientation="horizontal", ticks=(0, 1))
    bar.outline.set_visible(False)
    bar.ax.tick_params(length=0, labelsize=24, labelcolor=theme.muted, pad=4)
    bar.ax.set_ylabel("attention weight", fontsize=24, color=theme.muted, rotation=0, ha="right",
                      va="center", labelpad=8)
    return fig
