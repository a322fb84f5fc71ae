"""Conv2DTranspose: forward against a brute-force NumPy definition, the adjoint of Conv2D, the
fused op against its composed twin, backward against finite differences, Keras's output sizes
and kernel layout, configs, saving, errors."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import dl_layers as L
import dl_tensor as dt
from dl_convnet import Conv2D, conv2d_composed
from dl_convnet.conv_transpose import (
    Conv2DTranspose,
    Conv2DTransposeOp,
    Convolution2DTranspose,
    conv2d_transpose_composed,
    deconv_output_length,
    transpose_crop,
)
from dl_tensor import Tensor, gradcheck


def keras_output_length(n, k, s, padding, output_padding, d):
    """Keras's ``deconv_output_length``, written out again."""
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = 0 if padding == "valid" else k // 2
    return (n - 1) * s + k - 2 * pad + output_padding


def keras_jax_crop(k, s, padding, output_padding, d):
    """Leading pixels cut from the full output, from the explicit padding Keras's JAX backend uses."""
    k = (k - 1) * d + 1
    if padding == "valid":
        return 0
    pad_len = s + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
    left_pad = min(pad_len // 2 + pad_len % 2, k - 1)  # padding of the zero-spread input before the flipped kernel
    return k - 1 - left_pad


def np_conv2d_transpose(x, kernel, strides, padding, output_padding, dilation):
    """Every input pixel stamps the kernel onto the output, one pixel at a time (brute force)."""
    n, h, w, c = x.shape
    kh, kw, f, _ = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    op = output_padding or (None, None)
    out_h = keras_output_length(h, kh, sh, padding, op[0], dh)
    out_w = keras_output_length(w, kw, sw, padding, op[1], dw)
    top, left = keras_jax_crop(kh, sh, padding, op[0], dh), keras_jax_crop(kw, sw, padding, op[1], dw)
    big = np.zeros((n, top + out_h + (kh - 1) * dh + h * sh, left + out_w + (kw - 1) * dw + w * sw, f))
    for y in range(h):
        for x_ in range(w):
            for i in range(kh):
                for j in range(kw):
                    big[:, y * sh + i * dh, x_ * sw + j * dw] += x[:, y, x_] @ kernel[i, j].T  # (n, c) @ (c, f)
    return big[:, top:top + out_h, left:left + out_w]


@st.composite
def transpose_cases(draw, consistent=False):
    """A small transposed convolution: shapes, strides or dilation, padding, output padding."""
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding = draw(st.sampled_from(["valid", "same"]))
    if draw(st.booleans()):
        strides, dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))), (1, 1)
    else:
        strides, dilation = (1, 1), (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    output_padding = None
    if draw(st.booleans()):
        output_padding = (draw(st.integers(0, strides[0] - 1)), draw(st.integers(0, strides[1] - 1)))
    sizes = [keras_output_length(size, k, s, padding, p, d) for size, k, s, p, d in
             zip((h, w), (kh, kw), strides, output_padding or (None, None), dilation)]
    assume(min(sizes) >= 1)
    if consistent:  # the Conv2D with these settings maps the output size back to the input size
        spans = [(k - 1) * d + 1 for k, d in zip((kh, kw), dilation)]
        back = [math.ceil(size / s) if padding == "same" else (size - span) // s + 1
                for size, s, span in zip(sizes, strides, spans)]
        assume(back == [h, w])
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return (rng.standard_normal((n, h, w, c)), rng.standard_normal((kh, kw, f, c)), rng.standard_normal(f),
            strides, padding, output_padding, dilation)


def make_op(x, kernel, strides, padding, output_padding, dilation, relu=False, use_bias=True):
    sizes, crops = [], []
    for size, k, s, p, d in zip(x.shape[1:3], kernel.shape[:2], strides, output_padding or (None, None), dilation):
        sizes.append(deconv_output_length(size, k, s, padding, p, d))
        crops.append(transpose_crop(size, sizes[-1], k, s, padding, d))
    return Conv2DTransposeOp(tuple(sizes), tuple(crops), strides, dilation, relu=relu, use_bias=use_bias)


@given(transpose_cases())
def test_fused_op_matches_the_brute_force_definition(case):
    x, kernel, bias, strides, padding, output_padding, dilation = case
    out = make_op(x, kernel, strides, padding, output_padding, dilation)(
        *(Tensor(a, dtype="float64") for a in (x, kernel, bias)))
    expected = np_conv2d_transpose(x, kernel, strides, padding, output_padding, dilation) + bias
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)


