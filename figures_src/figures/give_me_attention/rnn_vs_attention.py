"""Trained RNN, LSTM and transformer on one memory task, over seeds: how far each
has got at every training budget, so "slow to learn" and "cannot remember" look different.

The task (experiments/letter_recall.py): one letter A-J among random digits; at
every later position the model must output that letter, so it has to carry
it across k steps of distractors (k = 1 .. 24). Three models of similar size
(parameter counts within letter_recall.PARAMETER_RATIO of each other) read
left to right and are trained with the same budget, letter_recall.BUDGET: Adam
at the same learning rate, the same batch size, at most max_steps steps, the
same early stop (first batch loss below stop_loss), each seed of
experiments.seeds.SEEDS giving the initial weights and the batch stream.
Every EVALUATE_EVERY steps training measures the held-out accuracy at every
k on the same 2000 held-out sequences (training.train's evaluate): a learning
curve per model and seed.

Two panels:
- top: the accuracy at the model's worst distance (the minimum over k = 1..24)
  against training steps, every seed drawn thin. A model that cannot carry a
  letter 24 steps would stay low however long it trains; a model that is slow
  to learn rises late. A line ends where its training stopped early (the
  stop rule), with a dot.
- bottom: the RNN's accuracy against k at two budgets, EARLY steps and the
  whole budget, every seed thin. It drops over the first few steps back and
  then stays level (from k = TAIL_FROM on, within a few points): the RNN does
  not fade with distance, it holds some letters and not yet the others.

What the data shows (seeds 0-4, per_seed in the manifest): the transformer
and the LSTM hold the letter at every distance, the LSTM after a few hundred
steps; the plain RNN is far behind at the same step count (worst-k accuracy
19-40% after 400 steps), improves in 4 of 5 seeds by 1000 steps and holds the
letter at every distance (>= 90%) in 2 of them (seeds 0 and 3); loss spikes
throw it back (seed 0 at step ~750 in an exploratory run to 1500 steps).
Slow and unreliable to learn, then; not unable to remember 24 steps.
"""
import string

import torch

from figures_src.experiments import letter_recall
from figures_src.experiments import seeds as seed_set
from figures_src.figures.figure import Figure

LABELS = {"rnn": "RNN", "lstm": "LSTM", "transformer": "transformer"}
KEY_ORDER = ("transformer", "lstm", "rnn")  # the legend's order: fastest learner first
COLOURS = {"rnn": "vermillion", "lstm": "green", "transformer": "blue"}
CHANCE = 1 / letter_recall.N_LETTERS
EARLY = 400  # steps: the bottom panel's first budget
HOLDS = 0.9  # "holds the letter at every distance": at least this at the worst k
TAIL_FROM = 6  # "does not fade with distance": accuracy from k = TAIL_FROM to 24 moves this little
IMPROVES = 0.05  # "improves with the whole budget": worst-k accuracy up by at least this

FIGURE = Figure(
    name="rnn-vs-attention",
    alt=("Two line charts for three trained models of about {params_k:.1f} thousand parameters, "
         "the same budget, each trained with {n_seeds} seeds, every seed drawn, to recall a letter "
         "seen k steps earlier among random digits. Top: held-out accuracy at each model's worst "
         "distance k (1 to {max_distance}) against training steps, up to {max_steps}; a dot marks "
         "where a seed's training stopped, its loss under {stop_loss}. The transformer's lines "
         "reach 100% within {transformer_steps_max} steps and the LSTM's within {lstm_steps_max}; "
         "the RNN's rise slowly, from {rnn_worst_early_min:.0%}–{rnn_worst_early_max:.0%} at "
         "{early} steps to {rnn_worst_final_min:.0%}–{rnn_worst_final_max:.0%} at the end. Bottom: "
         "the RNN's accuracy against distance k from 1 to {max_distance}, after {early} steps and "
         "at the end of training: it drops over the first few steps back, then stays level (after "
         "{early} steps it moves by at most {rnn_tail_early_max:.0%} from k = {tail_from} to "
         "{max_distance} in every seed); chance is {chance:.0%}."),
    caption=("Three models of about {params_k:.1f}k parameters learn to recall a letter $$k$$ "
             "steps back ({n_seeds} seeds, a line each). Top: accuracy at the worst $$k$$ during "
             "training. Bottom: the RNN at every $$k$$."),
)


