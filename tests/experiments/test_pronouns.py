"""The generated pronoun sentences, their split, and the model that names the referent of "it"."""
import json

import pytest
import torch

from figures_src.experiments import pronouns as P
from figures_src.experiments.training import IGNORE_INDEX


def frame_of(words):
    """(opening, negation, connective, copula) indices of a generated sentence."""
    the = words.index("the")
    pos = P.positions(words)
    parts = (tuple(words[:the]), tuple(words[pos["subject"] + 1:pos["object"] - 2]),
             tuple(words[pos["object"] + 1:pos["it"]]),
             tuple(words[pos["it"] + 1:pos["adjective"] - 1]))
    return tuple(options.index(part)
                 for options, part in zip((P.OPENINGS, P.NEGATIONS, P.CONNECTIVES, P.COPULAS),
                                          parts))


def training_sentences(n_batches=150):
    make_batch = P.batch_maker(P.CONFIG)
    generator = torch.Generator().manual_seed(P.CONFIG["seed"])
    for _ in range(n_batches):
        tokens, targets = make_batch(generator)
        for row, target in zip(tokens, targets):
            yield P.decode(row), target


@pytest.fixture(scope="module")
def sampled():
    return list(training_sentences())


def test_referent_follows_adjective_and_structure():
    assert P.referent("animal", "street", "tired") == "animal"
    assert P.referent("animal", "street", "wide") == "street"
    assert P.referent("cat", "dog", "lazy") == "cat"
    assert P.referent("cat", "dog", "fast") == "dog"
    with pytest.raises(ValueError):
        P.referent("cat", "street", "fast")  # an animal's adjective does not fit a place


def test_batches_are_well_formed(sampled):
    for words, target in sampled[:500]:
        assert words == P.sentence(words[P.positions(words)["subject"]],
                                   words[P.positions(words)["object"]],
                                   words[P.positions(words)["object"] - 2], words[-2],
                                   frame_of(words))
        scored = target != IGNORE_INDEX
        assert scored.sum() == 1 and words[scored.nonzero().item()] == "it"
        assert P.VOCAB[target[scored].item()] == P.answer_of(words)


def test_both_kinds_of_referent_and_object_are_trained(sampled):
    kinds = {(P.answer_of(w) == w[P.positions(w)["subject"]],
              w[P.positions(w)["object"]] in P.PLACES)
             for w, _ in sampled}
    assert kinds == {(True, True), (True, False), (False, True), (False, False)}


def test_held_out_pairs_and_frames_never_occur_in_training(sampled):
    split = P.split()
    held_pairs, held_frames = set(split["pairs"][1]), set(split["frames"][1])
    assert held_pairs and held_frames
    assert not held_pairs & set(split["pairs"][0]) and not held_frames & set(split["frames"][0])
    for words, _ in sampled:
        pos = P.positions(words)
        assert (words[pos["subject"]], words[pos["object"]]) not in held_pairs
        assert frame_of(words) not in held_frames


def test_held_out_sentences_use_held_out_pairs_and_frames():
    split = P.split()
    held_out = P.held_out_sentences()
    assert len(held_out) == P.CONFIG["n_held_out"] == len(set(held_out))
    for words in held_out:
        pos = P.positions(words)
        assert (words[pos["subject"]], words[pos["object"]]) in split["pairs"][1]
        assert frame_of(words) in split["frames"][1]


def test_every_word_is_seen_in_training(sampled):
    trained = {w for words, _ in sampled for w in words}
    assert trained == set(P.VOCAB) - {P.PAD}
    assert {w for words in P.held_out_sentences() for w in words} <= trained
    # each noun of a held-out pair occurs in training, with other partners
    for subject, obj in P.split()["pairs"][1]:
        assert any(subject in words for words, _ in sampled) and any(obj in words
                                                                     for words, _ in sampled)


def test_example_pair_differs_only_in_the_adjective():
    tired, wide = P.held_out_sentences()[:2]
    assert tired == ("the", "animal", "didn't", "cross", "the", "street", "because", "it", "was",
                     "too",
                     "tired", ".")
    assert [i for i, (a, b) in enumerate(zip(tired, wide)) if a != b] == [len(tired) - 2]
    assert (P.answer_of(tired), P.answer_of(wide)) == ("animal", "street")


