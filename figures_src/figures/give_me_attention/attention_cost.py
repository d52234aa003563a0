"""The n^2 cost: time and memory of one attention layer against sequence length n,
beside an RNN's n sequential steps (figures_src.experiments.attention_cost).

Left: measured on this machine (one CPU thread, the median of 5 runs) and
read from the committed measurement (attention_cost_measured.py), so that
every rebuild draws the same bytes; tests re-measure and check the slopes.
The project's attention function on one head of width 64, against its RNN
of hidden size 64 stepping through n tokens. On one thread the attention's
independent rows buy nothing, so what is left is the work: n^2 for
attention, n for the RNN. (On a GPU the n^2 runs in parallel and the RNN's
n steps cannot; that is why transformers train faster, not this chart.)

Right: computed memory. The n x n score matrix grows as n^2; the queries,
keys, values and output as n; the RNN's state stays one vector of 64
floats. FlashAttention (Dao et al. 2022) computes exact attention in tiles
and never holds the n x n matrix, so its memory is the linear line.

Dashed guides: slopes n^2 and n through the last point, on log-log axes.
"""
from figures_src.experiments import attention_cost as cost
from figures_src.experiments import attention_cost_measured as measured
from figures_src.figures.figure import Figure

# The slopes are fitted over n >= FIT_FROM: below, the n x n scores fit in
# the CPU's caches and the times jump unevenly from one n to the next.
FIT_FROM = 2048
MIB = 2 ** 20

FIGURE = Figure(
    name="attention-cost",
    alt=("Two log-log charts against sequence length n from {n_min} to {n_max} tokens. Left, time "
         "measured on one CPU thread (median of {repeats} runs): one attention head's forward pass "
         "(d_k = {d}) grows with slope {time_slope_attention:.1f} at the largest n (n squared), "
         "from {attention_ms_min:.2f} to {attention_ms_max:.0f} milliseconds, about "
         "{doubling_factor:.1f} times per doubling of n, while an RNN of the same width's n "
         "sequential steps grow with slope {time_slope_rnn:.1f}, {rnn_doubling_factor:.1f} times "
         "per doubling, to {rnn_ms_max:.0f} milliseconds: attention is the slower from n = "
         "{attention_slower_from} on, {ratio_max:.0f} times at {n_max}. Right, memory: the n by n "
         "score matrix grows as n squared, to {score_mib_max:.0f} MiB at {n_max} tokens (per head "
         "and per layer), the queries, keys, values and output only linearly, to {qkv_mib_max:.0f} "
         "MiB."),
    caption=("One attention head against an RNN, on one CPU thread: doubling $$n$$ multiplies "
             "attention's time by about {doubling_factor:.1f}, the RNN's by "
             "{rnn_doubling_factor:.1f}. The $$n \\times n$$ scores take {score_mib_max:.0f} MiB "
             "at {n_max} tokens."),
)


def compute() -> dict:
    lengths = list(measured.LENGTHS)
    attention, rnn = list(measured.ATTENTION_SECONDS), list(measured.RNN_SECONDS)
    fit = [i for i, n in enumerate(lengths) if n >= FIT_FROM]
    scores = [cost.score_matrix_bytes(n) for n in lengths]
    linear = [cost.qkv_output_bytes(n) for n in lengths]
    state = [cost.D * cost.BYTES_PER_FLOAT for _ in lengths]
    slower = [n for n, a, r in zip(lengths, attention, rnn) if a > r]
    return {
        "lengths": lengths, "attention_seconds": attention, "rnn_seconds": rnn,
        "score_bytes": scores, "linear_bytes": linear, "state_bytes": state,
        "machine": measured.MACHINE,
        "memory_slope": cost.fitted_slope(lengths, scores),
        "facts": {
            "d": cost.D, "repeats": cost.REPEATS, "n_min": lengths[0], "n_max": lengths[-1],
            "time_slope_attention": cost.fitted_slope([lengths[i] for i in fit],
                                                      [attention[i] for i in fit]),
            "time_slope_rnn": cost.fitted_slope([lengths[i] for i in fit], [rnn[i] for i in fit]),
            "doubling_factor": attention[-1] / attention[-2],
            "rnn_doubling_factor": rnn[-1] / rnn[-2],
            "attention_ms_min": attention[0] * 1e3, "attention_ms_max": attention[-1] * 1e3,
            "rnn_ms_max": rnn[-1] * 1e3, "ratio_max": attention[-1] / rnn[-1],
            "attention_slower_from": slower[0],
            "score_mib_max": scores[-1] / MIB, "qkv_mib_max": linear[-1] / MIB,
        },
    }


