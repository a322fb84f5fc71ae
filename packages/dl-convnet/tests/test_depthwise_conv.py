"""DepthwiseConv2D: forward against NumPy, backward against finite differences, the fused op
against its composed twin, Keras's channel order, layouts and shapes, configs, saving, errors."""

import math

import numpy as np
import pytest
from conv_reference import np_windows, window_geometry
from hypothesis import given
from hypothesis import strategies as st

import dl_layers as L
import dl_tensor as dt
from dl_convnet import Conv2D
from dl_convnet.convolution import conv_padding
from dl_convnet.depthwise_conv import DepthwiseConv2D, DepthwiseConv2DOp, depthwise_conv2d_composed
from dl_tensor import Tensor, gradcheck


def np_depthwise(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """Each channel against its own filters, through a sliding-window view: an independent reference."""
    kh, kw, c, m = kernel.shape
    windows = np_windows(x, kh, kw, strides, padding, dilation)  # (n, out_h, out_w, c, kh, kw)
    out = np.einsum("nyxcij,ijcm->nyxcm", windows, kernel)
    return out.reshape(*out.shape[:3], c * m)  # channel-major: c * m + mi


@st.composite
def depthwise_cases(draw):
    """A small depthwise problem: shapes, depth multiplier, strides or dilation, padding."""
    n, c, m = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w, kh, kw, strides, padding, dilation = window_geometry(draw)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return (rng.standard_normal((n, h, w, c)), rng.standard_normal((kh, kw, c, m)), rng.standard_normal(c * m),
            strides, padding, dilation)


def make_op(x, kernel, strides, padding, dilation, relu=False, use_bias=True):
    pads = conv_padding(x.shape[1], x.shape[2], kernel.shape[:2], strides, dilation, padding)
    return DepthwiseConv2DOp(strides, dilation, pads, relu=relu, use_bias=use_bias)


@given(depthwise_cases())
def test_fused_op_matches_numpy(case):
    x, kernel, bias, strides, padding, dilation = case
    out = make_op(x, kernel, strides, padding, dilation)(*(Tensor(a, dtype="float64") for a in (x, kernel, bias)))
    np.testing.assert_allclose(out.numpy(), np_depthwise(x, kernel, strides, padding, dilation) + bias, rtol=1e-10,
                               atol=1e-10)


@given(depthwise_cases(), st.booleans())
def test_fused_op_equals_its_composed_twin_values_and_gradients(case, relu):
    x, kernel, bias, strides, padding, dilation = case
    direction = np.random.default_rng(1).standard_normal(np_depthwise(x, kernel, strides, padding, dilation).shape)
    results = []
    for fused in (True, False):
        xt, kt, bt = (Tensor(a, requires_grad=True, dtype="float64") for a in (x, kernel, bias))
        if fused:
            out = make_op(x, kernel, strides, padding, dilation, relu)(xt, kt, bt)
        else:
            out = depthwise_conv2d_composed(xt, kt, bt, strides, padding, dilation)
            out = dt.relu(out) if relu else out
        (out * direction).sum().backward()
        results.append((out.numpy(), xt.grad, kt.grad, bt.grad))
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-10)


@given(depthwise_cases())
def test_fused_op_gradients_match_finite_differences(case):
    x, kernel, bias, strides, padding, dilation = case
    assert gradcheck(lambda x, k, b: make_op(x, k, strides, padding, dilation)(x, k, b), [x, kernel, bias])


def test_fused_op_without_bias_and_gradients_for_some_inputs_only():
    rng = np.random.default_rng(0)
    x, kernel = rng.standard_normal((2, 5, 5, 3)), rng.standard_normal((3, 3, 3, 2))
    assert gradcheck(lambda x, k: DepthwiseConv2DOp(use_bias=False)(x, k), [x, kernel])
    xt, kt = Tensor(x, dtype="float64"), Tensor(kernel, requires_grad=True, dtype="float64")  # image needs none
    DepthwiseConv2DOp(use_bias=False)(xt, kt).sum().backward()
    np.testing.assert_allclose(kt.grad, np.einsum("nyxcij->ijc", np.lib.stride_tricks.sliding_window_view(
        x, (3, 3), axis=(1, 2)))[..., None].repeat(2, axis=-1), rtol=1e-10)


