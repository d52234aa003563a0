"""An induction head, trained here: how a transformer copies from its context.

A 2-layer attention-only transformer, one head per layer
(figures_src.experiments.induction), reads random tokens in which a random
block of 6 appears twice, at a random offset and after a random gap. Inside
the first copy nothing predicts the next token; inside the repeat, the token
after the earlier copy does. Elhage et al. 2021 and Olsson et al. 2022 named
the two-head circuit that does it: a previous-token head in layer 1 and an
induction head in layer 2.

Top: the two heads' attention on one held-out sequence (the first whose
block has 6 different tokens and whose offset and gap are both at least 1),
from the typical seed's model (the median repeat accuracy, seeds.median_seed).
Layer 1's weight sits just left of the diagonal (key t-1) inside the first
copy, the keys layer 2 reads (elsewhere it spreads its weight: nothing there
needs the previous token); layer 2's repeat rows put theirs on a stripe: each
token of the repeat attends to the token right after its earlier copy. The
spans of both copies are marked on the axes.

Bottom: next-token accuracy on the held-out sequences, one dot per training
seed (5), the bar their median: in the first copy (chance, 1/16), in the
repeat, and in the repeat with the layer-2 or the layer-1 head zeroed
(induction.ablated). Every number quoted is over the same 1000 held-out
sequences, for each of the 5 seeds: the median and the range
(seeds.seed_facts), and "in k of 5 seeds" for the causal check (zeroing the
layer-2 head takes the repeat's accuracy at least 3/4 of the way down to the
first copy's).
"""
import statistics

import torch

from figures_src.experiments import induction
from figures_src.experiments.seeds import SEEDS, median_seed, seed_facts
from figures_src.figures.figure import Figure

FIGURE = Figure(
    name="induction-head",
    alt=("Two attention maps (seed {shown_seed}) of a 2-layer attention-only transformer, one head "
         "per layer, trained for {steps} steps on {vocab} kinds of random token in which a block "
         "of {block} tokens repeats after a random gap. In layer 1 each position of the block "
         "looks at the token just before it ({previous_token_score_in_block_median:.0%} of its "
         "attention). In layer 2 each token of the repeat looks at the token that followed its "
         "earlier copy ({induction_score_median:.0%}), a stripe parallel to the diagonal. Below, "
         "next-token accuracy on {n_held_out} held-out sequences over {n_seeds} training seeds: "
         "{accuracy_first_median:.0%} in the first copy (chance is {chance:.0%}), "
         "{accuracy_repeat_median:.0%} in the repeat ({accuracy_repeat_min:.0%} to "
         "{accuracy_repeat_max:.0%}; loss {loss_repeat_median:.2f} against {loss_first_median:.2f} "
         "nats), and {ablated_layer2_accuracy_median:.0%} in the repeat with the layer-2 head "
         "switched off ({ablated_layer2_accuracy_min:.0%} to {ablated_layer2_accuracy_max:.0%}; "
         "copying broken in {layer2_ablation_breaks_k} of {n_seeds} seeds), "
         "{ablated_layer1_accuracy_median:.0%} with the layer-1 head off."),
    caption=("An induction head, trained here (maps: seed {shown_seed}): layer 1 looks at the "
             "previous token, layer 2 at what followed the earlier copy. Repeats predicted: "
             "{accuracy_repeat_median:.0%} (median of {n_seeds} seeds)."),
)

QUOTED = ("n_seeds", "vocab", "block", "steps", "n_held_out", "chance", "shown_seed",
          "accuracy_repeat_median", "accuracy_repeat_min", "accuracy_repeat_max",
          "accuracy_first_median",
          "loss_first_median", "loss_repeat_median", "previous_token_score_in_block_median",
          "induction_score_median", "ablated_layer2_accuracy_median", "ablated_layer2_accuracy_min",
          "ablated_layer2_accuracy_max", "ablated_layer1_accuracy_median",
          "layer2_ablation_breaks_k")
