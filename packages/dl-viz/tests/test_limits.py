"""The limits of deep learning: adversarial examples lower accuracy as epsilon grows."""

import io

import matplotlib.image
import numpy as np
import pytest
from viz_models import template_data, trained_template_classifier

from dl_layers import Dense, Sequential
from dl_viz.limits import (
    adversarial_accuracy,
    adversarial_example,
    input_gradient,
    plot_adversarial,
    plot_adversarial_accuracy,
    plot_confidence,
    prediction_confidence,
)


def _softmax_regression():
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=3).astype(np.float32)])
    return model


def test_input_gradient_is_each_samples_own_gradient():
    """For softmax regression, d crossentropy_i / d x_i = W (p_i - onehot(y_i))."""
    model = _softmax_regression()
    x = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    y = np.array([0, 2, 1, 1, 0])
    w, _ = model.get_weights()
    p = model.predict(x)
    expected = (p - np.eye(3)[y]) @ w.T  # (5, 4)
    np.testing.assert_allclose(input_gradient(model, x, y), expected, rtol=1e-4, atol=1e-6)


def test_fgsm_moves_every_value_by_epsilon_and_raises_the_loss():
    model = _softmax_regression()
    x = np.random.default_rng(2).uniform(0.2, 0.8, size=(6, 4)).astype(np.float32)
    y = model.predict(x).argmax(axis=1)
    x_adv = adversarial_example(model, x, y, epsilon=0.05)
    np.testing.assert_allclose(np.abs(x_adv - x), 0.05, rtol=1e-5)
    p, p_adv = model.predict(x), model.predict(x_adv)
    assert np.all(p_adv[np.arange(6), y] < p[np.arange(6), y])  # less sure of the right class, every one
    clipped = adversarial_example(model, x, y, epsilon=0.5, clip=(0.0, 1.0))
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0
    assert adversarial_example(model, x[0], y[0], epsilon=0.1).shape == (4,)  # one sample in, one out


def test_accuracy_falls_as_epsilon_grows():
    model = trained_template_classifier()
    x, y = template_data(300, seed=2)
    epsilons = [0.0, 0.05, 0.1, 0.2, 0.3]
    acc = adversarial_accuracy(model, x, y, epsilons, clip=(0.0, 1.0), batch_size=128)
    assert acc[0] == pytest.approx(model.evaluate(x, y, verbose=0)[1], abs=1e-6)
    assert acc[0] > 0.95 and acc[-1] < 1 / 3  # worse than chance: confidently wrong
    assert np.all(np.diff(acc) <= 0.02), acc  # falling (up to a sample or so of noise)


def test_confidence_is_the_top_probability():
    model = _softmax_regression()
    x = np.random.default_rng(3).normal(size=(7, 4))
    np.testing.assert_allclose(prediction_confidence(model, x, batch_size=3), model.predict(x).max(axis=1), rtol=1e-6)
    logits = Sequential([Dense(3, input_shape=(4,))])
    logits.set_weights(model.get_weights())
    np.testing.assert_allclose(prediction_confidence(logits, x, from_logits=True), model.predict(x).max(axis=1),
                               rtol=1e-5)


def test_bad_input_gets_clear_errors():
    model = _softmax_regression()
    with pytest.raises(ValueError, match="epsilon must be a number >= 0"):
        adversarial_example(model, np.zeros(4), 0, epsilon=-1)
    with pytest.raises(ValueError, match="3 inputs but 2 labels"):
        input_gradient(model, np.zeros((3, 4)), [0, 1])
    with pytest.raises(ValueError, match="y must be 3 integer labels"):
        adversarial_accuracy(model, np.zeros((3, 4)), np.zeros(3), [0.1])
    with pytest.raises(ValueError, match=r"x of shape \(5,\) does not fit"):
        prediction_confidence(model, np.zeros(5))


def _png_std(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    return matplotlib.image.imread(buf).std()


def test_the_pictures_render():
    model = trained_template_classifier(epochs=1)
    x, y = template_data(4, seed=3)
    fig = plot_adversarial(model, x[0], y[0], 0.2, class_names=["a", "b", "c"])
    assert len(fig.axes) == 3 and fig.axes[0].get_title().startswith("original: ")
    assert _png_std(fig) > 0
    fig = plot_adversarial_accuracy([0, 0.1], [0.9, 0.4], baseline=0.5)
    assert list(fig.axes[0].lines[0].get_ydata()) == [0.9, 0.4] and _png_std(fig) > 0
    fig = plot_confidence({"test": [0.9, 0.99], "noise": [0.6, 0.97]})
    assert len(fig.axes[0].patches) == 40 and _png_std(fig) > 0
    with pytest.raises(ValueError, match="2 class_names for 3 classes|class_names"):
        plot_adversarial(model, x[0], 0, 0.1, class_names=["a", "b"])


def test_input_gradient_follows_the_compiled_loss_whatever_its_reduction():
    from dl_layers import losses

    model = Sequential([Dense(2, input_shape=(3,))])  # linear: y = x W + b
    w, b = model.get_weights()
    x = np.random.default_rng(4).normal(size=(4, 3)).astype(np.float32)
    target = np.random.default_rng(5).normal(size=(4, 2)).astype(np.float32)
    model.compile(optimizer="sgd", loss="mse")
    expected = (2 / 2) * (x @ w + b - target) @ w.T  # d mean_j (y_j - t_j)^2 / dx, per sample
    np.testing.assert_allclose(input_gradient(model, x, target), expected, rtol=1e-4, atol=1e-6)
    summed = losses.MeanSquaredError(reduction="sum")
    np.testing.assert_allclose(input_gradient(model, x, target, loss=summed), expected, rtol=1e-4, atol=1e-6)
    model.compile(optimizer="sgd", loss=lambda y_true, y_pred: ((y_pred - y_true) ** 2).mean(axis=-1))
    np.testing.assert_allclose(input_gradient(model, x, target), expected, rtol=1e-4, atol=1e-6)
