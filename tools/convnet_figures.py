"""Draw the figures of the combined site's page "What a convnet learns" (docs/convnet-visualization.md).

    python tools/convnet_figures.py OUT_DIR

Where the packages meet: dl-viz's techniques on dl-convnet's real convnets, with no download:
the shipped pretrained MiniVGG (digits) looks at digits typed with matplotlib's own font, and
a small convnet trained here in about 15 s on dl-convnet's synthetic shapes explains its
decisions with Grad-CAM. The docs build runs this (tools/docs_hooks.py); the integration
tests check what the page says about the pictures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import dl_layers as L
import dl_viz
from dl_convnet import Conv2D, GlobalAveragePooling2D, MaxPooling2D
from dl_convnet.applications import MiniVGG, decode_predictions, preprocess_input
from dl_convnet.datasets import shapes


def typed_digit(digit: int, size: int = 28, font_px: float = 22.0) -> np.ndarray:
    """A digit typed in matplotlib's bundled font (bold, white on black), uint8 (size, size),
    as MNIST draws its handwritten ones."""
    fig = Figure(figsize=(1, 1), dpi=size)
    canvas = FigureCanvasAgg(fig)
    fig.patch.set_facecolor("black")
    fig.text(0.5, 0.5, str(digit), color="white", fontsize=font_px * 72 / size, ha="center", va="center",
             weight="bold")
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()  # (size, size): the red channel of white on black


def shapes_convnet():
    """Three 3x3 convolutions (16, 32, 64 filters; 2x2 max pooling between), global average
    pooling, softmax over the five shapes: Grad-CAM at conv3 has a 7x7 grid."""
    inputs = L.Input(shape=(28, 28, 1), name="image")
    x = Conv2D(16, 3, activation="relu", padding="same", name="conv1")(inputs)
    x = MaxPooling2D(2, name="pool1")(x)
    x = Conv2D(32, 3, activation="relu", padding="same", name="conv2")(x)
    x = MaxPooling2D(2, name="pool2")(x)
    x = Conv2D(64, 3, activation="relu", padding="same", name="conv3")(x)
    x = GlobalAveragePooling2D(name="global_average")(x)
    outputs = L.Dense(len(shapes.CLASS_NAMES), activation="softmax", name="shape")(x)
    model = L.Model(inputs, outputs, name="shapes_convnet")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def trained_shapes_convnet(epochs=8):
    """(model, history, (x_test, y_test)) after training on 2,000 shape images (pixels in [0, 1])."""
    (x_train, y_train), (x_test, y_test) = shapes.load_data(n_train=2000, n_test=500)
    x_train = x_train[..., None].astype("float32") / 255  # (2000, 28, 28, 1)
    x_test = x_test[..., None].astype("float32") / 255
    model = shapes_convnet()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_data=(x_test, y_test), verbose=0)
    return model, history, (x_test, y_test)


def heat_on_shape(model, image, layer="conv3"):
    """Grad-CAM of the top class, and how concentrated its heat is on the shape: the mean
    heat on the shape (pixels brighter than half, grown by 2 pixels) over the mean heat
    elsewhere (the upsampled map; 1 means no preference, inf all heat on the shape)."""
    heatmap = dl_viz.grad_cam(model, image, layer)
    up = dl_viz.resize_bilinear(heatmap, image.shape[:2])  # (28, 28)
    shape = image[..., 0] > 0.5
    near = shape.copy()
    for axis in (0, 1):  # grow the shape by 2 pixels (a few whole-array shifts, no pixel loop)
        for shift in (-2, -1, 1, 2):
            near |= np.roll(shape, shift, axis=axis)
    return heatmap, float(up[near].mean() / max(up[~near].mean(), 1e-12))


def main(out) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    L.set_random_seed(0)
    facts = {}

    def save(fig, name):
        dl_viz.save_figure(fig, out / f"{name}.png", dpi=90)

    # the pretrained MiniVGG on typed digits
    vgg = MiniVGG()
    digits = np.stack([typed_digit(d) for d in range(10)])[..., None]  # (10, 28, 28, 1) uint8
    probs = vgg.predict(preprocess_input(digits))
    facts["typed_digits_right"] = int(np.sum(probs.argmax(axis=1) == np.arange(10)))
    fig, axes = dl_viz.new_grid(10, ncols=10, panel_size=1.3,
                                title="MiniVGG (trained on handwriting) reads typed digits")
    for d, (ax, top) in enumerate(zip(axes, decode_predictions(probs, top=1))):
        ax.imshow(digits[d, :, :, 0], cmap="gray")
        ax.set_title(f"{top[0][0]} ({top[0][2]:.0%})", fontsize=9, color="black" if top[0][0] == d else "red")
    save(fig, "convnet_typed_digits")
    seven = preprocess_input(digits[7])
    save(dl_viz.plot_activations(vgg, seven, ["block1_conv1", "block2_conv1", "block3_conv1"], images_per_row=16),
         "convnet_activations")
    base = MiniVGG(include_top=False)  # any image size: patterns of 40x40
    for name, k in (("block1_conv1", 16), ("block2_conv2", 16), ("block3_conv2", 16)):
        save(dl_viz.plot_filters(base, name, filter_indices=range(k), size=(40, 40), steps=40, learning_rate=1.0,
                                 clip=(0.0, 1.0), start=(0.0, 1.0), ncols=8), f"convnet_filters_{name}")

    # a convnet trained here on shapes: Grad-CAM and adversarial examples
    model, history, (x_test, y_test) = trained_shapes_convnet()
    facts["shapes_val_accuracy"] = round(float(history.history["val_accuracy"][-1]), 3)
    save(dl_viz.plot_history(history), "convnet_shapes_history")
    shown = list(range(6))
    fig, axes = dl_viz.new_grid(2 * len(shown), ncols=6, panel_size=1.8)
    ratios, right = [], model.predict(x_test[:100]).argmax(axis=1) == y_test[:100]
    for i in range(100):
        heatmap, ratio = heat_on_shape(model, x_test[i])
        ratios.append(ratio)
        if i in shown:
            j = shown.index(i)
            pred = int(model.predict(x_test[i:i + 1]).argmax())
            axes[j].imshow(x_test[i, :, :, 0], cmap="gray")
            axes[j].set_title(shapes.CLASS_NAMES[y_test[i]], fontsize=9)
            dl_viz.plot_grad_cam(x_test[i], heatmap, alpha=0.5, ax=axes[len(shown) + j],
                                 title=f"{shapes.CLASS_NAMES[pred]}?")
    save(fig, "convnet_grad_cam")
    ratios = np.array(ratios)
    facts["grad_cam_heat_ratio_median_right"] = round(float(np.median(ratios[right])), 2)
    facts["grad_cam_heat_ratio_median_wrong"] = round(float(np.median(ratios[~right])), 2)
    facts["grad_cam_share_over_2_right"] = round(float(np.mean(ratios[right] > 2)), 3)
    epsilons = [0.0, 0.01, 0.02, 0.05, 0.1]
    accuracy = dl_viz.adversarial_accuracy(model, x_test, y_test, epsilons, clip=(0.0, 1.0))
    facts["shapes_adversarial_accuracy"] = dict(zip([str(e) for e in epsilons], np.round(accuracy, 3).tolist()))
    save(dl_viz.plot_adversarial_accuracy(epsilons, accuracy, baseline=0.2), "convnet_adversarial_accuracy")
    (out / "convnet_facts.json").write_text(json.dumps(facts, indent=1))
    return facts


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "figures"), indent=1))
