"""Two look-ups per position: the smallest task that needs two attention heads.

Input: 8 random digits; output at position i: (x_(n-1-i) + x_(i-1)) mod 10,
the mirrored token plus the previous one (position 0 has no previous token:
it adds 0). One head can fetch one token, so a one-layer model needs two
heads, and the multi-head figure shows how its heads split the work.

Trained by the reversal task's recipe (reversal.train_and_score): held-out
sequences are drawn first, never occur in a training batch, and the reported
accuracy is measured on them.
"""
import functools

import torch

from . import reversal
from .training import cached

CONFIG = {
    "seed": 0, "n_layers": 1, "n_heads": 2, "d_model": 32, "d_ff": 128,
    "positional": "learned", "batch_size": 64, "lr": 3e-3, "max_steps": 6000, "stop_loss": 1e-3,
    "n_held_out": 2000,
}


def targets(inputs):
    """(mirrored token + previous token) mod 10; position 0 has no previous token."""
    previous = torch.cat([torch.zeros_like(inputs[:, :1]), inputs[:, :-1]], dim=1)
    return (inputs.flip(-1) + previous) % reversal.VOCAB


def batch_maker(batch_size, held_out):
    """make_batch(generator) -> (inputs, targets(inputs)), never a held-out sequence."""
    return reversal.training_batch_maker(batch_size, held_out, targets)


accuracy = functools.partial(reversal.accuracy, targets=targets)


def build_and_train(config):
    return reversal.train_and_score(config, lambda c: reversal.ReversalModel(reversal.model_config(c)),
                                    batch_maker, accuracy)


def held_out(config=None):
    """The sequences the model never trained on and is scored on, [n_held_out, LENGTH]."""
    config = CONFIG if config is None else config
    return reversal.held_out_sequences(config["n_held_out"], config["seed"])


def trained_two_lookups_model(config=None):
    """(model, metrics) of the two-head model, trained once and cached (metrics as
    reversal.trained_reversal_model's: held_out_sequence_accuracy, n_held_out, ...)."""
    return cached("two-lookups", dict(CONFIG if config is None else config), build_and_train)