# zeroing a head "breaks the copying" if it takes the repeat's accuracy this far down to chance
BROKEN = 0.75


def example_index(sequences, starts):
    """The first held-out sequence whose block has all-different tokens and whose offset
    and gap are both at least 1 (so neither copy touches the map's edge or the other copy)."""
    for i, (sequence, (first, second)) in enumerate(zip(sequences, starts.tolist())):
        block = sequence[first:first + induction.BLOCK].tolist()
        if (len(set(block)) == induction.BLOCK and first >= 1
                and second - first - induction.BLOCK >= 1):
            return i
    raise ValueError("no held-out sequence fits the plotted example's rules")


def breaks_copying(measured, layer=1):
    """Zeroing the layer's head takes the repeat's accuracy at least BROKEN of the way down
    to the first copy's (where nothing can be copied: chance)."""
    intact, floor = measured["accuracy_repeat"], measured["accuracy_first"]
    return (intact - measured["ablated_accuracy_repeat"][(layer, 0)]) / (intact - floor) >= BROKEN


@torch.no_grad()
def compute() -> dict:
    sequences, starts = induction.held_out()
    runs = induction.trained_induction_models()
    measures = [induction.measure(model, sequences, starts) for model, _ in runs]
    per_seed = {
        "seed": list(SEEDS),
        "accuracy_first": [m["accuracy_first"] for m in measures],
        "accuracy_repeat": [m["accuracy_repeat"] for m in measures],
        "loss_first": [m["loss_first"] for m in measures],
        "loss_repeat": [m["loss_repeat"] for m in measures],
        "previous_token_score_in_block": [m["previous_token_scores_in_block"][0] for m in measures],
        "induction_score": [m["induction_scores"][0] for m in measures],
        "ablated_layer2_accuracy": [m["ablated_accuracy_repeat"][(1, 0)] for m in measures],
        "ablated_layer1_accuracy": [m["ablated_accuracy_repeat"][(0, 0)] for m in measures],
        "layer2_ablation_breaks": [breaks_copying(m, layer=1) for m in measures],
    }
    shown = median_seed(per_seed["accuracy_repeat"])  # the typical seed
    model, _ = runs[SEEDS.index(shown)]
    index = example_index(sequences, starts)
    maps = induction.attention_maps(model, sequences[index:index + 1])
    summary = {
        "n_seeds": len(SEEDS), "vocab": induction.VOCAB, "block": induction.BLOCK,
        "steps": induction.CONFIG["max_steps"], "n_held_out": len(sequences),
        "chance": 1 / induction.VOCAB,
        "shown_seed": shown,
    }
    for key, values in per_seed.items():
        if key != "seed":
            summary.update(seed_facts(key, values))
    return {
        "measures": measures,  # all that measure() returned, per seed (the tests read it)
        "metrics": [metrics for _, metrics in runs],
        "per_seed": per_seed,
        "summary": summary,
        "tokens": induction.inputs_and_targets(sequences[index:index + 1])[0][0],
        "starts": starts[index],
        "example_index": index,
        "layer1": maps[0][0, 0],
        "layer2": maps[1][0, 0],
        "facts": {key: summary[key] for key in QUOTED},
    }


# -- drawing -------------------------------------------------------------------

def copy_colours(theme):
    """The first copy of the block and its repeat, as marked along the maps' axes."""
    return theme.color("orange"), theme.color("green")


