"""Whole models: the paper's configuration, the parameter count, and causality of the decoder."""
import pytest
import torch

from figures_src.nn.transformer import (DecoderOnly, EncoderDecoder, TransformerConfig,
                                        count_parameters)


def test_config_defaults_are_the_paper_base_model():
    config = TransformerConfig()
    assert (config.n_layers, config.d_model, config.d_ff, config.n_heads) == (6, 512, 2048, 8)
    assert config.d_k == config.d_v == config.d_model // config.n_heads


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="n_heads=5"):
        TransformerConfig(d_model=512, n_heads=5)
    with pytest.raises(ValueError, match="positional"):
        TransformerConfig(positional="rotary")


def expected_encoder_decoder_parameters(c):
    """Counted from the paper's description, layer by layer (tied embeddings and softmax)."""
    d, f, n = c.d_model, c.d_ff, c.n_layers
    attention = 4 * (d * d + d)
    ffn = d * f + f + f * d + d
    norm = 2 * d
    encoder_layer = attention + ffn + 2 * norm
    decoder_layer = 2 * attention + ffn + 3 * norm
    return c.vocab_size * d + n * (encoder_layer + decoder_layer)


@pytest.mark.parametrize("config", [
    TransformerConfig(n_layers=2, d_model=64, d_ff=128, n_heads=4, vocab_size=100),
    TransformerConfig()])
def test_parameter_count(config):
    model = EncoderDecoder(config)
    assert count_parameters(model) == expected_encoder_decoder_parameters(config)
    embeddings = model.encoder.embed.tokens.weight, model.decoder.embed.tokens.weight
    assert model.generator.weight is embeddings[0] is embeddings[1]


def test_untied_embeddings_count_three_matrices():
    tied = TransformerConfig(n_layers=1, d_model=32, d_ff=64, n_heads=2, vocab_size=50)
    untied = TransformerConfig(n_layers=1, d_model=32, d_ff=64, n_heads=2, vocab_size=50,
                               tie_embeddings=False)
    extra = count_parameters(EncoderDecoder(untied)) - count_parameters(EncoderDecoder(tied))
    assert extra == 2 * 50 * 32


def small_decoder_only():
    torch.manual_seed(0)
    return DecoderOnly(TransformerConfig(n_layers=2, d_model=32, d_ff=64, n_heads=4, vocab_size=20,
                                         max_len=16, dropout=0.0)).eval()


def test_decoder_only_is_causal():
    model = small_decoder_only()
    tokens = torch.randint(0, 20, (2, 12))
    changed = tokens.clone()
    t = 5
    changed[:, t + 1:] = (changed[:, t + 1:] + 1) % 20
    seen = []
    logits, logits_changed = model(tokens, attention=seen), model(changed)
    assert torch.equal(logits[:, :t + 1], logits_changed[:, :t + 1])
    assert not torch.allclose(logits[:, t + 1:], logits_changed[:, t + 1:])
    above = torch.ones(12, 12, dtype=torch.bool).triu(1)
    assert len(seen) == model.config.n_layers
    for weights in seen:
        assert torch.all(weights[..., above] == 0)


def test_encoder_decoder_decoder_is_causal_but_sees_all_of_source():
    torch.manual_seed(1)
    config = TransformerConfig(n_layers=1, d_model=32, d_ff=64, n_heads=2, vocab_size=20,
                               max_len=16, dropout=0.0)
    model = EncoderDecoder(config).eval()
    source, target = torch.randint(0, 20, (1, 8)), torch.randint(0, 20, (1, 6))
    out = model(source, target)
    changed_target = target.clone()
    changed_target[:, 3:] = (changed_target[:, 3:] + 1) % 20
    assert torch.equal(model(source, changed_target)[:, :3], out[:, :3])
    changed_source = source.clone()
    changed_source[:, -1] = (changed_source[:, -1] + 1) % 20
    assert not torch.allclose(model(changed_source, target)[:, 0], out[:, 0])


def test_sequence_longer_than_max_len_is_an_error():
    with pytest.raises(ValueError, match="max_len=16"):
        small_decoder_only()(torch.zeros(1, 17, dtype=torch.long))
