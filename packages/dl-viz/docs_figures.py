"""Draw every figure of the dl-viz chapter site from small models trained on the spot.

    python packages/dl-viz/docs_figures.py OUT_DIR

The docs build runs this (``tools/docs_hooks.py``), so the pictures always show what the code
does today; ``tests/test_docs_figures.py`` runs it too and checks what the pictures show.
Only dl-layers models (the chapter site must build with dl-viz alone): a 1x1 "convolution"
(a ``Dense`` applied to every pixel) with global max pooling that finds a bright patch,
and a small MLP that tells four kinds of stripes apart. Each trains in a second or two.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import dl_layers as L
import dl_viz
from dl_tensor import Tensor

STRIPES = ("horizontal", "vertical", "diagonal", "checker")


def stripes(n, size=12, noise=1.0, seed=0):
    """Images of four kinds of stripes at a random phase, plus noise: x (n, size, size, 1) in [0, 1], y (n,)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, size=n)
    phase = rng.integers(0, 4, size=n)[:, None, None]  # (n, 1, 1)
    r = np.arange(size)[None, :, None]  # (1, size, 1): rows
    c = np.arange(size)[None, None, :]  # (1, 1, size): columns
    shape = (n, size, size)
    waves = np.stack([np.broadcast_to((r + phase) // 2 % 2, shape), np.broadcast_to((c + phase) // 2 % 2, shape),
                      (r + c + phase) // 2 % 2, ((r + phase) // 2 + (c + phase) // 2) % 2])  # (4, n, size, size)
    clean = waves[y, np.arange(n)].astype(np.float64)  # (n, size, size): each image its own kind
    x = np.clip(clean + rng.normal(0.0, noise, size=clean.shape), 0.0, 1.0)
    return x[..., None].astype(np.float32), y.astype(np.int64)  # (n, size, size, 1)


def bright_patches(n, size=16, patch=4, seed=0):
    """Dim noise; label 1 images hold a bright patch at a random place. x (n, size, size, 1), y (n,), corners (n, 2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.3, size=(n, size, size, 1)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    corners = rng.integers(0, size - patch + 1, size=(n, 2))
    rows = corners[:, :1] + np.arange(patch)  # (n, patch)
    cols = corners[:, 1:] + np.arange(patch)  # (n, patch)
    inside = np.zeros((n, size, size), dtype=bool)
    inside[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]] = True
    inside &= (y == 1)[:, None, None]
    x[inside, 0] = rng.uniform(0.8, 1.0, size=int(inside.sum()))
    return x, y.astype(np.int64), corners


def patch_finder():
    """A 1x1 convolution (Dense on every pixel) -> global max pooling -> softmax, trained on bright_patches."""
    inputs = L.Input(shape=(16, 16, 1), name="image")
    features = L.Dense(8, activation="relu", name="pixel_features")(inputs)  # (None, 16, 16, 8)
    pooled = L.Lambda(lambda t: t.max(axis=(1, 2)), name="global_max")(features)  # (None, 8)
    outputs = L.Dense(2, activation="softmax", name="patch_or_not")(pooled)
    model = L.Model(inputs, outputs, name="patch_finder")
    model.compile(optimizer=L.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y, _ = bright_patches(1000, seed=1)
    model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    return model


def stripes_mlp(train_size=4000, epochs=12, batch_size=64, l2=0.01, seed=2):
    """Flatten -> Dense(32, relu, L2 penalty) 'hidden' -> Dense(4, softmax) 'kind', trained on stripes;
    returns (model, history)."""
    penalty = L.regularizers.l2(l2) if l2 else None
    model = L.Sequential([L.Flatten(input_shape=(12, 12, 1)),
                          L.Dense(32, activation="relu", kernel_regularizer=penalty, name="hidden"),
                          L.Dense(4, activation="softmax", name="kind")], name="stripes_mlp")
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = stripes(train_size, seed=seed)
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_split=0.25, verbose=0)
    return model, history


def main(out) -> dict:
    """Draw every figure into the folder ``out``; return the numbers the pages quote."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    L.set_random_seed(0)
    facts = {}

    def save(fig, name):
        dl_viz.save_figure(fig, out / f"{name}.png", dpi=90)

    # training curves: a model with enough data, and the same on too little (it overfits)
    model, history = stripes_mlp()
    save(dl_viz.plot_history(history), "history")
    L.set_random_seed(0)
    _, small = stripes_mlp(train_size=120, epochs=40, batch_size=8, l2=0.0, seed=3)
    save(dl_viz.plot_history(small, smooth=0.6), "history_overfit")
    facts["overfit_best_epoch"] = int(np.argmin(dl_viz.smooth_curve(small.history["val_loss"], 0.6)) + 1)  # as marked

    # the stripes MLP: confusion, filter patterns of hidden units, embeddings of its hidden layer
    x_test, y_test = stripes(600, seed=4)
    predictions = model.predict(x_test).argmax(axis=1)
    facts["stripes_test_accuracy"] = float(np.mean(predictions == y_test))
    save(dl_viz.plot_confusion_matrix(y_test, predictions, class_names=STRIPES), "confusion")
    save(dl_viz.plot_filters(model, "hidden", filter_indices=range(8), steps=30, learning_rate=2.0, ncols=8),
         "filters_hidden")
    save(dl_viz.plot_filters(model, "kind", steps=30, learning_rate=2.0, ncols=4), "filters_classes")
    L.set_random_seed(0)
    plain, _ = stripes_mlp(l2=0.0)
    save(dl_viz.plot_filters(plain, "hidden", filter_indices=range(8), steps=30, learning_rate=2.0, ncols=8),
         "filters_hidden_no_penalty")
    hidden = dl_viz.activations(model, x_test[:60], "hidden")["hidden"]
    save(dl_viz.plot_embeddings(hidden, [STRIPES[k][:3] for k in y_test[:60]]), "embeddings_hidden")
    save(dl_viz.plot_embeddings(_toy_word_vectors()), "embeddings_words")

    # the patch finder: activations, Grad-CAM, its graph
    finder = patch_finder()
    images, labels, corners = bright_patches(6, seed=7)
    with_patch = np.flatnonzero(labels == 1)[:3]
    save(dl_viz.plot_activations(finder, images[with_patch[0]], ["pixel_features"], images_per_row=8),
         "activations")
    fig, axes = dl_viz.new_grid(2 * len(with_patch), ncols=2 * len(with_patch), panel_size=2.0)
    for j, i in enumerate(with_patch):
        axes[2 * j].imshow(images[i, :, :, 0], cmap="gray", vmin=0, vmax=1)
        axes[2 * j].set_title("image", fontsize=9)
        heatmap = dl_viz.grad_cam(finder, images[i], "pixel_features", class_index=1)
        dl_viz.plot_grad_cam(images[i], heatmap, alpha=0.5, title="Grad-CAM, 'patch'", ax=axes[2 * j + 1])
    save(fig, "grad_cam")
    save(dl_viz.plot_model(finder), "model_patch_finder")
    save(dl_viz.plot_model(model), "model_stripes_mlp")

    # chapter 2's autodiff graph
    x = Tensor(np.ones((4, 3), np.float32))
    w = Tensor(np.full((3, 1), 0.1, np.float32), requires_grad=True)
    b = Tensor(np.zeros(1, np.float32), requires_grad=True)
    loss = ((x @ w + b) ** 2).mean()
    save(dl_viz.plot_graph(loss, names={"x": x, "w": w, "b": b, "loss": loss}), "autodiff_graph")

    # the limits: adversarial examples and confidence far from the training data
    epsilons = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2]
    accuracy = dl_viz.adversarial_accuracy(model, x_test, y_test, epsilons, clip=(0.0, 1.0))
    facts["adversarial_accuracy"] = dict(zip([str(e) for e in epsilons], np.round(accuracy, 3).tolist()))
    save(dl_viz.plot_adversarial_accuracy(epsilons, accuracy, baseline=0.25), "adversarial_accuracy")
    moved = dl_viz.adversarial_example(model, x_test, y_test, 0.15, clip=(0.0, 1.0))
    moved_probs = model.predict(moved)
    fooled = (predictions == y_test) & (moved_probs.argmax(axis=1) != y_test)  # right before, wrong after
    facts["fooled_share_at_0.15"] = round(float(np.mean(fooled)), 3)
    facts["confidence_when_fooled_at_0.15"] = round(float(moved_probs[fooled].max(axis=1).mean()), 3)
    shown = int(np.flatnonzero(fooled)[np.argmax(moved_probs[fooled].max(axis=1))])  # the most confident mistake
    save(dl_viz.plot_adversarial(model, x_test[shown], y_test[shown], 0.15, class_names=STRIPES),
         "adversarial_example")
    rng = np.random.default_rng(5)
    confidence = {
        "test stripes": dl_viz.prediction_confidence(model, x_test),
        "uniform noise": dl_viz.prediction_confidence(model, rng.uniform(0, 1, size=(600, 12, 12, 1))),
        "bright patches": dl_viz.prediction_confidence(model, bright_patches(600, size=12, patch=3, seed=6)[0]),
    }
    facts["mean_confidence"] = {k: round(float(v.mean()), 3) for k, v in confidence.items()}
    facts["share_over_0.9"] = {k: round(float(np.mean(v > 0.9)), 3) for k, v in confidence.items()}
    save(dl_viz.plot_confidence(confidence), "confidence")
    (out / "facts.json").write_text(json.dumps(facts, indent=1))
    return facts


def _toy_word_vectors():
    """Hand-made 'word vectors': royalty, gender and age as directions, plus noise, in 10-D."""
    rng = np.random.default_rng(0)
    axes = rng.normal(size=(3, 10))  # royalty, femaleness, youth
    words = {"king": (1, 0, 0), "queen": (1, 1, 0), "prince": (1, 0, 1), "princess": (1, 1, 1),
             "man": (0, 0, 0), "woman": (0, 1, 0), "boy": (0, 0, 1), "girl": (0, 1, 1)}
    return {w: np.asarray(c, dtype=float) @ axes + rng.normal(0, 0.1, 10) for w, c in words.items()}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "figures"), indent=1))
