"""The original encoder-decoder transformer (Vaswani et al. 2017, Figure 1).

Drawn bottom to top like the paper: the encoder stack on the left, the
decoder stack on the right, N identical layers each, post-norm "Add & Norm"
after every sub-layer, masked self-attention in the decoder, and
cross-attention whose keys and values come from the encoder output.

Every number on the diagram is read from the TransformerConfig, and the
parameter count in the caption is counted on a real EncoderDecoder(config)
(with the vocabulary the config assumes: the paper's 65M depends on it).
"""
import dataclasses

from figures_src.figure import Figure
from figures_src.nn.transformer import EncoderDecoder, TransformerConfig, count_parameters

CONFIG = TransformerConfig()  # the paper's base model

FIGURE = Figure(
    name="transformer",
    alt=("Architecture diagram of the encoder-decoder transformer, read bottom to top. Left, "
         "the encoder: input embedding plus positional encoding, then {n_layers} identical "
         "layers of multi-head self-attention and a feed-forward network, each followed by "
         "Add & Norm. Right, the decoder: output embedding of the outputs shifted right plus "
         "positional encoding, then {n_layers} layers of masked multi-head self-attention, "
         "multi-head attention over the encoder output (keys and values from the encoder), "
         "and a feed-forward network, each followed by Add & Norm; then a linear layer and a "
         "softmax give the output probabilities. Labels: d_model = {d_model}, d_ff = {d_ff}, "
         "h = {n_heads}, d_k = d_v = {d_k}."),
    caption=("The transformer (after Vaswani et al. 2017, Figure 1), base model: "
             "$$N = {n_layers}$$, $$d_{{model}} = {d_model}$$, $$d_{{ff}} = {d_ff}$$, "
             "$$h = {n_heads}$$, $$d_k = d_v = {d_k}$$, post-norm. Our EncoderDecoder with this "
             "configuration has {params_millions:.1f}M parameters, assuming a shared "
             "source/target vocabulary of {vocab_size} tokens whose embedding is tied to the "
             "output layer ({embedding_millions:.1f}M of them); the paper reports 65M."),
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
        "params": params,
        "facts": {
            "n_layers": config.n_layers, "d_model": config.d_model, "d_ff": config.d_ff,
            "n_heads": config.n_heads, "d_k": config.d_k, "d_v": config.d_v,
            "vocab_size": config.vocab_size,
            "params": params,
            "params_millions": params / 1e6,
            "embedding_millions": embedding / 1e6,
            "tied_embeddings": config.tie_embeddings,
        },
    }


def _html(*lines, small=None):
    """A two-line HTML-like label: a title, then smaller detail lines."""
    text = "<BR/>".join(lines)
    if small:
        text += f'<BR/><FONT POINT-SIZE="12">{small}</FONT>'
    return f"<{text}>"


