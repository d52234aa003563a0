"""Who is "it"? Attention from "it" in a tiny transformer trained on generated
Winograd-style sentences (experiments/pronouns.py has the data, the task and
the model).

The model: an encoder of 2 layers with one head each (d_model = 32), a linear
read-out that must output, at the position of "it", the referent word itself
("animal" or "street"), so the referent's identity has to be carried to "it";
in a transformer only attention moves information between positions.

What it shows, measured on ALL held-out sentences (held-out noun pairs in
held-out sentence frames, every word seen in training):
- the held-out accuracy;
- in layer 2 (the last), the largest weight from "it" lands on the referent
  in almost every sentence; zeroing that one weight (the row renormalised)
  breaks most answers, while zeroing the weight on the other candidate noun
  breaks almost none: layer 2's attention is what fetches the referent;
- layer 1 cannot choose: the query of "it" there is the embedding of "it"
  plus its position, the same whatever the adjective, so its weights differ
  between the two sentences only through the adjective's own key. This model's
  layer 1 puts a default weight on the subject; that is why zeroing the
  referent in layer 2 leaves some subject answers intact (data["rates"] has
  every rate for both layers, on the referent and on the other noun).

The plotted pair is the post's own sentence, which differs only in the
adjective; it is held out (its noun pair and its frame were never trained on),
and the facts are over all held-out sentences, not over this pair.
Design choices and what was tried are in experiments/pronouns.py.
"""
import torch

from figures_src.experiments import pronouns
from figures_src.figures.figure import Figure

SHOWN_LAYER = pronouns.LAST  # the layer whose weights the facts are about
N_EXPLORER = 8  # held-out sentences whose full attention goes to the explorer

FIGURE = Figure(
    name="pronoun-attention",
    alt=("Two columns of shaded cells per sentence show how much attention the word \"it\" pays to each "
         "word of \"the animal didn't cross the street because it was too tired\" and of the same "
         "sentence ending in \"wide\". In layer 1 the two sentences look alike. In layer 2 the weight "
         "sits on \"animal\" ({tired_on_animal:.2f}) for tired and on \"street\" ({wide_on_street:.2f}) "
         "for wide. Over {n_held_out} held-out sentences the model names the referent in "
         "{held_out_accuracy:.1%}; its largest layer-2 weight lands on it in {argmax_share:.1%}."),
    caption=("Attention from \"it\" in a tiny transformer (2 layers, 1 head each) trained on generated "
             "sentences to output the word \"it\" stands for. Change one adjective and layer 2 moves its "
             "weight from \"animal\" to \"street\". Over {n_held_out} held-out sentences: "
             "{held_out_accuracy:.1%} right; top weight on the referent in {argmax_share:.0%}; zeroing "
             "that weight breaks {broken_share:.0%} of the answers."),
)


def compute() -> dict:
    model, metrics = pronouns.trained_pronoun_model()
    held_out = pronouns.held_out_sentences()
    examples = held_out[:2]  # the post's pair (tired, wide), held out by construction
    maps = pronouns.attention_maps(model, examples)
    it, n = examples[0].index("it"), len(examples[0])
    # [2, layers, words]: head 0 (the only one), the row of "it", the padding cut off
    weights = torch.tensor([[layer[0][it][:n] for layer in m["attention"]] for m in maps])
    animal, street = (examples[0].index(w) for w in pronouns.EXAMPLE_PAIR)
    layer = SHOWN_LAYER % weights.size(1)
    rates = pronouns.measures(model, held_out)
    return {
        "sentences": examples,
        "predictions": [m["prediction"] for m in maps],
        "weights": weights,
        "shown_layer": layer,
        "explorer": pronouns.explorer_data(model, held_out[:N_EXPLORER]),
        "metrics": metrics,
        "facts": {
            "n_held_out": len(held_out),
            "held_out_accuracy": rates["accuracy"],
            "argmax_share": rates["argmax"][layer, "referent"],
            "broken_share": rates["broken"][layer, "referent"],
            "tired_on_animal": weights[0, layer, animal].item(),
            "wide_on_street": weights[1, layer, street].item(),
        },
        # every rate, in every layer, on the referent and on the other candidate noun (controls)
        "rates": rates,
    }


def export(data):
    """The attention explorer's data: every layer and head for several held-out sentences,
    the plotted pair first (tokens include the padding the model reads, so rows sum to 1)."""
    return data["explorer"]


def draw(data, theme):
    import matplotlib.pyplot as plt

    weights = data["weights"].numpy()  # [sentence, layer, word]
    sentences = data["sentences"]
    n_layers, n_words = weights.shape[1], weights.shape[2]
    shown = data["shown_layer"]
    colors = [theme.muted] * n_layers
    colors[shown] = theme.color("blue")
    height = 0.8 / n_layers
    it = sentences[0].index("it")
    fig, axes = plt.subplots(1, 2, figsize=(6.6, 6.2), sharex=True, gridspec_kw={"wspace": 0.55})
    for ax, words, w, prediction in zip(axes, sentences, weights, data["predictions"]):
        for layer in range(n_layers):
            y = [j - 0.4 + (layer + 0.5) * height for j in range(n_words)]
            ax.barh(y, w[layer], height=height * 0.92, color=colors[layer], linewidth=0)
            for j in range(n_words):
                if w[layer, j] >= 0.05:
                    ax.text(w[layer, j] + 0.03, y[j], f"{w[layer, j]:.2f}".lstrip("0"), va="center",
                            fontsize=12, color=colors[layer])
        ax.set_yticks(range(n_words), words)
        ax.set_ylim(n_words - 0.5, -0.5)
        for j in (it, n_words - 2):  # the query and the word that differs
            ax.get_yticklabels()[j].set_fontweight("bold")
        ax.set_xlim(0, 1.3)
        ax.set_xticks((0, 0.5, 1), ("0", ".5", "1"))
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_title(f"\u2026too {words[-2]}: \u201cit\u201d \u2192 {prediction}", fontsize=13, pad=10)
        ax.set_xlabel("weight from \u201cit\u201d")
    # the key, as coloured words above the panels (never over the bars)
    for layer in range(n_layers):
        fig.text(0.5 + (layer - (n_layers - 1) / 2) * 0.2, 0.985, f"layer {layer + 1}", ha="center",
                 va="bottom", fontsize=13, color=colors[layer],
                 fontweight="bold" if layer == shown else "normal")
    return fig
