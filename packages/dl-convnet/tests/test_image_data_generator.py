"""ImageDataGenerator: transforms, normalisation, flow and flow_from_directory, and training from them."""

import os

import numpy as np
import pytest

import dl_layers
from dl_convnet.image_data_generator import DirectoryIterator, ImageDataGenerator, NumpyArrayIterator
from dl_layers import Dense, Flatten, Input, Sequential
from dl_layers.data_adapter import make_data

PIL = pytest.importorskip("PIL.Image")


def images(n=8, h=6, w=6, c=3, seed=0):
    return np.random.default_rng(seed).random((n, h, w, c)).astype(np.float32)


def copies(n=16, h=6, w=6, c=1):
    return np.repeat(images(1, h, w, c), n, axis=0)


# -- random transforms -----------------------------------------------------------------------------


def test_no_augmentation_means_no_change():
    x = images()
    np.testing.assert_array_equal(next(ImageDataGenerator().flow(x, batch_size=8, shuffle=False)), x)


def test_horizontal_flip_reverses_columns_of_some_images():
    x = copies(64)
    out = next(ImageDataGenerator(horizontal_flip=True).flow(x, batch_size=64))
    flipped = np.array([np.array_equal(o, x[0, :, ::-1]) for o in out])
    kept = np.array([np.array_equal(o, x[0]) for o in out])
    assert (flipped | kept).all() and 10 < flipped.sum() < 54


def test_vertical_flip_reverses_rows():
    out = ImageDataGenerator(vertical_flip=True).apply_transform(images(1)[0], {"flip_vertical": True})
    np.testing.assert_array_equal(out, images(1)[0, ::-1])


def test_apply_transform_theta_90_is_a_counter_clockwise_quarter_turn():
    x = images(1)[0]
    out = ImageDataGenerator().apply_transform(x, {"theta": 90})
    np.testing.assert_allclose(out, np.rot90(x), atol=1e-5)


def test_apply_transform_shifts_and_zooms_as_keras_2_matrices():
    x = np.zeros((5, 7, 1), np.float32)
    x[2, 4, 0] = 1.0
    gen = ImageDataGenerator(fill_mode="constant")
    # the output at (x, y) shows the input at (x + tx, y + ty): the content moves left and up
    assert np.argwhere(gen.apply_transform(x, {"tx": 2, "ty": -1})[:, :, 0] > 0.5).tolist() == [[3, 2]]
    # zoom 0.5 along the width (zoom in) about the centre column 3: column 4 spreads over columns 4 to 6
    np.testing.assert_allclose(gen.apply_transform(x, {"zx": 0.5})[2, 3:, 0], [0, 0.5, 1, 0.5])
    np.testing.assert_allclose(gen.apply_transform(x, {"zx": 0.5})[[1, 3], 3:, 0], 0)


def test_get_random_transform_keys_and_ranges():
    gen = ImageDataGenerator(rotation_range=30, width_shift_range=0.25, height_shift_range=3, shear_range=10,
                             zoom_range=0.2, horizontal_flip=True)
    draws = [gen.get_random_transform((8, 12, 3)) for _ in range(200)]
    assert set(draws[0]) == {"theta", "tx", "ty", "shear", "zx", "zy", "flip_horizontal", "flip_vertical"}
    values = {key: np.array([d[key] for d in draws]) for key in draws[0]}
    assert np.abs(values["theta"]).max() <= 30 and np.abs(values["theta"]).max() > 20
    assert np.abs(values["tx"]).max() <= 0.25 * 12 and np.abs(values["tx"]).max() > 2  # a fraction of the width
    assert set(values["ty"].tolist()) == {-2, -1, 0, 1, 2}  # int: whole pixels in (-3, 3)
    assert np.abs(values["shear"]).max() <= 10
    for key in ("zx", "zy"):
        assert 0.8 <= values[key].min() < 0.85 and 1.15 < values[key].max() <= 1.2
    assert not np.array_equal(values["zx"], values["zy"])  # one zoom per axis
    assert values["flip_horizontal"].any() and not values["flip_vertical"].any()


