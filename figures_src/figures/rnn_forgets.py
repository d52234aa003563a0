"""Why an RNN forgets: the gradient of its last output w.r.t. older inputs decays geometrically.

The RNN's last output y_T is its last hidden state h_T, which depends on
x_(T-k) through k multiplications by the same recurrent Jacobian, so
||d y_T / d x_(T-k)|| shrinks (or grows) like a power of k
(Bengio, Simard & Frasconi 1994; Pascanu, Mikolov & Bengio 2013). One
attention layer reads every position directly: its last output's gradient
w.r.t. an input does not depend on how far back that input is. Both are
freshly initialised (torch.nn.RNN's and the project's MultiHeadAttention's
default initialisation) and read the same random sequences, several seeds;
the attention layer gets sinusoidal positions added, as in a transformer.
The RNN is torch.nn.RNN copied into the project's SimpleRNN, the very
class the rnn-unrolled diagram draws.
"""
import torch

from figures_src.figure import Figure
from figures_src.nn.attention import MultiHeadAttention
from figures_src.nn.positional import sinusoidal_encoding
from figures_src.nn.rnn import SimpleRNN

LENGTH = 100  # T
INPUT_SIZE = 16
HIDDEN_SIZE = 64
N_HEADS = 4
SEEDS = (0, 1, 2, 3, 4)
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


def jacobian_blocks(output_of, x):
    """||d y / d x_t|| (Frobenius) for every position t, y = output_of(x[None])[0] a vector.

    output_of maps sequences [B, T, D] to vectors [B, W]. One backward pass:
    x [T, D] is copied once per output component, and copy i backpropagates
    only component i (the copies of a batch do not interact).
    """
    width = output_of(x[None]).shape[-1]
    copies = x.detach().expand(width, *x.shape).clone().requires_grad_(True)  # [W, T, D]
    (grad,) = torch.autograd.grad(output_of(copies).diagonal().sum(), copies)  # [i, t] = d y_i / d x_t
    return grad.pow(2).sum(dim=(0, 2)).sqrt()  # [T]


def per_step_factor(norms, ks):
    """exp of the least-squares slope of log(norm) against k: the fitted decay per step."""
    k = ks.double()
    log_norm = norms.double().log()
    slope = ((k - k.mean()) * (log_norm - log_norm.mean())).sum() / (k - k.mean()).pow(2).sum()
    return float(slope.exp())


def make_rnn(seed):
    """Seed torch, then build this figure's RNN: torch.nn.RNN's default initialisation,
    copied into SimpleRNN, in float64. The rnn-unrolled diagram draws the same one."""
    torch.manual_seed(seed)
    return SimpleRNN.from_torch(torch.nn.RNN(INPUT_SIZE, HIDDEN_SIZE, nonlinearity="tanh").double())


def measure(seed):
    """Gradient norms against k = T-1-t for one seed: (rnn [T], attention [T])."""
    rnn = make_rnn(seed)  # seeds torch: the attention layer and x below follow from it
    attention = MultiHeadAttention(INPUT_SIZE, N_HEADS).double()
    x = torch.randn(LENGTH, INPUT_SIZE, dtype=torch.float64)
    positions = sinusoidal_encoding(LENGTH, INPUT_SIZE, dtype=torch.float64)
    rnn_norms = jacobian_blocks(lambda seqs: rnn(seqs)[1], x)  # h_T
    # the attention layer sees positions, as in a transformer; d(x + PE)/dx = I
    attention_norms = jacobian_blocks(lambda seqs: attention(seqs + positions)[:, -1], x)
    return rnn_norms.flip(0), attention_norms.flip(0)  # index k: the input k steps back


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
