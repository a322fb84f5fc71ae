"""Bidirectional: merge modes against a hand computation with the two directions run apart,
weights order and shapes, states, masks, configs and saving, errors."""

import numpy as np
import pytest

import dl_layers as L
from dl_sequence import GRU, LSTM, Bidirectional, SimpleRNN

MERGES = {"concat": lambda a, b: np.concatenate([a, b], axis=-1), "sum": np.add, "mul": np.multiply,
          "ave": lambda a, b: (a + b) / 2}


def two_directions(layer, x, return_sequences):
    """The forward layer, and a copy reading backwards with the backward layer's weights, run apart."""
    fwd = layer.forward_layer(x).numpy()
    config = layer.forward_layer.get_config()
    config.update(go_backwards=True, name="by_hand")
    back = type(layer.forward_layer).from_config(config)
    back.build((None, *x.shape[1:]))
    back.set_weights(layer.backward_layer.get_weights())
    bwd = back(x).numpy()
    return fwd, bwd[:, ::-1] if return_sequences else bwd


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_merge_modes_against_a_hand_computation(merge_mode, return_sequences):
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    layer = Bidirectional(GRU(4, return_sequences=return_sequences), merge_mode=merge_mode)
    out = layer(x)
    fwd, bwd = two_directions(layer, x, return_sequences)
    if merge_mode is None:
        np.testing.assert_allclose(out[0].numpy(), fwd, rtol=1e-6)
        np.testing.assert_allclose(out[1].numpy(), bwd, rtol=1e-6)
    else:
        np.testing.assert_allclose(out.numpy(), MERGES[merge_mode](fwd, bwd), rtol=1e-5, atol=1e-6)
    expected = layer.compute_output_shape((None, 5, 3))
    shapes = [tuple(o.shape) for o in out] if merge_mode is None else [tuple(out.shape)]
    assert [(2, *s[1:]) for s in (expected if merge_mode is None else [expected])] == shapes


def test_weights_forward_then_backward_with_keras_shapes_and_a_fresh_backward_copy():
    layer = Bidirectional(LSTM(32), input_shape=(None, 14))
    layer.build((None, None, 14))
    assert [w.shape for w in layer.get_weights()] == [(14, 128), (32, 128), (128,)] * 2
    assert layer.count_params() == 2 * 6016
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert layer.backward_layer.name == f"backward_{layer.forward_layer.name}"
    fwd, bwd = layer.forward_layer.get_weights(), layer.backward_layer.get_weights()
    assert not np.allclose(fwd[0], bwd[0])  # its own weights


def test_return_state_lists_forward_then_backward_states():
    x = np.ones((2, 3, 4), np.float32)
    out, h_f, c_f, h_b, c_b = Bidirectional(LSTM(5, return_state=True))(x)
    assert out.shape == (2, 10)
    np.testing.assert_allclose(out.numpy(), np.concatenate([h_f.numpy(), h_b.numpy()], axis=1))
    assert c_f.shape == c_b.shape == (2, 5)


def test_the_output_carries_the_mask_with_return_sequences():
    from dl_layers.layers.masking import get_mask

    mask = np.array([[True, True, False]])
    out = Bidirectional(SimpleRNN(2, return_sequences=True))(np.ones((1, 3, 2), np.float32), mask=mask)
    np.testing.assert_array_equal(get_mask(out), mask)


def test_config_round_trip_and_save_load(tmp_path):
    layer = Bidirectional(GRU(3, return_sequences=True, reset_after=False), merge_mode="sum",
                          backward_layer=GRU(3, return_sequences=True, go_backwards=True, reset_after=False))
    rebuilt = Bidirectional.from_config(layer.get_config())
    assert rebuilt.get_config()["merge_mode"] == "sum" and rebuilt.backward_layer.go_backwards
    model = L.Sequential([L.Input(shape=(4, 2)), layer, L.Flatten(), L.Dense(1)])
    x = np.random.default_rng(0).standard_normal((3, 4, 2)).astype(np.float32)
    model.save(tmp_path / "bi.keras")
    np.testing.assert_allclose(L.load_model(tmp_path / "bi.keras").predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_the_books_bidirectional_lstm_trains_a_step():
    model = L.Sequential([L.Input(shape=(None, 3)), Bidirectional(LSTM(8)), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    x = np.random.default_rng(0).standard_normal((16, 6, 3)).astype(np.float32)
    history = model.fit(x, (x[:, 0, 0] > 0).astype(np.float32), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_errors():
    with pytest.raises(ValueError, match="merge_mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(TypeError, match="recurrent layer"):
        Bidirectional(L.Dense(2))
    with pytest.raises(ValueError, match="opposite go_backwards"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
