"""The hold-the-letter task, its held-out split, its per-distance score and the three models."""
import pytest
import torch

from figures_src.experiments import letter_recall
from figures_src.experiments.training import IGNORE_INDEX


def test_sequences_hold_one_letter_early_and_digits_elsewhere():
    tokens, positions = letter_recall.make_sequences(500, torch.Generator().manual_seed(3))
    is_letter = tokens >= letter_recall.N_DIGITS
    assert torch.all(is_letter.sum(-1) == 1)
    assert torch.equal(letter_recall.letter_positions(tokens), positions)
    assert positions.min() == 0 and positions.max() == letter_recall.LETTER_WINDOW - 1
    assert tokens.max() < letter_recall.VOCAB and tokens.min() >= 0


def test_targets_are_the_letter_after_it_and_ignored_before():
    tokens = torch.tensor([[3, 12, 5, 0, 7], [15, 1, 1, 2, 9]])
    expected = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, 12, 12, 12],
                             [IGNORE_INDEX, 15, 15, 15, 15]])
    assert torch.equal(letter_recall.targets(tokens), expected)
    assert letter_recall.distances(tokens).tolist() == [[-1, 0, 1, 2, 3], [0, 1, 2, 3, 4]]


def test_two_letters_are_rejected():
    with pytest.raises(ValueError):
        letter_recall.letter_positions(torch.tensor([[10, 11, 1]]))


def test_held_out_sequences_are_distinct_and_never_in_a_training_batch():
    held_out = letter_recall.held_out_sequences()
    assert len(held_out) == letter_recall.N_HELD_OUT == len(torch.unique(held_out, dim=0))
    held = {tuple(row) for row in held_out.tolist()}
    make_batch = letter_recall.training_batch_maker(64, held_out)
    generator = torch.Generator().manual_seed(0)
    for _ in range(50):
        tokens, targets = make_batch(generator)
        assert not held & {tuple(row) for row in tokens.tolist()}
        assert torch.equal(targets, letter_recall.targets(tokens))


def test_batch_maker_redraws_a_held_out_row():
    first, _ = letter_recall.make_sequences(4, torch.Generator().manual_seed(7))
    tokens, _ = letter_recall.training_batch_maker(4, first[:1])(torch.Generator().manual_seed(7))
    assert not torch.equal(tokens[0], first[0]) and torch.equal(tokens[1:], first[1:])


def test_row_keys_find_exact_copies():
    held_out = letter_recall.held_out_sequences(100, 5)
    keys = letter_recall.row_keys(held_out)
    assert letter_recall.is_held_out(held_out[[3, 50]], keys).all()
    changed = held_out[:10].clone()
    changed[:,
            -1] = (changed[:, -1] + 1) % letter_recall.N_DIGITS  # the last token is always a digit
    assert not letter_recall.is_held_out(changed, keys).any()


class Oracle(torch.nn.Module):
    """Answers the letter while it is at most `reach` steps back, a fixed wrong digit after that."""

    def __init__(self, reach):
        super().__init__()
        self.reach = reach

    def forward(self, tokens):
        answer = torch.where(letter_recall.distances(tokens) <= self.reach,
                             letter_recall.targets(tokens).clamp(min=0),
                             torch.zeros_like(tokens))
        return torch.nn.functional.one_hot(answer, letter_recall.VOCAB).float()


def test_accuracy_by_distance_scores_each_distance_apart():
    held_out = letter_recall.held_out_sequences(300, 1)
    assert torch.equal(letter_recall.accuracy_by_distance(Oracle(letter_recall.MAX_DISTANCE),
                                                          held_out),
                       torch.ones(letter_recall.MAX_DISTANCE))
    reach = 5
    accuracy = letter_recall.accuracy_by_distance(Oracle(reach), held_out)
    assert accuracy[:reach].eq(1).all() and accuracy[reach:].eq(0).all()


def test_every_sequence_is_scored_once_at_every_distance():
    held_out = letter_recall.held_out_sequences(300, 1)
    k = letter_recall.distances(held_out)
    for d in range(1, letter_recall.MAX_DISTANCE + 1):
        assert torch.equal((k == d).sum(-1), torch.ones(len(held_out), dtype=torch.long))


def build(kind):
    return letter_recall.untrained_model(kind)


def test_parameter_counts_are_similar():
    counts = [sum(p.numel() for p in build(kind).parameters()) for kind in letter_recall.KINDS]
    assert max(counts) / min(counts) <= letter_recall.PARAMETER_RATIO


def test_all_three_share_one_budget():
    configs = [letter_recall.model_config(kind) for kind in letter_recall.KINDS]
    for key in letter_recall.BUDGET:
        assert len({config[key] for config in configs}) == 1


@pytest.mark.parametrize("kind", letter_recall.KINDS)
def test_models_only_see_the_past(kind):
    model = build(kind)
    tokens, _ = letter_recall.make_sequences(4, torch.Generator().manual_seed(2))
    changed = tokens.clone()
    changed[:, 20:] = (changed[:, 20:] + 1) % letter_recall.N_DIGITS
    with torch.no_grad():
        torch.testing.assert_close(model(tokens)[:, :20], model(changed)[:, :20])


@pytest.mark.parametrize("kind", letter_recall.KINDS)
def test_untrained_models_are_near_chance(kind):
    accuracy = letter_recall.accuracy_by_distance(build(kind),
                                                  letter_recall.held_out_sequences(500, 0))
    assert accuracy.max() < 0.35


def test_unknown_model_is_an_error():
    with pytest.raises(ValueError):
        letter_recall.build_model({"model": "gru"})
