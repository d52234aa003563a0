"""Post-norm and pre-norm transformer blocks, drawn from the Block code that runs them.

Post-norm (Vaswani et al. 2017): x = LN(x + F(x)). Pre-norm (Wang et al.
2019, in tensor2tensor; used by GPT-2 and most large models since):
x = x + F(LN(x)), and the stack ends with one more LayerNorm.

Both blocks are drawn by figures_src.figures.diagrams.draw_block from
describe(Block) of the first block of a real Encoder(pre_norm=False) and
Encoder(pre_norm=True): the residual stream is the straight spine, each
sub-layer branches off it and comes back into a "+". The final norm is drawn
only when that Encoder has one. tests/figures/test_diagrams.py checks that a
drawn block computes what Block.forward computes (hooks on its submodules).
"""
from figures_src.figures import diagrams
from figures_src.figures.figure import Figure
from figures_src.nn.transformer import Encoder, TransformerConfig

# A tiny stack: the structure does not depend on the sizes (none are drawn).
CONFIG = TransformerConfig(n_layers=2, d_model=16, d_ff=32, n_heads=2, vocab_size=8, max_len=8,
                           dropout=0.0)
SIDES = (("post", False), ("pre", True))  # left to right
TITLES = {"post": ("Post-norm", "Vaswani et al. 2017"),
          "pre": ("Pre-norm", "Wang et al. 2019; GPT-2")}

FIGURE = Figure(
    name="prenorm-blocks",
    alt=("Two transformer blocks side by side, read bottom to top; in each, the residual stream is "
         "a thick straight vertical line and each sub-layer branches off it and is added back in. "
         "Left, post-norm, x_l+1 = LN(x_l + F(x_l)): LayerNorm sits on the residual line itself, "
         "after each addition. Right, pre-norm, x_l+1 = x_l + F(LN(x_l)): LayerNorm sits on each "
         "branch, before multi-head attention and before the feed forward network, so the residual "
         "line, drawn thick, runs from the block input x_l to the block output x_l+1 untouched; "
         "one final LayerNorm follows the last block."),
    caption=("Post-norm (left) normalises the residual stream after each addition; pre-norm "
             "(right) only each branch's input, so the stream (thick) runs through untouched, and "
             "the stack ends with one final LayerNorm."),
)


def compute() -> dict:
    sides = {}
    for side, pre_norm in SIDES:
        encoder = Encoder(CONFIG, pre_norm=pre_norm)
        final = encoder.final_norm
        sides[side] = {
            "spec": diagrams.describe(encoder.blocks[0]),
            # nn.Identity when the stack has no final norm
            "final_norm": None if type(final).__name__ == "Identity" else type(final).__name__,
        }
    return {"sides": sides, "facts": {}}


def node_id(side: str, step: str) -> str:
    """The DOT node name of a step on one side of the figure."""
    return f"{side}_{step}"  # block nodes are "<side>__<step>" (diagrams.draw_block)


# the norms are this figure's subject: their yellow against attention in purple, not orange (in the
# dark theme, orange's and yellow's tints are both olive-brown)
COLORS = {"attention": "purple"}


def draw(data, theme):
    g = theme.digraph("prenorm_blocks", rankdir="BT", nodesep="0.18", ranksep="0.12")
    g.attr("node", margin="0.12,0.05")
    # the residual stream: one thick road; pre-norm's runs from x_l to x_l+1 with nothing on it
    stream = {"penwidth": "5", "color": theme.muted, "arrowsize": "0.6"}
    for side, _ in SIDES:
        info = data["sides"][side]
        spine = f"{side}_spine"
        source = node_id(side, "x")
        g.node(source, "<<I>x<SUB>l</SUB></I>  (block input)>", shape="plaintext", style="",
               width="0",
               group=spine)
        drawn = diagrams.draw_block(g, info["spec"], theme, side, source, stream=stream,
                                    colors=COLORS)
        after = node_id(side, "x_next")
        g.node(after, "<<I>x<SUB>l+1</SUB></I>  (block output)>", shape="plaintext", style="",
               width="0",
               group=spine)
        g.edge(drawn.output, after, weight="20", **stream)
        top = after
        if info["final_norm"]:
            final = node_id(side, "final_norm")
            diagrams.box(g, final, f"<{info['final_norm']}<BR/>after the last block>",
                         theme, diagrams.COLORS["norm"], group=spine)
            g.edge(top, final, weight="20")
            output = node_id(side, "output")
            g.node(output, "stack output", shape="plaintext", style="", width="0", group=spine)
            g.edge(final, output, weight="20")
            top = output
        # the title above the column, centred between the spine and the branches
        title, subtitle = TITLES[side]
        name = node_id(side, "title")
        g.node(name, f"<<B>{title}</B><BR/>{subtitle}>", shape="plaintext", style="", width="0",
               fontcolor=theme.heading)
        g.edge(top, name, style="invis")
        g.edge(drawn.node("ffn"), name, style="invis")
    for row in ("x", "x_next", "title"):  # inputs, outputs and titles: one row each
        with g.subgraph() as same:
            same.attr(rank="same")
            for side, _ in SIDES:
                same.node(node_id(side, row))
    return g
