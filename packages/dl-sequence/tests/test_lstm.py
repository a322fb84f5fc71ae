"""LSTM: the fused op against the Keras equations in NumPy, finite differences and the readable
cell; the layer's Keras layouts, defaults and the book's usage."""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

import dl_layers as L
from dl_sequence import LSTM, RNN, LSTMCell, LSTMOp
from dl_tensor import Tensor, gradcheck

sys.path.insert(0, str(Path(__file__).parent))  # the recurrent tests' shared reference
from rnn_reference import fused_and_readable, lstm_step, np_rnn, op_inputs, rnn_problems  # noqa: E402


def lstm_problems():
    return rnn_problems(gates=4, n_states=2)


def make_op(p, **kw):
    return lambda: LSTMOp(p["go_backwards"], p["return_sequences"], p["mask"], **kw)


@given(lstm_problems())
def test_fused_op_matches_the_keras_equations_in_numpy(p):
    out = LSTMOp(p["go_backwards"], p["return_sequences"], p["mask"])(
        *[Tensor(a, dtype="float64") for a in op_inputs(p)])
    step = lambda x, s: lstm_step(x, s, p["kernel"], p["recurrent_kernel"], p["bias"])  # noqa: E731
    expected, states = np_rnn(step, p["x"], p["states"], p["mask"], p["go_backwards"], p["return_sequences"])
    for got, want in zip(out, [expected, *states]):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


@given(lstm_problems())
def test_fused_op_gradients_match_finite_differences(p):
    assert gradcheck(lambda *a: make_op(p)()(*a), op_inputs(p))


@given(lstm_problems())
def test_fused_op_without_bias_and_relu_gradients(p):
    assert gradcheck(lambda *a: make_op(p, activation="relu", use_bias=False)()(*a), op_inputs(p, use_bias=False))


@given(lstm_problems())
def test_fused_op_equals_the_readable_cell_values_and_gradients(p):
    cell = LSTMCell(p["states"][0].shape[1], dtype="float64")
    (fo, fg), (ro, rg) = fused_and_readable(make_op(p), cell, p)
    for a, b in zip(fo + fg, ro + rg):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@given(lstm_problems())
def test_dropout_masks_in_the_fused_op_equal_the_cells(p):
    rng = np.random.default_rng(3)
    b, n_in, u = p["x"].shape[0], p["x"].shape[2], p["states"][0].shape[1]
    masks = dict(input_mask=(rng.random((b, n_in)) > 0.5) * 2.0, recurrent_mask=(rng.random((b, u)) > 0.5) * 2.0)
    assert gradcheck(lambda *a: make_op(p, **masks)()(*a), op_inputs(p))
    cell = LSTMCell(u, dtype="float64")
    cell._dropout_mask, cell._recurrent_dropout_mask = masks["input_mask"], masks["recurrent_mask"]
    cell.dropout = cell.recurrent_dropout = 0.5
    cell.reset_dropout_mask = lambda: None  # keep the masks set above for the whole call
    x, states = p["x"], p["states"]
    out = LSTMOp(p["go_backwards"], p["return_sequences"], p["mask"], **masks)(
        *[Tensor(a, dtype="float64") for a in op_inputs(p)])
    layer = RNN(cell, return_sequences=p["return_sequences"], return_state=True, go_backwards=p["go_backwards"],
                dtype="float64")
    layer.build((None, *x.shape[1:]))
    for w, v in zip(cell.weights, (p["kernel"], p["recurrent_kernel"], p["bias"])):
        w.assign(v)
    readable = layer(Tensor(x, dtype="float64"), mask=p["mask"], training=True,
                     initial_state=[Tensor(s, dtype="float64") for s in states])
    for a, r in zip(out, readable):
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=1e-10, atol=1e-12)


