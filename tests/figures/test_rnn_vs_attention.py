"""rnn-vs-attention: three trained models over seeds, their learning curves on held-out
data; each sentence the post writes about them, asserted for every seed."""
import pytest
import torch

from figures_src.experiments import letter_recall
from figures_src.experiments import seeds as seed_set
from figures_src.build.style import LIGHT

NAME = "rnn-vs-attention"


def worst(data, kind, when):
    return data["per_seed"][f"{kind}_worst_{when}"]


def test_every_model_is_trained_with_every_seed(figure_data):
    data = figure_data(NAME)
    assert data["per_seed"]["seed"] == list(seed_set.SEEDS) and len(seed_set.SEEDS) >= 5
    for kind in letter_recall.KINDS:
        assert len(data["curves"][kind]) == len(seed_set.SEEDS)


def test_same_budget(figure_data):
    data = figure_data(NAME)
    for kind in letter_recall.KINDS:
        for metrics in data["metrics"][kind]:
            assert metrics["steps"] <= letter_recall.BUDGET["max_steps"]
            # a model either used the whole budget or stopped at the shared loss threshold
            assert (metrics["steps"] == letter_recall.BUDGET["max_steps"]
                    or metrics["final_loss"] < letter_recall.BUDGET["stop_loss"])


def test_parameter_counts_within_the_stated_ratio(figure_data):
    numbers = figure_data(NAME)["numbers"]
    counts = [numbers[f"{kind}_params"] for kind in letter_recall.KINDS]
    assert numbers["param_ratio"] == max(counts) / min(counts) <= letter_recall.PARAMETER_RATIO


def test_curves_are_the_models_on_held_out_data(figure_data):
    """The last point of every curve is the cached model's held-out accuracy, recomputed;
    the curve starts before training and is measured at the stated interval."""
    data = figure_data(NAME)
    held_out = letter_recall.held_out_sequences()
    for kind in letter_recall.KINDS:
        for (model, metrics), (steps, accuracy) in zip(letter_recall.trained_memory_models(kind),
                                                       data["curves"][kind]):
            torch.testing.assert_close(letter_recall.accuracy_by_distance(model, held_out),
                                       accuracy[-1])
            assert steps[0] == 0 and steps[-1] == metrics["steps"]
            assert all(b - a <= letter_recall.EVALUATE_EVERY
                       for a, b in zip(steps.tolist(), steps[1:].tolist()))


def test_the_transformer_holds_the_letter_early_and_the_lstm_by_the_end(figure_data):
    """Post: after EARLY steps the transformer is right at every distance in n of n seeds, the
    LSTM in k (quoted), and the LSTM in all of them by the end of its training."""
    data = figure_data(NAME)
    numbers = data["numbers"]
    assert numbers["n_seeds"] == len(seed_set.SEEDS)
    assert min(worst(data, "transformer", "early")) >= numbers["holds"]
    assert numbers["transformer_holds_early_k"] == len(seed_set.SEEDS)
    lstm_early = [v >= numbers["holds"] for v in worst(data, "lstm", "early")]
    assert numbers["lstm_holds_early_k"] == sum(lstm_early) >= 1
    for kind in ("lstm", "transformer"):
        assert min(worst(data, kind, "final")) >= 0.99
        assert numbers[f"{kind}_holds_final_k"] == len(seed_set.SEEDS)
        assert numbers[f"{kind}_worst_final_min"] == min(worst(data, kind, "final"))


def test_rnn_is_far_behind_at_the_same_step_count(figure_data):
    """Post: after EARLY steps the RNN's worst distance is low (median quoted), in no seed held."""
    data = figure_data(NAME)
    assert max(worst(data, "rnn", "early")) < 0.5
    assert data["numbers"]["rnn_holds_early_k"] == 0


