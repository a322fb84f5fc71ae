"""The tensor product: ``matmul`` (``@``) and ``tensordot``.

For ``y = a @ b`` the gradients are ``dL/da = g @ b.T`` and ``dL/db = a.T @ g``: each
input's gradient is the output gradient multiplied by the *other* input, transposed so
the shapes fit.
"""

from __future__ import annotations

import numpy as np

from .autodiff import ShapeError
from .elementwise import match_dtypes
from .op import Op
from .tensor import Tensor, as_tensor


class MatMul(Op):
    """NumPy's ``matmul``: 1-D operands are vectors, leading axes broadcast."""

    def forward(self, a, b):
        a, b = match_dtypes("matmul", a, b)
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"matmul: operands must have rank >= 1, got shapes {a.shape} and {b.shape} (use * for scalars)"
            )
        k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if a.shape[-1] != k_b:
            raise ShapeError(
                f"matmul: cannot multiply shapes {a.shape} @ {b.shape}: the last axis of the left "
                f"operand ({a.shape[-1]}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} "
                f"axis of the right operand ({k_b})"
            )
        self.save_for_backward(a, b)
        if a.ndim > 2 and b.ndim == 2:  # one big GEMM instead of a batch of small ones
            rows = a.reshape(-1, a.shape[-1])  # (B.., k) -> (rows, k)
            return (rows @ b).reshape(*a.shape[:-1], b.shape[1])  # (rows, n) -> (B.., n)
        return a @ b

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:  # dot product: grad is a scalar
            return (grad * b if need_a else None), (grad * a if need_b else None)
        if a.ndim > 2 and b.ndim == 2:  # fold the batch axes into rows
            k, n = b.shape
            g2 = grad.reshape(-1, n)  # (B.., n) -> (rows, n)
            ga = (g2 @ b.T).reshape(a.shape) if need_a else None  # (rows, n) @ (n, k) -> (B.., k)
            gb = a.reshape(-1, k).T @ g2 if need_b else None  # (k, rows) @ (rows, n) -> (k, n)
            return ga, gb
        a2 = a[None, :] if a.ndim == 1 else a  # (k,) -> (1, k)
        b2 = b[:, None] if b.ndim == 1 else b  # (k,) -> (k, 1)
        g2 = grad
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)  # (..., n) -> (..., 1, n)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)  # (..., m) -> (..., m, 1)
        ga = gb = None
        if need_a:
            ga = g2 @ np.swapaxes(b2, -1, -2)  # (..., m, n) @ (..., n, k) -> (..., m, k)
            if a.ndim == 1:
                ga = ga[..., 0, :]  # (..., 1, k) -> (..., k)
        if need_b:
            gb = np.swapaxes(a2, -1, -2) @ g2  # (..., k, m) @ (..., m, n) -> (..., k, n)
            if b.ndim == 1:
                gb = gb[..., :, 0]  # (..., k, 1) -> (..., k)
        return ga, gb  # leading (batch) axes are summed away by the engine


def _tensordot_axes(axes, a_ndim: int, b_ndim: int):
    """``axes`` (an int N or a pair of sequences) as two lists of contracted axes."""
    if isinstance(axes, int | np.integer):
        if not 0 <= axes <= min(a_ndim, b_ndim):
            raise ShapeError(f"tensordot: axes={axes} must be between 0 and the smaller rank ({min(a_ndim, b_ndim)})")
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, int | np.integer) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, int | np.integer) else list(b_axes)
    for axes_, ndim, which in ((a_axes, a_ndim, "first"), (b_axes, b_ndim, "second")):
        for ax in axes_:
            if not -ndim <= ax < ndim:
                raise ShapeError(f"tensordot: axis {ax} is out of range for the {which} operand of rank {ndim}")
    return [a % a_ndim for a in a_axes], [b % b_ndim for b in b_axes]


class Tensordot(Op):
    """Sum of products over the axes ``a_axes`` of ``a`` and ``b_axes`` of ``b``."""

    def __init__(self, axes=2):
        self.axes = axes

    def forward(self, a, b):
        a, b = match_dtypes("tensordot", a, b)
        a_axes, b_axes = _tensordot_axes(self.axes, a.ndim, b.ndim)
        if len(a_axes) != len(b_axes) or any(a.shape[i] != b.shape[j] for i, j in zip(a_axes, b_axes)):
            raise ShapeError(
                f"tensordot: cannot contract axes {a_axes} of shape {a.shape} with axes {b_axes} of shape {b.shape}"
            )
        self.a_axes, self.b_axes = a_axes, b_axes
        self.save_for_backward(a, b)
        return np.tensordot(a, b, axes=(a_axes, b_axes))

    def backward(self, grad):
        a, b = self.saved
        a_axes, b_axes = self.a_axes, self.b_axes
        free_a = [i for i in range(a.ndim) if i not in a_axes]
        free_b = [i for i in range(b.ndim) if i not in b_axes]
        g_free_a = list(range(len(free_a)))  # grad axes that came from a
        g_free_b = list(range(len(free_a), grad.ndim))  # grad axes that came from b
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            # (free_a.., free_b..) x b over free_b -> (free_a.., b's contracted axes in b order)
            ga = np.tensordot(grad, b, axes=(g_free_b, free_b))
            b_order = sorted(b_axes)
            src = {ax: k for k, ax in enumerate(free_a)}
            src.update({ax: len(free_a) + b_order.index(bx) for ax, bx in zip(a_axes, b_axes)})
            ga = ga.transpose([src[i] for i in range(a.ndim)])  # back to a's axis order
        if need_b:
            # a x (free_a.., free_b..) over free_a -> (a's contracted axes in a order, free_b..)
            gb = np.tensordot(a, grad, axes=(free_a, g_free_a))
            a_order = sorted(a_axes)
            src = {bx: a_order.index(ax) for ax, bx in zip(a_axes, b_axes)}
            src.update({bx: len(a_axes) + k for k, bx in enumerate(free_b)})
            gb = gb.transpose([src[i] for i in range(b.ndim)])  # back to b's axis order
        return ga, gb


def matmul(a, b):
    """Matrix product ``a @ b`` with NumPy's rules (vectors, broadcast batch axes).

    Examples:
        >>> from dl_tensor import Tensor
        >>> x = Tensor([[1.0, 2.0, 3.0]])       # (1, 3)
        >>> w = Tensor([[1.0], [0.0], [-1.0]])  # (3, 1)
        >>> print(matmul(x, w))
        Tensor([[-2.]], dtype=float32)
    """
    if type(a) is not Tensor:
        a = as_tensor(a, like=b if isinstance(b, Tensor) else None)
    if type(b) is not Tensor:
        b = as_tensor(b, like=a)
    return MatMul()(a, b)


def tensordot(a, b, axes=2):
    """Contract ``axes`` of ``a`` with ``axes`` of ``b`` (NumPy's ``tensordot``).

    ``axes`` is an int N (last N axes of ``a`` with first N of ``b``) or a pair of axis
    lists. Example: ``tensordot(x, w, axes=([2], [0]))`` maps (B, T, F) x (F, U) to (B, T, U).
    """
    if type(a) is not Tensor:
        a = as_tensor(a, like=b if isinstance(b, Tensor) else None)
    if type(b) is not Tensor:
        b = as_tensor(b, like=a)
    return Tensordot(axes)(a, b)
