"""activations / plot_activations: one forward pass of a sub-model, checked against a direct one."""

import io

import matplotlib.image
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from viz_models import pixel_model

from dl_layers import Dense, Input, Layer, Model, Sequential
from dl_viz.activations import activations, channel_images, plot_activations, tile


def test_activations_equal_a_direct_forward_pass():
    model = pixel_model(size=5, channels=3, units=4, classes=3)
    x = np.random.default_rng(1).random((2, 5, 5, 3)).astype(np.float32)
    out = activations(model, x, ["pixels", "pool", "scores"])
    kernel, bias = model.get_layer("pixels").get_weights()
    pixels = np.maximum(x @ kernel + bias, 0)  # (2, 5, 5, 4): the 1x1 convolution by hand
    np.testing.assert_allclose(out["pixels"], pixels, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["pool"], pixels.max(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["scores"], model.predict(x), rtol=1e-5, atol=1e-6)
    assert {k: v.shape for k, v in out.items()} == {"pixels": (2, 5, 5, 4), "pool": (2, 4), "scores": (2, 3)}


def test_every_layer_by_default_and_one_sample_gets_a_batch_axis():
    model = Sequential([Dense(3, activation="relu", input_shape=(4,), name="a"), Dense(2, name="b")])
    out = activations(model, np.ones(4), None)
    assert list(out) == ["a", "b"]
    assert out["a"].shape == (1, 3)


def test_activations_run_in_inference_mode():
    class Marks(Layer):
        def call(self, inputs, training=None):
            return inputs * (2.0 if training else 1.0)

    inputs = Input(shape=(2,))
    model = Model(inputs, Marks(name="marks")(inputs))
    np.testing.assert_allclose(activations(model, np.ones((1, 2)), "marks")["marks"], [[1.0, 1.0]])


def test_wrong_names_shapes_and_models_get_clear_errors():
    model = pixel_model(size=5)
    with pytest.raises(ValueError, match=r"no layer named 'conv1'; its layers: \['pixels', 'pool', 'scores'\]"):
        activations(model, np.zeros((5, 5, 1)), ["conv1"])
    with pytest.raises(ValueError, match=r"image of shape \(4, 4, 1\) does not fit .* \(5, 5, 1\)|x of shape"):
        activations(model, np.zeros((4, 4, 1)), "pixels")
    with pytest.raises(ValueError, match="layer_names is empty"):
        activations(model, np.zeros((5, 5, 1)), [])
    with pytest.raises(ValueError, match="has no input graph yet"):
        activations(Sequential([Dense(2)]), np.zeros((1, 3)), None)
    with pytest.raises(TypeError, match="expected a dl_layers Model"):
        activations(Dense(2), np.zeros((1, 3)), None)


def test_channel_images_scale_each_channel_as_the_book_does():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 5, 3)) * np.array([0.01, 1.0, 100.0])  # very different channel scales
    a[..., 2] = 7.0  # a constant channel
    images = channel_images(a)
    assert images.shape == (3, 4, 5) and images.dtype == np.uint8
    for c in range(2):
        ch = a[..., c]
        expected = np.clip((ch - ch.mean()) / ch.std() * 64 + 128, 0, 255).astype(np.uint8)
        np.testing.assert_array_equal(images[c], expected)
    assert np.all(images[2] == 128)
    assert channel_images(np.arange(6.0)).shape == (1, 1, 6)
    assert channel_images(np.zeros((7, 2))).shape == (1, 7, 2)
    with pytest.raises(ValueError, match="rank 1 to 3"):
        channel_images(np.zeros((1, 2, 3, 4)))


@given(n=st.integers(1, 9), h=st.integers(1, 4), w=st.integers(1, 4), per_row=st.integers(1, 5))
def test_tile_puts_each_image_at_its_place(n, h, w, per_row):
    images = (np.arange(n * h * w) % 250).astype(np.uint8).reshape(n, h, w)
    grid = tile(images, per_row, gap=1)
    cols = min(per_row, n)
    for i in range(n):
        r, c = divmod(i, cols)
        np.testing.assert_array_equal(grid[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w], images[i])
    assert grid.shape == (-(-n // cols) * (h + 1) - 1, cols * (w + 1) - 1)


def test_plot_activations_draws_one_panel_per_layer_with_the_channel_grid():
    model = pixel_model(size=6, units=5)
    x = np.random.default_rng(2).random((3, 6, 6, 1))
    fig = plot_activations(model, x, ["pixels", "pool"], images_per_row=4, index=1)
    assert [ax.get_title() for ax in fig.axes] == ["pixels (6, 6, 5)", "pool (5,)"]
    shown = np.ma.filled(fig.axes[0].images[0].get_array().astype(float), np.nan)
    expected = tile(channel_images(activations(model, x, "pixels")["pixels"][1]).astype(np.float32), 4, fill=np.nan)
    np.testing.assert_array_equal(shown, expected)  # NaN where the gaps are, in both
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    assert matplotlib.image.imread(buf).std() > 0
    with pytest.raises(IndexError, match="index 3 is out of range for a batch of 3"):
        plot_activations(model, x, "pixels", index=3)
