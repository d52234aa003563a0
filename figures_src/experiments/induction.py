"""Induction heads: how a two-layer attention-only transformer learns to copy.

Elhage et al. 2021 ("A Mathematical Framework for Transformer Circuits") and
Olsson et al. 2022 ("In-context Learning and Induction Heads") found a
two-head circuit behind much of in-context learning: a head in layer 1 that
attends to the previous token (so each position also carries "the token
before me"), and a head in layer 2 whose query is the current token and
whose key is that "token before me": it finds where the current token
occurred before and attends to the token that came right after it, which it
copies. "... A B ... A" -> "B".

The task. A sequence of LENGTH random tokens (vocabulary VOCAB) holds a
block of BLOCK random tokens, starting at a random offset 0..MAX_OFFSET, and
the same block again after a random gap of 0..MAX_GAP tokens (filler tokens
are random too). Both the copy's position and its distance vary: a head that
attends a fixed number of positions back cannot predict the repeat (with a
fixed distance, one layer does, by position alone), only looking up where
the current token occurred before can. The
model is a GPT-style DecoderOnly with no feed-forward sub-layers (d_ff=0, an
attention-only transformer), trained on next-token prediction at every
position. Inside the first copy, and in the filler, the next token is
random: chance accuracy is 1 / VOCAB. Inside the repeat it is the token
after its earlier copy, and an induction head gets it right.

Held-out sequences come from a fixed generator (HELD_OUT_SEED), the same for
every training seed, and their blocks never occur in training. Each seed of
experiments.seeds.SEEDS trains a model (its own initialisation and batches),
cached like every toy (training.cached_seeds).
"""
import contextlib
import time

import torch
from torch.nn import functional as F

from ..nn.transformer import DecoderOnly, TransformerConfig
from .seeds import SEEDS
from .training import cached_seeds, train

VOCAB = 16
BLOCK = 6  # length of the repeated block
MAX_OFFSET = 3  # the block starts at a random position 0..MAX_OFFSET
MAX_GAP = 4  # and is repeated after a random gap of 0..MAX_GAP filler tokens
# tokens per sequence; the model reads the first LENGTH - 1
LENGTH = 2 * BLOCK + MAX_OFFSET + MAX_GAP
HELD_OUT_SEED = 2021  # fixed: the same held-out sequences for every training seed

CONFIG = {
    "seed": 0,
    "n_layers": 2, "n_heads": 1, "d_model": 32, "positional": "learned",
    "batch_size": 32, "lr": 1e-2, "max_steps": 250,
    "n_held_out": 1000,
}


def model_config(config):
    """Attention-only (d_ff=0), untied output layer, positions up to LENGTH - 1."""
    return TransformerConfig(n_layers=config["n_layers"], d_model=config["d_model"], d_ff=0,
                             n_heads=config["n_heads"], vocab_size=VOCAB, max_len=LENGTH - 1,
                             dropout=0.0,
                             positional=config["positional"], tie_embeddings=False)


def repeated_sequences(n, generator):
    """(sequences [n, LENGTH], starts [n, 2]): random tokens with a random block of BLOCK
    tokens at starts[:, 0] and again at starts[:, 1] = starts[:, 0] + BLOCK + gap."""
    block = torch.randint(0, VOCAB, (n, BLOCK), generator=generator)
    sequences = torch.randint(0, VOCAB, (n, LENGTH), generator=generator)
    offsets = torch.randint(0, MAX_OFFSET + 1, (n,), generator=generator)
    gaps = torch.randint(0, MAX_GAP + 1, (n,), generator=generator)
    starts = torch.stack([offsets, offsets + BLOCK + gaps], dim=1)
    place_block(sequences, starts, block)
    return sequences, starts


def place_block(sequences, starts, block):
    """Write block [n, BLOCK] at both of each row's starts (in place)."""
    rows = torch.arange(len(sequences))[:, None]
    for copy in range(2):
        sequences[rows, starts[:, copy, None] + torch.arange(BLOCK)[None]] = block


def blocks_of(sequences, starts):
    """The repeated block of each sequence, [n, BLOCK]."""
    return sequences.gather(1, starts[:, :1] + torch.arange(BLOCK)[None])


def _keys(blocks):
    """One integer per block (its tokens read in base VOCAB) for set lookups."""
    return (blocks * VOCAB ** torch.arange(BLOCK - 1, -1, -1)).sum(-1)


def held_out():
    """The held-out sequences and their starts: fixed, whatever the training seed."""
    return repeated_sequences(CONFIG["n_held_out"], torch.Generator().manual_seed(HELD_OUT_SEED))


def inputs_and_targets(sequences):
    """Next-token prediction: read tokens 0..LENGTH-2, predict tokens 1..LENGTH-1."""
    return sequences[:, :-1], sequences[:, 1:]


def scored_positions(starts):
    """(first, repeat): boolean masks [n, LENGTH - 1] over input positions.

    first: the block's tokens 0..BLOCK-2 in its first copy, whose next token
    (the block's next) is random to a reader of the past;
    repeat: the same tokens in the second copy, whose next token sits right
    after their earlier copy. The block's last token is left out of both:
    after it comes filler, or the repeat's start, which nothing predicts.
    """
    position = torch.arange(LENGTH - 1)[None, None] - starts[:, :,
                                                             None]  # relative to each copy's start
    inside = (position >= 0) & (position < BLOCK - 1)
    return inside[:, 0], inside[:, 1]


