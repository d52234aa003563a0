"""Sinusoidal encodings and RoPE against the papers' formulas and properties."""
import math

import pytest
import torch

from figures_src.nn.positional import (apply_rope, apply_rope_rotate_half, relative_score_spread,
                                       rope_frequencies, sinusoidal_encoding)


def test_sinusoidal_matches_formula():
    pe = sinusoidal_encoding(50, 16)
    for pos in range(50):
        for i in range(8):
            angle = pos / 10000 ** (2 * i / 16)
            assert abs(pe[pos, 2 * i].item() - math.sin(angle)) < 1e-6
            assert abs(pe[pos, 2 * i + 1].item() - math.cos(angle)) < 1e-6


def test_sinusoidal_dot_product_depends_only_on_offset():
    pe = sinusoidal_encoding(200, 64, dtype=torch.float64)
    for k in (0, 1, 7, 50):
        dots = (pe[:200 - k] * pe[k:]).sum(-1)
        assert (dots.max() - dots.min()).item() < 1e-9
    # ... and it does depend on the offset
    assert abs((pe[0] @ pe[1]).item() - (pe[0] @ pe[7]).item()) > 1e-3


def test_sinusoidal_rejects_odd_width():
    with pytest.raises(ValueError, match="d_model=7"):
        sinusoidal_encoding(4, 7)


def test_rope_frequencies_formula():
    theta = rope_frequencies(8, base=10000)
    assert theta.tolist() == pytest.approx([10000 ** (-2 * i / 8) for i in range(4)], rel=1e-12)


def test_rope_rotates_each_pair_by_position_times_frequency():
    d, m = 6, 3
    x = torch.randn(1, d, dtype=torch.float64)
    out = apply_rope(x, torch.tensor([m]))[0]
    theta = rope_frequencies(d)
    for i in range(d // 2):
        c, s = math.cos(m * theta[i]), math.sin(m * theta[i])
        a, b = x[0, 2 * i].item(), x[0, 2 * i + 1].item()
        assert out[2 * i].item() == pytest.approx(a * c - b * s, abs=1e-12)
        assert out[2 * i + 1].item() == pytest.approx(a * s + b * c, abs=1e-12)


@pytest.mark.parametrize("rope", [apply_rope, apply_rope_rotate_half])
def test_rope_score_depends_only_on_offset(rope):
    generator = torch.Generator().manual_seed(0)
    q = torch.randn(64, generator=generator, dtype=torch.float64)
    k = torch.randn(64, generator=generator, dtype=torch.float64)
    assert relative_score_spread(rope, q, k, n_positions=64) < 1e-10


@pytest.mark.parametrize("rope", [apply_rope, apply_rope_rotate_half])
def test_rope_preserves_norms(rope):
    x = torch.randn(2, 40, 32, dtype=torch.float64)
    out = rope(x, torch.arange(40))
    torch.testing.assert_close(out.norm(dim=-1), x.norm(dim=-1))
    assert not torch.allclose(out[:, 1:], x[:, 1:])  # it did rotate
    torch.testing.assert_close(out[:, 0], x[:, 0])   # position 0 is not rotated


def test_the_two_layouts_are_one_rotation_up_to_a_permutation():
    d = 16
    x = torch.randn(5, d, dtype=torch.float64)
    interleaved_to_half = torch.cat([torch.arange(0, d, 2), torch.arange(1, d, 2)])
    torch.testing.assert_close(apply_rope_rotate_half(x[:, interleaved_to_half], torch.arange(5)),
                               apply_rope(x, torch.arange(5))[:, interleaved_to_half])
