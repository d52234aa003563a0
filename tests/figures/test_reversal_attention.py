"""The reversal heat map draws a trained model's real attention, and every sentence the
post writes about the reversal model holds in every training seed (issue 21).

The claims, each tested over all seeds of experiments.seeds.SEEDS and all 2000
held-out sequences:
- it reverses the held-out sequences: >= 99% in every seed (the post quotes
  the median and the range);
- practically all the weight sits on the anti-diagonal: > 0.99 in every seed;
- every row's largest weight is on position n-1-i, in every held-out sequence
  and every seed ("in 5 of 5 seeds");
- the learned position vectors make the anti-diagonal: the position vectors
  alone (digits zeroed) put every row's largest weight on n-1-i in every seed;
- the drawn example is the post's 3 1 4 1 5 9 2 6, answered 6 2 9 5 1 4 1 3 in
  every seed, and never in a training batch.
"""
import torch

from figures_src.experiments import reversal
from figures_src.experiments.seeds import SEEDS

NAME = "reversal-attention"


def _runs():
    return reversal.trained_reversal_models()


def test_at_least_five_seeds(figure_data):
    facts = figure_data(NAME)["summary"]
    assert facts["n_seeds"] == len(SEEDS) >= 5
    assert figure_data(NAME)["per_seed"]["seed"] == list(SEEDS)


def test_every_seed_reverses_held_out_sequences(figure_data):
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    for model, metrics in _runs():
        assert metrics["held_out_sequence_accuracy"] >= 0.99
        assert reversal.accuracy(model, held_out)[1] == metrics["held_out_sequence_accuracy"]
    assert figure_data(NAME)["summary"]["held_out_accuracy_min"] >= 0.99


def test_every_seed_puts_the_mass_on_the_anti_diagonal(figure_data):
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    masses = [reversal.measures(model, held_out)["anti_diagonal_mass"] for model, _ in _runs()]
    assert min(masses) > 0.99
    facts = figure_data(NAME)["summary"]
    assert facts["anti_diagonal_mass_min"] == min(masses)


def test_every_row_looks_at_the_mirrored_position_in_every_seed(figure_data):
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    for model, _ in _runs():
        weights = reversal.attention_weights(model, held_out)
        assert (weights.argmax(-1) == reversal.mirrored()).all()
    facts = figure_data(NAME)["summary"]
    assert facts["every_row_on_mirror_k"] == facts["every_row_on_mirror_n"] == len(SEEDS)


def test_the_position_vectors_alone_make_the_anti_diagonal(figure_data):
    """The post: the query is not 'the input digit's'; the learned positions make the pattern."""
    for model, _ in _runs():
        weights = reversal.position_only_weights(model)
        assert (weights.argmax(-1) == reversal.mirrored()).all()
        assert weights.flip(-1).diagonal().min() > 0.9
    assert figure_data(NAME)["summary"]["position_only_mirror_k"] == len(SEEDS)


def test_an_untrained_model_is_not_anti_diagonal():
    """The control: the same measures fail before training."""
    torch.manual_seed(0)
    model = reversal.EncoderTagger(reversal.model_config(reversal.CONFIG)).eval()
    held_out = reversal.held_out_sequences(500)
    measured = reversal.measures(model, held_out)
    assert measured["sequence_accuracy"] < 0.01 and measured["anti_diagonal_mass"] < 0.5
    assert not measured["position_only_mirror"]


def test_steps_are_each_seeds(figure_data):
    steps = [metrics["steps"] for _, metrics in _runs()]
    facts = figure_data(NAME)["summary"]
    assert (facts["steps_min"], facts["steps_max"]) == (min(steps), max(steps))
    assert figure_data(NAME)["per_seed"]["steps"] == steps


def test_drawn_example_is_the_posts_and_every_seed_reverses_it(figure_data):
    data = figure_data(NAME)
    assert tuple(data["tokens"].tolist()) == reversal.EXAMPLE == (3, 1, 4, 1, 5, 9, 2, 6)
    assert data["summary"]["example_output"] == "6 2 9 5 1 4 1 3"
    for model, _ in _runs():
        with torch.no_grad():
            assert model(data["tokens"][None]).argmax(-1)[0].tolist() == [6, 2, 9, 5, 1, 4, 1, 3]


def test_drawn_example_is_never_in_a_training_batch():
    """Replays each seed's training stream: the example is never drawn."""
    example = torch.tensor(reversal.EXAMPLE)
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    make_batch = reversal._batch_maker_avoiding_example(reversal.CONFIG["batch_size"], held_out)
    for seed, (_, metrics) in zip(SEEDS, _runs()):
        generator = reversal.training_generator({"seed": seed})
        for _ in range(metrics["steps"]):
            inputs, _ = make_batch(generator)
            assert not (inputs == example).all(-1).any()


def test_drawn_seed_is_the_median_seed(figure_data):
    data = figure_data(NAME)
    masses = data["per_seed"]["anti_diagonal_mass"]
    assert sorted(masses)[(len(masses) - 1) // 2] == masses[SEEDS.index(data["shown_seed"])]
    assert data["summary"]["shown_seed"] == data["shown_seed"]


def test_rows_are_distributions(figure_data):
    weights = figure_data(NAME)["weights"]
    assert torch.all(weights >= 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[0]))


def test_weights_are_the_drawn_seeds_attention(figure_data):
    """Recompute the plotted map from the drawn seed's own query and key projections."""
    data = figure_data(NAME)
    model, _ = _runs()[SEEDS.index(data["shown_seed"])]
    x = model.encoder.embed(data["tokens"][None])
    attention = model.encoder.blocks[0].self_attn
    q, k = attention.w_q(x)[0], attention.w_k(x)[0]
    expected = torch.softmax(q @ k.T / q.shape[-1] ** 0.5, dim=-1)
    torch.testing.assert_close(data["weights"], expected.detach())
    n = data["weights"].shape[0]
    assert data["weights"].argmax(-1).tolist() == [n - 1 - i for i in range(n)]


def test_axes_name_positions_inputs_and_outputs(figure_data, figure_module):
    """Rows: position i and its input digit (left), the output there (right); columns: the
    input digit (top) and the key position j (bottom); no per-cell numbers."""
    from figures_src.build.style import LIGHT

    data = figure_data(NAME)
    with LIGHT.rc():
        fig = figure_module(NAME).draw(data, LIGHT)
    heat = fig.axes[0]
    tokens = [str(t) for t in data["tokens"].tolist()]
    assert [t.get_text() for t in heat.get_yticklabels()] == [f"{i}: {t}"
                                                              for i, t in enumerate(tokens)]
    assert [t.get_text() for t in heat.get_xticklabels()] == tokens
    labels = {child.get_ylabel() or child.get_xlabel(): child for child in heat.child_axes}
    assert [t.get_text() for t in labels["output at position i"].get_yticklabels()] == \
        [str(t) for t in data["output"].tolist()]
    assert [t.get_text() for t in labels["key position j"].get_xticklabels()] == [str(j)
                                                                                  for j in range(8)]
    assert "input" in heat.get_xlabel() and "input" in heat.get_ylabel()
    assert not heat.texts
