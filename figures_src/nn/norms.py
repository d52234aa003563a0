"""LayerNorm (Ba et al. 2016) and RMSNorm (Zhang & Sennrich 2019), over the last dimension."""
import torch
from torch import nn


class LayerNorm(nn.Module):
    """(x - mean(x)) / sqrt(var(x) + eps) * g + b; equal to torch.nn.LayerNorm(d)."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * g: no mean subtraction, no bias.

    Zhang & Sennrich argue the re-centring in LayerNorm is dispensable; only
    the re-scaling matters, and dropping the mean saves computation.
    """

    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        rms = torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return x / rms * self.weight
