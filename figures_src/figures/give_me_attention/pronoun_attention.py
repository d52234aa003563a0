"""Who is "it"? Attention from "it" in a tiny transformer trained on generated
Winograd-style sentences (experiments/pronouns.py has the data, the task and
the model).

The model: an encoder of 2 layers with one head each (d_model = 32), a linear
read-out that must output, at the position of "it", the referent word itself
("animal" or "street"), so the referent's identity has to be carried to "it";
in a transformer only attention moves information between positions. The
padding that makes a batch's sentences one length is masked: no word attends
to <pad>.

Every number is over ALL held-out sentences (held-out noun pairs in held-out
sentence frames, every word seen in training) and over the training seeds of
experiments.seeds.SEEDS: a median and range, or "in k of n seeds". What holds
in every seed:
- layer 2's largest weight from "it" lands on the referent in most sentences,
  on the subject in nearly every sentence whose referent is the subject;
  zeroing that one weight (the row renormalised) breaks most answers, while
  zeroing the weight on the OTHER candidate noun breaks none (the control);
- layer 1 does not pick the referent: its largest weight lands on it in about
  half the sentences, a coin toss between the two nouns.
What differs between seeds, and is said so: where layer 1 looks (mostly the
subject in some seeds, the object in others; in one, the adjective in
sentences that open with "yesterday"/"today" and whose adjective points at the
object), and whether layer 2, for an object referent, splits its weight
between the object and the adjective.

The drawn pair is the post's own sentence, which differs only in the
adjective; it is held out (its noun pair and its frame were never trained on).
It is drawn for one seed, the median seed by layer 2's share of largest
weights on the referent; the explorer shows the same seed.
"""
import torch

from figures_src.experiments import pronouns
from figures_src.experiments.seeds import SEEDS, median_seed, seed_facts

SHOWN_LAYER = pronouns.LAST  # the layer whose weights the facts are about
N_EXPLORER = 8  # held-out sentences whose full attention goes to the explorer
SPLIT_WEIGHT = 0.2  # layer 2 "splits" its weight when at least this much goes to the adjective
ADJECTIVE_WEIGHT = 0.5  # layer 1 "looks at the adjective" when more than this goes to it

from figures_src.figures.figure import Figure  # noqa: E402

FIGURE = Figure(
    name="pronoun-attention",
    alt=("Two bar charts, one per sentence, show how much attention the word \"it\" pays to each "
         "word of \"the animal didn't cross the street because it was too tired\" and of the same "
         "sentence ending in \"wide\", with one bar per layer for each word, in a tiny transformer "
         "(2 layers, 1 head each) trained on generated sentences to output the word \"it\" stands "
         "for (seed {shown_seed}, the median of {n_seeds} training seeds). In layer 2 the largest "
         "bar is on \"animal\" ({tired_on_animal:.2f}) for tired and on \"street\" "
         "({wide_on_street:.2f}) for wide; layer 2 makes that move in {example_moves_k} of "
         "{n_seeds} seeds. Over {n_held_out} held-out sentences and {n_seeds} seeds the model "
         "names the referent in {held_out_accuracy_median:.1%} ({held_out_accuracy_min:.1%} to "
         "{held_out_accuracy_max:.1%}); its largest layer-2 weight lands on it in "
         "{l2_argmax_referent_median:.1%} ({l2_argmax_referent_min:.1%} to "
         "{l2_argmax_referent_max:.1%}). Zeroing that weight breaks "
         "{l2_broken_referent_median:.0%} ({l2_broken_referent_min:.0%} to "
         "{l2_broken_referent_max:.0%}) of the answers, zeroing the other noun's breaks "
         "{l2_broken_other_max:.0%}."),
    caption=("Where \"it\" looks in a two-layer transformer (seed {shown_seed}, the median of "
             "{n_seeds} seeds). Swap \"tired\" for \"wide\" and layer 2 moves from \"animal\" to "
             "\"street\" ({example_moves_k} of {n_seeds} seeds); held-out accuracy: "
             "{held_out_accuracy_median:.1%} (median)."),
)


# The facts the caption, the alt and the post quote (the manifest carries only those).
QUOTED = ("n_held_out", "n_seeds", "shown_seed", "tired_on_animal", "wide_on_street",
          "example_moves_k",
          "held_out_accuracy_median", "held_out_accuracy_min", "held_out_accuracy_max",
          "l2_argmax_referent_median", "l2_argmax_referent_min", "l2_argmax_referent_max",
          "l2_broken_referent_median", "l2_broken_referent_min", "l2_broken_referent_max",
          "l2_broken_other_max",
          "l1_argmax_referent_median", "l1_favourite_subject_k", "l1_favourite_object_k")


