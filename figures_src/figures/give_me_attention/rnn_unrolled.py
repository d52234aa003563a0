"""A recurrent network rolled up (the loop) and unrolled over time, with the
gradient's way back.

Unrolled, the RNN is a deep chain in which every link is the same matrix
W_hh. Going back, the gradient is multiplied at step t by the Jacobian
J_t = dh_t/dh_(t-1) = diag(1 - h_t^2) W_hh: a different matrix every step
(h_t changes), but every one contains the same W_hh, so over k steps the
gradient meets W_hh k times: the vanishing (or exploding) gradient of
Bengio, Simard & Frasconi 1994. The diagram is drawn from a freshly
initialised RNN (experiments.untrained_rnn), run on a short sequence: one
node per time step it took, every recurrent edge names the parameter the
step used, and compute() keeps the Jacobians (autograd) that the dashed
arrows stand for.
"""
import torch

from figures_src.figures.figure import Figure
from figures_src.experiments import untrained_rnn

STEPS = 3  # time steps drawn

FIGURE = Figure(
    name="rnn-unrolled",
    alt=("Left, a recurrent network drawn as one cell whose output loops back into itself "
         "through the matrix W_hh. Right, the same network unrolled over {steps} time steps: a "
         "row of cells h_1 to h_{steps}, each receiving the input x_t through W_xh and the "
         "previous state through the same matrix W_hh ({hidden_size} by {hidden_size}), "
         "h_t = tanh(W_xh x_t + W_hh h_(t-1) + b). Dashed arrows run back from each cell to the "
         "one before: the gradient, multiplied at step t by diag(1 - h_t squared) times W_hh, a "
         "matrix that changes with h_t but always contains the same W_hh."),
    caption=("An RNN rolled up (left) and unrolled over {steps} steps (right), the same "
             "$$W_{{hh}}$$ at every step. Going back (dashed), each step multiplies the gradient "
             "by $$J_t = \\mathrm{{diag}}(1 - h_t^2)\\,W_{{hh}}$$."),
)


def compute() -> dict:
    rnn = untrained_rnn.make_rnn()
    x = torch.randn(1, STEPS, rnn.input_size, dtype=torch.float64)
    with torch.no_grad():
        states, _ = rnn(x)
    # one entry per step the forward pass took (states has one row per step), and the
    # weights SimpleRNN.step multiplies by: the same two parameters every time
    steps = [{"t": t, "input_weight": rnn.W_xh, "recurrent_weight": rnn.recurrent_weight}
             for t in range(states.shape[1])]
    # J_t = dh_t/dh_(t-1) by autograd, for the backward (dashed) arrows t = 2..STEPS
    jacobians = [torch.autograd.functional.jacobian(lambda h: rnn.step(x[0, t], h),
                                                    states[0, t - 1])
                 for t in range(1, states.shape[1])]
    return {
        "rnn": rnn,
        "inputs": x[0],
        "states": states[0],
        "steps": steps,
        "jacobians": jacobians,  # jacobians[j] is J_(j+2) in the drawing's 1-based steps
        "facts": {
            "steps": len(steps),
            "hidden_size": rnn.hidden_size,
        },
    }


def _weight_name(rnn, tensor):
    """The attribute name of a parameter of rnn (W_hh, W_xh), found by identity."""
    for name, parameter in rnn.named_parameters():
        if parameter is tensor:
            return name
    raise ValueError("the step used a tensor that is not a parameter of the RNN")


def _math(name, shape=None):
    """W_hh -> HTML-like W<SUB>hh</SUB>, with an optional small shape."""
    base, _, sub = name.partition("_")
    label = f"<I>{base}</I><SUB>{sub}</SUB>" if sub else f"<I>{base}</I>"
    if shape is not None:
        label += f' <FONT POINT-SIZE="13">{shape[0]}×{shape[1]}</FONT>'
    # a padded cell keeps the label clear of the arrow it names
    return f'<<TABLE BORDER="0" CELLPADDING="4"><TR><TD>{label}</TD></TR></TABLE>>'


def draw(data, theme):
    rnn, steps = data["rnn"], data["steps"]
    # wide and short: larger type than the default, so it stays legible scaled to a phone
    g = theme.digraph("rnn_unrolled", rankdir="BT", nodesep="0.15", ranksep="0.35", fontsize="17")
    g.attr("node", fontsize="18")
    g.attr("edge", fontsize="16")
    recurrent = theme.color("vermillion")
    gradient = theme.color("blue")
    cell = dict(shape="circle", width="0.6", fixedsize="true", style="filled",
                color=theme.color("blue"), fillcolor=theme.fill("blue"), penwidth="1.6")

    def plain(name, label, **attrs):
        g.node(name, label, shape="plaintext", style="", width="0", height="0", margin="0.04",
               **attrs)

    # rolled: one cell that feeds itself, the loop drawn wide around its right side
    w_hh = rnn.recurrent_weight
    plain("x", "<<I>x<SUB>t</SUB></I>>")
    g.node("h", "<<I>h<SUB>t</SUB></I>>", **cell)
    plain("y", "<<I>h<SUB>t</SUB></I>>")
    g.edge("x", "h", label=_math(_weight_name(rnn, rnn.W_xh)))
    g.edge("h", "h", label=_math(_weight_name(rnn, w_hh)), color=recurrent, fontcolor=theme.text,
           penwidth="2", tailport="ne", headport="se", arrowsize="0.7")
    g.edge("h", "y")
    plain("equals", "=", fontsize="28")

    # unrolled: one cell per step the RNN took, chained by the weight that step used
    plain("h0", "<<I>h</I><SUB>0</SUB> = 0>")
    previous = "h0"
    for step in steps:
        t = step["t"] + 1
        plain(f"x{t}", f"<<I>x</I><SUB>{t}</SUB>>")
        g.node(f"h{t}", f"<<I>h</I><SUB>{t}</SUB>>", **cell)
        plain(f"y{t}", f"<<I>h</I><SUB>{t}</SUB>>")
        g.edge(f"x{t}", f"h{t}", label=_math(_weight_name(rnn, step["input_weight"])))
        g.edge(f"h{t}", f"y{t}")
        g.edge(previous, f"h{t}", label=_math(_weight_name(rnn, step["recurrent_weight"])),
               color=recurrent, fontcolor=theme.text, penwidth="2")
        previous = f"h{t}"

    # backward: the gradient flows right to left, multiplied at every step by that step's
    # Jacobian J_t = dh_t/dh_(t-1) = diag(1 - h_t^2) W_hh, drawn above the chain
    cells = [f"h{s['t'] + 1}" for s in steps]
    for t in range(len(cells), 1, -1):
        g.edge(f"h{t}", f"h{t - 1}", label=f'<× <I>J</I><SUB>{t}</SUB>>', color=gradient,
               fontcolor=theme.text, style="dashed", penwidth="1.8", constraint="false",
               tailport="sw", headport="se")
    g.attr(label=("<dashed: the gradient, × <I>J<SUB>t</SUB></I> = "
                  "diag(1 − <I>h<SUB>t</SUB></I><SUP>2</SUP>) <I>W</I><SUB>hh</SUB>>"),
           labelloc="b", labeljust="r", fontsize="16")

    for row in (["x", "x1"], ["h", "equals", "h0"] + cells, ["y", "y1"]):
        with g.subgraph() as same:
            same.attr(rank="same")
            for name in row:
                same.node(name)
    return g
