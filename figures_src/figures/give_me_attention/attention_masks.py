"""Who may attend to whom in the three transformer families, drawn from the mask functions the
models use.

Each grid is the output of figures_src.nn.attention's `full_mask` or
`causal_mask`, the functions figures_src.nn.block.Block calls: encoder
self-attention and cross-attention get full_mask, decoder self-attention
causal_mask. Rows are queries (the token that is updated), columns are keys
(the tokens it may read). Masked cells get a score of -inf, so softmax gives
them weight exactly 0.

To check that the drawing is what the models do, compute() also runs three
small untrained models of figures_src.nn.transformer (an Encoder, as in BERT;
a DecoderOnly, as in GPT; an EncoderDecoder, as in T5 and the 2017 paper: 2
layers, d_model 16, 2 heads) on the example sentence and records the weights
of every attention layer with forward hooks; tests/figures/test_attention_masks.py
asserts that the non-zero weights are exactly the drawn cells, in every layer
and head. The words are only labels: the masks depend on positions alone.
"""
import torch

from figures_src.figures.figure import Figure
from figures_src.nn.attention import MultiHeadAttention, causal_mask, full_mask
from figures_src.nn.transformer import DecoderOnly, Encoder, EncoderDecoder, TransformerConfig

SOURCE = ("the", "cat", "is", "on", "it")
TARGET = ("<s>", "le", "chat",
          "est")  # the decoder's input: the French, shifted right by a start token
WORDS = tuple(dict.fromkeys(SOURCE + TARGET))  # the toy vocabulary, in order of appearance
CONFIG = TransformerConfig(n_layers=2, d_model=16, n_heads=2, d_ff=32, vocab_size=len(WORDS),
                           max_len=8,
                           dropout=0.0)

FIGURE = Figure(
    name="attention-masks",
    alt=("Grids of which token may attend to which, rows attending to columns, for the sentence "
         "'the cat is on it', drawn from the mask functions the models of this post use. "
         "Encoder-only (BERT): all {n_source} by {n_source} cells allowed. Decoder-only "
         "(GPT): only the cells on and below the diagonal, {gpt_allowed} of {gpt_cells}; each "
         "token sees itself and earlier tokens. Encoder-decoder (T5): the encoder grid is full "
         "like BERT's; each of the {n_target} decoder tokens may read all {n_source} source tokens "
         "through cross-attention, a full rectangle, and only itself and earlier target tokens "
         "through its causal self-attention. In small models run on this sentence, every masked "
         "weight is {largest_masked_weight:g}."),
    caption=("Who may attend to whom (rows attend to columns): BERT sees everything, GPT only the "
             "past, T5's decoder the past plus the whole source. In our small models every masked "
             "weight is {largest_masked_weight:g}."),
)


def token_ids(words):
    return torch.tensor([[WORDS.index(w) for w in words]])


def recorded_attention(model, run):
    """Run `run()` and return {attention module name: weights [B, h, T_q, T_k]} from forward hooks.
    """
    seen, hooks = {}, []
    for name, module in model.named_modules():
        if isinstance(module, MultiHeadAttention):
            hooks.append(module.register_forward_hook(
                lambda module, inputs, output, name=name: seen.__setitem__(name, output[1][0])))
    try:
        run()
    finally:
        for hook in hooks:
            hook.remove()
    return seen


@torch.no_grad()
def compute() -> dict:
    source, target = token_ids(SOURCE), token_ids(TARGET)
    n, m = len(SOURCE), len(TARGET)
    encoder = Encoder(CONFIG).eval()
    decoder_only = DecoderOnly(CONFIG).eval()
    encoder_decoder = EncoderDecoder(CONFIG).eval()
    panels = [
        # one dict per drawn grid: the mask function's output, and the weights of the model's layers
        # that use it
        {"key": "bert", "mask": full_mask(n), "rows": SOURCE, "columns": SOURCE,
         "weights": recorded_attention(encoder, lambda: encoder(source))},
        {"key": "gpt", "mask": causal_mask(n), "rows": SOURCE, "columns": SOURCE,
         "weights": recorded_attention(decoder_only, lambda: decoder_only(source))},
    ]
    t5 = recorded_attention(encoder_decoder, lambda: encoder_decoder(source, target))
    for key, mask, rows, columns, kind in (("t5-encoder", full_mask(n), SOURCE, SOURCE, "encoder."),
                                           ("t5-cross", full_mask(m, n), TARGET, SOURCE,
                                            "cross_attn"),
                                           ("t5-decoder", causal_mask(m), TARGET, TARGET,
                                            "decoder.")):
        weights = {name: w for name, w in t5.items()
                   if (name.endswith("cross_attn") if kind == "cross_attn"
                       else name.startswith(kind) and name.endswith("self_attn"))}
        panels.append({"key": key, "mask": mask, "rows": rows, "columns": columns,
                       "weights": weights})
    gpt = panels[1]["mask"]
    return {
        "panels": panels,
        "n_layers": CONFIG.n_layers,
        "n_heads": CONFIG.n_heads,
        "facts": {
            "n_source": n,
            "n_target": m,
            "gpt_allowed": int(gpt.sum()),
            "gpt_cells": gpt.numel(),
            "largest_masked_weight": max(float(w[..., ~p["mask"]].abs().max())
                                         if (~p["mask"]).any() else 0.0
                                         for p in panels for w in p["weights"].values()),
        },
    }


