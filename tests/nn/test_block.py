"""Block: the pre-/post-norm flag changes the code path, and the traced path is the computed one."""
import torch

from figures_src.nn.block import Block, FeedForward, block_code_path, block_steps
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
    h = block.self_attn_norm(x + block.self_attn(x))
    expected = block.ffn_norm(h + block.ffn(h))
    torch.testing.assert_close(block(x), expected)


def test_pre_norm_computes_x_plus_f_of_ln_x():
    torch.manual_seed(2)
    block = Block(16, 2, 32, pre_norm=True).eval()
    x = torch.randn(2, 5, 16)
    h = x + block.self_attn(block.self_attn_norm(x))
    expected = h + block.ffn(block.ffn_norm(h))
    torch.testing.assert_close(block(x), expected)


def test_code_paths_differ_as_the_papers_draw_them():
    post = block_code_path(Block(16, 2, 32, pre_norm=False))
    pre = block_code_path(Block(16, 2, 32, pre_norm=True))
    # post-norm: the norm comes after the residual addition
    assert post.index("self_attn") < post.index("add") < post.index("self_attn_norm")
    # pre-norm: the norm comes before the sub-layer, the addition last
    assert pre.index("self_attn_norm") < pre.index("self_attn") < pre.index("add")
    assert sorted(post) == sorted(pre) and post != pre


def test_pre_norm_residual_stream_skips_the_norms():
    """In pre-norm, each addition reads the previous addition (or the input), never a norm."""
    for pre_norm, residual_kinds in ((True, {"input", "add"}), (False, {"input", "norm"})):
        steps = block_steps(Block(16, 2, 32, pre_norm=pre_norm))
        kind = {s.name: s.kind for s in steps}
        for add in (s for s in steps if s.kind == "add"):
            assert {kind[name] for name in add.inputs} - {"attention", "feed_forward"} <= residual_kinds


def test_cross_attention_reads_memory_and_causal_adds_mask():
    steps = {s.name: s for s in block_steps(Block(16, 2, 32, causal=True, cross_attention=True))}
    assert "memory" in steps["cross_attn"].inputs
    assert "causal_mask" in steps["self_attn"].inputs
    plain = {s.name for s in block_steps(Block(16, 2, 32))}
    assert "memory" not in plain and "causal_mask" not in plain and "cross_attn" not in plain


def test_cross_attention_keys_come_from_memory():
    torch.manual_seed(3)
    block = Block(16, 2, 32, cross_attention=True).eval()
    x, memory = torch.randn(2, 5, 16), torch.randn(2, 9, 16)
    out = block(x, memory)
    assert block.cross_attn.last_weights.shape == (2, 2, 5, 9)
    assert not torch.allclose(out, block(x, memory + 1))


def test_norm_is_a_parameter():
    block = Block(16, 2, 32, norm=RMSNorm)
    assert isinstance(block.ffn_norm, RMSNorm)
    assert [s.kind for s in block_steps(block)].count("norm") == 2
