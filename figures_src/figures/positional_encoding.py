"""Sinusoidal positional encoding (Vaswani et al. 2017, section 3.5).

Each position gets a vector of sines and cosines whose wavelengths grow
geometrically from 2*pi towards 10000*2*pi along the dimensions (for
d_model = 128 the slowest pair reaches 2*pi * 10000^(126/128), about 54000): fast dimensions
tell neighbours apart, slow ones tell distant positions apart. The dot
product PE(p).PE(p+k) = sum_i cos(k w_i) depends on the offset k only,
which the right-hand panel shows by overlaying curves from several p.
"""
import math

import torch

from figures_src.figure import Figure
from figures_src.nn.positional import sinusoidal_encoding

N_POSITIONS = 100
D_MODEL = 128
CURVE_PAIRS = (0, 8, 16)  # sines of pairs with periods 2*pi, ~20 and ~63 positions
START_POSITIONS = (0, 20, 40)  # p of the PE(p).PE(p+k) curves
MAX_OFFSET = 50

FIGURE = Figure(
    name="positional-encoding",
    alt=("Two heat maps of sinusoidal positional encodings, sines and cosines, for {n_positions} positions and "
         "{d_model} dimensions: stripes that alternate quickly in the first dimensions and "
         "slowly in the last ones. Below, the sines of three pairs plotted as waves of growing wavelength against position, "
         "and the dot product of two encodings k positions apart, identical whichever "
         "position it starts from."),
    caption=("Sinusoidal positional encoding, $$d_{{model}} = {d_model}$$: each pair of "
             "dimensions is a sine and a cosine, with wavelengths from $$2\\pi$$ to "
             "{longest_wavelength:,.0f} positions (the paper's bound $$10000 \\cdot 2\\pi$$ is "
             "approached, not reached, with {d_model} dimensions). The dot product "
             "$$PE(p) \\cdot PE(p+k)$$ depends only on the "
             "offset $$k$$: the curves from $$p = {start_positions}$$ coincide (largest difference "
             "{dot_spread:.1g})."),
)


def compute() -> dict:
    pe = sinusoidal_encoding(N_POSITIONS, D_MODEL, dtype=torch.float64)
    offsets = torch.arange(MAX_OFFSET + 1)
    dots = torch.stack([(pe[p] * pe[p + offsets]).sum(-1) for p in START_POSITIONS])
    return {
        "pe": pe,
        "offsets": offsets,
        "dots": dots,  # [len(START_POSITIONS), MAX_OFFSET + 1]
        "facts": {
            "n_positions": N_POSITIONS,
            "d_model": D_MODEL,
            "start_positions": ", ".join(map(str, START_POSITIONS)),
            "longest_wavelength": 2 * math.pi * 10000 ** ((D_MODEL - 2) / D_MODEL),
            "dot_spread": float((dots.max(0).values - dots.min(0).values).max()),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    pe = data["pe"].numpy()
    fig = plt.figure(figsize=(6.6, 6.4))
    grid = fig.add_gridspec(2, 2, height_ratios=(1.1, 1), hspace=0.5, wspace=0.3)

    # the real layout interleaves sin (2i) and cos (2i+1); shown side by side
    for column, (offset, kind) in enumerate(((0, "sin"), (1, "cos"))):
        heat = fig.add_subplot(grid[0, column])
        image = heat.imshow(pe[:, offset::2].T, aspect="auto", origin="lower",
                            cmap=theme.diverging_cmap(), vmin=-1, vmax=1, interpolation="nearest")
        heat.set_title(f"$PE(p, 2i{'+1' if offset else ''})$ = {kind}$(p\\,\\omega_i)$")
        heat.set_xlabel("position $p$")
        if column == 0:
            heat.set_ylabel("pair $i$")
        else:
            heat.set_yticklabels([])
    bar = fig.colorbar(image, ax=fig.axes, fraction=0.025, pad=0.02, ticks=(-1, 0, 1),
                       location="right", shrink=1.0)
    bar.outline.set_visible(False)
    bar.ax.set_position(bar.ax.get_position())  # keep it beside the heat maps only

    waves = fig.add_subplot(grid[1, 0])
    positions = range(pe.shape[0])
    for pair in CURVE_PAIRS:
        waves.plot(positions, pe[:, 2 * pair], label=f"$i = {pair}$")
    waves.set_xlabel("position $p$")
    waves.set_ylabel("$\\sin(p\\,\\omega_i)$")
    waves.set_ylim(-1.1, 1.1)
    waves.set_yticks((-1, 0, 1))
    waves.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), handlelength=1.0,
                 columnspacing=0.7, handletextpad=0.4, borderaxespad=0.2)

    dots = fig.add_subplot(grid[1, 1])
    for index, (row, start) in enumerate(zip(data["dots"].numpy(), START_POSITIONS)):
        dots.plot(data["offsets"].numpy(), row, marker="osD"[index], markevery=(3 * index, 9),
                  markersize=6, fillstyle="none", label=f"$p = {start}$")
    dots.set_xlabel("offset $k$")
    dots.set_ylabel("$PE(p) \\cdot PE(p+k)$")
    dots.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), handlelength=1.0,
                columnspacing=0.7, handletextpad=0.4, borderaxespad=0.2)
    return fig
