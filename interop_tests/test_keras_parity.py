"""Keras parity, checked rather than claimed: each layer family built in Keras 3 (torch backend)
and in dl-book, the weights moved by ``get_weights`` / ``set_weights`` alone, then the outputs
compared, and the gradients (of the input and of every trainable weight) where Keras exposes
them through torch's autograd. The book's Conv1D + GRU classifier is moved both ways.

Run with ``tox -e interop`` (Keras and the CPU build of PyTorch are installed there only).
"""

import os

import numpy as np
import pytest

assert os.environ["KERAS_BACKEND"] == "torch"
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import dl_convnet as C  # noqa: E402
import dl_layers as L  # noqa: E402
import dl_sequence as S  # noqa: E402
from dl_tensor import Tensor  # noqa: E402

RNG = np.random.default_rng(0)
SEQ = RNG.standard_normal((3, 11, 5)).astype(np.float32)  # (batch, time, features)
IMG = RNG.standard_normal((2, 9, 9, 3)).astype(np.float32)  # (batch, height, width, channels)
FLAT = RNG.standard_normal((4, 7)).astype(np.float32)
IDS = RNG.integers(0, 20, (3, 8))

# a non-zero bias everywhere a layer has one, so that the bias layout is checked too
B = {"bias_initializer": "glorot_uniform"}

CASES = {
    "Dense": (lambda: keras.layers.Dense(4, activation="relu", **B), lambda: L.Dense(4, activation="relu"), FLAT),
    "Conv2D valid": (lambda: keras.layers.Conv2D(4, 3, activation="relu", **B),
                     lambda: C.Conv2D(4, 3, activation="relu"), IMG),
    "Conv2D same stride 2": (lambda: keras.layers.Conv2D(4, 3, strides=2, padding="same", **B),
                             lambda: C.Conv2D(4, 3, strides=2, padding="same"), IMG),
    "SeparableConv2D": (lambda: keras.layers.SeparableConv2D(4, 3, depth_multiplier=2, **B),
                        lambda: C.SeparableConv2D(4, 3, depth_multiplier=2), IMG),
    "MaxPooling2D": (lambda: keras.layers.MaxPooling2D(2), lambda: C.MaxPooling2D(2), IMG),
    "AveragePooling2D same": (lambda: keras.layers.AveragePooling2D(2, padding="same"),
                              lambda: C.AveragePooling2D(2, padding="same"), IMG),
    "GlobalAveragePooling2D": (lambda: keras.layers.GlobalAveragePooling2D(), lambda: C.GlobalAveragePooling2D(), IMG),
    "Embedding": (lambda: keras.layers.Embedding(20, 6), lambda: S.Embedding(20, 6), IDS),
    "Conv1D causal dilation 2": (lambda: keras.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, **B),
                                 lambda: S.Conv1D(4, 3, padding="causal", dilation_rate=2), SEQ),
    "Conv1D same stride 2": (lambda: keras.layers.Conv1D(4, 3, strides=2, padding="same", activation="relu", **B),
                             lambda: S.Conv1D(4, 3, strides=2, padding="same", activation="relu"), SEQ),
    "MaxPooling1D": (lambda: keras.layers.MaxPooling1D(3), lambda: S.MaxPooling1D(3), SEQ),
    "AveragePooling1D same": (lambda: keras.layers.AveragePooling1D(3, strides=2, padding="same"),
                              lambda: S.AveragePooling1D(3, strides=2, padding="same"), SEQ),
    "GlobalMaxPooling1D": (lambda: keras.layers.GlobalMaxPooling1D(), lambda: S.GlobalMaxPooling1D(), SEQ),
    "SimpleRNN": (lambda: keras.layers.SimpleRNN(4, **B), lambda: S.SimpleRNN(4), SEQ),
    "SimpleRNN sequences backwards": (lambda: keras.layers.SimpleRNN(4, return_sequences=True, go_backwards=True, **B),
                                      lambda: S.SimpleRNN(4, return_sequences=True, go_backwards=True), SEQ),
    "LSTM": (lambda: keras.layers.LSTM(4, **B), lambda: S.LSTM(4), SEQ),
    "LSTM sequences backwards": (lambda: keras.layers.LSTM(4, return_sequences=True, go_backwards=True, **B),
                                 lambda: S.LSTM(4, return_sequences=True, go_backwards=True), SEQ),
    "GRU reset_after=True": (lambda: keras.layers.GRU(4, **B), lambda: S.GRU(4), SEQ),
    "GRU reset_after=False": (lambda: keras.layers.GRU(4, reset_after=False, return_sequences=True, **B),
                              lambda: S.GRU(4, reset_after=False, return_sequences=True), SEQ),
    "GRU relu": (lambda: keras.layers.GRU(4, activation="relu", **B), lambda: S.GRU(4, activation="relu"), SEQ),
    "Bidirectional LSTM concat": (lambda: keras.layers.Bidirectional(keras.layers.LSTM(4, **B)),
                                  lambda: S.Bidirectional(S.LSTM(4)), SEQ),
    "Bidirectional GRU sum, sequences": (
        lambda: keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True, **B), merge_mode="sum"),
        lambda: S.Bidirectional(S.GRU(4, return_sequences=True), merge_mode="sum"), SEQ),
}


