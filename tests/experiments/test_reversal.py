"""The reversal task and its trained model."""
import pytest
import torch

from figures_src.experiments import reversal
from figures_src.nn.transformer import EncoderTagger


def test_training_batches_never_contain_held_out_sequences():
    held_out = reversal.held_out_sequences(2000)
    assert len(torch.unique(held_out, dim=0)) == 2000
    make_batch = reversal.training_batch_maker(64, held_out[:5])
    # a generator seeded to reproduce the held-out draw: the maker must still avoid them
    generator = torch.Generator().manual_seed(123)
    held = {tuple(s) for s in held_out[:5].tolist()}
    for _ in range(200):
        inputs, targets = make_batch(generator)
        assert not held & {tuple(s) for s in inputs.tolist()}
        assert torch.equal(targets, inputs.flip(-1))


def test_batch_maker_redraws_a_held_out_row():
    generator = torch.Generator().manual_seed(7)
    first = torch.randint(0, reversal.VOCAB, (4, reversal.LENGTH),
                          generator=torch.Generator().manual_seed(7))
    inputs, _ = reversal.training_batch_maker(4, first[:1])(generator)
    assert not torch.equal(inputs[0], first[0]) and torch.equal(inputs[1:], first[1:])


# An encoder reads the digits and writes the reversal at once.
MODELS = {
    "encoder": (lambda: EncoderTagger(reversal.model_config(reversal.CONFIG)),
                reversal.accuracy, reversal.trained_reversal_model),
}


@pytest.mark.parametrize("kind", MODELS)
def test_untrained_model_does_not_reverse(kind):
    make_model, accuracy, _ = MODELS[kind]
    torch.manual_seed(0)
    _, sequence_acc = accuracy(make_model().eval(), reversal.held_out_sequences(500))
    assert sequence_acc < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("kind", MODELS)
def test_trained_model_reverses_held_out_sequences(kind):
    _, accuracy, trained = MODELS[kind]
    model, metrics = trained()
    held_out = reversal.held_out_sequences(reversal.CONFIG["n_held_out"])
    token_acc, sequence_acc = accuracy(model, held_out)
    assert sequence_acc > 0.99 and token_acc > 0.99
    assert metrics["held_out_sequence_accuracy"] == sequence_acc
    assert metrics["final_loss"] < reversal.CONFIG["stop_loss"]


def test_first_distinct_digits_skips_repeats_and_names_a_shortage():
    sequences = torch.tensor([[1, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7],
                              [7, 6, 5, 4, 3, 2, 1, 0]])
    assert reversal.first_distinct_digits(sequences, 2).tolist() == sequences[1:].tolist()
    with pytest.raises(ValueError, match="distinct digits"):
        reversal.first_distinct_digits(sequences, 3)