def test_keras_weight_layouts_defaults_and_the_books_param_count():
    layer = LSTM(32)
    layer.build((None, None, 32))
    assert [w.shape for w in layer.get_weights()] == [(32, 128), (32, 128), (128,)]
    assert layer.count_params() == 8320  # the book: LSTM(32) on 32 features
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(32), np.ones(32), np.zeros(64)])  # i, f=1, c, o
    assert LSTM(4, unit_forget_bias=False)(np.ones((1, 2, 3))).shape == (1, 4)
    assert not LSTM(4, unit_forget_bias=False).cell.unit_forget_bias
    cfg = layer.get_config()
    assert cfg["activation"] == "tanh" and cfg["recurrent_activation"] == "sigmoid" and cfg["unit_forget_bias"]
    assert cfg["recurrent_initializer"]["class_name"] == "Orthogonal"


def test_the_layer_matches_numpy_with_keras_weights_state_and_options():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 5)).astype(np.float32)
    layer = LSTM(4, return_sequences=True, return_state=True, go_backwards=True)
    layer.build((None, 6, 5))
    W, U, b = (rng.standard_normal(s).astype(np.float32) * 0.5 for s in [(5, 16), (4, 16), (16,)])
    layer.set_weights([W, U, b])
    h0, c0 = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    out, h, c = layer(x, initial_state=[h0, c0])
    step = lambda xt, s: lstm_step(xt, s, W, U, b)  # noqa: E731
    seq, (h_ref, c_ref) = np_rnn(step, x, [h0, c0], go_backwards=True, return_sequences=True)
    np.testing.assert_allclose(out.numpy(), seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.numpy(), h_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.numpy(), c_ref, rtol=1e-5, atol=1e-6)
    assert out.dtype == np.float32 and h.dtype == np.float32


def test_an_activation_the_op_does_not_know_unrolls_the_cell_with_the_same_result():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    fused = LSTM(3, activation="tanh", recurrent_activation="hard_sigmoid")
    out = fused(x)  # hard_sigmoid gates: the readable path
    W, U, b = fused.get_weights()
    cell = fused.cell
    h = np.zeros((2, 3), np.float32)
    c = np.zeros((2, 3), np.float32)
    hs = lambda v: np.clip(v / 6 + 0.5, 0, 1)  # noqa: E731
    for t in range(4):
        z = x[:, t] @ W + h @ U + b
        i, f, cc, o = hs(z[:, :3]), hs(z[:, 3:6]), np.tanh(z[:, 6:9]), hs(z[:, 9:])
        c = f * c + i * cc
        h = o * np.tanh(c)
    np.testing.assert_allclose(out.numpy(), h, rtol=1e-5, atol=1e-6)
    assert cell.recurrent_activation is not None


def test_lstm_after_embedding_in_the_books_model_trains_a_step():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 100, (16, 10))
    model = L.Sequential([L.Input(shape=(10,), dtype="int64"), _embedding(100, 8), LSTM(8),
                          L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(ids, (ids[:, 0] > 50).astype(np.float32), epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def _embedding(n, d):
    """A minimal Embedding from dl-layers pieces (dl_sequence.Embedding is another helper's file)."""
    try:
        from dl_sequence import Embedding
        return Embedding(n, d)
    except ImportError:
        pytest.skip("dl_sequence.Embedding is not available yet")


def test_bad_inputs_name_the_layer_and_the_shape():
    layer = LSTM(4, name="lstm_x")
    with pytest.raises(ValueError, match=r"Layer 'lstm_x' expects inputs of rank 3 .*\(None, 3\)"):
        layer(np.ones((2, 3)))
    layer(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"lstm_x.*axis -1"):
        layer(np.ones((2, 5, 4)))
    with pytest.raises(ValueError, match=r"lstm_x.*initial_state"):
        layer(np.ones((2, 5, 3)), initial_state=[np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"lstm_x.*initial_state must have shapes"):
        layer(np.ones((2, 5, 3)), initial_state=[np.zeros((2, 5)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match="units"):
        LSTM(0)
    with pytest.raises(ValueError, match="dropout"):
        LSTM(3, dropout=1.0)
    with pytest.raises(ValueError, match="LSTMOp: activation"):
        LSTMOp(activation="elu")
