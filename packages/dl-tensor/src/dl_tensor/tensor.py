"""``Tensor``: one NumPy array, plus what reverse-mode autodiff needs.

A tensor is an n-dimensional array of numbers (chapter 2): its *rank* is ``ndim``, its
*shape* the length of each axis, its *dtype* the kind of number. ``Tensor`` wraps one
``numpy.ndarray`` in ``.data`` and remembers the ``Op`` that made it, so that
``backward()`` can send gradients back through the graph to ``.grad``.
"""

from __future__ import annotations

import numpy as np

from . import autodiff

DEFAULT_FLOAT = np.dtype(np.float32)
_ALLOWED_KINDS = "fiub"  # float, signed int, unsigned int, bool


def _to_array(data, dtype=None) -> np.ndarray:
    """Convert ``data`` to an ndarray with dl-tensor's dtype rules (float32 by default)."""
    if dtype is not None:
        arr = np.asarray(data, dtype=dtype)
    else:
        arr = np.asarray(data)
        kind = arr.dtype.kind
        if kind == "f":
            if arr.dtype != DEFAULT_FLOAT:
                arr = arr.astype(DEFAULT_FLOAT)
        elif kind in "iu" and not isinstance(data, np.ndarray | np.generic):
            arr = arr.astype(DEFAULT_FLOAT)  # Python numbers become float32, as in Keras
    if arr.dtype.kind not in _ALLOWED_KINDS:
        raise TypeError(
            f"Tensor: cannot hold values of dtype {arr.dtype}; expected floating point, "
            "integer or bool data"
        )
    return arr


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Args:
        data: array-like (nested lists, a NumPy array, a number or another Tensor).
            Floating-point data becomes float32 unless ``dtype`` says otherwise; Python
            ints become float32 too; NumPy integer and bool arrays keep their dtype.
        requires_grad: track operations on this tensor so ``backward`` fills ``.grad``.
        dtype: force a dtype, e.g. ``"float64"`` for gradient checks.

    Examples:
        >>> x = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)   # rank 2, shape (1, 3)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> print(x.grad)
        [[2. 4. 6.]]
    """

    __slots__ = ("_data", "grad", "requires_grad", "_op", "_index", "_logits", "_version", "_watchers",
                 "__weakref__")
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data._data
        arr = _to_array(data, dtype)
        if requires_grad and arr.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require gradients, got dtype {arr.dtype}")
        self._data = arr
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._op = None
        self._index = 0
        self._logits = None  # set by softmax/sigmoid: (their name, the input they turned into probabilities)
        self._version = 0  # counts in-place writes (see ``data``)
        self._watchers = 0  # recorded ops whose backward still needs these values

    @classmethod
    def _from_op(cls, data, op, index: int, requires_grad: bool) -> Tensor:
        """Fast constructor used by ``Op.__call__`` (no dtype conversion)."""
        t = cls.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t.requires_grad = requires_grad
        t._op = op if requires_grad else None
        t._index = index
        t._logits = None
        t._version = 0
        t._watchers = 0
        return t

    # -- the values, and writes into them ----------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The values, as a NumPy array (shared, not copied).

        Writing into it is allowed (``t.data[...] = 0``, ``t.data -= lr * t.grad``), but an
        op recorded earlier may have kept these very values for its backward. While that
        is so, ``data`` hands out a watched view whose writes bump the tensor's version,
        and ``backward`` then refuses to use the changed values (PyTorch does the same
        with its version counters): it raises, naming the op, instead of returning wrong
        gradients. Writes through other aliases of the array (a copy of the reference
        taken earlier, ``np.copyto``) are not seen.
        """
        if self._watchers:
            view = self._data.view(WatchedArray)
            view._owner = self
            return view
        return self._data

    @data.setter
    def data(self, value) -> None:
        # `t.data -= g` reads data, changes it in place, then sets it back: count it once
        if not (isinstance(value, WatchedArray) and value._owner is self):
            self._data = value if type(value) is np.ndarray else np.asarray(value)
            self._version += 1

    def assign(self, value) -> None:
        """Overwrite the values in place (same shape; cast to this tensor's dtype)."""
        value = np.asarray(value.data if isinstance(value, Tensor) else value)
        if value.shape != self._data.shape:
            raise ValueError(f"{self._describe()}: cannot assign a value of shape {value.shape}; "
                             f"expected shape {self._data.shape}")
        self._data[...] = value
        self._version += 1

    def assign_add(self, delta) -> None:
        """Add ``delta`` in place (broadcast to this tensor's shape)."""
        self.assign(self._data + np.asarray(delta.data if isinstance(delta, Tensor) else delta, self._data.dtype))

    def assign_sub(self, delta) -> None:
        """Subtract ``delta`` in place: the book's ``w.assign_sub(grad * learning_rate)``."""
        self.assign(self._data - np.asarray(delta.data if isinstance(delta, Tensor) else delta, self._data.dtype))

    def _describe(self) -> str:
        return "Tensor"

    # -- array-like attributes ----------------------------------------------------
    @property
    def shape(self) -> tuple:
        """Length of each axis, e.g. ``(batch, features)``."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """Rank: the number of axes."""
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """NumPy dtype of the values."""
        return self._data.dtype

    @property
    def size(self) -> int:
        """Number of elements."""
        return self._data.size

    @property
    def is_leaf(self) -> bool:
        """True if no recorded op made this tensor (parameters and inputs are leaves)."""
        return self._op is None

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied): the same as ``data``."""
        return self.data

    def item(self):
        """The single value of a one-element tensor, as a Python number."""
        return self._data.item()

    def tolist(self):
        """The values as nested Python lists."""
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is None and not copy:
            return self._data
        return np.array(self._data, dtype=dtype, copy=True if copy else None)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a rank-0 tensor")
        return len(self._data)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        return bool(self._data)

    def __float__(self) -> float:
        return float(self._data.item())

    def __int__(self) -> int:
        return int(self._data.item())

    __hash__ = object.__hash__  # `==` is element-wise, so hash by identity

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extra = f", dtype={self._data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # -- autodiff -------------------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Compute gradients of this tensor with respect to every leaf it depends on.

        Args:
            grad: gradient of some scalar with respect to this tensor (same shape);
                may be omitted for a one-element tensor, where it defaults to 1.
            retain_graph: keep the graph's saved arrays to call backward again.

        Gradients *accumulate* into ``.grad`` of leaf tensors; reset them with
        ``t.grad = None`` between steps.
        """
        if isinstance(grad, Tensor):
            grad = grad._data
        autodiff.backward(self, grad, retain_graph)

    def detach(self) -> Tensor:
        """A new leaf tensor sharing the same data, cut from the graph."""
        return Tensor._from_op(self._data, None, 0, False)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (on a leaf) and return self."""
        if flag and self._data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require gradients, got dtype {self.dtype}")
        self.requires_grad = flag
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    def astype(self, dtype) -> Tensor:
        """Cast to another dtype (differentiable between float dtypes)."""
        return _ew.cast(self, dtype)

    # -- arithmetic (all broadcast like NumPy) ------------------------------------
    def __add__(self, other):
        return _ew.add(self, other)

    def __radd__(self, other):
        return _ew.add(other, self)

    def __sub__(self, other):
        return _ew.subtract(self, other)

    def __rsub__(self, other):
        return _ew.subtract(other, self)

    def __mul__(self, other):
        return _ew.multiply(self, other)

    def __rmul__(self, other):
        return _ew.multiply(other, self)

    def __truediv__(self, other):
        return _ew.divide(self, other)

    def __rtruediv__(self, other):
        return _ew.divide(other, self)

    def __pow__(self, other):
        return _ew.power(self, other)

    def __rpow__(self, other):
        return _ew.power(other, self)

    def __matmul__(self, other):
        return _tp.matmul(self, other)

    def __rmatmul__(self, other):
        return _tp.matmul(other, self)

    def __neg__(self):
        return _ew.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ew.abs(self)

    # -- comparisons: element-wise, boolean, never differentiable -----------------
    def __eq__(self, other):
        return _ew.equal(self, other)

    def __ne__(self, other):
        return _ew.not_equal(self, other)

    def __lt__(self, other):
        return _ew.less(self, other)

    def __le__(self, other):
        return _ew.less_equal(self, other)

    def __gt__(self, other):
        return _ew.greater(self, other)

    def __ge__(self, other):
        return _ew.greater_equal(self, other)

    # -- indexing -------------------------------------------------------------------
    def __getitem__(self, index):
        return _rs.getitem(self, index)

    def __setitem__(self, index, value):
        raise TypeError(
            "Tensor does not support item assignment (it would break the recorded graph); "
            "build a new tensor with where(), concatenate() or pad(), or write in place with assign() or .data[...]"
        )

    # -- reductions -----------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False):
        """Sum over ``axis`` (all axes by default)."""
        return _red.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False):
        """Mean over ``axis`` (all axes by default)."""
        return _red.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims: bool = False):
        """Maximum over ``axis``; ties share the gradient equally."""
        return _red.max(self, axis, keepdims)

    def min(self, axis=None, keepdims: bool = False):
        """Minimum over ``axis``; ties share the gradient equally."""
        return _red.min(self, axis, keepdims)

    def argmax(self, axis=None):
        """Indices of the maxima (an integer tensor, not differentiable)."""
        return Tensor(np.argmax(self._data, axis=axis))

    def argmin(self, axis=None):
        """Indices of the minima (an integer tensor, not differentiable)."""
        return Tensor(np.argmin(self._data, axis=axis))

    # -- reshaping ------------------------------------------------------------------
    def reshape(self, *shape):
        """Same values, new shape: ``t.reshape(4, 6)`` or ``t.reshape((4, 6))``; one ``-1`` allowed."""
        return _rs.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        """Permute axes: ``t.transpose(1, 0)``; no argument reverses them."""
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
            axes = axes[0]
        return _rs.transpose(self, axes or None)

    @property
    def T(self):
        """The axes reversed (the matrix transpose for rank 2)."""
        return _rs.transpose(self, None)

    def squeeze(self, axis=None):
        """Remove axes of length 1 (all of them, or ``axis``)."""
        return _rs.squeeze(self, axis)

    def expand_dims(self, axis):
        """Insert an axis of length 1 at position ``axis``."""
        return _rs.expand_dims(self, axis)

    def flatten(self):
        """All values in one axis."""
        return _rs.reshape(self, (-1,))

    # -- common functions as methods ------------------------------------------------
    def exp(self):
        return _ew.exp(self)

    def log(self):
        return _ew.log(self)

    def sqrt(self):
        return _ew.sqrt(self)

    def tanh(self):
        return _ew.tanh(self)

    def sigmoid(self):
        return _ew.sigmoid(self)

    def relu(self):
        return _ew.relu(self)

    def clip(self, min_value=None, max_value=None):
        return _ew.clip(self, min_value, max_value)


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """Return ``x`` as a Tensor (no copy if it already is one).

    A constant combined with a floating tensor ``like`` takes ``like``'s dtype, so that
    ``t * 0.5`` or ``t + np.float64(1)`` never turns a float32 tensor into float64.
    """
    if isinstance(x, Tensor):
        return x
    if like is not None and like._data.dtype.kind == "f":
        arr = np.asarray(x)
        if arr.dtype.kind not in _ALLOWED_KINDS:
            return Tensor(arr)  # raises a clear TypeError
        if arr.dtype != like._data.dtype:
            arr = arr.astype(like._data.dtype)
        return Tensor._from_op(arr, None, 0, False)
    return Tensor(x)


