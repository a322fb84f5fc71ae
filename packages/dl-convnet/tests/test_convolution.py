"""Conv2D: forward against NumPy, backward against finite differences, the fused op against
its composed twin, Keras's shapes, layouts and "same" padding, configs, saving, errors."""


import numpy as np
import pytest
from conv_reference import np_windows, window_geometry
from hypothesis import given
from hypothesis import strategies as st

import dl_layers as L
import dl_tensor as dt
from dl_convnet import Conv2D, Conv2DOp, conv2d_composed
from dl_convnet.convolution import conv_padding
from dl_tensor import Tensor, gradcheck


def np_conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """Every output pixel as an einsum over a sliding-window view: an independent reference."""
    windows = np_windows(x, *kernel.shape[:2], strides, padding, dilation)  # (n, out_h, out_w, c, kh, kw)
    return np.einsum("nyxcij,ijcf->nyxf", windows, kernel)


@st.composite
def conv_cases(draw):
    """A small convolution problem: shapes, strides or dilation, padding."""
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w, kh, kw, strides, padding, dilation = window_geometry(draw)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return (rng.standard_normal((n, h, w, c)), rng.standard_normal((kh, kw, c, f)), rng.standard_normal(f),
            strides, padding, dilation)


def run_op(x, kernel, bias, strides, padding, dilation, relu=False):
    pads = conv_padding(x.shape[1], x.shape[2], kernel.shape[:2], strides, dilation, padding)
    return Conv2DOp(strides, dilation, pads, relu=relu, use_bias=bias is not None)


@given(conv_cases())
def test_fused_op_matches_numpy(case):
    x, kernel, bias, strides, padding, dilation = case
    op = run_op(x, kernel, bias, strides, padding, dilation)
    out = op(Tensor(x, dtype="float64"), Tensor(kernel, dtype="float64"), Tensor(bias, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), np_conv2d(x, kernel, strides, padding, dilation) + bias, rtol=1e-10,
                               atol=1e-10)


@given(conv_cases(), st.booleans(), st.booleans())
def test_fused_op_equals_its_composed_twin_values_and_gradients(case, relu, image_grad):
    """Both ways to the kernel's gradient: with the images' gradient too, and without it (a first
    layer, where a fused relu's derivative is taken in blocks: ``relu_kernel_gradient``)."""
    x, kernel, bias, strides, padding, dilation = case
    direction = np.random.default_rng(1).standard_normal(np_conv2d(x, kernel, strides, padding, dilation).shape)
    grads = []
    for fused in (True, False):
        xt = Tensor(x, requires_grad=image_grad, dtype="float64")
        kt, bt = (Tensor(a, requires_grad=True, dtype="float64") for a in (kernel, bias))
        if fused:
            out = run_op(x, kernel, bias, strides, padding, dilation, relu)(xt, kt, bt)
        else:
            out = conv2d_composed(xt, kt, bt, strides, padding, dilation)
            out = dt.relu(out) if relu else out
        (out * direction).sum().backward()
        assert (xt.grad is not None) == image_grad
        grads.append((out.numpy(), xt.grad if image_grad else 0.0, kt.grad, bt.grad))
    for fused, composed in zip(*grads):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-10)


def test_a_first_layers_kernel_gradient_in_blocks_equals_the_composed_twins():
    """Images that need no gradient: relu's masked gradient is made a block of pixels at a time
    (``relu_kernel_gradient``); here over three blocks, the last one partial."""
    from dl_convnet.convolution import BLOCK_PIXELS
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 30, 30, 2))  # 6 * 28 * 28 = 4,704 output pixels
    kernel, bias = rng.standard_normal((3, 3, 2, 4)), rng.standard_normal(4)
    assert 2 * BLOCK_PIXELS < 6 * 28 * 28 < 3 * BLOCK_PIXELS
    direction = rng.standard_normal((6, 28, 28, 4))
    grads = []
    for fused in (True, False):
        xt = Tensor(x, dtype="float64")  # no gradient wanted for the images
        kt, bt = (Tensor(a, requires_grad=True, dtype="float64") for a in (kernel, bias))
        out = run_op(x, kernel, bias, (1, 1), "valid", (1, 1), relu=True)(xt, kt, bt) if fused else \
            dt.relu(conv2d_composed(xt, kt, bt))
        (out * direction).sum().backward()
        assert xt.grad is None
        grads.append((kt.grad, bt.grad))
    for fused, composed in zip(*grads):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-10)


