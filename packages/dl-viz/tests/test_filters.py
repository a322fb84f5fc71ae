"""filter_pattern: gradient ascent in input space raises the filter's activation."""

import io

import matplotlib.image
import numpy as np
import pytest
from viz_models import pixel_model

from dl_layers import Dense, Input, Model, Sequential
from dl_tensor import Tensor
from dl_viz.activations import activations
from dl_viz.filters import deprocess_image, filter_pattern, mean_filter_activation, plot_filters


def _mean_activation(model, image, k, border=2):
    a = activations(model, image, "pixels")["pixels"]
    return float(mean_filter_activation(Tensor(a), k, border).data)


def _orthogonal_filters(size=10, n=4):
    """pixel_model whose 1x1 filters are orthonormal and all active (bias 2) on images in [0, 1]."""
    model = pixel_model(size=size, channels=n, units=n)
    q, _ = np.linalg.qr(np.random.default_rng(4).normal(size=(n, n)))
    model.get_layer("pixels").set_weights([q.astype(np.float32), np.full(n, 2.0, np.float32)])
    return model


@pytest.mark.parametrize("k", [0, 3])
def test_the_pattern_raises_its_filter_well_above_random_noise(k):
    model = _orthogonal_filters()
    noise = np.random.default_rng(5).uniform(0.4, 0.6, size=(10, 10, 4)).astype(np.float32)
    pattern = filter_pattern(model, "pixels", k, steps=20, learning_rate=1.0, image=noise)
    before, after = _mean_activation(model, noise, k), _mean_activation(model, pattern, k)
    assert after > before + 1.0, (before, after)
    # the other filters gain much less: the pattern is specific to filter k (orthogonal to the others)
    others = [_mean_activation(model, pattern, j) - _mean_activation(model, noise, j) for j in range(4) if j != k]
    assert after - before > max(others)


def test_each_step_has_the_learning_rate_as_its_length():
    model = _orthogonal_filters(size=6, n=3)
    start = np.full((6, 6, 3), 0.5, np.float32)
    one = filter_pattern(model, "pixels", 1, steps=1, learning_rate=0.25, image=start)
    assert np.linalg.norm(one - start) == pytest.approx(0.25, rel=1e-4)
    assert np.array_equal(filter_pattern(model, "pixels", 1, steps=0, image=start), start)


def test_clip_keeps_the_pattern_a_valid_input_and_start_sets_the_noise():
    model = _orthogonal_filters(size=6, n=3)
    start = np.full((6, 6, 3), 0.5, np.float32)
    free = filter_pattern(model, "pixels", 0, steps=10, learning_rate=1.0, image=start)
    kept = filter_pattern(model, "pixels", 0, steps=10, learning_rate=1.0, image=start, clip=(0.0, 1.0))
    assert free.min() < 0 or free.max() > 1
    assert kept.min() >= 0.0 and kept.max() <= 1.0
    assert _mean_activation(model, kept, 0) > _mean_activation(model, start, 0)
    fig = plot_filters(model, "pixels", filter_indices=[1], steps=0, start=(0.0, 0.1))
    assert fig.axes[0].images[0].get_array().shape == (6, 6, 3)


def test_the_start_is_the_books_noise_and_seeded():
    model = pixel_model(size=6, units=3)
    a = filter_pattern(model, "pixels", 0, steps=0, seed=3)
    assert a.shape == (6, 6, 1) and 0.4 <= a.min() and a.max() <= 0.6
    np.testing.assert_array_equal(a, filter_pattern(model, "pixels", 0, steps=0, seed=3))


def test_open_spatial_axes_need_a_size():
    inputs = Input(shape=(None, None, 3))
    model = Model(inputs, Dense(2, activation="relu", name="pixels")(inputs))
    assert filter_pattern(model, "pixels", 1, steps=2, size=(7, 5), seed=0).shape == (7, 5, 3)
    with pytest.raises(ValueError, match="leaves 2 axes open; give size="):
        filter_pattern(model, "pixels", 1, steps=1)


def test_border_is_left_out_only_when_the_map_is_large_enough():
    a = Tensor(np.arange(2 * 5 * 5 * 2, dtype=np.float32).reshape(2, 5, 5, 2))
    assert float(mean_filter_activation(a, 0, border=2).data) == pytest.approx(float(a.data[..., 0].mean()))
    assert float(mean_filter_activation(a, 1, border=1).data) == pytest.approx(float(a.data[:, 1:4, 1:4, 1].mean()))
    dense = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert float(mean_filter_activation(dense, 2).data) == pytest.approx(3.5)


def test_a_dense_unit_of_an_mlp_works_too():
    model = Sequential([Dense(5, activation="relu", input_shape=(8,), name="pixels", bias_initializer="ones")])
    start = np.full(8, 0.5, np.float32)
    pattern = filter_pattern(model, "pixels", 4, steps=10, learning_rate=0.5, image=start)
    assert _mean_activation(model, pattern, 4) > _mean_activation(model, start, 4) + 1.0


def test_a_dead_filter_has_no_gradient_and_its_pattern_stays_the_start():
    model = pixel_model(size=6, units=2)
    model.get_layer("pixels").set_weights([np.ones((1, 2), np.float32), np.array([-10.0, 0.0], np.float32)])
    start = np.full((6, 6, 1), 0.5, np.float32)
    np.testing.assert_array_equal(filter_pattern(model, "pixels", 0, steps=3, image=start), start)


def test_bad_filters_and_layers_get_clear_errors():
    model = pixel_model(size=6, units=3)
    with pytest.raises(ValueError, match=r"an integer in \[0, 3\) .*'pixels' \(3 filters\), got 3"):
        filter_pattern(model, "pixels", 3)
    with pytest.raises(ValueError, match="no layer named 'conv'"):
        filter_pattern(model, "conv", 0)
    with pytest.raises(ValueError, match=r"does not fit model"):
        filter_pattern(model, "pixels", 0, image=np.zeros((5, 5, 1)))
    with pytest.raises(ValueError, match="learning_rate > 0"):
        filter_pattern(model, "pixels", 0, learning_rate=0)


def test_deprocess_image_standardises_clips_and_crops():
    img = np.random.default_rng(0).normal(3.0, 2.0, size=(10, 10, 3))
    out = deprocess_image(img, crop=2)
    assert out.shape == (6, 6, 3) and out.dtype == np.uint8
    full = deprocess_image(img)
    assert abs(full.astype(float).mean() - 128) < 3 and abs(full.astype(float).std() - 64) < 4
    assert np.all(deprocess_image(np.ones((4, 4))) == 128)
    with pytest.raises(ValueError, match="leaves nothing"):
        deprocess_image(img, crop=5)


def test_plot_filters_grid():
    model = pixel_model(size=6, channels=3, units=5)
    fig = plot_filters(model, "pixels", filter_indices=[0, 2, 4], steps=3, ncols=2)
    assert [ax.get_title() for ax in fig.axes] == ["0", "2", "4"]
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    assert matplotlib.image.imread(buf).std() > 0
