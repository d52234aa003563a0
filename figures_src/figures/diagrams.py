"""The one way to draw a transformer block (graphviz), for every figure that shows one.

The residual stream is a straight vertical spine. Each sub-layer branches off
it at a dot, runs up a side column and comes back into a "+" on the spine:

        (+) <----- [Multi-Head Attention]        pre-norm: the norm sits on
         |                 ^                     the branch, the spine is
         |            [LayerNorm]                untouched from x_l to x_l+1
         *-----------------'
         |
        x_l

Post-norm puts the norm on the spine, right after each "+" (or, as the
paper's Figure 1 draws it, one "Add & Norm" box: add_norm=True).

What is drawn comes from a Block itself (describe(): its flags and its
submodules, sizes included), never from typed labels. call_order() is the
figures-side check of that description: forward hooks record which of the
block's submodules run, in which order, on what input, for a dummy input.
tests/figures/test_diagrams.py replays a drawn DOT graph as a data-flow graph
on those recorded tensors, for pre- and post-norm, causal and cross-attention
blocks: the picture must compute what Block.forward computes.

Node ids are "<prefix>__<step>", steps named after the Block's attributes:
"self_attn", "self_attn_norm", "self_attn_add", "cross_attn", ..., "ffn".
"""
from __future__ import annotations

from dataclasses import dataclass, field

ATTENTION_SUBLAYERS = ("self_attn", "cross_attn")


@dataclass(frozen=True)
class BlockSpec:
    """What a diagram of one Block shows, read from the Block."""

    pre_norm: bool
    causal: bool
    cross_attention: bool
    norm: str  # class name of its norms, e.g. "LayerNorm"
    d_model: int
    n_heads: int
    d_ff: int

    @property
    def d_k(self) -> int:
        return self.d_model // self.n_heads

    @property
    def d_v(self) -> int:
        return self.d_model // self.n_heads

    @property
    def sublayers(self) -> tuple[str, ...]:
        """The residual sub-layers, bottom to top (the Block attribute names)."""
        return ("self_attn",) + (("cross_attn",) if self.cross_attention else ()) + ("ffn",)

    def branch(self, sublayer: str) -> tuple[str, ...]:
        """The steps on a sub-layer's side branch, bottom to top."""
        return (f"{sublayer}_norm", sublayer) if self.pre_norm else (sublayer,)

    def steps(self) -> list[str]:
        """Every step in the order the forward pass computes it ("*_add": the residual sum)."""
        order = []
        for sublayer in self.sublayers:
            order += [*self.branch(sublayer), f"{sublayer}_add"]
            if not self.pre_norm:
                order.append(f"{sublayer}_norm")
        return order


def describe(block) -> BlockSpec:
    """A BlockSpec from a figures_src.nn.block.Block: its flags, norm class and sizes."""
    return BlockSpec(pre_norm=bool(block.pre_norm), causal=bool(block.causal),
                     cross_attention=bool(block.cross_attention),
                     norm=type(block.ffn_norm).__name__, d_model=block.self_attn.d_model,
                     n_heads=block.self_attn.n_heads, d_ff=block.ffn.w_1.out_features)


@dataclass
class Call:
    """One call of a block's submodule: its name, first input and output."""

    name: str
    input: object
    output: object


def call_order(block, length: int = 5, memory_length: int = 3, seed: int = 0) -> list[Call]:
    """The block's direct submodules in the order its forward pass calls them.

    Forward hooks on every direct child record (name, input, output) while
    the block runs once on a random input (and random memory if it
    cross-attends). The block, torch's global random state and the block's
    training flag are left as they were.
    """
    import torch

    generator = torch.Generator().manual_seed(seed)
    d_model = block.self_attn.d_model
    x = torch.randn(2, length, d_model, generator=generator)
    memory = torch.randn(2, memory_length, d_model,
                         generator=generator) if block.cross_attention else None
    calls, handles = [], []
    for name, child in block.named_children():
        def hook(module, inputs, output, name=name):
            calls.append(Call(name, inputs[0] if inputs else None, output))
        handles.append(child.register_forward_hook(hook))
    training = block.training
    try:
        block.eval()
        with torch.no_grad():
            output = block(x, memory)
    finally:
        block.train(training)
        for handle in handles:
            handle.remove()
    calls.insert(0, Call("input", None, x))
    calls.append(Call("output", output, output))
    if memory is not None:
        calls.insert(1, Call("memory", None, memory))
    return calls


# -- drawing -------------------------------------------------------------------

COLORS = {"attention": "orange", "ffn": "sky_blue", "norm": "yellow", "embedding": "purple",
          "linear": "blue", "softmax": "green"}


