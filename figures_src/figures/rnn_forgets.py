"""Why an RNN forgets: the gradient of its last output w.r.t. older inputs decays geometrically.

Measured by figures_src.experiments.rnn_gradients (see its docstring): a
freshly initialised tanh RNN against one attention layer over the same
random sequences, several seeds. The fitted per-step factor is the
least-squares slope of log-gradient over k = 1..T-1.
"""
import torch

from figures_src.experiments.rnn_gradients import HIDDEN_SIZE, INPUT_SIZE, LENGTH, SEEDS, measure, per_step_factor
from figures_src.figure import Figure

K_REPORT = 20  # the distance the caption and the post quote (fact k_report)
FIGURE = Figure(
    name="rnn-forgets",
    alt=("Line chart with a logarithmic vertical axis: gradient size against how many steps back "
         "the input is, from 0 to {k_max}. The RNN's line falls steadily, by a factor of about "
         "{decay_per_step:.2f} per step, to {rnn_k20:.1g} at {k_report} steps back and far lower after "
         "that. The attention layer's line starts higher, {attention_k0:.2g} at zero steps back, because "
         "the newest input is also the query; from one step back on it stays level near "
         "{attention_median:.2g}, with no trend over distance."),
    caption=("How much the last output $$y_T$$ reacts to the input $$k$$ steps back, "
             "$$\\lVert \\partial y_T / \\partial x_{{T-k}} \\rVert$$, for a freshly initialised tanh RNN "
             "({hidden_size} hidden units, $$T = {length}$$; its output is its last hidden state, "
             "$$y_T = h_T$$) and one attention layer over the same sequences (its output at the last "
             "position); lines are the geometric mean over {n_seeds} seeds, bands their range. "
             "The RNN's gradient shrinks by about {decay_per_step:.2f}x per step: from "
             "{rnn_k0:.2g} at $$k = 0$$ to {rnn_k20:.2g} at $$k = {k_report}$$. Attention's does not decay "
             "(fitted factor {attention_decay_per_step:.3f} per step); its newest input stands out "
             "only because it is also the query."),
)


def compute() -> dict:
    runs = [measure(seed) for seed in SEEDS]
    rnn = torch.stack([r for r, _ in runs])  # [seeds, T], column k
    attention = torch.stack([a for _, a in runs])
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
        "facts": {
            "length": LENGTH,
            "hidden_size": HIDDEN_SIZE,
            "input_size": INPUT_SIZE,
            "n_seeds": len(SEEDS),
            "k_max": LENGTH - 1,
            "k_report": K_REPORT,
            "rnn_k0": float(rnn_mean[0]),
            "rnn_k20": float(rnn_mean[K_REPORT]),
            "grad_ratio_k20": float(rnn_mean[K_REPORT] / rnn_mean[0]),
            "decay_per_step": per_step_factor(rnn_mean[fit], fit),
            "attention_k0": float(attention_mean[0]),
            "attention_k20": float(attention_mean[K_REPORT]),
            "attention_median": float(attention_mean[fit].median()),
            "attention_decay_per_step": per_step_factor(attention_mean[fit], fit),
            "attention_min_over_max": float(attention_mean[fit].min() / attention_mean[fit].max()),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    facts = data["facts"]
    k = data["k"].numpy()
    fig, ax = plt.subplots(figsize=(6.4, 3.9))
    series = (("rnn", f"RNN (tanh, {facts['hidden_size']} units)", "vermillion"),
              ("attention", "one attention layer", "blue"))
    for key, label, colour in series:
        rows = data[key]
        ax.fill_between(k, rows.min(0).values.numpy(), rows.max(0).values.numpy(),
                        color=theme.fill(colour), linewidth=0)
        ax.plot(k, data[f"{key}_mean"].numpy(), color=theme.color(colour), label=label)
    ax.set_yscale("log")
    ax.set_xlim(0, facts["k_max"])
    ax.set_xlabel("$k$: how many steps back the input is")
    ax.set_ylabel("gradient size $\\Vert \\partial y_T / \\partial x_{T-k} \\Vert$")
    ax.grid(True, axis="y", which="major")
    slope_at = 25  # label the RNN's slope below its line, away from the legend
    ax.annotate(f"×{facts['decay_per_step']:.2f} per step",
                xy=(slope_at, float(data["rnn_mean"][slope_at])),
                xytext=(4, float(data["rnn_mean"][slope_at + 25])),
                color=theme.color("vermillion"), fontsize=13,
                arrowprops=dict(arrowstyle="-", color=theme.color("vermillion"), linewidth=1.0))
    ax.legend(loc="center right")
    return fig
