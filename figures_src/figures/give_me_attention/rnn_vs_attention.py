"""Trained RNN, LSTM and transformer on one memory task: held-out accuracy against distance.

The task (experiments/letter_recall.py): one letter A-J among random digits; at
every later position the model must output that letter, so it has to carry
it across k steps of distractors (k = 1 .. 24). Three models of similar size
(parameter counts within memory.PARAMETER_RATIO = 1.25 of each other: RNN
3412, LSTM 2836, transformer 3088) read left to right and are trained with
the same budget, memory.BUDGET: Adam at the same learning rate, the same
batch size, at most max_steps steps, the identical stream of training
batches, and the same early stop (first batch loss below stop_loss). The
transformer met the stop rule early; the RNN and LSTM used the whole budget.
Each point is the accuracy over all memory.N_HELD_OUT held-out sequences
(never trained on), each scored exactly once at every k.

Reading it. The transformer and the LSTM hold the letter at every distance.
The vanilla RNN is right most of the time one step back and falls below
50% within a few steps; its curve then goes flat well above chance. Per letter
its memory is all or nothing (data["rnn_by_letter"], data["numbers"]
rnn_letters_held): it learned to hold a few letters at every distance (each
a stable state of its dynamics) and lost or never learned the others. So the
figure shows what each model learned in the same small budget, not a limit
of what a vanilla RNN can represent: in exploratory runs outside the build
(same config, more steps) the RNN reached about 90% at every distance by
750 steps, holding 9 of the 10 letters, and a loss spike near step 1250 made
its curve decay with distance for a while. Long lags are hard for an RNN to
*learn* by gradient descent (Bengio, Simard & Frasconi 1994), which is what
a fixed budget exposes; the LSTM's gated cell (Hochreiter & Schmidhuber
1997) was designed for exactly this and learns it in the same budget.

Robustness, measured with seeds 1 and 2 (same config, outside the build):
transformer and LSTM at 100% at every k; the RNN below 50% from k = 2 and
k = 3, flattening near 20%. The ordering is the same; the RNN's floor (how
many letters it happens to latch) depends on the seed.
"""
import string

import torch

from figures_src.experiments import letter_recall as memory
from figures_src.figures.figure import Figure

LABELS = {"rnn": "RNN", "lstm": "LSTM", "transformer": "transformer"}
COLOURS = {"rnn": "vermillion", "lstm": "green", "transformer": "blue"}
CHANCE = 1 / memory.N_LETTERS
HELD = 0.9  # a letter the RNN "holds": accuracy at least this at every distance
# Keys of data["numbers"] the post quotes (with {% fact %}) besides those the
# caption and alt quote; only quoted numbers go into the manifest's facts. For
# example the parameter counts "rnn_params", "lstm_params", "transformer_params",
# the steps each model took ("transformer_steps", ...) or "lr".
POST_FACTS = ()

FIGURE = Figure(
    name="rnn-vs-attention",
    alt=("Line chart of held-out accuracy against distance k, from 1 to {max_distance} steps back, for three "
         "trained models of about {params_k:.1f} thousand parameters. The transformer's line is flat at "
         "{transformer_min:.0%} and the LSTM's lies on it, at least {lstm_min:.1%} at every distance. The "
         "RNN's line starts at {rnn_k1:.0%} one step back, is below 50% from {rnn_below_half_from} steps back "
         "on and levels off at {rnn_at_max:.0%}; chance is {chance:.0%}."),
    caption=("Three models of about {params_k:.1f}k parameters, same budget (at most {max_steps} Adam "
             "steps, batch {batch_size}), recall a letter seen $$k$$ steps earlier among random digits. "
             "The one-layer transformer and the LSTM hold it at every distance; the RNN is below 50% "
             "from $$k = {rnn_below_half_from}$$ on and keeps only {rnn_letters_held} of the {n_letters} "
             "letters out to $$k = {max_distance}$$."),
)


def below_from(accuracy, level=0.5):
    """The smallest k such that accuracy is below `level` at k and at every larger distance
    (accuracy[i] is at k = i+1); None if the last point is not below it."""
    k = None
    for i in range(len(accuracy) - 1, -1, -1):
        if accuracy[i] >= level:
            break
        k = i + 1
    return k


@torch.no_grad()
def accuracy_by_letter(model, tokens):
    """[N_LETTERS, MAX_DISTANCE]: held-out accuracy at each distance, for each letter A-J apart."""
    letters = tokens.gather(1, memory.letter_positions(tokens)[:, None])[:, 0] - memory.N_DIGITS
    return torch.stack([memory.accuracy_by_distance(model, tokens[letters == letter])
                        for letter in range(memory.N_LETTERS)])


