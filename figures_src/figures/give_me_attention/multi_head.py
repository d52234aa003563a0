"""Multi-head attention (Vaswani et al. 2017, section 3.2.2) on a task that needs
two look-ups per position, with a one-head model of the same width as the baseline.

The task (figures_src.experiments.two_lookups): 8 random digits; output at
position i is (x_(n-1-i) - x_(i-1)) mod 10, the mirrored token minus the
previous one (position 0 has no previous token and subtracts 0). Two
one-layer encoders with the same budget (d_model 32, d_ff 128, the same
parameter count, data and at most max_steps Adam steps) differ only in h: one
head of d_k = 32, or two of d_k = 16. Each is trained with every seed of
experiments.seeds.SEEDS and scored on the same 2000 held-out sequences.

What the data shows (seeds 0-4; the manifest's per_seed has every number):
- Two heads are not reliably faster. Both stop at the first batch loss under
  CONFIG's stop_loss; the median step counts are about the same, and two heads
  stopped first in only some seeds. Where they differ is the worst seed: a
  single head can sit on a loss plateau (seed 0, the seed the post first
  published: 40% of digits, 0% of sequences after 1000 steps; it leaves the
  plateau at about 1500 steps when given 3000, measured outside the build).
- What the heads do, over all held-out data (two_lookups.head_roles;
  positions 0 and n/2, where the two look-ups are not two different tokens,
  left out): heads are numbered arbitrarily, so per seed the head with more
  weight on the previous token is called the "previous-leaning" one. In every
  seed each head puts over 99% of its weight on the two tokens the job needs,
  but not one token per head: the previous-leaning head puts 66-78% on the
  previous token, the other 39-60%. Within a sequence the two heads often
  take one token each (their strongest weights on the two different tokens
  in 46-84% of positions, by seed), which head taking which changing with
  the position and the digits: the drawn seed shows it.

The figure draws the mechanism the post explains with the trained model's
own maps: the input split into two heads of d_k dimensions, each head's
attention map side by side (one held-out sequence, the first with 8
different digits, of the median seed by training steps), then concat and
W^O. Marks: a ring on the mirrored cell, a square on the previous cell (not
an "x": x_i is the post's name for the input), with the key drawn in the
figure. Each row's two digits and the model's output are written beside it;
row 0 has no previous token, which the figure says.

The hand-written MultiHeadAttention equals torch.nn.MultiheadAttention given
the same weights: tests/nn/test_attention.py.
"""
import string

import torch

from figures_src.experiments import seeds as seed_set
from figures_src.experiments import two_lookups
from figures_src.experiments.reversal import first_distinct_digits
from figures_src.figures.figure import Figure

MARKS = {"mirror": "o", "previous": "s"}  # ring, square

FIGURE = Figure(
    name="multi-head",
    alt=("Diagram of multi-head attention with the attention maps of a one-layer model trained to "
         "output the mirrored digit minus the previous one, mod 10, on one held-out sequence (seed "
         "{drawn_seed}, the median of {n_seeds} seeds by training steps). The input, "
         "8 digits of {d_model} numbers each, is split into {n_heads} heads of {d_k} dimensions. "
         "Each head's 8 by 8 attention map is drawn, with a ring on each row's mirrored token and "
         "a square on its previous token; beside each row are the two digits, their difference and "
         "the model's output. Over all held-out sequences, in this seed, head 1 puts "
         "{drawn_head1_previous:.0%} of its weight on the previous token and "
         "{drawn_head1_mirror:.0%} on the mirrored one, head 2 {drawn_head2_previous:.0%} and "
         "{drawn_head2_mirror:.0%}. The two heads' outputs are concatenated and multiplied by W^O. "
         "Over {n_seeds} seeds, within {max_steps} steps, two heads got "
         "{sequence_accuracy_2_min:.1%}–{sequence_accuracy_2_max:.0%} of the {n_eval} held-out "
         "sequences right, one head of the same width "
         "{sequence_accuracy_1_min:.0%}–{sequence_accuracy_1_max:.0%}; median training steps: one "
         "head {steps_1_median}, two heads {steps_2_median}."),
    caption=("Two heads learning $$(x_{{n-1-i}} - x_{{i-1}}) \\bmod 10$$ (seed {drawn_seed}, the "
             "median of {n_seeds}). Rings mark the mirrored token, squares the previous one. "
             "Median training steps: two heads {steps_2_median}, one head {steps_1_median}."),
)


