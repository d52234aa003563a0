"""The RNN the rnn-unrolled figure draws is torch's own, copied exactly."""
import torch

from figures_src.experiments import untrained_rnn


def test_make_rnn_is_torch_default_initialisation():
    rnn = untrained_rnn.make_rnn()
    torch.manual_seed(untrained_rnn.SEED)
    reference = torch.nn.RNN(untrained_rnn.INPUT_SIZE, untrained_rnn.HIDDEN_SIZE,
                             nonlinearity="tanh")
    assert torch.equal(rnn.W_hh, reference.weight_hh_l0.double())
    assert torch.equal(rnn.W_xh, reference.weight_ih_l0.double())
    assert rnn.W_hh.dtype == torch.float64


def test_a_different_seed_gives_different_weights():
    assert not torch.equal(untrained_rnn.make_rnn(0).W_hh, untrained_rnn.make_rnn(1).W_hh)
