"""The random augmentation layers: exact geometry, identity at inference, per-sample draws, seeds, saving."""

import json

import numpy as np
import pytest

import dl_layers
from dl_convnet.augmentation import RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom
from dl_layers import Dense, Flatten, Input, Model, Sequential
from dl_tensor import Tensor


def images(n=4, h=6, w=6, c=3, seed=0):
    return np.random.default_rng(seed).random((n, h, w, c)).astype(np.float32)


def copies(n=32, h=6, w=6, c=1):
    """n copies of one image: whatever differs between outputs comes from the draws."""
    return np.repeat(images(1, h, w, c), n, axis=0)


def bright(h, w, row, col, n=1):
    x = np.zeros((n, h, w, 1), np.float32)
    x[:, row, col, 0] = 1.0
    return x


def where_bright(x):
    return [tuple(p) for p in np.argwhere(np.asarray(x)[0, :, :, 0] > 0.5).tolist()]


LAYERS = {
    "flip": lambda **kw: RandomFlip(**kw),
    "rotation": lambda **kw: RandomRotation(0.2, **kw),
    "zoom": lambda **kw: RandomZoom(0.3, **kw),
    "translation": lambda **kw: RandomTranslation(0.2, 0.2, **kw),
    "contrast": lambda **kw: RandomContrast(0.5, **kw),
}


# -- all layers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("training", [None, False])
def test_identity_when_not_training_returns_the_input_itself(name, training):
    x = Tensor(images())
    assert LAYERS[name]()(x, training=training) is x


@pytest.mark.parametrize("name", LAYERS)
def test_each_sample_gets_its_own_draw(name):
    out = LAYERS[name]()(copies(), training=True).numpy()
    distinct = {out[i].tobytes() for i in range(len(out))}
    assert len(distinct) > 1 if name == "flip" else len(distinct) > 16


@pytest.mark.parametrize("name", LAYERS)
def test_new_draws_at_every_training_call(name):
    layer, x = LAYERS[name](), copies(8)
    assert not np.array_equal(layer(x, training=True).numpy(), layer(x, training=True).numpy())


@pytest.mark.parametrize("name", LAYERS)
def test_set_random_seed_makes_draws_repeatable(name):
    x = images(8)
    dl_layers.set_random_seed(3)
    first = LAYERS[name]()(x, training=True).numpy()
    dl_layers.set_random_seed(3)
    np.testing.assert_array_equal(LAYERS[name]()(x, training=True).numpy(), first)


@pytest.mark.parametrize("name", LAYERS)
def test_own_seed_gives_the_same_draws_whatever_the_global_seed(name):
    x = images(8)
    dl_layers.set_random_seed(1)
    first = LAYERS[name](seed=42)(x, training=True).numpy()
    dl_layers.set_random_seed(2)
    np.testing.assert_array_equal(LAYERS[name](seed=42)(x, training=True).numpy(), first)


@pytest.mark.parametrize("name", LAYERS)
def test_outputs_are_float32_of_the_input_shape(name):
    layer = LAYERS[name]()
    out = layer((images(3, 5, 7) * 255).astype(np.uint8), training=True)
    assert out.shape == (3, 5, 7, 3) and out.dtype == np.float32
    assert layer.compute_output_shape((None, 5, 7, 3)) == (None, 5, 7, 3)


@pytest.mark.parametrize("name", LAYERS)
def test_config_round_trips_through_json(name):
    layer = LAYERS[name](seed=7)
    config = json.loads(json.dumps(layer.get_config()))
    clone = type(layer).from_config(config)
    assert clone.get_config() == layer.get_config()
    x = images()
    np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())


@pytest.mark.parametrize("name", LAYERS)
def test_needs_image_batches(name):
    with pytest.raises(ValueError, match=r"expects inputs of rank 4, got shape \(6, 6, 3\)"):
        LAYERS[name]()(np.zeros((6, 6, 3), np.float32), training=True)


@pytest.mark.parametrize("name", LAYERS)
def test_empty_batches_pass_through(name):
    assert LAYERS[name]()(np.zeros((0, 4, 4, 3), np.float32), training=True).shape == (0, 4, 4, 3)


# -- RandomFlip ---------------------------------------------------------------------------------


def test_flip_horizontal_reverses_columns_of_some_images():
    x = copies(64, c=2)
    out = RandomFlip("horizontal")(x, training=True).numpy()
    flipped = np.array([np.array_equal(o, x[0, :, ::-1]) for o in out])
    kept = np.array([np.array_equal(o, x[0]) for o in out])
    assert (flipped | kept).all() and 10 < flipped.sum() < 54


def test_flip_vertical_reverses_rows_of_some_images():
    x = copies(64)
    out = RandomFlip("vertical")(x, training=True).numpy()
    flipped = np.array([np.array_equal(o, x[0, ::-1]) for o in out])
    kept = np.array([np.array_equal(o, x[0]) for o in out])
    assert (flipped | kept).all() and 10 < flipped.sum() < 54


