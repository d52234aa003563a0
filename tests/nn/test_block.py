"""Block: the pre-/post-norm flag places the norm as each paper writes it."""
import torch

from figures_src.nn.block import Block, FeedForward
from figures_src.nn.attention import causal_mask
from figures_src.nn.norms import RMSNorm


def test_feed_forward_is_relu_mlp():
    torch.manual_seed(0)
    ffn = FeedForward(8, 32)
    x = torch.randn(2, 3, 8)
    expected = torch.relu(x @ ffn.w_1.weight.T + ffn.w_1.bias) @ ffn.w_2.weight.T + ffn.w_2.bias
    torch.testing.assert_close(ffn(x), expected)


def test_post_norm_computes_ln_of_x_plus_f_of_x():
    torch.manual_seed(1)
    block = Block(16, 2, 32, pre_norm=False).eval()
    x = torch.randn(2, 5, 16)
    h = block.self_attn_norm(x + block.self_attn(x)[0])
    expected = block.ffn_norm(h + block.ffn(h))
    torch.testing.assert_close(block(x), expected)


def test_pre_norm_computes_x_plus_f_of_ln_x():
    torch.manual_seed(2)
    block = Block(16, 2, 32, pre_norm=True).eval()
    x = torch.randn(2, 5, 16)
    h = x + block.self_attn(block.self_attn_norm(x))[0]
    expected = h + block.ffn(block.ffn_norm(h))
    torch.testing.assert_close(block(x), expected)


def test_cross_attention_keys_come_from_memory():
    torch.manual_seed(3)
    block = Block(16, 2, 32, pre_norm=False, cross_attention=True).eval()
    x, memory = torch.randn(2, 5, 16), torch.randn(2, 9, 16)
    out = block(x, memory)
    assert not torch.allclose(out, block(x, memory + 1))
    h = block.self_attn_norm(x + block.self_attn(x)[0])
    h = block.cross_attn_norm(h + block.cross_attn(h, context=memory)[0])
    torch.testing.assert_close(out, block.ffn_norm(h + block.ffn(h)))


def test_attention_list_receives_the_self_attention_weights():
    torch.manual_seed(4)
    block = Block(16, 2, 32, causal=True).eval()
    x, seen = torch.randn(2, 6, 16), []
    block(x, attention=seen)
    (weights,) = seen
    _, expected = block.self_attn(block.self_attn_norm(x), mask=causal_mask(6))
    torch.testing.assert_close(weights, expected)


def test_norm_is_a_parameter():
    block = Block(16, 2, 32, norm=RMSNorm)
    assert isinstance(block.ffn_norm, RMSNorm) and isinstance(block.self_attn_norm, RMSNorm)


def test_block_applies_the_mask_functions():
    """causal=True zeroes exactly the weights causal_mask forbids; causal=False (full_mask) none;
    cross-attention sees every position of the memory."""
    from figures_src.nn.attention import full_mask
    torch.manual_seed(2)
    x, memory = torch.randn(1, 6, 16), torch.randn(1, 4, 16)
    for causal, expected in ((True, causal_mask(6)), (False, full_mask(6))):
        seen = []
        Block(16, 2, 32, causal=causal).eval()(x, attention=seen)
        assert torch.equal(seen[0][0, 0] > 0, expected)
    block = Block(16, 2, 32, causal=True, cross_attention=True).eval()
    cross = []
    block.cross_attn.register_forward_hook(lambda module, inputs, output: cross.append(output[1]))
    block(x, memory)
    assert torch.equal(cross[0][0, 0] > 0, full_mask(6, 4))


def test_d_ff_zero_is_an_attention_only_block():
    """d_ff=0: no feed-forward sub-layer at all (Elhage et al. 2021's attention-only
    transformers), so the block is x + attention(LN(x)) and nothing more."""
    torch.manual_seed(0)
    block = Block(d_model=8, n_heads=2, d_ff=0, pre_norm=True, causal=True)
    assert not any(name.startswith("ffn") for name, _ in block.named_parameters())
    x = torch.randn(2, 5, 8)
    out, _ = block.self_attn(block.self_attn_norm(x), mask=causal_mask(5))
    torch.testing.assert_close(block(x), x + out)