# -- drawing -------------------------------------------------------------------

def guide(ax, lengths, end_value, power, theme, label):
    """A dashed n^power line over the last two octaves, ending at end_value, labelled at its end."""
    ns = [lengths[-3], lengths[-1]]
    values = [end_value * (n / lengths[-1]) ** power for n in ns]
    ax.plot(ns, values, color=theme.muted, linestyle=(0, (3, 2)), linewidth=1.2)
    ax.text(ns[1] * 1.15, values[1], label, ha="left", va="center", fontsize=12, color=theme.muted)


def log_axes(ax, lengths):
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks([64, 256, 1024, 4096], ["64", "256", "1024", "4096"])
    ax.minorticks_off()
    ax.set_xlabel("sequence length n")
    ax.set_xlim(lengths[0] / 1.5, lengths[-1] * 1.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def draw_time(ax, data, theme):
    lengths = data["lengths"]
    attention = [s * 1e3 for s in data["attention_seconds"]]
    rnn = [s * 1e3 for s in data["rnn_seconds"]]
    log_axes(ax, lengths)
    ax.plot(lengths, attention, color=theme.color("blue"), marker="o", markersize=4)
    ax.plot(lengths, rnn, color=theme.color("vermillion"), marker="s", markersize=4)
    guide(ax, lengths, attention[-1] * 3, 2, theme, "n²")
    guide(ax, lengths, rnn[-1] / 3, 1, theme, "n")
    ax.text(lengths[4] * 1.15, attention[4] / 3, "attention", color=theme.text, ha="left", va="top",
            fontsize=12)
    ax.text(lengths[0], rnn[0] * 30, "RNN", color=theme.text, ha="left", va="bottom", fontsize=12)
    ax.set_ylabel("time per pass (ms)")
    ax.set_yticks([0.1, 1, 10, 100, 1000], ["0.1", "1", "10", "100", "1000"])
    ax.set_ylim(min(0.03, attention[0] / 2), 6000)


def draw_memory(ax, data, theme):
    lengths = data["lengths"]
    scores, linear, state = data["score_bytes"], data["linear_bytes"], data["state_bytes"]
    log_axes(ax, lengths)
    ax.plot(lengths, scores, color=theme.color("blue"), marker="o", markersize=4)
    ax.plot(lengths, linear, color=theme.color("green"), marker="^", markersize=4)
    ax.plot(lengths, state, color=theme.color("vermillion"), marker="s", markersize=4)
    ax.text(lengths[3] / 1.2, scores[3] * 4, "n × n scores", color=theme.text, ha="right",
            va="bottom",
            fontsize=12)
    ax.text(lengths[-1], linear[-1] / 12, "Q, K, V,\noutput", color=theme.text, ha="right",
            va="top",
            fontsize=12, linespacing=1.1)
    ax.text(lengths[-1], state[-1] * 2.5, "RNN state", color=theme.text, ha="right", va="bottom",
            fontsize=12)
    for values in (scores, linear):
        ax.text(lengths[-1] * 1.2, values[-1], f"{values[-1] / MIB:.0f} MiB", color=theme.text,
                ha="left",
                va="center", fontsize=12)
    ax.set_yticks([2 ** 10, 2 ** 20, 2 ** 30], ["1 KiB", "1 MiB", "1 GiB"])
    ax.set_ylim(100, 2 ** 30)
    ax.set_ylabel("memory (float32)")


def draw(data, theme):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(5.6, 3.2), gridspec_kw={"wspace": 0.75})
    draw_time(left, data, theme)
    draw_memory(right, data, theme)
    left.set_title("time, 1 CPU thread", fontsize=13)
    right.set_title("memory", fontsize=13)
    return fig
