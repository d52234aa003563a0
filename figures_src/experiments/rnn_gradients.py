"""How far back a freshly initialised RNN, and one attention layer, can "see":
the norm of the gradient of the last output with respect to each input.

The RNN's last output y_T is its last hidden state h_T, which depends on
x_(T-k) through k multiplications by the recurrent Jacobian
diag(1 - h_t^2) W_hh, so ||d y_T / d x_(T-k)|| shrinks (or grows) roughly
like a power of k (Bengio, Simard & Frasconi 1994; Pascanu, Mikolov & Bengio
2013). One attention layer reads every position directly. Both are freshly
initialised (torch.nn.RNN's and MultiHeadAttention's default
initialisation) and read the same random sequences; the attention layer gets
sinusoidal positions added, as in a transformer. The RNN is torch.nn.RNN
copied into the project's SimpleRNN. Used by the rnn-forgets and
rnn-unrolled figures.
"""
import torch

from ..nn.attention import MultiHeadAttention
from ..nn.positional import sinusoidal_encoding
from ..nn.rnn import SimpleRNN

LENGTH = 100  # T
INPUT_SIZE = 16
HIDDEN_SIZE = 64
N_HEADS = 4
SEEDS = (0, 1, 2, 3, 4)


def jacobian_blocks(output_of, x):
    """||d y / d x_t|| (Frobenius) for every position t, y = output_of(x[None])[0] a vector.

    output_of maps sequences [B, T, D] to vectors [B, W]. One backward pass:
    x [T, D] is copied once per output component, and copy i backpropagates
    only component i (the copies of a batch do not interact).
    """
    width = output_of(x[None]).shape[-1]
    copies = x.detach().expand(width, *x.shape).clone().requires_grad_(True)  # [W, T, D]
    (grad,) = torch.autograd.grad(output_of(copies).diagonal().sum(), copies)  # [i, t] = d y_i / d x_t
    return grad.pow(2).sum(dim=(0, 2)).sqrt()  # [T]


def per_step_factor(norms, ks):
    """exp of the least-squares slope of log(norm) against k: the fitted decay per step."""
    k = ks.double()
    log_norm = norms.double().log()
    slope = ((k - k.mean()) * (log_norm - log_norm.mean())).sum() / (k - k.mean()).pow(2).sum()
    return float(slope.exp())


def make_rnn(seed):
    """Seed torch, then build the RNN: torch.nn.RNN's default initialisation,
    copied into SimpleRNN, in float64."""
    torch.manual_seed(seed)
    return SimpleRNN.from_torch(torch.nn.RNN(INPUT_SIZE, HIDDEN_SIZE, nonlinearity="tanh").double())


def measure(seed):
    """Gradient norms against k = T-1-t for one seed: (rnn [T], attention [T])."""
    rnn = make_rnn(seed)  # seeds torch: the attention layer and x below follow from it
    attention = MultiHeadAttention(INPUT_SIZE, N_HEADS).double()
    x = torch.randn(LENGTH, INPUT_SIZE, dtype=torch.float64)
    positions = sinusoidal_encoding(LENGTH, INPUT_SIZE, dtype=torch.float64)
    rnn_norms = jacobian_blocks(lambda seqs: rnn(seqs)[1], x)  # h_T
    # the attention layer sees positions, as in a transformer; d(x + PE)/dx = I
    attention_norms = jacobian_blocks(lambda seqs: attention(seqs + positions)[0][:, -1], x)
    return rnn_norms.flip(0), attention_norms.flip(0)  # index k: the input k steps back
