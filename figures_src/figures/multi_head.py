"""Multi-head attention (Vaswani et al. 2017, Figure 2 right) with the real
attention maps of each head of a small trained model.

The model is a one-layer, two-head encoder trained on a task that needs two
look-ups per position: output_i = (x_(n-1-i) + x_(i-1)) mod 10, the mirrored
token plus the previous one. The heads run in parallel on d_k = d_model / h
dimensions each; their outputs are concatenated and mixed by W^O.
"""
import torch

from figures_src.experiments import two_lookups
from figures_src.experiments.reversal import model_config
from figures_src.figure import Figure

EXAMPLE = (3, 1, 4, 1, 5, 9, 2, 6)  # the sequence whose maps are drawn
HEAD_COLORS = ("orange", "blue", "green", "purple")

FIGURE = Figure(
    name="multi-head",
    alt=("Diagram of multi-head attention, read bottom to top: the input sequence "
         "{example} goes through {n_heads} separate linear projections to queries, keys and "
         "values of {d_k} dimensions each; each head's attention map, drawn as a small grid of "
         "shaded cells, shows where every position looks; the head outputs are concatenated "
         "and projected by a final linear layer. In most rows one head looks at the mirrored "
         "position and the other at the previous one."),
    caption=("Multi-head attention with $$h = {n_heads}$$ heads of $$d_k = d_{{model}}/h = "
             "{d_model}/{n_heads} = {d_k}$$ dimensions (after Vaswani et al. 2017, Figure 2). The "
             "maps are the real attention weights of a one-layer model trained to output "
             "$$(x_{{n-1-i}} + x_{{i-1}}) \\bmod 10$$, which needs two look-ups per position "
             "({accuracy:.1%} of {n_eval} held-out sequences right). On {split:.0%} of the "
             "positions the two heads split the work: one fetches the mirrored token, the other "
             "the previous one."),
)


def _attention_input(model, tokens):
    """The tensor the attention layer receives (the embedded tokens)."""
    captured = {}
    attention = model.encoder.blocks[0].self_attn
    handle = attention.register_forward_hook(lambda module, args, out: captured.update(x=args[0]))
    try:
        with torch.no_grad():
            model(tokens)
    finally:
        handle.remove()
    return captured["x"]


def split_share(weights):
    """Share of positions (with distinct mirror and previous) where the heads' argmaxes
    are exactly {mirror, previous}. weights: [B, 2, T, T]."""
    length = weights.size(-1)
    i = torch.arange(1, length)
    mirror, previous = length - 1 - i, i - 1
    distinct = mirror != previous
    top = weights[:, :, 1:].argmax(-1)  # [B, 2, T-1]
    split = ((top[:, 0] == mirror) & (top[:, 1] == previous)) | \
            ((top[:, 0] == previous) & (top[:, 1] == mirror))
    return split[:, distinct].float().mean().item()


def compute() -> dict:
    model, metrics = two_lookups.trained_two_lookups_model()
    attention = model.encoder.blocks[0].self_attn
    config = model_config(two_lookups.CONFIG)

    tokens = torch.tensor([EXAMPLE])
    x = _attention_input(model, tokens)
    with torch.no_grad():
        ours, maps = attention(x)
        maps = maps[0]  # [h, T, T]
        theirs, their_maps = attention.to_torch()(x, x, x, need_weights=True,
                                                   average_attn_weights=False)
        held_out = two_lookups.held_out()  # never in a training batch
        seen = []
        model(held_out, attention=seen)
    eval_maps = seen[0]
    return {
        "tokens": list(EXAMPLE),
        "maps": maps,
        "check": {"x": x, "ours": ours, "torch": theirs, "ours_maps": maps, "torch_maps": their_maps[0]},
        "config": {"d_model": config.d_model, "n_heads": config.n_heads, "d_k": config.d_k},
        "held_out": held_out,
        "eval_maps": eval_maps,
        "facts": {
            "example": " ".join(map(str, EXAMPLE)),
            "n_heads": config.n_heads, "d_model": config.d_model, "d_k": config.d_k,
            "n_eval": metrics["n_held_out"],
            "accuracy": metrics["held_out_sequence_accuracy"],
            "split": split_share(eval_maps),
            "train_steps": metrics["steps"],
        },
    }


