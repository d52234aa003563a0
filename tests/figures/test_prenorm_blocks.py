"""The prenorm-blocks diagram computes what Block does: each drawn column,
replayed on the forward pass of a fresh Block(pre_norm=False / True) (forward
hooks, tests/figures/blockdot.py), puts the norm where that code puts it."""
import pytest
import torch

from blockdot import drawn_order, edges, replay, steps_of
from figures_src.figures import diagrams
from figures_src.build import style
from figures_src.nn.block import Block
from figures_src.build.render import render

NAME = "prenorm-blocks"


@pytest.fixture(scope="module")
def dot(figure_module, figure_data):
    return figure_module(NAME).draw(figure_data(NAME), style.LIGHT).source


@pytest.mark.parametrize("side, pre_norm", [("post", False), ("pre", True)])
def test_each_column_computes_its_block(dot, side, pre_norm):
    torch.manual_seed(0)
    block = Block(32, 4, 64, pre_norm=pre_norm)  # a fresh block, other sizes: none is drawn
    order = replay(dot, side, f"{side}_x", diagrams.call_order(block))
    assert order == [s for s in diagrams.describe(block).steps() if not s.endswith("_add")]


@pytest.mark.parametrize("side, pre_norm", [("post", True), ("pre", False)])
def test_control_a_column_does_not_compute_the_other_block(dot, side, pre_norm):
    torch.manual_seed(0)
    with pytest.raises(AssertionError):
        replay(dot, side, f"{side}_x", diagrams.call_order(Block(32, 4, 64, pre_norm=pre_norm)))


def spine(dot, side):
    """The steps on the straight residual line: the chain of edges drawn with the
    spine's weight, from the input to the output."""
    heavy = {t: h for t, h, a in edges(dot) if "weight=20" in a and t.startswith(side)}
    node, path = f"{side}_x", []
    while node in heavy:
        node = heavy[node]
        if node.startswith(f"{side}__"):  # a node of the block
            path += steps_of(node, side)
        else:  # the figure's own: the final norm, the output
            path.append(node[len(side) + 1:])
    return path


def test_layer_norm_sits_on_the_spine_for_post_norm_and_on_the_branch_for_pre_norm(dot):
    post, pre = spine(dot, "post"), spine(dot, "pre")
    assert post == ["self_attn_add", "self_attn_norm", "ffn_add", "ffn_norm", "x_next"]
    assert pre == ["self_attn_add", "ffn_add", "x_next", "final_norm", "output"]
    order, _ = drawn_order(dot, "pre", "pre_x")
    on_branch = [s for n in order for s in steps_of(n, "pre")]
    assert on_branch.index("self_attn_norm") < on_branch.index("self_attn")


def test_only_pre_norm_has_a_final_norm(dot, figure_data):
    sides = figure_data(NAME)["sides"]
    assert sides["pre"]["final_norm"] == "LayerNorm" and sides["post"]["final_norm"] is None
    assert "pre_final_norm [" in dot and "post_final_norm" not in dot


def test_titles_credit_pre_norm_to_its_origin(dot):
    assert "GPT-2 and later" not in dot
    assert "Wang et al. 2019" in dot and "Vaswani et al. 2017" in dot


@pytest.mark.parametrize("theme", style.THEMES, ids=lambda t: t.name)
def test_fits_a_laptop_screen(figure_module, figure_data, theme):
    rendered = render(figure_module(NAME).draw(figure_data(NAME), theme))
    assert rendered.height <= 680 and rendered.width <= 740


def test_stream_is_one_thick_road_from_x_l_to_x_l_plus_1(dot):
    """Issue 22: the residual stream is drawn thick in both panels, from the named input x_l to
    the named output x_l+1; in pre-norm nothing but the '+'s sits on it (the clean highway),
    in post-norm each LayerNorm does."""
    assert "<I>x<SUB>l</SUB></I>" in dot and "<I>x<SUB>l+1</SUB></I>" in dot
    for side, on_road in (("post", {"self_attn_add", "self_attn_norm", "ffn_add", "ffn_norm"}),
                          ("pre", {"self_attn_add", "ffn_add"})):
        thick = [(t, h) for t, h, a in edges(dot) if "penwidth=5" in a and t.startswith(side)]
        heads = [h for _, h in thick]
        assert heads[-1] == f"{side}_x_next" and thick[0][0] == f"{side}_x"
        steps = {s for h in heads if h.startswith(f"{side}__") for s in steps_of(h, side)}
        assert steps == on_road, (side, steps)
