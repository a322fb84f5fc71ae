"""UpSampling2D, ZeroPadding2D, Cropping2D: forward against NumPy (bilinear against TensorFlow's
half-pixel rule), gradients against finite differences, the three argument forms, shapes,
configs, saving, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_layers as L
from dl_convnet.reshaping import Cropping2D, RepeatPixelsOp, UpSampling2D, ZeroPadding2D, bilinear_weights
from dl_tensor import gradcheck


def tf_resize_bilinear(x, out_h, out_w):
    """TensorFlow's ResizeBilinear with half_pixel_centers, pixel by pixel (an independent reference)."""
    n, h, w, c = x.shape
    out = np.zeros((n, out_h, out_w, c))

    def source(o, in_size, out_size):
        pos = (o + 0.5) * (in_size / out_size) - 0.5
        low = math.floor(pos)
        return max(low, 0), min(math.ceil(pos), in_size - 1), pos - low

    for y in range(out_h):
        top, bottom, y_lerp = source(y, h, out_h)
        for x_ in range(out_w):
            left, right, x_lerp = source(x_, w, out_w)
            upper = x[:, top, left] + (x[:, top, right] - x[:, top, left]) * x_lerp
            lower = x[:, bottom, left] + (x[:, bottom, right] - x[:, bottom, left]) * x_lerp
            out[:, y, x_] = upper + (lower - upper) * y_lerp
    return out


images = st.tuples(st.integers(1, 2), st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2**16))


def draw_images(spec):
    n, h, w, c, seed = spec
    return np.random.default_rng(seed).standard_normal((n, h, w, c))


# -- UpSampling2D -----------------------------------------------------------------------------


@given(images, st.tuples(st.integers(1, 3), st.integers(1, 3)))
def test_nearest_repeats_rows_and_columns(spec, size):
    x = draw_images(spec)
    out = UpSampling2D(size, dtype="float64")(x).numpy()
    np.testing.assert_array_equal(out, x.repeat(size[0], axis=1).repeat(size[1], axis=2))


@given(images, st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_bilinear_follows_tensorflows_half_pixel_rule(spec, size):
    x = draw_images(spec)
    out = UpSampling2D(size, interpolation="bilinear", dtype="float64")(x).numpy()
    np.testing.assert_allclose(out, tf_resize_bilinear(x, x.shape[1] * size[0], x.shape[2] * size[1]), rtol=1e-12,
                               atol=1e-12)


def test_bilinear_values_tensorflow_gives():
    # tf.image.resize([[1, 2], [3, 4]], (4, 4)) and keras.layers.UpSampling2D(2, interpolation="bilinear")
    x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    out = UpSampling2D(2, interpolation="bilinear")(x).numpy()[0, :, :, 0]
    np.testing.assert_allclose(out, [[1.0, 1.25, 1.75, 2.0], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5],
                                     [3.0, 3.25, 3.75, 4.0]])
    assert np.allclose(bilinear_weights(5, 3).sum(axis=1), 1)  # every output pixel a weighted mean


@given(images, st.tuples(st.integers(1, 3), st.integers(1, 3)), st.sampled_from(["nearest", "bilinear"]))
def test_upsampling_gradients_match_finite_differences(spec, size, interpolation):
    layer = UpSampling2D(size, interpolation=interpolation, dtype="float64")
    assert gradcheck(lambda t: layer(t), [draw_images(spec)])


def test_nearest_op_gradient_collects_the_copies():
    grad = np.arange(24.0).reshape(1, 4, 6, 1)
    np.testing.assert_array_equal(RepeatPixelsOp((2, 3)).backward(grad)[0, :, :, 0],
                                  [[0 + 1 + 2 + 6 + 7 + 8, 3 + 4 + 5 + 9 + 10 + 11],
                                   [12 + 13 + 14 + 18 + 19 + 20, 15 + 16 + 17 + 21 + 22 + 23]])


def test_upsampling_dtypes():
    assert UpSampling2D()(np.ones((1, 2, 2, 1), np.uint8)).dtype == np.uint8  # nearest copies pixels as they are
    assert UpSampling2D(interpolation="bilinear")(np.ones((1, 2, 2, 1), np.uint8)).dtype == np.float32
    assert UpSampling2D(interpolation="bilinear")(np.ones((1, 2, 2, 1))).dtype == np.float32


# -- ZeroPadding2D and Cropping2D ---------------------------------------------------------------


@pytest.mark.parametrize("padding, pads", [
    (1, ((1, 1), (1, 1))), ((2, 0), ((2, 2), (0, 0))), (((1, 2), (3, 0)), ((1, 2), (3, 0))),
    ([[0, 1], [2, 2]], ((0, 1), (2, 2))),
])
def test_zero_padding_forms(padding, pads):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 2)).astype(np.float32)
    layer = ZeroPadding2D(padding)
    assert layer.padding == pads
    np.testing.assert_array_equal(layer(x).numpy(), np.pad(x, ((0, 0), *pads, (0, 0))))
    assert layer.compute_output_shape((None, 3, None, 2)) == (None, 3 + sum(pads[0]), None, 2)


@pytest.mark.parametrize("cropping, crops", [
    (1, ((1, 1), (1, 1))), ((2, 0), ((2, 2), (0, 0))), (((1, 2), (3, 0)), ((1, 2), (3, 0))),
])
def test_cropping_forms(cropping, crops):
    x = np.random.default_rng(0).standard_normal((2, 6, 5, 2)).astype(np.float32)
    layer = Cropping2D(cropping)
    assert layer.cropping == crops
    (top, bottom), (left, right) = crops
    np.testing.assert_array_equal(layer(x).numpy(), x[:, top:6 - bottom, left:5 - right])
    assert layer.compute_output_shape((None, None, 5, 2)) == (None, None, 5 - left - right, 2)


