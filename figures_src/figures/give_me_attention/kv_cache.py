"""Generation token by token, with and without a key/value cache: the work per token.

A small decoder-only model (figures_src.nn.transformer.DecoderOnly, GPT-style:
2 layers, d_model 64, 4 heads, d_ff 256, learned positions, vocabulary 100)
generates 64 tokens greedily after a 4-token prompt, once running the whole
sequence every step and once with a KVCache per layer
(figures_src.experiments.generation.generate). The model is untrained: the
work depends only on the shapes, and the equality of the logits does not
depend on the weights; the trained causal reversal model cannot be used
because its learned position table has only 17 rows (it is checked to
generate identically with the cache in tests/experiments/test_generation.py).

The work is counted in multiply-adds of the matrix products, from the
configuration (generation.generation_multiply_adds); tests compare that count
with one taken from the shapes of every nn.Linear call and attention product
the code actually executes, step by step. Without the cache, step s runs
all P + s tokens through every layer; with it, one token, whose attention
reads all P + s cached keys and values. Both compute logits at the last
position only (what generation reads), and both start with the same pass
over the prompt. A step without the cache then costs about P + s cached
steps, so the total ratio is about the mean context length
(mean_context_length, 35.5 tokens). No timings: those depend on the machine.

Top: multiply-adds of the step that produced each token. Middle: the first
five steps, one square per token position, drawn from the cache shapes the
run recorded: without the cache every position's keys and values are
computed again; with it, one key and one value per layer are appended.
Bottom, the price: the bytes the cache grows by per token, computed from
LLaMA-7B's published shape (Touvron et al. 2023, Table 2; fp16) with its 32
key/value heads, and with one key/value head shared by all query heads,
multi-query attention (Shazeer 2019). Facts give the other LLaMA sizes.
"""
import torch

from figures_src.experiments import generation
from figures_src.experiments.generation import generate, generation_multiply_adds
from figures_src.figures.figure import Figure
from figures_src.nn.transformer import DecoderOnly, TransformerConfig

N_NEW = 64
PROMPT_LENGTH = 4
SHOWN_STEPS = 5  # rows of the cache diagram
CONFIG = TransformerConfig(n_layers=2, d_model=64, n_heads=4, d_ff=256, vocab_size=100,
                           max_len=PROMPT_LENGTH + N_NEW, dropout=0.0, positional="learned")

FIGURE = Figure(
    name="kv-cache",
    alt=("Top: a line chart of the multiply-adds, counted from the shapes, that a small "
         "decoder-only model ({n_layers} layers, d_model = {d_model}) spends on each of {n_new} "
         "generated tokens. Without a key/value cache the work grows with every token, from "
         "{first_step_millions:.2f} million to {last_without_millions:.1f} million, because the "
         "whole sequence is recomputed; with the cache it stays near {last_with_millions:.2f} "
         "million. In total the cache does {total_ratio:.0f} times less work, about the mean "
         "context length of {mean_context_length:.1f} tokens, and gives the same logits (largest "
         "difference {max_logit_difference:.1e}). Middle: squares for the token positions of the "
         "first steps, starting with a {prompt_length}-token prompt; without the cache all of them "
         "are recomputed at each step, with it one new key and value per layer is appended. "
         "Bottom: the memory the cache costs per token in LLaMA-7B at 16 bits, "
         "{llama7b_kib_per_token:.0f} KiB with its {llama7b_kv_heads} key/value heads "
         "({llama7b_gib_at_context:.0f} GiB for {example_context} tokens; LLaMA-65B: "
         "{llama65b_kib_per_token:.0f} KiB), {llama7b_mqa_kib_per_token:.0f} KiB with one shared "
         "key/value head (multi-query attention)."),
    caption=("Generating {n_new} tokens with a small decoder: the key/value cache does "
             "{total_ratio:.0f} times fewer multiply-adds, same logits. The price is memory: "
             "{llama7b_kib_per_token:.0f} KiB per token in LLaMA-7B."),
)