def carried(steps, values, budget):
    """The value of a learning curve at `budget` steps: the last measurement at or before
    it (a model that stopped early keeps its weights, so its last value stands)."""
    index = max(i for i, step in enumerate(steps) if step <= budget)
    return values[index]


def compute() -> dict:
    seeds = seed_set.SEEDS
    runs = {kind: letter_recall.trained_memory_models(kind, seeds) for kind in letter_recall.KINDS}
    metrics = {kind: [m for _, m in run] for kind, run in runs.items()}
    budget = letter_recall.BUDGET
    curves = {kind: [(torch.tensor(m["curve_steps"]), torch.tensor(m["curve"])) for m in ms]
              for kind, ms in metrics.items()}  # per seed: steps [n], accuracy [n, MAX_DISTANCE]
    per_seed = {"seed": list(seeds)}
    for kind in letter_recall.KINDS:
        per_seed[f"{kind}_steps"] = [m["steps"] for m in metrics[kind]]
        per_seed[f"{kind}_worst_early"] = [float(carried(s.tolist(), a.min(-1).values.tolist(),
                                                         EARLY))
                                           for s, a in curves[kind]]
        per_seed[f"{kind}_worst_final"] = [min(m["accuracy_by_distance"]) for m in metrics[kind]]
        per_seed[f"{kind}_holds_early"] = [v >= HOLDS for v in per_seed[f"{kind}_worst_early"]]
        per_seed[f"{kind}_holds_final"] = [v >= HOLDS for v in per_seed[f"{kind}_worst_final"]]
    # past the first few steps back, the RNN's accuracy does not fade with distance
    tails = {"early": [carried(s.tolist(), a[:, TAIL_FROM - 1:].tolist(), EARLY)
                       for s, a in curves["rnn"]],
             "final": [m["accuracy_by_distance"][TAIL_FROM - 1:] for m in metrics["rnn"]]}
    for when, values in tails.items():
        per_seed[f"rnn_tail_{when}"] = [max(v) - min(v) for v in values]
    per_seed["rnn_improves"] = [f >= e + IMPROVES for e, f in
                                zip(per_seed["rnn_worst_early"], per_seed["rnn_worst_final"])]
    per_seed["rnn_k1_early"] = [float(carried(s.tolist(), a[:, 0].tolist(), EARLY))
                                for s, a in curves["rnn"]]
    params = {kind: metrics[kind][0]["parameters"] for kind in letter_recall.KINDS}
    numbers = {
        "max_distance": letter_recall.MAX_DISTANCE, "n_held_out": letter_recall.N_HELD_OUT,
        "chance": CHANCE,
        "max_steps": budget["max_steps"], "batch_size": budget["batch_size"], "lr": budget["lr"],
        "stop_loss": budget["stop_loss"], "early": EARLY, "holds": HOLDS, "n_seeds": len(seeds),
        "tail_from": TAIL_FROM,
        "params_k": sum(params.values()) / len(params) / 1000,
        "param_ratio": max(params.values()) / min(params.values()),
    }
    for kind in letter_recall.KINDS:
        numbers[f"{kind}_params"] = params[kind]
        for key in ("steps", "worst_early", "worst_final", "holds_early", "holds_final"):
            numbers.update(seed_set.seed_facts(f"{kind}_{key}", per_seed[f"{kind}_{key}"]))
    for key in ("rnn_tail_early", "rnn_tail_final", "rnn_improves"):
        numbers.update(seed_set.seed_facts(key, per_seed[key]))
    numbers.update(seed_set.seed_facts("rnn_k1_early", per_seed["rnn_k1_early"]))
    return {
        "k": torch.arange(1, letter_recall.MAX_DISTANCE + 1),
        "curves": curves,
        "metrics": {kind: [{key: value for key, value in m.items()
                            if key not in ("losses", "curve")}
                           for m in ms] for kind, ms in metrics.items()},
        "per_seed": per_seed,
        "numbers": numbers,
        "facts": {name: numbers[name] for name in sorted(quoted_fields() | set(POST_FACTS))},
    }