def test_padding_and_cropping_gradients():
    x = np.random.default_rng(0).standard_normal((2, 4, 3, 2))
    assert gradcheck(lambda t: ZeroPadding2D(((1, 0), (2, 1)), dtype="float64")(t), [x])
    assert gradcheck(lambda t: Cropping2D(((1, 2), (0, 1)), dtype="float64")(t), [x])


def test_cropping_undoes_zero_padding():
    x = np.random.default_rng(0).standard_normal((2, 4, 3, 2)).astype(np.float32)
    borders = ((1, 2), (0, 3))
    np.testing.assert_array_equal(Cropping2D(borders)(ZeroPadding2D(borders)(x)).numpy(), x)


# -- shared: shapes, configs, saving, errors ------------------------------------------------------


@pytest.mark.parametrize("layer, shape, expected", [
    (UpSampling2D((2, 3)), (None, 4, 5, 3), (None, 8, 15, 3)),
    (UpSampling2D(2, interpolation="bilinear"), (None, None, 5, 3), (None, None, 10, 3)),
    (ZeroPadding2D(), (None, 4, 5, 3), (None, 6, 7, 3)),
    (ZeroPadding2D(((0, 1), (2, 3))), (None, 4, None, 3), (None, 5, None, 3)),
    (Cropping2D(((1, 1), (2, 0))), (None, 4, 5, 3), (None, 2, 3, 3)),
])
def test_symbolic_shapes(layer, shape, expected):
    inputs = L.Input(shape=shape[1:])
    out = layer(inputs)
    assert out.shape == expected
    concrete = tuple(7 if d is None else d for d in shape[1:])
    assert L.Model(inputs, out).predict(np.zeros((2, *concrete), np.float32)).shape[1:3] == \
        layer.compute_output_shape((None, *concrete))[1:3]


@pytest.mark.parametrize("layer", [
    UpSampling2D((2, 3), interpolation="bilinear", name="up"), ZeroPadding2D(((1, 2), (0, 3))), Cropping2D(2),
])
def test_get_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_a_model_with_the_three_saves_and_loads(tmp_path):
    model = L.Sequential([
        ZeroPadding2D(((1, 0), (2, 1)), input_shape=(5, 5, 2)), UpSampling2D(2, interpolation="bilinear"),
        Cropping2D(((1, 2), (3, 0))), UpSampling2D((1, 2)), L.Flatten(), L.Dense(3),
    ])
    assert [layer.output_shape for layer in model.layers[:4]] == [
        (None, 6, 8, 2), (None, 12, 16, 2), (None, 9, 13, 2), (None, 9, 26, 2)]
    x = np.random.default_rng(0).standard_normal((2, 5, 5, 2)).astype(np.float32)
    model.save(tmp_path / "resize.keras")
    loaded = L.load_model(tmp_path / "resize.keras")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [layer.get_config() for layer in loaded.layers] == [layer.get_config() for layer in model.layers]


@pytest.mark.parametrize("make, error, message", [
    (lambda: UpSampling2D(0), ValueError, "UpSampling2D: argument `size` must be an integer >= 1, got 0"),
    (lambda: UpSampling2D(interpolation="bicubic"), ValueError,
     "UpSampling2D: argument `interpolation` must be one of 'nearest', 'bilinear', got 'bicubic'"),
    (lambda: UpSampling2D(data_format="channels_first"), ValueError, "data_format"),
    (lambda: ZeroPadding2D(-1), ValueError, "ZeroPadding2D: argument `padding` must be an integer >= 0, got -1"),
    (lambda: ZeroPadding2D((1, 2, 3)), ValueError,
     r"ZeroPadding2D: argument `padding` must be an int, a pair of ints \(height, width\) or a pair of pairs"),
    (lambda: ZeroPadding2D(((1, 2, 3), (0, 0))), ValueError, "argument `padding` must be an int, a pair"),
    (lambda: ZeroPadding2D(1.5), ValueError, "argument `padding` must be an int, a pair"),
    (lambda: Cropping2D(((0, 1), (0, 1.5))), TypeError, "Cropping2D: argument `cropping` must be an integer"),
])
def test_bad_arguments_name_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_bad_inputs_name_the_layer():
    for layer in (UpSampling2D(name="up"), ZeroPadding2D(name="pad"), Cropping2D(1, name="crop")):
        with pytest.raises(ValueError, match=rf"Layer '{layer.name}' expects images of rank 4 .* got shape "
                                             r"\(None, 4, 4\)"):
            layer(np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match=r"Layer 'crop': cropping 2 \+ 2 pixels leaves nothing of the input's "
                                         r"height of 4 \(input shape \(1, 4, 6, 1\)"):
        Cropping2D((2, 1), name="crop")(np.zeros((1, 4, 6, 1)))
    with pytest.raises(ValueError, match=r"Layer 'wide': cropping 3 \+ 0 pixels leaves nothing of the input's "
                                         r"width of 3"):
        Cropping2D(((0, 0), (3, 0)), name="wide")(L.Input(shape=(None, 3, 1)))
    layer = Cropping2D(1, name="later")
    layer(np.zeros((1, 5, 5, 1)))
    with pytest.raises(ValueError, match=r"Layer 'later': cropping 1 \+ 1 pixels leaves nothing of the input's "
                                         r"height of 2"):
        layer(np.zeros((1, 2, 5, 1)))
