"""The decoder-only attention map: a causal model's real attention, and what each row writes."""
import pytest
import torch

from figures_src.build import pipeline, style
from figures_src.experiments.reversal import CONFIG, LENGTH, SEP, causal_sequences, held_out_sequences, \
    trained_causal_reversal_model
from figures_src.build.render import render

NAME = "decoder-only"


def test_nothing_attends_to_the_future(figure_data):
    weights = figure_data(NAME)["all_weights"]
    n = weights.shape[-1]
    above = torch.ones(n, n, dtype=torch.bool).triu(1)
    assert torch.all(weights[..., above] == 0)
    assert torch.all(weights[..., ~above].sum(-1) > 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]))
    assert figure_data(NAME)["facts"]["max_above_diagonal"] == 0


def test_later_tokens_do_not_change_earlier_outputs(figure_data, figure_module):
    data = figure_data(NAME)
    t = figure_module(NAME).PROBE_POSITION
    assert torch.equal(data["logits"][:t + 1], data["logits_changed"][:t + 1])
    assert not torch.allclose(data["logits"][t + 1:], data["logits_changed"][t + 1:])
    assert data["facts"]["causal_difference"] == 0 < data["later_difference"]
    assert data["facts"]["probe_position"] == t + 1  # 1-based, as the axes number positions


def test_drawn_map_is_the_models_attention(figure_data):
    data = figure_data(NAME)
    model, metrics = trained_causal_reversal_model()
    assert metrics["held_out_sequence_accuracy"] > 0.99
    seen = []
    with torch.no_grad():
        model(data["tokens"][None], attention=seen)
    torch.testing.assert_close(data["weights"], seen[-1][0, 0])
    assert data["n_heads"] == 1  # the one head drawn is the whole layer


def test_the_example_is_a_held_out_sequence_in_the_training_layout(figure_data):
    tokens = figure_data(NAME)["tokens"]
    x = held_out_sequences(CONFIG["n_held_out"], CONFIG["seed"])[0]
    assert torch.equal(tokens, causal_sequences(x[None])[0][0])
    assert tokens[LENGTH] == SEP


def test_each_answer_row_writes_the_next_digit_and_looks_at_it(figure_data):
    """Row LENGTH + j (0-based) predicts the next token, x[LENGTH-1-j]; its largest
    weight is on the position holding that digit: one left of its mirror LENGTH - j."""
    data = figure_data(NAME)
    tokens, weights, predicted = data["tokens"], data["weights"], data["predicted"]
    x = tokens[:LENGTH]
    answer = range(LENGTH, 2 * LENGTH)
    assert predicted[LENGTH:].tolist() == x.flip(0).tolist()  # what the right column shows
    columns = weights[LENGTH:].argmax(-1).tolist()
    assert columns == [LENGTH - 1 - j for j in range(LENGTH)]
    mirrors = [2 * LENGTH - row for row in answer]  # the mirror of row r across the separator
    assert all(col == mirror - 1 for col, mirror in zip(columns, mirrors))
    assert all(tokens[c] == predicted[r] for r, c in zip(answer, columns))


def test_the_written_digit_share_is_measured_over_all_held_out_sequences(figure_data):
    data = figure_data(NAME)
    model, _ = trained_causal_reversal_model()
    tokens, targets = causal_sequences(held_out_sequences(CONFIG["n_held_out"], CONFIG["seed"]))
    seen = []
    with torch.no_grad():
        model(tokens, attention=seen)
    looked_at = seen[-1][:, 0, LENGTH:].argmax(-1)  # [N, LENGTH]: key index per answer row
    share = (torch.gather(tokens, 1, looked_at) == targets[:, LENGTH:]).float().mean().item()
    assert data["facts"]["written_argmax_share"] == pytest.approx(share) and share > 0.99
    # control: the row's mirror across the separator is not where the weight goes
    mirrors = 2 * LENGTH - torch.arange(LENGTH, 2 * LENGTH)
    assert (looked_at == mirrors).float().mean() < 0.05


def test_facts_are_only_those_quoted(figure_data, figure_module):
    fig = figure_module(NAME).FIGURE
    quoted = pipeline.quoted_facts().get(NAME, {})  # {% fact decoder-only KEY %} in any post
    for key in figure_data(NAME)["facts"]:
        assert "{" + key in fig.caption + fig.alt or key in quoted, key


@pytest.mark.parametrize("theme", style.THEMES, ids=lambda t: t.name)
def test_fits_laptop_and_phone(figure_module, figure_data, theme):
    with theme.rc():
        rendered = render(figure_module(NAME).draw(figure_data(NAME), theme))
    assert rendered.height <= 760 and rendered.width <= 700
