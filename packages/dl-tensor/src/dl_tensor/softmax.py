"""Softmax and log-softmax, computed stably.

``softmax(x) = exp(x) / sum(exp(x))`` overflows for large ``x``; subtracting the maximum
first changes nothing mathematically (it cancels) and keeps every ``exp`` in (0, 1].
``log_softmax`` uses the log-sum-exp form ``x - max - log(sum(exp(x - max)))`` and is
finite for any finite input, e.g. ``log_softmax(1000 * x)``.

The tensor ``softmax`` returns remembers its input in ``_logits``, so that a cross-entropy
computed later from the probabilities can use the logits instead (stably, and with the
exact gradient), whether or not gradients are being recorded.
"""

from __future__ import annotations

import numpy as np

from .op import Op
from .tensor import as_tensor


def stable_log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(softmax(x))`` on an array by log-sum-exp: ``x - max - log(sum(exp(x - max)))``.

    Finite for any finite ``x``; the one log-softmax of dl-book (``log_softmax`` and the
    cross-entropy kernels of dl-layers call it).

    Examples:
        >>> np.round(stable_log_softmax(np.array([1000.0, 1000.0])), 4)
        array([-0.6931, -0.6931])
    """
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Op):
    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        out = e / e.sum(axis=self.axis, keepdims=True)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (s,) = self.saved
        # Jacobian-vector product: s * (g - sum(g * s))
        return s * (grad - (grad * s).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Op):
    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        out = stable_log_softmax(x, self.axis)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad - np.exp(out) * grad.sum(axis=self.axis, keepdims=True)


def softmax(x, axis: int = -1):
    """Exponentials normalised to sum to 1 along ``axis`` (stable for large inputs).

    Examples:
        >>> from dl_tensor import Tensor
        >>> print(softmax(Tensor([1000.0, 1000.0])))
        Tensor([0.5, 0.5], dtype=float32)
    """
    out = Softmax(axis)(x)
    if axis in (-1, out.ndim - 1):
        out._logits = ("softmax", out._op.inputs[0] if out._op is not None else as_tensor(x))  # for cross-entropy
    return out


def log_softmax(x, axis: int = -1):
    """``log(softmax(x))`` by log-sum-exp: finite even for huge logits."""
    return LogSoftmax(axis)(x)
