"""Post-norm and pre-norm transformer blocks, drawn from the code that runs them.

Post-norm (Vaswani et al. 2017): x = LN(x + F(x)). Pre-norm (GPT-2 and
later): x = x + F(LN(x)), and the stack ends with one more LayerNorm. The
boxes and arrows are not typed in: they are the steps of Block.forward as
torch.fx traces them (figures_src.nn.block.block_steps), for
Block(pre_norm=False) and Block(pre_norm=True), and the final norm is the
one the Encoder stack actually has. Drawn bottom to top, as the paper does.
"""
from figures_src.figure import Figure
from figures_src.nn.block import block_code_path, block_steps
from figures_src.nn.norms import LayerNorm
from figures_src.nn.transformer import Encoder, TransformerConfig

# A tiny stack: the code path does not depend on the sizes.
CONFIG = TransformerConfig(n_layers=2, d_model=16, d_ff=32, n_heads=2, vocab_size=8, max_len=8,
                           dropout=0.0)
SIDES = (("post", False), ("pre", True))  # left to right
TITLES = {"post": ("Post-norm", "2017 paper"), "pre": ("Pre-norm", "GPT-2 and later")}
LABELS = {"attention": "Multi-Head<BR/>Attention", "feed_forward": "Feed Forward", "norm": "LayerNorm"}
COLORS = {"attention": "orange", "feed_forward": "sky_blue", "norm": "yellow"}
SUBLAYERS = ("attention", "feed_forward")

FIGURE = Figure(
    name="prenorm-blocks",
    alt=("Two transformer blocks side by side, read bottom to top. Left, post-norm: multi-head "
         "attention, then the residual addition, then LayerNorm; then feed forward, addition, "
         "LayerNorm. Right, pre-norm: LayerNorm, then multi-head attention, then the addition; "
         "then LayerNorm, feed forward, addition; above the repeated block, one final LayerNorm. "
         "Dashed arrows are the residual connections."),
    caption=("Where the LayerNorm sits. Post-norm (left, the 2017 paper) normalises after each "
             "residual addition, $$x_{{l+1}} = \\mathrm{{LN}}(x_l + F(x_l))$$; pre-norm (right) "
             "normalises the sub-layer's input, $$x_{{l+1}} = x_l + F(\\mathrm{{LN}}(x_l))$$, so the "
             "residual path (dashed) runs from bottom to top untouched, and the stack needs one "
             "final LayerNorm. Both diagrams are traced from the same `Block` code with "
             "`pre_norm=False` and `pre_norm=True`."),
)


def compute() -> dict:
    sides = {}
    for side, pre_norm in SIDES:
        encoder = Encoder(CONFIG, pre_norm=pre_norm)
        block = encoder.blocks[0]
        sides[side] = {
            "pre_norm": pre_norm,
            "steps": block_steps(block),
            "code_path": block_code_path(block),
            "final_norm": isinstance(encoder.final_norm, LayerNorm),
        }
    return {
        "sides": sides,
        "facts": {
            "post_code_path": " > ".join(sides["post"]["code_path"]),
            "pre_code_path": " > ".join(sides["pre"]["code_path"]),
        },
    }


def node_id(side: str, step: str) -> str:
    """The DOT node name of a block step on one side of the figure."""
    return f"{side}__{step}"


def _residual_input(step, kinds):
    """Of an add's two inputs, the one that skips the sub-layer (None if not a residual add)."""
    if step.kind != "add":
        return None
    skips = [name for name in step.inputs if kinds[name] not in SUBLAYERS]
    return skips[0] if len(skips) == 1 else None


def _draw_side(g, side, info, theme):
    steps = info["steps"]
    kinds = {s.name: s.kind for s in steps}
    residual = {s.name: _residual_input(s, kinds) for s in steps}
    title, subtitle = TITLES[side]
    port = "w" if side == "post" else "e"
    with g.subgraph(name=f"cluster_{side}_block") as block:
        block.attr(label=f"<<I>N</I> ×>", labelloc="b", labeljust="l" if side == "post" else "r",
                   style="rounded,filled", color=theme.muted, fillcolor=theme.background,
                   penwidth="1.2", fontsize="16", margin="12")
        for step in steps:  # in execution order: the code path, bottom to top
            name = node_id(side, step.name)
            if step.kind == "input":
                g.node(name, "<<I>x<SUB>l</SUB></I>>", shape="plaintext", style="", width="0")
            elif step.kind == "output":
                continue
            elif step.kind == "add":
                block.node(name, "+", shape="circle", width="0.34", height="0.34", fixedsize="true",
                           fontsize="17", style="", margin="0")
            else:
                color = COLORS[step.kind]
                block.node(name, f"<{LABELS[step.kind]}>", color=theme.color(color),
                           fillcolor=theme.fill(color))
        # the residual branches off the main path at a point just above its source
        for add, source in residual.items():
            if source is not None:
                block.node(node_id(side, f"split_{add}"), "", shape="point", width="0.07",
                           color=theme.muted, style="filled", fillcolor=theme.muted)
    splits = {source: node_id(side, f"split_{add}") for add, source in residual.items() if source}
    for step in steps:
        if step.kind == "output":  # drawn below: the final norm (pre-norm) and the title
            continue
        for source in step.inputs:
            tail = node_id(side, source)
            if residual.get(step.name) == source:
                g.edge(splits[source], node_id(side, step.name), style="dashed",
                       tailport=port, headport=port)
            elif source in splits:
                g.edge(splits[source], node_id(side, step.name), weight="10")
            else:
                g.edge(tail, node_id(side, step.name), weight="10")
    for source, split in splits.items():
        g.edge(node_id(side, source), split, arrowhead="none", weight="10")
    (output,) = [s for s in steps if s.kind == "output"]
    top = node_id(side, output.inputs[0])
    if info["final_norm"]:
        final = node_id(side, "final_norm")
        g.node(final, "<LayerNorm<BR/><FONT POINT-SIZE=\"12\">once, after the last block</FONT>>",
               color=theme.color("yellow"), fillcolor=theme.fill("yellow"))
        g.edge(top, final, weight="10")
        top = final
    g.node(node_id(side, "output"), "output", shape="plaintext", style="", width="0")
    g.edge(top, node_id(side, "output"), weight="10")
    # the title sits under the input, as a caption of its column
    g.node(node_id(side, "title"), f"<<B>{title}</B><BR/><FONT POINT-SIZE=\"12\">{subtitle}</FONT>>",
           shape="plaintext", style="", width="0")
    g.edge(node_id(side, "title"), node_id(side, "x"), style="invis", weight="10")


def draw(data, theme):
    g = theme.digraph("prenorm_blocks", rankdir="BT", nodesep="0.3", ranksep="0.22")
    g.attr("node", width="1.9", margin="0.12,0.05")
    for side, _ in SIDES:
        _draw_side(g, side, data["sides"][side], theme)
    for row in ("title", "x", "output"):  # titles, inputs and outputs on one row each
        with g.subgraph() as same:
            same.attr(rank="same")
            for side, _ in SIDES:
                same.node(node_id(side, row))
    return g
