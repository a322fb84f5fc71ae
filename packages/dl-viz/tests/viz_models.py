"""Small models and data the dl-viz tests share (dl-layers only: a Dense on images is a 1x1
convolution, a Lambda pools over space)."""

import numpy as np

from dl_layers import Dense, Flatten, Input, Lambda, Model, Sequential
from dl_layers.optimizers import Adam


def pixel_model(size=12, channels=1, units=6, classes=2, head_activation="softmax"):
    """(size, size, channels) -> 1x1 'convolution' (relu, 'pixels') -> spatial max ('pool') -> Dense ('scores')."""
    inputs = Input(shape=(size, size, channels))
    features = Dense(units, activation="relu", name="pixels")(inputs)  # (None, size, size, units)
    pooled = Lambda(lambda t: t.max(axis=(1, 2)), name="pool")(features)  # (None, units): global max pooling
    outputs = Dense(classes, activation=head_activation, name="scores")(pooled)
    return Model(inputs, outputs)


def bright_patch_data(n, size=12, patch=3, seed=0):
    """Dim noise images; label 1 images hold one bright patch x patch square at a random place.

    Returns x (n, size, size, 1) float32, y (n,) int64, and the patch corners (n, 2) (-1 where none).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.3, size=(n, size, size, 1)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    corners = rng.integers(0, size - patch + 1, size=(n, 2))
    rows = corners[:, 0, None] + np.arange(patch)  # (n, patch)
    cols = corners[:, 1, None] + np.arange(patch)  # (n, patch)
    bright = np.zeros((n, size, size), dtype=bool)
    idx = np.arange(n)[:, None, None]
    bright[idx, rows[:, :, None], cols[:, None, :]] = True
    bright &= (y == 1)[:, None, None]
    x[bright, 0] = rng.uniform(0.8, 1.0, size=int(bright.sum()))
    corners[y == 0] = -1
    return x, y.astype(np.int64), corners


def trained_patch_finder(epochs=8, seed=0):
    """pixel_model trained to tell images with a bright patch (accuracy checked by the caller)."""
    x, y, _ = bright_patch_data(800, seed=seed)
    model = pixel_model()
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


def template_data(n, classes=3, size=8, noise=0.25, seed=0):
    """Images of ``classes`` fixed random templates plus noise, in [0, 1]: x (n, size, size, 1), y (n,)."""
    rng = np.random.default_rng(1000)  # the same templates for every seed
    templates = rng.uniform(0.0, 1.0, size=(classes, size, size, 1))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n)
    x = np.clip(templates[y] + rng.normal(0.0, noise, size=(n, size, size, 1)), 0.0, 1.0)
    return x.astype(np.float32), y.astype(np.int64)


def trained_template_classifier(epochs=5, seed=0):
    """An MLP (Flatten, Dense 32 relu, Dense softmax) trained on template_data."""
    x, y = template_data(600, seed=seed)
    model = Sequential([Flatten(input_shape=x.shape[1:]), Dense(32, activation="relu"),
                        Dense(3, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model
