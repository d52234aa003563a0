"""Remember one letter through k distractor digits: RNN, LSTM and attention, same budget.

The task ("hold the letter")
----------------------------
A sequence of LENGTH tokens: random digits 0-9 (the distractors) and, at a
random position p < LETTER_WINDOW, one letter A-J. At every position t > p
the target is that letter, so the model must carry it across k = t - p steps
of random digits; positions up to p are not scored. Distance k is the
variable: every held-out sequence is scored at every k = 1 .. MAX_DISTANCE
(LENGTH - LETTER_WINDOW), so each point of the curve averages the same
N_HELD_OUT sequences. Chance is 1 in 10. Distractors are drawn from a vocabulary
of their own, so "the letter" is defined by content, not by position.

Three models read the tokens left to right, each position seeing only the
past, and predict the letter at every position:
- "rnn": an Elman RNN, h_t = tanh(W_xh x_t + W_hh h_(t-1) + b), 32 units;
- "lstm": an LSTM (Hochreiter & Schmidhuber 1997; torch's, with a forget
  gate), 16 units, its four gates making it about as large as the RNN;
- "transformer": figures_src.nn's DecoderOnly, 1 layer, 1 head, d_model 16,
  learned positions, causal mask.
Each has a token embedding as wide as its state and a linear read-out; the
parameter counts are within PARAMETER_RATIO of each other.

The RNN and LSTM are torch.nn.RNN / torch.nn.LSTM (batch-first, one layer).
The hand-written nn.rnn.SimpleRNN computes the same function as nn.RNN
(tests/nn/test_rnn.py), but its Python loop over 32 time steps made a
training step about 1.5x slower (measured 14.6 against 9.5 ms of CPU per
step, batch 32, on a 2-core CPU), and three models times
five seeds must fit in the figure build's time budget.

"Same budget"
-------------
All three go through experiments.training.train with the same BUDGET: Adam,
the same learning rate, batch size and maximum number of steps, the same
seed for the batch generator (so each model sees the identical stream of
training batches, none of them a held-out sequence) and the same early stop
(the first step whose batch loss is below stop_loss). A model that stops
early used fewer steps than the budget allowed; metrics["steps"] says how
many each took. Each model trains once per seed of seeds.SEEDS (the seed
sets the initial weights and the batch stream; the held-out set is fixed),
and measures its held-out accuracy at every k every EVALUATE_EVERY steps:
a learning curve, so a figure can tell a model that is slow to learn from
one that cannot remember.

Held-out data
-------------
N_HELD_OUT distinct sequences are drawn first from their own generator;
training batches are redrawn row by row until no row equals a held-out one,
so the held-out accuracy is on sequences never trained on.
"""
import torch
from torch import nn

from ..nn.transformer import DecoderOnly, TransformerConfig, count_parameters
from ..util import seeding
from .seeds import SEEDS
from .training import IGNORE_INDEX, cached_seeds, train

N_DIGITS = 10        # distractors: tokens 0..9
N_LETTERS = 10       # the letter to hold: tokens 10..19, shown as A..J
VOCAB = N_DIGITS + N_LETTERS
LETTERS = "ABCDEFGHIJ"
LENGTH = 32          # tokens per sequence
LETTER_WINDOW = 8    # the letter sits at a position p < LETTER_WINDOW
MAX_DISTANCE = LENGTH - LETTER_WINDOW  # every sequence is scored at k = 1 .. MAX_DISTANCE
N_HELD_OUT = 2000
PARAMETER_RATIO = 1.25  # largest / smallest parameter count of the three models

