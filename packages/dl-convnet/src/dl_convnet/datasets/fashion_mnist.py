"""Fashion-MNIST: 70,000 grayscale 28x28 images of clothes in 10 classes, a drop-in for MNIST.

Same files, shapes and dtypes as MNIST (60,000 images to train, 10,000 to test); the labels
0-9 name the classes of ``CLASS_NAMES``::

    from dl_convnet.datasets import fashion_mnist
    (train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
    fashion_mnist.CLASS_NAMES[train_labels[0]]      # 'Ankle boot'

The four IDX files are downloaded once into the cache (``~/.cache/dl-book/datasets/fashion-mnist``
unless ``DL_BOOK_CACHE_DIR`` says otherwise) and checked against their published MD5.
"""

from __future__ import annotations

import os

import numpy as np

from ._mnist_format import IDX_FILES, load_mnist_format

__all__ = ["BASE_URL", "CACHE_SUBDIR", "CLASS_NAMES", "FILE_HASHES", "IDX_FILES", "load_data"]

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
"""The name of each label: ``CLASS_NAMES[label]``."""

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
"""Where the four ``.gz`` files are downloaded from (Keras's mirror of the published files)."""

FILE_HASHES = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
"""The MD5 of each published file; a download that does not match is refused."""

CACHE_SUBDIR = "datasets/fashion-mnist"
"""The folder inside the cache that holds the downloaded files."""


def load_data(path: str | os.PathLike | None = None) -> tuple[tuple[np.ndarray, np.ndarray],
                                                               tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST as Keras's ``fashion_mnist.load_data()`` does.

    Args:
        path: a folder holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
            ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each plain or gzipped
            with a ``.gz`` suffix). Default (None): download the ``.gz`` files from
            ``BASE_URL`` into the cache, once.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` with values 0-255, uint8 labels ``(60000,)`` and ``(10000,)``
        with values 0-9 (see ``CLASS_NAMES``).

    Raises:
        FileNotFoundError: ``path`` is not a folder, or lacks some of the files (listed).
        ValueError: a file is not IDX, is truncated, or does not hold 28x28 uint8 images and
            as many labels.

    Examples:
        Four tiny files (5 training and 3 test images) instead of the real ones:

        >>> import os, tempfile
        >>> import numpy as np
        >>> from dl_convnet.datasets import fashion_mnist, write_idx
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     for split, labels in (("train", [9, 0, 0, 3, 0]), ("t10k", [9, 2, 1])):
        ...         images = np.zeros((len(labels), 28, 28), dtype=np.uint8)
        ...         write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), images)
        ...         write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte.gz"), np.array(labels, np.uint8))
        ...     (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(path=folder)
        >>> x_train.shape, x_test.shape
        ((5, 28, 28), (3, 28, 28))
        >>> [fashion_mnist.CLASS_NAMES[label] for label in y_test]
        ['Ankle boot', 'Pullover', 'Trouser']
    """
    return load_mnist_format("fashion_mnist.load_data", path, BASE_URL, FILE_HASHES, CACHE_SUBDIR)
