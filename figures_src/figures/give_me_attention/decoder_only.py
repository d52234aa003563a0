"""A decoder-only model's causal attention, while it writes the reversal of its prompt.

The model (experiments.reversal.trained_causal_reversal_model: one pre-norm
causal block, one head, drawn in the figure `decoder-only-block`) reads
"x_1 .. x_8 SEP" and then writes x reversed, one token at a time. The map is
its attention on one held-out sequence fed as x SEP reversed(x)[:-1] (16
tokens, positions numbered 1 to 16 as on the axes). The row at position t
predicts the token at t + 1: the row at 9 + j (j = 0 .. 7) writes x_(8-j),
which stands at position 8 - j, so it attends there: one column left of its
own mirror image (9 - j) across the separator. Rows 1 to 8 read the prompt;
their next tokens are random digits, nothing is trained there, and the map
greys them out. The right-hand column is the model's own prediction
(argmax of its logits) at each row.

Measured over all {n_held_out} held-out sequences (teacher-forced, the same
pass training uses): the share of answer rows whose largest weight is on
the digit they write, and the mean weight there. The generation accuracy is
the experiment's own (token by token, feeding back its outputs).

Causality, measured: every weight above the diagonal is exactly zero, and
changing every token after position PROBE_POSITION + 1 (1-based) leaves
the logits up to it bit-identical while those after it change.
"""
import torch

from figures_src.experiments.reversal import (CONFIG, LENGTH, SEP, causal_sequences, held_out_sequences,
                                              trained_causal_reversal_model)
from figures_src.figures.figure import Figure

FIGURE = Figure(
    name="decoder-only",
    alt=("Attention map of a trained one-layer decoder-only model, 16 query positions (rows) by 16 key "
         "positions (columns), numbered 1 to 16, with the tokens they hold: {length} digits, a separator, "
         "then the reversed digits. Every cell above the diagonal is hatched: masked, weight exactly zero. "
         "Rows 1 to 8, the prompt, are greyed out. From the separator on, each row has one dark cell, on "
         "the digit that row writes next, shown at the right; these cells form an anti-diagonal one "
         "column left of each row's mirror image."),
    caption=("Attention of a one-layer decoder-only model writing the reversal of a held-out prompt. Row "
             "$$t$$ predicts the token at $$t+1$$ (right column). From the separator on, each row looks "
             "back at the digit it is about to write, one column left of its mirror image: "
             "{written_argmax_share:.0%} of such rows over {n_held_out} held-out sequences. Hatched cells "
             "are masked (weight exactly {max_above_diagonal:g})."),
)

PROBE_POSITION = 11  # 0-based; tokens after it are changed to test causality (position 12 on the axes)
SEP_LABEL = "SEP"


def token_labels(tokens):
    return [SEP_LABEL if t == SEP else str(t) for t in tokens.tolist()]


def written_columns():
    """0-based key index of the digit each answer row writes: row LENGTH + j writes
    x[LENGTH - 1 - j] (the target at that row), which stands at index LENGTH - 1 - j."""
    return torch.arange(LENGTH - 1, -1, -1)


@torch.no_grad()
def compute() -> dict:
    model, metrics = trained_causal_reversal_model()
    held_out = held_out_sequences(CONFIG["n_held_out"])
    # over every held-out sequence: where the answer rows put their weight
    all_tokens, targets = causal_sequences(held_out)
    seen = []
    model(all_tokens, attention=seen)
    answer = seen[-1][:, 0, LENGTH:]  # last layer, first head, rows LENGTH..2*LENGTH-1: [N, LENGTH, T]
    written = written_columns()
    assert torch.equal(all_tokens[:, written], targets[:, LENGTH:])  # row LENGTH+j writes the digit there
    on_written = answer[:, torch.arange(LENGTH), written]
    argmax_share = (answer.argmax(-1) == written).float().mean()

    # the example drawn: the first held-out sequence
    tokens = all_tokens[:1]
    changed = tokens.clone()
    changed[:, PROBE_POSITION + 1:] = (changed[:, PROBE_POSITION + 1:] + 1) % (SEP + 1)
    logits_changed = model(changed)
    seen = []
    logits = model(tokens, attention=seen)
    weights = torch.stack(seen)  # [layers, 1, h, T, T]
    above = torch.ones(tokens.shape[1], tokens.shape[1], dtype=torch.bool).triu(1)
    return {
        "tokens": tokens[0],
        "weights": weights[-1, 0, 0],  # last layer, first head: the one drawn
        "all_weights": weights,
        "predicted": logits[0].argmax(-1),  # the token each row writes
        "logits": logits[0],
        "logits_changed": logits_changed[0],
        "n_heads": model.blocks[-1].self_attn.n_heads,
        "written_weight_min": float(on_written.min()),
        "later_difference": float((logits[0, PROBE_POSITION + 1:]
                                   - logits_changed[0, PROBE_POSITION + 1:]).abs().max()),
        "facts": {
            "length": LENGTH,
            "held_out_accuracy": metrics["held_out_sequence_accuracy"],
            "n_held_out": metrics["n_held_out"],
            "written_argmax_share": float(argmax_share),
            "max_above_diagonal": float(weights[..., above].abs().max()),
            "probe_position": PROBE_POSITION + 1,
            "causal_difference": float((logits[0, :PROBE_POSITION + 1]
                                        - logits_changed[0, :PROBE_POSITION + 1]).abs().max()),
        },
    }


