"""Rescaling and Resizing: always active, configs round trip, inside saved models, clear errors."""

import json

import numpy as np
import pytest

import dl_layers
from dl_convnet.image_transform import resize_images
from dl_convnet.preprocessing import Rescaling, Resizing
from dl_layers import Dense, Flatten, Input, Model, Sequential
from dl_tensor import Tensor


def pixels(n=2, h=6, w=4, c=3):
    return np.random.default_rng(0).integers(0, 256, (n, h, w, c)).astype(np.uint8)


# -- Rescaling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("training", [None, False, True])
def test_rescaling_is_active_in_training_and_inference(training):
    x = pixels()
    out = Rescaling(1.0 / 255)(x, training=training)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), x / 255.0, rtol=1e-6)


def test_rescaling_offset_maps_to_minus_one_one():
    out = Rescaling(1 / 127.5, offset=-1.0)(np.array([0.0, 127.5, 255.0], np.float32))
    np.testing.assert_allclose(out.numpy(), [-1, 0, 1], atol=1e-6)


def test_rescaling_per_channel_scale_and_offset():
    x = np.ones((2, 3, 3, 3), np.float32)
    out = Rescaling([1.0, 2.0, 3.0], offset=[0.0, -1.0, 1.0])(x).numpy()
    np.testing.assert_allclose(out[0, 0, 0], [1.0, 1.0, 4.0])


def test_rescaling_is_differentiable():
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    Rescaling(0.5, offset=3.0)(x).sum().backward()
    np.testing.assert_allclose(x.grad, np.full((2, 3), 0.5))


def test_rescaling_keeps_float64_for_gradient_checks():
    assert Rescaling(2.0)(Tensor(np.ones(3), dtype="float64")).dtype == np.float64


def test_rescaling_config_round_trips_through_json():
    layer = Rescaling([0.5, 0.25], offset=1.0, name="scale")
    config = json.loads(json.dumps(layer.get_config()))
    clone = Rescaling.from_config(config)
    assert clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(clone(np.ones((1, 2))).numpy(), [[1.5, 1.25]])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"scale": "1/255"}, TypeError, r"Rescaling: argument `scale` must be a number, got '1/255'"),
    ({"scale": float("nan")}, ValueError, r"Rescaling: argument `scale` must be a finite number"),
    ({"scale": 1.0, "offset": [1.0, None]}, TypeError, r"Rescaling: argument `offset\[1\]` must be a number"),
    ({"scale": []}, ValueError, r"Rescaling: argument `scale` must be a number or a non-empty list"),
])
def test_rescaling_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Rescaling(**kwargs)


# -- Resizing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("training", [None, True])
def test_resizing_matches_resize_images_training_or_not(interpolation, training):
    x = pixels(h=9, w=5).astype(np.float32)
    out = Resizing(4, 7, interpolation=interpolation)(x, training=training)
    assert out.shape == (2, 4, 7, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), resize_images(x, (4, 7), interpolation))


def test_resizing_uint8_pixels_become_float32():
    assert Resizing(3, 3)(pixels()).dtype == np.float32


def test_resizing_crop_to_aspect_ratio_takes_the_centre():
    x = np.arange(2 * 6, dtype=np.float32).reshape(1, 2, 6, 1)  # 2 x 6 -> centre 2 x 2 is columns 2, 3
    out = Resizing(1, 1, crop_to_aspect_ratio=True, interpolation="bilinear")(x).numpy()
    assert out[0, 0, 0, 0] == pytest.approx(np.mean([2, 3, 8, 9]))
    tall = np.zeros((1, 8, 4, 1), np.float32)
    tall[:, 2:6] = 1.0  # the centre 4 x 4 window is all ones
    np.testing.assert_array_equal(Resizing(2, 2, crop_to_aspect_ratio=True)(tall).numpy(), 1.0)


def test_resizing_in_a_functional_model_gives_the_output_shape():
    inputs = Input(shape=(32, 24, 3))
    outputs = Resizing(16, 16)(inputs)
    assert outputs.shape == (None, 16, 16, 3)
    assert Resizing(8, 9).compute_output_shape((None, 32, 24, 1)) == (None, 8, 9, 1)


def test_preprocessing_layers_save_and_load(tmp_path):
    model = Sequential([Input(shape=(12, 10, 3)), Resizing(6, 5, interpolation="nearest", crop_to_aspect_ratio=True),
                        Rescaling(1.0 / 255), Flatten(), Dense(2)])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = dl_layers.load_model(path)
    x = pixels(h=12, w=10)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    assert [layer.get_config() for layer in loaded.layers[:2]] == [layer.get_config() for layer in model.layers[:2]]


def test_resizing_config_round_trips():
    layer = Resizing(10, 20, interpolation="nearest", crop_to_aspect_ratio=True)
    assert Resizing.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"height": 0, "width": 3}, ValueError, r"Resizing: argument `height` must be an integer >= 1, got 0"),
    ({"height": 3, "width": 2.5}, TypeError, r"Resizing: argument `width` must be an integer"),
    ({"height": 3, "width": 3, "interpolation": "area"}, ValueError, r"Resizing: argument `interpolation`"),
    ({"height": 3, "width": 3, "crop_to_aspect_ratio": "yes"}, TypeError, r"`crop_to_aspect_ratio` must be True"),
])
def test_resizing_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Resizing(**kwargs)


def test_resizing_needs_image_batches():
    with pytest.raises(ValueError, match=r"Layer 'resizing' expects inputs of rank 4, got shape \(4, 4, 3\)"):
        Resizing(2, 2)(np.zeros((4, 4, 3)))


def test_resizing_accepts_images_of_any_size():
    inputs = Input(shape=(None, None, 3))
    model = Model(inputs, Resizing(4, 4)(inputs))
    assert model.predict(np.zeros((2, 7, 9, 3), np.float32)).shape == (2, 4, 4, 3)
