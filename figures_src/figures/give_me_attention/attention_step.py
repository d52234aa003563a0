"""One attention step in numbers: softmax(Q K^T / sqrt(d_k)) V for three tokens.

Q, K and V are small integers (queries and keys in {-1, 0, 1}, values in
{0, 1, 2, 3}) so that a reader can redo Q K^T by hand; in a model they are
x W_Q, x W_K, x W_V. They are drawn from a seeded generator, trying seeds
0, 1, 2, ... and keeping the first draw that reads well: the three queries
differ, and so do the three keys; no score row is constant; no weight is
above 0.8 (nothing saturated); and each row of weights, printed at two
decimals, adds up to exactly 1.00, so the printed numbers show that rows sum
to 1 (the unrounded sums are 1 within float error).

Every computed number comes from figures_src.nn.attention: the weights and
the output are what `scaled_dot_product_attention` returns; the scores and
scaled scores are the two lines before its softmax. With d_k = 4 the scale is
sqrt(4) = 2. tests/figures/test_attention_step.py reads every number back
from the text the figure draws and compares it with the module at the
printed rounding.
"""
import math

import torch

from figures_src.figures.figure import Figure
from figures_src.nn.attention import scaled_dot_product_attention

TOKENS = ("the", "cat", "sat")  # labels of the three positions
D_K = 4
D_V = 4
DECIMALS = {"Q": 0, "K": 0, "V": 0, "scores": 0, "scaled": 1, "weights": 2, "row_sums": 2,
            "output": 2}
MAX_SEEDS = 1000

FIGURE = Figure(
    name="attention-step",
    alt=("One attention step for the three tokens 'the cat sat', with every number written out. At "
         "the top, the token vectors X, one row per token, with three arrows labelled X W^Q, X W^K "
         "and X W^V leading to the query, key and value matrices, each {n} by {d_k}, here small "
         "whole numbers. Middle row: the scores Q times K transposed, {n} by {n}; the same divided "
         "by the square root of {d_k}, which is {scale:g}; and the softmax of each row, whose "
         "weights add up to 1. Bottom row: the weights times V give the output, {n} by {d_v}, each "
         "row a weighted average of the rows of V. The first row, '{first_token}', is outlined in "
         "every matrix; it puts weight {first_row_max:.2f} on '{first_row_argmax}'."),
    caption=("One attention step in numbers, {n} tokens, $$d_k = {d_k}$$: queries, keys and "
             "values, scores divided by $$\\sqrt{{d_k}} = {scale:g}$$, a softmax per row, and the "
             "output. Outlined: the row the text follows."),
)


def legible(q, k, v):
    """The criteria of the docstring: distinct queries and keys, no constant score row,
    nothing saturated, printed weights that add up to 1.00 in every row."""
    _, weights = scaled_dot_product_attention(q, k, v)
    scores = q @ k.T
    printed = (weights * 100).round()
    return (len(torch.unique(q, dim=0)) == len(q) and len(torch.unique(k, dim=0)) == len(k)
            and bool((scores.max(-1).values > scores.min(-1).values).all())
            and float(weights.max()) < 0.8
            and bool((printed.sum(-1) == 100).all()))


def example():
    """(seed, Q, K, V): the first seeded draw that is legible."""
    n = len(TOKENS)
    for seed in range(MAX_SEEDS):
        generator = torch.Generator().manual_seed(seed)
        q = torch.randint(-1, 2, (n, D_K), generator=generator).float()
        k = torch.randint(-1, 2, (n, D_K), generator=generator).float()
        v = torch.randint(0, 4, (n, D_V), generator=generator).float()
        if legible(q, k, v):
            return seed, q, k, v
    raise RuntimeError(f"no legible example in {MAX_SEEDS} seeds")


def compute() -> dict:
    seed, q, k, v = example()
    output, weights = scaled_dot_product_attention(q, k, v)
    scores = q @ k.transpose(-2,
                             -1)  # the first line of scaled_dot_product_attention, before the scale
    scaled = scores / math.sqrt(D_K)
    first = weights[0]
    return {
        "seed": seed,
        "tokens": TOKENS,
        "Q": q, "K": k, "V": v,
        "scores": scores, "scaled": scaled, "weights": weights, "output": output,
        "row_sums": weights.sum(-1),
        "facts": {
            "n": len(TOKENS), "d_k": D_K, "d_v": D_V, "scale": math.sqrt(D_K),
            "first_token": TOKENS[0],
            "first_row_max": float(first.max()),
            "first_row_argmax": TOKENS[int(first.argmax())],
        },
    }


# -- drawing -------------------------------------------------------------------

