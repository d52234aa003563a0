"""The decoder-only figure: a causal model's real attention, and a block drawn from its code path."""
import torch

from figures_src.experiments.reversal import LENGTH, SEP, trained_causal_reversal_model
from figures_src.nn.block import block_steps

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
    assert data["facts"]["causal_difference"] == 0 < data["facts"]["later_difference"]


def test_drawn_map_is_the_models_attention(figure_data):
    data = figure_data(NAME)
    model, metrics = trained_causal_reversal_model()
    assert metrics["held_out_sequence_accuracy"] > 0.99
    with torch.no_grad():
        model(data["tokens"][None])
    torch.testing.assert_close(data["weights"], model.attention_weights()[-1][0, 0])


def test_after_the_separator_each_position_looks_back_at_the_mirrored_digit(figure_data):
    data = figure_data(NAME)
    tokens, weights = data["tokens"], data["weights"]
    assert tokens[LENGTH] == SEP
    # position LENGTH + i predicts the i-th digit of the reversal, x[LENGTH-1-i]
    rows = weights[LENGTH:2 * LENGTH]
    assert rows.argmax(-1).tolist() == list(range(LENGTH - 1, -1, -1))


def test_block_steps_are_the_models_pre_norm_causal_block(figure_data):
    data = figure_data(NAME)
    model, _ = trained_causal_reversal_model()
    assert data["steps"] == block_steps(model.blocks[0])
    kinds = [s.kind for s in data["steps"] if s.kind in ("norm", "attention", "add", "feed_forward")]
    assert kinds == ["norm", "attention", "add", "norm", "feed_forward", "add"]
    attention = next(s for s in data["steps"] if s.kind == "attention")
    assert "causal_mask" in attention.inputs