def test_shift_ranges_in_pixels_and_as_lists():
    gen = ImageDataGenerator(width_shift_range=2.5, height_shift_range=[0.5, 0.25])
    draws = [gen.get_random_transform((8, 12, 1)) for _ in range(200)]
    tx = np.array([d["tx"] for d in draws])
    assert np.abs(tx).max() <= 2.5 and np.abs(tx).max() > 2  # >= 1: pixels
    assert set(np.array([d["ty"] for d in draws]).tolist()) == {-4.0, -2.0, 2.0, 4.0}  # +-0.5 or 0.25 of 8


def test_zoom_range_as_lower_upper():
    draws = [ImageDataGenerator(zoom_range=[0.5, 0.6]).get_random_transform((8, 8, 1)) for _ in range(50)]
    zooms = np.array([[d["zx"], d["zy"]] for d in draws])
    assert 0.5 <= zooms.min() and zooms.max() <= 0.6


def test_random_transform_with_seed_is_repeatable_and_draws_differ_per_image():
    gen = ImageDataGenerator(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
                             zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")
    x = images(1)[0]
    np.testing.assert_array_equal(gen.random_transform(x, seed=5), gen.random_transform(x, seed=5))
    assert not np.array_equal(gen.random_transform(x, seed=5), gen.random_transform(x, seed=6))
    batch = next(gen.flow(copies(16, c=3), batch_size=16))
    assert len({b.tobytes() for b in batch}) == 16


@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
def test_fill_modes_and_cval(fill_mode):
    x = np.ones((5, 5, 1), np.float32)
    out = ImageDataGenerator(fill_mode=fill_mode, cval=-3.0).apply_transform(x, {"tx": 10})
    np.testing.assert_array_equal(out, -3.0 if fill_mode == "constant" else 1.0)


# -- normalisation ---------------------------------------------------------------------------------


def test_rescale_uint8_to_float32():
    x = np.full((4, 3, 3, 3), 255, np.uint8)
    batch = next(ImageDataGenerator(rescale=1.0 / 255).flow(x, batch_size=4))
    assert batch.dtype == np.float32
    np.testing.assert_allclose(batch, 1.0, rtol=1e-6)


def test_preprocessing_function_runs_on_each_image_before_rescale():
    seen = []

    def plus_one(image):
        seen.append(image.shape)
        return image + 1

    gen = ImageDataGenerator(rescale=2.0, preprocessing_function=plus_one)
    x = images(3)
    np.testing.assert_allclose(gen.standardize(x), (x + 1) * 2, rtol=1e-6)
    assert seen == [(6, 6, 3)] * 3


def test_samplewise_center_and_std_normalization():
    x = images(5) * 10 + np.arange(5).reshape(5, 1, 1, 1)
    out = ImageDataGenerator(samplewise_std_normalization=True).standardize(x)  # implies samplewise_center
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2, 3)), 1, atol=1e-4)


def test_featurewise_statistics_from_fit_use_rescale():
    x = np.random.default_rng(0).normal(100, 20, (50, 4, 4, 3)) + [0, 50, -50]
    gen = ImageDataGenerator(featurewise_std_normalization=True, rescale=0.5)  # implies featurewise_center
    gen.fit(x)
    assert gen.mean.shape == (1, 1, 3) and gen.std.shape == (1, 1, 3)
    np.testing.assert_allclose(gen.mean.ravel(), (x * 0.5).mean(axis=(0, 1, 2)), rtol=1e-5)
    out = gen.standardize(x)
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-4)