def test_rnn_does_not_fade_with_distance(figure_data):
    """Post: after EARLY steps, from TAIL_FROM to 24 steps back the RNN's accuracy moves by
    at most rnn_tail_early_max (quoted) in every seed: it drops over the first few steps
    back, then stays level."""
    data = figure_data(NAME)
    numbers = data["numbers"]
    tails = data["per_seed"]["rnn_tail_early"]
    for (steps, accuracy), tail in zip(data["curves"]["rnn"], tails):
        at_early = accuracy[max(i for i, s in enumerate(steps.tolist()) if s <= numbers["early"])]
        level = at_early[numbers["tail_from"] - 1:]
        assert tail == pytest.approx(float(level.max() - level.min()))
        assert at_early[0] > level.max()  # the drop is in the first steps back
    assert numbers["rnn_tail_early_max"] == max(tails) < 0.05


def test_rnn_improves_but_stays_behind(figure_data):
    """Post: with the whole budget the RNN improves in most seeds (k of n, quoted), yet its
    worst distance stays at rnn_worst_final_max (quoted) or less, below every LSTM seed."""
    data = figure_data(NAME)
    numbers = data["numbers"]
    early, final = worst(data, "rnn", "early"), worst(data, "rnn", "final")
    improves = [f >= e + 0.05 for e, f in zip(early, final)]
    assert numbers["rnn_improves_k"] == sum(improves) > len(improves) / 2
    assert numbers["rnn_improves_n"] == len(final)
    assert numbers["rnn_worst_final_max"] == max(final) < min(worst(data, "lstm", "final"))


def test_untrained_transformer_fails_the_same_check():
    """Control: the check the trained transformer passes is not passed by construction."""
    model = letter_recall.untrained_model("transformer")
    assert letter_recall.accuracy_by_distance(model,
                                              letter_recall.held_out_sequences()).min() < 0.99


def test_held_out_sequences_never_in_the_training_stream(figure_data):
    """Replay every batch each seed trained on (same generator, same maker)."""
    data = figure_data(NAME)
    held_out = letter_recall.held_out_sequences()
    held = {tuple(row) for row in held_out.tolist()}
    make_batch = letter_recall.training_batch_maker(letter_recall.BUDGET["batch_size"], held_out)
    for i, seed in enumerate(seed_set.SEEDS):
        steps = max(data["metrics"][kind][i]["steps"] for kind in letter_recall.KINDS)
        generator = torch.Generator().manual_seed(seed)
        for _ in range(steps):
            tokens, _ = make_batch(generator)
            assert not held & {tuple(row) for row in tokens.tolist()}


def test_facts_are_the_per_seed_summaries(figure_data):
    data = figure_data(NAME)
    numbers, per_seed = data["numbers"], data["per_seed"]
    for key, values in per_seed.items():
        if key == "seed":
            continue
        for name, value in seed_set.seed_facts(key, values).items():
            assert numbers[name] == value
    assert data["facts"] == {name: numbers[name] for name in data["facts"]}


def test_carried(figure_module):
    carried = figure_module(NAME).carried
    assert carried([0, 50, 100, 130], [0.1, 0.2, 0.3, 0.4],
                   400) == 0.4  # stopped at 130: its last value
    assert carried([0, 50, 100], [0.1, 0.2, 0.3], 99) == 0.2


def test_every_seed_is_drawn_and_the_budgets_are_named(figure_data, figure_module):
    data = figure_data(NAME)
    fig = figure_module(NAME).draw(data, LIGHT)
    top, bottom = fig.axes
    n = len(seed_set.SEEDS)
    assert len([line for line in top.lines
                if len(line.get_xdata()) > 2]) == 3 * n  # one per model and seed
    assert len([line for line in bottom.lines
                if len(line.get_xdata()) == letter_recall.MAX_DISTANCE]) == 2 * n
    titles = bottom.get_title(loc="left")
    assert str(data["numbers"]["early"]) in titles and str(data["numbers"]["max_steps"]) in titles
