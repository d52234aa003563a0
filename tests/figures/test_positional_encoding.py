"""The positional-encoding figure draws the paper's formula; the heat maps
leave out only pairs that barely move; the waves' curves pass through the
integer samples; each pair turns like a clock hand, so dot products depend
on the offset only (all checked on the data the figure draws)."""
import math

import pytest

import torch

NAME = "positional-encoding"


def test_matches_the_papers_formula(figure_data):
    pe = figure_data(NAME)["pe"]
    n, d = pe.shape
    expected = torch.tensor([[math.sin(p / 10000 ** (j / d)) if j % 2 == 0
                              else math.cos(p / 10000 ** ((j - 1) / d))
                              for j in range(d)] for p in range(n)], dtype=torch.float64)
    assert (pe - expected).abs().max() < 1e-6


def test_dot_product_depends_on_offset_only(figure_data):
    pe = figure_data(NAME)["pe"]
    gram = pe @ pe.T
    for offset in range(pe.shape[0]):
        diagonal = torch.diagonal(gram, offset)
        assert diagonal.max() - diagonal.min() < 1e-9, f"offset {offset}"
    assert abs(float(gram[0, 1] - gram[0, 7])) > 1e-3  # ... and it does depend on the offset


def test_cropped_pairs_barely_move_and_shown_ones_do(figure_data):
    data = figure_data(NAME)
    pe, shown = data["pe"], data["n_pairs_shown"]
    assert data["facts"]["max_pair"] == shown - 1
    sines, cosines = pe[:, 0::2], pe[:, 1::2]
    eighth_turn = math.sin(math.pi / 4)
    # every shown pair's hand turns at least an eighth of a turn; the first left-out one does not
    assert sines[:, :shown].max(0).values.min() >= eighth_turn
    assert sines[:, shown:].max() < eighth_turn and cosines[:, shown:].min() > eighth_turn
    assert shown < 0.6 * pe.shape[1] // 2  # the crop removes a large part of the map


def test_waves_are_continuous_through_the_integer_samples(figure_data):
    data = figure_data(NAME)
    x, omega, pe = data["wave_positions"], data["omega"], data["pe"]
    for pair, curve in data["waves"].items():
        whole = (x == x.round()).nonzero().flatten()
        assert torch.allclose(curve[whole], pe[x[whole].long(), 2 * pair], atol=1e-12)
        assert torch.allclose(curve, torch.sin(x * omega[pair]))
    # the i = 0 curve is sampled finely enough to show its 2*pi period between integers
    assert (x[1] - x[0]) * 20 < 1 and abs(2 * math.pi / float(omega[0]) - 2 * math.pi) < 1e-12


def test_each_pair_turns_like_a_clock_hand(figure_data):
    """Hand i at pos is (PE(pos, 2i), PE(pos, 2i+1)): unit length, and pos -> pos + k turns it by
    k * omega_i whatever pos is (the rotation behind offset-only dot products)."""
    data = figure_data(NAME)
    pe, omega = data["pe"], data["omega"]
    hands = torch.stack([pe[:, 0::2], pe[:, 1::2]], dim=-1)  # [pos, pair, (x, y)]
    assert torch.allclose(hands.norm(dim=-1), torch.ones(hands.shape[:2], dtype=torch.float64))
    angle = torch.atan2(hands[..., 0], hands[..., 1])  # clockwise from 12 o'clock
    for k in (1, 5):
        turn = (angle[k:] - angle[:-k] - k * omega + math.pi) % (2 * math.pi) - math.pi
        assert turn.abs().max() < 1e-9, k
    assert (hands[0, :, 1] == 1).all()  # pos = 0: every hand points up


def test_bottom_row_draws_pe_pos_plus_k_as_a_rotation(figure_data, figure_module):
    """Issue 22, the text's key claim: from pos to pos + k every pair's hand turns by k * omega_i,
    the same from each drawn start. Read off the drawn arcs, against the facts the figure lists."""
    from matplotlib.patches import Arc

    from figures_src.build import style
    data = figure_data(NAME)
    with style.LIGHT.rc():
        fig = figure_module(NAME).draw(data, style.LIGHT)
    arcs = {a.get_gid(): a for a in fig.findobj(Arc) if (a.get_gid() or "").startswith("turn/")}
    k, starts = data["rotation_k"], data["rotation_from"]
    assert len(starts) == 2 and len(arcs) == 2 * len(data["waves"])
    for pair in data["waves"]:
        turn = math.degrees(k * float(data["omega"][pair]))
        assert data["facts"][f"turn_deg_{pair}"] == pytest.approx(turn % 360)
        for start in starts:
            arc = arcs[f"turn/{start}/{pair}"]
            assert arc.theta2 - arc.theta1 == pytest.approx(turn)
            # the arc starts where hand i points at pos (theta2) and ends at pos + k (theta1)
            for theta, pos in ((arc.theta2, start), (arc.theta1, start + k)):
                x, y = data["pe"][pos, 2 * pair], data["pe"][pos, 2 * pair + 1]
                assert math.cos(math.radians(theta)) == pytest.approx(float(x), abs=1e-9)
                assert math.sin(math.radians(theta)) == pytest.approx(float(y), abs=1e-9)
