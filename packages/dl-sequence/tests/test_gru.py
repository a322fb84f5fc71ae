"""GRU (both of Keras's variants): the fused op against the Keras equations in NumPy, finite
differences and the readable cell; Keras layouts, the book's models and param counts."""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_sequence import GRU, GRUCell, GRUOp
from dl_tensor import Tensor, gradcheck

sys.path.insert(0, str(Path(__file__).parent))  # the recurrent tests' shared reference
from rnn_reference import fused_and_readable, gru_step, np_rnn, op_inputs, rnn_problems  # noqa: E402


def gru_problems(reset_after):
    return rnn_problems(gates=3, bias_shape=(lambda u: (2, 3 * u)) if reset_after else None)


def make_op(p, reset_after, **kw):
    return lambda: GRUOp(p["go_backwards"], p["return_sequences"], p["mask"], reset_after=reset_after, **kw)


variants = st.sampled_from([(True, "tanh"), (False, "tanh"), (True, "relu"), (False, "relu")])


@given(st.data(), variants, st.booleans())
def test_fused_op_matches_the_keras_equations_in_numpy(data, variant, use_bias):
    reset_after, act = variant
    p = data.draw(gru_problems(reset_after))
    out = make_op(p, reset_after, activation=act, use_bias=use_bias)()(
        *[Tensor(a, dtype="float64") for a in op_inputs(p, use_bias)])
    b = p["bias"] if use_bias else None
    step = lambda x, s: gru_step(x, s, p["kernel"], p["recurrent_kernel"], b, act, reset_after)  # noqa: E731
    expected, states = np_rnn(step, p["x"], p["states"], p["mask"], p["go_backwards"], p["return_sequences"])
    for got, want in zip(out, [expected, *states]):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


@given(st.data(), st.booleans(), st.booleans())
def test_fused_op_gradients_match_finite_differences(data, reset_after, use_bias):
    p = data.draw(gru_problems(reset_after))
    assert gradcheck(lambda *a: make_op(p, reset_after, use_bias=use_bias)()(*a), op_inputs(p, use_bias))


@given(st.data(), st.booleans())
def test_fused_op_gradients_with_dropout_masks(data, reset_after):
    p = data.draw(gru_problems(reset_after))
    rng = np.random.default_rng(3)
    b, n_in, u = p["x"].shape[0], p["x"].shape[2], p["states"][0].shape[1]
    masks = dict(input_mask=(rng.random((b, n_in)) > 0.5) * 2.0, recurrent_mask=(rng.random((b, u)) > 0.5) * 2.0)
    assert gradcheck(lambda *a: make_op(p, reset_after, **masks)()(*a), op_inputs(p))


@given(st.data(), st.booleans(), st.booleans())
def test_fused_op_equals_the_readable_cell_values_and_gradients(data, reset_after, use_bias):
    p = data.draw(gru_problems(reset_after))
    cell = GRUCell(p["states"][0].shape[1], reset_after=reset_after, use_bias=use_bias, dtype="float64")
    (fo, fg), (ro, rg) = fused_and_readable(make_op(p, reset_after, use_bias=use_bias), cell, p, use_bias)
    for a, b in zip(fo + fg, ro + rg):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reset_after, bias_shape, params", [(True, (2, 96), 4608), (False, (96,), 4512)])
def test_keras_layouts_and_the_books_param_counts(reset_after, bias_shape, params):
    layer = GRU(32, reset_after=reset_after, input_shape=(None, 14))
    layer.build((None, None, 14))
    assert [w.shape for w in layer.get_weights()] == [(14, 96), (32, 96), bias_shape]
    assert layer.count_params() == params  # the book's Jena GRU(32): 4,512 in Keras 2.0.8, 4,608 since 2.3


@pytest.mark.parametrize("reset_after", [True, False])
def test_the_layer_matches_numpy_with_keras_weights(reset_after):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 7, 14)).astype(np.float32)
    layer = GRU(5, reset_after=reset_after, return_sequences=True, return_state=True)
    layer.build((None, 7, 14))
    weights = [rng.standard_normal(w.shape).astype(np.float32) * 0.4 for w in layer.get_weights()]
    layer.set_weights(weights)
    out, h = layer(x)
    step = lambda xt, s: gru_step(xt, s, *weights, "tanh", reset_after)  # noqa: E731
    seq, (h_ref,) = np_rnn(step, x, [np.zeros((3, 5), np.float32)], return_sequences=True)
    np.testing.assert_allclose(out.numpy(), seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.numpy(), h_ref, rtol=1e-5, atol=1e-6)


def test_the_books_relu_gru_is_fused_and_learns_a_step():
    import dl_layers as L

    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 6, 4)).astype(np.float32)
    model = L.Sequential([L.Input(shape=(None, 4)), GRU(8, activation="relu", dropout=0.1, recurrent_dropout=0.5,
                                                        return_sequences=True), GRU(8, activation="relu"), L.Dense(1)])
    assert model.layers[0]._fusable()
    model.compile(optimizer="rmsprop", loss="mae")
    history = model.fit(x, x[:, -1, :1], epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_bad_inputs():
    with pytest.raises(TypeError, match="reset_after"):
        GRU(3, reset_after="yes")
    with pytest.raises(ValueError, match="GRUOp: activation"):
        GRUOp(activation="elu")
    layer = GRU(3, name="g")
    layer(np.ones((1, 2, 4)))
    with pytest.raises(ValueError, match=r"Layer 'g'.*initial_state must have shapes \[\(1, 3\)\], got \(1, 4\)"):
        layer(np.ones((1, 2, 4)), initial_state=[np.zeros((1, 4))])