def ordered_roles(roles):
    """head_roles() with the heads put in a seed-independent order: the head with more
    weight on the previous token first (heads are numbered arbitrarily by training)."""
    order = torch.argsort(roles["previous_weight"], descending=True)
    return {key: value[order] for key, value in roles.items()}


def attention_maps(model, sequences):
    """The first layer's attention weights on sequences, [B, h, T, T], and the predictions."""
    with torch.no_grad():
        seen = []
        predicted = model(sequences, attention=seen).argmax(-1)
    return seen[0], predicted


def compute() -> dict:
    config = two_lookups.CONFIG
    seeds = seed_set.SEEDS
    runs = {h: two_lookups.trained_two_lookups_models(h) for h in (1, 2)}
    held_out = two_lookups.held_out()  # fixed, never in a training batch
    per_seed = {"seed": list(seeds)}
    for h in (1, 2):
        metrics = [m for _, m in runs[h]]
        per_seed[f"steps_{h}"] = [m["steps"] for m in metrics]
        per_seed[f"token_accuracy_{h}"] = [m["held_out_token_accuracy"] for m in metrics]
        per_seed[f"sequence_accuracy_{h}"] = [m["held_out_sequence_accuracy"] for m in metrics]
        per_seed[f"solved_{h}"] = [m["held_out_sequence_accuracy"] == 1.0 for m in metrics]
    per_seed["two_first"] = [s2 < s1 for s1, s2 in zip(per_seed["steps_1"], per_seed["steps_2"])]
    roles = []
    for model, _ in runs[2]:
        maps, _ = attention_maps(model, held_out)
        roles.append(ordered_roles(two_lookups.head_roles(maps)))
    # the share of each head's weight on the two tokens the job needs, the smaller head's
    per_seed["on_two_tokens"] = [float((r["previous_weight"] + r["mirror_weight"]).min())
                                 for r in roles]
    for rank, name in enumerate(("lean", "other")):  # lean: the previous-leaning head
        for role in ("previous", "mirror"):
            per_seed[f"{name}_{role}_weight"] = [float(r[f"{role}_weight"][rank]) for r in roles]
            per_seed[f"{name}_{role}_top"] = [float(r[role][rank]) for r in roles]

    drawn_seed = seed_set.median_seed(per_seed["steps_2"], seeds)
    model = runs[2][seeds.index(drawn_seed)][0]
    eval_maps, predicted = attention_maps(model, held_out)
    drawn_roles = two_lookups.head_roles(eval_maps)  # in the model's own head order
    example_index = int((held_out == first_distinct_digits(held_out)[0]).all(-1).nonzero()[0])
    example = held_out[example_index]
    attn = model.encoder.blocks[0].self_attn

    numbers = {
        "n_heads": attn.n_heads, "d_k": attn.d_k, "d_model": attn.d_model,
        "n_eval": len(held_out), "n_seeds": len(seeds), "max_steps": config["max_steps"],
        "drawn_seed": drawn_seed,
        "drawn_head1_previous": float(drawn_roles["previous_weight"][0]),
        "drawn_head1_mirror": float(drawn_roles["mirror_weight"][0]),
        "drawn_head2_previous": float(drawn_roles["previous_weight"][1]),
        "drawn_head2_mirror": float(drawn_roles["mirror_weight"][1]),
    }
    for key in ("solved_1", "solved_2", "two_first"):
        numbers.update(seed_set.seed_facts(key, per_seed[key]))
    for key in ("steps_1", "steps_2", "token_accuracy_1", "sequence_accuracy_1", "token_accuracy_2",
                "sequence_accuracy_2", "lean_previous_weight", "lean_mirror_weight",
                "other_previous_weight", "other_mirror_weight", "lean_previous_top",
                "on_two_tokens"):
        numbers.update(seed_set.seed_facts(key, per_seed[key]))
    return {
        "tokens": example.tolist(),
        "maps": eval_maps[example_index],  # [h, T, T]
        "outputs": predicted[example_index].tolist(),
        "targets": two_lookups.targets(example[None])[0].tolist(),
        "held_out": held_out,
        "eval_maps": eval_maps,
        "roles": drawn_roles,
        "metrics": {h: [m for _, m in runs[h]] for h in (1, 2)},
        "per_seed": per_seed,
        "numbers": numbers,
        "facts": {name: numbers[name] for name in sorted(quoted_fields() | set(POST_FACTS))},
    }


