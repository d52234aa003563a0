"""The architecture figure: its labels come from the config (not typed), and
the parameter count in its alt text is counted on a real model."""
import re

import pytest

from figures_src.nn.transformer import EncoderDecoder, TransformerConfig, count_parameters
from figures_src.build.style import LIGHT

NAME = "transformer"


def labels(source):
    """The numbers the diagram shows, parsed back out of the DOT source. The sizes (d_model,
    d_ff, h, d_k, the vocabulary) are in the caption, from the config (test below): in the
    boxes their 12-pt lines and subscripts were under 7 px on a phone (issue 22)."""
    text = re.sub(r"<[^<>]*>", "", source)  # drop HTML-like tags (<I>, <SUB>, ...)
    found = {"n_layers": re.findall(r"N = (\d+) ×", text)}
    assert all(found.values()), f"labels missing from the DOT: {found}"
    assert not re.search(r"\d+ → \d+|h = \d|<SUB>", source), "sizes are the caption's job now"
    return found


def expected_labels(config):
    return {"n_layers": {str(config.n_layers)}}


def test_labels_equal_the_config(figure_data, figure_module):
    source = figure_module(NAME).draw(figure_data(NAME), LIGHT).source
    found = {key: set(values) for key, values in labels(source).items()}
    assert found == expected_labels(figure_module(NAME).CONFIG)
    assert len(labels(source)["n_layers"]) == 2  # both stacks say N x


def test_labels_follow_another_config(figure_module):
    """Drawn from a different config, every number changes with it: none is typed."""
    module = figure_module(NAME)
    small = TransformerConfig(n_layers=3, d_model=96, d_ff=160, n_heads=4, vocab_size=1234)
    data = module.compute(small)
    source = module.draw(data, LIGHT).source
    assert {key: set(values) for key, values in labels(source).items()} == expected_labels(small)
    facts = data["facts"]
    assert (facts["d_model"], facts["d_ff"], facts["n_heads"], facts["d_k"],
            facts["vocab_size"]) == (
        96, 160, 4, 24, 1234)


def test_caption_states_the_sizes(figure_data, figure_module):
    module = figure_module(NAME)
    c = module.CONFIG
    caption = module.FIGURE.caption.format(**figure_data(NAME)["facts"])
    for text in (f"N = {c.n_layers}", f"d_{{model}} = {c.d_model}", f"d_{{ff}} = {c.d_ff}",
                 f"h = {c.n_heads}",
                 f"d_k = d_v = {c.d_k}", f"{c.vocab_size}-token"):
        assert text in caption, text


def test_tied_weights_are_drawn_shared(figure_data, figure_module):
    """The caption's tie is the model's (one tensor) and the figure draws it: both embeddings and
    the Linear in one fill, a dashed "shared weights" link, the Linear labelled shared."""
    model = EncoderDecoder(TransformerConfig(n_layers=1, d_model=32, d_ff=48, n_heads=4,
                                             vocab_size=11))
    assert (model.generator.weight is model.encoder.embed.tokens.weight
            is model.decoder.embed.tokens.weight)
    source = figure_module(NAME).draw(figure_data(NAME), LIGHT).source
    link = [a for t, h, a in edges(source) if {t, h} == {"enc_embed", "dec_embed"}]
    assert len(link) == 1 and "dashed" in link[0] and "shared weights" in link[0]
    assert re.search(r"\blinear \[label=<Linear<BR/>\(shared weights\)>", source)
    fills = {n: re.search(rf"\b{n} \[.*fillcolor=\"(#\w+)\"", source).group(1)
             for n in ("enc_embed", "dec_embed", "linear")}
    assert len(set(fills.values())) == 1, fills


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
    """As the paper draws it: K and V, two arrows from the encoder's output; Q from the decoder."""
    into_cross = [(tail, attrs) for tail, head, attrs in edges(dot) if head == "dec__cross_attn"]
    ports = sorted(re.search(r'headport="(\w):s"', a).group(1) for t, a in into_cross)
    assert ports == ["k", "q", "v"]
    assert {re.search(r'headport="(\w):s"', a).group(1) for t, a in into_cross
            if t == "enc__ffn_add_norm"} == {"k", "v"}
    assert [t.startswith("dec__") for t, a in into_cross if 'headport="q:s"' in a] == [True]


def test_every_self_attention_gets_v_k_and_q(dot):
    """Three arrows, V, K and Q, from the one stream into each self-attention box's ports."""
    for node in ("enc__self_attn", "dec__self_attn"):
        into = [(tail, re.search(r'headport="(\w):s"', attrs).group(1))
                for tail, head, attrs in edges(dot)
                if head == node]
        assert sorted(port for _, port in into) == ["k", "q", "v"], node
        assert len({tail for tail, _ in into}) == 1, node
    assert dot.count('<TD PORT="v"><I>V</I></TD><TD PORT="k"><I>K</I></TD><TD '
                     'PORT="q"><I>Q</I></TD>') == 3


def layout(source):
    """Node centres (x, y) in points, from graphviz's own layout."""
    import subprocess
    plain = subprocess.run(["dot", "-Tplain"], input=source.encode(), capture_output=True,
                           check=True).stdout.decode()
    return {p[1]: (float(p[2]), float(p[3])) for p in map(str.split, plain.splitlines())
            if p[0] == "node"}


def test_stacks_face_each_other(dot):
    """The encoder's sub-layers branch right and the decoder's left, so the K, V arrow
    crosses no residual stream; every spine is one straight vertical line."""
    at = layout(dot)
    for side, sign in (("enc", 1), ("dec", -1)):
        spine = [n for n in at if n.startswith(f"{side}__") and ("split_" in n or "add_norm" in n)]
        branch = [n for n in at
                  if n in (f"{side}__self_attn", f"{side}__cross_attn", f"{side}__ffn")]
        xs = {round(at[n][0], 2) for n in spine}
        assert len(xs) == 1, f"{side}: the spine is not straight: {xs}"
        assert all(sign * (at[n][0] - at[spine[0]][0]) > 0 for n in branch), side
    # K, V leaves the encoder's output no higher than the cross-attention it feeds (the K, V
    # arrows take no rank: the figure stays under 680 px tall)
    assert at["enc__ffn_add_norm"][1] <= at["dec__cross_attn"][1] + 1


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_fits_a_laptop_screen(figure_data, figure_module, theme):
    rendered = render(figure_module(NAME).draw(figure_data(NAME), theme))
    assert rendered.height <= 680 and rendered.width <= 740
