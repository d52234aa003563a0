"""The freshly initialised RNN the rnn-unrolled figure is drawn from:
torch.nn.RNN's default initialisation (tanh), copied into the project's
SimpleRNN, in float64, so the drawn graph and its Jacobians come from a real
network rather than a sketch.
"""
import torch

from ..nn.rnn import SimpleRNN

INPUT_SIZE = 16
HIDDEN_SIZE = 64
SEED = 0


def make_rnn(seed=SEED):
    """Seed torch, then build the RNN: torch.nn.RNN's default initialisation,
    copied into SimpleRNN, in float64."""
    torch.manual_seed(seed)
    return SimpleRNN.from_torch(torch.nn.RNN(INPUT_SIZE, HIDDEN_SIZE, nonlinearity="tanh").double())
