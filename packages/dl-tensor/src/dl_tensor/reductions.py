"""Reductions: sum, mean, max and min over some axes.

The backward of a reduction spreads each output gradient back over the positions that
were reduced: evenly for ``sum``/``mean``, only onto the winners for ``max``/``min``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from .op import Op


def _axes(axis, ndim: int):
    """``axis`` (None, int or tuple, negatives allowed) as a sorted tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(normalize_axis_tuple(axis, ndim)))


def _spread(grad, axes: tuple, keepdims: bool, shape: tuple):
    """A reduction's output gradient, spread back over the axes it reduced."""
    if len(axes) == len(shape):  # everything was reduced: fill a fresh array with the value
        return np.full(shape, grad, dtype=grad.dtype)
    if not keepdims:
        grad = np.expand_dims(grad, axes)  # (kept...) -> (kept with 1s at axes)
    return np.broadcast_to(grad, shape)  # a view: no copy


class Sum(Op):
    def __init__(self, axis=None, keepdims: bool = False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axes = _axes(self.axis, x.ndim)
        self.in_shape = x.shape
        return np.sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, grad):
        return _spread(grad, self.axes, self.keepdims, self.in_shape)


class Mean(Op):
    def __init__(self, axis=None, keepdims: bool = False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        if x.dtype.kind != "f":
            x = x.astype(np.float32)
        self.axes = _axes(self.axis, x.ndim)
        self.in_shape = x.shape
        self.count = int(np.prod([x.shape[a] for a in self.axes]))
        return x.sum(axis=self.axes, keepdims=self.keepdims) / self.count

    def backward(self, grad):
        return _spread(grad / self.count, self.axes, self.keepdims, self.in_shape)


class Extremum(Op):
    """Max or min; ties share the gradient equally."""

    def __init__(self, ufunc, axis=None, keepdims: bool = False):
        self.ufunc, self.axis, self.keepdims = ufunc, axis, keepdims

    @property
    def name(self) -> str:
        return "Max" if self.ufunc is np.maximum else "Min"

    def forward(self, x):
        self.axes = _axes(self.axis, x.ndim)
        out = self.ufunc.reduce(x, axis=self.axes, keepdims=True)  # 1s at reduced axes
        self.save_for_backward(x == out)
        return out if self.keepdims else np.squeeze(out, self.axes)

    def backward(self, grad):
        (winners,) = self.saved
        if not self.keepdims:
            grad = np.expand_dims(grad, self.axes)
        count = winners.sum(axis=self.axes, keepdims=True)
        return grad * winners / count.astype(grad.dtype)


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001 (NumPy's name)
    """Sum of the elements over ``axis`` (int, tuple or None for all).

    Examples:
        >>> from dl_tensor import Tensor
        >>> print(sum(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0))
        Tensor([4., 6.], dtype=float32)
    """
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims: bool = False):
    """Mean over ``axis`` (int, tuple or None for all)."""
    return Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims: bool = False):  # noqa: A001
    """Maximum over ``axis``; tied maxima share the gradient."""
    return Extremum(np.maximum, axis, keepdims)(x)


def min(x, axis=None, keepdims: bool = False):  # noqa: A001
    """Minimum over ``axis``; tied minima share the gradient."""
    return Extremum(np.minimum, axis, keepdims)(x)
