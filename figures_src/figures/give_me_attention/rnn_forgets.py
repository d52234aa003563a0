"""Why an RNN forgets: the gradient of its last output w.r.t. older inputs decays geometrically.

Measured by figures_src.experiments.rnn_gradients (see its docstring): a
freshly initialised tanh RNN (torch.nn.RNN's default initialisation, 64
hidden units, T = 100) against one attention layer over the same random
sequences, 5 seeds; lines are geometric means over the seeds, bands their
range.

What this shows, and what it does not: the RNN is untrained, so its fitted
per-step factor (about 0.54, the least-squares slope of log-gradient over
k = 1..T-1) follows the scale of its initial recurrent matrix: each step
multiplies by diag(1 - h_t^2) W_hh, and the spectral radius of W_hh is about
0.6 at this initialisation (scale W_hh up and the decay slows:
tests/experiments/test_rnn_gradients.py). It is the vanishing-gradient
mechanism, not a measurement of a trained model's memory; trained RNN, LSTM
and transformer models are compared in another figure. The fitted 0.54 is
over k = 1..99; from k = 0 to 20 the mean rate is grad_ratio_k20^(1/20).

The y-axis is clipped to the range the post's numbers live in; below it the
RNN keeps falling (about 1e-26 at k = 99). Attention's k = 0 value is higher
because the newest input is also the query; from k = 1 on it is level
(fitted factor 1.000 per step, every seed within 1%).
"""
import torch

from figures_src.experiments.rnn_gradients import LENGTH, SEEDS, make_rnn, measure, per_step_factor
from figures_src.figures.figure import Figure

K_REPORT = 20  # the distance the post quotes (fact k_report), marked on the plot
Y_RANGE = (1e-7, 10.0)  # the RNN leaves the plot at the bottom soon after k_report

FIGURE = Figure(
    name="rnn-forgets",
    alt=("Line chart with a logarithmic vertical axis: gradient size against how many steps back "
         "the input is, from 0 to {k_max}. The freshly initialised RNN's line falls steadily, by about "
         "{decay_per_step:.2f} per step; a dot marks {k_report} steps back, where it is {grad_ratio_k20:.1g} "
         "of its value at zero steps back, and the line leaves the bottom of the chart soon after. "
         "The attention layer's line stays level from one step back on."),
    caption=("How strongly the last output reacts to the input $$k$$ steps back, "
             "$$\\lVert \\partial y_T / \\partial x_{{T-k}} \\rVert$$ (mean of {n_seeds} seeds, bands: "
             "range). The tanh RNN is freshly initialised ($$W_{{hh}}$$'s spectral radius "
             "{spectral_radius:.1f}): its fall, about ×{decay_per_step:.2f} per step (fitted over "
             "$$k$$ = 1 to {k_max}), reflects that initial weight scale, not a trained model's memory. "
             "One attention layer does not decay."),
)


def compute() -> dict:
    runs = [measure(seed) for seed in SEEDS]
    rnn = torch.stack([r for r, _ in runs])  # [seeds, T], column k
    attention = torch.stack([a for _, a in runs])
    radii = torch.stack([torch.linalg.eigvals(make_rnn(seed).W_hh).abs().max() for seed in SEEDS])
    ks = torch.arange(LENGTH)
    fit = ks[1:]  # k = 0 left out: for attention the newest input is also the query

    def geometric_mean(rows):
        return rows.log().mean(0).exp()

    rnn_mean, attention_mean = geometric_mean(rnn), geometric_mean(attention)
    return {
        "k": ks,
        "rnn": rnn,
        "attention": attention,
        "rnn_mean": rnn_mean,
        "attention_mean": attention_mean,
        "spectral_radii": radii,  # of each seed's initial W_hh
        "attention_decay_per_step": per_step_factor(attention_mean[fit], fit),
        "y_range": Y_RANGE,
        "facts": {
            "n_seeds": len(SEEDS),
            "k_max": LENGTH - 1,
            "k_report": K_REPORT,
            "grad_ratio_k20": float(rnn_mean[K_REPORT] / rnn_mean[0]),
            "decay_per_step": per_step_factor(rnn_mean[fit], fit),
            "spectral_radius": float(radii.mean()),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    facts = data["facts"]
    k = data["k"].numpy()
    k_report = facts["k_report"]
    fig, ax = plt.subplots(figsize=(6.4, 3.9))
    for key, colour in (("rnn", "vermillion"), ("attention", "blue")):
        rows = data[key]
        ax.fill_between(k, rows.min(0).values.numpy(), rows.max(0).values.numpy(),
                        color=theme.fill(colour), linewidth=0)
        ax.plot(k, data[f"{key}_mean"].numpy(), color=theme.color(colour), linewidth=2.4)
    ax.set_yscale("log")
    ax.set_ylim(*data["y_range"])
    ax.set_xlim(0, facts["k_max"])
    ax.set_xlabel("$k$: how many steps back the input is")
    ax.set_ylabel("gradient size $\\Vert \\partial y_T / \\partial x_{T-k} \\Vert$")
    ax.grid(True, axis="y", which="major")

    # direct labels, in text colour beside their lines
    rnn_mean, attention_mean = data["rnn_mean"], data["attention_mean"]
    ax.text(7, float(rnn_mean[2]), f"RNN, untrained\n×{facts['decay_per_step']:.2f} per step",
            color=theme.text, fontsize=13, va="bottom", ha="left", linespacing=1.2)
    ax.text(facts["k_max"], 2.2 * float(attention_mean[1:].max()), "one attention layer",
            color=theme.text, fontsize=13, va="bottom", ha="right")

    # the point the post quotes
    y20 = float(rnn_mean[k_report])
    ax.plot([k_report], [y20], marker="o", markersize=8, color=theme.color("vermillion"),
            markeredgecolor=theme.background, markeredgewidth=1.5, zorder=5)
    mantissa, exponent = f"{facts['grad_ratio_k20']:.1e}".split("e")
    ax.annotate(f"$k = {k_report}$: ${mantissa} \\times 10^{{{int(exponent)}}}$\nof its value at $k = 0$",
                xy=(k_report, y20), xytext=(k_report + 7, y20 * 4), color=theme.text, fontsize=13,
                va="center", ha="left", linespacing=1.2,
                arrowprops=dict(arrowstyle="-", color=theme.muted, linewidth=1.0, shrinkB=6))
    return fig