@given(conv_cases())
def test_fused_op_gradients_match_finite_differences(case):
    x, kernel, bias, strides, padding, dilation = case
    pads = conv_padding(x.shape[1], x.shape[2], kernel.shape[:2], strides, dilation, padding)
    assert gradcheck(lambda x, k, b: Conv2DOp(strides, dilation, pads)(x, k, b), [x, kernel, bias])


def test_directional_gradcheck_on_a_book_sized_kernel():
    # the book's second convolution: 3x3x32x64 weights, too many to perturb one by one
    rng = np.random.default_rng(0)
    x, kernel, bias = rng.standard_normal((2, 6, 6, 32)), rng.standard_normal((3, 3, 32, 64)) * 0.1, np.zeros(64)
    assert gradcheck(lambda x, k, b: Conv2DOp(relu=False)(x, k, b), [x, kernel, bias], mode="directional")


@pytest.mark.parametrize("size, kernel, stride, expected", [
    (28, 3, 1, (28, (1, 1))), (28, 3, 2, (14, (0, 1))), (28, 2, 2, (14, (0, 0))), (5, 4, 3, (2, (1, 1))),
    (7, 1, 3, (3, (0, 0))), (6, 5, 4, (2, (1, 2))),
])
def test_same_padding_follows_keras_for_every_stride(size, kernel, stride, expected):
    layer = Conv2D(1, kernel, strides=stride, padding="same")
    assert layer.compute_output_shape((None, size, size, 1))[1] == expected[0]
    assert conv_padding(size, size, (kernel, kernel), (stride, stride), (1, 1), "same")[0] == expected[1]
    assert layer(np.zeros((1, size, size, 1))).shape[1] == expected[0]


def test_the_books_first_convnet_summary_and_shapes():
    # 5.1: conv base 55,744 parameters, 93,322 in all; feature maps 26 -> 13 -> 11 -> 5 -> 3
    from dl_convnet import MaxPooling2D

    model = L.Sequential([
        Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
        MaxPooling2D((2, 2)),
        Conv2D(64, (3, 3), activation="relu"),
        MaxPooling2D((2, 2)),
        Conv2D(64, (3, 3), activation="relu"),
    ])
    assert [layer.output_shape for layer in model.layers] == [
        (None, 26, 26, 32), (None, 13, 13, 32), (None, 11, 11, 64), (None, 5, 5, 64), (None, 3, 3, 64)]
    assert model.count_params() == 55_744
    model.add(L.Flatten())
    model.add(L.Dense(64, activation="relu"))
    model.add(L.Dense(10, activation="softmax"))
    assert model.count_params() == 93_322