def test_flip_both_gives_all_four_mirror_images():
    x = copies(64)
    out = RandomFlip()(x, training=True).numpy()
    variants = [x[0], x[0, :, ::-1], x[0, ::-1], x[0, ::-1, ::-1]]
    which = [next(k for k, v in enumerate(variants) if np.array_equal(o, v)) for o in out]
    assert set(which) == {0, 1, 2, 3}


# -- RandomRotation ---------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("turns, k", [(0.25, 1), (-0.25, -1), (0.5, 2)])
def test_rotation_by_quarter_turns_equals_rot90(turns, k, interpolation):
    x = images()
    layer = RandomRotation((turns, turns), fill_mode="nearest", interpolation=interpolation)
    np.testing.assert_allclose(layer(x, training=True).numpy(), np.rot90(x, k, axes=(1, 2)), atol=1e-5)


def test_rotation_angles_stay_within_the_factor():
    # a bright pixel on the border of a 21 x 21 image turned by at most 0.1 turn (36 degrees)
    x = bright(21, 21, 10, 20, n=200)
    out = RandomRotation(0.1, fill_mode="constant", interpolation="nearest")(x, training=True).numpy()
    rows, cols = np.nonzero(out[:, :, :, 0] > 0.5)[1:]
    angles = np.degrees(np.arctan2(-(rows - 10), cols - 10))  # counter-clockwise from the +x axis
    assert np.abs(angles).max() <= 36 + 6 and np.abs(angles).max() > 20


def test_rotation_fill_mode_constant_fills_the_corners():
    out = RandomRotation((0.125, 0.125), fill_mode="constant", fill_value=-1.0)(np.ones((1, 9, 9, 1)), training=True)
    assert out.numpy()[0, 0, 0, 0] == -1.0 and out.numpy()[0, 4, 4, 0] == 1.0


# -- RandomZoom ------------------------------------------------------------------------------------


def test_positive_zoom_factor_zooms_out():
    layer = RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest")  # zoom 2: out
    assert where_bright(layer(bright(5, 5, 0, 0), training=True)) == [(1, 1)]


def test_negative_zoom_factor_zooms_in():
    layer = RandomZoom((-0.5, -0.5), interpolation="nearest")  # zoom 0.5: in
    assert where_bright(layer(bright(5, 5, 1, 1), training=True)) == [(0, 0)]


def test_zoom_width_factor_on_its_own():
    layer = RandomZoom((1.0, 1.0), width_factor=(0.0, 0.0), fill_mode="constant", interpolation="nearest")
    assert where_bright(layer(bright(5, 5, 0, 0), training=True)) == [(1, 0)]


def test_zoom_without_width_factor_keeps_the_aspect_ratio():
    # an image symmetric about its diagonal stays so when both axes are zoomed alike
    x = bright(9, 9, 1, 1, n=50) + bright(9, 9, 2, 6, n=50) + bright(9, 9, 6, 2, n=50)
    same = RandomZoom(0.5, fill_mode="constant")(x, training=True).numpy()
    np.testing.assert_allclose(same, same.transpose(0, 2, 1, 3), atol=1e-6)
    apart = RandomZoom(0.5, width_factor=0.5, fill_mode="constant")(x, training=True).numpy()
    assert not np.allclose(apart, apart.transpose(0, 2, 1, 3), atol=1e-3)


# -- RandomTranslation -----------------------------------------------------------------------------


def test_translation_moves_down_and_right_for_positive_factors():
    layer = RandomTranslation((0.5, 0.5), (0.25, 0.25), fill_mode="constant")
    assert where_bright(layer(bright(4, 8, 1, 1), training=True)) == [(3, 3)]


def test_translation_moves_up_and_left_for_negative_factors():
    layer = RandomTranslation((-0.25, -0.25), (-0.5, -0.5), fill_mode="constant")
    assert where_bright(layer(bright(4, 8, 3, 6), training=True)) == [(2, 2)]


def test_translation_reflect_fill_is_the_default():
    x = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)
    out = RandomTranslation(0.0, (0.5, 0.5))(x, training=True).numpy()
    assert out[0, 0, :, 0].tolist() == [1, 0, 0, 1]


# -- RandomContrast --------------------------------------------------------------------------------


def test_contrast_keeps_each_image_and_channel_mean():
    x = images(16, c=3) * 100 + 50  # values in [50, 150]
    out = RandomContrast((0.9, 0.0))(x, training=True).numpy()  # factors in [0.1, 1]: less contrast, no clipping
    np.testing.assert_allclose(out.mean(axis=(1, 2)), x.mean(axis=(1, 2)), rtol=1e-5)
    ratio = out.std(axis=(1, 2)) / x.std(axis=(1, 2))  # (16, 3): the contrast factor of each image
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones(3), rtol=1e-4)  # one factor for all channels
    assert ratio.min() >= 0.1 - 1e-5 and ratio.max() <= 1 + 1e-5 and len(np.unique(ratio[:, 0].round(4))) == 16