def test_directional_gradcheck_on_a_mobilenet_sized_layer():
    rng = np.random.default_rng(0)
    x, kernel, bias = rng.standard_normal((2, 6, 6, 32)), rng.standard_normal((3, 3, 32, 2)), rng.standard_normal(64)
    op = dict(strides=(1, 1), dilation=(1, 1), pads=((1, 1), (1, 1)), relu=True)
    assert gradcheck(lambda x, k, b: DepthwiseConv2DOp(**op)(x, k, b), [x, kernel, bias], mode="directional")


def test_output_channels_are_channel_major_as_in_keras():
    # output channel c * depth_multiplier + m is channel c convolved with filter m
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 5, 3)).astype(np.float32)
    layer = DepthwiseConv2D(3, depth_multiplier=2, padding="same", use_bias=False)
    out = layer(x).numpy()
    kernel = layer.get_weights()[0]  # (3, 3, 3, 2)
    for c in range(3):
        for m in range(2):
            single = Conv2D(1, 3, padding="same", use_bias=False)
            single(x[..., c:c + 1])
            single.set_weights([kernel[:, :, c:c + 1, m:m + 1]])
            np.testing.assert_allclose(out[..., c * 2 + m], single(x[..., c:c + 1]).numpy()[..., 0], rtol=1e-5,
                                       atol=1e-5)


