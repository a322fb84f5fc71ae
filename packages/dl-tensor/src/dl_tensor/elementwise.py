"""Element-wise operations: applied to each entry independently, with NumPy broadcasting.

Each op is an ``Op`` with a ``forward`` and a ``backward`` on arrays. The backward of a
binary op returns gradients with the *broadcast* shape; the engine sums them back to each
input's shape (see ``autodiff.unbroadcast``).
"""

from __future__ import annotations

import numpy as np

from .op import Op
from .tensor import Tensor, as_tensor


def match_dtypes(name: str, x: np.ndarray, y: np.ndarray):
    """Give two operands one dtype without ever mixing float precisions silently.

    Integer or bool operands are cast to the float operand's dtype; two different float
    dtypes are an error (cast one explicitly with ``.astype``).
    """
    if x.dtype is y.dtype or x.dtype == y.dtype:
        return x, y
    fx, fy = x.dtype.kind == "f", y.dtype.kind == "f"
    if fx and fy:
        raise TypeError(
            f"{name}: inputs have dtypes {x.dtype} and {y.dtype}; cast one with "
            ".astype() (dl-tensor does not mix float precisions silently)"
        )
    if fx:
        return x, y.astype(x.dtype)
    if fy:
        return x.astype(y.dtype), y
    return x, y


def _binary(op: Op, a, b):
    """Turn constants into tensors of the other operand's dtype, then apply ``op``."""
    if type(a) is not Tensor:
        a = as_tensor(a, like=b if isinstance(b, Tensor) else None)
    if type(b) is not Tensor:
        b = as_tensor(b, like=a)
    return op(a, b)


# -- arithmetic -------------------------------------------------------------------


class Add(Op):
    def forward(self, a, b):
        a, b = match_dtypes("add", a, b)
        return a + b

    def backward(self, grad):
        return grad, grad


class Subtract(Op):
    def forward(self, a, b):
        a, b = match_dtypes("subtract", a, b)
        return a - b

    def backward(self, grad):
        return grad, -grad


class Multiply(Op):
    def forward(self, a, b):
        a, b = match_dtypes("multiply", a, b)
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Divide(Op):
    def forward(self, a, b):
        a, b = match_dtypes("divide", a, b)
        if a.dtype.kind != "f":  # int / int would give float64
            a, b = a.astype(np.float32), b.astype(np.float32)
        out = a / b
        self.save_for_backward(b, out)
        return out

    def backward(self, grad):
        b, out = self.saved
        ga = grad / b
        need_a, need_b = self.needs_input_grad
        return (ga if need_a else None), (-ga * out if need_b else None)


class Power(Op):
    def forward(self, a, b):
        a, b = match_dtypes("power", a, b)
        out = a**b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 and log of a negative base
            if need_a:  # d(a^b)/da = b a^(b-1); 0 where b == 0 (a constant: x ** 0 at x = 0 too), as PyTorch
                ga = np.where(b == 0, 0, grad * b * a ** (b - 1))
            if need_b:  # d(a^b)/db = a^b log(a): NaN for a < 0 (no real log); 0 at a == 0 when b >= 0
                gb = np.where((a == 0) & (b >= 0), 0, grad * out * np.log(a))
        return ga, gb


class Negative(Op):
    def forward(self, x):
        return -x

    def backward(self, grad):
        return -grad


class Maximum(Op):
    def forward(self, a, b):
        a, b = match_dtypes("maximum", a, b)
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved
        ga = grad * (a > b) + (grad * 0.5) * (a == b)  # ties share the gradient
        return ga, grad - ga


class Minimum(Op):
    def forward(self, a, b):
        a, b = match_dtypes("minimum", a, b)
        self.save_for_backward(a, b)
        return np.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved
        ga = grad * (a < b) + (grad * 0.5) * (a == b)
        return ga, grad - ga


# -- unary functions --------------------------------------------------------------


class Exp(Op):
    def forward(self, x):
        out = np.exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out


class Log(Op):
    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad / x


class Sqrt(Op):
    def forward(self, x):
        out = np.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * 0.5 / out


class Abs(Op):
    def forward(self, x):
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, grad):
        (x,) = self.saved
        return grad * np.sign(x)


