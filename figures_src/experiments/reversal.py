"""Sequence reversal: the smallest task whose solution is visibly attention.

Input: 8 random digits (vocabulary 10). Output at position i: the input
token at position n-1-i. Nothing but looking at the mirrored position solves
it, so a trained one-layer, one-head model's attention map is the
anti-diagonal. Held-out sequences are drawn first and never occur in training.
"""
import torch
from torch import nn

from ..nn.transformer import Encoder, TransformerConfig
from .training import cached, seed, train

VOCAB = 10
LENGTH = 8

CONFIG = {
    "seed": 0,
    "n_layers": 1, "n_heads": 1, "d_model": 32, "d_ff": 64, "positional": "learned",
    "batch_size": 64, "lr": 1e-2, "max_steps": 3000, "stop_loss": 1e-4,
    "n_held_out": 2000,
}


class ReversalModel(nn.Module):
    """An encoder (every position attends to every other) and a linear read-out per position."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.encoder = Encoder(config)
        self.readout = nn.Linear(config.d_model, config.vocab_size)

    def forward(self, tokens):
        return self.readout(self.encoder(tokens))

    def attention(self):
        """[B, T, T] attention of the single head of the single layer, last forward pass."""
        return self.encoder.blocks[0].self_attn.last_weights[:, 0]


def model_config(config):
    return TransformerConfig(n_layers=config["n_layers"], d_model=config["d_model"], d_ff=config["d_ff"],
                             n_heads=config["n_heads"], vocab_size=VOCAB, max_len=LENGTH, dropout=0.0,
                             positional=config["positional"])


def held_out_sequences(n, seed_value):
    """n distinct random sequences set aside before training, [n, LENGTH]."""
    generator = torch.Generator().manual_seed(seed_value + 1)
    sequences = torch.unique(torch.randint(0, VOCAB, (2 * n, LENGTH), generator=generator), dim=0)
    order = torch.randperm(len(sequences), generator=generator)
    return sequences[order[:n]]


def _keys(sequences):
    """One integer per sequence (its digits read as a number) for set lookups."""
    powers = VOCAB ** torch.arange(LENGTH - 1, -1, -1)
    return (sequences * powers).sum(-1)


def training_batch_maker(batch_size, held_out):
    """make_batch(generator) -> (inputs, reversed inputs), never a held-out sequence."""
    held_out_keys = _keys(held_out)

    def make_batch(generator):
        inputs = torch.randint(0, VOCAB, (batch_size, LENGTH), generator=generator)
        seen = torch.isin(_keys(inputs), held_out_keys)
        while seen.any():  # redraw the (rare) rows that hit the held-out set
            inputs[seen] = torch.randint(0, VOCAB, (int(seen.sum()), LENGTH), generator=generator)
            seen = torch.isin(_keys(inputs), held_out_keys)
        return inputs, inputs.flip(-1)

    return make_batch


@torch.no_grad()
def accuracy(model, sequences):
    """(token accuracy, whole-sequence accuracy) of reversing `sequences`."""
    predicted = model(sequences).argmax(-1)
    correct = predicted == sequences.flip(-1)
    return correct.float().mean().item(), correct.all(-1).float().mean().item()


def build_and_train(config):
    seed(config["seed"])
    model = ReversalModel(model_config(config))
    held_out = held_out_sequences(config["n_held_out"], config["seed"])
    log = train(model, training_batch_maker(config["batch_size"], held_out),
                max_steps=config["max_steps"], lr=config["lr"], stop_loss=config["stop_loss"],
                generator=torch.Generator().manual_seed(config["seed"]))
    token_acc, sequence_acc = accuracy(model, held_out)
    metrics = {"steps": log["steps"], "final_loss": log["final_loss"], "losses": log["losses"],
               "train_seconds": log["seconds"], "stopped_early": log["stopped_early"],
               "held_out_token_accuracy": token_acc, "held_out_sequence_accuracy": sequence_acc,
               "n_held_out": len(held_out)}
    return model, metrics


def trained_reversal_model(config=None):
    """(model, metrics) of the reversal model, trained once and cached under build/checkpoints.

    metrics: steps, final_loss, losses, train_seconds, stopped_early,
    held_out_token_accuracy, held_out_sequence_accuracy, n_held_out.
    """
    return cached("reversal", dict(CONFIG if config is None else config), build_and_train)
