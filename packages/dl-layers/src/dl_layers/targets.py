"""Targets and sample weights meet predictions: one contract for losses and metrics alike.

A loss and a metric both compare ``y_true`` with ``y_pred`` of shape ``(batch, ...)``.
Whatever the user passes, the rules are the same for both:

* **Dense targets** (regression values, 0/1 labels, one-hot rows) have the predictions'
  shape; a trailing axis of size 1 may be missing or extra: targets ``(batch,)`` pair with
  predictions ``(batch, 1)`` and the other way round.
* **Sparse labels** are integer class ids of shape ``y_pred.shape[:-1]`` (or with a
  trailing axis of size 1), for predictions ``(batch, ..., classes)``.
* **Sample weights** line up with the *leading* axes: a scalar, ``(batch,)``,
  ``(batch, 1)``, or anything that broadcasts against the values from the left.

Each helper returns a NumPy array or raises an error naming the caller (``where``) and
both shapes.

Examples:
    >>> match_targets("mse", [1.0, 2.0], (2, 1)).shape
    (2, 1)
    >>> sparse_labels("accuracy", [[2], [0]], (2, 3))
    array([2, 0])
    >>> sample_weights("mse", [1.0, 3.0], (2, 4)).shape
    (2, 1)
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Tensor

__all__ = ["as_numbers", "match_targets", "one_hot_targets", "sample_weights", "sparse_labels"]


def as_numbers(where: str, name: str, x, allow_scalar: bool = False) -> np.ndarray:
    """``x`` (array-like or Tensor) as an array of bools, ints or floats with a batch axis."""
    try:
        a = x.data if isinstance(x, Tensor) else np.asarray(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: {name} could not be read as an array ({err})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must hold numbers (bool, integer or float), got dtype {a.dtype}")
    if a.ndim == 0 and not allow_scalar:
        raise ValueError(f"{where}: {name} must have a batch axis, shape (batch, ...), got a scalar")
    return a


def match_targets(where: str, y_true, pred_shape: tuple) -> np.ndarray:
    """Dense targets with exactly ``pred_shape`` (a missing or extra trailing 1 is fixed)."""
    t = as_numbers(where, "y_true", y_true)
    pred_shape = tuple(pred_shape)
    if t.shape == pred_shape:
        return t
    if pred_shape[-1:] == (1,) and t.shape == pred_shape[:-1]:
        return t[..., None]  # (batch,) targets for (batch, 1) predictions
    if t.shape[-1:] == (1,) and t.shape[:-1] == pred_shape:
        return t[..., 0]  # (batch, 1) targets for (batch,) predictions
    raise ValueError(
        f"{where}: y_true has shape {t.shape} but y_pred has shape {pred_shape}; expected the same shape, e.g. "
        "(batch, units) for both (a trailing axis of size 1 may be left out of one of them)"
    )


def one_hot_targets(where: str, y_true, pred_shape: tuple) -> np.ndarray:
    """One-hot (or soft) targets of exactly ``pred_shape`` ``(batch, ..., classes)``."""
    t = as_numbers(where, "y_true", y_true)
    pred_shape = tuple(pred_shape)
    if t.shape != pred_shape or len(pred_shape) < 2:
        sparse = len(pred_shape) >= 2 and pred_shape[-1] > 1 and t.shape in (pred_shape[:-1], (*pred_shape[:-1], 1))
        hint = " (y_true looks like integer labels: use the sparse version)" if sparse else ""
        raise ValueError(
            f"{where}: y_true has shape {t.shape} but y_pred has shape {pred_shape}; expected one-hot targets "
            f"and predictions of the same shape (batch, classes){hint}"
        )
    return t


def sparse_labels(where: str, y_true, pred_shape: tuple, check_range: bool = True) -> np.ndarray:
    """Integer class ids of shape ``pred_shape[:-1]``, as int64.

    Float labels must hold whole numbers; with ``check_range``, every label must be a class
    of the predictions (``0 <= label < pred_shape[-1]``).
    """
    t = as_numbers(where, "y_true", y_true)
    pred_shape = tuple(pred_shape)
    expected = pred_shape[:-1]
    if len(pred_shape) >= 2 and t.shape == (*expected, 1):
        t = t[..., 0]  # (batch, 1) labels
    if len(pred_shape) < 2 or t.shape != expected:
        hint = " (y_true looks one-hot: use the categorical version)" if t.shape == pred_shape else ""
        raise ValueError(
            f"{where}: y_true has shape {t.shape} but y_pred has shape {pred_shape}; expected integer labels of "
            f"shape {expected if len(pred_shape) >= 2 else '(batch,)'} (or with a trailing axis of size 1) for "
            f"predictions of shape (batch, ..., classes){hint}"
        )
    if t.dtype.kind == "f":
        fractional = ~np.isfinite(t) | (t != np.round(t))
        if fractional.any():
            raise ValueError(f"{where}: labels must be integer class ids, got {t[fractional].flat[0].item()!r}")
    elif t.dtype.kind not in "iu":
        raise TypeError(f"{where}: labels must be integer class ids, got dtype {t.dtype}")
    t = t.astype(np.int64, copy=False)
    n = pred_shape[-1]
    if check_range and t.size and (t.min() < 0 or t.max() >= n):
        bad = t[(t < 0) | (t >= n)].flat[0]
        raise ValueError(f"{where}: label {bad} is out of range for {n} classes (expected 0..{n - 1})")
    return t


def sample_weights(where: str, sample_weight, shape: tuple, dtype="float64") -> np.ndarray:
    """Weights reshaped to broadcast against values of ``shape``, leading axes aligned.

    A scalar, ``(batch,)``, ``(batch, 1)``... become an array of rank ``len(shape)`` with
    trailing axes of size 1, e.g. ``(batch,)`` weights for ``(batch, steps)`` values give
    ``(batch, 1)``.
    """
    w = as_numbers(where, "sample_weight", sample_weight, allow_scalar=True).astype(dtype, copy=False)
    original = w.shape
    shape = tuple(shape)
    while w.ndim > len(shape) and w.shape[-1] == 1:
        w = w[..., 0]  # (batch, 1) weights for (batch,) values
    if w.ndim <= len(shape):
        w = w.reshape(w.shape + (1,) * (len(shape) - w.ndim))  # (batch,) -> (batch, 1, ...)
        if all(a in (1, b) for a, b in zip(w.shape, shape)):
            return w
    raise ValueError(
        f"{where}: sample_weight has shape {original} but the values have shape {shape}; expected a scalar or "
        f"one weight per sample, shape {shape[:1]}"
    )