def _map_label(weights, tokens, title, color, theme):
    """An HTML-like table: one shaded cell per attention weight, tokens along the edges.
    A weight of 0 is a faint cell (the grid stays visible), 1 the full head colour."""
    cmap = theme.cmap(color)
    from matplotlib.colors import to_hex

    cell = 'WIDTH="15" HEIGHT="15" FIXEDSIZE="TRUE"'
    rows = [f'<TR><TD COLSPAN="{len(tokens) + 1}"><FONT POINT-SIZE="14">{title}</FONT></TD></TR>']
    for i, row in enumerate(weights.tolist()):
        cells = "".join(f'<TD {cell} BGCOLOR="{to_hex(cmap(0.06 + 0.94 * w))}"></TD>' for w in row)
        rows.append(f'<TR><TD {cell}><FONT POINT-SIZE="10">{i}</FONT></TD>{cells}</TR>')
    keys = "".join(f'<TD {cell}><FONT POINT-SIZE="10">{t}</FONT></TD>' for t in tokens)
    rows.append(f"<TR><TD></TD>{keys}</TR>")
    rows.append(f'<TR><TD COLSPAN="{len(tokens) + 1}"><FONT POINT-SIZE="11" COLOR="{theme.muted}">'
                f'rows: query position <I>i</I><BR/>columns: key token</FONT></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="0">'
            + "".join(rows) + "</TABLE>>")


def draw(data, theme):
    c = data["config"]
    h, d, dk = c["n_heads"], c["d_model"], c["d_k"]
    g = theme.digraph("multi_head", rankdir="BT", ranksep="0.3", nodesep="0.5")

    def box(name, label, color, **attrs):
        g.node(name, label, color=theme.color(color), fillcolor=theme.fill(color), **attrs)

    tokens = " ".join(map(str, data["tokens"]))
    g.node("x", f"<input <I>x</I>: {tokens}<BR/><FONT POINT-SIZE='12'>{len(data['tokens'])} tokens × "
                f"<I>d</I><SUB>model</SUB> = {d}</FONT>>".replace("'", '"'),
           shape="plaintext", style="")
    for head in range(h):
        color = HEAD_COLORS[head % len(HEAD_COLORS)]
        box(f"proj{head}", f"<Linear <I>W</I><SUB>{head + 1}</SUB><SUP>Q</SUP>, "
                           f"<I>W</I><SUB>{head + 1}</SUB><SUP>K</SUP>, <I>W</I><SUB>{head + 1}</SUB><SUP>V</SUP>"
                           f"<BR/><FONT POINT-SIZE='12'>{d} → <I>d<SUB>k</SUB></I> = {dk}</FONT>>".replace("'", '"'),
            color)
        title = f"head {head + 1}"
        g.node(f"head{head}", _map_label(data["maps"][head], data["tokens"], title, color, theme),
               shape="box", style="rounded,filled", color=theme.color(color),
               fillcolor=theme.background, margin="0.08")
        g.edge("x", f"proj{head}")
        g.edge(f"proj{head}", f"head{head}", label=" Q, K, V")
        g.edge(f"head{head}", "concat", label=f"< <I>d<SUB>v</SUB></I> = {dk}>")
    box("concat", f"<Concat<BR/><FONT POINT-SIZE='12'>{h} × {dk} = {h * dk}</FONT>>".replace("'", '"'),
        "yellow")
    box("out_proj", f"<Linear <I>W</I><SUP>O</SUP><BR/><FONT POINT-SIZE='12'>{h * dk} → {d}</FONT>>"
        .replace("'", '"'), "sky_blue")
    g.node("y", "output", shape="plaintext", style="")
    g.edge("concat", "out_proj")
    g.edge("out_proj", "y")
    return g
