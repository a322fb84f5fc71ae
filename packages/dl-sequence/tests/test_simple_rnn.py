"""SimpleRNN: the fused op against the book's NumPy loop, finite differences and the readable cell."""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_sequence import SimpleRNN, SimpleRNNCell, SimpleRNNOp
from dl_tensor import Tensor, gradcheck

sys.path.insert(0, str(Path(__file__).parent))  # the recurrent tests' shared reference
from rnn_reference import fused_and_readable, np_rnn, op_inputs, rnn_problems, simple_rnn_step  # noqa: E402


def make_op(p, **kw):
    return lambda: SimpleRNNOp(p["go_backwards"], p["return_sequences"], p["mask"], **kw)


@given(rnn_problems(gates=1), st.sampled_from(["tanh", "relu", "sigmoid", "linear"]), st.booleans())
def test_fused_op_matches_the_books_numpy_loop(p, act, use_bias):
    out = make_op(p, activation=act, use_bias=use_bias)()(*[Tensor(a, dtype="float64") for a in op_inputs(p, use_bias)])
    b = p["bias"] if use_bias else None
    step = lambda x, s: simple_rnn_step(x, s, p["kernel"], p["recurrent_kernel"], b, act)  # noqa: E731
    expected, states = np_rnn(step, p["x"], p["states"], p["mask"], p["go_backwards"], p["return_sequences"])
    for got, want in zip(out, [expected, *states]):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


@given(rnn_problems(gates=1), st.booleans())
def test_fused_op_gradients_match_finite_differences(p, use_bias):
    assert gradcheck(lambda *a: make_op(p, use_bias=use_bias)()(*a), op_inputs(p, use_bias))


@given(rnn_problems(gates=1))
def test_fused_op_equals_the_readable_cell_values_and_gradients(p):
    cell = SimpleRNNCell(p["states"][0].shape[1], dtype="float64")
    (fo, fg), (ro, rg) = fused_and_readable(make_op(p), cell, p)
    for a, b in zip(fo + fg, ro + rg):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_keras_layouts_and_the_books_param_count():
    layer = SimpleRNN(32)
    layer.build((None, None, 32))  # after Embedding(10000, 32)
    assert [w.shape for w in layer.get_weights()] == [(32, 32), (32, 32), (32,)]
    assert layer.count_params() == 2080
    assert SimpleRNN(32, unroll=True).unroll  # accepted, no effect


def test_the_books_numpy_rnn_loop():
    """Listing 6.19 of the first edition: state_t = tanh(W input_t + U state_t + b), all outputs stacked."""
    rng = np.random.default_rng(0)
    inputs = rng.random((100, 32)).astype(np.float32)  # (timesteps, input_features)
    W, U, b = rng.random((64, 32)), rng.random((64, 64)), rng.random((64,))
    state_t, outputs = np.zeros((64,)), []
    for input_t in inputs:
        state_t = np.tanh(W @ input_t + U @ state_t + b)
        outputs.append(state_t)
    layer = SimpleRNN(64, return_sequences=True)
    layer.build((None, 100, 32))
    layer.set_weights([W.T.astype(np.float32) * 1, U.T.astype(np.float32), b.astype(np.float32)])  # Keras: x @ W
    np.testing.assert_allclose(layer(inputs[None]).numpy()[0], np.stack(outputs), rtol=1e-4, atol=1e-5)


def test_bad_inputs():
    with pytest.raises(TypeError, match="SimpleRNNCell: argument `units`"):
        SimpleRNN(2.5)
    with pytest.raises(ValueError, match="0 timesteps"):
        SimpleRNN(2)(np.ones((1, 0, 3)))
