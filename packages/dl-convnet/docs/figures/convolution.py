"""Draw docs/figures/convolution.png: one image through hand-made and learned 3x3 kernels.

    python packages/dl-convnet/docs/figures/convolution.py

Needs matplotlib and Pillow. The image is a triangle of ``datasets.shapes`` (drawn on the spot, nothing
is downloaded). The first two rows show four hand-made kernels and the feature map each
makes of the image (``conv2d_composed``, "same" padding, no activation: red positive, blue
negative). The next four rows show the sixteen 3x3 kernels of ``MiniVGG``'s first layer,
``block1_conv1``, as pretrained on MNIST digits, and that layer's output for the image
(after its relu, so never negative; each map scaled to its own maximum).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import dl_layers as L  # noqa: E402
from dl_convnet import MiniVGG, conv2d_composed  # noqa: E402
from dl_convnet.applications import preprocess_input  # noqa: E402
from dl_convnet.datasets import shapes  # noqa: E402

OUT = Path(__file__).with_suffix(".png")

HAND_MADE = {
    "vertical edge": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "horizontal edge": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "diagonal edge": [[0, 1, 1], [-1, 0, 1], [-1, -1, 0]],
    "3x3 average": [[1 / 9] * 3] * 3,
}


def the_image() -> np.ndarray:
    (images, labels), _ = shapes.load_data(n_train=50, n_test=1, seed=0)
    triangles = images[labels == shapes.CLASS_NAMES.index("triangle")]  # (10, 28, 28)
    largest = int((triangles > 128).sum(axis=(1, 2)).argmax())  # the biggest triangle shows its edges best
    return preprocess_input(triangles[largest])  # (28, 28) in [0, 1]


def show(ax, values, title=None, signed=False, limit=None):
    if signed:
        limit = limit or float(np.abs(values).max()) or 1.0
        ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        ax.imshow(values, cmap="magma", vmin=0, vmax=limit)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)


def main() -> None:
    image = the_image()
    x = image[None, :, :, None]  # (28, 28) -> (1, 28, 28, 1)

    model = MiniVGG(weights="pretrained")
    first = model.get_layer("block1_conv1")
    kernels = first.get_weights()[0][:, :, 0, :]  # (3, 3, 1, 16) -> (3, 3, 16)
    maps = L.Model(model.input, first.output).predict(x, verbose=0)[0]  # (28, 28, 16), after relu

    fig, axes = plt.subplots(6, 9, figsize=(9, 6.6), dpi=100)
    for ax in axes.flat:
        ax.axis("off")
    axes[0, 0].axis("on")
    show(axes[0, 0], image, "the image", limit=1.0)
    axes[1, 0].text(0.5, 0.5, "hand-made\nkernel\nand its map", ha="center", va="center", fontsize=8)
    for column, (name, kernel) in enumerate(HAND_MADE.items(), start=1):
        kernel = np.array(kernel, "float32")
        response = conv2d_composed(x, kernel.reshape(3, 3, 1, 1), padding="same").numpy()[0, :, :, 0]
        for row, values in ((0, kernel), (1, response)):
            axes[row, column].axis("on")
            show(axes[row, column], values, name if row == 0 else None, signed=True)

    axes[3, 0].text(0.5, 0.5, "MiniVGG\nblock1_conv1:\nkernels (rows 3, 5)\nand maps\n(rows 4, 6)",
                    ha="center", va="center", fontsize=8)
    for f in range(16):
        row, column = 2 + 2 * (f // 8), 1 + f % 8
        for r, values, signed in ((row, kernels[:, :, f], True), (row + 1, maps[:, :, f], False)):
            axes[r, column].axis("on")
            show(axes[r, column], values, f"filter {f}" if r == row else None, signed=signed,
                 limit=None if signed else float(values.max()) or 1.0)  # each map scaled to its own maximum
    fig.suptitle("3x3 kernels (red positive, blue negative) and the feature maps they make of one image",
                 fontsize=10)
    fig.tight_layout()
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    buffer.seek(0)
    Image.open(buffer).convert("RGB").quantize(256).save(OUT, optimize=True)  # 256 colours: a third of the size
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