@torch.no_grad()
def compute() -> dict:
    model = DecoderOnly(CONFIG).eval()
    prompt = torch.randint(0, CONFIG.vocab_size, (1, PROMPT_LENGTH))
    tokens, logits = generate(model, prompt, N_NEW, use_cache=False)
    cache_shapes = []
    tokens_cached, logits_cached = generate(model, prompt, N_NEW, use_cache=True,
                                            cache_shapes=cache_shapes)
    without = generation_multiply_adds(CONFIG, PROMPT_LENGTH, N_NEW, use_cache=False)
    with_cache = generation_multiply_adds(CONFIG, PROMPT_LENGTH, N_NEW, use_cache=True)
    memory = memory_facts()
    # positions stored per layer after each step, read from the cache tensors themselves
    cache_lengths = [[keys[2] for keys, _ in step] for step in cache_shapes]
    return {
        "tokens": tokens[0],
        "tokens_cached": tokens_cached[0],
        "logits": logits[0],
        "logits_cached": logits_cached[0],
        "work_without": without,
        "work_with": with_cache,
        "cache_shapes": cache_shapes,
        "cache_lengths": cache_lengths,
        "config": CONFIG,
        "model": model,
        "prompt": prompt,
        "prompt_length": PROMPT_LENGTH,
        "total_without": sum(without),
        "total_with": sum(with_cache),
        "memory": memory,
        "toy_cache_bytes_per_token": toy_cache_bytes_per_token(cache_shapes),
        "toy_bytes_per_token": generation.kv_cache_bytes_per_token(CONFIG, bytes_per_number=4),
        "facts": {
            **{key: memory[key] for key in QUOTED_MEMORY},
            "prompt_length": PROMPT_LENGTH,
            "mean_context_length": generation.mean_context_length(PROMPT_LENGTH, N_NEW),
            "n_new": N_NEW,
            "n_layers": CONFIG.n_layers,
            "d_model": CONFIG.d_model,
            "total_ratio": sum(without) / sum(with_cache),
            "first_step_millions": without[0] / 1e6,
            "last_without_millions": without[-1] / 1e6,
            "last_with_millions": with_cache[-1] / 1e6,
            "max_logit_difference": float((logits - logits_cached).abs().max()),
        },
    }


KIB = 1024
QUOTED_MEMORY = ("llama7b_kib_per_token", "llama7b_mqa_kib_per_token", "llama7b_kv_heads",
                 "example_context",
                 "llama7b_gib_at_context",
                 "llama65b_kib_per_token")  # the rest stay in compute()'s data


def memory_facts():
    """KV-cache bytes per token of the published LLaMA sizes (fp16), with their own key/value
    heads and with one shared one (multi-query attention), and a 2048-token context of LLaMA-7B."""
    facts = {}
    for config in generation.LLAMA:
        key = config.name.lower().replace("-", "")  # "llama7b"
        facts[f"{key}_kib_per_token"] = generation.kv_cache_bytes_per_token(config) / KIB
        facts[f"{key}_mqa_kib_per_token"] = generation.kv_cache_bytes_per_token(config,
                                                                                kv_heads=1) / KIB
    llama7b = generation.LLAMA[0]
    facts["llama7b_kv_heads"] = llama7b.n_heads
    facts["example_context"] = generation.EXAMPLE_CONTEXT
    facts["llama7b_gib_at_context"] = (generation.kv_cache_bytes_per_token(llama7b)
                                       * generation.EXAMPLE_CONTEXT / KIB ** 3)
    return facts


def toy_cache_bytes_per_token(cache_shapes):
    """Bytes the run's own cache grew by per token (float32), read from the recorded shapes."""
    import math

    def stored(step):
        return sum(math.prod(keys) + math.prod(values) for keys, values in step) * 4

    return stored(cache_shapes[1]) - stored(cache_shapes[0])


# -- drawing -------------------------------------------------------------------

def draw_work(ax, data, theme):
    import numpy as np

    steps = np.arange(1, len(data["work_without"]) + 1)
    without = np.array(data["work_without"]) / 1e6
    with_cache = np.array(data["work_with"]) / 1e6
    red, blue = theme.color("vermillion"), theme.color("blue")
    ax.plot(steps, without, color=red, marker="o", markersize=3)
    ax.plot(steps, with_cache, color=blue, marker="o", markersize=3)
    n = steps[-1]
    # direct labels in the text colour (vermillion text fails 4.5:1 on white), beside their lines
    ax.text(n * 0.62, without[int(n * 0.62) - 1] + 0.35, "without cache:\nall tokens, every step",
            color=theme.text, ha="right", va="bottom", fontsize=13, linespacing=1.1)
    ax.text(n * 0.62, with_cache[int(n * 0.62) - 1] + 0.35, "with cache: one new token per step",
            color=theme.text, ha="center", va="bottom", fontsize=13)
    ax.text(n + 1.5, without[-1], f"{without[-1]:.1f} M", color=theme.text, ha="left", va="center",
            fontsize=12)
    ax.text(n + 1.5, with_cache[-1], f"{with_cache[-1]:.2f} M", color=theme.text, ha="left",
            va="center",
            fontsize=12)
    ratio = data["facts"]["total_ratio"]
    ax.text(2, without.max() * 0.97, f"{n} tokens in total: {ratio:.0f}× less work with the cache",
            ha="left", va="top", fontsize=13, color=theme.heading)
    ax.set_xlim(0, n + 1)
    ax.set_ylim(0, without.max() * 1.08)
    ax.set_xticks([1, 16, 32, 48, 64])
    ax.set_xlabel("generated token")
    ax.set_ylabel("multiply-adds (millions)")


