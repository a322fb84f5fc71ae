"""``Variable``: a layer's weight, a ``Tensor`` with a name that training updates in place.

A variable is a leaf of every graph its layer builds. ``backward`` fills its ``.grad``;
an optimizer then changes its values in place, so the same object is the weight from the
first step to the last (optimizers keep their state per variable object). ``assign``,
``assign_add`` and ``assign_sub`` (from ``Tensor``) write new values in place.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Tensor


class Variable(Tensor):
    """A named, optionally trainable weight.

    Args:
        value: initial value (array-like), e.g. an array of shape (784, 512).
        name: short name, e.g. "kernel"; ``path`` adds the layer's name ("dense/kernel").
        trainable: whether optimizers update it (moving statistics of BatchNormalization
            are not trainable). A frozen layer turns gradients off for all its variables.
        regularizer: callable ``regularizer(variable) -> scalar Tensor`` added to the loss.
        dtype: defaults to float32 for floating values.

    Examples:
        >>> v = Variable([[1.0, 2.0]], name="kernel")
        >>> v.shape, v.requires_grad
        ((1, 2), True)
    """

    __slots__ = ("name", "path", "trainable", "regularizer")

    def __init__(self, value, name: str = "variable", trainable: bool = True, regularizer=None, dtype=None):
        arr = np.array(value, dtype=dtype) if dtype is not None else np.array(value)
        if arr.dtype.kind == "f" and dtype is None:
            arr = arr.astype(np.float32, copy=False)
        super().__init__(arr, requires_grad=trainable and arr.dtype.kind == "f", dtype=arr.dtype)
        self.name = name
        self.path = name
        self.trainable = trainable
        self.regularizer = regularizer

    def _describe(self) -> str:
        return f"Variable '{self.path}'"  # what assign's errors name

    def __repr__(self) -> str:
        return f"<Variable '{self.path}' shape={self.data.shape} dtype={self.data.dtype} trainable={self.trainable}>"