@given(transpose_cases(consistent=True))
def test_it_is_the_adjoint_of_the_convolution(case):
    # <conv2d(y, K), x> == <y, conv2d_transpose(x, K)>: the same kernel array in both layouts
    x, kernel, _, strides, padding, output_padding, dilation = case
    out = conv2d_transpose_composed(Tensor(x, dtype="float64"), Tensor(kernel, dtype="float64"), None, strides,
                                    padding, output_padding, dilation).numpy()
    y = np.random.default_rng(1).standard_normal(out.shape)
    conv = conv2d_composed(Tensor(y, dtype="float64"), Tensor(kernel, dtype="float64"), None, strides, padding,
                           dilation).numpy()
    assert conv.shape == x.shape
    np.testing.assert_allclose((conv * x).sum(), (y * out).sum(), rtol=1e-10, atol=1e-10)
    fused = make_op(x, kernel, strides, padding, output_padding, dilation, use_bias=False)(
        Tensor(x, dtype="float64"), Tensor(kernel, dtype="float64"))
    np.testing.assert_allclose((conv * x).sum(), (y * fused.numpy()).sum(), rtol=1e-10, atol=1e-10)


@given(transpose_cases(consistent=True))
def test_same_crop_is_the_padding_conv2d_adds(case):
    x, kernel, _, strides, padding, output_padding, dilation = case
    for size, k, s, p, d in zip(x.shape[1:3], kernel.shape[:2], strides, output_padding or (None, None), dilation):
        out = deconv_output_length(size, k, s, padding, p, d)
        before = 0
        if padding == "same":
            total = max((math.ceil(out / s) - 1) * s + (k - 1) * d + 1 - out, 0)
            before = total // 2
        assert transpose_crop(size, out, k, s, padding, d) == before


@given(transpose_cases(), st.booleans())
def test_fused_op_equals_its_composed_twin_values_and_gradients(case, relu):
    x, kernel, bias, strides, padding, output_padding, dilation = case
    direction = None
    results = []
    for fused in (True, False):
        xt, kt, bt = (Tensor(a, requires_grad=True, dtype="float64") for a in (x, kernel, bias))
        if fused:
            out = make_op(x, kernel, strides, padding, output_padding, dilation, relu)(xt, kt, bt)
        else:
            out = conv2d_transpose_composed(xt, kt, bt, strides, padding, output_padding, dilation)
            out = dt.relu(out) if relu else out
        if direction is None:
            direction = np.random.default_rng(1).standard_normal(out.shape)
        (out * direction).sum().backward()
        results.append((out.numpy(), xt.grad, kt.grad, bt.grad))
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-10)


@given(transpose_cases())
def test_fused_op_gradients_match_finite_differences(case):
    x, kernel, bias, strides, padding, output_padding, dilation = case
    assert gradcheck(lambda x, k, b: make_op(x, k, strides, padding, output_padding, dilation)(x, k, b),
                     [x, kernel, bias])


def test_directional_gradcheck_on_a_decoder_sized_kernel():
    rng = np.random.default_rng(0)
    x, kernel, bias = rng.standard_normal((2, 4, 4, 64)), rng.standard_normal((3, 3, 32, 64)) * 0.1, np.zeros(32)
    op = dict(strides=(2, 2), padding="same", output_padding=None, dilation=(1, 1), relu=True)
    assert gradcheck(lambda x, k, b: make_op(x, k, **op)(x, k, b), [x, kernel, bias], mode="directional")


@pytest.mark.parametrize("kwargs, size, expected", [
    ({"kernel_size": 3, "strides": 2}, 7, 15),                                    # (n - 1) * s + k
    ({"kernel_size": 3, "strides": 2, "padding": "same"}, 7, 14),                 # n * s
    ({"kernel_size": 2, "strides": 2}, 7, 14),
    ({"kernel_size": 1, "strides": 3}, 4, 12),                                    # k < s: n * s
    ({"kernel_size": 3, "strides": 2, "output_padding": 1}, 7, 16),
    ({"kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1}, 7, 14),
    ({"kernel_size": 4, "strides": 3, "padding": "same", "output_padding": 2}, 5, 14),
    ({"kernel_size": 3, "dilation_rate": 2}, 5, 9),
    ({"kernel_size": 5, "padding": "same"}, 6, 6),
])
def test_output_sizes_follow_keras(kwargs, size, expected):
    layer = Conv2DTranspose(2, **kwargs)
    assert layer.compute_output_shape((None, size, size, 3)) == (None, expected, expected, 2)
    assert layer(np.zeros((1, size, size, 3))).shape == (1, expected, expected, 2)


def test_kernel_layout_is_keras_and_shared_with_conv2d():
    layer = Conv2DTranspose(8, (3, 2), strides=2, name="up")
    layer(np.zeros((1, 5, 5, 3), np.float32))
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 8, 3), (8,)]  # (kh, kw, filters, in)
    assert [w.path for w in layer.weights] == ["up/kernel", "up/bias"]
    assert layer.count_params() == 3 * 2 * 8 * 3 + 8
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((3, 2, 8, 3)).astype(np.float32)
    layer.set_weights([kernel, np.zeros(8, np.float32)])  # what a Keras layer's get_weights() gives
    x = rng.standard_normal((2, 5, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(layer(x).numpy(), np_conv2d_transpose(x, kernel, (2, 2), "valid", None, (1, 1)),
                               rtol=1e-5, atol=1e-5)
    conv = Conv2D(3, (3, 2), strides=2, use_bias=False)  # its kernel (kh, kw, 8, 3): the same array
    conv(np.zeros((1, 11, 10, 8), np.float32))
    conv.set_weights([kernel])
    y = rng.standard_normal((2, 11, 10, 8)).astype(np.float32)
    np.testing.assert_allclose((conv(y).numpy() * x).sum(), (y * layer(x).numpy()).sum(), rtol=1e-4)


def test_stride_two_same_doubles_and_relu_is_fused():
    x = np.random.default_rng(0).standard_normal((2, 4, 3, 2)).astype(np.float32)
    relu, linear = (Conv2DTranspose(3, 3, strides=2, padding="same", activation=a) for a in ("relu", None))
    out = relu(x)
    linear(x)
    linear.set_weights(relu.get_weights())
    assert out.shape == (2, 8, 6, 3)
    assert type(out._op).__name__ == "Conv2DTransposeOp" and out._op.relu
    np.testing.assert_allclose(out.numpy(), np.maximum(linear(x).numpy(), 0), rtol=1e-6)
    sigmoid = Conv2DTranspose(3, 3, strides=2, padding="same", activation="sigmoid")
    sigmoid(x)
    sigmoid.set_weights(relu.get_weights())
    np.testing.assert_allclose(sigmoid(x).numpy(), 1 / (1 + np.exp(-linear(x).numpy())), rtol=1e-5)


def test_layer_gradients_in_float64():
    layer = Conv2DTranspose(2, (3, 2), strides=(2, 1), padding="same", output_padding=(1, 0), dtype="float64",
                            bias_initializer="random_normal")
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 3))
    layer(x)
    assert gradcheck(lambda t: layer(t), [x], params=layer.trainable_weights)


