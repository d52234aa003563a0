"""diagrams.draw_block draws what Block.forward computes, for every kind of block.

The drawn DOT is replayed as a data-flow graph on the tensors that forward
hooks record (tests/figures/blockdot.py): the drawn order of the sub-modules
must be the order forward() calls them, each must be fed what the arrows
bring it, and each "+" must be the residual sum forward() makes.
"""
import itertools

import pytest
import torch

from blockdot import replay, steps_of
from figures_src.figures import diagrams
from figures_src.build import style
from figures_src.nn.block import Block
from figures_src.nn.norms import RMSNorm

KINDS = list(itertools.product((False, True), repeat=3))  # pre_norm, causal, cross_attention


def block(pre_norm, causal, cross_attention, **kwargs):
    torch.manual_seed(0)
    return Block(16, 2, 24, pre_norm=pre_norm, causal=causal, cross_attention=cross_attention,
                 **kwargs)


def drawing(spec, side="right", add_norm=False, theme=style.LIGHT):
    g = theme.digraph("test", rankdir="BT")
    g.node("x", "x")
    drawn = diagrams.draw_block(g, spec, theme, "b", "x", side=side, add_norm=add_norm, sizes=True)
    return g.source, drawn


@pytest.mark.parametrize("pre_norm, causal, cross_attention", KINDS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_drawn_block_computes_the_forward_pass(pre_norm, causal, cross_attention, side):
    b = block(pre_norm, causal, cross_attention)
    spec = diagrams.describe(b)
    assert (spec.pre_norm, spec.causal, spec.cross_attention) == (pre_norm, causal, cross_attention)
    source, drawn = drawing(spec, side=side)
    order = replay(source, "b", "x", diagrams.call_order(b))
    assert order == [s for s in spec.steps() if not s.endswith("_add")]


@pytest.mark.parametrize("causal, cross_attention",
                         list(itertools.product((False, True), repeat=2)))
def test_add_and_norm_boxes_compute_the_post_norm_block(causal, cross_attention):
    b = block(False, causal, cross_attention)
    source, _ = drawing(diagrams.describe(b), add_norm=True)
    assert "Add &amp; Norm" in source
    replay(source, "b", "x", diagrams.call_order(b))


@pytest.mark.parametrize("pre_norm, causal, cross_attention", KINDS)
def test_a_drawing_of_the_other_norm_placement_fails(pre_norm, causal, cross_attention):
    """Control: the pre-norm picture of a post-norm block (and vice versa) is caught."""
    b = block(pre_norm, causal, cross_attention)
    wrong = diagrams.BlockSpec(**{**vars(diagrams.describe(b)), "pre_norm": not pre_norm})
    source, _ = drawing(wrong)
    with pytest.raises(AssertionError):
        replay(source, "b", "x", diagrams.call_order(b))


def test_a_drawing_without_cross_attention_fails_for_a_decoder_block():
    """Control: leaving out a sub-layer the forward pass runs is caught."""
    b = block(False, True, True)
    wrong = diagrams.BlockSpec(**{**vars(diagrams.describe(b)), "cross_attention": False})
    with pytest.raises(AssertionError):
        replay(drawing(wrong)[0], "b", "x", diagrams.call_order(b))


@pytest.mark.parametrize("causal", [False, True])
def test_masked_label_exactly_when_the_weights_are_masked(causal):
    b = block(True, causal, False)
    calls = {c.name: c for c in diagrams.call_order(b, length=6)}
    weights = calls["self_attn"].output[1]
    above = torch.ones(6, 6, dtype=torch.bool).triu(1)
    assert bool(torch.all(weights[..., above] == 0)) == causal
    source, drawn = drawing(diagrams.describe(b))
    assert ("Masked Multi-Head" in source) == causal


def test_labels_come_from_the_block():
    spec = diagrams.describe(Block(48, 3, 80, norm=RMSNorm))
    assert (spec.d_model, spec.n_heads, spec.d_ff, spec.d_k, spec.norm) == (48, 3, 80, 16,
                                                                            "RMSNorm")
    source, _ = drawing(spec)
    assert "48 → 80 → 48" in source and "<I>h</I> = 3" in source and "RMSNorm" in source


def test_call_order_leaves_the_block_and_the_random_state_alone():
    b = block(True, True, True).train()
    state = torch.get_rng_state()
    diagrams.call_order(b)
    assert b.training and torch.equal(state, torch.get_rng_state())
    assert not any(m._forward_hooks for m in b.modules())


def test_steps_of_reads_the_node_names():
    _, drawn = drawing(diagrams.describe(block(False, False, False)), add_norm=True)
    for node, steps in drawn.steps.items():
        assert steps_of(node, "b") == steps