def batch_maker(batch_size, held_out_blocks):
    """make_batch(generator) -> (inputs, targets) whose blocks are never held out."""
    held_out_keys = _keys(held_out_blocks)

    def make_batch(generator):
        sequences, starts = repeated_sequences(batch_size, generator)
        seen = torch.isin(_keys(blocks_of(sequences, starts)), held_out_keys)
        while seen.any():  # redraw the (vanishingly rare) blocks that are held out
            block = torch.randint(0, VOCAB, (int(seen.sum()), BLOCK), generator=generator)
            rows = sequences[seen]
            place_block(rows, starts[seen], block)
            sequences[seen] = rows
            seen = torch.isin(_keys(blocks_of(sequences, starts)), held_out_keys)
        return inputs_and_targets(sequences)

    return make_batch


def build_and_train(config):
    """A fresh model (cached() has seeded torch with config["seed"]), trained on batches
    drawn from a generator seeded with config["seed"]."""
    model = DecoderOnly(model_config(config))
    sequences, starts = held_out()
    # the budget is CPU time: wall time depends on the machine's load
    cpu_start = time.process_time()
    log = train(model, batch_maker(config["batch_size"], blocks_of(sequences, starts)),
                max_steps=config["max_steps"], lr=config["lr"],
                generator=torch.Generator().manual_seed(config["seed"]))
    metrics = {"steps": log["steps"], "final_loss": log["final_loss"], "losses": log["losses"],
               "train_seconds": log["seconds"],
               "train_cpu_seconds": time.process_time() - cpu_start}
    return model, metrics


def trained_induction_models(seeds=SEEDS):
    """[(model, metrics)], one per training seed, each trained once and cached."""
    return cached_seeds("induction", dict(CONFIG), build_and_train, seeds)


def trained_induction_model(seed=0):
    """(model, metrics) of one training seed."""
    return trained_induction_models((seed,))[0]


# -- reading the trained model ---------------------------------------------------

@contextlib.contextmanager
def ablated(model, layer, head):
    """Run the model with one attention head zeroed: its slice of the heads'
    concatenation is set to 0 before W^O, so it adds nothing to the residual stream."""
    attention = model.blocks[layer].self_attn
    width = attention.d_k

    def zero_head(module, inputs):
        (concat,) = inputs
        concat = concat.clone()
        concat[..., head * width:(head + 1) * width] = 0
        return (concat,)

    handle = attention.w_o.register_forward_pre_hook(zero_head)
    try:
        yield
    finally:
        handle.remove()


@torch.no_grad()
def scores(model, sequences, starts):
    """Accuracy and loss of next-token prediction in the first copy and in the repeat."""
    inputs, targets = inputs_and_targets(sequences)
    logits = model(inputs)
    loss = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
    correct = (logits.argmax(-1) == targets).float()
    first, repeat = scored_positions(starts)
    return {"accuracy_first": correct[first].mean().item(),
            "accuracy_repeat": correct[repeat].mean().item(),
            "loss_first": loss[first].mean().item(), "loss_repeat": loss[repeat].mean().item()}


@torch.no_grad()
def attention_maps(model, sequences):
    """Each layer's weights [n, heads, T, T] on the sequences' inputs."""
    seen = []
    model(inputs_and_targets(sequences)[0], attention=seen)
    return seen


def previous_token_score(weights):
    """Per head: mean weight a query at position t >= 1 puts on key t - 1. weights [n, h, T, T]."""
    return weights.diagonal(offset=-1, dim1=-2, dim2=-1).mean(dim=(0, -1))


def previous_token_score_in_block(weights, starts):
    """Per head: the same, only for queries inside the first copy (its tokens 1..BLOCK-1):
    the positions whose "token before me" the induction head's keys read."""
    i = torch.arange(1, BLOCK)[None]
    queries = starts[:, :1] + i
    rows = torch.arange(len(starts))[:, None].expand_as(queries)
    return weights[rows, :, queries, queries - 1].mean(dim=(0, 1))


def induction_targets(starts):
    """(rows, queries, keys): for each repeat position, the key one after its token's earlier copy.

    The token at starts[1] + i (i = 0..BLOCK-2) is block[i]; its earlier copy is
    at starts[0] + i, and the token after that, block[i + 1], is at starts[0] + i + 1."""
    i = torch.arange(BLOCK - 1)[None]
    queries = starts[:, 1:] + i
    keys = starts[:, :1] + i + 1
    rows = torch.arange(len(starts))[:, None].expand_as(queries)
    return rows, queries, keys


def induction_score(weights, starts):
    """Per head: mean weight a repeat position puts on the token after its earlier copy."""
    rows, queries, keys = induction_targets(starts)
    return weights[rows, :, queries, keys].mean(dim=(0, 1))


@torch.no_grad()
def measure(model, sequences, starts):
    """Everything the figure and its tests read from one trained model on held-out sequences:
    the scores; each head's previous-token score (layer 1) and induction score (layer 2);
    the heads picked by them; and the repeat accuracy with each head of both layers zeroed."""
    weights = attention_maps(model, sequences)
    previous = previous_token_score(weights[0])
    induction = induction_score(weights[1], starts)
    result = {**scores(model, sequences, starts),
              "previous_token_scores": previous.tolist(), "induction_scores": induction.tolist(),
              "previous_token_scores_in_block": previous_token_score_in_block(weights[0],
                                                                              starts).tolist(),
              "previous_token_head": int(previous.argmax()),
              "induction_head": int(induction.argmax()),
              "ablated_accuracy_repeat": {}}
    for layer in range(len(model.blocks)):
        for head in range(model.blocks[layer].self_attn.n_heads):
            with ablated(model, layer, head):
                result["ablated_accuracy_repeat"][(layer, head)] = scores(model, sequences,
                                                                          starts)["accuracy_repeat"]
    return result