def test_contrast_fixed_factor_is_exact():
    x = np.array([0.0, 2.0, 4.0, 6.0], np.float32).reshape(1, 2, 2, 1)
    out = RandomContrast((0.5, -0.5))(x, training=True).numpy().ravel()
    np.testing.assert_allclose(out, [1.5, 2.5, 3.5, 4.5])


def test_contrast_clips_to_the_input_range_or_to_value_range():
    x = np.array([0.0, 100.0, 200.0, 255.0], np.float32).reshape(1, 2, 2, 1)
    more = RandomContrast((0.0, 1.0), seed=0)(np.repeat(x, 8, axis=0), training=True).numpy()
    assert more.min() == 0.0 and more.max() == 255.0  # values pushed beyond the data's range are clipped
    clipped = RandomContrast((0.0, 1.0), value_range=(50, 200), seed=0)(x, training=True).numpy()
    assert clipped.min() >= 50 and clipped.max() <= 200


@pytest.mark.parametrize("factor, match", [
    (1.5, r"RandomContrast: argument `factor` must be a number in \[0, 1\], got 1.5"),
    ((1.5, 0.0), r"argument `factor\[0\]` must be a number in \[0, 1\]"),
    ((0.5, -0.8), r"argument `factor\[1\]` must be a number >= -0.5"),
    ((0.1, 0.2, 0.3), r"argument `factor` must be a number or a pair"),
])
def test_contrast_bad_factors(factor, match):
    with pytest.raises(ValueError, match=match):
        RandomContrast(factor)


# -- argument errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("make, error, match", [
    (lambda: RandomFlip("diagonal"), ValueError, r"RandomFlip: argument `mode` must be one of 'horizontal'"),
    (lambda: RandomRotation("a lot"), TypeError, r"RandomRotation: argument `factor` must be a number"),
    (lambda: RandomRotation((0.2, 0.1)), ValueError, r"RandomRotation: argument `factor` must be \(lower, upper\) "
                                                     r"with lower <= upper"),
    (lambda: RandomRotation(0.1, fill_mode="mirror"), ValueError, r"RandomRotation: argument `fill_mode`"),
    (lambda: RandomRotation(0.1, interpolation="cubic"), ValueError, r"RandomRotation: argument `interpolation`"),
    (lambda: RandomZoom(1.5), ValueError, r"RandomZoom: argument `height_factor` must be a number in \[-1, 1\]"),
    (lambda: RandomZoom(0.2, width_factor=(-2, 0)), ValueError, r"RandomZoom: argument `width_factor\[0\]`"),
    (lambda: RandomTranslation(0.1, None), TypeError, r"RandomTranslation: argument `width_factor` must be a num"),
    (lambda: RandomTranslation(0.1, 0.1, fill_value="x"), TypeError, r"RandomTranslation: argument `fill_value`"),
    (lambda: RandomFlip(seed=-1), ValueError, r"RandomFlip: argument `seed` must be an integer >= 0"),
])
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


# -- inside models ---------------------------------------------------------------------------------


def test_book_augmentation_block_trains_and_is_identity_at_prediction():
    """The second edition's pattern: an augmentation Sequential in front of the classifier."""
    x = images(32, 8, 8, 3)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.float32)
    data_augmentation = Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)])
    classifier = Sequential([Flatten(), Dense(1, activation="sigmoid")])
    model = Sequential([data_augmentation, classifier])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

    flip = data_augmentation.layers[0]
    calls = []
    original = flip.augment
    flip.augment = lambda batch, rng: (calls.append(len(batch)), original(batch, rng))[1]
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert calls == [8] * 8  # the training path ran at every step

    predictions = model.predict(x)
    assert len(calls) == 8  # ... and not while predicting
    np.testing.assert_array_equal(predictions, classifier.predict(x))  # same weights, no augmentation
    model.evaluate(x, y, verbose=0)
    assert len(calls) == 8
    assert not np.array_equal(model(x, training=True).numpy(), model(x).numpy())


def test_augmentation_in_a_functional_model_saves_and_loads(tmp_path):
    inputs = Input(shape=(8, 8, 3))
    augmented = RandomTranslation(0.1, (-0.2, 0.1), fill_mode="wrap", seed=3)(RandomFlip("vertical")(inputs))
    augmented = RandomContrast((0.2, 0.4), value_range=(0, 1))(RandomZoom(0.1, 0.2, interpolation="nearest")(
        RandomRotation((-0.1, 0.2), fill_mode="constant", fill_value=0.5)(augmented)))
    assert augmented.shape == (None, 8, 8, 3)
    outputs = Dense(2)(Flatten()(augmented))
    model = Model(inputs, outputs)
    path = tmp_path / "augmented.keras"
    model.save(path)
    loaded = dl_layers.load_model(path)
    x = images(5, 8, 8, 3)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    kinds = (RandomFlip, RandomTranslation, RandomRotation, RandomZoom, RandomContrast)
    original = {type(layer): layer.get_config() for layer in model.layers if isinstance(layer, kinds)}
    reloaded = {type(layer): layer.get_config() for layer in loaded.layers if isinstance(layer, kinds)}
    assert len(original) == 5 and reloaded == original
