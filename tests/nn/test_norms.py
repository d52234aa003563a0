"""LayerNorm against torch.nn.LayerNorm; RMSNorm against its formula (Zhang & Sennrich 2019)."""
import torch
from torch import nn

from figures_src.nn.norms import LayerNorm, RMSNorm


def test_layer_norm_equals_torch():
    torch.manual_seed(0)
    ours, theirs = LayerNorm(24), nn.LayerNorm(24)
    with torch.no_grad():
        for p in (theirs.weight, theirs.bias):
            p.normal_()
        ours.weight.copy_(theirs.weight)
        ours.bias.copy_(theirs.bias)
    x = torch.randn(4, 5, 24) * 3 + 2
    torch.testing.assert_close(ours(x), theirs(x))


def test_rms_norm_equals_formula():
    torch.manual_seed(1)
    norm = RMSNorm(8)
    with torch.no_grad():
        norm.weight.normal_()
    x = torch.randn(3, 8, dtype=torch.float64) + 1.5
    for row_in, row_out in zip(x, norm.double()(x)):
        rms = (sum(v * v for v in row_in.tolist()) / 8 + norm.eps) ** 0.5
        scaled = [v / rms * g for v, g in zip(row_in.tolist(), norm.weight.tolist())]
        expected = torch.tensor(scaled, dtype=torch.float64)
        torch.testing.assert_close(row_out, expected)


def test_rms_norm_has_gain_only():
    assert [name for name, _ in RMSNorm(8).named_parameters()] == ["weight"]


def test_rms_norm_does_not_recenter_but_layer_norm_does():
    torch.manual_seed(2)
    x = torch.randn(6, 32, dtype=torch.float64)
    x = x - x.mean(-1, keepdim=True)
    layer, rms = LayerNorm(32, eps=0).double(), RMSNorm(32, eps=0).double()
    torch.testing.assert_close(layer(x), rms(x))           # zero mean: the two agree
    torch.testing.assert_close(layer(x + 3), layer(x))     # a shift: LayerNorm ignores it
    assert not torch.allclose(rms(x + 3), rms(x))          # ... RMSNorm does not
    torch.testing.assert_close(rms(5 * x), rms(x))         # a scale: both ignore it
    torch.testing.assert_close(layer(5 * x), layer(x))
