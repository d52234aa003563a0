"""The RNN-gradient measurement: its helpers are right, and the decay it
measures follows the recurrent matrix's scale (a control for the caption)."""
import torch

from figures_src.experiments import rnn_gradients
from figures_src.nn.rnn import SimpleRNN


def test_per_step_factor_recovers_a_known_rate():
    k = torch.arange(1, 50)
    assert abs(rnn_gradients.per_step_factor(3.0 * 0.7 ** k.double(), k) - 0.7) < 1e-9


def test_jacobian_norms_match_autograd():
    """The batched one-backward-pass trick equals a plain per-component Jacobian."""
    torch.manual_seed(3)
    rnn = SimpleRNN.from_torch(torch.nn.RNN(3, 5).double())
    x = torch.randn(7, 3, dtype=torch.float64)
    fast = rnn_gradients.jacobian_blocks(lambda seqs: rnn(seqs)[1], x)
    full = torch.autograd.functional.jacobian(lambda v: rnn(v[None])[1][0], x)  # [5, 7, 3]
    assert torch.allclose(fast, full.pow(2).sum(dim=(0, 2)).sqrt())


def test_make_rnn_is_torch_default_initialisation():
    rnn = rnn_gradients.make_rnn(rnn_gradients.SEEDS[0])
    torch.manual_seed(rnn_gradients.SEEDS[0])
    reference = torch.nn.RNN(rnn_gradients.INPUT_SIZE, rnn_gradients.HIDDEN_SIZE, nonlinearity="tanh")
    assert torch.equal(rnn.W_hh, reference.weight_hh_l0.double())
    assert torch.equal(rnn.W_xh, reference.weight_ih_l0.double())
    assert rnn.W_hh.dtype == torch.float64


def test_decay_follows_the_recurrent_weight_scale():
    """The same RNN with W_hh scaled up forgets more slowly: the untrained decay rate is set
    by the initial weight scale, not by anything the network learned."""
    rnn = rnn_gradients.make_rnn(rnn_gradients.SEEDS[0])
    x = torch.randn(60, rnn_gradients.INPUT_SIZE, dtype=torch.float64)
    k = torch.arange(1, 60)
    factors = []
    for scale in (1.0, 1.5):
        with torch.no_grad():
            scaled = SimpleRNN(rnn.input_size, rnn.hidden_size).double()
            scaled.load_state_dict(rnn.state_dict())
            scaled.W_hh.mul_(scale)
        norms = rnn_gradients.jacobian_blocks(lambda seqs: scaled(seqs)[1], x).flip(0)
        factors.append(rnn_gradients.per_step_factor(norms[1:], k))
    assert factors[1] > 1.2 * factors[0]