UNIT_INCHES = 0.34  # a matrix cell is cell_width(name) x 1 units; 1 unit is about 33 CSS px
NUMBER_PT = 13  # the cell numbers: about 10 CSS px in a phone's 343-px column
LABEL_PT = 13
# texts with sub- or superscripts: mathtext draws those at 0.7, >= 7 CSS px on a phone
SCRIPTED_PT = 14
FOLLOWED = 0  # the row the text follows ("Follow the first row"), outlined in every matrix


def format_number(value, decimals):
    """How a number is printed: fixed decimals, a true minus sign, no "-0"."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def cell_width(name):
    """Whole numbers fit a narrow cell; "0.63" needs a wider one at NUMBER_PT."""
    return 1.0 if DECIMALS[name] == 0 else 1.3


def draw_matrix(ax, data, name, x0, y0, theme, fill, title, shape, row_labels=True,
                column_labels=False,
                followed=True):
    """The matrix data[name], top-left corner (x0, y0), y downwards; every number is a Text with
    gid "name/i/j", the shape line has gid "shape/name". The followed row (if `followed`)
    gets a thick outline in the theme's vermillion."""
    from matplotlib.patches import Rectangle

    matrix = data[name]
    rows, columns = matrix.shape
    width = cell_width(name)
    for i in range(rows):
        for j in range(columns):
            ax.add_patch(Rectangle((x0 + j * width, y0 + i), width, 1, facecolor=fill,
                                   edgecolor=theme.muted, linewidth=1.0))
            ax.text(x0 + (j + 0.5) * width, y0 + i + 0.5,
                    format_number(float(matrix[i, j]), DECIMALS[name]),
                    ha="center", va="center", fontsize=NUMBER_PT, color=theme.text,
                    gid=f"{name}/{i}/{j}")
    if followed:
        ax.add_patch(Rectangle((x0, y0 + FOLLOWED), columns * width, 1, fill=False,
                               edgecolor=theme.color("vermillion"), linewidth=3.0, zorder=4,
                               gid=f"followed/{name}"))
    if row_labels:
        for i, token in enumerate(data["tokens"]):
            ax.text(x0 - 0.15, y0 + i + 0.5, token, ha="right", va="center", fontsize=LABEL_PT,
                    color=theme.text,
                    fontweight="bold" if i == FOLLOWED and followed else "normal")
    top = y0
    if column_labels:
        for j, token in enumerate(data["tokens"]):
            ax.text(x0 + (j + 0.5) * width, y0 - 0.12, token, ha="center", va="bottom",
                    fontsize=LABEL_PT,
                    color=theme.text)
        top = y0 - 0.62
    ax.text(x0 + columns * width / 2, top - 0.12, title, ha="center", va="bottom",
            fontsize=LABEL_PT + 1,
            color=theme.heading, fontweight="bold")
    ax.text(x0 + columns * width / 2, y0 + rows + 0.12, shape, ha="center", va="top",
            fontsize=SCRIPTED_PT,
            color=theme.muted, gid=f"shape/{name}")


def shape_text(matrix, symbols):
    rows, columns = matrix.shape
    return f"{rows} × {columns}  $({symbols})$"


def arrow(ax, x0, x1, y, text, theme, gid=None, below=None):
    ax.annotate("", (x1, y), (x0, y), arrowprops=dict(arrowstyle="-|>", color=theme.muted, lw=1.4,
                                                      shrinkA=0, shrinkB=0))
    ax.text((x0 + x1) / 2, y - 0.15, text, ha="center", va="bottom", fontsize=LABEL_PT,
            color=theme.text,
            linespacing=1.1, gid=gid)
    if below:
        ax.text((x0 + x1) / 2, y + 0.15, below, ha="center", va="top", fontsize=LABEL_PT,
                color=theme.text)


def operator(ax, x, y, text, theme):
    ax.text(x, y, text, ha="center", va="center", fontsize=17, color=theme.text)


def draw_projections(ax, x_of, y_from, y_to, theme):
    """The step before the worked example: every token's vector x_i (the rows of X) times three
    learned matrices gives its query, key and value. X and the W's are not drawn as numbers (in a
    model they are learned, d_model wide); the arrows say where Q, K and V come from."""
    centre = sum(x_of.values()) / 3
    ax.text(centre, y_from, "$X$: one row $x_i$ per token (the · cat · sat)", ha="center",
            va="center",
            fontsize=SCRIPTED_PT, color=theme.text, gid="projection/X",
            bbox=dict(boxstyle="round,pad=0.3", facecolor=theme.background, edgecolor=theme.muted,
                      linewidth=1.2))
    for name, x in x_of.items():
        ax.annotate("", (x, y_to), (centre + (x - centre) * 0.35, y_from + 0.45),
                    arrowprops=dict(arrowstyle="-|>", color=theme.muted, lw=1.4, shrinkA=0,
                                    shrinkB=0))
        ax.text((x + centre + (x - centre) * 0.35) / 2 + (0.3 if x >= centre else -0.3),
                (y_from + y_to) / 2 + 0.2,
                f"$X W^{name}$", ha="left" if x >= centre else "right", va="center",
                fontsize=SCRIPTED_PT,
                color=theme.text, gid=f"projection/{name}")


