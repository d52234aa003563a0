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
  position. Going from pos to pos + k turns hand i by k * w_i whatever pos
  is, which is why PE(pos) . PE(pos+k) = sum_i cos(k w_i) depends on k only
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
CLOCK_POSITIONS = (0, 1, 2, 5, 10, 20)

FIGURE = Figure(
    name="positional-encoding",
    alt=("Top, two heat maps of a sinusoidal positional encoding with d_model = {d_model}: sines and cosines "
         "for positions 0 to {max_position} and pairs i = 0 to {max_pair}; stripes alternate fast for small i "
         "and slowly for large i. Middle, the sines of pairs 0, 8 and 16 as waves of growing period, with dots at "
         "whole positions. Bottom, six clock faces for positions {clock_positions}: each pair is a hand, "
         "fast hands spin, slow hands barely move."),
    caption=("Sinusoidal positional encoding, $$d_{{model}} = {d_model}$$, "
             "$$\\omega_i = 1/10000^{{2i/d_{{model}}}}$$. Top: sines and cosines of $$pos \\cdot \\omega_i$$ "
             "(pairs above $$i = {max_pair}$$ turn less than ⅛ turn in {n_positions} positions: left out). Middle: three "
             "pairs as waves, dots at whole positions. Bottom: each pair as a clock hand at "
             "$$(\\sin, \\cos)$$: fast hands tell neighbours apart, slow ones distant positions."),
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
        "clock_positions": CLOCK_POSITIONS,
        "facts": {
            "d_model": D_MODEL,
            "n_positions": N_POSITIONS,
            "max_position": N_POSITIONS - 1,
            "max_pair": n_pairs - 1,
            "clock_positions": ", ".join(map(str, CLOCK_POSITIONS)),
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
    fig = plt.figure(figsize=(6.7, 7.9))
    grid = fig.add_gridspec(3, 3, height_ratios=(1.25, 1.0, 0.85), width_ratios=(1, 1, 0.05),
                            hspace=0.55, wspace=0.12)

    # the real layout interleaves sin (2i) and cos (2i+1); shown side by side
    for column, (offset, kind) in enumerate(((0, "sin"), (1, "cos"))):
        heat = fig.add_subplot(grid[0, column])
        image = heat.imshow(pe[:, offset:2 * n_pairs:2].T, aspect="auto", origin="lower",
                            cmap=theme.diverging_cmap(), vmin=-1, vmax=1, interpolation="none")
        heat.set_title(f"$PE(pos, 2i{'+1' if offset else ''}) = \\{kind}(pos \\cdot \\omega_i)$", fontsize=13)
        heat.set_xlabel("position $pos$")
        heat.set_xticks((0, 25, 50, 75))
        if column == 0:
            heat.set_ylabel("pair $i$")
        else:
            heat.set_yticklabels([])
    bar = fig.colorbar(image, cax=fig.add_subplot(grid[0, 2]), ticks=(-1, 0, 1))
    bar.outline.set_visible(False)
    bar.set_label("value")

    # continuous waves, the integer positions as dots, one baseline per pair
    waves = fig.add_subplot(grid[1, :])
    x = data["wave_positions"].numpy()
    whole = range(0, int(x[-1]) + 1)
    for row, (pair, colour) in enumerate(zip(data["waves"], colours)):
        base = -2.6 * row
        waves.plot(x, base + data["waves"][pair].numpy(), color=colour, linewidth=1.6)
        waves.plot(whole, base + pe[list(whole), 2 * pair], "o", color=colour, markersize=3.8)
        waves.text(-1.2, base, f"$i = {pair}$\nperiod {_period(float(data['omega'][pair]))}",
                   ha="right", va="center", fontsize=12, color=theme.text, linespacing=1.2)
    waves.set_xlim(0, x[-1])
    waves.set_yticks([])
    waves.spines["left"].set_visible(False)
    waves.set_xlabel("position $pos$ (dots: the whole positions a model sees)")
    waves.set_title("$\\sin(pos \\cdot \\omega_i)$ for three pairs", fontsize=13, loc="left")

    # clocks: pair i as a hand at (PE(pos, 2i), PE(pos, 2i+1)), turning clockwise from 12 o'clock
    clocks = fig.add_subplot(grid[2, :])
    spacing = 2.45
    for index, pos in enumerate(data["clock_positions"]):
        centre = index * spacing
        clocks.add_patch(plt.Circle((centre, 0), 1.0, fill=False, color=theme.muted, linewidth=1.2))
        for pair, colour, length in zip(data["waves"], colours, (0.95, 0.75, 0.55)):
            sin, cos = pe[pos, 2 * pair], pe[pos, 2 * pair + 1]
            clocks.plot((centre, centre + length * sin), (0, length * cos), color=colour,
                        linewidth=2.6, solid_capstyle="round")
        clocks.text(centre, -1.25, f"$pos = {pos}$", ha="center", va="top", fontsize=12, color=theme.text)
    clocks.set_xlim(-1.2, (len(data["clock_positions"]) - 1) * spacing + 1.2)
    clocks.set_ylim(-1.75, 1.05)
    clocks.set_aspect("equal")
    clocks.axis("off")
    clocks.set_title("the same pairs as clock hands at $(\\sin, \\cos)$: $i = 0$ longest", fontsize=13,
                     loc="left", color=theme.heading)
    return fig
