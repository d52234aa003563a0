"""The rmsnorm figure draws what Zhang & Sennrich describe: RMSNorm equals
LayerNorm on zero-mean input, feels a shift that LayerNorm ignores, and
ignores a scale like LayerNorm (checked on the vectors the figure draws)."""
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
        assert (torch.nn.functional.layer_norm(v, v.shape) - data["outputs"]["LayerNorm"][kind]).abs().max() < 1e-9


def test_facts_describe_the_drawn_data(figure_data):
    data = figure_data(NAME)
    out, facts = data["outputs"], data["facts"]
    assert facts["rms_shift_change"] == float((out["RMSNorm"]["shifted"] - out["RMSNorm"]["x"]).abs().max())
    assert facts["ln_shift_change"] == float((out["LayerNorm"]["shifted"] - out["LayerNorm"]["x"]).abs().max())
    assert facts["zero_mean_difference"] == float((out["LayerNorm"]["x"] - out["RMSNorm"]["x"]).abs().max())
    assert facts["scale_change"] == max(float((out[name]["scaled"] - out[name]["x"]).abs().max())
                                        for name in ("LayerNorm", "RMSNorm"))
    assert facts["d"] == data["inputs"]["x"].numel()
