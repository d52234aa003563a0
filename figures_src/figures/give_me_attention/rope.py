"""Rotary position embedding (Su et al. 2021, RoFormer): rotate, don't add.

Pair i of dimensions (2i, 2i+1) of a query or key at position m is turned by
the angle m * theta_i, theta_i = 10000^(-2i/d). Rotations keep lengths, and
R_m^T R_n = R_(n-m), so the score <R_m q, R_n k> depends on the offset n - m
only. The figure shows that three ways a learner can check by eye: one pair of
q and k at two placements with the same offset (both arrows turned, same angle
between them), the score map (constant along its diagonals), and the classic
layout bug, pairs (i, i + d/2) turned by the interleaved frequencies, which
breaks exactly that property.

Checked (tests/figures/test_rope.py) on the drawn data, in float64: the
largest spread along a diagonal of the RoPE map is about 1e-14 (test bound
1e-10), against about 15 for the bug; norms are kept to 1e-12; the map
equals the paper's complex form sum_i |q_i||k_i| cos((m - n) theta_i + phase).
Each map has its own symmetric colour scale (the bug's scores are larger,
and a shared scale washed the RoPE map out). The rotate-half layout with
matching frequencies is equivalent and is tested in tests/nn/test_positional.py.
"""
import math

import torch

from figures_src.figures.figure import Figure
from figures_src.nn.positional import (apply_rope, relative_score_spread, rope_frequencies,
                                       rotate_half, score_map)

D = 64  # query/key width
N_POSITIONS = 32
PAIR = 2  # the pair drawn in 2D: theta_2 = 10000^(-4/64), about 32 degrees per position
SAME_OFFSET = ((1, 3), (5, 7))  # two (m, n) with the same n - m, one 2D panel each


def apply_rope_mismatched(x, positions):
    """A BUG on purpose: rotate-half pairs (i, i + d/2) with interleaved frequencies.

    Dimension j turns by theta_(j // 2), as in apply_rope, but its partner is
    j +- d/2: the two members of a pair turn by different angles, so this is
    no rotation at all. It is what mixing the two code bases' conventions gives.
    """
    angle = torch.as_tensor(positions, dtype=x.dtype)[:, None] * rope_frequencies(x.size(-1),
                                                                                  dtype=x.dtype)
    angle = angle.repeat_interleave(2, dim=-1)
    return x * torch.cos(angle) + rotate_half(x) * torch.sin(angle)


VARIANTS = {"rope": apply_rope, "mismatched": apply_rope_mismatched}

FIGURE = Figure(
    name="rope",
    alt=("Four panels of RoPE (d = {d}) on one random query q and key k. Top row: pair i = {pair} "
         "of dimensions of q and k drawn as arrows "
         "from the origin, once with q at position {m_first} and k at {n_first}, once "
         "with q at {m_second} and k at {n_second}; both arrows are turned between the two "
         "panels, but the angle between them is {pair_angle_degrees:.0f} degrees in both. Bottom "
         "left: a {n_positions} by {n_positions} map of query-key scores whose colours are "
         "constant along every diagonal. Bottom right: the same map with the rotate-half pairing "
         "(i with i + d/2) and frequencies laid out for interleaved pairs (2i, 2i+1): the "
         "diagonals are no longer constant. Each map has its own colour bar; the two cells of the "
         "top row are circled."),
    caption=("RoPE on a random query and key. Top: shifting both positions turns both arrows, not "
             "the angle between them. Bottom: so scores are constant along diagonals, unless pairs "
             "and frequencies mismatch (right)."),
)


def signed_angle(a, b):
    """Angle from 2-vector a to 2-vector b in degrees, in (-180, 180]."""
    turn = math.atan2(float(b[1]), float(b[0])) - math.atan2(float(a[1]), float(a[0]))
    return math.degrees((turn + math.pi) % (2 * math.pi) - math.pi)


def compute() -> dict:
    q = torch.randn(D, dtype=torch.float64)
    k = torch.randn(D, dtype=torch.float64)
    positions = torch.arange(N_POSITIONS)
    scores = {name: score_map(rotate, q, k, N_POSITIONS) for name, rotate in VARIANTS.items()}
    spreads = {name: relative_score_spread(rotate, q, k, N_POSITIONS)
               for name, rotate in VARIANTS.items()}
    rotated_q = apply_rope(q.expand(N_POSITIONS, -1), positions)  # [N, D], row m = R_m q
    rotated_k = apply_rope(k.expand(N_POSITIONS, -1), positions)
    norm_error = max(float((rotated_q.norm(dim=-1) - q.norm()).abs().max()),
                     float((rotated_k.norm(dim=-1) - k.norm()).abs().max()))
    pair = slice(2 * PAIR, 2 * PAIR + 2)
    q_pair, k_pair = rotated_q[:, pair], rotated_k[:, pair]
    placement_angles = [signed_angle(q_pair[m], k_pair[n]) for m, n in SAME_OFFSET]
    return {
        "q": q, "k": k,
        "scores": scores,  # name -> [N, N], S[m, n] = <R_m q, R_n k>
        "rotated_q_pair": q_pair,  # [N, 2]: row m = pair PAIR of R_m q, the top panels' arrows
        "rotated_k_pair": k_pair,
        "same_offset": SAME_OFFSET,
        "placement_angles": placement_angles,  # degrees from R_m q to R_n k, one per (m, n)
        "theta": rope_frequencies(D),
        "spreads": spreads,  # name -> largest max - min along a diagonal
        "norm_error": norm_error,
        "facts": {
            "d": D,
            "n_positions": N_POSITIONS,
            "pair": PAIR,
            "pair_angle_degrees": abs(placement_angles[0]),
            "m_first": SAME_OFFSET[0][0], "n_first": SAME_OFFSET[0][1],  # the two placements
            "m_second": SAME_OFFSET[1][0], "n_second": SAME_OFFSET[1][1],
            "diagonal_spread": spreads["rope"],
        },
    }


