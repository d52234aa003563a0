"""A plain (Elman) recurrent network: the output is fed back as the next input.

    h_t = tanh(W_xh x_t + W_hh h_{t-1} + b)

The same W_hh is used at every step; unrolled over time, the network is a
deep chain of identical layers, which is why gradients through many steps
shrink (or blow up) geometrically.
"""
import torch
from torch import nn


class SimpleRNN(nn.Module):
    """tanh RNN, batch-first; equal to torch.nn.RNN(batch_first=True) given its weights."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        bound = hidden_size ** -0.5  # nn.RNN's initialisation
        self.W_xh = nn.Parameter(torch.empty(hidden_size, input_size).uniform_(-bound, bound))
        self.W_hh = nn.Parameter(torch.empty(hidden_size, hidden_size).uniform_(-bound, bound))
        self.b = nn.Parameter(torch.empty(hidden_size).uniform_(-bound, bound))

    @property
    def recurrent_weight(self):
        """The single matrix W_hh that every step h_{t-1} -> h_t multiplies by."""
        return self.W_hh

    def step(self, x_t, h_prev):
        """One time step: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b)."""
        return torch.tanh(x_t @ self.W_xh.T + h_prev @ self.W_hh.T + self.b)

    def forward(self, x, h0=None):
        """x: [B, T, input_size] -> (all hidden states [B, T, H], last state [B, H])."""
        batch, length, _ = x.shape
        h = x.new_zeros(batch, self.hidden_size) if h0 is None else h0
        states = []
        for t in range(length):
            h = self.step(x[:, t], h)
            states.append(h)
        return torch.stack(states, dim=1), h

    @classmethod
    def from_torch(cls, torch_rnn):
        """A copy of a one-layer, unidirectional tanh torch.nn.RNN (its two biases summed)."""
        if torch_rnn.num_layers != 1 or torch_rnn.bidirectional or torch_rnn.nonlinearity != "tanh":
            raise ValueError("from_torch: only a 1-layer, unidirectional tanh nn.RNN")
        rnn = cls(torch_rnn.input_size, torch_rnn.hidden_size)
        with torch.no_grad():
            rnn.W_xh.copy_(torch_rnn.weight_ih_l0)
            rnn.W_hh.copy_(torch_rnn.weight_hh_l0)
            if torch_rnn.bias:
                rnn.b.copy_(torch_rnn.bias_ih_l0 + torch_rnn.bias_hh_l0)
            else:
                rnn.b.zero_()
        return rnn.to(torch_rnn.weight_hh_l0.dtype)
