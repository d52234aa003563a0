"""The hand-written attention against PyTorch's own, and the facts the post states about it."""
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from figures_src.nn.attention import MultiHeadAttention, causal_mask, scaled_dot_product_attention


def explicit_attention(q, k, v, allowed=None):
    """The equation with loops over query rows, independent of the implementation under test."""
    out = torch.empty(*q.shape[:-1], v.shape[-1], dtype=q.dtype)
    weights = torch.empty(*q.shape[:-1], k.shape[-2], dtype=q.dtype)
    for i in range(q.shape[-2]):
        scores = (q[..., i:i + 1, :] * k).sum(-1) / math.sqrt(q.shape[-1])
        if allowed is not None:
            scores = torch.where(allowed[i], scores, torch.tensor(-math.inf, dtype=q.dtype))
        w = scores.exp() / scores.exp().sum(-1, keepdim=True)
        weights[..., i, :] = w
        out[..., i, :] = (w[..., None] * v).sum(-2)
    return out, weights


@pytest.mark.parametrize("masked", [False, True])
def test_sdpa_equals_the_equation(masked):
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 3, 5, 8, dtype=torch.float64) for _ in range(3))
    mask = causal_mask(5) if masked else None
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    ref_out, ref_weights = explicit_attention(q, k, v, mask)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(weights, ref_weights)


@pytest.mark.skipif(not hasattr(F, "_scaled_dot_product_attention"),
                    reason="torch has no _scaled_dot_product_attention")
def test_sdpa_equals_torch_internal_sdpa():
    torch.manual_seed(1)
    q, k, v = (torch.randn(2, 4, 6, 16) for _ in range(3))
    mask = causal_mask(6)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    ref_out, ref_weights = F._scaled_dot_product_attention(q, k, v, mask, 0.0, True, False)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(weights, ref_weights)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("cross", [False, True])
def test_multi_head_equals_torch(bias, cross):
    torch.manual_seed(2)
    torch_mha = nn.MultiheadAttention(32, 4, bias=bias, batch_first=True)
    mha = MultiHeadAttention.from_torch(torch_mha)
    x = torch.randn(3, 7, 32)
    context = torch.randn(3, 5, 32) if cross else x
    mask = None if cross else causal_mask(7)
    torch_mask = None if mask is None else ~mask  # PyTorch: True = NOT allowed
    ref_out, ref_weights = torch_mha(x, context, context, attn_mask=torch_mask,
                                     average_attn_weights=False)
    out, weights = mha(x, context=None if not cross else context, mask=mask)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(weights, ref_weights)
    assert weights.shape == (3, 4, 7, context.shape[1])


@pytest.mark.parametrize("bias", [True, False])
def test_to_torch_is_the_inverse_of_from_torch(bias):
    torch.manual_seed(3)
    mha = MultiHeadAttention(16, 2, bias=bias)
    twin = mha.to_torch()
    x = torch.randn(2, 5, 16)
    ref_out, _ = twin(x, x, x)
    torch.testing.assert_close(mha(x)[0], ref_out)
    back = MultiHeadAttention.from_torch(twin)
    for ours, theirs in zip(mha.parameters(), back.parameters()):
        torch.testing.assert_close(ours, theirs)


def test_multi_head_equals_functional_forward():
    torch.manual_seed(3)
    mha = MultiHeadAttention(16, 2)
    x = torch.randn(4, 6, 16)
    w = torch.cat([mha.w_q.weight, mha.w_k.weight, mha.w_v.weight])
    b = torch.cat([mha.w_q.bias, mha.w_k.bias, mha.w_v.bias])
    xt = x.transpose(0, 1)  # the functional form is sequence-first
    ref, _ = F.multi_head_attention_forward(
        xt, xt, xt, 16, 2, w, b, None, None, False, 0.0, mha.w_o.weight, mha.w_o.bias,
        training=False)
    torch.testing.assert_close(mha(x)[0], ref.transpose(0, 1))


def test_multi_head_rejects_indivisible_width():
    with pytest.raises(ValueError, match="d_model=10"):
        MultiHeadAttention(10, 3)


def test_causal_weights_above_diagonal_are_exactly_zero():
    torch.manual_seed(4)
    mha = MultiHeadAttention(16, 2)
    _, weights = mha(torch.randn(2, 9, 16), mask=causal_mask(9))
    above = torch.ones(9, 9, dtype=torch.bool).triu(1)
    assert torch.all(weights[..., above] == 0)
    assert torch.all(weights[..., ~above] > 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 2, 9))


def test_causal_output_ignores_later_tokens():
    torch.manual_seed(5)
    mha = MultiHeadAttention(16, 2)
    x = torch.randn(1, 10, 16)
    changed = x.clone()
    t = 4
    changed[:, t + 1:] = torch.randn(1, 10 - t - 1, 16)
    out, out_changed = mha(x, mask=causal_mask(10))[0], mha(changed, mask=causal_mask(10))[0]
    assert torch.equal(out[:, :t + 1], out_changed[:, :t + 1])
    assert not torch.allclose(out[:, t + 1:], out_changed[:, t + 1:])
    # without the mask, the past does see the future: the mask is what makes the difference
    assert not torch.allclose(mha(x)[0][:, :t + 1], mha(changed)[0][:, :t + 1])


@pytest.mark.parametrize("d_k", [16, 64, 256])
def test_dot_product_variance_is_d_k(d_k):
    """Why the scale: for unit-variance components, var(q.k) = d_k; divided by sqrt(d_k) it is 1."""
    generator = torch.Generator().manual_seed(d_k)
    q = torch.randn(100_000, d_k, generator=generator, dtype=torch.float64)
    k = torch.randn(100_000, d_k, generator=generator, dtype=torch.float64)
    dots = (q * k).sum(-1)
    assert abs(dots.var().item() / d_k - 1) < 0.1
    assert abs((dots / math.sqrt(d_k)).var().item() - 1) < 0.1


def test_full_mask_allows_everything():
    from figures_src.nn.attention import full_mask
    assert full_mask(3).shape == (3, 3) and full_mask(2, 5).shape == (2, 5)
    assert full_mask(2, 5).all() and full_mask(2, 5).dtype == torch.bool
    assert torch.equal(causal_mask(4), full_mask(4).tril())