def test_an_autoencoder_saves_and_loads_with_identical_predictions(tmp_path):
    model = L.Sequential([
        Conv2D(4, 3, strides=2, padding="same", activation="relu", input_shape=(8, 8, 1)),
        Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
        Conv2DTranspose(1, 3, output_padding=None, activation="sigmoid", padding="same"),
    ])
    assert [layer.output_shape for layer in model.layers] == [(None, 4, 4, 4), (None, 8, 8, 4), (None, 8, 8, 1)]
    x = np.random.default_rng(0).random((4, 8, 8, 1)).astype(np.float32)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, x, epochs=2, batch_size=2, verbose=0)
    model.save(tmp_path / "autoencoder.keras")
    loaded = L.load_model(tmp_path / "autoencoder.keras")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [layer.get_config() for layer in loaded.layers] == [layer.get_config() for layer in model.layers]


def test_get_config_round_trip_and_keras_long_name():
    layer = Conv2DTranspose(4, (3, 1), strides=2, padding="same", output_padding=(1, 0), activation="tanh",
                            use_bias=False, kernel_regularizer="l2", name="t")
    config = layer.get_config()
    assert Conv2DTranspose.from_config(config).get_config() == config
    assert config["output_padding"] == [1, 0] and config["kernel_size"] == [3, 1]
    assert Conv2DTranspose(2, 3).get_config()["output_padding"] is None
    assert Convolution2DTranspose is Conv2DTranspose


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, "Conv2DTranspose: argument `filters` must be an integer >= 1, got 0"),
    ({"filters": 2, "kernel_size": 0}, "argument `kernel_size` must be an integer >= 1, got 0"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, "padding` must be one of 'valid', 'same'"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2},
     r"`output_padding` must be less than the stride along each axis, got output_padding=\(2, 2\) with "
     r"strides=\(2, 2\) \(height: 2 >= 2\)"),
    ({"filters": 2, "kernel_size": 3, "output_padding": (0, 1)}, r"\(width: 1 >= 1\)"),
    ({"filters": 2, "kernel_size": 3, "output_padding": -1}, "`output_padding` must be an integer >= 0, got -1"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "cannot be combined"),
    ({"filters": 2, "kernel_size": 3, "data_format": "channels_first"}, "data_format"),
])
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2DTranspose(**kwargs)


def test_bad_inputs_name_the_layer():
    layer = Conv2DTranspose(2, 3, name="up")
    with pytest.raises(ValueError, match=r"Layer 'up' expects images of rank 4 .* got shape \(None, 8\)"):
        layer(np.zeros((2, 8)))
    layer(np.zeros((1, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"Layer 'up' was built for inputs with 3 at axis -1"):
        layer(np.zeros((1, 4, 4, 2)))
    with pytest.raises(ValueError, match=r"Layer 'empty': input shape \(1, 1, 4, 3\) gives an output height of 0"):
        Conv2DTranspose(2, 2, padding="same", output_padding=0, name="empty")(np.zeros((1, 1, 4, 3)))


def test_symbolic_shapes_and_unknown_sizes():
    inputs = L.Input(shape=(None, 5, 3))
    out = Conv2DTranspose(4, 3, strides=2)(inputs)
    assert out.shape == (None, None, 11, 4)
    assert L.Model(inputs, out).predict(np.zeros((1, 2, 5, 3))).shape == (1, 5, 11, 4)
