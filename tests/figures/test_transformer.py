"""The architecture figure: its labels come from the config (not typed), and
the parameter count in its caption is counted on a real model."""
import re

import pytest

from figures_src.nn.transformer import EncoderDecoder, TransformerConfig, count_parameters
from figures_src.style import LIGHT

NAME = "transformer"


def labels(source):
    """The numbers the diagram shows, parsed back out of the DOT source."""
    text = re.sub(r"<[^<>]*>", "", source)  # drop HTML-like tags (<I>, <SUB>, ...)
    found = {
        "n_layers": re.findall(r"N = (\d+) ×", text),
        "n_heads": re.findall(r"h = (\d+),", text),
        "d_k": re.findall(r"dk = (?:dv = )?(\d+)", text),
        "ffn": re.findall(r"(\d+) → (\d+) → (\d+)", text),
        "embedding": re.findall(r"(\d+) × (\d+)", text),
        "linear": re.findall(r"Linear\s*(\d+) → (\d+)", text),
    }
    assert all(found.values()), f"labels missing from the DOT: {found}"
    return found


def expected_labels(config):
    return {
        "n_layers": {str(config.n_layers)},
        "n_heads": {str(config.n_heads)},
        "d_k": {str(config.d_k)},
        "ffn": {(str(config.d_model), str(config.d_ff), str(config.d_model))},
        "embedding": {(str(config.vocab_size), str(config.d_model))},
        "linear": {(str(config.d_model), str(config.vocab_size))},
    }


def test_labels_equal_the_config(figure_data, figure_module):
    source = figure_module(NAME).draw(figure_data(NAME), LIGHT).source
    found = {key: set(values) for key, values in labels(source).items()}
    assert found == expected_labels(figure_module(NAME).CONFIG)
    assert len(labels(source)["n_layers"]) == 2  # both stacks say N x


def test_labels_follow_another_config(figure_module):
    """Drawn from a different config, every number changes with it: none is typed."""
    module = figure_module(NAME)
    small = TransformerConfig(n_layers=3, d_model=96, d_ff=160, n_heads=4, vocab_size=1234)
    source = module.draw(module.compute(small), LIGHT).source
    assert {key: set(values) for key, values in labels(source).items()} == expected_labels(small)


def test_parameter_count_is_counted_on_the_model(figure_data, figure_module):
    config = figure_module(NAME).CONFIG
    facts = figure_data(NAME)["facts"]
    assert facts["params"] == count_parameters(EncoderDecoder(config))
    assert facts["vocab_size"] == config.vocab_size  # the caption states its vocabulary


def test_parameter_count_matches_the_architecture(figure_data, figure_module):
    """An independent count from the paper's shapes (tied embeddings, LayerNorm gain + bias)."""
    c = figure_module(NAME).CONFIG
    d, dff = c.d_model, c.d_ff
    attention = 4 * (d * d + d)
    ffn = d * dff + dff + dff * d + d
    norm = 2 * d
    encoder_layer = attention + ffn + 2 * norm
    decoder_layer = 2 * attention + ffn + 3 * norm
    embedding = c.vocab_size * d  # shared by both embeddings and the output layer
    expected = embedding + c.n_layers * (encoder_layer + decoder_layer)
    assert figure_data(NAME)["facts"]["params"] == expected
    assert figure_data(NAME)["facts"]["params_millions"] == pytest.approx(expected / 1e6, rel=1e-3)