# Facts the post quotes besides the caption's and the alt text's.
POST_FACTS = ("n_seeds", "on_two_tokens_min", "steps_1_median", "steps_2_median",
              "sequence_accuracy_1_min")


def quoted_fields():
    """The names the caption and the alt text format in."""
    return {name.split(".")[0].split("[")[0] for text in (FIGURE.caption, FIGURE.alt)
            for _, name, _, _ in string.Formatter().parse(text) if name}


def _box(fig, x, y, text, theme, **kwargs):
    """A rounded label box at figure coordinates (x, y)."""
    return fig.text(x, y, text, ha="center", va="center", color=theme.text, fontsize=12,
                    bbox={"boxstyle": "round,pad=0.35", "facecolor": theme.fill("blue"),
                          "edgecolor": theme.muted, "linewidth": 1.2}, **kwargs)


def _arrow(fig, start, end, theme):
    from matplotlib.patches import FancyArrowPatch

    fig.add_artist(FancyArrowPatch(start, end, transform=fig.transFigure, arrowstyle="-|>",
                                   mutation_scale=12, color=theme.muted, linewidth=1.4,
                                   shrinkA=0, shrinkB=0))


def draw(data, theme):
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    maps = data["maps"]
    tokens, outputs = data["tokens"], data["outputs"]
    heads, length = maps.shape[0], maps.shape[-1]
    numbers, roles = data["numbers"], data["roles"]
    cmap, norm = theme.cmap("blue"), Normalize(0, 1)

    width, height = 5.6, 6.9

    def y(inches):  # a height in the figure, in figure coordinates
        return inches / height

    fig = plt.figure(figsize=(width, height))
    # the maps: two squares side by side, room on the left for the row labels and on the
    # right for each row's digits and output
    side, gap, left = 1.95 / width, 0.2 / width, 0.62 / width
    bottom = y(2.55)
    axes = [fig.add_axes([left + h * (side + gap), bottom, side, y(1.95)]) for h in range(heads)]
    centres = [left + h * (side + gap) + side / 2 for h in range(heads)]

    # input, split into heads
    _box(fig, 0.5, y(6.7), f"input: {length} digits × {numbers['d_model']} numbers", theme)
    for x in centres:
        _arrow(fig, (0.5, y(6.5)), (x, y(5.5)), theme)
        fig.text(x, y(5.22), f"own $W^Q, W^K, W^V$:\n{numbers['d_k']} dims",
                 ha="center", va="center", fontsize=12, color=theme.text)
    # the key, in the figure (bottom left, beside the colour bar)
    key_y = y(0.5)
    for x, role, label in ((0.03, "mirror", "mirrored token $x_{n-1-i}$"),
                           (0.40, "previous", "previous token $x_{i-1}$")):
        fig.add_artist(plt.Line2D([x], [key_y], marker=MARKS[role], markersize=9,
                                  markeredgewidth=1.8,
                                  markerfacecolor="none", markeredgecolor=theme.text,
                                  linestyle="none",
                                  transform=fig.transFigure))
        fig.text(x + 0.028, key_y, label, va="center", ha="left", fontsize=12, color=theme.text)

    for h, ax in enumerate(axes):
        # cells as vector quads (an 8x8 raster is blurred when a browser scales it)
        edges = [v - 0.5 for v in range(length + 1)]
        image = ax.pcolormesh(edges, edges, maps[h].numpy(), cmap=cmap, norm=norm)
        for i in range(length):
            for j, role in ((length - 1 - i, "mirror"), (i - 1, "previous")):
                if j < 0:
                    continue
                colour = theme.text_on(cmap(norm(float(maps[h, i, j]))))
                ax.plot(j, i, marker=MARKS[role], markersize=9 if role == "mirror" else 7.5,
                        markeredgewidth=1.8, markerfacecolor="none", markeredgecolor=colour,
                        linestyle="none")
        ax.set_xlim(-0.5, length - 0.5)
        ax.set_ylim(length - 0.5, -0.5)  # row 0 on top, as a matrix
        ax.set_aspect("equal")
        ax.set_xticks(range(length))
        ax.set_xticklabels(tokens)
        ax.set_yticks(range(length))
        ax.set_yticklabels(range(length) if h == 0 else [])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(f"head {h + 1} (held-out mean):\nprevious "
                     f"{float(roles['previous_weight'][h]):.0%}, mirrored "
                     f"{float(roles['mirror_weight'][h]):.0%}", fontsize=11,
                     color=theme.text, pad=4)
        ax.set_xlabel("key token", fontsize=12)
    axes[0].set_ylabel("query position $i$", fontsize=12)

    # each row's two look-ups and the model's output, in the last map's row coordinates
    last = axes[-1]
    for i in range(length):
        previous = f"{tokens[i - 1]}" if i > 0 else "0*"
        last.text(length - 0.2, i, f" {tokens[length - 1 - i]}−{previous}→{outputs[i]}",
                  va="center",
                  ha="left", color=theme.text, fontsize=12, clip_on=False)
    # the column's header, with the key's own marks: ring minus square gives the output
    header = -1.05
    for x, role in ((length + 0.15, "mirror"), (length + 1.25, "previous")):
        last.plot(x, header, marker=MARKS[role], markersize=8, markeredgewidth=1.6,
                  markerfacecolor="none",
                  markeredgecolor=theme.text, linestyle="none", clip_on=False)
    last.text(length + 0.7, header, "−", va="center", ha="center", color=theme.text, fontsize=12,
              clip_on=False)
    last.text(length + 1.6, header, "→out", va="center", ha="left", color=theme.text, fontsize=12,
              clip_on=False)

    # concat and W^O
    concat_y, out_y = y(1.6), y(1.05)
    for x in centres:
        _arrow(fig, (x, y(2.0)), (0.5 + (x - 0.5) * 0.3, concat_y + y(0.17)), theme)
    _box(fig, 0.5, concat_y, f"concat: {heads} × {numbers['d_k']} = {numbers['d_model']} numbers",
         theme)
    _arrow(fig, (0.5, concat_y - y(0.17)), (0.5, out_y + y(0.17)), theme)
    _box(fig, 0.5, out_y, "× $W^O$, then the read-out: output digit", theme)
    fig.text(0.03, y(0.18), "* position 0 has no previous token: it subtracts 0", fontsize=11,
             color=theme.text, ha="left", va="center")

    bar_axes = fig.add_axes([0.76, y(0.32), 0.21, y(0.13)])
    bar = fig.colorbar(image, cax=bar_axes, orientation="horizontal", ticks=[0, 0.5, 1])
    bar.set_label("attention weight", fontsize=11, labelpad=2)
    bar.ax.xaxis.set_label_position("top")
    bar.outline.set_visible(False)
    return fig
