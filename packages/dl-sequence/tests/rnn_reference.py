"""Plain-NumPy references of Keras's recurrent equations, and the random problems the recurrent
tests share (SimpleRNN, LSTM, GRU, Bidirectional)."""

import numpy as np
from hypothesis import strategies as st

ACTS = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v,
        "sigmoid": lambda v: 1 / (1 + np.exp(-v))}


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def simple_rnn_step(x, states, W, U, b, act="tanh"):
    h = ACTS[act](x @ W + states[0] @ U + (0 if b is None else b))
    return h, [h]


def lstm_step(x, states, W, U, b, act="tanh"):
    h, c = states
    u = h.shape[1]
    z = x @ W + h @ U + (0 if b is None else b)
    i, f, cc, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), ACTS[act](z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
    c = f * c + i * cc
    h = o * ACTS[act](c)
    return h, [h, c]


def gru_step(x, states, W, U, b, act="tanh", reset_after=True):
    h = states[0]
    u = h.shape[1]
    if reset_after:
        bx, bh = (0, 0) if b is None else (b[0], b[1])
        xw, hu = x @ W + bx, h @ U + bh
        z = sigmoid(xw[:, :u] + hu[:, :u])
        r = sigmoid(xw[:, u:2 * u] + hu[:, u:2 * u])
        hh = ACTS[act](xw[:, 2 * u:] + r * hu[:, 2 * u:])
    else:
        xw = x @ W + (0 if b is None else b)
        z = sigmoid(xw[:, :u] + h @ U[:, :u])
        r = sigmoid(xw[:, u:2 * u] + h @ U[:, u:2 * u])
        hh = ACTS[act](xw[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
    h = z * h + (1 - z) * hh
    return h, [h]


def np_rnn(step, x, states, mask=None, go_backwards=False, return_sequences=False):
    """Keras 2's loop: masked steps keep the states and repeat the previous output (zeros first)."""
    steps = x.shape[1]
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs, prev = [], None
    for t in order:
        out, new = step(x[:, t], states)
        if mask is not None:
            m = mask[:, t:t + 1]
            new = [np.where(m, n, s) for n, s in zip(new, states)]
            out = np.where(m, out, np.zeros_like(out) if prev is None else prev)
        states, prev = new, out
        outputs.append(out)
    return (np.stack(outputs, axis=1) if return_sequences else outputs[-1]), states


@st.composite
def rnn_problems(draw, gates, bias_shape=None, n_states=1):
    """A small random problem: x, kernel, recurrent kernel, bias, initial states, mask, flags.

    Sizes: batch 1-3, time 1-5, features 1-3, units 1-3 (float64, for gradient checks).
    """
    b, t, n_in, u = (draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 3)),
                     draw(st.integers(1, 3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    shape_b = bias_shape(u) if bias_shape else (gates * u,)
    mask = None
    if draw(st.booleans()):
        mask = rng.random((b, t)) > 0.3
    return {
        "x": rng.standard_normal((b, t, n_in)),
        "kernel": rng.standard_normal((n_in, gates * u)) * 0.6,
        "recurrent_kernel": rng.standard_normal((u, gates * u)) * 0.6,
        "bias": rng.standard_normal(shape_b) * 0.5,
        "states": [rng.standard_normal((b, u)) * 0.5 for _ in range(n_states)],
        "mask": mask,
        "go_backwards": draw(st.booleans()),
        "return_sequences": draw(st.booleans()),
    }


def op_inputs(p, use_bias=True):
    """The fused op's inputs, in order: x, kernel, recurrent_kernel, [bias], initial states."""
    return [p["x"], p["kernel"], p["recurrent_kernel"], *([p["bias"]] if use_bias else []), *p["states"]]


def fused_and_readable(op_factory, cell, p, use_bias=True):
    """Values and gradients (x, kernel, recurrent_kernel, [bias], states) of the fused op and of
    the cell unrolled by ``RNN``, under one random projection of all outputs; float64."""
    from dl_sequence import RNN
    from dl_tensor import Tensor

    results = []
    for fused in (True, False):
        ins = [Tensor(a, dtype="float64", requires_grad=True) for a in op_inputs(p, use_bias)]
        if fused:
            outs = op_factory()(*ins)
            params = ins
        else:
            layer = RNN(cell, return_sequences=p["return_sequences"], return_state=True,
                        go_backwards=p["go_backwards"], dtype="float64")
            layer.build((None, *p["x"].shape[1:]))
            weights = [cell.kernel, cell.recurrent_kernel] + ([cell.bias] if use_bias else [])
            for w, value in zip(weights, ins[1:]):
                w.assign(value.numpy())
            n_states = len(p["states"])
            outs = layer(ins[0], mask=p["mask"], initial_state=ins[-n_states:])
            params = [ins[0], *weights, *ins[-n_states:]]
        projected_loss(outs, "float64").backward()
        results.append(([o.numpy() for o in outs], [t.grad for t in params]))
    return results


def projected_loss(outs, dtype):
    """One number from all the outputs: each times a fixed random array, summed (seed 1)."""
    from dl_tensor import Tensor

    rng = np.random.default_rng(1)
    loss = None
    for o in outs:
        term = (o * Tensor(rng.standard_normal(o.shape), dtype=dtype)).sum()
        loss = term if loss is None else loss + term
    return loss
