"""Reshaping: the same numbers arranged differently.

Reshape, transpose, indexing and slicing, concatenate, stack and pad move values around
without changing them, so their backward moves the gradient back to where each value
came from.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .autodiff import ShapeError
from .op import Op
from .tensor import Tensor, as_tensor


class Reshape(Op):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, grad):
        return grad.reshape(self.in_shape)


class Transpose(Op):
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        self.inverse = None if self.axes is None else np.argsort(self.axes)
        return x.transpose(self.axes)

    def backward(self, grad):
        return grad.transpose(self.inverse)  # None reverses the axes back


def _is_basic(index) -> bool:
    """True for ints, slices, None and Ellipsis only (no index is repeated then)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, int | np.integer | slice) or i is None or i is Ellipsis for i in items)


class GetItem(Op):
    """``x[index]`` for basic (slices, ints) and advanced (integer or bool arrays) indexing."""

    def __init__(self, index):
        self.index = index
        self.basic = _is_basic(index)

    def forward(self, x):
        self.in_shape = x.shape
        return x[self.index]

    def backward(self, grad):
        out = np.zeros(self.in_shape, grad.dtype)
        if self.basic:
            out[self.index] = grad
        else:  # integer arrays may repeat an index: contributions must add up
            np.add.at(out, self.index, grad)
        return out


class Concatenate(Op):
    def __init__(self, axis: int = 0):
        self.axis = axis

    def forward(self, *arrays):
        arrays = _common_dtype("concatenate", arrays)
        self.sizes = [a.shape[self.axis] if a.ndim else 0 for a in arrays]
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, grad):
        return tuple(np.split(grad, np.cumsum(self.sizes)[:-1], axis=self.axis))


class Stack(Op):
    def __init__(self, axis: int = 0):
        self.axis = axis

    def forward(self, *arrays):
        arrays = _common_dtype("stack", arrays)
        out = np.stack(arrays, axis=self.axis)
        self.out_axis = normalize_axis_index(self.axis, out.ndim)
        return out

    def backward(self, grad):
        return tuple(np.moveaxis(grad, self.out_axis, 0))  # (..., n, ...) -> n x (...)


class Pad(Op):
    """Constant padding, e.g. ``pad_width=((0, 0), (1, 1))`` adds a column on each side."""

    def __init__(self, pad_width, constant_values=0):
        self.pad_width, self.constant_values = pad_width, constant_values

    def forward(self, x):
        widths = np.broadcast_to(np.asarray(self.pad_width, dtype=int), (x.ndim, 2))  # (ndim, 2)
        if (widths < 0).any():
            raise ShapeError(f"pad: pad widths must be >= 0, got {self.pad_width}")
        self.slices = tuple(slice(before, before + n) for (before, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=self.constant_values)

    def backward(self, grad):
        return grad[self.slices]


def _axes(name, axis, ndim, shape):
    """Normalise ``axis`` for an array of rank ``ndim``, or raise naming the function."""
    try:
        return normalize_axis_tuple(axis, ndim)
    except ValueError as err:  # AxisError, or "repeated axis"
        raise ShapeError(f"{name}: {err} (input shape {shape})") from None


def _common_dtype(name, arrays):
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) == 1:
        return arrays
    floats = {d for d in dtypes if d.kind == "f"}
    if len(floats) > 1:
        raise TypeError(f"{name}: inputs have dtypes {sorted(map(str, floats))}; cast them to one float dtype first")
    if floats:
        (target,) = floats
        return [a.astype(target, copy=False) for a in arrays]
    return arrays


# -- the functions users call -------------------------------------------------------


def reshape(x, shape):
    """The same values in a new shape (one axis may be -1).

    Examples:
        >>> from dl_tensor import Tensor
        >>> reshape(Tensor(range(6)), (2, 3)).shape
        (2, 3)
    """
    if isinstance(shape, int | np.integer):
        shape = (int(shape),)
    return Reshape(tuple(shape))(x)


def transpose(x, axes=None):
    """Permute the axes (reverse them when ``axes`` is None)."""
    x = as_tensor(x)
    if axes is not None:
        axes = tuple(int(a) for a in axes)
        try:
            normal = normalize_axis_tuple(axes, x.ndim)
        except ValueError:
            normal = None
        if normal is None or sorted(normal) != list(range(x.ndim)):
            raise ShapeError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of shape {x.shape}")
        axes = normal
    return Transpose(axes)(x)


def squeeze(x, axis=None):
    """Remove axes of length 1 (all of them, or those in ``axis``)."""
    x = as_tensor(x)
    if axis is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        axes = _axes("squeeze", axis, x.ndim, x.shape)
        for a in axes:
            if x.shape[a] != 1:
                raise ShapeError(f"squeeze: axis {a} of shape {x.shape} has length {x.shape[a]}, not 1")
        shape = tuple(n for i, n in enumerate(x.shape) if i not in axes)
    return Reshape(shape)(x)


def expand_dims(x, axis):
    """Insert axes of length 1 at the positions ``axis`` (int or tuple)."""
    x = as_tensor(x)
    n_new = len(axis) if isinstance(axis, tuple | list) else 1
    axes = _axes("expand_dims", axis, x.ndim + n_new, x.shape)
    dims = iter(x.shape)
    shape = tuple(1 if i in axes else next(dims) for i in range(x.ndim + len(axes)))
    return Reshape(shape)(x)


def _index_arrays(index):
    """Replace Tensors and lists inside an index by ndarrays."""
    def one(i):
        if isinstance(i, Tensor):
            return i._data
        if isinstance(i, list):
            return np.asarray(i)
        return i

    return tuple(one(i) for i in index) if isinstance(index, tuple) else one(index)


def getitem(x, index):
    """``x[index]``: slices, ints, None, ``...``, integer arrays and boolean masks."""
    return GetItem(_index_arrays(index))(x)


def _as_tensors(name, items) -> list:
    """Tensors for concatenate/stack; constants take the dtype of the first float tensor."""
    items = list(items)
    if not items:
        raise ValueError(f"{name}: need at least one tensor")
    like = next((t for t in items if isinstance(t, Tensor) and t.dtype.kind == "f"), None)
    return [as_tensor(t, like=like) for t in items]


def concatenate(tensors, axis: int = 0):
    """Join tensors along an existing axis.

    Examples:
        >>> from dl_tensor import Tensor
        >>> concatenate([Tensor([[1.0, 2.0]]), Tensor([[3.0, 4.0]])], axis=0).shape
        (2, 2)
    """
    tensors = _as_tensors("concatenate", tensors)
    return Concatenate(axis)(*tensors)


def stack(tensors, axis: int = 0):
    """Join tensors of equal shape along a new axis."""
    tensors = _as_tensors("stack", tensors)
    return Stack(axis)(*tensors)


def pad(x, pad_width, constant_values=0):
    """Pad with a constant: ``pad_width`` is ``((before, after), ...)`` per axis, as in NumPy."""
    return Pad(pad_width, constant_values)(x)
