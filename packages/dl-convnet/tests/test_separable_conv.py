"""SeparableConv2D: forward against NumPy, the same as a DepthwiseConv2D then a 1x1 Conv2D,
gradients against the composed ops and finite differences, Keras's weight order and parameter
counts (chapter 7's comparison with Conv2D), configs, saving, training, errors."""

import numpy as np
import pytest
from conv_reference import np_windows, window_geometry
from hypothesis import given
from hypothesis import strategies as st

import dl_layers as L
import dl_tensor as dt
from dl_convnet import Conv2D, conv2d_composed
from dl_convnet.depthwise_conv import DepthwiseConv2D, depthwise_conv2d_composed
from dl_convnet.separable_conv import SeparableConv2D, SeparableConvolution2D
from dl_tensor import Tensor, gradcheck


def np_separable(x, depthwise, pointwise, bias, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """Per-channel windows (a sliding-window view), then a channel mix: an independent reference."""
    kh, kw, c, m = depthwise.shape
    windows = np_windows(x, kh, kw, strides, padding, dilation)  # (n, out_h, out_w, c, kh, kw)
    middle = np.einsum("nyxcij,ijcm->nyxcm", windows, depthwise)  # (n, out_h, out_w, c, m)
    return np.einsum("nyxcm,cmf->nyxf", middle, pointwise.reshape(c, m, -1)) + bias


@st.composite
def separable_cases(draw):
    n, c, m, f = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 2)),
                  draw(st.integers(1, 3)))
    h, w, kh, kw, strides, padding, dilation = window_geometry(draw, max_size=6)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return (rng.standard_normal((n, h, w, c)), rng.standard_normal((kh, kw, c, m)),
            rng.standard_normal((1, 1, c * m, f)), rng.standard_normal(f), strides, padding, dilation)


def make_layer(case, activation=None):
    x, depthwise, pointwise, bias, strides, padding, dilation = case
    layer = SeparableConv2D(pointwise.shape[-1], depthwise.shape[:2], strides=strides, padding=padding,
                            dilation_rate=dilation, depth_multiplier=depthwise.shape[-1], activation=activation,
                            dtype="float64")
    layer(x[:1])  # builds it
    layer.set_weights([depthwise, pointwise, bias])
    return layer


@given(separable_cases())
def test_layer_matches_numpy(case):
    x, depthwise, pointwise, bias, strides, padding, dilation = case
    out = make_layer(case)(x).numpy()
    np.testing.assert_allclose(out, np_separable(*case), rtol=1e-10, atol=1e-10)


@given(separable_cases(), st.booleans())
def test_layer_equals_the_composed_ops_values_and_gradients(case, relu):
    x, depthwise, pointwise, bias, strides, padding, dilation = case
    layer = make_layer(case, "relu" if relu else None)
    direction = np.random.default_rng(1).standard_normal(np_separable(*case).shape)
    xt = Tensor(x, requires_grad=True, dtype="float64")
    out = layer(xt)
    (out * direction).sum().backward()
    fused = (out.numpy(), xt.grad, *(w.grad for w in layer.weights))
    xt, dk, pk, bt = (Tensor(a, requires_grad=True, dtype="float64") for a in (x, depthwise, pointwise, bias))
    middle = depthwise_conv2d_composed(xt, dk, None, strides, padding, dilation)
    out = conv2d_composed(middle, pk, bt)
    out = dt.relu(out) if relu else out
    (out * direction).sum().backward()
    for a, b in zip(fused, (out.numpy(), xt.grad, dk.grad, pk.grad, bt.grad)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


@given(separable_cases())
def test_layer_gradients_match_finite_differences(case):
    layer = make_layer(case)
    assert gradcheck(lambda t: layer(t), [case[0]], params=layer.trainable_weights)


def test_directional_gradcheck_on_a_book_sized_layer():
    layer = SeparableConv2D(64, 3, padding="same", activation="relu", dtype="float64", bias_initializer="random_normal")
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 32))
    layer(x)
    assert gradcheck(lambda t: layer(t), [x], params=layer.trainable_weights, mode="directional")


def test_a_depthwise_then_a_pointwise_convolution():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 9, 4)).astype(np.float32)
    separable = SeparableConv2D(5, 3, strides=2, padding="same", depth_multiplier=2, bias_initializer="ones")
    out = separable(x).numpy()
    depthwise_kernel, pointwise_kernel, bias = separable.get_weights()
    depthwise = DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, use_bias=False)
    pointwise = Conv2D(5, 1)
    depthwise(x)
    depthwise.set_weights([depthwise_kernel])
    pointwise(depthwise(x))
    pointwise.set_weights([pointwise_kernel, bias])
    np.testing.assert_allclose(out, pointwise(depthwise(x)).numpy(), rtol=1e-5, atol=1e-5)


