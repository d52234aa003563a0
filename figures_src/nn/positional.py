"""Position information: sinusoidal encodings (Vaswani et al. 2017) and RoPE (Su et al. 2021).

Attention by itself is blind to order (permuting the tokens permutes the
output), so the position has to be put into the vectors.
"""
import torch


def sinusoidal_encoding(n_positions, d_model, dtype=torch.float32):
    """[n_positions, d_model]: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)."""
    if d_model % 2 != 0:
        raise ValueError(f"sinusoidal_encoding: d_model={d_model} must be even")
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = pos / 10000 ** (two_i / d_model)
    pe = torch.empty(n_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.to(dtype)


def rope_frequencies(d, base=10000, dtype=torch.float64):
    """[d/2] rotation speeds theta_i = base^(-2i/d), i = 0 .. d/2-1 (fast to slow)."""
    if d % 2 != 0:
        raise ValueError(f"rope_frequencies: d={d} must be even")
    two_i = torch.arange(0, d, 2, dtype=torch.float64)
    return (base ** (-two_i / d)).to(dtype)


def _angles(positions, d, dtype):
    """[T, d/2] angles m * theta_i for positions m."""
    positions = torch.as_tensor(positions, dtype=dtype)
    return positions[:, None] * rope_frequencies(d, dtype=dtype)[None, :]


def apply_rope(x, positions):
    """Rotate each pair (x_2i, x_2i+1) at position m by the angle m * theta_i (RoFormer).

    x: [..., T, d]; positions: [T]. The rotation is orthogonal (norms are
    kept) and R_m^T R_n = R_(n-m), so <R_m q, R_n k> depends on n - m only.
    """
    angle = _angles(positions, x.size(-1), x.dtype)
    cos, sin = torch.cos(angle), torch.sin(angle)
    even, odd = x[..., 0::2], x[..., 1::2]
    rotated_even = even * cos - odd * sin
    rotated_odd = even * sin + odd * cos
    return torch.stack([rotated_even, rotated_odd], dim=-1).flatten(-2)


def rotate_half(x):
    """(x1, x2) -> (-x2, x1) for the two halves of the last dimension."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rope_rotate_half(x, positions):
    """The same rotation in the GPT-NeoX / LLaMA layout: pairs (i, i + d/2).

    Its frequencies must follow the same layout, [theta_0..theta_{d/2-1},
    theta_0..theta_{d/2-1}], so both members of pair i turn by m * theta_i.
    It equals apply_rope up to a fixed permutation of the dimensions.
    """
    angle = _angles(positions, x.size(-1), x.dtype)
    angle = torch.cat([angle, angle], dim=-1)
    return x * torch.cos(angle) + rotate_half(x) * torch.sin(angle)


def score_map(rotate, q, k, n_positions):
    """S[m, n] = <R_m q, R_n k>: one query q [d] and one key k [d] placed at every position."""
    positions = torch.arange(n_positions)
    rotated_q = rotate(q.expand(n_positions, -1), positions)
    rotated_k = rotate(k.expand(n_positions, -1), positions)
    return rotated_q @ rotated_k.T


def relative_score_spread(rotate, q, k, n_positions):
    """Largest max - min along any diagonal of score_map(rotate, q, k, n_positions).

    rotate(x, positions) is a RoPE implementation. The spread is zero (up to
    rounding) exactly when the score depends on the offset n - m only; a
    layout mistake (pairing and frequencies that do not match) makes it large.
    """
    scores = score_map(rotate, q, k, n_positions)
    return max(float(torch.diagonal(scores, offset).max() - torch.diagonal(scores, offset).min())
               for offset in range(-(n_positions - 1), n_positions))