def draw_map(ax, weights, starts, title, theme, mark):
    """One head's map with the two copies marked along both axes; mark: the cells the
    head is expected to use, outlined."""
    from matplotlib.patches import Rectangle

    n = weights.shape[0]
    image = ax.imshow(weights.numpy(), cmap=theme.cmap("blue"), vmin=0, vmax=1,
                      interpolation="none")
    for row, column in mark:
        ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False,
                               edgecolor=theme.color("vermillion"),
                               linewidth=1.1))
    ticks = list(range(0, n, 5))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.tick_params(length=0, pad=9)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, fontsize=13)
    # the two copies of the block, as bars along the bottom and the left edge of the map
    for copy, colour in enumerate(copy_colours(theme)):
        start = int(starts[copy]) - 0.5
        end = start + induction.BLOCK
        ax.plot([start, end], [n - 0.5 + 0.55] * 2, color=colour, linewidth=4,
                solid_capstyle="butt",
                clip_on=False)
        ax.plot([-0.5 - 0.55] * 2, [start, end], color=colour, linewidth=4, solid_capstyle="butt",
                clip_on=False)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    return image


def draw_accuracy(ax, data, theme):
    facts = data["facts"]
    columns = data["per_seed"]
    rows = [("first copy", columns["accuracy_first"]),
            ("repeat", columns["accuracy_repeat"]),
            ("repeat,\nlayer 2 off", columns["ablated_layer2_accuracy"]),
            ("repeat,\nlayer 1 off", columns["ablated_layer1_accuracy"])]
    for y, (label, values) in enumerate(rows):
        median = statistics.median(values)
        ax.barh(y, median, height=0.6, color=theme.fill("blue"), edgecolor=theme.color("blue"),
                linewidth=1.0)
        ax.plot(values, [y] * len(values), linestyle="none", marker="o", markersize=5,
                markerfacecolor=theme.background, markeredgecolor=theme.text, markeredgewidth=1.2)
        ax.text(max(values) + 0.02, y, f"{median:.0%}", va="center", ha="left", fontsize=12,
                color=theme.text)
    ax.axvline(facts["chance"], color=theme.muted, linestyle=(0, (3, 2)), linewidth=1.2)
    ax.text(facts["chance"] + 0.01, -0.55, "chance: 1 in 16", va="bottom", ha="left", fontsize=12,
            color=theme.muted)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.9)
    ax.set_xlim(0, 1.0)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(f"next-token accuracy (bar: median; dots: {facts['n_seeds']} seeds)")
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def draw(data, theme):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    first, second = (int(s) for s in data["starts"])
    previous = [(first + i, first + i - 1)
                for i in range(1, induction.BLOCK)]  # the keys layer 2 reads
    stripe = [(second + i, first + i + 1) for i in range(induction.BLOCK - 1)]
    fig = plt.figure(figsize=(5.2, 6.5))
    grid = fig.add_gridspec(3, 2, height_ratios=(1.0, 0.05, 0.8), hspace=0.55, wspace=0.28,
                            left=0.13, right=0.98, top=0.87, bottom=0.09)
    left, right = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    image = draw_map(left, data["layer1"], data["starts"], "layer 1: previous token", theme,
                     previous)
    draw_map(right, data["layer2"], data["starts"], "layer 2: induction", theme, stripe)
    left.set_ylabel("query position")
    for ax in (left, right):
        ax.set_xlabel("key position")
    block, repeat = copy_colours(theme)
    handles = [Line2D([], [], color=block, linewidth=4, label="the block"),
               Line2D([], [], color=repeat, linewidth=4, label="its repeat"),
               Patch(facecolor="none", edgecolor=theme.color("vermillion"), linewidth=1.1,
                     label="where each head should look")]
    fig.legend(handles=handles, loc="upper center", ncol=2, frameon=False, fontsize=12,
               bbox_to_anchor=(0.5, 1.0), handlelength=1.6, columnspacing=1.2)
    bar = fig.colorbar(image, cax=fig.add_subplot(grid[1, :]), orientation="horizontal",
                       ticks=(0, 0.5, 1))
    bar.outline.set_visible(False)
    bar.set_label(f"attention weight (held-out example, seed {data['facts']['shown_seed']})")
    draw_accuracy(fig.add_subplot(grid[2, :]), data, theme)
    return fig