def test_weights_in_keras_layout_and_order():
    layer = DepthwiseConv2D((3, 2), depth_multiplier=4, name="dw")
    layer(np.zeros((1, 6, 6, 3), np.float32))
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 3, 4), (12,)]
    assert [w.path for w in layer.weights] == ["dw/kernel", "dw/bias"]
    assert layer.count_params() == 3 * 2 * 3 * 4 + 12
    rng = np.random.default_rng(0)
    kernel, bias = rng.standard_normal((3, 2, 3, 4)).astype(np.float32), rng.standard_normal(12).astype(np.float32)
    layer.set_weights([kernel, bias])  # what a Keras layer's get_weights() gives
    x = rng.standard_normal((2, 6, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(layer(x).numpy(), np_depthwise(x, kernel) + bias, rtol=1e-5, atol=1e-5)


def test_glorot_fans_follow_keras():
    # Keras draws the (kh, kw, c, m) kernel with fan_in = kh*kw*c and fan_out = kh*kw*m
    layer = DepthwiseConv2D(3, depth_multiplier=2)
    layer(np.zeros((1, 8, 8, 64), np.float32))
    limit = math.sqrt(6 / (9 * 64 + 9 * 2))
    kernel = layer.get_weights()[0]
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit


@pytest.mark.parametrize("size, kernel, stride, expected", [
    (28, 3, 1, 28), (28, 3, 2, 14), (7, 2, 3, 3), (6, 5, 4, 2), (32, 3, 2, 16),
])
def test_same_padding_shapes_follow_keras(size, kernel, stride, expected):
    layer = DepthwiseConv2D(kernel, strides=stride, padding="same", depth_multiplier=3)
    assert layer.compute_output_shape((None, size, size, 2)) == (None, expected, expected, 6)
    assert layer(np.zeros((1, size, size, 2))).shape == (1, expected, expected, 6)


def test_relu_is_fused_and_other_activations_follow():
    x = np.random.default_rng(0).standard_normal((2, 5, 5, 2)).astype(np.float32)
    relu, linear, tanh = (DepthwiseConv2D(3, activation=a, depthwise_initializer="ones")
                          for a in ("relu", None, "tanh"))
    out = relu(x)
    assert type(out._op).__name__ == "DepthwiseConv2DOp" and out._op.relu
    np.testing.assert_allclose(out.numpy(), np.maximum(linear(x).numpy(), 0), rtol=1e-6)
    np.testing.assert_allclose(tanh(x).numpy(), np.tanh(linear(x).numpy()), rtol=1e-5)


def test_layer_gradients_in_float64():
    layer = DepthwiseConv2D(2, depth_multiplier=2, padding="same", strides=2, dtype="float64",
                            bias_initializer="random_normal")
    x = np.random.default_rng(0).standard_normal((2, 5, 4, 3))
    layer(x)
    assert gradcheck(lambda t: layer(t), [x], params=layer.trainable_weights)


def test_a_model_saves_and_loads_with_identical_predictions(tmp_path):
    model = L.Sequential([DepthwiseConv2D(3, depth_multiplier=2, activation="relu", input_shape=(8, 8, 3)),
                          DepthwiseConv2D(2, strides=2, padding="same", use_bias=False), L.Flatten(), L.Dense(2)])
    x = np.random.default_rng(0).standard_normal((4, 8, 8, 3)).astype(np.float32)
    model.save(tmp_path / "depthwise.keras")
    loaded = L.load_model(tmp_path / "depthwise.keras")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [layer.get_config() for layer in loaded.layers] == [layer.get_config() for layer in model.layers]


def test_get_config_round_trip():
    layer = DepthwiseConv2D((3, 1), strides=2, padding="same", depth_multiplier=3, activation="tanh",
                            use_bias=False, depthwise_regularizer="l2", name="d")
    config = layer.get_config()
    assert DepthwiseConv2D.from_config(config).get_config() == config
    assert config["kernel_size"] == [3, 1] and config["strides"] == [2, 2] and config["depth_multiplier"] == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"kernel_size": 0}, "DepthwiseConv2D: argument `kernel_size` must be an integer >= 1, got 0"),
    ({"kernel_size": 3, "depth_multiplier": 0}, "argument `depth_multiplier` must be an integer >= 1, got 0"),
    ({"kernel_size": 3, "strides": (1, 0)}, "argument `strides` must be an integer >= 1"),
    ({"kernel_size": 3, "padding": "full"}, "padding` must be one of 'valid', 'same'"),
    ({"kernel_size": 3, "strides": 2, "dilation_rate": 2}, "cannot be combined"),
    ({"kernel_size": 3, "data_format": "channels_first"}, "data_format"),
])
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DepthwiseConv2D(**kwargs)


def test_bad_inputs_name_the_layer():
    layer = DepthwiseConv2D(3, name="dw")
    with pytest.raises(ValueError, match=r"Layer 'dw' expects images of rank 4 .* got shape \(None, 8, 8\)"):
        layer(np.zeros((2, 8, 8)))
    layer(np.zeros((1, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"Layer 'dw' was built for inputs with 3 at axis -1, got shape "
                                         r"\(1, 8, 8, 1\)"):
        layer(np.zeros((1, 8, 8, 1)))
    with pytest.raises(ValueError, match=r"Layer 'dw': its 3-tap kernel .* larger than the input's height of 2"):
        layer(np.zeros((1, 2, 8, 3)))
    with pytest.raises(ValueError, match=r"Layer 'unknown': the channel axis of the input must be known"):
        DepthwiseConv2D(3, name="unknown")(L.Input(shape=(8, 8, None)))


def test_symbolic_shapes_and_unknown_sizes():
    inputs = L.Input(shape=(None, None, 3))
    out = DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2)(inputs)
    assert out.shape == (None, None, None, 6)
    model = L.Model(inputs, out)
    assert model.predict(np.zeros((1, 9, 7, 3))).shape == (1, 5, 4, 6)


def test_float64_layers_and_integer_images():
    assert DepthwiseConv2D(2, dtype="float64")(np.ones((1, 3, 3, 2))).dtype == np.float64
    assert DepthwiseConv2D(2)(np.ones((1, 3, 3, 2), np.uint8)).dtype == np.float32  # uint8 pixels take the kernel's