@dataclass
class Drawn:
    """What draw_block() put in the graph: node ids, and which steps each computes."""

    prefix: str
    source: str  # the caller's node the block reads from
    output: str  # the block's last spine node
    # node id -> tuple of steps (() = a pass-through point)
    steps: dict = field(default_factory=dict)

    def node(self, step: str) -> str:
        """The node id that computes `step`."""
        for node, steps in self.steps.items():
            if step in steps:
                return node
        raise KeyError(step)


def html(*lines: str, small: str | None = None) -> str:
    """An HTML-like label: title lines, then an optional smaller line (12 pt)."""
    text = "<BR/>".join(lines)
    if small:
        text += f'<BR/><FONT POINT-SIZE="12">{small}</FONT>'
    return f"<{text}>"


def box(graph, name: str, label: str, theme, color: str | None, **attrs) -> None:
    """A rounded box tinted with a palette colour, or filled with the page (color None:
    a step that should not compete with the tinted ones). The outline is the muted
    colour (palette outlines such as yellow vanish on white) and the text the
    heading colour (readable on every tint, in both themes)."""
    fill = theme.background if color is None else theme.fill(color)
    graph.node(name, label, color=theme.muted, fillcolor=fill, fontcolor=theme.heading, **attrs)


def plus(graph, name: str, theme, **attrs) -> None:
    graph.node(name, "+", shape="circle", width="0.3", height="0.3", fixedsize="true",
               fontsize="16",
               style="filled", fillcolor=theme.background, margin="0", **attrs)


def point(graph, name: str, theme, visible: bool = True, **attrs) -> None:
    """A junction dot on the spine (visible) or a corner of a branch (invisible)."""
    if visible:
        graph.node(name, "", shape="point", width="0.08", height="0.08", color=theme.muted,
                   style="filled", fillcolor=theme.muted, **attrs)
    else:
        graph.node(name, "", shape="point", width="0", height="0", style="invis", **attrs)


def sublayer_label(spec: BlockSpec, sublayer: str, sizes: bool) -> str:
    if sublayer == "ffn":
        return html("Feed Forward",
                    small=f"{spec.d_model} → {spec.d_ff} → {spec.d_model}" if sizes else None)
    heads = f"<I>h</I> = {spec.n_heads}, " if sizes else ""
    if spec.d_k == spec.d_v:
        dims = f"<I>d<SUB>k</SUB></I> = <I>d<SUB>v</SUB></I> = {spec.d_k}"
    else:
        dims = f"<I>d<SUB>k</SUB></I> = {spec.d_k}, <I>d<SUB>v</SUB></I> = {spec.d_v}"
    small = heads + dims if sizes else None
    if sublayer == "self_attn" and spec.causal:
        return html("Masked Multi-Head", "Attention", small=small)
    return html("Multi-Head", "Attention", small=small) if sizes else html("Multi-Head Attention")


QKV_PORTS = ("v", "k", "q")  # left to right along an attention box's bottom, as in the paper


def qkv_label(spec: BlockSpec, sublayer: str) -> str:
    """An attention box whose bottom row names its three inputs, V, K and Q, each a port
    (headport "v:s", ...) that an arrow can enter, as the paper's Figure 1 draws them."""
    title = "Masked Multi-Head" if sublayer == "self_attn" and spec.causal else "Multi-Head"
    ports = "".join(f'<TD PORT="{p}"><I>{p.upper()}</I></TD>' for p in QKV_PORTS)
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'<TR><TD COLSPAN="3">{title}<BR/>Attention</TD></TR><TR>{ports}</TR></TABLE>>')


