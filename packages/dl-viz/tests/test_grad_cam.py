"""Grad-CAM: the heatmap of a model trained to find a bright patch peaks on the patch."""

import io

import matplotlib.image
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from viz_models import bright_patch_data, pixel_model, trained_patch_finder

from dl_viz.activations import activations
from dl_viz.grad_cam import cam_from_gradients, grad_cam, overlay_heatmap, plot_grad_cam, resize_bilinear


def test_grad_cam_points_at_the_bright_patch():
    model = trained_patch_finder()
    x, y, corners = bright_patch_data(200, seed=1)
    assert model.evaluate(x, y, verbose=0)[1] > 0.95  # it learned the task
    for i in np.flatnonzero(y == 1)[:15]:
        heatmap = grad_cam(model, x[i], "pixels", class_index=1)
        assert heatmap.shape == (12, 12) and heatmap.max() == pytest.approx(1.0)
        inside = np.zeros((12, 12), dtype=bool)
        r, c = corners[i]
        inside[r:r + 3, c:c + 3] = True
        assert inside.flat[heatmap.argmax()]
        assert heatmap[inside].mean() > 5 * heatmap[~inside].mean()


def test_grad_cam_weights_channels_by_their_mean_gradient():
    """With a linear head (mean over space, then Dense) d score_c / d A = W[:, c] / (h w) everywhere."""
    from dl_layers import Dense, Input, Lambda, Model

    inputs = Input(shape=(5, 5, 2))
    features = Dense(4, activation="relu", name="pixels")(inputs)
    pooled = Lambda(lambda t: t.mean(axis=(1, 2)), name="gap")(features)
    model = Model(inputs, Dense(3, name="scores")(pooled))
    image = np.random.default_rng(0).random((5, 5, 2)).astype(np.float32)
    heatmap, scores = grad_cam(model, image, "pixels", class_index=2, return_scores=True)
    a = activations(model, image, "pixels")["pixels"][0]  # (5, 5, 4)
    w = model.get_layer("scores").get_weights()[0][:, 2] / 25.0  # (4,)
    expected = np.maximum((a * w).mean(axis=-1), 0)
    np.testing.assert_allclose(heatmap, expected / expected.max(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores, model.predict(image[None])[0], rtol=1e-5)


def test_default_class_is_the_top_prediction():
    model = pixel_model(size=6, units=4, classes=3)
    image = np.random.default_rng(1).random((6, 6, 1))
    scores = model.predict(image[None])[0]
    np.testing.assert_array_equal(grad_cam(model, image, "pixels"),
                                  grad_cam(model, image, "pixels", class_index=int(scores.argmax())))


def test_frozen_models_still_explain():
    model = pixel_model(size=6)
    model.trainable = False
    assert grad_cam(model, np.random.default_rng(1).random((6, 6, 1)), "pixels").shape == (6, 6)


def test_cam_from_gradients_against_a_loop():
    rng = np.random.default_rng(3)
    a, g = rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 4, 5))
    cam = np.zeros((3, 4))
    for k in range(5):
        cam += a[:, :, k] * g[:, :, k].mean() / 5
    cam = np.maximum(cam, 0)
    np.testing.assert_allclose(cam_from_gradients(a, g), cam / cam.max(), rtol=1e-5)
    assert not cam_from_gradients(a, np.zeros_like(g)).any()  # nothing speaks for the class: zeros


def test_bad_layers_images_and_classes_get_clear_errors():
    model = pixel_model(size=6)
    image = np.zeros((6, 6, 1))
    with pytest.raises(ValueError, match=r"'pool' has output shape \(None, 6\), without spatial axes .*\['pixels'\]"):
        grad_cam(model, image, "pool")
    with pytest.raises(ValueError, match="no layer named 'block5_conv3'; its layers"):
        grad_cam(model, image, "block5_conv3")
    with pytest.raises(ValueError, match=r"image of shape \(7, 7, 1\) does not fit model"):
        grad_cam(model, np.zeros((7, 7, 1)), "pixels")
    with pytest.raises(ValueError, match="one image at a time, got a batch of 2"):
        grad_cam(model, np.zeros((2, 6, 6, 1)), "pixels")
    with pytest.raises(ValueError, match=r"class_index must be an integer in \[0, 2\), got 5"):
        grad_cam(model, image, "pixels", class_index=5)


@given(h=st.integers(1, 5), w=st.integers(1, 5), H=st.integers(1, 9), W=st.integers(1, 9))
def test_resize_bilinear_against_a_loop(h, w, H, W):  # noqa: N803
    a = np.random.default_rng(h * 10 + w).random((h, w))
    out = resize_bilinear(a, (H, W))
    for i in range(H):
        for j in range(W):
            y = min(max((i + 0.5) * h / H - 0.5, 0), h - 1)
            x = min(max((j + 0.5) * w / W - 0.5, 0), w - 1)
            y0, x0 = int(np.floor(y)), int(np.floor(x))
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            fy, fx = y - y0, x - x0
            v = (a[y0, x0] * (1 - fx) + a[y0, x1] * fx) * (1 - fy) + (a[y1, x0] * (1 - fx) + a[y1, x1] * fx) * fy
            assert out[i, j] == pytest.approx(v)
    np.testing.assert_allclose(resize_bilinear(a, (h, w)), a)  # same size: unchanged


def test_overlay_blends_the_coloured_heatmap_into_the_image():
    from matplotlib import colormaps

    image = np.random.default_rng(0).integers(0, 256, size=(8, 8, 3)).astype(np.uint8)
    heat = np.array([[0.0, 1.0], [0.25, 0.5]])
    np.testing.assert_array_equal(overlay_heatmap(image, heat, alpha=0.0), image)
    only_heat = overlay_heatmap(image, heat, alpha=1.0)
    expected = np.round(colormaps["jet"](np.clip(resize_bilinear(heat, (8, 8)), 0, 1))[..., :3] * 255)
    np.testing.assert_array_equal(only_heat, expected.astype(np.uint8))
    grey = overlay_heatmap(np.full((8, 8, 1), 0.5), heat, alpha=0.5)
    assert grey.shape == (8, 8, 3) and grey.dtype == np.uint8
    with pytest.raises(ValueError, match="alpha must be in"):
        overlay_heatmap(image, heat, alpha=2)
    with pytest.raises(ValueError, match=r"heatmap must be \(h, w\)"):
        overlay_heatmap(image, np.zeros((2, 2, 2)))


def test_plot_grad_cam_renders():
    fig = plot_grad_cam(np.random.default_rng(0).random((8, 8)), np.eye(4), title="patch")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    assert matplotlib.image.imread(buf).std() > 0 and fig.axes[0].get_title() == "patch"