class Tanh(Op):
    def forward(self, x):
        out = np.tanh(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1 - out * out)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^-x)`` on an array, for any x: only ``e^-|x|`` (in (0, 1]) is computed.

    For x >= 0 this is ``1 / (1 + e^-|x|)``; for x < 0, ``e^-|x| / (1 + e^-|x|)``. Every
    kernel that needs a sigmoid (swish, softplus's derivative, the sigmoid cross-entropy)
    calls this one function.

    Examples:
        >>> stable_sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        array([0. , 0.5, 1. ])
    """
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return (np.where(x >= 0, 1, e) / (1 + e)).astype(x.dtype, copy=False)


class Sigmoid(Op):
    """1 / (1 + e^-x), computed without overflow for any x (see ``stable_sigmoid``)."""

    def forward(self, x):
        out = stable_sigmoid(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out * (1 - out)


class Relu(Op):
    def forward(self, x):
        self.save_for_backward(x > 0)
        return np.maximum(x, 0)

    def backward(self, grad):
        (mask,) = self.saved
        return grad * mask


class Clip(Op):
    """Clip to [min_value, max_value]; the gradient flows only where x was inside."""

    def __init__(self, min_value=None, max_value=None):
        if min_value is None and max_value is None:
            raise ValueError("clip: give min_value, max_value or both")
        self.min_value, self.max_value = min_value, max_value

    def forward(self, x):
        lo = None if self.min_value is None else x.dtype.type(self.min_value)
        hi = None if self.max_value is None else x.dtype.type(self.max_value)
        if self.needs_grad:
            inside = np.ones(x.shape, bool)
            if lo is not None:
                inside &= x >= lo
            if hi is not None:
                inside &= x <= hi
            self.save_for_backward(inside)
        return np.clip(x, lo, hi)

    def backward(self, grad):
        (inside,) = self.saved
        return grad * inside


class Where(Op):
    """``cond ? x : y`` element-wise; ``cond`` (bool) gets no gradient."""

    def __init__(self, condition: np.ndarray):
        self.condition = np.asarray(condition, dtype=bool)

    def forward(self, x, y):
        x, y = match_dtypes("where", x, y)
        return np.where(self.condition, x, y)

    def backward(self, grad):
        c = self.condition
        need_x, need_y = self.needs_input_grad
        return (grad * c if need_x else None), (grad * ~c if need_y else None)


class Cast(Op):
    """Change the float dtype; the gradient is cast back."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, grad):
        return grad.astype(self.in_dtype)


# -- the functions users call -------------------------------------------------------


def add(a, b):
    """``a + b`` with broadcasting."""
    return _binary(Add(), a, b)


def subtract(a, b):
    """``a - b`` with broadcasting."""
    return _binary(Subtract(), a, b)


def multiply(a, b):
    """``a * b`` element-wise, with broadcasting."""
    return _binary(Multiply(), a, b)


def divide(a, b):
    """``a / b`` element-wise, with broadcasting."""
    return _binary(Divide(), a, b)


def power(a, b):
    """``a ** b`` element-wise, with broadcasting."""
    return _binary(Power(), a, b)


def maximum(a, b):
    """Element-wise maximum of two tensors (ties share the gradient)."""
    return _binary(Maximum(), a, b)


def minimum(a, b):
    """Element-wise minimum of two tensors (ties share the gradient)."""
    return _binary(Minimum(), a, b)


def negative(x):
    """``-x``."""
    return Negative()(x)


def exp(x):
    """e to the power x, element-wise."""
    return Exp()(x)


def log(x):
    """Natural logarithm, element-wise."""
    return Log()(x)


def sqrt(x):
    """Square root, element-wise."""
    return Sqrt()(x)


def abs(x):  # noqa: A001 (NumPy's name)
    """Absolute value, element-wise (gradient 0 at 0)."""
    return Abs()(x)


def tanh(x):
    """Hyperbolic tangent, element-wise."""
    return Tanh()(x)


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + e^-x), stable for any x.

    Examples:
        >>> print(sigmoid(Tensor([-1000.0, 0.0, 1000.0])))
        Tensor([0. , 0.5, 1. ], dtype=float32)
    """
    out = Sigmoid()(x)
    out._logits = ("sigmoid", out._op.inputs[0] if out._op is not None else as_tensor(x))  # for cross-entropy
    return out


def relu(x):
    """max(x, 0), element-wise (gradient 0 at 0)."""
    return Relu()(x)


def clip(x, min_value=None, max_value=None):
    """Limit values to [min_value, max_value] (either bound may be None)."""
    return Clip(min_value, max_value)(x)


def where(condition, x, y):
    """Pick ``x`` where ``condition`` is true, else ``y`` (all three broadcast).

    Examples:
        >>> print(where(Tensor([1.0, -2.0]) > 0, 1.0, Tensor([5.0, 6.0])))
        Tensor([1., 6.], dtype=float32)
    """
    cond = condition._data if isinstance(condition, Tensor) else condition
    if type(x) is not Tensor:
        x = as_tensor(x, like=y if isinstance(y, Tensor) else None)
    if type(y) is not Tensor:
        y = as_tensor(y, like=x)
    return Where(cond)(x, y)


def cast(x, dtype):
    """Cast ``x`` to ``dtype``; float-to-float casts are differentiable."""
    x = as_tensor(x)
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if dtype.kind != "f" or x.dtype.kind != "f":
        return Tensor(x._data.astype(dtype), dtype=dtype)  # not differentiable
    return Cast(dtype)(x)


# -- comparisons: boolean results, outside the graph -----------------------------------


def _compare(ufunc, a, b):
    if type(a) is not Tensor:
        a = as_tensor(a, like=b if isinstance(b, Tensor) else None)
    if type(b) is not Tensor:
        b = as_tensor(b, like=a)
    return Tensor._from_op(ufunc(a._data, b._data), None, 0, False)


def equal(a, b):
    """Element-wise ``a == b`` (a bool tensor)."""
    return _compare(np.equal, a, b)


def not_equal(a, b):
    """Element-wise ``a != b`` (a bool tensor)."""
    return _compare(np.not_equal, a, b)


def less(a, b):
    """Element-wise ``a < b`` (a bool tensor)."""
    return _compare(np.less, a, b)


def less_equal(a, b):
    """Element-wise ``a <= b`` (a bool tensor)."""
    return _compare(np.less_equal, a, b)


def greater(a, b):
    """Element-wise ``a > b`` (a bool tensor)."""
    return _compare(np.greater, a, b)


def greater_equal(a, b):
    """Element-wise ``a >= b`` (a bool tensor)."""
    return _compare(np.greater_equal, a, b)