def draw_block(g, spec: BlockSpec, theme, prefix: str, source: str, *, side: str = "right",
               add_norm: bool = False, sizes: bool = False, frame_label: str = "<<I>N</I> ×>",
               branch_labels: dict | None = None, colors: dict | None = None, qkv: bool = False,
               stream: dict | None = None) -> Drawn:
    """Draw one block of `spec` into graph g (rankdir=BT), reading from node `source`.

    side: where the sub-layers branch, "right" or "left" of the spine.
    add_norm: post-norm only; draw each "+" and its norm as one "Add & Norm" box.
    sizes: print h, d_k, d_v and the FFN widths in the boxes.
    branch_labels: edge labels on a sub-layer's way in, e.g. {"cross_attn": "Q"}.
    colors: replaces entries of COLORS for this drawing (None: filled with the page).
    qkv: draw self-attention's input as three arrows, V, K and Q, as the paper does (the
        same stream feeds all three); cross-attention gets the Q arrow here, and its
        caller draws K and V from the encoder.
    stream: extra edge attributes for the residual stream's own edges (the spine), e.g. a
        thick pen, so the stream reads as one road from input to output.
    Returns the node ids; connect the block's output from Drawn.output.
    """
    stream = stream or {}
    palette = {**COLORS, **(colors or {})}
    if side not in ("right", "left"):
        raise ValueError(f"side must be 'right' or 'left', not {side!r}")
    if add_norm and spec.pre_norm:
        raise ValueError("add_norm draws post-norm's 'Add & Norm'; a pre-norm block has none")
    branch_labels = branch_labels or {}
    drawn = Drawn(prefix=prefix, source=source, output=source)
    spine, branch = f"{prefix}_spine", f"{prefix}_branch"

    def node_id(step):
        return f"{prefix}__{step}"

    def flat(tail, head, into_spine, **attrs):
        """A same-rank edge between the spine and the branch. Graphviz puts a flat
        edge's tail left of its head, so an edge drawn right to left is written
        head-first with dir=back: the data still flows tail -> head as read."""
        branch_is_left = side == "left"
        if branch_is_left == into_spine:  # drawn left to right
            g.edge(tail, head, **attrs)
        else:
            arrow = attrs.pop("arrowhead", "normal")
            g.edge(head, tail, dir="back", arrowtail=arrow, **attrs)

    with g.subgraph(name=f"cluster_{prefix}") as frame:
        frame.attr(label=frame_label, labelloc="b", labeljust="r" if side == "right" else "l",
                   style="rounded", peripheries="1", color=theme.muted, fontcolor=theme.heading,
                   penwidth="1.2",
                   fontsize="16", margin="8")
        below = source  # the spine node the stream leaves from
        for sublayer in spec.sublayers:
            split, corner = node_id(f"split_{sublayer}"), node_id(f"corner_{sublayer}")
            point(frame, split, theme, group=spine)
            point(frame, corner, theme, visible=False, group=branch)
            drawn.steps[split] = ()
            drawn.steps[corner] = ()
            with frame.subgraph() as same:
                same.attr(rank="same")
                same.node(split)
                same.node(corner)
            g.edge(below, split, arrowhead="none", weight="20", **stream)
            flat(split, corner, into_spine=False, arrowhead="none")
            previous = corner
            steps = spec.branch(sublayer)
            for step in steps:
                if step == sublayer:
                    kind = "ffn" if sublayer == "ffn" else "attention"
                    label = sublayer_label(spec, sublayer, sizes)
                    if qkv and kind == "attention":
                        label = qkv_label(spec, sublayer)
                    box(frame, node_id(step), label, theme, palette[kind], group=branch)
                else:  # the pre-norm's norm, on the branch
                    box(frame, node_id(step), f"<{spec.norm}>", theme, palette["norm"],
                        group=branch)
                drawn.steps[node_id(step)] = (step,)
                label = branch_labels.get(sublayer) if step == steps[0] else None
                if qkv and step == "self_attn":
                    for port in QKV_PORTS:  # three arrows from one stream, as the paper draws them
                        g.edge(previous, node_id(step), weight="5", headport=f"{port}:s")
                elif qkv and step == "cross_attn":  # K and V come from the encoder (the caller)
                    g.edge(previous, node_id(step), weight="5", headport="q:s")
                else:
                    g.edge(previous, node_id(step), weight="5",
                           **({"xlabel": f" {label} "} if label else {}))
                previous = node_id(step)
            add = node_id(f"{sublayer}_add")
            if add_norm:
                add = node_id(f"{sublayer}_add_norm")
                box(frame, add, "<Add &amp; Norm>", theme, palette["norm"], group=spine)
                drawn.steps[add] = (f"{sublayer}_add", f"{sublayer}_norm")
            else:
                plus(frame, add, theme, group=spine)
                drawn.steps[add] = (f"{sublayer}_add",)
            with frame.subgraph() as same:
                same.attr(rank="same")
                same.node(previous)
                same.node(add)
            g.edge(split, add, weight="20", **stream)  # the residual: straight up the spine
            flat(previous, add, into_spine=True)
            below = add
            if not spec.pre_norm and not add_norm:  # post-norm: the norm sits on the spine
                norm = node_id(f"{sublayer}_norm")
                box(frame, norm, f"<{spec.norm}>", theme, palette["norm"], group=spine)
                drawn.steps[norm] = (f"{sublayer}_norm",)
                g.edge(below, norm, weight="20", **stream)
                below = norm
        drawn.output = below
    return drawn