def draw(data, theme):
    c = data["config"]
    d, dff, h, dk, dv, vocab = c["d_model"], c["d_ff"], c["n_heads"], c["d_k"], c["d_v"], c["vocab_size"]
    g = theme.digraph("transformer", rankdir="BT", nodesep="0.25", ranksep="0.2",
                      newrank="true")
    g.attr("node", width="2.1", margin="0.12,0.05")

    def box(graph, name, label, color):
        graph.node(name, label, color=theme.color(color), fillcolor=theme.fill(color))

    def plain(graph, name, label, **attrs):
        graph.node(name, label, shape="plaintext", style="", width="0", **attrs)

    def add(graph, name):
        graph.node(name, "+", shape="circle", width="0.3", height="0.3", fixedsize="true",
                   fontsize="16", style="", margin="0")

    attention = _html("Multi-Head Attention", small=f"<I>h</I> = {h}, <I>d<SUB>k</SUB></I> = <I>d<SUB>v</SUB></I> = {dk}")
    masked = _html("Masked Multi-Head", "Attention", small=f"<I>h</I> = {h}, <I>d<SUB>k</SUB></I> = {dk}")
    ffn = _html("Feed Forward", small=f"{d} → {dff} → {d}")
    norm = _html("Add &amp; Norm")

    def split(graph, name):
        """A branch point: the residual path leaves the main path here."""
        graph.node(name, "", shape="point", width="0.06", color=theme.muted, style="filled",
                   fillcolor=theme.muted)

    def residual(tail, head, side):
        port = "w" if side == "enc" else "e"
        g.edge(tail, head, tailport=port, headport=port, style="dashed", arrowhead="normal")

    stack_attrs = dict(style="rounded,filled", color=theme.muted, fillcolor=theme.background,
                       penwidth="1.2", fontsize="16", margin="12")
    layers = {
        "enc": [("attn", attention, "orange"), ("norm1", norm, "yellow"),
                ("ffn", ffn, "sky_blue"), ("norm2", norm, "yellow")],
        "dec": [("self", masked, "orange"), ("norm1", norm, "yellow"),
                ("cross", attention, "orange"), ("norm2", norm, "yellow"),
                ("ffn", ffn, "sky_blue"), ("norm3", norm, "yellow")],
    }
    for side, title in (("enc", "Inputs"), ("dec", "Outputs<BR/>(shifted right)")):
        plain(g, f"{side}_tokens", f"<{title}>")
        box(g, f"{side}_embed", _html("Input Embedding" if side == "enc" else "Output Embedding",
                                       small=f"{vocab} × {d}"), "purple")
        add(g, f"{side}_add_pe")
        plain(g, f"{side}_pe", _html("Positional", "Encoding"), fontsize="13")
        g.edge(f"{side}_tokens", f"{side}_embed", weight="10")
        g.edge(f"{side}_embed", f"{side}_add_pe", weight="10")
        g.edge(f"{side}_pe", f"{side}_add_pe")

        with g.subgraph(name=f"cluster_{side}") as stack:
            stack.attr(label=f"<<I>N</I> = {c['n_layers']} ×>", labelloc="b",
                       labeljust="l" if side == "enc" else "r", **stack_attrs)
            previous = f"{side}_add_pe"
            for index, (name, label, color) in enumerate(layers[side]):
                node = f"{side}_{name}"
                if color == "yellow":  # Add & Norm: closes the residual around the sub-layer
                    box(stack, node, label, color)
                    g.edge(previous, node, weight="10")
                    residual(branch, node, side)
                else:  # a sub-layer: the residual branches off just below it
                    branch = f"{side}_split{index}"
                    split(stack, branch)
                    box(stack, node, label, color)
                    g.edge(previous, branch, arrowhead="none", weight="10")
                    g.edge(branch, node, weight="10", label=" Q" if name == "cross" else
                           (" Q, K, V" if color == "orange" else ""))
                previous = node

    # cross-attention: keys and values come from the top of the encoder
    g.edge("enc_norm2", "dec_cross", label=" K, V", color=theme.color("orange"),
           penwidth="2", fontcolor=theme.text)
    # the two stacks side by side, as in the paper
    for row_nodes in (("enc_tokens", "dec_tokens"), ("enc_pe", "enc_embed", "dec_embed", "dec_pe"),
                      ("enc_add_pe", "dec_add_pe"), ("enc_attn", "dec_self")):
        with g.subgraph() as row:
            row.attr(rank="same")
            if len(row_nodes) == 2:
                row.node(row_nodes[0])
                row.node(row_nodes[1])
            for left, right in zip(row_nodes, row_nodes[1:]) if len(row_nodes) > 2 else ():
                row.edge(left, right, style="invis")  # fixes the left-to-right order

    box(g, "linear", _html("Linear", small=f"{d} → {vocab}"), "blue")
    box(g, "softmax", _html("Softmax"), "green")
    plain(g, "probs", _html("Output", "Probabilities"))
    g.edge("dec_norm3", "linear")
    g.edge("linear", "softmax")
    g.edge("softmax", "probs")
    return g
