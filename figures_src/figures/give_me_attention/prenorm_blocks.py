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
TITLES = {"post": ("Post-norm", "Vaswani et al. 2017"), "pre": ("Pre-norm", "Wang et al. 2019; GPT-2")}

FIGURE = Figure(
    name="prenorm-blocks",
    alt=("Two transformer blocks side by side, read bottom to top; in each, the residual stream is a "
         "straight vertical line and each sub-layer branches off it and is added back in. Left, "
         "post-norm: LayerNorm sits on the residual line itself, after each addition. Right, "
         "pre-norm: LayerNorm sits on each branch, before multi-head attention and before the feed "
         "forward network, so the residual line runs from input to output untouched; one final "
         "LayerNorm follows the last block."),
    caption=("Where the LayerNorm sits. Post-norm (left) normalises the residual stream itself after "
             "each addition, $$x_{{l+1}} = \\mathrm{{LN}}(x_l + F(x_l))$$. Pre-norm (right) normalises "
             "only the branch's input, $$x_{{l+1}} = x_l + F(\\mathrm{{LN}}(x_l))$$: the stream runs "
             "untouched from bottom to top, and the stack needs one final LayerNorm."),
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


def draw(data, theme):
    g = theme.digraph("prenorm_blocks", rankdir="BT", nodesep="0.18", ranksep="0.2")
    g.attr("node", margin="0.12,0.05")
    for side, _ in SIDES:
        info = data["sides"][side]
        spine = f"{side}_spine"
        source = node_id(side, "x")
        g.node(source, "<<I>x<SUB>l</SUB></I>>", shape="plaintext", style="", width="0", group=spine)
        drawn = diagrams.draw_block(g, info["spec"], theme, side, source)
        top = drawn.output
        if info["final_norm"]:
            final = node_id(side, "final_norm")
            diagrams.box(g, final, diagrams.html(info["final_norm"], small="once, after the last block"),
                         theme, diagrams.COLORS["norm"], group=spine)
            g.edge(top, final, weight="20")
            top = final
        output = node_id(side, "output")
        g.node(output, "output", shape="plaintext", style="", width="0", group=spine)
        g.edge(top, output, weight="20")
        # the title above the column, centred between the spine and the branches
        title, subtitle = TITLES[side]
        name = node_id(side, "title")
        g.node(name, f'<<B>{title}</B><BR/><FONT POINT-SIZE="12">{subtitle}</FONT>>', shape="plaintext",
               style="", width="0", fontcolor=theme.heading)
        g.edge(output, name, style="invis")
        g.edge(drawn.node("ffn"), name, style="invis")
    for row in ("x", "output", "title"):  # inputs, outputs and titles: one row each
        with g.subgraph() as same:
            same.attr(rank="same")
            for side, _ in SIDES:
                same.node(node_id(side, row))
    return g
