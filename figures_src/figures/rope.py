"""Rotary position embedding (Su et al. 2021, RoFormer): rotate, don't add.

Pair i of dimensions (2i, 2i+1) of a query or key at position m is turned by
the angle m * theta_i, theta_i = 10000^(-2i/d). Rotations keep lengths, and
R_m^T R_n = R_(n-m), so the score <R_m q, R_n k> depends on the offset n - m
only: the score map is constant along its diagonals. The third panel is the
classic layout bug, pairs (i, i + d/2) turned by the interleaved frequencies,
which breaks exactly that property.
"""
import torch

from figures_src.figure import Figure
from figures_src.nn.positional import (apply_rope, apply_rope_rotate_half, relative_score_spread,
                                       rope_frequencies, rotate_half, score_map)

D = 64  # query/key width
N_POSITIONS = 32
PAIR = 2  # the pair drawn in 2D: theta_2 = 10000^(-4/64), about 32 degrees per position
SAME_OFFSET = ((1, 3), (5, 7))  # two (m, n) with the same n - m, drawn in the 2D panel
OFFSET_ROWS = (0, 10, 20)  # rows m of the score maps drawn against the offset n - m


def apply_rope_mismatched(x, positions):
    """A BUG on purpose: rotate-half pairs (i, i + d/2) with interleaved frequencies.

    Dimension j turns by theta_(j // 2), as in apply_rope, but its partner is
    j +- d/2: the two members of a pair turn by different angles, so this is
    no rotation at all. It is what mixing the two code bases' conventions gives.
    """
    angle = torch.as_tensor(positions, dtype=x.dtype)[:, None] * rope_frequencies(x.size(-1), dtype=x.dtype)
    angle = angle.repeat_interleave(2, dim=-1)
    return x * torch.cos(angle) + rotate_half(x) * torch.sin(angle)


VARIANTS = {"rope": apply_rope, "rotate_half": apply_rope_rotate_half, "mismatched": apply_rope_mismatched}

FIGURE = Figure(
    name="rope",
    alt=("Four panels. Top left: one pair of dimensions of a query and a key drawn as arrows in a "
         "plane, rotated by their positions; two placements with the same offset give the same "
         "angle between the arrows. Top right: a {n_positions} by {n_positions} map of query-key "
         "scores whose colours are constant along every diagonal. Bottom left: the same map with "
         "the rotate-half pairing and interleaved frequencies mixed up: the diagonals are no "
         "longer constant. Bottom right: rows of both maps against the offset; RoPE's rows lie on "
         "one curve, the mixed-up ones do not."),
    caption=("RoPE with $$d = {d}$$, $$\\theta_i = 10000^{{-2i/d}}$$, for one random query $$q$$ and "
             "key $$k$$. Top left: pair $$i = {pair}$$ of $$q$$ at position $$m$$ and $$k$$ at position "
             "$$n$$; shifting both by the same amount turns both arrows together and keeps the angle "
             "between them. Top right: the score $$\\langle R_m q, R_n k\\rangle$$ for every $$m, n$$ "
             "(orange positive, blue negative) is constant along each diagonal: the largest spread "
             "along a diagonal is {diagonal_spread:.1g} in double precision. Bottom: pairing "
             "dimensions $$(i, i + d/2)$$ but laying the frequencies out for pairs $$(2i, 2i+1)$$ "
             "breaks this (spread {mismatched_spread:.2g})."),
)


def compute() -> dict:
    q = torch.randn(D, dtype=torch.float64)
    k = torch.randn(D, dtype=torch.float64)
    positions = torch.arange(N_POSITIONS)
    scores = {name: score_map(rotate, q, k, N_POSITIONS) for name, rotate in VARIANTS.items()}
    spreads = {name: relative_score_spread(rotate, q, k, N_POSITIONS) for name, rotate in VARIANTS.items()}
    rotated_q = apply_rope(q.expand(N_POSITIONS, -1), positions)  # [N, D], row m = R_m q
    rotated_k = apply_rope(k.expand(N_POSITIONS, -1), positions)
    norm_error = max(float((rotated_q.norm(dim=-1) - q.norm()).abs().max()),
                     float((rotated_k.norm(dim=-1) - k.norm()).abs().max()))
    pair = slice(2 * PAIR, 2 * PAIR + 2)
    return {
        "q": q, "k": k,
        "scores": scores,  # name -> [N, N], S[m, n] = <R_m q, R_n k>
        "rotated_q_pair": rotated_q[:, pair],  # [N, 2]: the 2D panel's arrows
        "rotated_k_pair": rotated_k[:, pair],
        "theta": rope_frequencies(D),
        "facts": {
            "d": D,
            "n_positions": N_POSITIONS,
            "pair": PAIR,
            "pair_degrees_per_position": float(torch.rad2deg(rope_frequencies(D)[PAIR])),
            "diagonal_spread": spreads["rope"],
            "rotate_half_spread": spreads["rotate_half"],
            "mismatched_spread": spreads["mismatched"],
            "norm_error": norm_error,
        },
    }