def _label_tip(ax, tip, text, colour, gap):
    """A label just beyond an arrow's tip, on the far side, so it never covers the arrow."""
    length = float((tip ** 2).sum() ** 0.5)
    x, y = tip * (1 + gap / length)
    ax.text(x, y, text, color=colour, fontsize=14,
            ha="left" if x > 0.15 * gap else "right" if x < -0.15 * gap else "center",
            va="bottom" if y > 0.15 * gap else "top" if y < -0.15 * gap else "center")


def _draw_placement(ax, data, index, extent, theme):
    """One 2D panel: pair PAIR of R_m q and R_n k as arrows, the angle between them as an arc."""
    from matplotlib.patches import Circle, Wedge

    m, n = data["same_offset"][index]
    q_vec, k_vec = data["rotated_q_pair"][m].numpy(), data["rotated_k_pair"][n].numpy()
    ax.axhline(0, color=theme.grid, linewidth=0.8, zorder=0)
    ax.axvline(0, color=theme.grid, linewidth=0.8, zorder=0)
    for vec, name, pos, colour in ((q_vec, "q", m, "blue"), (k_vec, "k", n, "vermillion")):
        ax.add_patch(Circle((0, 0), float((vec ** 2).sum() ** 0.5), fill=False, color=theme.grid,
                            linewidth=1.0, zorder=0))  # the circle the vector travels on
        ax.annotate("", xy=vec, xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=theme.color(colour), linewidth=2.4,
                                    shrinkA=0, shrinkB=0, mutation_scale=16))
        _label_tip(ax, vec, f"$R_{{{pos}}}\\,{name}$", theme.text, 0.06 * extent)
    # the angle from q to k, the short way round, as a shaded wedge up to the shorter arrow
    sweep = data["placement_angles"][index]
    radius = min(float((q_vec ** 2).sum() ** 0.5), float((k_vec ** 2).sum() ** 0.5))
    start = math.degrees(math.atan2(q_vec[1], q_vec[0]))
    ax.add_patch(Wedge((0, 0), 0.8 * radius, min(start, start + sweep), max(start, start + sweep),
                       facecolor=theme.fill("green"), edgecolor=theme.color("green"), linewidth=1.4,
                       zorder=1))
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"$m = {m}$, $n = {n}$: angle {abs(sweep):.0f}°", fontsize=14)


def _draw_map(ax, scores, data, theme, title, limit):
    """A score map S[m, n] on the symmetric colour scale -limit..limit that both maps share (so a
    colour means one score in both); the top row's placements circled, the diagonal through them
    dashed. Returns the image, for the colour bar."""
    image = ax.imshow(scores.numpy(), origin="lower", cmap=theme.diverging_cmap(), vmin=-limit,
                      vmax=limit, interpolation="none")
    size = scores.shape[0]
    (m0, n0) = data["same_offset"][0]  # the diagonal through the top row's placements
    ax.plot((n0 - m0 - 0.5, size - 0.5), (-0.5, size - 0.5 - (n0 - m0)), color=theme.heading,
            linewidth=1.0, linestyle=(0, (3, 3)))
    for m, n in data["same_offset"]:
        ax.plot(n, m, marker="o", markersize=9, markerfacecolor="none", color=theme.heading,
                markeredgewidth=1.6)
    ax.set_title(title, fontsize=14)
    ax.set_xlabel("key position $n$")
    ticks = tuple(range(0, scores.shape[0], 10))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return image


def draw(data, theme):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(6.2, 7.1))
    grid = fig.add_gridspec(3, 2, height_ratios=(1, 1.08, 0.05), wspace=0.14, hspace=0.42)
    q_pair, k_pair = data["rotated_q_pair"], data["rotated_k_pair"]
    extent = 1.12 * max(float(q_pair.norm(dim=-1).max()), float(k_pair.norm(dim=-1).max()))
    for index in range(len(data["same_offset"])):
        _draw_placement(fig.add_subplot(grid[0, index]), data, index, extent, theme)
    (m0, n0), (m1, n1) = data["same_offset"]
    fig.text(0.5, 0.985, f"one pair ($i = {data['facts']['pair']}$) of $q$ and $k$, "
             f"twice with offset $n - m = {n0 - m0}$",
             ha="center", va="top", fontsize=14, color=theme.heading)
    panels = (("rope", "RoPE\nsame along each diagonal"),
              ("mismatched", "conventions mixed up\ndiagonals broken (bug)"))
    limit = max(float(data["scores"][name].abs().max()) for name, _ in panels)
    for column, (name, title) in enumerate(panels):
        ax = fig.add_subplot(grid[1, column])
        image = _draw_map(ax, data["scores"][name], data, theme, title, limit)
        if column == 0:
            ax.set_ylabel("query position $m$")
        else:
            ax.tick_params(labelleft=False)
    bar = fig.colorbar(image, cax=fig.add_subplot(grid[2, :]), orientation="horizontal")
    bar.outline.set_visible(False)
    bar.set_label("score $\\langle R_m q, R_n k\\rangle$, one scale for both maps", fontsize=12)
    return fig
