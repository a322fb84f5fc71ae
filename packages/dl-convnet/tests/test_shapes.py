"""shapes.load_data: the synthetic five-shape data set, checked for what a data set must be."""

import numpy as np
import pytest

from dl_convnet.datasets import shapes


@pytest.fixture(scope="module")
def data():
    return shapes.load_data()


def radial_profile(images):
    """Features that ignore where the shape is, how big and how turned: ``(n, 10)``.

    The share of the shape's pixels (those above 100) at each distance from its centre of mass,
    in 10 bins from 0 to 2 radii of gyration.
    """
    inside = images > 100  # (n, s, s) bool
    size = images.shape[1]
    rows, cols = np.mgrid[:size, :size] + 0.5  # (s, s) each
    count = inside.sum((1, 2))[:, None, None]  # (n, 1, 1)
    centre_row = (inside * rows).sum((1, 2))[:, None, None] / count  # (n, 1, 1)
    centre_col = (inside * cols).sum((1, 2))[:, None, None] / count  # (n, 1, 1)
    radius = np.hypot(rows - centre_row, cols - centre_col)  # (n, s, s)
    gyration = np.sqrt((inside * radius**2).sum((1, 2)) / count[:, 0, 0])  # (n,)
    bins = np.minimum((radius / gyration[:, None, None] * 5).astype(int), 10)  # (n, s, s): bin 10 is beyond 2
    one_hot = (bins[..., None] == np.arange(10)) & inside[..., None]  # (n, s, s, 10)
    return one_hot.sum((1, 2)) / count[:, :, 0]  # (n, 10)


def nearest_class_mean(train_features, y_train, test_features):
    means = np.stack([train_features[y_train == label].mean(0) for label in range(len(shapes.CLASS_NAMES))])
    distances = ((test_features[:, None, :] - means[None]) ** 2).sum(-1)  # (n, 5)
    return distances.argmin(1)


# ----------------------------------------------------------------------------- what it returns


def test_shapes_dtypes_and_values(data):
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (1000, 28, 28) and y_train.shape == (1000,)
    assert x_test.shape == (500, 28, 28) and y_test.shape == (500,)
    assert {x_train.dtype, y_train.dtype, x_test.dtype, y_test.dtype} == {np.dtype(np.uint8)}
    assert set(np.unique(y_train).tolist()) == set(range(5)) == set(np.unique(y_test).tolist())
    assert x_train.min() == 0 and x_train.max() == 255  # noise clipped at both ends


@pytest.mark.parametrize("n_train, n_test, image_size", [(1, 1, 8), (7, 3, 13), (12, 4, 64)])
def test_other_sizes(n_train, n_test, image_size):
    (x_train, y_train), (x_test, y_test) = shapes.load_data(n_train, n_test, image_size=image_size)
    assert x_train.shape == (n_train, image_size, image_size) and y_train.shape == (n_train,)
    assert x_test.shape == (n_test, image_size, image_size) and y_test.shape == (n_test,)
    assert x_train.dtype == np.uint8 and y_test.dtype == np.uint8 and y_train.max() <= 4


def test_white_shapes_on_black(data):
    (x_train, _), _ = data
    assert np.mean(x_train < 40) > 0.6  # most pixels are background: 0 plus noise of sd 10
    assert np.median(x_train.max((1, 2))) >= 200  # every image has a bright shape
    assert np.mean(x_train.max((1, 2)) >= 180) == 1


def test_the_shapes_lie_inside_the_image(data):
    """Only noise on the border: no shape is cut by the image's edge."""
    for x, _ in data:
        border = np.concatenate([x[:, 0], x[:, -1], x[:, :, 0], x[:, :, -1]], axis=1)  # (n, 4 * 28)
        assert border.max() < 60  # 6 noise standard deviations; a shape pixel is 200 or more


@pytest.mark.parametrize("n", [1000, 5, 7, 1, 13])
def test_classes_are_balanced(n):
    (_, y_train), (_, y_test) = shapes.load_data(n_train=n, n_test=n + 1)
    for y, total in ((y_train, n), (y_test, n + 1)):
        counts = np.bincount(y, minlength=5)
        assert counts.sum() == total and counts.max() - counts.min() <= 1


def test_classes_are_shuffled(data):
    (_, y_train), (_, y_test) = data
    for y in (y_train, y_test):
        assert not np.array_equal(y, np.arange(len(y)) % 5)
        assert not np.array_equal(y, np.sort(y))
        assert np.count_nonzero(np.diff(y)) > 0.6 * len(y)  # a random order changes class 80% of the time


