"""LayerNorm vs RMSNorm on shifted and scaled copies of one input vector.

RMSNorm (Zhang & Sennrich 2019) divides by the root mean square and never
subtracts the mean: on zero-mean input it equals LayerNorm (the RMS is then
the standard deviation), a shift of the input moves its output while
LayerNorm does not notice, and a scale changes neither. The panels draw the
project's own LayerNorm and RMSNorm (gain 1, bias 0) on the same vectors.
The norms' epsilons (1e-5, 1e-6) leave differences around 1e-5 where the
two should agree; the tests allow 1e-4. The legend sits above the panels,
never over the data.
"""
import torch

from figures_src.figures.figure import Figure
from figures_src.nn.norms import LayerNorm, RMSNorm

D = 24  # features of the one token vector
SHIFT = 1.5  # added to every feature (in units of the input's standard deviation)
SCALE = 3.0  # multiplies every feature
INPUTS = ("x", "shifted", "scaled")  # drawn in this order

FIGURE = Figure(
    name="rmsnorm",
    alt=("Three line charts over the {d} features of one token vector. Left: the input x "
         "(zero mean), x shifted by {shift:g}, and x scaled by {scale:g}. Middle: LayerNorm (gain "
         "1, no bias) maps all three to the same output. Right: RMSNorm (gain 1) maps x and the "
         "scaled x to the same output, but the shifted x to a different one, pushed up by up to "
         "{rms_shift_change:.2g}: a dashed line marks its mean, "
         "{rms_shifted_output_mean:.2f}, which is the shifted input's mean {mean_shifted:.2f} "
         "divided by its RMS {rms_shifted:.2f}. The legend gives each input's mean and RMS: x "
         "{mean_x:.2f} and {rms_x:.2f}, the shifted x {mean_shifted:.2f} and {rms_shifted:.2f}, "
         "the scaled x {mean_scaled:.2f} and {rms_scaled:.2f}. On x the two norms agree within "
         "{zero_mean_difference:.1g}; the shift moves LayerNorm's output by at most "
         "{ln_shift_change:.1g}, and scaling changes neither by more than {scale_change:.1g}."),
    caption=("LayerNorm and RMSNorm on a zero-mean $$x$$, on $$x + {shift:g}$$ and on "
             "$${scale:g}x$$. The shift survives RMSNorm (output mean "
             "{rms_shifted_output_mean:.2f}) but not LayerNorm; scaling changes neither."),
)


def compute() -> dict:
    x = torch.randn(D, dtype=torch.float64)
    x = (x - x.mean()) / x.std(unbiased=False)  # zero mean, unit standard deviation
    x = x.sort().values  # sorted features read as one smooth curve; order plays no role
    inputs = {"x": x, "shifted": x + SHIFT, "scaled": SCALE * x}
    norms = {"LayerNorm": LayerNorm(D).double(), "RMSNorm": RMSNorm(D).double()}
    with torch.no_grad():
        outputs = {name: {kind: norm(v) for kind, v in inputs.items()}
                   for name, norm in norms.items()}

    def change(name, kind):
        return float((outputs[name][kind] - outputs[name]["x"]).abs().max())

    return {
        "inputs": inputs,
        "outputs": outputs,  # {"LayerNorm" | "RMSNorm": {"x" | "shifted" | "scaled": [D]}}
        "facts": {
            "d": D,
            "shift": SHIFT,
            "scale": SCALE,
            "zero_mean_difference": float((outputs["LayerNorm"]["x"]
                                           - outputs["RMSNorm"]["x"]).abs().max()),
            "ln_shift_change": change("LayerNorm", "shifted"),
            "rms_shift_change": change("RMSNorm", "shifted"),
            "scale_change": max(change("LayerNorm", "scaled"), change("RMSNorm", "scaled")),
            # why RMSNorm moves: it divides by the RMS and keeps the mean (over the RMS)
            **{f"mean_{kind}": round(float(v.mean()), 12) + 0.0 for kind, v in inputs.items()},
            # no "-0.00"
            **{f"rms_{kind}": float(v.pow(2).mean().sqrt()) for kind, v in inputs.items()},
            "rms_shifted_output_mean": float(outputs["RMSNorm"]["shifted"].mean()),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    facts = data["facts"]
    shift, scale = facts["shift"], facts["scale"]
    names = {"x": "$x$", "shifted": f"$x + {shift:g}$", "scaled": f"${scale:g}\\,x$"}

    def number(value):
        return f"{value:.2f}".replace("-0.00", "0.00").replace("-", "−")

    labels = {kind: f"{names[kind]}: mean {number(facts[f'mean_{kind}'])}, RMS "
                    f"{number(facts[f'rms_{kind}'])}"
              for kind in INPUTS}
    # overlapping curves must stay visible: a line, big hollow squares, crosses
    looks = {
        "x": dict(color=theme.color("blue"), marker="o", markersize=4, linewidth=2.2, zorder=3),
        "shifted": dict(color=theme.color("vermillion"), marker="s", markersize=8, fillstyle="none",
                        linestyle="none", markeredgewidth=1.5, zorder=2),
        "scaled": dict(color=theme.color("green"), marker="x", markersize=7, linestyle="none",
                       markeredgewidth=1.6, zorder=4),
    }
    fig, axes = plt.subplots(1, 3, figsize=(6.0, 3.5), gridspec_kw={"wspace": 0.32})
    features = range(1, data["facts"]["d"] + 1)
    panels = (("input", data["inputs"]),
              ("LayerNorm", data["outputs"]["LayerNorm"]),
              ("RMSNorm", data["outputs"]["RMSNorm"]))
    for ax, (title, series) in zip(axes, panels):
        for kind in INPUTS:
            ax.plot(features, series[kind].numpy(), label=labels[kind], **looks[kind])
        ax.set_title(title)
        ax.set_xticks([])
        ax.axhline(0, color=theme.grid, linewidth=1.0, zorder=0)
    axes[0].set_ylabel("value")
    fig.supxlabel("feature (sorted by value)", y=0.02)
    axes[1].sharey(axes[2])
    axes[2].tick_params(labelleft=False)
    # RMSNorm divides by the RMS and keeps the mean: the shifted input's mean survives, scaled
    moved = facts["rms_shifted_output_mean"]
    axes[2].axhline(moved, color=theme.color("vermillion"), linewidth=1.2, linestyle=(0, (4, 3)),
                    zorder=1)
    axes[2].annotate(f"mean {number(moved)}\n= {number(facts['mean_shifted'])} ÷ "
                     f"{number(facts['rms_shifted'])}",
                     xy=(features[-1], moved), xytext=(features[-1] + 1.5, moved - 1.0), ha="left",
                     va="center",
                     fontsize=12, color=theme.text, linespacing=1.15, annotation_clip=False,
                     arrowprops=dict(arrowstyle="-", color=theme.muted, linewidth=1.0))
    handles, legend_names = axes[1].get_legend_handles_labels()
    fig.legend(handles, legend_names, ncol=1, loc="lower left", bbox_to_anchor=(0.08, 0.98),
               handletextpad=0.5, fontsize=13)
    return fig