def draw(data, theme):
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Rectangle

    weights = data["weights"].numpy()
    n = weights.shape[0]
    labels = token_labels(data["tokens"])
    positions = [str(i + 1) for i in range(n)]
    prompt = LENGTH  # rows 0..LENGTH-1 (positions 1..LENGTH) read the prompt

    fig = plt.figure(figsize=(6.9, 6.6))
    ax = fig.add_axes((0.2, 0.12, 0.56, 0.72))
    above = np.triu(np.ones((n, n), dtype=bool), 1)
    image = ax.imshow(np.ma.masked_array(weights, mask=above), cmap=theme.cmap("blue"), vmin=0, vmax=1,
                      interpolation="none", aspect="equal")
    # masked cells: hatched on the grid colour
    ax.imshow(np.where(above, 1.0, np.nan), cmap=mcolors.ListedColormap([theme.grid]), interpolation="none",
              aspect="equal")
    for y, x in zip(*np.nonzero(above)):
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="////", edgecolor=theme.muted,
                               linewidth=0))
    # the prompt rows: greyed out (their next tokens are random; nothing is trained there)
    for y in range(prompt):
        ax.add_patch(Rectangle((-0.5, y - 0.5), y + 1, 1, facecolor=theme.background, alpha=0.7,
                               edgecolor="none"))
    # a light cell grid, and a line under the prompt
    for k in range(n + 1):
        ax.axhline(k - 0.5, color=theme.grid, lw=0.6)
        ax.axvline(k - 0.5, color=theme.grid, lw=0.6)
    ax.axhline(prompt - 0.5, color=theme.muted, lw=1.4)
    ax.text(n - 4, 3.5, "masked:\nweight 0", ha="center", va="center", fontsize=12, color=theme.text,
            bbox=dict(boxstyle="round,pad=0.35", facecolor=theme.background, edgecolor=theme.muted, lw=1.0))

    # keys: positions below, tokens on top; queries: positions and tokens left, written token right
    ax.set_xticks(range(n), positions, fontsize=12)
    ax.set_xlabel("key position (a token it may look at)")
    top = ax.secondary_xaxis("top")
    top.set_xticks(range(n), labels, fontsize=12)
    top.tick_params(length=0, pad=3)
    ax.set_yticks(range(n), labels, fontsize=12)
    left = ax.secondary_yaxis(-0.1)
    left.set_yticks(range(n), positions, fontsize=12)
    left.tick_params(length=0)
    left.set_ylabel("query position")
    right = ax.secondary_yaxis("right")
    writes = ["" if row < prompt else ("SEP" if t == SEP else str(t))
              for row, t in enumerate(data["predicted"].tolist())]
    right.set_yticks(range(n), writes, fontsize=12, fontweight="bold")
    right.tick_params(length=0, pad=4)
    for axis in (ax, top, left, right):
        axis.tick_params(length=0)
        for spine in axis.spines.values():
            spine.set_visible(False)
    ax.tick_params(axis="y", pad=3)
    ax.annotate("writes", (1, 1), xycoords="axes fraction", xytext=(6, 6), textcoords="offset points",
                ha="left", va="bottom", fontsize=12, color=theme.text, fontweight="bold")
    ax.annotate("token", (0, 1), xycoords="axes fraction", xytext=(-4, 6), textcoords="offset points",
                ha="right", va="bottom", fontsize=12, color=theme.text, fontweight="bold")
    ax.annotate("prompt:\nread only", (1, 1 - (prompt / 2) / n), xycoords="axes fraction",
                xytext=(8, 0), textcoords="offset points", ha="left", va="center", fontsize=12,
                color=theme.text)
    bar = fig.colorbar(image, cax=fig.add_axes((0.9, 0.12, 0.025, 0.36)), ticks=(0, 0.5, 1))
    bar.outline.set_visible(False)
    bar.set_label("attention weight")
    return fig
