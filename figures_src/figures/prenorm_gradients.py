"""Gradient size per layer at initialisation, post-norm vs pre-norm (Xiong et al. 2020).

Xiong et al., "On Layer Normalization in the Transformer Architecture",
show that at initialisation a post-norm transformer has large gradients
near the output (hence learning-rate warm-up), while pre-norm's stay
well-behaved. We measure it: the gradient norm of each layer's feed-forward
output weight W_2, for freshly initialised 12-layer stacks, averaged over
seeds, one cross-entropy loss on random tokens.

Only half of the paper's Figure 3 is reproduced: post-norm's gradients rise
towards the output as theirs do, but our pre-norm gradients fall with depth
(Spearman -1 over the layers, fact pre_spearman) where their Pre-LN curve is
roughly flat. The figure and caption show what we measure, not the paper's curve.

The stack is the paper's decoder (masked self-attention, cross-attention to
a source sequence, feed-forward; figures_src.nn Decoder), with Xavier-uniform
weight matrices as in the reference implementations Xiong et al. analyse.
Measured on this project's code: in an encoder-only stack with PyTorch's
default initialisation post-norm's curve is nearly flat; the decoder is
where post-norm's lower layers get the smaller gradients, as Liu et al. 2020
("Understanding the Difficulty of Training Transformers") also observe.
"""
import torch
from torch.nn import functional as F

from figures_src.figure import Figure
from figures_src.nn.transformer import Decoder, TransformerConfig

CONFIG = dict(n_layers=12, d_model=128, n_heads=4, d_ff=512, vocab_size=100, max_len=16, dropout=0.0)
BATCH = 8
SEEDS = tuple(range(10))

FIGURE = Figure(
    name="prenorm-gradients",
    alt=("Line chart of gradient size against layer, 1 to {n_layers}, for two freshly initialised "
         "transformers. Post-norm rises from {post_first:.2f} at layer 1 to {post_last:.2f} at the "
         "top layer; pre-norm falls from {pre_first:.2f} to {pre_last:.2f}."),
    caption=("Gradient norm of each layer's feed-forward output weight $$W_2$$ at initialisation, "
             "for a {n_layers}-layer decoder ($$d_{{model}} = {d_model}$$, {n_heads} heads, Xavier "
             "initialisation, cross-entropy on random tokens); mean over {n_seeds} seeds, band "
             "$$\\pm 1$$ standard deviation. Post-norm's gradients grow towards the output "
             "({post_first:.2f} to {post_last:.2f}), as in Xiong et al. 2020 (Figure 3); pre-norm's "
             "fall instead ({pre_first:.2f} to {pre_last:.2f}), where the paper's Pre-LN curve stays "
             "roughly level. At the top layer post-norm's is {post_over_pre_top:.1f}x pre-norm's."),
)


def spearman(values) -> float:
    """Spearman rank correlation of `values` with their index (no ties expected)."""
    values = torch.as_tensor(values, dtype=torch.float64)
    if torch.unique(values).numel() != values.numel():
        raise ValueError("spearman: tied values; this hand-written version has no tie correction")
    n = values.numel()
    ranks = values.argsort().argsort().double()
    index = torch.arange(n, dtype=torch.float64)
    return float(1 - 6 * (ranks - index).pow(2).sum() / (n * (n * n - 1)))


def layer_gradient_norms(pre_norm: bool, seed: int) -> torch.Tensor:
    """[n_layers] ||dL/dW_2|| per layer for one freshly initialised decoder."""
    torch.manual_seed(seed)
    config = TransformerConfig(**CONFIG)
    decoder = Decoder(config, pre_norm=pre_norm)
    for block in decoder.blocks:
        for weight in block.parameters():
            if weight.dim() > 1:
                torch.nn.init.xavier_uniform_(weight)
    head = torch.nn.Linear(config.d_model, config.vocab_size)
    tokens = torch.Generator().manual_seed(10_000 + seed)
    source, target, labels = (torch.randint(0, config.vocab_size, (BATCH, config.max_len), generator=tokens)
                              for _ in range(3))
    # the encoder output the decoder attends to: an embedded, normalised source sequence
    memory = F.layer_norm(decoder.embed(source), (config.d_model,)).detach()
    logits = head(decoder(target, memory))
    loss = F.cross_entropy(logits.reshape(-1, config.vocab_size), labels.reshape(-1))
    loss.backward()
    return torch.tensor([block.ffn.w_2.weight.grad.norm().item() for block in decoder.blocks],
                        dtype=torch.float64)


def compute() -> dict:
    norms = {name: torch.stack([layer_gradient_norms(pre_norm, seed) for seed in SEEDS])
             for name, pre_norm in (("post", False), ("pre", True))}  # [seeds, layers]
    mean = {name: rows.mean(0) for name, rows in norms.items()}
    std = {name: rows.std(0) for name, rows in norms.items()}
    return {
        "norms": norms,
        "mean": mean,
        "std": std,
        "layers": torch.arange(1, CONFIG["n_layers"] + 1),
        "facts": {
            "n_layers": CONFIG["n_layers"],
            "d_model": CONFIG["d_model"],
            "n_heads": CONFIG["n_heads"],
            "n_seeds": len(SEEDS),
            "post_first": float(mean["post"][0]),
            "post_last": float(mean["post"][-1]),
            "pre_first": float(mean["pre"][0]),
            "pre_last": float(mean["pre"][-1]),
            "post_over_pre_top": float(mean["post"][-1] / mean["pre"][-1]),
            "post_spearman": spearman(mean["post"]),
            "pre_spearman": spearman(mean["pre"]),
        },
    }


def draw(data, theme):
    import matplotlib.pyplot as plt

    layers = data["layers"].numpy()
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for name, label, colour, marker in (("post", "post-norm", "vermillion", "o"),
                                        ("pre", "pre-norm", "blue", "s")):
        mean, std = data["mean"][name].numpy(), data["std"][name].numpy()
        ax.fill_between(layers, mean - std, mean + std, color=theme.fill(colour), linewidth=0)
        ax.plot(layers, mean, color=theme.color(colour), marker=marker, markersize=6, label=label)
    ax.set_xticks(layers)
    ax.set_xlim(layers[0] - 0.3, layers[-1] + 0.3)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("$\\Vert \\partial L / \\partial W_2 \\Vert$")
    ax.grid(True, axis="y")
    ax.legend(loc="upper left")
    return fig