def draw(data, theme):
    import matplotlib.pyplot as plt

    n = len(data["tokens"])
    d_k, d_v = data["Q"].shape[1], data["V"].shape[1]
    scale = math.sqrt(d_k)
    computed = theme.grid  # computed matrices: neutral; inputs and weights tinted
    left, between = 1.5, 1.3
    row1 = 4.3
    row2 = row1 + n + 2.75
    row3 = row2 + n + 2.75
    whole, decimal = cell_width("Q"), cell_width("weights")
    gap_scale, gap_softmax = 2.75, 2.1
    x_max = max(left + (d_k + d_k + d_v) * whole + 2 * between,
                left + n * whole + 2 * n * decimal + gap_scale + gap_softmax + 1.55) + 0.1
    y_max = row3 + n + 0.85

    fig = plt.figure(figsize=(x_max * UNIT_INCHES, y_max * UNIT_INCHES))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.text(x_max / 2, 0.15,
            r"Attention$(Q, K, V) = \mathrm{softmax}(Q K^{\top} / \sqrt{d_k})\, V$", ha="center",
            va="top", fontsize=15, color=theme.heading)
    # row 1: the inputs, each projected from X
    x, centres = left, {}
    for name, title, color, symbols in (("Q", "Q  queries", "orange", r"n \times d_k"),
                                        ("K", "K  keys", "blue", r"n \times d_k"),
                                        ("V", "V  values", "green", r"n \times d_v")):
        draw_matrix(ax, data, name, x, row1, theme, theme.fill(color), title,
                    shape_text(data[name], symbols),
                    row_labels=name == "Q", followed=name == "Q")
        centres[name] = x + data[name].shape[1] * whole / 2
        x += data[name].shape[1] * whole + between
    draw_projections(ax, centres, 1.45, row1 - 0.75, theme)
    # row 2: scores, scaled, softmax (+ the row sums)
    x_scores = left
    x_scaled = x_scores + n * whole + gap_scale
    x_weights = x_scaled + n * decimal + gap_softmax
    draw_matrix(ax, data, "scores", x_scores, row2, theme, computed, "Q Kᵀ  scores",
                shape_text(data["scores"], r"n \times n"), column_labels=True)
    arrow(ax, x_scores + n * whole + 0.15, x_scaled - 0.15, row2 + n / 2, f"÷ √{d_k} = ÷ {scale:g}",
          theme, gid="scale")
    draw_matrix(ax, data, "scaled", x_scaled, row2, theme, computed, "scaled",
                shape_text(data["scaled"], r"n \times n"), row_labels=False, column_labels=True)
    arrow(ax, x_scaled + n * decimal + 0.15, x_weights - 0.15, row2 + n / 2, "softmax", theme,
          below="per row")
    draw_matrix(ax, data, "weights", x_weights, row2, theme, theme.fill("purple"), "weights",
                shape_text(data["weights"], r"n \times n"), row_labels=False, column_labels=True)
    x_sums = x_weights + n * decimal + 0.15
    for i in range(n):
        ax.text(x_sums, row2 + i + 0.5,
                "= " + format_number(float(data["row_sums"][i]), DECIMALS["row_sums"]),
                ha="left", va="center", fontsize=NUMBER_PT, color=theme.text, gid=f"row_sums/{i}")
    ax.text(x_sums, row2 - 0.72, "row\nsum", ha="left", va="bottom", fontsize=LABEL_PT,
            color=theme.muted,
            linespacing=1.0)
    # row 3: the weights times the values give the output
    x_v = left + n * decimal + 1.2
    x_out = x_v + d_v * whole + 1.2
    draw_matrix(ax, data, "weights", left, row3, theme, theme.fill("purple"), "weights",
                shape_text(data["weights"], r"n \times n"), column_labels=True)
    operator(ax, left + n * decimal + 0.6, row3 + n / 2, "×", theme)
    draw_matrix(ax, data, "V", x_v, row3, theme, theme.fill("green"), "V",
                shape_text(data["V"], r"n \times d_v"),
                row_labels=False, followed=False)
    operator(ax, x_v + d_v * whole + 0.6, row3 + n / 2, "=", theme)
    draw_matrix(ax, data, "output", x_out, row3, theme, computed, "output",
                shape_text(data["output"], r"n \times d_v"), row_labels=False)
    ax.set_xlim(0, x_max)
    ax.set_ylim(y_max, 0)
    ax.axis("off")
    return fig
