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

Each curve is drawn relative to its own value at k = 1 (every seed's row
divided by that row's k = 1 value), because the two models' raw sizes are not
comparable: the attention layer spreads its output over all 100 inputs, so its
raw gradient per input is about 60 times smaller than the RNN's newest one, and
drawn raw it sat below the RNN for k < 8 although it does not decay. The axis
stops at k = 40 (the RNN is at about 2e-11 there and keeps falling, about
1e-26 at k = 99). Attention's k = 0 value is higher because the newest input
is also the query; from k = 1 on it is level (fitted factor 1.000 per step,
every seed within 1%).
"""
import torch

from figures_src.experiments.rnn_gradients import LENGTH, SEEDS, make_rnn, measure, per_step_factor
from figures_src.figures.figure import Figure

K_REPORT = 20  # the distance the post quotes (fact k_report), marked on the plot
K_SHOWN = 40  # the x-axis stops here: the RNN's line is still on the chart
Y_RANGE = (1e-12, 30.0)  # relative to k = 1: holds both curves for k = 0..K_SHOWN

FIGURE = Figure(
    name="rnn-forgets",
    alt=("Line chart with a logarithmic vertical axis: the gradient norm of the last hidden state with "
         "respect to the input k steps back, each model relative to its own value one step back (raw "
         "sizes differ), against how many steps back the input is, from 0 to {k_shown}; lines are the "
         "mean of {n_seeds} seeds, bands their range. "
         "The freshly initialised tanh RNN's line falls steadily, by about {decay_per_step:.2f} per step "
         "(fitted over 1 to {k_max} steps back; set by its initial weights: its recurrent matrix starts "
         "with spectral radius {spectral_radius:.1f}); a dot "
         "marks {k_report} steps back, where it is {grad_ratio_k20:.1g} of its value at zero steps back. "
         "The attention layer's line stays level at 1 from one step back on."),
    caption=("How much the last hidden state feels the input $$k$$ steps back (relative to $$k = 1$$, mean "
             "of {n_seeds} seeds): the untrained RNN's drops about ×{decay_per_step:.2f} per step, "
             "attention's stays level."),
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
    rnn_rel, attention_rel = rnn / rnn[:, 1:2], attention / attention[:, 1:2]  # each seed at its k = 1
    return {
        "k": ks,
        "rnn": rnn,
        "attention": attention,
        "rnn_mean": rnn_mean,
        "attention_mean": attention_mean,
        "rnn_rel": rnn_rel,
        "attention_rel": attention_rel,
        "rnn_rel_mean": geometric_mean(rnn_rel),
        "attention_rel_mean": geometric_mean(attention_rel),
        "k_shown": K_SHOWN,
        "spectral_radii": radii,  # of each seed's initial W_hh
        "attention_decay_per_step": per_step_factor(attention_mean[fit], fit),
        "y_range": Y_RANGE,
        "facts": {
            "n_seeds": len(SEEDS),
            "k_max": LENGTH - 1,
            "k_shown": K_SHOWN,
            "k_report": K_REPORT,
            "grad_ratio_k20": float(rnn_mean[K_REPORT] / rnn_mean[0]),
            "decay_per_step": per_step_factor(rnn_mean[fit], fit),
            "spectral_radius": float(radii.mean()),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    facts = data["facts"]
    shown = slice(0, data["k_shown"] + 1)
    k = data["k"][shown].numpy()
    k_report = facts["k_report"]
    fig, ax = plt.subplots(figsize=(5.4, 3.7))
    for key, colour in (("rnn", "vermillion"), ("attention", "blue")):
        rows = data[f"{key}_rel"][:, shown]
        ax.fill_between(k, rows.min(0).values.numpy(), rows.max(0).values.numpy(),
                        color=theme.fill(colour), linewidth=0)
        ax.plot(k, data[f"{key}_rel_mean"][shown].numpy(), color=theme.color(colour), linewidth=2.4)
    ax.set_yscale("log")
    ax.set_ylim(*data["y_range"])
    ax.set_xlim(0, data["k_shown"])
    ax.set_yticks([1e-12, 1e-9, 1e-6, 1e-3, 1])
    ax.tick_params(labelsize=13)
    ax.set_xlabel("$k$: how many steps back the input is")
    ax.set_ylabel("$\\Vert \\partial h_T / \\partial x_{T-k} \\Vert$\nrelative to $k = 1$")
    ax.grid(True, axis="y", which="major")

    # direct labels, in text colour beside their lines
    rnn_rel, attention_rel = data["rnn_rel_mean"], data["attention_rel_mean"]
    # past the axis the RNN does not level off: its value at the last step, from the data
    mantissa, exponent = f"{float(rnn_rel[-1]):.0e}".split("e")
    ax.text(1.5, 1e-9, f"RNN, untrained:\n×{facts['decay_per_step']:.2f} per step,\n"
            f"${mantissa} \\times 10^{{{int(exponent)}}}$ by $k = {facts['k_max']}$",
            color=theme.text, fontsize=13, va="center", ha="left", linespacing=1.2)
    ax.text(data["k_shown"], 3.0 * float(attention_rel[1:].max()), "one attention layer: level",
            color=theme.text, fontsize=13, va="bottom", ha="right")

    # the point the post quotes: k = 20 against the newest input (k = 0)
    y0, y20 = float(rnn_rel[0]), float(rnn_rel[k_report])
    for x, y in ((0, y0), (k_report, y20)):
        ax.plot([x], [y], marker="o", markersize=8, color=theme.color("vermillion"),
                markeredgecolor=theme.background, markeredgewidth=1.5, zorder=5, clip_on=False)
    mantissa, exponent = f"{facts['grad_ratio_k20']:.1e}".split("e")
    ax.annotate(f"$k = {k_report}$: ${mantissa} \\times 10^{{{int(exponent)}}}$\nof its value at $k = 0$",
                xy=(k_report, y20), xytext=(k_report + 3, 3e-3), color=theme.text, fontsize=13,
                va="center", ha="left", linespacing=1.2,
                arrowprops=dict(arrowstyle="-", color=theme.muted, linewidth=1.0, shrinkB=6))
    return fig