def _pair_weights(model, examples):
    """[2, layers, words]: head 0 (the only one), the row of "it", padding cut off."""
    maps = pronouns.attention_maps(model, examples)
    it, n = examples[0].index("it"), len(examples[0])
    return torch.tensor([[layer[0][it][:n] for layer in m["attention"]] for m in maps]), maps


@torch.no_grad()
def compute() -> dict:
    runs = pronouns.trained_pronoun_models()
    held_out = pronouns.held_out_sentences()
    examples = held_out[:2]  # the post's pair (tired, wide), held out by construction
    animal, street = (examples[0].index(w) for w in pronouns.EXAMPLE_PAIR)
    measured, moves = [], []
    for model, _ in runs:
        measured.append(pronouns.seed_measures(model, held_out))
        weights, _ = _pair_weights(model, examples)
        moves.append(bool(weights[0, SHOWN_LAYER].argmax() == animal
                          and weights[1, SHOWN_LAYER].argmax() == street))
    per_seed = {"seed": list(SEEDS), "example_moves": moves,
                **{key: [m[key] for m in measured] for key in measured[0]}}
    shown = median_seed(per_seed["l2_argmax_referent"])
    model, _ = runs[SEEDS.index(shown)]
    weights, maps = _pair_weights(model, examples)
    layer = SHOWN_LAYER % weights.size(1)
    favourites = per_seed["l1_favourite"]
    summary = {
        "n_held_out": len(held_out),
        "n_seeds": len(SEEDS),
        "shown_seed": shown,
        "tired_on_animal": weights[0, layer, animal].item(),
        "wide_on_street": weights[1, layer, street].item(),
        "l1_favourite_subject_k": favourites.count("subject"),
        "l1_favourite_object_k": favourites.count("object"),
        "l1_adjective_opening_object_k": sum(
            w > ADJECTIVE_WEIGHT for w in per_seed["l1_adjective_weight_opening_object"]),
        "l1_adjective_opening_object_max": max(per_seed["l1_adjective_weight_opening_object"]),
        "l2_splits_object_k": sum(w >= SPLIT_WEIGHT
                                  for w in per_seed["l2_adjective_weight_when_object"]),
        "l2_adjective_weight_when_object_max": max(per_seed["l2_adjective_weight_when_object"]),
        "pad_weight_max": max(per_seed["pad_weight"]),
        **seed_facts("example_moves", moves),
    }
    for key in ("accuracy", "l2_argmax_referent", "l2_broken_referent", "l2_broken_other",
                "l1_argmax_referent", "l2_subject_argmax_when_subject",
                "l2_object_argmax_when_object"):
        summary.update(seed_facts("held_out_accuracy" if key == "accuracy" else key, per_seed[key]))
    return {
        "sentences": examples,
        "predictions": [m["prediction"] for m in maps],
        "weights": weights,
        "shown_layer": layer,
        "shown_seed": shown,
        "explorer": pronouns.explorer_data(model, held_out[:N_EXPLORER]),
        "summary": summary,  # every measure over seeds; the tests check the claims on it
        "facts": {key: summary[key] for key in QUOTED},
        "per_seed": per_seed,
    }


def export(data):
    """The attention explorer's data: every layer and head for several held-out sentences,
    the plotted pair first, of the drawn seed (words only: no word attends to padding)."""
    return data["explorer"]


def draw(data, theme):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    weights = data["weights"].numpy()  # [sentence, layer, word]
    sentences = data["sentences"]
    n_layers, n_words = weights.shape[1], weights.shape[2]
    shown = data["shown_layer"]
    colors = [theme.muted] * n_layers
    colors[shown] = theme.color("blue")
    height = 0.8 / n_layers
    it = sentences[0].index("it")
    fig, axes = plt.subplots(1, 2, figsize=(6.6, 6.4), sharex=True, gridspec_kw={"wspace": 0.55})
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
        ax.set_title(f"\u2026too {words[-2]}: \u201cit\u201d \u2192 {prediction}", fontsize=13,
                     pad=10)
        ax.set_xlabel("weight from \u201cit\u201d")
    # the key: a swatch per layer, above the panels (never over the bars)
    handles = [Patch(facecolor=colors[layer], label=f"layer {layer + 1}")
               for layer in range(n_layers)]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.95), ncol=n_layers,
               frameon=False, fontsize=13, handlelength=1.2, columnspacing=1.6)
    return fig