# ----------------------------------------------------------------------------- randomness


def test_the_same_seed_gives_the_same_data(data):
    again = shapes.load_data(seed=0)
    for got, want in zip((*again[0], *again[1]), (*data[0], *data[1]), strict=True):
        np.testing.assert_array_equal(got, want)


def test_other_seeds_give_other_data(data):
    (x_train, y_train), (x_test, _) = shapes.load_data(seed=1)
    assert not np.array_equal(y_train, data[0][1])
    assert np.mean(x_train != data[0][0]) > 0.5
    assert np.mean(x_test != data[1][0]) > 0.5


def test_the_test_set_is_another_draw_than_the_training_set():
    (x_train, y_train), (x_test, y_test) = shapes.load_data(n_train=200, n_test=200)
    assert not np.array_equal(y_train, y_test)
    assert np.mean(x_train != x_test) > 0.5
    train_images = {image.tobytes() for image in x_train}
    assert not any(image.tobytes() in train_images for image in x_test)


def test_the_training_set_does_not_depend_on_n_test():
    (x_a, y_a), _ = shapes.load_data(n_train=50, n_test=5)
    (x_b, y_b), _ = shapes.load_data(n_train=50, n_test=80)
    np.testing.assert_array_equal(x_a, x_b)
    np.testing.assert_array_equal(y_a, y_b)


# ----------------------------------------------------------------------------- the task


def test_every_class_can_be_told_apart_by_its_shape(data):
    """A nearest-class-mean on radial profiles, trained on x_train, scores far above chance (20%) on x_test."""
    (x_train, y_train), (x_test, y_test) = data
    predicted = nearest_class_mean(radial_profile(x_train), y_train, radial_profile(x_test))
    recall = [np.mean(predicted[y_test == label] == label) for label in range(5)]
    assert np.mean(predicted == y_test) > 0.9
    assert min(recall) > 0.8, dict(zip(shapes.CLASS_NAMES, recall))


def test_brightness_does_not_tell_the_class(data):
    """Every class has the same amount of white on average: the mean pixel value alone is close to chance."""
    (x_train, y_train), (x_test, y_test) = data
    means = [x_train[y_train == label].mean() for label in range(5)]
    assert max(means) / min(means) < 1.05, dict(zip(shapes.CLASS_NAMES, means))
    brightness_train = x_train.mean((1, 2))[:, None]  # (n, 1): one feature
    brightness_test = x_test.mean((1, 2))[:, None]
    predicted = nearest_class_mean(brightness_train, y_train, brightness_test)
    assert np.mean(predicted == y_test) < 0.35


def test_rotation_shows(data):
    """Squares are drawn at many angles: their bounding boxes are not all as tight as an upright square's."""
    (x_train, y_train), _ = data
    squares = x_train[y_train == shapes.CLASS_NAMES.index("square")] > 100  # (m, 28, 28)
    width = squares.any(1).sum(1)  # (m,): columns touched
    fill = squares.sum((1, 2)) / width**2  # an upright square fills its bounding box; at 45 degrees, half of it
    assert fill.min() < 0.6 and fill.max() > 0.8


# ----------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("kwargs, message", [
    ({"n_train": 0}, "`n_train` must be an integer >= 1, got 0"),
    ({"n_train": -3}, "`n_train` must be an integer >= 1, got -3"),
    ({"n_train": 10.0}, "`n_train` must be an integer >= 1, got 10.0"),
    ({"n_train": "10"}, "`n_train` must be an integer >= 1, got '10'"),
    ({"n_train": True}, "`n_train` must be an integer >= 1, got True"),
    ({"n_test": 0}, "`n_test` must be an integer >= 1, got 0"),
    ({"n_test": None}, "`n_test` must be an integer >= 1, got None"),
    ({"image_size": 7}, "`image_size` must be an integer >= 8, got 7"),
    ({"image_size": 28.5}, "`image_size` must be an integer >= 8, got 28.5"),
    ({"seed": -1}, "`seed` must be an integer >= 0, got -1"),
    ({"seed": None}, "`seed` must be an integer >= 0, got None"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=f"^shapes.load_data: argument {message}$"):
        shapes.load_data(**kwargs)


def test_numpy_integers_are_accepted():
    (x_train, _), (x_test, _) = shapes.load_data(np.int64(6), np.uint8(2), image_size=np.int32(10), seed=np.int64(3))
    assert x_train.shape == (6, 10, 10) and x_test.shape == (2, 10, 10)


def test_class_names():
    assert shapes.CLASS_NAMES == ("circle", "square", "triangle", "cross", "ring")
