"""The positional-encoding figure draws the paper's formula, and its dot
products depend on the offset only (checked on the data the figure draws)."""
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
    data = figure_data(NAME)
    pe = data["pe"]
    gram = pe @ pe.T
    for offset in range(pe.shape[0]):
        diagonal = torch.diagonal(gram, offset)
        assert diagonal.max() - diagonal.min() < 1e-9, f"offset {offset}"
    # the plotted curves, one per start position, coincide
    assert (data["dots"] - data["dots"][0]).abs().max() < 1e-9
    assert not torch.allclose(data["dots"][0], data["dots"][0][0].expand_as(data["dots"][0]))


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    facts = data["facts"]
    assert (facts["n_positions"], facts["d_model"]) == tuple(data["pe"].shape)
    assert facts["dot_spread"] == float((data["dots"].max(0).values - data["dots"].min(0).values).max())


def test_caption_quotes_the_drawn_start_positions_and_longest_wavelength(figure_data):
    data = figure_data(NAME)
    facts, pe, dots = data["facts"], data["pe"], data["dots"]
    starts = [int(p) for p in facts["start_positions"].split(", ")]
    assert len(starts) == len(dots)
    for p, curve in zip(starts, dots):
        offsets = data["offsets"]
        assert torch.allclose(curve, (pe[p] * pe[p + offsets]).sum(-1))
    # the slowest sine (last even dimension) has frequency asin(PE(1, d-2)): wavelength 2*pi/omega
    omega = math.asin(pe[1, pe.shape[1] - 2])
    assert facts["longest_wavelength"] == pytest.approx(2 * math.pi / omega, rel=1e-3)
    assert facts["longest_wavelength"] < 10000 * 2 * math.pi
