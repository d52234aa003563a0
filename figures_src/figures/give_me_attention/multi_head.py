"""Multi-head attention (Vaswani et al. 2017, section 3.2.2) on a task that needs
two look-ups per position, with a one-head model of the same width as the baseline.

The task (figures_src.experiments.two_lookups): 8 random digits; output at
position i is (x_(n-1-i) - x_(i-1)) mod 10, the mirrored token minus the
previous one (a difference, so the model must know which digit is which; the
old sum task was solved by one head as well as by two). Two one-layer
encoders with the same budget (d_model 32, d_ff 128, the same parameter
count, data, seed and at most 1000 Adam steps) differ only in h: one head of
d_k = 32, or two of d_k = 16. Both are scored on the same 2000 held-out
sequences (facts accuracy_1, accuracy_2).

What the data shows:
- Two heads: 100% of held-out sequences, stopping at loss 1e-3 after 695 steps.
- One head, same 1000 steps: 0% of sequences, 40% of digits; its loss sits on
  a plateau (about 1.41) from step ~500. It is not impossible for one head:
  the same run continued (max_steps 3000, measured once with
  `two_lookups.build_and_train(dict(CONFIG, n_heads=1, max_steps=3000))`)
  leaves the plateau and reaches 100% after 1771 steps. So at this size a
  single head's averaging slows the learning a lot; it does not forbid it.
- Neither head fetches one token alone. Averaged over all held-out data
  (two_lookups.head_roles; positions 0 and n/2, where the two look-ups are
  not two different tokens, left out) head 1 puts about 3/4 of its weight on
  the previous token and 1/4 on the mirrored one, in every row; head 2 puts
  about half on each, and in a given sequence it usually looks sharply at one
  of the two, which one depending on the digits. Two different mixes of the
  same two digits are what the read-out needs to tell them apart.

The figure draws the maps of one held-out sequence (the first with 8
different digits), marks the mirrored cell (o) and the previous cell (x) of
every row, writes each row's two digits and the model's output beside it,
and titles each head with its held-out mean weights. One colour scale for
both heads, with a colorbar.

The hand-written MultiHeadAttention equals torch.nn.MultiheadAttention given
the same weights: tests/nn/test_attention.py.
"""
import torch

from figures_src.experiments import two_lookups
from figures_src.experiments.reversal import first_distinct_digits
from figures_src.figures.figure import Figure

FIGURE = Figure(
    name="multi-head",
    alt=("Two 8 by 8 attention maps, one per head, of a one-layer model with {n_heads} heads of "
         "{d_k} dimensions that outputs the mirrored digit minus the previous one, mod 10. Every "
         "row marks the mirrored cell with a circle and the previous cell with a cross; beside "
         "each row are the two digits and the model's output. Over the held-out data head 1 puts "
         "{head1_previous:.0%} of its weight on the previous token and {head1_mirror:.0%} on the "
         "mirrored one; head 2 puts {head2_previous:.0%} and {head2_mirror:.0%}."),
    caption=("Each head's attention (o: mirrored token, x: previous) in a one-layer model trained to "
             "output $$(x_{{n-1-i}} - x_{{i-1}}) \\bmod 10$$. On held-out data head 1 puts "
             "{head1_previous:.0%} of its weight on x and {head1_mirror:.0%} on o, head 2 "
             "{head2_previous:.0%} and {head2_mirror:.0%}. Two heads get {accuracy_2:.1%} of {n_eval} "
             "held-out sequences right; one head of the same width, after {max_steps} steps, {accuracy_1:.1%}."),
)


