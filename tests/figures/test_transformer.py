"""The architecture figure: its labels come from the config (not typed), and
the parameter count in its caption is counted on a real model."""
import re

import pytest

from figures_src.nn.transformer import EncoderDecoder, TransformerConfig, count_parameters
from figures_src.build.style import LIGHT

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


# -- the drawing: the post's one block drawing, fitted to a laptop screen -------

from blockdot import edges, replay  # noqa: E402
from figures_src.figures import diagrams  # noqa: E402
from figures_src.build.render import render  # noqa: E402
from figures_src.build.style import DARK  # noqa: E402


@pytest.fixture(scope="module")
def dot(figure_data, figure_module):
    return figure_module(NAME).draw(figure_data(NAME), LIGHT).source


@pytest.mark.parametrize("side, stack", [("enc", "encoder"), ("dec", "decoder")])
def test_drawn_blocks_compute_the_models_blocks(dot, figure_data, side, stack):
    """Each drawn stack, replayed on its real first block's forward pass (hooks)."""
    block = getattr(EncoderDecoder(TransformerConfig(n_layers=1, d_model=32, d_ff=48, n_heads=4,
                                                     vocab_size=11)), stack).blocks[0]
    spec = figure_data(NAME)["blocks"][side]
    assert diagrams.describe(block) == diagrams.BlockSpec(**{**vars(spec), "d_model": 32,
                                                             "n_heads": 4, "d_ff": 48})
    order = replay(dot, side, f"{side}_add_pe", diagrams.call_order(block))
    assert order == [s for s in spec.steps() if not s.endswith("_add")]


def test_the_drawn_config_is_the_models(figure_data, figure_module):
    model = EncoderDecoder(TransformerConfig(n_layers=1))  # the base sizes, one layer: quicker
    blocks = figure_data(NAME)["blocks"]
    assert blocks["enc"] == diagrams.describe(model.encoder.blocks[0])
    assert blocks["dec"] == diagrams.describe(model.decoder.blocks[0])
    assert not blocks["enc"].pre_norm and not blocks["dec"].pre_norm  # the paper's post-norm
    assert blocks["dec"].causal and blocks["dec"].cross_attention and not blocks["enc"].causal


def test_keys_and_values_come_from_the_encoder_output(dot):
    into_cross = [(tail, attrs) for tail, head, attrs in edges(dot) if head == "dec__cross_attn"]
    assert ("enc__ffn_add_norm", True) in [(t, "K, V" in a) for t, a in into_cross]
    assert any(" Q " in a for t, a in into_cross if t.startswith("dec__"))


def test_every_attention_box_states_the_same_head_sizes(dot, figure_module):
    c = figure_module(NAME).CONFIG
    sizes = f"<I>h</I> = {c.n_heads}, <I>d<SUB>k</SUB></I> = <I>d<SUB>v</SUB></I> = {c.d_k}"
    assert dot.count(sizes) == 3  # encoder self-, decoder masked self- and cross-attention
    assert dot.count("<SUB>k</SUB>") == 3


def layout(source):
    """Node centres (x, y) in points, from graphviz's own layout."""
    import subprocess
    plain = subprocess.run(["dot", "-Tplain"], input=source.encode(), capture_output=True,
                           check=True).stdout.decode()
    return {p[1]: (float(p[2]), float(p[3])) for p in map(str.split, plain.splitlines()) if p[0] == "node"}


def test_stacks_face_each_other(dot):
    """The encoder's sub-layers branch right and the decoder's left, so the K, V arrow
    crosses no residual stream; every spine is one straight vertical line."""
    at = layout(dot)
    for side, sign in (("enc", 1), ("dec", -1)):
        spine = [n for n in at if n.startswith(f"{side}__") and ("split_" in n or "add_norm" in n)]
        branch = [n for n in at if n in (f"{side}__self_attn", f"{side}__cross_attn", f"{side}__ffn")]
        xs = {round(at[n][0], 2) for n in spine}
        assert len(xs) == 1, f"{side}: the spine is not straight: {xs}"
        assert all(sign * (at[n][0] - at[spine[0]][0]) > 0 for n in branch), side
    assert at["enc__ffn_add_norm"][1] < at["dec__cross_attn"][1]  # K, V flows up into the decoder


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_fits_a_laptop_screen(figure_data, figure_module, theme):
    rendered = render(figure_module(NAME).draw(figure_data(NAME), theme))
    assert rendered.height <= 760 and rendered.width <= 740
