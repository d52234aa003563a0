"""The two-look-ups task: its targets, and held-out sequences that training never sees."""
import torch

from figures_src.experiments import reversal, two_lookups


def test_targets_add_the_mirrored_and_the_previous_token():
    x = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])
    mirrored = [6, 2, 9, 5, 1, 4, 1, 3]
    previous = [0, 3, 1, 4, 1, 5, 9, 2]
    assert two_lookups.targets(x).tolist() == [[(m + p) % 10 for m, p in zip(mirrored, previous)]]


def test_training_stream_never_draws_a_held_out_sequence():
    """Replays every batch training can draw (seeded as train_and_score seeds it, up to
    max_steps): no held-out sequence occurs, so the reported accuracy is held-out."""
    config = two_lookups.CONFIG
    held_out = two_lookups.held_out()
    assert len(torch.unique(held_out, dim=0)) == config["n_held_out"]
    make_batch = two_lookups.batch_maker(config["batch_size"], held_out)
    generator = reversal.training_generator(config)
    keys = reversal._keys(held_out)
    for _ in range(config["max_steps"]):
        inputs, targets = make_batch(generator)
        assert not torch.isin(reversal._keys(inputs), keys).any()
        assert torch.equal(targets, two_lookups.targets(inputs))


def test_without_the_exclusion_the_same_stream_would_hit_held_out_sequences():
    """The replay above can fail: unfiltered draws from the same generator do hit the
    held-out set (the old multi-head loop trained on 2 of its 2000 "held-out" sequences)."""
    config = two_lookups.CONFIG
    keys = reversal._keys(two_lookups.held_out())
    generator = reversal.training_generator(config)
    hits = 0
    for _ in range(config["max_steps"]):
        inputs = torch.randint(0, reversal.VOCAB, (config["batch_size"], reversal.LENGTH), generator=generator)
        hits += int(torch.isin(reversal._keys(inputs), keys).sum())
    assert hits > 0


def test_batch_maker_redraws_a_held_out_row():
    first = torch.randint(0, reversal.VOCAB, (4, reversal.LENGTH), generator=torch.Generator().manual_seed(7))
    inputs, targets = two_lookups.batch_maker(4, first[:1])(torch.Generator().manual_seed(7))
    assert not torch.equal(inputs[0], first[0]) and torch.equal(inputs[1:], first[1:])
    assert torch.equal(targets, two_lookups.targets(inputs))