class WatchedArray(np.ndarray):
    """A view of a tensor's values, handed out by ``Tensor.data`` while a recorded op still
    needs them for its backward: item assignment, ``out=`` arguments and in-place operators
    (``+=``...) write through as usual and bump the tensor's version. Results of arithmetic
    are plain arrays."""

    _owner = None

    def __array_finalize__(self, obj):
        self._owner = getattr(obj, "_owner", None)  # slices and reshapes of the view stay watched

    def _written(self) -> None:
        if self._owner is not None:
            self._owner._version += 1

    def __setitem__(self, index, value):
        np.ndarray.__setitem__(self.view(np.ndarray), index, value)
        self._written()

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        plain = tuple(a.view(np.ndarray) if isinstance(a, WatchedArray) else a for a in inputs)
        if method == "at" and isinstance(inputs[0], WatchedArray):  # np.add.at(view, ...) writes into it
            inputs[0]._written()
        if out is not None:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, WatchedArray) else o for o in out)
            for o in out:
                if isinstance(o, WatchedArray):
                    o._written()
            getattr(ufunc, method)(*plain, **kwargs)
            return out[0] if len(out) == 1 else out
        return getattr(ufunc, method)(*plain, **kwargs)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))


# the op modules need Tensor defined first, so they are imported last
from . import elementwise as _ew  # noqa: E402
from . import reductions as _red  # noqa: E402
from . import reshaping as _rs  # noqa: E402
from . import tensor_product as _tp  # noqa: E402
