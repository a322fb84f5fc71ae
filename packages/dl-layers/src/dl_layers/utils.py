"""Small helpers with Keras's names: ``to_categorical``, plus ``get_file`` and friends (from
``file_utils``), ``atomic_write`` (from ``atomic``) and ``custom_object_scope`` (from
``registry``), where ``keras.utils`` users look for them.

Examples:
    >>> from dl_layers.utils import to_categorical
    >>> to_categorical([1, 0, 2])
    array([[0., 1., 0.],
           [1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .atomic import atomic_write
from .file_utils import (
    CACHE_DIR_ENV,
    DownloadError,
    HashMismatchError,
    UnsafeArchiveError,
    extract_archive,
    file_hash,
    get_file,
)
from .registry import custom_object_scope

__all__ = [
    "CACHE_DIR_ENV",
    "DownloadError",
    "HashMismatchError",
    "UnsafeArchiveError",
    "atomic_write",
    "custom_object_scope",
    "extract_archive",
    "file_hash",
    "get_file",
    "to_categorical",
]


def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = "float32") -> np.ndarray:
    """One-hot encode integer class labels.

    Labels of shape ``s`` become an array of shape ``s + (num_classes,)`` holding a 1 at
    each label's index and 0 elsewhere. As in Keras, a trailing axis of size 1 is dropped
    first, so labels of shape ``(n, 1)`` give ``(n, num_classes)``.

    Args:
        y: integer labels in ``[0, num_classes)`` (floats with integral values are accepted).
        num_classes: the number of classes; default: ``max(y) + 1``.
        dtype: the output dtype.

    Returns:
        The one-hot array.

    Examples:
        >>> to_categorical([0, 2, 1])
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
        >>> to_categorical([[0, 1], [1, 3]], num_classes=4, dtype="int64").shape
        (2, 2, 4)
    """
    labels = np.asarray(y)
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"y must hold integer class labels, got an array of dtype {labels.dtype}")
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.round(labels))
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"y must hold integer class labels, got {labels[index].item()!r} at index {index}")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)

    if num_classes is None:
        if flat.size == 0:
            raise ValueError("y is empty, so num_classes cannot be inferred; pass num_classes")
        if (flat < 0).any():
            _raise_label_out_of_range(labels, labels < 0, None)
        num_classes = int(flat.max()) + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, int | np.integer) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer or None, got {num_classes!r}")
    num_classes = int(num_classes)
    out_of_range = (labels < 0) | (labels >= num_classes)
    if out_of_range.any():
        _raise_label_out_of_range(labels, out_of_range, num_classes)

    out = np.zeros((flat.size, num_classes), dtype=np.dtype(dtype))
    out[np.arange(flat.size), flat.astype(np.intp)] = 1
    return out.reshape(*shape, num_classes)


def _raise_label_out_of_range(labels: np.ndarray, bad: np.ndarray, num_classes: int | None) -> None:
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    value = labels[index].item()
    if isinstance(value, float):
        value = int(value)
    allowed = "be non-negative" if num_classes is None else f"lie in [0, {num_classes}) for num_classes={num_classes}"
    raise ValueError(f"y's class labels must {allowed}, got {value} at index {index}")