def draw_cache(ax, data, theme):
    from matplotlib.patches import Rectangle

    prompt_length = data["prompt_length"]
    # layer 0; every layer holds the same
    lengths = [step[0] for step in data["cache_lengths"][:SHOWN_STEPS]]
    n_layers = len(data["cache_lengths"][0])
    widest = lengths[-1]
    cell, gap = 1.0, 0.18
    left0, left1 = 0.0, widest + 2.2  # x of the two groups
    computed, reused = theme.color("vermillion"), theme.fill("blue")

    def square(x, y, fill):
        ax.add_patch(Rectangle((x + gap / 2, y + gap / 2), cell - gap, cell - gap, facecolor=fill,
                               edgecolor=theme.muted, linewidth=1.0))

    for row, length in enumerate(lengths):
        y = -row * 1.25
        # without a cache this step sees the same `length` tokens and computes all their keys and
        # values
        for i in range(length):
            square(left0 + i, y, computed)
        new = prompt_length if row == 0 else 1  # positions appended to the cache at this step
        for i in range(length):
            square(left1 + i, y, computed if i >= length - new else reused)
        label = f"step {row + 1}" + (f": {prompt_length}-token prompt" if row == 0 else "")
        ax.text(left0 - 0.4, y + 0.5, label, ha="right", va="center", fontsize=12, color=theme.text)
    top = 1.3
    ax.text(left0 + widest / 2, top, "without cache", ha="center", va="bottom", fontsize=13,
            color=theme.text)
    ax.text(left1 + widest / 2, top, "with cache", ha="center", va="bottom", fontsize=13,
            color=theme.text)
    # the key, below the rows (never over them)
    key_y = -len(lengths) * 1.25 - 0.5
    square(left0, key_y, computed)
    ax.text(left0 + 1.2, key_y + 0.5, "computed this step", ha="left", va="center", fontsize=12,
            color=theme.text)
    square(left1, key_y, reused)
    ax.text(left1 + 1.2, key_y + 0.5, "read from the cache", ha="left", va="center", fontsize=12,
            color=theme.text)
    ax.text(left0 - 0.4, key_y - 0.75,
            f"one square: a token's key and value, in each of {n_layers} layers",
            ha="left", va="center", fontsize=12, color=theme.muted)
    ax.set_xlim(-7.6, left1 + widest + 0.5)
    ax.set_ylim(key_y - 1.1, top + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_memory(ax, data, theme):
    """The price: KV-cache bytes per token of LLaMA-7B, with its own and with one shared K/V head.
    """
    facts = data["facts"]
    bars = [(f"{facts['llama7b_kv_heads']} K/V heads (as published)",
             facts["llama7b_kib_per_token"]),
            ("1 shared K/V head (MQA)", facts["llama7b_mqa_kib_per_token"])]
    for y, (label, kib) in enumerate(bars):
        ax.barh(y, kib, height=0.62, color=theme.fill("vermillion"),
                edgecolor=theme.color("vermillion"),
                linewidth=1.0)
        ax.text(kib + 8, y, f"{kib:.0f} KiB", ha="left", va="center", fontsize=12, color=theme.text)
        ax.text(-8, y, label, ha="right", va="center", fontsize=12, color=theme.text)
    widest = bars[0][1]
    ax.set_ylim(1.45, -0.95)
    ax.set_xlim(-0.78 * widest, 1.22 * widest)
    ax.set_yticks([])
    ax.set_xticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(-0.78 * widest, -0.6,
            f"the price: LLaMA-7B's cache per token, 16-bit ({facts['example_context']} tokens: "
            f"{facts['llama7b_gib_at_context']:.0f} GiB)", ha="left", va="bottom", fontsize=12,
            color=theme.heading)


def draw(data, theme):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(5.9, 6.9))
    grid = fig.add_gridspec(3, 1, height_ratios=(1.0, 1.05, 0.3), hspace=0.34)
    draw_work(fig.add_subplot(grid[0]), data, theme)
    draw_cache(fig.add_subplot(grid[1]), data, theme)
    draw_memory(fig.add_subplot(grid[2]), data, theme)
    return fig