def _angle_arc(ax, a, b, radius, color):
    """An arc from direction a to direction b (2-vectors), the short way round; returns its degrees."""
    import math

    import numpy as np

    start, end = math.atan2(a[1], a[0]), math.atan2(b[1], b[0])
    sweep = (end - start + math.pi) % (2 * math.pi) - math.pi
    t = np.linspace(start, start + sweep, 40)
    ax.plot(radius * np.cos(t), radius * np.sin(t), color=color, linewidth=1.6)
    return abs(math.degrees(sweep))


def _draw_pairs(ax, data, theme):
    """The 2D panel: the chosen pair of q and k at two placements with the same offset."""
    from matplotlib.patches import Circle

    q_pair, k_pair = data["rotated_q_pair"].numpy(), data["rotated_k_pair"].numpy()
    extent = 1.25 * max(abs(q_pair).max(), abs(k_pair).max())
    for pair in (q_pair, k_pair):  # the circle each vector travels on
        ax.add_patch(Circle((0, 0), float((pair[0] ** 2).sum() ** 0.5), fill=False,
                            color=theme.grid, linewidth=1.2))
    for index, ((m, n), style) in enumerate(zip(SAME_OFFSET, ("-", (0, (4, 2))))):
        for vec, name, pos, colour in ((q_pair[m], "q", m, "blue"), (k_pair[n], "k", n, "orange")):
            ax.annotate("", xy=vec, xytext=(0, 0),
                        arrowprops=dict(arrowstyle="-|>", color=theme.color(colour), linewidth=2.0,
                                        linestyle=style, shrinkA=0, shrinkB=0, mutation_scale=14))
            ax.text(*(vec * 1.13), f"$R_{{{pos}}}{name}$", color=theme.color(colour),
                    ha="center", va="center", fontsize=12)
        radius = 0.3 * extent * (1 + 0.35 * index)
        degrees = _angle_arc(ax, q_pair[m], k_pair[n], radius, theme.muted)
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.axhline(0, color=theme.grid, linewidth=0.8, zorder=0)
    ax.axvline(0, color=theme.grid, linewidth=0.8, zorder=0)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    (m0, n0), (m1, n1) = SAME_OFFSET
    ax.set_title(f"pair $i = {PAIR}$: $(m, n) = ({m0}, {n0})$\nand $({m1}, {n1})$: same angle, {degrees:.0f}°",
                 fontsize=12)


def _draw_map(ax, scores, theme, title):
    """A score map S[m, n] with its own symmetric colour scale (only the pattern matters)."""
    limit = float(scores.abs().max())
    ax.imshow(scores.numpy(), origin="lower", cmap=theme.diverging_cmap(), vmin=-limit, vmax=limit,
              interpolation="nearest")
    ax.set_title(title, fontsize=13)
    ax.set_xlabel("key position $n$")
    ax.set_ylabel("query position $m$")
    ticks = tuple(range(0, scores.shape[0], 10))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def _draw_offsets(ax, data, theme):
    """Rows m of both maps against the offset n - m: RoPE's coincide, the bug's do not."""
    from matplotlib.lines import Line2D

    n = data["facts"]["n_positions"]
    for index, m in enumerate(OFFSET_ROWS):
        offsets = [col - m for col in range(n)]
        colour = theme.palette[index]
        # decreasing widths, so that curves lying on top of each other stay visible
        ax.plot(offsets, data["scores"]["rope"][m].numpy(), color=colour,
                linewidth=5.0 - 1.6 * index, label=f"$m = {m}$", solid_capstyle="butt")
        ax.plot(offsets, data["scores"]["mismatched"][m].numpy(), color=colour, linewidth=1.3,
                linestyle=(0, (2, 2)))
    ax.axhline(0, color=theme.grid, linewidth=0.8, zorder=0)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.55 * (high - low))  # room for the legends
    ax.set_xlabel("offset $n - m$")
    ax.set_ylabel("score")
    ax.set_title("rows $m$ of both maps", fontsize=13)
    rows = ax.legend(loc="upper center", ncol=3, handlelength=1.0, columnspacing=0.8,
                     handletextpad=0.4, borderaxespad=0.1, fontsize=11)
    ax.add_artist(rows)
    kinds = [Line2D([], [], color=theme.muted, linewidth=2.0, label="RoPE"),
             Line2D([], [], color=theme.muted, linewidth=1.3, linestyle=(0, (2, 2)), label="mixed up")]
    ax.legend(handles=kinds, loc="upper center", bbox_to_anchor=(0.5, 0.87), ncol=2,
              handlelength=1.6, columnspacing=1.0, handletextpad=0.4, borderaxespad=0.1, fontsize=11)


def draw(data, theme):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(6.6, 6.4), gridspec_kw={"wspace": 0.38, "hspace": 0.5})
    _draw_pairs(axes[0, 0], data, theme)
    _draw_map(axes[0, 1], data["scores"]["rope"], theme, "RoPE: $\\langle R_m q, R_n k\\rangle$")
    _draw_map(axes[1, 0], data["scores"]["mismatched"], theme, "conventions mixed up (a bug)")
    _draw_offsets(axes[1, 1], data, theme)
    return fig