def test_weights_in_keras_layout_and_order():
    layer = Conv2D(8, (3, 2), name="conv")
    layer(np.zeros((1, 6, 6, 3), np.float32))
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 3, 8), (8,)]
    assert [w.path for w in layer.weights] == ["conv/kernel", "conv/bias"]
    kernel = np.random.default_rng(0).standard_normal((3, 2, 3, 8)).astype(np.float32)
    layer.set_weights([kernel, np.ones(8, np.float32)])  # what a Keras layer's get_weights() gives
    x = np.random.default_rng(1).standard_normal((2, 6, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(layer(x).numpy(), np_conv2d(x, kernel) + 1, rtol=1e-5, atol=1e-5)


def test_relu_is_fused_and_other_activations_follow():
    x = np.random.default_rng(0).standard_normal((2, 5, 5, 2)).astype(np.float32)
    relu, linear, tanh = (Conv2D(3, 3, activation=a, kernel_initializer="ones") for a in ("relu", None, "tanh"))
    out = relu(x)
    assert type(out._op).__name__ == "Conv2DOp" and out._op.relu
    np.testing.assert_allclose(out.numpy(), np.maximum(linear(x).numpy(), 0), rtol=1e-6)
    np.testing.assert_allclose(tanh(x).numpy(), np.tanh(linear(x).numpy()), rtol=1e-5)


def test_a_convnet_trains_and_survives_save_and_load(tmp_path):
    from dl_convnet import MaxPooling2D

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)  # class 0: a bright bar in the top half, class 1: in the bottom half
    x = 0.3 * rng.random((64, 8, 8, 1)).astype(np.float32)
    rows = rng.integers(0, 3, 64) + 4 * y  # rows 0..2 or 4..6
    x[np.arange(64), rows] += 1.0
    model = L.Sequential([Conv2D(4, 3, activation="relu", padding="same", input_shape=(8, 8, 1)), MaxPooling2D(2),
                          L.Flatten(), L.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    model.save(tmp_path / "convnet.keras")
    loaded = L.load_model(tmp_path / "convnet.keras")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.layers[0].get_config() == model.layers[0].get_config()


def test_get_config_round_trip():
    layer = Conv2D(4, (3, 1), strides=2, padding="same", activation="tanh", use_bias=False,
                   kernel_regularizer="l2", name="c")
    config = layer.get_config()
    clone = Conv2D.from_config(config)
    assert clone.get_config() == config
    assert config["kernel_size"] == [3, 1] and config["strides"] == [2, 2] and config["padding"] == "same"


@pytest.mark.parametrize("kwargs, error, message", [
    ({"filters": 0, "kernel_size": 3}, ValueError, "Conv2D: argument `filters` must be an integer >= 1, got 0"),
    ({"filters": 2, "kernel_size": 0}, ValueError, "Conv2D: argument `kernel_size` must be an integer >= 1, got 0"),
    ({"filters": 2, "kernel_size": 3, "strides": 0}, ValueError, "argument `strides` must be an integer >= 1"),
    ({"filters": 2, "kernel_size": (3, 3, 3)}, ValueError, "kernel_size` must be an int or a tuple of 2 ints"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, ValueError, "padding` must be one of 'valid', 'same'"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, ValueError, "cannot be combined"),
    ({"filters": 2, "kernel_size": 3, "data_format": "channels_first"}, ValueError, "data_format"),
])
def test_bad_arguments_name_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        Conv2D(**kwargs)


def test_bad_inputs_name_the_layer():
    layer = Conv2D(2, 3, name="conv")
    with pytest.raises(ValueError, match=r"Layer 'conv' expects images of rank 4 \(batch, height, width, channels\), "
                                         r"got shape \(None, 28, 28\)"):
        layer(np.zeros((2, 28, 28)))
    layer(np.zeros((1, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"Layer 'conv' was built for inputs with 3 at axis -1, got shape "
                                         r"\(1, 8, 8, 1\)"):
        layer(np.zeros((1, 8, 8, 1)))
    with pytest.raises(ValueError, match=r"Layer 'conv': its 3-tap kernel .* larger than the input's height of 2"):
        layer(np.zeros((1, 2, 8, 3)))
    with pytest.raises(ValueError, match=r"larger than the input's width of 4"):
        Conv2D(2, 3, dilation_rate=2, name="dilated")(np.zeros((1, 8, 4, 1)))


def test_symbolic_shapes_and_unknown_sizes():
    inputs = L.Input(shape=(None, None, 3))
    out = Conv2D(5, 3, strides=2, padding="same")(inputs)
    assert out.shape == (None, None, None, 5)
    model = L.Model(inputs, out)
    assert model.predict(np.zeros((1, 9, 7, 3))).shape == (1, 5, 4, 5)


def test_float64_layers_and_integer_images():
    layer = Conv2D(2, 2, dtype="float64")
    assert layer(np.ones((1, 3, 3, 1))).dtype == np.float64
    assert Conv2D(2, 2)(np.ones((1, 3, 3, 1), np.uint8)).dtype == np.float32  # uint8 pixels take the kernel's dtype