# Facts the post quotes besides the caption's and the alt text's.
POST_FACTS = ("early", "rnn_worst_early_median", "n_seeds", "max_distance", "max_steps", "holds",
              "rnn_improves_k", "rnn_improves_n", "rnn_worst_final_max",
              "transformer_holds_early_k",
              "lstm_holds_early_k", "lstm_holds_final_k", "lstm_steps_median",
              "transformer_steps_median")


def quoted_fields():
    """The names the caption and the alt text format in."""
    return {name.split(".")[0].split("[")[0] for text in (FIGURE.caption, FIGURE.alt)
            for _, name, _, _ in string.Formatter().parse(text) if name}


def draw(data, theme):
    import matplotlib.pyplot as plt

    numbers, curves = data["numbers"], data["curves"]
    max_steps, early = numbers["max_steps"], numbers["early"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.4, 6.2), gridspec_kw={"hspace": 0.55})

    # top: worst-distance accuracy against training steps, every seed
    widths = {"transformer": 2.0, "lstm": 1.6, "rnn": 1.6}
    for kind in ("rnn", "lstm", "transformer"):
        colour = theme.color(COLOURS[kind])
        for steps, accuracy in curves[kind]:
            worst = 100 * accuracy.min(-1).values
            top.plot(steps.numpy(), worst.numpy(), color=colour, linewidth=widths[kind], alpha=0.9)
            if steps[-1] < max_steps:  # stopped early: the loss was under stop_loss
                top.plot(steps[-1], worst[-1], marker="o", markersize=5, color=colour,
                         linestyle="none")
    handles = [plt.Line2D([], [], color=theme.color(COLOURS[kind]), linewidth=2.4)
               for kind in KEY_ORDER]
    top.legend(handles, [LABELS[kind] for kind in KEY_ORDER], loc="lower left",
               bbox_to_anchor=(0, 1.0),
               ncol=3, frameon=False, fontsize=12, handlelength=1.6, columnspacing=1.2,
               borderaxespad=0.2)
    top.axvline(early, color=theme.grid, linewidth=1.0, linestyle=(0, (3, 3)))
    top.set_xlim(0, max_steps)
    top.set_ylim(0, 104)
    top.set_yticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)])
    top.set_xlabel("training steps")
    top.set_ylabel("accuracy at worst $k$")
    top.grid(True, axis="y")

    # bottom: the RNN's accuracy against distance at two budgets, every seed
    k = data["k"].numpy()
    rnn = theme.color(COLOURS["rnn"])
    for steps, accuracy in curves["rnn"]:
        at_early = 100 * accuracy[max(i for i, s in enumerate(steps.tolist()) if s <= early)]
        bottom.plot(k, at_early.numpy(), color=rnn, linewidth=1.4, linestyle=(0, (3, 2)))
        bottom.plot(k, 100 * accuracy[-1].numpy(), color=rnn, linewidth=1.8)
    bottom.axhline(100 * CHANCE, color=theme.muted, linewidth=1.2, linestyle=(0, (1, 2)))
    bottom.text(k[-1], 100 * CHANCE + 2, "chance", color=theme.text, ha="right", va="bottom",
                fontsize=12)
    bottom.set_xlim(0.5, k[-1] + 0.5)
    bottom.set_ylim(0, 104)
    bottom.set_xticks([1, 6, 12, 18, int(k[-1])])
    bottom.set_yticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)])
    bottom.set_xlabel("$k$: how many steps back the letter is")
    bottom.set_ylabel("RNN accuracy")
    bottom.grid(True, axis="y")
    bottom.set_title(f"RNN by distance: dashed after {early} steps, solid at\nthe end of training "
                     f"({max_steps} steps, or where it stopped)", fontsize=12, loc="left")
    return fig