# max_steps 1000: at 400 steps (the old budget) the LSTM and the transformer hold
# the letter at every distance in seeds 0-4 and the RNN in none; by 1000 steps the
# RNN does in some seeds (measured every EVALUATE_EVERY steps: its learning curve).
# stop_loss 0.05 (was 0.02): the LSTM reaches 100% held-out by about 400 steps but
# its batch loss crossed 0.02 only at 580-810; 0.05 stops it sooner, same answers.
BUDGET = {"seed": 0, "batch_size": 32, "lr": 5e-3, "max_steps": 1000, "stop_loss": 0.05}
# steps between two held-out measurements of the learning curve: one measurement of
# the 2000 held-out sequences costs 8-18 training steps (RNN 15), so every 50 steps
# added about a third to the RNN's training; every 100, a sixth
EVALUATE_EVERY = 100
MODELS = {
    "rnn": {"hidden_size": 32},
    "lstm": {"hidden_size": 16},
    "transformer": {"d_model": 16, "d_ff": 32, "n_heads": 1, "n_layers": 1},
}
KINDS = tuple(MODELS)


def make_sequences(n, generator):
    """(tokens [n, LENGTH], letter positions [n]): random digits with one letter at
    p < LETTER_WINDOW."""
    tokens = torch.randint(0, N_DIGITS, (n, LENGTH), generator=generator)
    positions = torch.randint(0, LETTER_WINDOW, (n,), generator=generator)
    letters = torch.randint(N_DIGITS, VOCAB, (n,), generator=generator)
    tokens[torch.arange(n), positions] = letters
    return tokens, positions


def letter_positions(tokens):
    """The position of the (one) letter in each sequence, [n]."""
    is_letter = tokens >= N_DIGITS
    if not torch.all(is_letter.sum(-1) == 1):
        raise ValueError("letter_positions: every sequence must hold exactly one letter")
    return is_letter.int().argmax(-1)


def distances(tokens):
    """k = t - p for every position t: how many steps back the letter is (<= 0: not yet seen),
    [n, LENGTH]."""
    return torch.arange(tokens.size(1))[None] - letter_positions(tokens)[:, None]


def targets(tokens):
    """The letter at every position after it; IGNORE_INDEX up to and including it."""
    letter = tokens.gather(1, letter_positions(tokens)[:, None]).expand_as(tokens)
    return torch.where(distances(tokens) >= 1, letter, torch.full_like(tokens, IGNORE_INDEX))


def held_out_sequences(n=N_HELD_OUT, seed_value=0):
    """n distinct sequences set aside before training, [n, LENGTH]. seed_value is the
    held-out set's own (never the training seed's): every training seed is scored on
    the same sequences."""
    generator = torch.Generator().manual_seed(seed_value + 1)
    tokens, _ = make_sequences(2 * n, generator)
    unique = torch.unique(tokens, dim=0)  # sorted: shuffle back with the same generator
    return unique[torch.randperm(len(unique), generator=generator)[:n]]


_HASH_WEIGHTS = torch.randint(1, 2 ** 62, (LENGTH,), generator=torch.Generator().manual_seed(12345))


def row_keys(tokens):
    """One int64 hash per sequence. Equal rows have equal keys; a collision of
    different rows can only make a training row count as held out (and be
    redrawn), never let a held-out row through."""
    return (tokens * _HASH_WEIGHTS[:tokens.size(1)]).sum(-1)  # int64 arithmetic wraps around


def is_held_out(tokens, held_out_keys):
    """[n] bool: which rows of tokens may equal a held-out sequence (keys: row_keys(held_out))."""
    return torch.isin(row_keys(tokens), held_out_keys)


def training_batch_maker(batch_size, held_out):
    """make_batch(generator) -> (tokens, targets(tokens)), never a held-out sequence."""
    held_out_keys = row_keys(held_out)

    def make_batch(generator):
        tokens, _ = make_sequences(batch_size, generator)
        seen = is_held_out(tokens, held_out_keys)
        while seen.any():  # redraw the (vanishingly rare) rows that hit the held-out set
            tokens[seen] = make_sequences(int(seen.sum()), generator)[0]
            seen = is_held_out(tokens, held_out_keys)
        return tokens, targets(tokens)

    return make_batch


