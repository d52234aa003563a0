"""The hold-the-letter task, its held-out split, its per-distance score and the three models."""
import pytest
import torch

from figures_src.experiments import letter_recall as memory
from figures_src.experiments.training import IGNORE_INDEX


def test_sequences_hold_one_letter_early_and_digits_elsewhere():
    tokens, positions = memory.make_sequences(500, torch.Generator().manual_seed(3))
    is_letter = tokens >= memory.N_DIGITS
    assert torch.all(is_letter.sum(-1) == 1)
    assert torch.equal(memory.letter_positions(tokens), positions)
    assert positions.min() == 0 and positions.max() == memory.LETTER_WINDOW - 1
    assert tokens.max() < memory.VOCAB and tokens.min() >= 0


def test_targets_are_the_letter_after_it_and_ignored_before():
    tokens = torch.tensor([[3, 12, 5, 0, 7], [15, 1, 1, 2, 9]])
    expected = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, 12, 12, 12],
                             [IGNORE_INDEX, 15, 15, 15, 15]])
    assert torch.equal(memory.targets(tokens), expected)
    assert memory.distances(tokens).tolist() == [[-1, 0, 1, 2, 3], [0, 1, 2, 3, 4]]


def test_two_letters_are_rejected():
    with pytest.raises(ValueError):
        memory.letter_positions(torch.tensor([[10, 11, 1]]))


def test_held_out_sequences_are_distinct_and_never_in_a_training_batch():
    held_out = memory.held_out_sequences()
    assert len(held_out) == memory.N_HELD_OUT == len(torch.unique(held_out, dim=0))
    held = {tuple(row) for row in held_out.tolist()}
    make_batch = memory.training_batch_maker(64, held_out)
    generator = torch.Generator().manual_seed(0)
    for _ in range(50):
        tokens, targets = make_batch(generator)
        assert not held & {tuple(row) for row in tokens.tolist()}
        assert torch.equal(targets, memory.targets(tokens))


def test_batch_maker_redraws_a_held_out_row():
    first, _ = memory.make_sequences(4, torch.Generator().manual_seed(7))
    tokens, _ = memory.training_batch_maker(4, first[:1])(torch.Generator().manual_seed(7))
    assert not torch.equal(tokens[0], first[0]) and torch.equal(tokens[1:], first[1:])


def test_row_keys_find_exact_copies():
    held_out = memory.held_out_sequences(100, 5)
    keys = memory.row_keys(held_out)
    assert memory.is_held_out(held_out[[3, 50]], keys).all()
    changed = held_out[:10].clone()
    changed[:, -1] = (changed[:, -1] + 1) % memory.N_DIGITS  # the last token is always a digit
    assert not memory.is_held_out(changed, keys).any()


class Oracle(torch.nn.Module):
    """Answers the letter while it is at most `reach` steps back, a fixed wrong digit after that."""

    def __init__(self, reach):
        super().__init__()
        self.reach = reach

    def forward(self, tokens):
        answer = torch.where(memory.distances(tokens) <= self.reach,
                             memory.targets(tokens).clamp(min=0),
                             torch.zeros_like(tokens))
        return torch.nn.functional.one_hot(answer, memory.VOCAB).float()


def test_accuracy_by_distance_scores_each_distance_apart():
    held_out = memory.held_out_sequences(300, 1)
    assert torch.equal(memory.accuracy_by_distance(Oracle(memory.MAX_DISTANCE), held_out),
                       torch.ones(memory.MAX_DISTANCE))
    reach = 5
    accuracy = memory.accuracy_by_distance(Oracle(reach), held_out)
    assert accuracy[:reach].eq(1).all() and accuracy[reach:].eq(0).all()


def test_every_sequence_is_scored_once_at_every_distance():
    held_out = memory.held_out_sequences(300, 1)
    k = memory.distances(held_out)
    for d in range(1, memory.MAX_DISTANCE + 1):
        assert torch.equal((k == d).sum(-1), torch.ones(len(held_out), dtype=torch.long))


def build(kind):
    return memory.untrained_model(kind)


def test_parameter_counts_are_similar():
    counts = [sum(p.numel() for p in build(kind).parameters()) for kind in memory.KINDS]
    assert max(counts) / min(counts) <= memory.PARAMETER_RATIO


def test_all_three_share_one_budget():
    configs = [memory.model_config(kind) for kind in memory.KINDS]
    for key in memory.BUDGET:
        assert len({config[key] for config in configs}) == 1


@pytest.mark.parametrize("kind", memory.KINDS)
def test_models_only_see_the_past(kind):
    model = build(kind)
    tokens, _ = memory.make_sequences(4, torch.Generator().manual_seed(2))
    changed = tokens.clone()
    changed[:, 20:] = (changed[:, 20:] + 1) % memory.N_DIGITS
    with torch.no_grad():
        torch.testing.assert_close(model(tokens)[:, :20], model(changed)[:, :20])


@pytest.mark.parametrize("kind", memory.KINDS)
def test_untrained_models_are_near_chance(kind):
    accuracy = memory.accuracy_by_distance(build(kind), memory.held_out_sequences(500, 0))
    assert accuracy.max() < 0.35


def test_unknown_model_is_an_error():
    with pytest.raises(ValueError):
        memory.build_model({"model": "gru"})
