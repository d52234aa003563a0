"""The rope figure draws RoFormer's property: the score map is constant along
its diagonals (float64), rotations keep norms, and the layout check catches a
pairing that does not match the frequencies (checked on the drawn maps)."""
import math

import torch

from figures_src.nn.positional import apply_rope, rope_frequencies

NAME = "rope"


def diagonal_spreads(scores):
    """max - min along every diagonal of a square map."""
    n = scores.shape[0]
    return torch.tensor([float(torch.diagonal(scores, o).max() - torch.diagonal(scores, o).min())
                         for o in range(-(n - 1), n)], dtype=torch.float64)


def test_score_map_is_constant_along_diagonals(figure_data):
    data = figure_data(NAME)
    scores = data["scores"]["rope"]
    assert scores.dtype == torch.float64
    assert diagonal_spreads(scores).max() < 1e-10
    # ... and not constant overall: the offset does matter
    assert data["scores"]["rope"].std() > 0.1


def test_mixed_up_layout_breaks_the_diagonals(figure_data):
    spreads = diagonal_spreads(figure_data(NAME)["scores"]["mismatched"])
    assert spreads.max() > 1e-3


def test_scores_are_dot_products_of_rotated_q_and_k(figure_data):
    """S[m, n] = sum_i |q_i||k_i| cos((m - n) theta_i + phase_i), from the paper's complex form."""
    data = figure_data(NAME)
    q, k, scores = data["q"], data["k"], data["scores"]["rope"]
    theta = 10000 ** (-torch.arange(0, q.numel(), 2, dtype=torch.float64) / q.numel())
    q_c = torch.complex(q[0::2], q[1::2])
    k_c = torch.complex(k[0::2], k[1::2])
    for m, n in ((0, 0), (3, 17), (25, 2), (31, 31)):
        expected = (q_c * k_c.conj() * torch.exp(1j * (m - n) * theta)).sum().real
        assert abs(float(scores[m, n] - expected)) < 1e-10, (m, n)


def test_rotation_keeps_norms_and_turns_each_pair_by_m_theta(figure_data):
    data = figure_data(NAME)
    q, pair_index = data["q"], data["facts"]["pair"]
    theta = rope_frequencies(q.numel())
    assert torch.allclose(theta,
                          10000 ** (-torch.arange(0, q.numel(), 2,
                                                  dtype=torch.float64) / q.numel()))
    drawn = data["rotated_q_pair"]  # [N, 2]: pair `pair_index` of R_m q, m = 0..N-1
    base = q[2 * pair_index: 2 * pair_index + 2]
    for m in range(drawn.shape[0]):
        angle = m * float(theta[pair_index])
        rotation = torch.tensor([[math.cos(angle), -math.sin(angle)],
                                 [math.sin(angle), math.cos(angle)]],
                                dtype=torch.float64)
        assert torch.allclose(drawn[m], rotation @ base, atol=1e-12)
    rotated = apply_rope(q.expand(drawn.shape[0], -1), torch.arange(drawn.shape[0]))
    assert (rotated.norm(dim=-1) - q.norm()).abs().max() < 1e-12
    assert data["norm_error"] < 1e-12


def test_pairing_must_match_the_frequencies(figure_module):
    """The check catches the layout bug on fresh vectors, not only on the drawn ones (the one
    copy of the bug is the figure's; the equivalent rotate-half layout is tested in tests/nn)."""
    module = figure_module(NAME)
    generator = torch.Generator().manual_seed(1)
    q, k = torch.randn(2, 16, dtype=torch.float64, generator=generator)
    from figures_src.nn.positional import relative_score_spread

    assert relative_score_spread(module.apply_rope_mismatched, q, k, 12) > 1e-3
    assert relative_score_spread(apply_rope, q, k, 12) < 1e-10


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    facts = data["facts"]
    assert facts["diagonal_spread"] == float(diagonal_spreads(data["scores"]["rope"]).max())
    assert (data["spreads"]["mismatched"]
            == float(diagonal_spreads(data["scores"]["mismatched"]).max()))
    assert (facts["diagonal_spread"] == data["spreads"]["rope"]
            < 1e-10 < data["spreads"]["mismatched"])
    assert (facts["d"], facts["n_positions"]) == (data["q"].numel(),
                                                  data["scores"]["rope"].shape[0])


def test_same_offset_placements_show_the_same_angle(figure_data):
    """The top row: q at m and k at n, for two (m, n) with one offset; both arrows turn, the angle
    stays."""
    data = figure_data(NAME)
    (m0, n0), (m1, n1) = data["same_offset"]
    assert n0 - m0 == n1 - m1 and m0 != m1
    q_pair, k_pair = data["rotated_q_pair"], data["rotated_k_pair"]

    def direction(vec):
        return math.degrees(math.atan2(float(vec[1]), float(vec[0])))

    def wrapped(degrees):
        return (degrees + 180) % 360 - 180

    # both arrows really turned between the panels (by (m1 - m0) theta_pair, not a multiple of 360)
    assert abs(wrapped(direction(q_pair[m1]) - direction(q_pair[m0]))) > 10
    assert abs(wrapped(direction(k_pair[n1]) - direction(k_pair[n0]))) > 10
    for (m, n), drawn in zip(data["same_offset"], data["placement_angles"]):
        assert abs(wrapped(direction(k_pair[n]) - direction(q_pair[m]) - drawn)) < 1e-9, (m, n)
    assert abs(data["placement_angles"][0] - data["placement_angles"][1]) < 1e-9
    assert data["facts"]["pair_angle_degrees"] == abs(data["placement_angles"][0])


def test_both_maps_share_one_symmetric_colour_scale(figure_data, figure_module):
    """Issue 22: the two score maps had ±12 and ±18; a colour now means one score in both."""
    from matplotlib.image import AxesImage

    from figures_src.build import style
    data = figure_data("rope")
    with style.LIGHT.rc():
        fig = figure_module("rope").draw(data, style.LIGHT)
    images = [im for ax in fig.axes for im in ax.get_images() if isinstance(im, AxesImage)]
    maps = [im for im in images if im.get_array().ndim == 2 and im.get_array().shape[0] > 2]
    assert len(maps) == 2
    limits = {(im.norm.vmin, im.norm.vmax) for im in maps}
    assert len(limits) == 1
    ((low, high),) = limits
    assert low == -high == -max(float(s.abs().max()) for s in data["scores"].values())
