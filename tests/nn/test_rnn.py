"""SimpleRNN against torch.nn.RNN, and the one shared recurrent weight."""
import pytest
import torch
from torch import nn

from figures_src.nn.rnn import SimpleRNN


@pytest.mark.parametrize("bias", [True, False])
def test_simple_rnn_equals_torch_rnn(bias):
    torch.manual_seed(0)
    torch_rnn = nn.RNN(5, 12, batch_first=True, bias=bias)
    rnn = SimpleRNN.from_torch(torch_rnn)
    x = torch.randn(3, 11, 5)
    h0 = torch.randn(3, 12)
    states, last = rnn(x, h0)
    ref_states, ref_last = torch_rnn(x, h0[None])
    torch.testing.assert_close(states, ref_states)
    torch.testing.assert_close(last, ref_last[0])


def test_step_is_the_equation():
    torch.manual_seed(1)
    rnn = SimpleRNN(3, 4)
    x_t, h = torch.randn(3), torch.randn(4)
    expected = torch.tanh(rnn.W_xh @ x_t + rnn.W_hh @ h + rnn.b)
    torch.testing.assert_close(rnn.step(x_t, h), expected)


def test_forward_is_the_step_repeated_with_one_recurrent_weight():
    torch.manual_seed(2)
    rnn = SimpleRNN(2, 3)
    x = torch.randn(1, 7, 2)
    states, last = rnn(x)
    h = torch.zeros(1, 3)
    for t in range(7):
        h = rnn.step(x[:, t], h)
        torch.testing.assert_close(states[:, t], h)
    torch.testing.assert_close(last, h)
    assert [name for name, p in rnn.named_parameters() if p is rnn.recurrent_weight] == ["W_hh"]


def test_from_torch_rejects_other_rnns():
    with pytest.raises(ValueError, match="1-layer"):
        SimpleRNN.from_torch(nn.RNN(2, 3, num_layers=2))
