"""Sinusoidal positional encoding (Vaswani et al. 2017, section 3.5), in the
post's notation: PE(pos, 2i) = sin(pos * w_i), PE(pos, 2i+1) = cos(pos * w_i),
w_i = 1 / 10000^(2i/d_model).

Three views of one encoding (d_model = 128, positions 0..99):
- heat maps of the sines and the cosines. Pairs that turn by less than an
  eighth of a turn over the 100 positions (pos_max * w_i < pi/4: the sine
  stays below 0.71, the cosine above it) are left out, as they fill the map
  with nearly one colour. For d_model = 128 that keeps i = 0..33 of 64 pairs
  (the cut is computed, and tested, not typed);
- three pairs as continuous waves with the integer positions as dots. The
  i = 0 wave has period 2*pi, so its integer samples alone look like a
  jumble (aliasing): the curve shows what they sample;
- each pair as a clock hand pointing at (x, y) = (PE(pos, 2i), PE(pos, 2i+1)):
  at pos = 0 every hand points up, and each turns clockwise by w_i per
  position. The bottom row draws the text's key claim: going from pos to
  pos + k (k = 2, from pos = 3 and from pos = 30) turns hand i by k * w_i
  whatever pos is, a fixed rotation per pair (the arcs; their angles are the
  facts turn_deg_*, and the test measures them on the hands), which is why
  PE(pos) . PE(pos+k) = sum_i cos(k w_i) depends on k only
  (tests/figures/test_positional_encoding.py checks that on the drawn
  encoding, to 1e-9).
The wavelengths grow from 2*pi to 2*pi * 10000^(126/128), about 54,000
positions, for d_model = 128 (the paper's bound 10000 * 2*pi is approached,
not reached).
"""
import math

import torch

from figures_src.figures.figure import Figure
from figures_src.nn.positional import sinusoidal_encoding

N_POSITIONS = 100
D_MODEL = 128
WAVE_PAIRS = (0, 8, 16)  # periods 2*pi, about 20 and about 63 positions
WAVE_POSITIONS = 40  # the waves' x-range: 0..40
# the offset drawn as a rotation: PE(pos + k) is PE(pos) with hand i turned by k * w_i
ROTATION_K = 2
ROTATION_FROM = (3, 30)  # two starting positions: the same turn from both

FIGURE = Figure(
    name="positional-encoding",
    alt=("Top, two heat maps of a sinusoidal positional encoding with d_model = {d_model}: sines "
         "and cosines for positions 0 to {max_position} and pairs i = 0 to {max_pair} (higher "
         "pairs turn less than an eighth of a turn in {n_positions} positions and are left out); "
         "stripes alternate fast for small i and slowly for large i. Middle, the sines of pairs 0, "
         "8 and 16 as waves of growing period, with dots at whole positions. Bottom, the three "
         "pairs as clock hands at (sin, cos), at position {rotation_from_a} and {rotation_k} "
         "later, then at position {rotation_from_b} and {rotation_k} later: from either start each "
         "hand turns by the same angle, {turn_deg_0:.0f}, {turn_deg_8:.0f} and {turn_deg_16:.0f} "
         "degrees for pairs 0, 8 and 16."),
    caption=("Sinusoidal positional encoding, $$d_{{model}} = {d_model}$$. Top: every sine and "
             "cosine. Middle: three pairs as waves. Bottom: as clock hands; moving {rotation_k} "
             "positions turns each by a fixed angle, from any start."),
)


def compute() -> dict:
    pe = sinusoidal_encoding(N_POSITIONS, D_MODEL, dtype=torch.float64)
    omega = 1 / 10000 ** (torch.arange(0, D_MODEL, 2, dtype=torch.float64) / D_MODEL)  # [D_MODEL/2]
    # pairs that turn at least an eighth of a turn within the positions shown
    moving = (N_POSITIONS - 1) * omega >= math.pi / 4
    n_pairs = int(moving.sum())
    fine = torch.linspace(0, WAVE_POSITIONS, 40 * WAVE_POSITIONS + 1, dtype=torch.float64)
    return {
        "pe": pe,
        "omega": omega,
        "n_pairs_shown": n_pairs,
        "waves": {i: torch.sin(fine * omega[i]) for i in WAVE_PAIRS},  # continuous curves
        "wave_positions": fine,
        "rotation_k": ROTATION_K,
        "rotation_from": ROTATION_FROM,
        "facts": {
            "d_model": D_MODEL,
            "n_positions": N_POSITIONS,
            "max_position": N_POSITIONS - 1,
            "max_pair": n_pairs - 1,
            "rotation_k": ROTATION_K,
            "rotation_from_a": ROTATION_FROM[0],
            "rotation_from_b": ROTATION_FROM[1],
            **{f"turn_deg_{i}": math.degrees(ROTATION_K * float(omega[i])) % 360
               for i in WAVE_PAIRS},
        },
    }


def _period(omega):
    period = 2 * math.pi / omega
    return "2π ≈ 6.3" if abs(period - 2 * math.pi) < 1e-9 else f"{period:.0f}"