def test_fit_with_augment_uses_transformed_copies():
    x = np.zeros((4, 6, 6, 1), np.float32)
    x[:, :, :3] = 1.0  # the left half is bright
    gen = ImageDataGenerator(featurewise_center=True, horizontal_flip=True, fill_mode="constant")
    gen.fit(x, augment=True, rounds=3, seed=0)
    assert gen.mean.item() == pytest.approx(0.5)  # flipping keeps the mean of each image


def test_featurewise_center_without_fit_is_a_clear_error():
    with pytest.raises(ValueError, match=r"featurewise_center needs the mean of the training data: call datagen.fit"):
        next(ImageDataGenerator(featurewise_center=True).flow(images()))


def test_standardize_leaves_the_callers_array_alone():
    x = images()
    before = x.copy()
    ImageDataGenerator(rescale=3.0, samplewise_center=True).standardize(x)
    np.testing.assert_array_equal(x, before)


# -- flow ------------------------------------------------------------------------------------------


def test_flow_yields_forever_and_each_epoch_covers_every_sample_once():
    x, y = images(10), np.arange(10)
    it = ImageDataGenerator().flow(x, y, batch_size=4)
    assert len(it) == 3 and it.samples == 10
    epochs = []
    for _ in range(3):
        batches = [next(it) for _ in range(len(it))]
        assert [len(b[1]) for b in batches] == [4, 4, 2]
        labels = np.concatenate([b[1] for b in batches])
        assert sorted(labels.tolist()) == list(range(10))
        for xb, yb in batches:
            np.testing.assert_array_equal(xb, x[yb])
        epochs.append(labels.tolist())
    assert epochs[0] != epochs[1]  # a new shuffle each epoch


def test_flow_for_loop_goes_past_one_epoch():
    """The book's preview loop: ``for batch in datagen.flow(x, batch_size=1): ... if i % 4 == 0: break``."""
    gen = ImageDataGenerator(rotation_range=40, width_shift_range=0.2, zoom_range=0.2)
    seen = []
    for batch in gen.flow(images(1), batch_size=1):
        seen.append(batch)
        if len(seen) == 4:
            break
    assert len(seen) == 4 and len({b.tobytes() for b in seen}) == 4


def test_flow_without_shuffle_keeps_the_order_and_getitem_reads_a_batch():
    it = ImageDataGenerator().flow(images(5), np.arange(5), batch_size=2, shuffle=False)
    assert [next(it)[1].tolist() for _ in range(4)] == [[0, 1], [2, 3], [4], [0, 1]]
    assert it[2][1].tolist() == [4]
    with pytest.raises(IndexError, match=r"NumpyArrayIterator: batch index 3 is out of range for 3 batches"):
        it[3]


def test_flow_sample_weight_gives_triples():
    xb, yb, wb = next(ImageDataGenerator().flow(images(4), np.arange(4), batch_size=4, shuffle=False,
                                                sample_weight=[1, 2, 3, 4]))
    assert wb.tolist() == [1, 2, 3, 4] and wb.dtype == np.float32


def test_flow_seed_repeats_shuffles_and_transforms():
    gen = ImageDataGenerator(rotation_range=30, horizontal_flip=True)
    x, y = images(6), np.arange(6)
    a, b = gen.flow(x, y, batch_size=3, seed=11), gen.flow(x, y, batch_size=3, seed=11)
    for _ in range(4):
        (xa, ya), (xb, yb) = next(a), next(b)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


def test_flow_without_seed_follows_set_random_seed():
    gen = ImageDataGenerator(rotation_range=30)
    dl_layers.set_random_seed(4)
    first = next(gen.flow(images(6), batch_size=6))
    dl_layers.set_random_seed(4)
    np.testing.assert_array_equal(next(gen.flow(images(6), batch_size=6)), first)


def test_flow_subsets_split_off_the_first_part_for_validation():
    gen = ImageDataGenerator(validation_split=0.3)
    x, y = images(10), np.arange(10)
    val = gen.flow(x, y, batch_size=10, shuffle=False, subset="validation")
    train = gen.flow(x, y, batch_size=10, shuffle=False, subset="training")
    assert next(val)[1].tolist() == [0, 1, 2] and next(train)[1].tolist() == list(range(3, 10))


