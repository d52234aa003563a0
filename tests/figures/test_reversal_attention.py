"""The reversal heat map draws a trained model's real attention, and that attention is an anti-diagonal."""
import torch

from figures_src.experiments.reversal import CONFIG, held_out_sequences

NAME = "reversal-attention"


def test_model_reverses_held_out_sequences(figure_data):
    data = figure_data(NAME)
    assert data["metrics"]["held_out_sequence_accuracy"] > 0.99
    assert torch.equal(data["output"], data["tokens"].flip(-1))


def test_plotted_example_was_held_out(figure_data):
    tokens = figure_data(NAME)["tokens"]
    held_out = held_out_sequences(CONFIG["n_held_out"])
    assert (held_out == tokens).all(-1).any()
    assert len(set(tokens.tolist())) == len(tokens)  # tick labels are unique


def test_rows_are_distributions(figure_data):
    weights = figure_data(NAME)["weights"]
    assert torch.all(weights >= 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[0]))


def test_each_output_attends_to_the_mirrored_input(figure_data):
    weights = figure_data(NAME)["weights"]
    n = weights.shape[0]
    assert weights.argmax(-1).tolist() == [n - 1 - i for i in range(n)]


def test_anti_diagonal_carries_the_mass(figure_data):
    data = figure_data(NAME)
    weights = data["weights"]
    mass = weights.flip(-1).diagonal().mean().item()
    assert mass > 0.9
    assert data["facts"]["anti_diagonal_mass"] > 0.9


def test_weights_are_the_models_attention(figure_data, figure_module):
    """Recompute the plotted map from the model's own query and key projections."""
    from figures_src.experiments.reversal import trained_reversal_model
    data = figure_data(NAME)
    model, _ = trained_reversal_model()
    x = model.encoder.embed(data["tokens"][None])
    attention = model.encoder.blocks[0].self_attn
    q, k = attention.w_q(x)[0], attention.w_k(x)[0]
    expected = torch.softmax(q @ k.T / q.shape[-1] ** 0.5, dim=-1)
    torch.testing.assert_close(data["weights"], expected.detach())


def test_rows_are_labelled_by_their_input_token_and_output(figure_data, figure_module):
    """Each row is a position: its query comes from that position's input token (left), and it
    writes the model's output at that position (right); no per-cell numbers are printed."""
    from figures_src.build.style import LIGHT

    data = figure_data(NAME)
    with LIGHT.rc():
        fig = figure_module(NAME).draw(data, LIGHT)
    heat = fig.axes[0]
    tokens = [str(t) for t in data["tokens"].tolist()]
    assert [t.get_text() for t in heat.get_yticklabels()] == tokens
    assert [t.get_text() for t in heat.get_xticklabels()] == tokens
    (outputs,) = [child for child in heat.child_axes]
    assert [t.get_text() for t in outputs.get_yticklabels()] == [str(t) for t in data["output"].tolist()]
    assert not heat.texts
