"""MNIST: 70,000 grayscale 28x28 images of handwritten digits 0-9 (60,000 to train, 10,000 to test).

The book's first listing, with only the import changed::

    from dl_convnet.datasets import mnist
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()

The four IDX files are downloaded once into the cache (``dl_layers.utils.get_file``:
``~/.cache/dl-book/datasets/mnist`` unless ``DL_BOOK_CACHE_DIR`` says otherwise) and checked
against their published MD5. Offline, put them there yourself, or anywhere and pass ``path``.
"""

from __future__ import annotations

import os

import numpy as np

from ._mnist_format import IDX_FILES, load_mnist_format

__all__ = ["BASE_URL", "CACHE_SUBDIR", "FILE_HASHES", "IDX_FILES", "load_data"]

BASE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
"""Where the four ``.gz`` files are downloaded from (a mirror of the original files)."""

FILE_HASHES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
"""The MD5 of each published file; a download that does not match is refused."""

CACHE_SUBDIR = "datasets/mnist"
"""The folder inside the cache that holds the downloaded files."""


def load_data(path: str | os.PathLike | None = None) -> tuple[tuple[np.ndarray, np.ndarray],
                                                               tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as Keras's ``mnist.load_data()`` does.

    Args:
        path: a folder holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
            ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each plain or gzipped
            with a ``.gz`` suffix). Default (None): download the ``.gz`` files from
            ``BASE_URL`` into the cache, once.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` with values 0-255, uint8 labels ``(60000,)`` and ``(10000,)``
        with values 0-9.

    Raises:
        FileNotFoundError: ``path`` is not a folder, or lacks some of the files (listed).
        ValueError: a file is not IDX, is truncated, or does not hold 28x28 uint8 images and
            as many labels.

    Examples:
        Four tiny files (5 training and 3 test images) instead of the real ones:

        >>> import os, tempfile
        >>> import numpy as np
        >>> from dl_convnet.datasets import mnist, write_idx
        >>> rng = np.random.default_rng(0)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     for split, n in (("train", 5), ("t10k", 3)):
        ...         images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        ...         write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), images)
        ...         write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte"), np.arange(n, dtype=np.uint8))
        ...     (x_train, y_train), (x_test, y_test) = mnist.load_data(path=folder)
        >>> x_train.shape, y_train.shape, x_test.shape, y_test.shape
        ((5, 28, 28), (5,), (3, 28, 28), (3,))
        >>> x_train.dtype, y_test
        (dtype('uint8'), array([0, 1, 2], dtype=uint8))
    """
    return load_mnist_format("mnist.load_data", path, BASE_URL, FILE_HASHES, CACHE_SUBDIR)