def untrained():
    return P.untrained_model()


def test_zeroing_hook_without_an_edit_is_the_models_own_forward():
    model = untrained()
    tokens = P.encode(P.held_out_sentences()[:50])
    attention = model.encoder.blocks[-1].self_attn
    expected = model(tokens)
    empty = torch.zeros(0, dtype=torch.long)
    handle = attention.register_forward_hook(P._zeroing_hook(empty, empty, 0))
    try:
        torch.testing.assert_close(model(tokens), expected)
    finally:
        handle.remove()


def test_zeroing_hook_removes_the_weight_and_renormalises():
    model = untrained()
    sentences = P.held_out_sentences()[:20]
    it, keys = P._positions_tensor(sentences, "it"), P._referent_positions(sentences)
    attention = model.encoder.blocks[-1].self_attn
    captured = {}
    hook = P._zeroing_hook(it, keys, 0)

    def capture(module, inputs, output):
        captured["output"] = hook(module, inputs, output)
        return captured["output"]

    handle = attention.register_forward_hook(capture)
    try:
        model(P.encode(sentences))
    finally:
        handle.remove()
    captured["w"] = captured["output"][1]
    rows = torch.arange(len(sentences))
    assert torch.all(captured["w"][rows, 0, it, keys] == 0)
    torch.testing.assert_close(captured["w"].sum(-1), torch.ones_like(captured["w"].sum(-1)))


def test_untrained_model_fails_the_checks():
    """The control: the same measures on the untrained model are near chance."""
    rates = P.measures(untrained(), P.held_out_sentences()[:300])
    assert rates["accuracy"] < 0.2
    assert rates["argmax"][1, "referent"] < 0.5


def test_attention_maps_are_json_ready_and_cover_every_layer_and_head():
    model = untrained()
    sentences = P.held_out_sentences()[:3]
    maps = P.attention_maps(model, sentences)
    json.dumps(maps)
    for words, entry in zip(sentences, maps):
        assert tuple(entry["tokens"][:entry["n_words"]]) == words
        assert set(entry["tokens"][entry["n_words"]:]) <= {P.PAD}
        assert entry["tokens"][entry["query"]] == "it"
        weights = torch.tensor(entry["attention"])
        assert weights.shape == (P.CONFIG["n_layers"], P.CONFIG["n_heads"], P.MAX_LEN, P.MAX_LEN)
        torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]))
    explorer = P.explorer_data(model, sentences)
    assert (explorer["layers"], explorer["heads"]) == (P.CONFIG["n_layers"], P.CONFIG["n_heads"])
    for example, entry in zip(explorer["examples"], maps):  # the words only: padding gets no weight
        n = entry["n_words"]
        assert example["tokens"] == entry["tokens"][:n]
        assert example["attention"] == [[[row[:n] for row in head[:n]] for head in layer]
                                        for layer in entry["attention"]]
        assert all(w == 0 for layer in entry["attention"] for head in layer for row in head
                   for w in row[n:])


@pytest.mark.slow
def test_trained_models_name_the_referent_by_attention():
    """Every seed; the claims' thresholds: see tests/figures/test_pronoun_attention.py."""
    held_out = P.held_out_sentences()
    for model, metrics in P.trained_pronoun_models():
        rates = P.measures(model, held_out)
        assert (rates["accuracy"] >= 0.95
                and metrics["held_out_accuracy"] == pytest.approx(rates["accuracy"]))
        assert rates["argmax"][1, "referent"] > 0.6
        assert rates["broken"][1, "referent"] >= 0.5 and rates["broken"][1, "other"] == 0
        assert rates["argmax"][1,
                               "referent"] == pytest.approx(P.argmax_on_referent(model, held_out))
        assert rates["broken"][1, "referent"] == pytest.approx(P.broken_share(model, held_out))
        # padding is masked: "it" puts no weight there
        weights = P.it_attention(model, held_out)
        pad = P.encode(held_out) == P.INDEX[P.PAD]
        assert (weights * pad[:, None, None]).sum(-1).max() == 0