@pytest.mark.parametrize("make, error, match", [
    (lambda g: g.flow(np.zeros((4, 4, 3))), ValueError, r"flow: argument `x` must be images \(n, height, width"),
    (lambda g: g.flow(images(4), np.arange(3)), ValueError, r"x has 4 samples but y has 3"),
    (lambda g: g.flow(images(4), batch_size=0), ValueError, r"argument `batch_size` must be an integer >= 1"),
    (lambda g: g.flow(images(4), subset="validation"), ValueError, r"needs a validation_split"),
    (lambda g: g.flow(images(4), subset="test"), ValueError, r"argument `subset` must be one of"),
    (lambda g: g.fit(np.zeros((4, 4))), ValueError, r"fit: argument `x` must be a non-empty batch of images"),
    (lambda g: g.random_transform(images(2)), ValueError, r"random_transform: expected one image"),
])
def test_flow_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make(ImageDataGenerator())


@pytest.mark.parametrize("kwargs, error, match", [
    ({"rotation_range": -10}, ValueError, r"ImageDataGenerator: argument `rotation_range` must be a number >= 0"),
    ({"zoom_range": 1.5}, ValueError, r"argument `zoom_range` must be a number in \[0, 1\)"),
    ({"zoom_range": [0.0, 1.0]}, ValueError, r"argument `zoom_range\[0\]` must be a number > 0"),
    ({"zoom_range": [1.2, 0.8]}, ValueError, r"argument `zoom_range\[1\]` must be a number >= 1.2"),
    ({"width_shift_range": "10%"}, TypeError, r"argument `width_shift_range` must be a number"),
    ({"fill_mode": "mirror"}, ValueError, r"argument `fill_mode` must be one of"),
    ({"horizontal_flip": 1}, TypeError, r"argument `horizontal_flip` must be True or False"),
    ({"preprocessing_function": "vgg16"}, TypeError, r"`preprocessing_function` must be a function or None"),
    ({"validation_split": 1.0}, ValueError, r"argument `validation_split` must be a number in \[0, 1\)"),
    ({"dtype": "int32"}, TypeError, r"argument `dtype` must be a floating-point dtype"),
    ({"zca_whitening": True}, TypeError, r"zca_whitening"),
])
def test_constructor_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ImageDataGenerator(**kwargs)


# -- flow_from_directory -------------------------------------------------------------------------


COLOURS = {"cats": (200, 30, 30), "dogs": (30, 30, 200), "fish": (30, 200, 30)}


def make_folders(root, counts, size=(10, 14)):
    """One folder per class, each holding PNGs of the class's colour (size: height, width)."""
    for name, count in counts.items():
        os.makedirs(root / name, exist_ok=True)
        for i in range(count):
            PIL.new("RGB", (size[1], size[0]), COLOURS[name]).save(root / name / f"{name}.{i}.png")
    return root


def colour_class(batch_x):
    """The class of each image, read back from its (rescaled) colour: cats 0, dogs 1, fish 2."""
    mean = batch_x.mean(axis=(1, 2))  # (b, 3)
    return np.argmax(mean[:, [0, 2, 1]], axis=1)


@pytest.fixture
def folders(tmp_path):
    return make_folders(tmp_path / "train", {"cats": 3, "dogs": 4})