def test_weights_in_keras_order_and_chapter_7s_parameter_counts():
    layer = SeparableConv2D(64, 3, name="sep")
    layer(np.zeros((1, 8, 8, 32), np.float32))
    assert [w.shape for w in layer.get_weights()] == [(3, 3, 32, 1), (1, 1, 32, 64), (64,)]
    assert [w.path for w in layer.weights] == ["sep/depthwise_kernel", "sep/pointwise_kernel", "sep/bias"]
    conv = Conv2D(64, 3)
    conv(np.zeros((1, 8, 8, 32), np.float32))
    assert (layer.count_params(), conv.count_params()) == (3 * 3 * 32 + 32 * 64 + 64, 3 * 3 * 32 * 64 + 64)
    multiplied = SeparableConv2D(16, (3, 5), depth_multiplier=2, use_bias=False)
    multiplied(np.zeros((1, 8, 8, 3), np.float32))
    assert [w.shape for w in multiplied.get_weights()] == [(3, 5, 3, 2), (1, 1, 6, 16)]


def test_relu_is_fused_into_the_pointwise_op_and_other_activations_follow():
    x = np.random.default_rng(0).standard_normal((2, 5, 5, 2)).astype(np.float32)
    kwargs = dict(depthwise_initializer="ones", pointwise_initializer="glorot_uniform")
    relu, linear, tanh = (SeparableConv2D(3, 3, activation=a, **kwargs) for a in ("relu", None, "tanh"))
    out = relu(x)
    for layer in (linear, tanh):  # the same weights
        layer(x)
        layer.set_weights(relu.get_weights())
    assert type(out._op).__name__ == "Conv2DOp" and out._op.relu
    np.testing.assert_allclose(out.numpy(), np.maximum(linear(x).numpy(), 0), rtol=1e-6)
    np.testing.assert_allclose(tanh(x).numpy(), np.tanh(linear(x).numpy()), rtol=1e-5)


def test_a_separable_convnet_trains_and_survives_save_and_load(tmp_path):
    from dl_convnet import MaxPooling2D

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)  # class 0: a bright bar in the top half, class 1: in the bottom half
    x = 0.3 * rng.random((64, 8, 8, 2)).astype(np.float32)
    rows = rng.integers(0, 3, 64) + 4 * y
    x[np.arange(64), rows] += 1.0
    model = L.Sequential([SeparableConv2D(4, 3, activation="relu", padding="same", input_shape=(8, 8, 2)),
                          MaxPooling2D(2), L.Flatten(), L.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    model.save(tmp_path / "separable.keras")
    loaded = L.load_model(tmp_path / "separable.keras")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.layers[0].get_config() == model.layers[0].get_config()


def test_get_config_round_trip_and_keras_long_name():
    layer = SeparableConv2D(4, (3, 1), strides=2, padding="same", depth_multiplier=2, activation="tanh",
                            use_bias=False, pointwise_regularizer="l2", name="s")
    config = layer.get_config()
    assert SeparableConv2D.from_config(config).get_config() == config
    assert config["kernel_size"] == [3, 1] and config["depth_multiplier"] == 2
    assert SeparableConvolution2D is SeparableConv2D


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, "SeparableConv2D: argument `filters` must be an integer >= 1, got 0"),
    ({"filters": 2, "kernel_size": (3, 3, 3)}, "kernel_size` must be an int or a tuple of 2 ints"),
    ({"filters": 2, "kernel_size": 3, "depth_multiplier": 0}, "`depth_multiplier` must be an integer >= 1"),
    ({"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding` must be one of 'valid', 'same'"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "cannot be combined"),
    ({"filters": 2, "kernel_size": 3, "data_format": "channels_first"}, "data_format"),
])
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SeparableConv2D(**kwargs)


def test_bad_inputs_name_the_layer():
    layer = SeparableConv2D(2, 3, name="sep")
    with pytest.raises(ValueError, match=r"Layer 'sep' expects images of rank 4 .* got shape \(None, 8, 8, 3, 1\)"):
        layer(np.zeros((1, 8, 8, 3, 1)))
    layer(np.zeros((1, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"Layer 'sep' was built for inputs with 3 at axis -1"):
        layer(np.zeros((1, 8, 8, 4)))
    with pytest.raises(ValueError, match=r"Layer 'sep': its 3-tap kernel .* larger than the input's width of 1"):
        layer(np.zeros((1, 8, 1, 3)))


def test_symbolic_shapes_and_unknown_sizes():
    inputs = L.Input(shape=(None, None, 3))
    out = SeparableConv2D(5, 3, strides=2, padding="same")(inputs)
    assert out.shape == (None, None, None, 5)
    assert L.Model(inputs, out).predict(np.zeros((1, 9, 7, 3))).shape == (1, 5, 4, 5)
    assert SeparableConv2D(5, 3).compute_output_shape((None, 10, None, 3)) == (None, 8, None, 5)
