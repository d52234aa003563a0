"""The original encoder-decoder transformer (Vaswani et al. 2017, Figure 1).

Drawn bottom to top like the paper: the encoder stack on the left, the
decoder stack on the right, N identical layers each, post-norm "Add & Norm"
after every sub-layer, masked self-attention in the decoder, and
cross-attention whose keys and values come from the encoder output. Both
blocks are drawn by figures_src.figures.diagrams.draw_block (the one block drawing
of the post) from the model's own first encoder and decoder Block: the
residual stream is the straight spine, each sub-layer branches off towards
the other stack and comes back into its "Add & Norm".

The sizes (d_model, d_ff, h, d_k = d_v, the vocabulary) are in the caption,
read from the TransformerConfig: drawn in the boxes as 12-pt lines with
subscripts they were under 7 CSS px on a phone (issue 22). The diagram's one
number, N, comes from the config too, and the parameter count in the alt text is counted on
a real EncoderDecoder(config), with the vocabulary the config assumes: the
paper's 65M depends on it. tests/figures/test_transformer.py replays both
drawn blocks on the real blocks' forward passes (forward hooks) and checks
the layout: the height fits a laptop screen and the stacks face each other.
"""
import dataclasses

from figures_src.figures import diagrams
from figures_src.figures.figure import Figure
from figures_src.nn.transformer import EncoderDecoder, TransformerConfig, count_parameters

CONFIG = TransformerConfig()  # the paper's base model

FIGURE = Figure(
    name="transformer",
    alt=("Architecture diagram of the encoder-decoder transformer, read bottom to top. Left, "
         "the encoder: input embedding plus positional encoding, then {n_layers} identical "
         "layers; in each, the residual stream runs straight up, and multi-head self-attention, "
         "fed by three arrows labelled V, K and Q from the stream, then a feed-forward network, "
         "branch off it to the right and rejoin it at an Add & Norm. Right, the decoder: output "
         "embedding of the outputs shifted right plus positional encoding, then {n_layers} layers "
         "whose branches, on the left, are masked multi-head self-attention (V, K, Q from the "
         "stream), multi-head attention whose V and K arrows come from the encoder's output and "
         "whose Q comes from the decoder, and a feed-forward network, each rejoining at an Add & "
         "Norm; then a linear layer and a softmax give the output probabilities. A dashed line "
         "labelled shared weights joins the two embeddings, and the linear layer is labelled "
         "shared weights: all three are one matrix, {embedding_millions:.1f}M parameters. Our "
         "EncoderDecoder of these sizes has {params_millions:.1f}M parameters; the paper reports "
         "65M."),
    caption=("The transformer (after Vaswani et al. 2017, Figure 1), base model: "
             "$$N = {n_layers}$$, $$d_{{model}} = {d_model}$$, $$d_{{ff}} = {d_ff}$$, "
             "$$h = {n_heads}$$, $$d_k = d_v = {d_k}$$, a {vocab_size}-token vocabulary."),
)


def describe(config: TransformerConfig) -> dict:
    """What the diagram shows, read from a config (d_k is its property)."""
    return dict(dataclasses.asdict(config), d_k=config.d_k, d_v=config.d_v)


def compute(config: TransformerConfig = CONFIG) -> dict:
    model = EncoderDecoder(config)
    params = count_parameters(model)
    embedding = model.encoder.embed.tokens.weight.numel()
    labels = describe(config)
    return {
        "config": labels,
        # what the block diagrams show, read from the model's own first blocks
        "blocks": {"enc": diagrams.describe(model.encoder.blocks[0]),
                   "dec": diagrams.describe(model.decoder.blocks[0])},
        "params": params,
        "facts": {
            "n_layers": config.n_layers, "d_model": config.d_model, "d_ff": config.d_ff,
            "n_heads": config.n_heads, "d_k": config.d_k, "vocab_size": config.vocab_size,
            "params": params,
            "params_millions": params / 1e6,
            "embedding_millions": embedding / 1e6,
        },
    }


# the tied matrix (embeddings and the output layer) in one fill, the norms unfilled: in the dark
# theme the tints of orange, yellow and purple were too alike to tell the boxes apart
COLORS = {"norm": None, "embedding": "green", "linear": "green", "softmax": "black"}


def draw(data, theme):
    c = data["config"]
    g = theme.digraph("transformer", rankdir="BT", nodesep="0.16", ranksep="0.1", newrank="true")
    g.attr("node", margin="0.1,0.03")
    g.attr("edge", fontsize="14")

    def plain(name, label, **attrs):
        g.node(name, label, shape="plaintext", style="", width="0", height="0.3", margin="0.02",
               **attrs)

    blocks = {}
    # the encoder's sub-layers branch right, the decoder's left: towards each other, so that the
    # encoder output reaches the decoder's cross-attention without crossing a residual stream
    sides = (("enc", "Inputs", "Input Embedding", "right"),
             ("dec", "Outputs<BR/>(shifted right)", "Output Embedding", "left"))
    for side, tokens, embedding, branch in sides:
        spine = f"{side}_spine"
        plain(f"{side}_tokens", f"<{tokens}>")
        diagrams.box(g, f"{side}_embed", f"<{embedding}>", theme, COLORS["embedding"], group=spine)
        diagrams.plus(g, f"{side}_add_pe", theme, group=spine)
        plain(f"{side}_pe", "Positional Encoding")
        g.edge(f"{side}_embed", f"{side}_add_pe", weight="20")
        # the tokens and the positional encoding come in from the branch side
        for row in (("tokens", "embed"), ("pe", "add_pe")):
            tail, head = (f"{side}_{name}" for name in row)
            with g.subgraph() as same:
                same.attr(rank="same")
                same.node(tail)
                same.node(head)
            if branch == "left":
                g.edge(tail, head)
            else:
                g.edge(head, tail, dir="back")
        blocks[side] = diagrams.draw_block(
            g, data["blocks"][side], theme, side, f"{side}_add_pe", side=branch, add_norm=True,
            frame_label=f"<<I>N</I> = {c['n_layers']} ×>",
            colors=COLORS, qkv=True)

    # cross-attention: keys and values come from the top of the encoder stack, two arrows
    for port in ("v", "k"):
        g.edge(blocks["enc"].output, blocks["dec"].node("cross_attn"), headport=f"{port}:s",
               constraint="false",
               color=theme.color("vermillion"), penwidth="2")
    with g.subgraph() as same:  # the two stacks start on one row, as in the paper
        same.attr(rank="same")
        same.node("enc_embed")
        same.node("dec_embed")

    diagrams.box(g, "linear", "<Linear<BR/>(shared weights)>", theme, COLORS["linear"],
                 group="dec_spine")
    diagrams.box(g, "softmax", "Softmax", theme, COLORS["softmax"], group="dec_spine")
    plain("probs", "Output Probabilities", group="dec_spine")
    g.edge(blocks["dec"].output, "linear", weight="20")
    g.edge("linear", "softmax", weight="20")
    g.edge("softmax", "probs", weight="20")
    # one weight matrix: both embeddings and the output layer (tie_embeddings)
    shared = dict(style="dashed", dir="none", constraint="false", color=theme.muted, penwidth="1.4",
                  fontcolor=theme.text, fontsize="14")
    g.edge("enc_embed", "dec_embed", xlabel="shared weights", **shared)  # an xlabel takes no rank
    return g