def test_flow_from_directory_reads_classes_and_files(folders, capsys):
    it = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory(folders, target_size=(8, 8), batch_size=3,
                                                                  class_mode="binary", shuffle=False)
    assert capsys.readouterr().out == "Found 7 images belonging to 2 classes.\n"
    assert isinstance(it, DirectoryIterator)
    assert it.class_indices == {"cats": 0, "dogs": 1}
    assert it.classes.tolist() == [0, 0, 0, 1, 1, 1, 1] and it.samples == 7 and len(it) == 3
    assert it.filenames[0] == os.path.join("cats", "cats.0.png") and it.filenames[-1].startswith("dogs")
    assert it.image_shape == (8, 8, 3)
    x, y = next(it)
    assert x.shape == (3, 8, 8, 3) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert y.dtype == np.float32 and y.tolist() == [0, 0, 0]
    batches = [next(it) for _ in range(2)]
    assert [len(b[0]) for b in batches] == [3, 1]
    np.testing.assert_array_equal(colour_class(np.concatenate([x] + [b[0] for b in batches])), it.classes)


@pytest.mark.parametrize("class_mode", ["categorical", "binary", "sparse", "input", None])
def test_flow_from_directory_class_modes(folders, class_mode):
    it = ImageDataGenerator().flow_from_directory(folders, target_size=(6, 5), class_mode=class_mode, batch_size=7)
    batch = next(it)
    if class_mode is None:
        assert batch.shape == (7, 6, 5, 3)
        return
    x, y = batch
    truth = colour_class(x)
    if class_mode == "categorical":
        assert y.shape == (7, 2) and y.dtype == np.float32
        np.testing.assert_array_equal(y, np.eye(2)[truth])
    elif class_mode == "binary":
        assert y.shape == (7,) and y.dtype == np.float32 and y.tolist() == truth.tolist()
    elif class_mode == "sparse":
        assert y.dtype.kind == "i" and y.tolist() == truth.tolist()
    else:
        np.testing.assert_array_equal(y, x)


def test_flow_from_directory_grayscale_and_chosen_classes(tmp_path):
    root = make_folders(tmp_path, {"cats": 2, "dogs": 2, "fish": 2})
    it = ImageDataGenerator().flow_from_directory(root, target_size=(4, 4), color_mode="grayscale",
                                                  classes=["fish", "cats"], class_mode="sparse")
    x, y = next(it)
    assert x.shape == (4, 4, 4, 1) and it.class_indices == {"fish": 0, "cats": 1} and sorted(y.tolist()) == [0, 0, 1, 1]


def test_flow_from_directory_subsets_split_each_class(tmp_path):
    root = make_folders(tmp_path, {"cats": 4, "dogs": 8})
    gen = ImageDataGenerator(validation_split=0.25)
    val = gen.flow_from_directory(root, target_size=(4, 4), subset="validation")
    train = gen.flow_from_directory(root, target_size=(4, 4), subset="training")
    assert val.filenames == [os.path.join("cats", "cats.0.png"), os.path.join("dogs", "dogs.0.png"),
                             os.path.join("dogs", "dogs.1.png")]
    assert train.samples == 9 and not set(train.filenames) & set(val.filenames)
    assert train.classes.tolist() == [0] * 3 + [1] * 6


def test_flow_from_directory_augments_each_image(folders):
    gen = ImageDataGenerator(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
                             zoom_range=0.2, horizontal_flip=True, fill_mode="constant", cval=-1)
    x, _ = next(gen.flow_from_directory(folders, target_size=(10, 14), batch_size=7, seed=1))
    assert (x == -1).any(axis=(1, 2, 3)).sum() >= 5  # most images got some border filled


@pytest.mark.parametrize("kwargs, error, match", [
    ({"class_mode": "binary", "classes": ["cats", "dogs", "fish"]}, ValueError,
     r"class_mode='binary' needs exactly 2 class folders, found 3"),
    ({"class_mode": "multi"}, ValueError, r"flow_from_directory: argument `class_mode` must be one of"),
    ({"target_size": (150,)}, ValueError, r"flow_from_directory: argument `target_size` must be \(height, width\)"),
    ({"color_mode": "cmyk"}, ValueError, r"flow_from_directory: argument `color_mode` must be one of"),
    ({"interpolation": "cubic"}, ValueError, r"flow_from_directory: argument `interpolation` must be one of"),
])
def test_flow_from_directory_bad_arguments(tmp_path, kwargs, error, match):
    root = make_folders(tmp_path, {"cats": 1, "dogs": 1, "fish": 1})
    with pytest.raises(error, match=match):
        ImageDataGenerator().flow_from_directory(root, **kwargs)