# -- drawing -------------------------------------------------------------------

def cell_gid(key, i, j):
    """The SVG id of grid `key`'s cell (query i, key j): tests find the drawn cells by it."""
    return f"{key}/{i}/{j}"


def draw_grid(ax, panel, x0, y0, theme, column_labels=True, row_labels=True):
    """One mask as a grid of cells, top-left corner at (x0, y0), rows downwards (y grows down)."""
    from matplotlib.patches import Rectangle

    mask = panel["mask"]
    allowed, masked = theme.color("blue"), theme.background
    for i in range(mask.shape[0]):
        for j in range(mask.shape[1]):
            on = bool(mask[i, j])
            cell = Rectangle((x0 + j, y0 + i), 1, 1, facecolor=allowed if on else masked,
                             edgecolor=theme.muted, linewidth=1.0, hatch=None if on else "///")
            cell.set_gid(cell_gid(panel["key"], i, j))
            ax.add_patch(cell)
    if row_labels:
        for i, word in enumerate(panel["rows"]):
            ax.text(x0 - 0.2, y0 + i + 0.5, word, ha="right", va="center", fontsize=TEXT_PT,
                    color=theme.text)
    if column_labels:
        for j, word in enumerate(panel["columns"]):
            ax.text(x0 + j + 0.5, y0 - 0.2, word, ha="center", va="bottom", fontsize=TEXT_PT,
                    color=theme.text)


UNIT_INCHES = 0.32  # one grid cell, about 31 CSS px: the figure is about 610 px wide and 580 tall
TEXT_PT = 13  # >= 9 CSS px once a phone's 343-px column shrinks the figure


def label(ax, x, y, text, theme, size=TEXT_PT, weight="normal", color=None, ha="left"):
    ax.text(x, y, text, ha=ha, va="bottom", fontsize=size, fontweight=weight, color=color
            or theme.text)


def draw(data, theme):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    panels = {p["key"]: p for p in data["panels"]}
    n = len(panels["bert"]["rows"])
    m = len(panels["t5-decoder"]["rows"])
    left, second = 1.6, 1.6 + n + 3.4  # x of the left and right column of grids
    top1 = 2.0  # y of the first row of grids (y grows downwards)
    top2 = top1 + n + 4.1
    key_y = top2 + n + 0.7
    x_min, x_max = 0.1, second + n + 0.5 + m + 0.3
    y_min, y_max = top1 - 2.0, key_y + 2.0

    fig = plt.figure(figsize=((x_max - x_min) * UNIT_INCHES, (y_max - y_min) * UNIT_INCHES))
    ax = fig.add_axes([0, 0, 1, 1])
    # first row: the two one-stack families
    draw_grid(ax, panels["bert"], left, top1, theme)
    label(ax, left - 1.4, top1 - 1.8, "Encoder-only (BERT)", theme, size=15, weight="bold",
          color=theme.heading)
    label(ax, left - 1.4, top1 - 1.05, "full: all tokens see all", theme)
    draw_grid(ax, panels["gpt"], second, top1, theme)
    label(ax, second - 1.4, top1 - 1.8, "Decoder-only (GPT)", theme, size=15, weight="bold",
          color=theme.heading)
    label(ax, second - 1.4, top1 - 1.05, "causal: itself and the past", theme)
    # second row: encoder-decoder; the decoder's queries read the source (cross-attention, full)
    # and the target so far (self-attention, causal)
    label(ax, left - 1.4, top2 - 2.7, "Encoder-decoder (T5)", theme, size=15, weight="bold",
          color=theme.heading)
    draw_grid(ax, panels["t5-encoder"], left, top2, theme)
    label(ax, left - 1.4, top2 - 1.9, "encoder", theme, size=14, color=theme.heading)
    label(ax, left - 1.4, top2 - 1.05, "full, as in BERT", theme)
    draw_grid(ax, panels["t5-cross"], second, top2, theme)
    self_x = second + n + 0.5
    draw_grid(ax, panels["t5-decoder"], self_x, top2, theme, row_labels=False)
    label(ax, second - 1.4, top2 - 1.9, "decoder", theme, size=14, color=theme.heading)
    label(ax, second + n / 2, top2 - 1.05, "reads the source: full", theme, ha="center")
    label(ax, self_x + m / 2, top2 - 1.05, "itself: causal", theme, ha="center")
    # the key, below the grids
    for x, on, text in ((left - 1.4, True, "may attend"),
                        (left + 3.2, False, "masked: score −∞, weight 0")):
        ax.add_patch(Rectangle((x, key_y), 0.8, 0.8, facecolor=theme.color("blue") if on
                               else theme.background,
                               edgecolor=theme.muted, linewidth=1.0, hatch=None if on else "///"))
        ax.text(x + 1.05, key_y + 0.4, text, ha="left", va="center", fontsize=TEXT_PT,
                color=theme.text)
    ax.text(left - 1.4, key_y + 1.5,
            "row: the token that attends (query); column: a token it may read (key)",
            ha="left", va="center", fontsize=TEXT_PT, color=theme.muted)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_max, y_min)
    ax.axis("off")
    return fig
