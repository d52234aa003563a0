"""The prenorm-blocks diagram is Block.forward's code path, bottom to top:
walking its main path in the generated DOT gives block_code_path() of
Block(pre_norm=False) and Block(pre_norm=True), which differ where the norm sits."""
import re

import pytest

from figures_src import style
from figures_src.nn.block import Block, block_code_path

NAME = "prenorm-blocks"
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?\s*$")


@pytest.fixture(scope="module")
def dot(figure_module, figure_data):
    return figure_module(NAME).draw(figure_data(NAME), style.LIGHT).source


def main_path(source, side):
    """Node names met walking up the solid (non-residual, visible) edges from the input."""
    successors = {}
    for line in source.splitlines():
        match = EDGE.match(line)
        if match and "dashed" not in (match.group(3) or "") and "invis" not in (match.group(3) or ""):
            successors.setdefault(match.group(1), []).append(match.group(2))
    node, path = f"{side}__x", []
    while node in successors:
        (node,) = successors[node]  # one way up: the diagram is a single path plus residuals
        path.append(node.split("__", 1)[1])
        assert len(path) < 50, "cycle in the diagram"
    return path


@pytest.mark.parametrize("side, pre_norm", [("post", False), ("pre", True)])
def test_diagram_follows_the_code_path(dot, side, pre_norm):
    expected = block_code_path(Block(32, 4, 64, pre_norm=pre_norm))  # a fresh block, other sizes
    drawn = [name for name in main_path(dot, side) if not name.startswith("split_")]
    stack_end = ["final_norm", "output"] if pre_norm else ["output"]
    assert drawn == expected + stack_end


def test_the_two_blocks_differ_where_the_norm_sits(figure_data):
    sides = figure_data(NAME)["sides"]
    post, pre = sides["post"]["code_path"], sides["pre"]["code_path"]
    assert post != pre
    kinds = {s.name: s.kind for side in sides.values() for s in side["steps"]}
    for path in (post, pre):
        assert [kinds[n] for n in path].count("norm") == 2
    # post-norm: every norm right after an addition; pre-norm: right before a sub-layer
    assert all(kinds[post[i - 1]] == "add" for i, n in enumerate(post) if kinds[n] == "norm")
    assert all(kinds[pre[i + 1]] in ("attention", "feed_forward") for i, n in enumerate(pre) if kinds[n] == "norm")
    # the same sub-layers and additions, only the norms moved
    assert [n for n in post if kinds[n] != "norm"] == [n for n in pre if kinds[n] != "norm"]


def test_only_pre_norm_has_a_final_norm(dot, figure_data):
    sides = figure_data(NAME)["sides"]
    assert sides["pre"]["final_norm"] and not sides["post"]["final_norm"]
    assert "pre__final_norm [" in dot and "post__final_norm" not in dot


def test_residuals_skip_exactly_the_sub_layers(dot, figure_data):
    """Each dashed edge enters an addition; there is one per sub-layer."""
    for side in ("post", "pre"):
        dashed = [m.groups()[:2] for m in map(EDGE.match, dot.splitlines())
                  if m and "dashed" in (m.group(3) or "") and m.group(1).startswith(f"{side}__")]
        adds = [s.name for s in figure_data(NAME)["sides"][side]["steps"] if s.kind == "add"]
        assert sorted(head.split("__", 1)[1] for _, head in dashed) == sorted(adds)