def test_flow_from_directory_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere"):
        ImageDataGenerator().flow_from_directory(tmp_path / "nowhere")


# -- training from generators ---------------------------------------------------------------------


def small_model(input_shape):
    model = Sequential([Input(shape=input_shape), Flatten(), Dense(1, activation="sigmoid")])
    model.compile(optimizer=dl_layers.optimizers.RMSprop(learning_rate=1e-2), loss="binary_crossentropy",
                  metrics=["acc"])
    return model


def test_book_listing_fit_generator_from_directories(tmp_path):
    """5.2: ``flow_from_directory(train_dir, target_size, batch_size, class_mode="binary")`` + ``fit_generator``."""
    train_dir = make_folders(tmp_path / "train", {"cats": 6, "dogs": 6})
    validation_dir = make_folders(tmp_path / "validation", {"cats": 2, "dogs": 2})
    train_datagen = ImageDataGenerator(rescale=1.0 / 255, rotation_range=40, width_shift_range=0.2,
                                       height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True)
    test_datagen = ImageDataGenerator(rescale=1.0 / 255)
    train_generator = train_datagen.flow_from_directory(train_dir, target_size=(15, 15), batch_size=4,
                                                        class_mode="binary")
    validation_generator = test_datagen.flow_from_directory(validation_dir, target_size=(15, 15), batch_size=2,
                                                            class_mode="binary")
    model = small_model((15, 15, 3))
    history = model.fit_generator(train_generator, steps_per_epoch=3, epochs=20, validation_data=validation_generator,
                                  validation_steps=2, verbose=0)
    assert len(history.history["val_loss"]) == 20
    assert history.history["acc"][-1] == 1.0 and history.history["val_acc"][-1] == 1.0  # red vs blue is learnable
    assert train_generator.total_batches_seen == 60 and validation_generator.total_batches_seen == 40
    assert model.evaluate_generator(validation_generator, steps=2)[1] == 1.0


def test_fit_on_flow_with_steps_per_epoch_and_validation_generator():
    x = images(20, 4, 4, 1)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.float32)
    gen = ImageDataGenerator(horizontal_flip=True)
    train, val = gen.flow(x, y, batch_size=8), ImageDataGenerator().flow(x, y, batch_size=10)
    history = small_model((4, 4, 1)).fit(train, steps_per_epoch=len(train), epochs=3, validation_data=val,
                                         validation_steps=len(val), verbose=0)
    assert len(history.history["loss"]) == 3 and "val_loss" in history.history
    assert train.total_batches_seen == 9 and train.batch_index == 0  # whole epochs of len(train) batches


def test_predict_on_a_generator_without_labels(folders):
    it = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory(folders, target_size=(15, 15), class_mode=None,
                                                                   shuffle=False, batch_size=3)
    assert small_model((15, 15, 3)).predict(it, steps=len(it)).shape == (7, 1)


def test_epochs_default_to_len_of_the_iterator():
    # an endless iterator that knows its epoch: fit without steps_per_epoch runs len(it) batches, as Keras
    it = ImageDataGenerator().flow(images(10), np.arange(10) % 2, batch_size=4)
    assert make_data(it, what="fit").steps == len(it) == 3
    seen = []
    record = dl_layers.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    small_model((6, 6, 3)).fit(it, epochs=2, verbose=0, callbacks=[record])
    assert seen == [0, 1, 2, 0, 1, 2]


def test_iterator_classes_are_exported_for_isinstance_checks():
    assert isinstance(ImageDataGenerator().flow(images(2)), NumpyArrayIterator)