class Recurrent(nn.Module):
    """Token embedding -> one-layer torch RNN or LSTM -> linear read-out at every position."""

    CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM}

    def __init__(self, kind, hidden_size, vocab_size=VOCAB):
        super().__init__()
        self.kind = kind
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.cell = self.CELLS[kind](hidden_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens):
        """tokens [B, T] -> logits [B, T, vocab]; position t sees tokens 0..t only."""
        states, _ = self.cell(self.embed(tokens))
        return self.readout(states)


def model_config(kind):
    """The full, JSON-able configuration of one model: the shared budget, the task, its size."""
    return {"model": kind, **BUDGET, **MODELS[kind], "length": LENGTH,
            "letter_window": LETTER_WINDOW,
            "vocab": VOCAB, "n_held_out": N_HELD_OUT, "evaluate_every": EVALUATE_EVERY}


def build_model(config):
    kind = config["model"]
    if kind in Recurrent.CELLS:
        return Recurrent(kind, config["hidden_size"])
    if kind == "transformer":
        return DecoderOnly(TransformerConfig(
            n_layers=config["n_layers"], d_model=config["d_model"], d_ff=config["d_ff"],
            n_heads=config["n_heads"], vocab_size=VOCAB, max_len=LENGTH, dropout=0.0,
            positional="learned"))
    raise ValueError(f"build_model: unknown model {kind!r}, expected one of {KINDS}")


@torch.no_grad()
def accuracy_by_distance(model, tokens, max_distance=MAX_DISTANCE):
    """Held-out accuracy at each distance k = 1 .. max_distance, [max_distance] (index k-1).

    Every sequence contributes exactly one prediction at each k (its letter
    sits at p < LETTER_WINDOW, so t = p + k < LENGTH for k <= MAX_DISTANCE).
    """
    correct = model(tokens).argmax(-1) == targets(tokens)
    k = distances(tokens)
    return torch.stack([correct[k == d].float().mean() for d in range(1, max_distance + 1)])


def untrained_model(kind):
    """One of KINDS before training: the initial weights its trained copy started from
    (cached() seeds with config["seed"] before build_and_train builds the model). The control."""
    config = model_config(kind)
    with seeding.preserved():
        seeding.seed_all(config["seed"])
        return build_model(config).eval()


def build_and_train(config):
    """Build, train with the shared budget, score per distance on the held-out set
    (cached() has seeded torch with config["seed"])."""
    model = build_model(config)
    held_out = held_out_sequences(config["n_held_out"])  # fixed: the same for every training seed
    log = train(model, training_batch_maker(config["batch_size"], held_out),
                max_steps=config["max_steps"], lr=config["lr"], stop_loss=config["stop_loss"],
                generator=torch.Generator().manual_seed(config["seed"]),
                evaluate=lambda m: accuracy_by_distance(m, held_out).tolist(),
                evaluate_every=config["evaluate_every"])
    by_distance = accuracy_by_distance(model, held_out)
    metrics = {"steps": log["steps"], "final_loss": log["final_loss"], "losses": log["losses"],
               "train_seconds": log["seconds"], "stopped_early": log["stopped_early"],
               "parameters": count_parameters(model), "n_held_out": len(held_out),
               "accuracy_by_distance": by_distance.tolist(),
               "curve_steps": [step for step, _ in log["evaluations"]],
               "curve": [accuracy for _, accuracy in log["evaluations"]]}
    return model, metrics


def trained_memory_models(kind, seeds=SEEDS):
    """[(model, metrics)] of one of KINDS, one per training seed, each trained once with
    BUDGET and cached under build/checkpoints (training.cached_seeds).

    metrics: steps, final_loss, losses, train_seconds, stopped_early,
    parameters, n_held_out, accuracy_by_distance (index k-1), and the learning
    curve: curve_steps [n] and curve [n][MAX_DISTANCE], the held-out accuracy
    by distance before training, every EVALUATE_EVERY steps and at the last step.
    """
    return cached_seeds(f"memory-{kind}", model_config(kind), build_and_train, seeds)