def compute() -> dict:
    runs = {kind: memory.trained_memory_model(kind) for kind in memory.KINDS}
    # The RNN's curve flattens above chance: per letter, its memory is all or nothing
    by_letter = accuracy_by_letter(runs["rnn"][0], memory.held_out_sequences())
    held = by_letter.min(-1).values >= HELD
    metrics = {kind: run[1] for kind, run in runs.items()}
    accuracy = {kind: torch.tensor(m["accuracy_by_distance"]) for kind, m in metrics.items()}
    params = {kind: m["parameters"] for kind, m in metrics.items()}
    budget = memory.BUDGET
    numbers = {
        "max_distance": memory.MAX_DISTANCE,
        "length": memory.LENGTH,
        "n_held_out": memory.N_HELD_OUT,
        "chance": CHANCE,
        "max_steps": budget["max_steps"],
        "batch_size": budget["batch_size"],
        "lr": budget["lr"],
        "stop_loss": budget["stop_loss"],
        "params_k": sum(params.values()) / len(params) / 1000,
        "param_ratio": max(params.values()) / min(params.values()),
        "rnn_below_half_from": below_from(accuracy["rnn"].tolist()),
        "rnn_k1": float(accuracy["rnn"][0]),
        "n_letters": memory.N_LETTERS,
        "rnn_letters_held": int(held.sum()),  # >= HELD at every distance
        "rnn_letters_held_names": " ".join(memory.LETTERS[i] for i in range(memory.N_LETTERS) if held[i]),
        "rnn_others_at_max": float(by_letter[~held, -1].mean()),  # the letters it does not hold
    }
    for kind in memory.KINDS:
        numbers[f"{kind}_params"] = params[kind]
        numbers[f"{kind}_steps"] = metrics[kind]["steps"]
        numbers[f"{kind}_min"] = float(accuracy[kind].min())
        numbers[f"{kind}_at_max"] = float(accuracy[kind][-1])
    return {
        "k": torch.arange(1, memory.MAX_DISTANCE + 1),
        "accuracy": accuracy,
        "rnn_by_letter": by_letter,
        "metrics": {kind: {key: value for key, value in m.items() if key != "losses"}
                    for kind, m in metrics.items()},
        "numbers": numbers,
        "facts": {name: numbers[name] for name in sorted(quoted_fields() | set(POST_FACTS))},
    }


def quoted_fields():
    """The names the caption and the alt text format in."""
    return {name.split(".")[0].split("[")[0] for text in (FIGURE.caption, FIGURE.alt)
            for _, name, _, _ in string.Formatter().parse(text) if name}


def spread(values, gap):
    """Label heights at least `gap` apart, keeping their order: the highest stays, lower ones move down."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    placed = list(values)
    for previous, current in zip(order, order[1:]):
        placed[current] = min(placed[current], placed[previous] - gap)
    return placed


def draw(data, theme):
    import matplotlib.pyplot as plt

    k = data["k"].numpy()
    fig, ax = plt.subplots(figsize=(6.2, 3.7))
    ax.axhline(100 * CHANCE, color=theme.muted, linewidth=1.2, linestyle=(0, (2, 3)))
    ax.text(k[-1], 100 * CHANCE + 2, "chance", color=theme.text, ha="right", va="bottom", fontsize=12)
    # the transformer wide and underneath, the LSTM dashed on top: where both sit at
    # 100% the blue shows between the green dashes and on either side of them
    kinds = ("transformer", "lstm", "rnn")
    widths = {"transformer": 5.0, "lstm": 2.2, "rnn": 2.4}
    dashes = {"transformer": "-", "lstm": (0, (4, 2.5)), "rnn": "-"}
    ends = []
    for kind in kinds:
        values = 100 * data["accuracy"][kind].numpy()
        ax.plot(k, values, color=theme.color(COLOURS[kind]), linewidth=widths[kind],
                linestyle=dashes[kind], solid_capstyle="butt")
        ends.append(float(values[-1]))
    # direct labels right of the line ends, in text colour (the Okabe-Ito green and
    # vermillion are below 4.5:1 on white), each after a short horizontal stroke of its
    # line; the stroke stands apart from the data, so a label moved down to make room
    # (the LSTM's, under the transformer's) does not read as the line falling
    x_end = k[-1]
    for kind, y in zip(kinds, spread(ends, gap=11)):
        ax.plot([x_end + 0.7, x_end + 2.0], [y, y], color=theme.color(COLOURS[kind]),
                linewidth=min(widths[kind], 3.0), linestyle=dashes[kind], clip_on=False,
                solid_capstyle="butt")
        ax.text(x_end + 2.4, y, LABELS[kind], color=theme.text, va="center", ha="left", fontsize=13)
    ax.set_xlim(0.5, k[-1] + 0.3)
    ax.set_ylim(0, 105)
    ax.set_xticks([1, 5, 10, 15, 20, int(k[-1])])
    ax.set_yticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)])
    ax.set_xlabel("$k$: how many steps back the letter is")
    ax.set_ylabel("held-out accuracy")
    ax.grid(True, axis="y")
    return fig
