"""The rmsnorm figure draws what Zhang & Sennrich describe: RMSNorm equals
LayerNorm on zero-mean input, feels a shift that LayerNorm ignores, and
ignores a scale like LayerNorm (checked on the vectors the figure draws)."""
import pytest
import torch

NAME = "rmsnorm"
TOLERANCE = 1e-4  # the norms' epsilons (1e-5, 1e-6) leave differences around 1e-5


def test_inputs_are_zero_mean_shifted_and_scaled(figure_data):
    data = figure_data(NAME)
    x, facts = data["inputs"]["x"], data["facts"]
    assert abs(float(x.mean())) < 1e-12
    assert torch.allclose(data["inputs"]["shifted"], x + facts["shift"])
    assert torch.allclose(data["inputs"]["scaled"], x * facts["scale"])
    assert facts["shift"] != 0 and facts["scale"] != 1


def test_on_zero_mean_input_the_two_agree(figure_data):
    out = figure_data(NAME)["outputs"]
    assert (out["LayerNorm"]["x"] - out["RMSNorm"]["x"]).abs().max() < TOLERANCE


def test_shift_moves_rmsnorm_but_not_layernorm(figure_data):
    out = figure_data(NAME)["outputs"]
    assert (out["LayerNorm"]["shifted"] - out["LayerNorm"]["x"]).abs().max() < TOLERANCE
    assert (out["RMSNorm"]["shifted"] - out["RMSNorm"]["x"]).abs().max() > 0.1


def test_scale_changes_neither(figure_data):
    out = figure_data(NAME)["outputs"]
    for name in ("LayerNorm", "RMSNorm"):
        assert (out[name]["scaled"] - out[name]["x"]).abs().max() < TOLERANCE, name


def test_outputs_follow_the_formulas(figure_data):
    """The drawn outputs are the papers' formulas (gain 1, bias 0), not just self-consistent."""
    data = figure_data(NAME)
    for kind, v in data["inputs"].items():
        rms = v / v.pow(2).mean().sqrt()
        layer = (v - v.mean()) / v.std(unbiased=False)
        assert (data["outputs"]["RMSNorm"][kind] - rms).abs().max() < TOLERANCE, kind
        assert (data["outputs"]["LayerNorm"][kind] - layer).abs().max() < TOLERANCE, kind
        assert (torch.nn.functional.layer_norm(v, v.shape)
                - data["outputs"]["LayerNorm"][kind]).abs().max() < 1e-9


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    out, facts = data["outputs"], data["facts"]
    assert facts["rms_shift_change"] == float(
        (out["RMSNorm"]["shifted"] - out["RMSNorm"]["x"]).abs().max())
    assert facts["ln_shift_change"] == float(
        (out["LayerNorm"]["shifted"] - out["LayerNorm"]["x"]).abs().max())
    assert facts["zero_mean_difference"] == float(
        (out["LayerNorm"]["x"] - out["RMSNorm"]["x"]).abs().max())
    assert facts["scale_change"] == max(float((out[name]["scaled"] - out[name]["x"]).abs().max())
                                        for name in ("LayerNorm", "RMSNorm"))
    assert facts["d"] == data["inputs"]["x"].numel()


def test_figure_gives_each_inputs_mean_and_rms(figure_data, figure_module):
    """Issue 22: the reader sees why RMSNorm moves: each input's mean and RMS (legend), and the
    shifted output's mean, which is the input's mean over its RMS (RMSNorm keeps it)."""
    from figures_src.build import style
    data = figure_data("rmsnorm")
    facts = data["facts"]
    for kind, v in data["inputs"].items():
        assert facts[f"mean_{kind}"] == pytest.approx(float(v.mean()), abs=1e-12)
        assert facts[f"rms_{kind}"] == pytest.approx(float(v.pow(2).mean().sqrt()), abs=1e-12)
    assert facts["rms_shifted_output_mean"] == pytest.approx(
        facts["mean_shifted"] / facts["rms_shifted"], abs=1e-4)
    with style.LIGHT.rc():
        fig = figure_module("rmsnorm").draw(data, style.LIGHT)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[1].endswith(f"mean {facts['mean_shifted']:.2f}, RMS {facts['rms_shifted']:.2f}")
    texts = [t.get_text() for t in fig.axes[2].texts]
    assert any(f"mean {facts['rms_shifted_output_mean']:.2f}" in t for t in texts)