def draw(data, theme):
    import matplotlib.pyplot as plt

    pe = data["pe"].numpy()
    n_pairs = data["n_pairs_shown"]
    colours = [theme.color(c) for c in ("blue", "vermillion", "green")]
    fig = plt.figure(figsize=(5.6, 7.6))
    grid = fig.add_gridspec(3, 3, height_ratios=(1.2, 0.8, 1.05), width_ratios=(1, 1, 0.05),
                            hspace=0.55, wspace=0.12)

    # the real layout interleaves sin (2i) and cos (2i+1); shown side by side
    for column, (offset, kind) in enumerate(((0, "sin"), (1, "cos"))):
        heat = fig.add_subplot(grid[0, column])
        image = heat.imshow(pe[:, offset:2 * n_pairs:2].T, aspect="auto", origin="lower",
                            cmap=theme.diverging_cmap(), vmin=-1, vmax=1, interpolation="none")
        plural = {"sin": "sines", "cos": "cosines"}[kind]
        heat.set_title(f"{plural}: $PE(pos, 2i{'+1' if offset else ''})$", fontsize=13)
        heat.set_xlabel("position $pos$")
        heat.set_xticks((0, 25, 50, 75))
        heat.tick_params(labelsize=13)  # 13 pt: >= 9 CSS px in a phone column
        if column == 0:
            heat.set_ylabel("pair $i$")
        else:
            heat.set_yticklabels([])
    bar = fig.colorbar(image, cax=fig.add_subplot(grid[0, 2]), ticks=(-1, 0, 1))
    bar.outline.set_visible(False)
    bar.set_label("value")
    bar.ax.tick_params(labelsize=13)

    # continuous waves, the integer positions as dots, one baseline per pair
    waves = fig.add_subplot(grid[1, :])
    x = data["wave_positions"].numpy()
    whole = range(0, int(x[-1]) + 1)
    for row, (pair, colour) in enumerate(zip(data["waves"], colours)):
        base = -2.6 * row
        waves.plot(x, base + data["waves"][pair].numpy(), color=colour, linewidth=1.6)
        waves.plot(whole, base + pe[list(whole), 2 * pair], "o", color=colour, markersize=3.8)
        waves.text(-1.2, base, f"$i = {pair}$\nperiod {_period(float(data['omega'][pair]))}",
                   ha="right", va="center", fontsize=13, color=theme.text, linespacing=1.2)
    waves.set_xlim(0, x[-1])
    waves.tick_params(labelsize=13)
    waves.set_yticks([])
    waves.spines["left"].set_visible(False)
    waves.set_xlabel("position $pos$ (dots: the whole positions a model sees)")
    waves.set_title("the sines of three pairs, as waves", fontsize=13, loc="left")

    _draw_rotation(fig.add_subplot(grid[2, :]), data, pe, colours, theme)
    return fig


def _draw_rotation(ax, data, pe, colours, theme):
    """PE(pos + k) as a rotation of PE(pos): for each start pos, a clock with every pair's hand at
    pos (thin) and at pos + k (thick), an arc between them; the turn per pair is listed once, since
    it is the same from every start."""
    from matplotlib.patches import Arc

    k = data["rotation_k"]
    spacing, lengths = 2.7, (0.95, 0.72, 0.5)
    for index, start in enumerate(data["rotation_from"]):
        centre = index * spacing
        ax.add_patch(plt_circle(centre, theme))
        for pair, colour, length in zip(data["waves"], colours, lengths):
            before = math.degrees(start * float(data["omega"][pair]))  # clockwise from 12 o'clock
            after = math.degrees((start + k) * float(data["omega"][pair]))
            for pos, width in ((start, 1.2), (start + k, 3.4)):
                sin, cos = pe[pos, 2 * pair], pe[pos, 2 * pair + 1]
                ax.plot((centre, centre + length * sin), (0, length * cos), color=colour,
                        linewidth=width,
                        solid_capstyle="round")
            ax.add_patch(Arc((centre, 0), 2 * length, 2 * length, theta1=90 - after,
                             theta2=90 - before,
                             color=colour, linewidth=1.2, linestyle=(0, (2, 2)),
                             gid=f"turn/{start}/{pair}"))
        ax.text(centre, -1.15, f"$pos = {start} \\to {start + k}$", ha="center", va="top",
                fontsize=13,
                color=theme.text)
    x = 2 * spacing - 0.9
    ax.text(x, 1.0, "hand $i$ turns by $k\\,\\omega_i$,\nthe same from any $pos$:",
            ha="left", va="top", fontsize=14, color=theme.text, linespacing=1.2)
    for row, (pair, colour) in enumerate(zip(data["waves"], colours)):
        turn = data["facts"][f"turn_deg_{pair}"]
        ax.plot((x, x + 0.35), (-0.05 - 0.45 * row,) * 2, color=colour, linewidth=2.8,
                solid_capstyle="round")
        ax.text(x + 0.5, -0.05 - 0.45 * row, f"$i = {pair}$: {turn:.0f}°", ha="left", va="center",
                fontsize=13,
                color=theme.text)
    ax.set_xlim(-1.2, x + 3.2)
    ax.set_ylim(-1.65, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"from $pos$ to $pos + {k}$: thin hand → thick hand", fontsize=13, loc="left",
                 color=theme.heading)


def plt_circle(centre, theme):
    import matplotlib.pyplot as plt

    return plt.Circle((centre, 0), 1.0, fill=False, color=theme.muted, linewidth=1.2)
