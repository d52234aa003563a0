"""A decoder-only (GPT-style) transformer: the pre-norm block with a causal mask.

Drawn by figures_src.figures.diagrams.draw_block (the post's one block drawing) from
describe() of the first Block of the trained model whose attention the
figure `decoder-only` shows (experiments.reversal.trained_causal_reversal_model):
pre-norm, causal, no cross-attention, and that model's sizes. Around the
block: the model's embedding (token + learned or sinusoidal position, read
from its config), its final LayerNorm and its linear read-out to the
vocabulary. tests/figures/test_decoder_only_block.py replays the drawn block
on that Block's forward pass (forward hooks).
"""
from figures_src.figures import diagrams
from figures_src.experiments.reversal import trained_causal_reversal_model
from figures_src.figures.figure import Figure

FIGURE = Figure(
    name="decoder-only-block",
    alt=("A decoder-only transformer drawn bottom to top. Tokens go through a token embedding plus a "
         "learned position embedding; then a block repeated N times, in which the residual stream runs "
         "straight up and two branches leave it and are added back: LayerNorm then masked multi-head "
         "self-attention, and LayerNorm then a feed-forward network. After the last block, one "
         "LayerNorm and a linear layer with softmax give the next token's probabilities."),
    caption=("A decoder-only (GPT-style) transformer: pre-norm blocks whose self-attention is masked, so "
             "that position $$t$$ sees positions 1 to $$t$$ only. GPT-2 small stacks $$N = 12$$ of "
             "these blocks; the reversal model drawn here, whose attention follows, has "
             "$$N = {n_layers}$$."),
)


def compute() -> dict:
    model, _ = trained_causal_reversal_model()
    config = model.config
    return {
        "spec": diagrams.describe(model.blocks[0]),
        "n_layers": len(model.blocks),
        "positional": config.positional,
        "vocab_size": config.vocab_size,
        "final_norm": type(model.final_norm).__name__,
        "facts": {"n_layers": len(model.blocks)},
    }


def draw(data, theme):
    spec = data["spec"]
    g = theme.digraph("decoder_only_block", rankdir="BT", nodesep="0.2", ranksep="0.16")
    g.attr("node", margin="0.12,0.04")
    spine = "model_spine"

    def plain(name, label):
        g.node(name, label, shape="plaintext", style="", width="0", height="0.3", margin="0.02",
               group=spine)

    plain("tokens", "tokens")
    position = "learned" if data["positional"] == "learned" else "sinusoidal"
    diagrams.box(g, "embed", diagrams.html("Token Embedding", f"+ {position} position",
                                           small=f"{data['vocab_size']} tokens × {spec.d_model}"),
                 theme, diagrams.COLORS["embedding"], group=spine)
    g.edge("tokens", "embed", weight="20")
    drawn = diagrams.draw_block(g, spec, theme, "block", "embed", sizes=True,
                                frame_label=f"<<I>N</I> = {data['n_layers']} ×>")
    diagrams.box(g, "final_norm", diagrams.html(data["final_norm"], small="once, after the last block"),
                 theme, diagrams.COLORS["norm"], group=spine)
    diagrams.box(g, "head", diagrams.html("Linear + Softmax", small=f"{spec.d_model} → {data['vocab_size']}"),
                 theme, diagrams.COLORS["linear"], group=spine)
    plain("probs", "next-token probabilities")
    g.edge(drawn.output, "final_norm", weight="20")
    g.edge("final_norm", "head", weight="20")
    g.edge("head", "probs", weight="20")
    return g
