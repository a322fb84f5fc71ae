"""What MNIST and Fashion-MNIST share: four IDX files, read from a folder or downloaded into the cache.

Both data sets are published as the same four files (same names, same layout):
``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
``t10k-labels-idx1-ubyte``, each gzipped (``.gz``) for download.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from dl_layers.utils import get_file

from .idx import read_idx

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
"""The four files, in the order of ``((x_train, y_train), (x_test, y_test))``."""

IMAGE_SIZE = (28, 28)
NUM_CLASSES = 10


def _find_in_folder(owner: str, path) -> list[Path]:
    """The four files in folder ``path``, each plain or gzipped (``.gz``)."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{owner}: argument `path` must be a folder path or None, got {path!r}")
    folder = Path(path).expanduser()
    if folder.is_file():
        raise NotADirectoryError(
            f"{owner}: argument `path` must be a folder holding the four IDX files ({', '.join(IDX_FILES)}), "
            f"got the file {str(folder)!r} (Keras's path='mnist.npz' names a cached .npz file; "
            f"here path=None downloads the IDX files into the cache)")
    if not folder.is_dir():
        raise FileNotFoundError(f"{owner}: argument `path` must be an existing folder, got {str(folder)!r}")
    files, missing = [], []
    for name in IDX_FILES:
        found = [folder / candidate for candidate in (name, name + ".gz") if (folder / candidate).is_file()]
        if found:
            files.append(found[0])  # both there: the plain file
        else:
            missing.append(name)
    if missing:
        raise FileNotFoundError(f"{owner}: the folder {str(folder)!r} lacks {', '.join(missing)} "
                                f"(each file may be plain or gzipped with a .gz suffix)")
    return files


def _download(base_url: str, file_hashes: dict, cache_subdir: str) -> list[Path]:
    """The four ``.gz`` files, downloaded into the cache (once) with their MD5 checked."""
    files = []
    for name in IDX_FILES:
        fname = name + ".gz"
        origin = base_url.rstrip("/") + "/" + fname
        files.append(Path(get_file(fname, origin, file_hash=file_hashes[fname], cache_subdir=cache_subdir)))
    return files


def _check_images_and_labels(owner: str, images_file: Path, images: np.ndarray,
                             labels_file: Path, labels: np.ndarray) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SIZE:
        raise ValueError(f"{owner}: {str(images_file)!r} must hold uint8 images of shape (n, 28, 28), "
                         f"got {images.dtype} values of shape {images.shape}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"{owner}: {str(labels_file)!r} must hold uint8 labels of shape (n,), "
                         f"got {labels.dtype} values of shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{owner}: {str(images_file)!r} holds {len(images)} images but {str(labels_file)!r} "
                         f"holds {len(labels)} labels; they must match")
    if labels.size and labels.max() >= NUM_CLASSES:
        raise ValueError(f"{owner}: {str(labels_file)!r} must hold labels 0 to {NUM_CLASSES - 1}, "
                         f"got {int(labels.max())}")


def load_mnist_format(owner: str, path, base_url: str, file_hashes: dict, cache_subdir: str):
    """``((x_train, y_train), (x_test, y_test))`` from folder ``path``, or downloaded if it is None."""
    files = _download(base_url, file_hashes, cache_subdir) if path is None else _find_in_folder(owner, path)
    x_train, y_train, x_test, y_test = (read_idx(file) for file in files)
    _check_images_and_labels(owner, files[0], x_train, files[1], y_train)
    _check_images_and_labels(owner, files[2], x_test, files[3], y_test)
    return (x_train, y_train), (x_test, y_test)
