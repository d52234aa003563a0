"""The two-look-ups task: its targets, and held-out sequences that training never sees."""
import torch

from figures_src.experiments import reversal, two_lookups
from figures_src.experiments.seeds import SEEDS


def test_targets_subtract_the_previous_from_the_mirrored_token():
    x = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])
    mirrored = [6, 2, 9, 5, 1, 4, 1, 3]
    previous = [0, 3, 1, 4, 1, 5, 9, 2]
    assert two_lookups.targets(x).tolist() == [[(m - p) % 10 for m, p in zip(mirrored, previous)]]
    assert two_lookups.targets(x).tolist() == [[6, 9, 8, 1, 0, 9, 2, 1]]


def test_role_positions_leave_out_the_rows_without_two_distinct_lookups():
    rows, mirror, previous = two_lookups.role_positions(8)
    assert rows.tolist() == [1, 2, 3, 5, 6, 7]  # 0: no previous token; 4: mirror 3 = previous 3
    assert mirror.tolist() == [6, 5, 4, 2, 1, 0]
    assert previous.tolist() == [0, 1, 2, 4, 5, 6]


def test_head_roles_on_made_up_maps():
    """A head on the mirror everywhere scores mirror 1; heads that swap roles row to
    row score 0.5 each (the control the old figure failed)."""
    length = 8
    mirror = torch.eye(length).flip(-1)
    previous = torch.zeros(length, length)
    previous[torch.arange(1, length), torch.arange(length - 1)] = 1
    previous[0, 0] = 1
    roles = two_lookups.head_roles(torch.stack([mirror, previous])[None])
    assert roles["mirror"].tolist() == [1.0, 0.0] and roles["previous"].tolist() == [0.0, 1.0]
    assert roles["mirror_weight"].tolist() == [1.0,
                                               0.0] and roles["previous_weight"].tolist() == [0.0,
                                                                                              1.0]
    mixed = two_lookups.head_roles((0.75 * previous + 0.25 * mirror)[None, None])
    assert mixed["previous_weight"].tolist() == [0.75] and mixed["mirror_weight"].tolist() == [0.25]
    assert mixed["previous"].tolist() == [1.0]
    rows = torch.arange(length) < length // 2  # top half: head 1 mirror; bottom half: previous
    swapped = torch.stack([torch.where(rows[:, None], mirror, previous),
                           torch.where(rows[:, None], previous, mirror)])
    roles = two_lookups.head_roles(swapped[None])
    assert roles["mirror"].tolist() == [0.5, 0.5] and roles["previous"].tolist() == [0.5, 0.5]


def test_training_stream_never_draws_a_held_out_sequence():
    """Replays every batch training can draw (seeded as train_and_score seeds it, up to
    max_steps, for every seed): no held-out sequence occurs, so the reported accuracy is
    held-out."""
    config = two_lookups.CONFIG
    held_out = two_lookups.held_out()
    assert len(torch.unique(held_out, dim=0)) == config["n_held_out"]
    make_batch = two_lookups.batch_maker(config["batch_size"], held_out)
    keys = reversal._keys(held_out)
    for seed in SEEDS:  # every training seed draws its own stream; the held-out set is the same
        generator = reversal.training_generator(dict(config, seed=seed))
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
    for _ in range(10_000):  # more draws than training makes: with 2000 of 10^8 sequences held
        # out, 1000 batches of 64 expect 1.3 hits, 10000 expect 13
        inputs = torch.randint(0, reversal.VOCAB, (config["batch_size"], reversal.LENGTH),
                               generator=generator)
        hits += int(torch.isin(reversal._keys(inputs), keys).sum())
    assert hits > 0


def test_batch_maker_redraws_a_held_out_row():
    first = torch.randint(0, reversal.VOCAB, (4, reversal.LENGTH),
                          generator=torch.Generator().manual_seed(7))
    inputs, targets = two_lookups.batch_maker(4, first[:1])(torch.Generator().manual_seed(7))
    assert not torch.equal(inputs[0], first[0]) and torch.equal(inputs[1:], first[1:])
    assert torch.equal(targets, two_lookups.targets(inputs))