def compute() -> dict:
    two, metrics_2 = two_lookups.trained_two_lookups_model(n_heads=2)
    one, metrics_1 = two_lookups.trained_two_lookups_model(n_heads=1)
    held_out = two_lookups.held_out()  # never in a training batch
    with torch.no_grad():
        seen = []
        predicted = two(held_out, attention=seen).argmax(-1)
    eval_maps = seen[0]  # [B, h, T, T]
    roles = two_lookups.head_roles(eval_maps)
    example_index = int((held_out == first_distinct_digits(held_out)[0]).all(-1).nonzero()[0])
    example = held_out[example_index]
    config = two.encoder.blocks[0].self_attn
    return {
        "tokens": example.tolist(),
        "maps": eval_maps[example_index],  # [h, T, T]
        "outputs": predicted[example_index].tolist(),
        "targets": two_lookups.targets(example[None])[0].tolist(),
        "held_out": held_out,
        "eval_maps": eval_maps,
        "roles": roles,
        "metrics": {1: metrics_1, 2: metrics_2},
        "config": {"d_model": config.d_model, "n_heads": config.n_heads, "d_k": config.d_k},
        "facts": {
            "n_heads": config.n_heads, "d_k": config.d_k,
            "n_eval": metrics_2["n_held_out"],
            "accuracy_2": metrics_2["held_out_sequence_accuracy"],
            "accuracy_1": metrics_1["held_out_sequence_accuracy"],
            "max_steps": two_lookups.CONFIG["max_steps"],
            "head1_previous": float(roles["previous_weight"][0]),
            "head1_mirror": float(roles["mirror_weight"][0]),
            "head2_previous": float(roles["previous_weight"][1]),
            "head2_mirror": float(roles["mirror_weight"][1]),
        },
    }


def _contrast_text(rgb, theme):
    """The theme's text or background colour, whichever reads better on `rgb`."""
    from matplotlib.colors import to_rgb

    def luminance(c):
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in to_rgb(c)]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    def ratio(a, b):
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    return max((theme.text, theme.background), key=lambda c: ratio(c, rgb))


def draw(data, theme):
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    maps = data["maps"]
    tokens, outputs = data["tokens"], data["outputs"]
    heads, length = maps.shape[0], maps.shape[-1]
    roles = data["roles"]
    cmap, norm = theme.cmap("blue"), Normalize(0, 1)

    fig = plt.figure(figsize=(7.0, 4.0))
    # the last column is room for the row outputs and the colorbar (placed beside the last map)
    grid = fig.add_gridspec(1, heads + 1, width_ratios=[1] * heads + [0.62], wspace=0.12)
    axes = [fig.add_subplot(grid[0, h]) for h in range(heads)]
    for h, ax in enumerate(axes):
        image = ax.imshow(maps[h].numpy(), cmap=cmap, norm=norm, interpolation="none")
        for i in range(length):
            for j, glyph in ((length - 1 - i, "o"), (i - 1, "x")):
                if j < 0:
                    continue
                colour = _contrast_text(cmap(norm(float(maps[h, i, j]))), theme)
                ax.plot(j, i, marker=glyph, markersize=9 if glyph == "o" else 8, markeredgewidth=1.8,
                        markerfacecolor="none", markeredgecolor=colour, linestyle="none")
        ax.set_xticks(range(length))
        ax.set_xticklabels(tokens)
        ax.set_yticks(range(length))
        ax.set_yticklabels(range(length) if h == 0 else [])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(f"head {h + 1}: x {float(roles['previous_weight'][h]):.0%}, "
                     f"o {float(roles['mirror_weight'][h]):.0%}", fontsize=13)
        ax.set_xlabel("key token")
    axes[0].set_ylabel("query position $i$")

    # each row's two look-ups and the model's output, in the last map's row coordinates
    last = axes[-1]
    for i in range(length):
        previous = tokens[i - 1] if i > 0 else 0
        last.text(length + 0.1, i, f"{tokens[length - 1 - i]}−{previous} → {outputs[i]}", va="center",
                  ha="left", color=theme.text, clip_on=False)
    last.text(length + 0.1, -0.75, "o − x → out", va="bottom", ha="left", color=theme.text,
              clip_on=False)

    bar = fig.colorbar(image, cax=last.inset_axes([1.6, 0, 0.07, 1]))  # as tall as the map
    bar.set_label("attention weight")
    bar.outline.set_visible(False)
    return fig
