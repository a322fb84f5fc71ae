"""dl-viz on dl-convnet's real convnets: what the combined site's page "What a convnet learns"
(docs/convnet-visualization.md, figures by tools/convnet_figures.py) says, checked."""

import importlib.util
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

import dl_layers as L
import dl_viz
from dl_convnet.applications import MiniVGG, preprocess_input

REPO = Path(__file__).resolve().parents[1]


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


figures = _load(REPO / "tools" / "convnet_figures.py", "dl_book_convnet_figures")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("convnet_figures")
    return out, figures.main(out)


def test_every_figure_of_the_page_is_drawn(drawn):
    out, _ = drawn
    page = (REPO / "docs" / "convnet-visualization.md").read_text()
    import re

    shown = re.findall(r"\]\(figures/([\w-]+\.png)\)", page)
    assert len(shown) >= 7
    for name in shown:
        image = matplotlib.image.imread(out / name)
        assert image[..., :3].std() > 0.02, name


def test_what_the_page_says(drawn):
    _, facts = drawn
    assert facts["typed_digits_right"] >= 7  # a handwriting model reads most typed digits
    assert facts["shapes_val_accuracy"] > 0.7  # chance: 0.2
    assert facts["grad_cam_heat_ratio_median_right"] > 1.5  # Grad-CAM's heat is denser on the shape
    acc = facts["shapes_adversarial_accuracy"]
    assert acc["0.01"] < 0.8 * acc["0.0"] and acc["0.05"] < 0.25  # invisible changes, below chance


def test_grad_cam_points_at_the_shape_it_explains():
    """A convnet trained on shapes placed anywhere: where Grad-CAM's map peaks, there is the shape."""
    L.set_random_seed(0)
    model, _, (x_test, y_test) = figures.trained_shapes_convnet(epochs=8)
    right = np.flatnonzero(model.predict(x_test[:60]).argmax(axis=1) == y_test[:60])
    near = []
    for i in right:
        heatmap = dl_viz.grad_cam(model, x_test[i], "conv3")  # (7, 7)
        r, c = np.unravel_index(heatmap.argmax(), heatmap.shape)
        cell = x_test[i, 4 * r:4 * r + 4, 4 * c:4 * c + 4, 0]  # the 4x4 pixels under the hottest cell
        grown = x_test[i, max(4 * r - 4, 0):4 * r + 8, max(4 * c - 4, 0):4 * c + 8, 0]  # and its neighbours
        near.append(bool(cell.max() > 0.5 or grown.max() > 0.5))
    assert np.mean(near) > 0.8, np.mean(near)


def test_activations_of_minivgg_equal_its_own_forward_pass():
    vgg = MiniVGG()
    digit = preprocess_input(figures.typed_digit(3))[..., None]  # (28, 28, 1)
    maps = dl_viz.activations(vgg, digit, ["block3_pool", "predictions"])
    base = MiniVGG(include_top=False, input_shape=(28, 28, 1))  # the same pretrained weights, fewer layers
    np.testing.assert_allclose(maps["block3_pool"], base.predict(digit[None]), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(maps["predictions"], vgg.predict(digit[None]), rtol=1e-4, atol=1e-6)
    assert maps["block3_pool"].shape == (1, 3, 3, 64)


def test_filter_patterns_of_minivgg_raise_their_filter_far_above_noise():
    base = MiniVGG(include_top=False)
    noise = np.random.default_rng(0).uniform(0, 1, size=(40, 40, 1)).astype(np.float32)
    for k in (0, 2, 3):
        pattern = dl_viz.filter_pattern(base, "block2_conv2", k, steps=40, learning_rate=1.0, image=noise,
                                        clip=(0.0, 1.0))
        before = dl_viz.activations(base, noise, "block2_conv2")["block2_conv2"][..., k].mean()
        after = dl_viz.activations(base, pattern, "block2_conv2")["block2_conv2"][..., k].mean()
        assert after > 3 * before + 0.1, (k, before, after)