def keras_run(layer, x, direction=None, training=False):
    """Keras's output (and, given ``direction``, the gradients of sum(output * direction))."""
    floating = x.dtype.kind == "f"
    xt = torch.tensor(x, requires_grad=floating and direction is not None)
    out = layer(xt, training=training)
    if direction is None:
        return out.detach().numpy(), None, None
    (out * torch.tensor(direction)).sum().backward()
    weight_grads = [w.value.grad.numpy() for w in layer.trainable_weights]
    return out.detach().numpy(), (xt.grad.numpy() if floating else None), weight_grads


def ours_run(layer, x, direction=None, training=False):
    floating = x.dtype.kind == "f"
    xt = Tensor(x, requires_grad=floating and direction is not None) if floating else x
    out = layer(xt, training=training)
    if direction is None:
        return out.numpy(), None, None
    out.backward(direction.astype(np.float32))
    return out.numpy(), (xt.grad if floating else None), [w.grad for w in layer.trainable_weights]


@pytest.mark.parametrize("name", list(CASES))
def test_same_outputs_and_gradients_with_the_weights_moved_from_keras(name):
    make_keras, make_ours, x = CASES[name]
    theirs, ours = make_keras(), make_ours()
    expected = np.asarray(theirs(torch.tensor(x)).detach().numpy())  # builds Keras's layer, draws its weights
    ours(x)  # builds ours
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    direction = np.random.default_rng(1).standard_normal(expected.shape).astype(np.float32)
    k_out, k_dx, k_dw = keras_run(theirs, x, direction)
    o_out, o_dx, o_dw = ours_run(ours, x, direction)
    np.testing.assert_allclose(o_out, k_out, rtol=1e-4, atol=1e-5)
    if k_dx is not None:
        np.testing.assert_allclose(o_dx, k_dx, rtol=1e-4, atol=1e-5)
    assert len(o_dw) == len(k_dw)
    for mine, theirs_grad in zip(o_dw, k_dw):
        np.testing.assert_allclose(mine, theirs_grad, rtol=1e-4, atol=1e-5)


def test_batch_normalization_in_inference_and_in_training():
    theirs = keras.layers.BatchNormalization()
    theirs(torch.tensor(IMG))
    # moving statistics and scale that are not the initial ones
    theirs.set_weights([RNG.uniform(0.5, 2, 3), RNG.normal(size=3), RNG.normal(size=3), RNG.uniform(0.5, 2, 3)])
    ours = L.BatchNormalization()
    ours(IMG)
    ours.set_weights(theirs.get_weights())
    for training in (False, True):
        np.testing.assert_allclose(ours(IMG, training=training).numpy(), keras_run(theirs, IMG, training=training)[0],
                                   rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.get_weights()[2], theirs.get_weights()[2], rtol=1e-5)  # moving mean updated alike


def test_masked_sequences_through_embedding_lstm_and_gru():
    ids = RNG.integers(1, 30, (3, 8))
    ids[0, 5:] = 0
    ids[2, 2:] = 0  # padding
    theirs = keras.Sequential([keras.layers.Embedding(30, 5, mask_zero=True),
                               keras.layers.LSTM(4, return_sequences=True, **B), keras.layers.GRU(3, **B)])
    expected = theirs(torch.tensor(ids)).detach().numpy()
    ours = L.Sequential([S.Embedding(30, 5, mask_zero=True), S.LSTM(4, return_sequences=True), S.GRU(3)])
    ours(ids)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(ids, verbose=0), expected, rtol=1e-4, atol=1e-5)


def conv_gru_models():
    """The book's "1D convnet before an RNN" (chapter 6.4), in Keras and in ours."""
    theirs = keras.Sequential([keras.Input((40,), dtype="int32"), keras.layers.Embedding(100, 8),
                               keras.layers.Conv1D(6, 5, activation="relu"), keras.layers.MaxPooling1D(3),
                               keras.layers.Conv1D(6, 5, activation="relu"), keras.layers.GRU(5),
                               keras.layers.Dense(1, activation="sigmoid")])
    ours = L.Sequential([L.Input(shape=(40,), dtype="int32"), S.Embedding(100, 8), S.Conv1D(6, 5, activation="relu"),
                         S.MaxPooling1D(3), S.Conv1D(6, 5, activation="relu"), S.GRU(5),
                         L.Dense(1, activation="sigmoid")])
    return theirs, ours


def test_the_books_conv_gru_classifier_moves_both_ways():
    ids = RNG.integers(0, 100, (64, 40))
    labels = (ids[:, :20].mean(axis=1) > ids[:, 20:].mean(axis=1)).astype(np.float32)
    theirs, ours = conv_gru_models()
    assert ours.count_params() == theirs.count_params()

    ours.set_weights(theirs.get_weights())  # Keras -> ours
    np.testing.assert_allclose(ours.predict(ids, verbose=0), theirs.predict(ids, verbose=0), rtol=1e-4, atol=1e-5)

    ours.compile(optimizer="rmsprop", loss="binary_crossentropy")
    ours.fit(ids, labels, epochs=2, batch_size=16, verbose=0)  # ours trains: new weights
    theirs_again, _ = conv_gru_models()
    theirs_again.set_weights(ours.get_weights())  # ours -> Keras
    np.testing.assert_allclose(theirs_again.predict(ids, verbose=0), ours.predict(ids, verbose=0),
                               rtol=1e-4, atol=1e-5)
