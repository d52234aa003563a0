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
DECIMALS = {"Q": 0, "K": 0, "V": 0, "scores": 0, "scaled": 1, "weights": 2, "row_sums": 2, "output": 2}
MAX_SEEDS = 1000

FIGURE = Figure(
    name="attention-step",
    alt=("One attention step for the three tokens 'the cat sat', with every number written out. Top row: the "
         "query, key and value matrices, each {n} by {d_k}. Middle row: the scores Q times K transposed, "
         "{n} by {n}; the same divided by the square root of {d_k}, which is {scale:g}; and the softmax of each "
         "row, whose weights add up to 1. Bottom row: the weights times V give the output, {n} by {d_v}; "
         "'{first_token}' puts weight {first_row_max:.2f} on '{first_row_argmax}'."),
    caption=("Attention worked in numbers for {n} tokens with $$d_k = {d_k}$$: scores $$QK^\\top$$, divided by "
             "$$\\sqrt{{d_k}} = {scale:g}$$, softmax per row (each row of weights sums to 1), then the weights "
             "average the rows of $$V$$. Every number is computed by the post's attention code."),
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
    scores = q @ k.transpose(-2, -1)  # the first line of scaled_dot_product_attention, before the scale
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

UNIT_INCHES = 0.36  # one matrix cell is CELL_WIDTH x 1 units; 1 unit is about 35 CSS px
CELL_WIDTH = 1.2


def format_number(value, decimals):
    """How a number is printed: fixed decimals, a true minus sign, no "-0"."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def draw_matrix(ax, data, name, x0, y0, theme, fill, title, shape, row_labels=True, column_labels=False):
    """The matrix data[name], top-left corner (x0, y0), y downwards; every number is a Text with
    gid "name/i/j", the shape line has gid "shape/name"."""
    from matplotlib.patches import Rectangle

    matrix = data[name]
    rows, columns = matrix.shape
    for i in range(rows):
        for j in range(columns):
            ax.add_patch(Rectangle((x0 + j * CELL_WIDTH, y0 + i), CELL_WIDTH, 1, facecolor=fill,
                                   edgecolor=theme.muted, linewidth=1.0))
            ax.text(x0 + (j + 0.5) * CELL_WIDTH, y0 + i + 0.5, format_number(float(matrix[i, j]), DECIMALS[name]),
                    ha="center", va="center", fontsize=12, color=theme.text, gid=f"{name}/{i}/{j}")
    if row_labels:
        for i, token in enumerate(data["tokens"]):
            ax.text(x0 - 0.15, y0 + i + 0.5, token, ha="right", va="center", fontsize=12, color=theme.text)
    top = y0
    if column_labels:
        for j, token in enumerate(data["tokens"]):
            ax.text(x0 + (j + 0.5) * CELL_WIDTH, y0 - 0.12, token, ha="center", va="bottom", fontsize=12, color=theme.text)
        top = y0 - 0.6
    ax.text(x0 + columns * CELL_WIDTH / 2, top - 0.15, title, ha="center", va="bottom", fontsize=13, color=theme.heading,
            fontweight="bold")
    ax.text(x0 + columns * CELL_WIDTH / 2, y0 + rows + 0.15, shape, ha="center", va="top", fontsize=12, color=theme.muted,
            gid=f"shape/{name}")


def shape_text(matrix, symbols):
    rows, columns = matrix.shape
    return f"{rows} × {columns}  $({symbols})$"


def arrow(ax, x0, x1, y, text, theme, gid=None):
    ax.annotate("", (x1, y), (x0, y), arrowprops=dict(arrowstyle="-|>", color=theme.muted, lw=1.4,
                                                     shrinkA=0, shrinkB=0))
    ax.text((x0 + x1) / 2, y - 0.2, text, ha="center", va="bottom", fontsize=12, color=theme.text,
            linespacing=1.1, gid=gid)


def operator(ax, x, y, text, theme):
    ax.text(x, y, text, ha="center", va="center", fontsize=16, color=theme.text)


def draw(data, theme):
    import matplotlib.pyplot as plt

    n = len(data["tokens"])
    d_k, d_v = data["Q"].shape[1], data["V"].shape[1]
    scale = math.sqrt(d_k)
    w = CELL_WIDTH
    computed = theme.grid  # computed matrices: neutral; inputs and weights tinted
    left, between = 1.5, 1.7
    row1 = 2.9
    row2 = row1 + n + 3.1
    row3 = row2 + n + 3.1
    x_max = left + 3 * d_k * w + 2 * between + 0.1
    y_max = row3 + n + 0.9

    fig = plt.figure(figsize=(x_max * UNIT_INCHES, y_max * UNIT_INCHES))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.text(x_max / 2, 0.2, r"Attention$(Q, K, V) = \mathrm{softmax}(Q K^{\top} / \sqrt{d_k})\, V$", ha="center",
            va="top", fontsize=14, color=theme.heading)
    # row 1: the inputs
    x = left
    for name, title, color, symbols in (("Q", "Q  queries", "orange", r"n \times d_k"),
                                        ("K", "K  keys", "blue", r"n \times d_k"),
                                        ("V", "V  values", "green", r"n \times d_v")):
        draw_matrix(ax, data, name, x, row1, theme, theme.fill(color), title, shape_text(data[name], symbols))
        x += data[name].shape[1] * w + between
    # row 2: scores, scaled, softmax (+ the row sums)
    gap = 2.7
    x_scores = left
    x_scaled = x_scores + n * w + gap
    x_weights = x_scaled + n * w + gap
    draw_matrix(ax, data, "scores", x_scores, row2, theme, computed, "Q Kᵀ  scores",
                shape_text(data["scores"], r"n \times n"), column_labels=True)
    arrow(ax, x_scores + n * w + 0.2, x_scaled - 0.2, row2 + n / 2, f"÷ √{d_k} = ÷ {scale:g}", theme, gid="scale")
    draw_matrix(ax, data, "scaled", x_scaled, row2, theme, computed, "scaled scores",
                shape_text(data["scaled"], r"n \times n"), row_labels=False, column_labels=True)
    arrow(ax, x_scaled + n * w + 0.2, x_weights - 0.2, row2 + n / 2, "softmax\nof each row", theme)
    draw_matrix(ax, data, "weights", x_weights, row2, theme, theme.fill("purple"), "weights",
                shape_text(data["weights"], r"n \times n"), row_labels=False, column_labels=True)
    x_sums = x_weights + n * w + 0.2
    for i in range(n):
        ax.text(x_sums, row2 + i + 0.5, "= " + format_number(float(data["row_sums"][i]), DECIMALS["row_sums"]),
                ha="left", va="center", fontsize=12, color=theme.text, gid=f"row_sums/{i}")
    ax.text(x_sums, row2 - 0.72, "row\nsum", ha="left", va="bottom", fontsize=12, color=theme.muted,
            linespacing=1.0)
    # row 3: the weights times the values give the output
    x_v = left + n * w + 1.3
    x_out = x_v + d_v * w + 1.3
    draw_matrix(ax, data, "weights", left, row3, theme, theme.fill("purple"), "weights",
                shape_text(data["weights"], r"n \times n"), column_labels=True)
    operator(ax, left + n * w + 0.65, row3 + n / 2, "×", theme)
    draw_matrix(ax, data, "V", x_v, row3, theme, theme.fill("green"), "V", shape_text(data["V"], r"n \times d_v"),
                row_labels=False)
    operator(ax, x_v + d_v * w + 0.65, row3 + n / 2, "=", theme)
    draw_matrix(ax, data, "output", x_out, row3, theme, computed, "output",
                shape_text(data["output"], r"n \times d_v"), row_labels=False)
    ax.set_xlim(0, x_max)
    ax.set_ylim(y_max, 0)
    ax.axis("off")
    return fig
