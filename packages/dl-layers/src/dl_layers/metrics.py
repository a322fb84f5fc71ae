"""Metrics: numbers that tell people how well a model is doing, accumulated batch by batch.

A loss and a metric may compute similar things, but they serve different masters. The
loss is what gradient descent minimises: it has to be differentiable, and it is computed
afresh on every batch. A metric is only read (by you, by callbacks, by ``History``): it may
be a step function such as accuracy, and it is *stateful*. Each ``update_state`` call adds
the batch to running totals, ``result()`` reads the value over every sample seen since the
last ``reset_state()``, and ``fit`` resets its metrics at the start of each epoch. So the
accuracy printed at the end of an epoch is the accuracy on the whole epoch, not an average
of per-batch accuracies (the two differ when the last batch is smaller).

Metrics work on NumPy arrays (anything ``np.asarray`` accepts, dl-tensor's ``Tensor``
included) and ``result()`` returns a Python float. The functions with Keras's names
(``binary_accuracy``, ``mae``, ...) return one value per sample, shape ``(batch,)``.

Examples:
    >>> from dl_layers import metrics
    >>> m = metrics.SparseCategoricalAccuracy()
    >>> m.update_state([0, 2], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]])   # 1 right out of 2
    >>> m.update_state([1], [[0.1, 0.8, 0.1]])                       # 1 right out of 1
    >>> print(round(m.result(), 4))
    0.6667
    >>> m.reset_state()
    >>> m.result()
    0.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .layer import snake_case

__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "Precision",
    "Recall",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "deserialize",
    "get",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mse",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]

_EPSILON = 1e-7


# -- input checks ---------------------------------------------------------------------------


def _as_array(x: Any, who: str, arg: str, allow_scalar: bool = False) -> np.ndarray:
    """``np.asarray(x)``, checked to be numeric and (unless allowed) to have a batch axis."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{who}: {arg} could not be read as an array ({e})") from e
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {arg} must hold numbers (bool, integer or float); got dtype {a.dtype}")
    if a.ndim == 0 and not allow_scalar:
        raise ValueError(f"{who}: {arg} must have a batch axis, shape (batch, ...); got a scalar")
    return a


def _paired(y_true: Any, y_pred: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Targets and predictions brought to the same shape, at least (batch, 1).

    A trailing axis of size 1 may be missing from one of them: (batch,) pairs with
    (batch, 1) and (batch, steps) with (batch, steps, 1). Anything else must match exactly.
    """
    t = _as_array(y_true, who, "y_true")
    p = _as_array(y_pred, who, "y_pred")
    a, b = t, p
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        a = a[..., 0]
    elif b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        b = b[..., 0]
    if a.shape != b.shape:
        raise ValueError(
            f"{who}: y_true has shape {t.shape} but y_pred has shape {p.shape}; expected the same shape, "
            "e.g. (batch, units) for both (a trailing axis of size 1 may be left out of one of them)"
        )
    if a.ndim == 1:
        a, b = a[:, None], b[:, None]
    return a, b


def _floats(*arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays as floats of a common dtype, at least float32 (bools and ints convert)."""
    dtype = np.result_type(*(a.dtype for a in arrays), np.float32)
    return [a.astype(dtype, copy=False) for a in arrays]


def _per_sample(x: np.ndarray) -> np.ndarray:
    """(batch, ...) -> (batch,): the mean over every axis but the first."""
    return x.mean(axis=tuple(range(1, x.ndim))) if x.ndim > 1 else x


def _is_empty_batch(y_true: np.ndarray, y_pred: np.ndarray) -> bool:
    return y_true.shape[0] == 0 and y_pred.shape[0] == 0


def _sparse_labels(y_true: Any, y_pred: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer labels of shape y_pred.shape[:-1] (a trailing axis of size 1 is dropped)."""
    t = _as_array(y_true, who, "y_true")
    p = _as_array(y_pred, who, "y_pred")
    if p.ndim >= 2:
        if t.shape == p.shape[:-1]:
            return t, p
        if t.shape == p.shape[:-1] + (1,):
            return t[..., 0], p
    expected = p.shape[:-1] if p.ndim >= 2 else "(batch,)"
    hint = " (y_true looks one-hot: use the categorical version)" if t.shape == p.shape and t.ndim >= 2 else ""
    raise ValueError(
        f"{who}: y_true has shape {t.shape} but y_pred has shape {p.shape}; expected integer labels of "
        f"shape {expected} (or with a trailing axis of size 1) for predictions of shape (batch, classes){hint}"
    )


def _one_hot_pair(y_true: Any, y_pred: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """One-hot targets and predictions, both (batch, ..., classes)."""
    t = _as_array(y_true, who, "y_true")
    p = _as_array(y_pred, who, "y_pred")
    if t.shape != p.shape or p.ndim < 2:
        hint = ""
        if p.ndim >= 2 and t.shape in (p.shape[:-1], p.shape[:-1] + (1,)) and p.shape[-1] > 1:
            hint = " (y_true looks like integer labels: use the sparse version)"
        raise ValueError(
            f"{who}: y_true has shape {t.shape} but y_pred has shape {p.shape}; expected one-hot targets "
            f"and predictions of the same shape (batch, classes){hint}"
        )
    return t, p


def _check_k(k: Any, who: str) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"{who}: k must be a positive integer; got {k!r}")
    return int(k)


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Whether each label's score is among the k highest of its row (ties count as in).

    A label is in the top k when fewer than k classes score strictly higher; labels that
    are not a class index, or whose score is NaN, are not.
    """
    classes = y_pred.shape[-1]
    valid = (labels >= 0) & (labels < classes) & (labels == np.floor(labels))
    index = np.where(valid, labels, 0).astype(np.intp)
    score = np.take_along_axis(y_pred, index[..., None], axis=-1)
    higher = np.count_nonzero(y_pred > score, axis=-1)
    return valid & (higher < k) & ~np.isnan(score[..., 0])


def _weights(sample_weight: Any, shape: tuple, who: str) -> np.ndarray:
    """Sample weights as float64 of ``shape``, the leading axes aligned (not the trailing ones).

    Accepts a scalar, (batch,), (batch, 1), or anything that fits ``shape`` from the left.
    """
    w = _as_array(sample_weight, who, "sample_weight", allow_scalar=True).astype(np.float64)
    original = w.shape
    while w.ndim > len(shape) and w.shape[-1] == 1:
        w = w[..., 0]
    if w.ndim < len(shape):
        w = w.reshape(w.shape + (1,) * (len(shape) - w.ndim))
    try:
        return np.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(
            f"{who}: sample_weight has shape {original} but the batch has shape {shape}; expected a scalar "
            f"or one weight per sample, shape {shape[:1]}"
        ) from None


def _safe_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, with 0 where b is 0."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


# -- per-sample functions -------------------------------------------------------------------


def accuracy(y_true, y_pred) -> np.ndarray:
    """Fraction of exactly equal entries, per sample.

    Args:
        y_true: (batch, ...) targets.
        y_pred: (batch, ...) predictions, same shape (already rounded or arg-maxed).

    Returns:
        (batch,) float32 values in [0, 1].

    Examples:
        >>> accuracy([[1], [2], [3]], [[1], [0], [3]])
        array([1., 0., 1.], dtype=float32)
    """
    t, p = _paired(y_true, y_pred, "accuracy")
    return _per_sample((t == p).astype(np.float32))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> np.ndarray:
    """Fraction of binary targets matched by ``y_pred > threshold``, per sample.

    Args:
        y_true: (batch, 1) or (batch,) labels 0 or 1; (batch, labels) for multi-label.
        y_pred: probabilities of the same shape.
        threshold: predictions strictly above it mean 1.

    Returns:
        (batch,) float32 values in [0, 1].

    Examples:
        >>> binary_accuracy([[1], [0], [1]], [[0.8], [0.6], [0.3]])
        array([1., 0., 0.], dtype=float32)
    """
    t, p = _paired(y_true, y_pred, "binary_accuracy")
    return _per_sample((t == (p > threshold)).astype(np.float32))


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """1 where the arg-max of the prediction is the arg-max of the one-hot target, per sample.

    Args:
        y_true: (batch, classes) one-hot targets (or (batch, steps, classes)).
        y_pred: (batch, classes) scores, same shape.

    Returns:
        (batch,) float32 values in [0, 1] (steps are averaged).

    Examples:
        >>> categorical_accuracy([[0, 1, 0], [1, 0, 0]], [[0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
        array([1., 0.], dtype=float32)
    """
    t, p = _one_hot_pair(y_true, y_pred, "categorical_accuracy")
    return _per_sample((t.argmax(axis=-1) == p.argmax(axis=-1)).astype(np.float32))


def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """1 where the arg-max of the prediction is the integer label, per sample.

    Args:
        y_true: (batch,) or (batch, 1) integer labels (or (batch, steps)).
        y_pred: (batch, classes) scores (or (batch, steps, classes)).

    Returns:
        (batch,) float32 values in [0, 1] (steps are averaged).

    Examples:
        >>> sparse_categorical_accuracy([1, 0], [[0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
        array([1., 0.], dtype=float32)
    """
    t, p = _sparse_labels(y_true, y_pred, "sparse_categorical_accuracy")
    return _per_sample((t == p.argmax(axis=-1)).astype(np.float32))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """1 where the one-hot target's class is among the k highest-scored classes, per sample.

    Ties at the boundary count as in the top k.

    Args:
        y_true: (batch, classes) one-hot targets.
        y_pred: (batch, classes) scores.
        k: how many of the best classes count.

    Returns:
        (batch,) float32 values in [0, 1].

    Examples:
        >>> top_k_categorical_accuracy([[0, 0, 1], [1, 0, 0]], [[0.5, 0.3, 0.2], [0.1, 0.5, 0.4]], k=2)
        array([0., 0.], dtype=float32)
    """
    who = "top_k_categorical_accuracy"
    k = _check_k(k, who)
    t, p = _one_hot_pair(y_true, y_pred, who)
    return _per_sample(_in_top_k(t.argmax(axis=-1), p, k).astype(np.float32))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """1 where the integer label is among the k highest-scored classes, per sample.

    Args:
        y_true: (batch,) or (batch, 1) integer labels.
        y_pred: (batch, classes) scores.
        k: how many of the best classes count.

    Returns:
        (batch,) float32 values in [0, 1].

    Examples:
        >>> sparse_top_k_categorical_accuracy([2, 1], [[0.5, 0.3, 0.2], [0.1, 0.5, 0.4]], k=2)
        array([0., 1.], dtype=float32)
    """
    who = "sparse_top_k_categorical_accuracy"
    k = _check_k(k, who)
    t, p = _sparse_labels(y_true, y_pred, who)
    return _per_sample(_in_top_k(t, p, k).astype(np.float32))


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    """Mean of ``|y_true - y_pred|`` over the last axis (then over any other non-batch axes).

    Args:
        y_true: (batch, units) or (batch,) targets.
        y_pred: predictions of the same shape.

    Returns:
        (batch,) values, float32 (float64 for float64 or integer inputs).

    Examples:
        >>> print(mean_absolute_error([[1.0, 2.0], [0.0, 0.0]], [[1.5, 1.0], [0.0, 2.0]]))
        [0.75 1.  ]
    """
    t, p = _floats(*_paired(y_true, y_pred, "mean_absolute_error"))
    return _per_sample(np.abs(t - p))


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    """Mean of ``(y_true - y_pred) ** 2`` over the last axis (then over other non-batch axes).

    Args:
        y_true: (batch, units) or (batch,) targets.
        y_pred: predictions of the same shape.

    Returns:
        (batch,) values, float32 (float64 for float64 or integer inputs).

    Examples:
        >>> print(mean_squared_error([[1.0, 2.0], [0.0, 0.0]], [[1.5, 1.0], [0.0, 2.0]]))
        [0.625 2.   ]
    """
    t, p = _floats(*_paired(y_true, y_pred, "mean_squared_error"))
    return _per_sample(np.square(t - p))


def mean_absolute_percentage_error(y_true, y_pred) -> np.ndarray:
    """``100 * |y_true - y_pred| / |y_true|`` averaged like ``mean_absolute_error``.

    ``|y_true|`` is floored at 1e-7, so zero targets give huge (finite) values.

    Examples:
        >>> print(mean_absolute_percentage_error([[2.0], [4.0]], [[1.0], [5.0]]))
        [50. 25.]
    """
    t, p = _floats(*_paired(y_true, y_pred, "mean_absolute_percentage_error"))
    return _per_sample(100 * np.abs(t - p) / np.maximum(np.abs(t), _EPSILON))


mae = mean_absolute_error
mse = mean_squared_error
mape = mean_absolute_percentage_error


# -- metric classes -------------------------------------------------------------------------


class Metric:
    """Base class: running totals updated batch by batch, read with ``result()``.

    Subclasses implement ``update_state``, ``result`` and ``reset_state``.

    Args:
        name: the key under which ``fit`` reports it (default: the class name in
            snake_case, e.g. ``binary_accuracy``).
        dtype: float dtype the per-batch values are cast to; totals are kept in float64.
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        if name is None:
            name = snake_case(type(self).__name__)
        if not isinstance(name, str) or not name:
            raise TypeError(f"{type(self).__name__}: name must be a non-empty string; got {name!r}")
        try:
            dt = np.dtype(dtype)
        except TypeError as e:
            raise TypeError(f"{type(self).__name__}: dtype {dtype!r} is not a NumPy dtype") from e
        if dt.kind != "f":
            raise ValueError(f"{type(self).__name__}: dtype must be a float dtype such as 'float32'; got {dtype!r}")
        self.name = name
        self.dtype = dt.name

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add a batch to the totals."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_state")

    def result(self) -> float:
        """The value over every sample since the last reset, as a Python float."""
        raise NotImplementedError(f"{type(self).__name__} does not implement result")

    def reset_state(self) -> None:
        """Forget every batch seen so far."""
        raise NotImplementedError(f"{type(self).__name__} does not implement reset_state")

    def __call__(self, *args, **kwargs) -> float:
        """``update_state(*args, **kwargs)``, then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments, as JSON-friendly values."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """A new metric from ``get_config()``'s output."""
        return cls(**config)

    def _who(self) -> str:
        return f"{type(self).__name__} metric {self.name!r}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """Running weighted mean of values: ``sum(w * values) / sum(w)``.

    ``update_state(values, sample_weight=None)``: values of any shape; weights a scalar,
    (batch,) or the shape of the values. ``total`` and ``count`` hold the sums.

    Examples:
        >>> m = Mean()
        >>> m.update_state([1.0, 2.0, 3.0])
        >>> m.update_state([10.0], sample_weight=[3.0])
        >>> print(round(m.result(), 4))
        6.0
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None) -> None:
        v = _as_array(values, self._who(), "values", allow_scalar=True)
        self._add(v, sample_weight)

    def _add(self, values: np.ndarray, sample_weight: Any) -> None:
        if values.size == 0:
            return
        v = values.astype(self.dtype).astype(np.float64)
        if sample_weight is None:
            self.total += float(v.sum())
            self.count += float(v.size)
        else:
            w = _weights(sample_weight, v.shape, self._who())
            self.total += float(np.sum(v * w))
            self.count += float(np.sum(w))

    def result(self) -> float:
        return self.total / self.count if self.count != 0 else 0.0


def _function_name(fn: Callable) -> str:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else snake_case(type(fn).__name__)


class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample function over every batch seen.

    Args:
        fn: ``fn(y_true, y_pred, **kwargs) -> (batch,)`` values (extra non-batch axes are
            averaged; a function that returns one number counts as the mean of its batch).
        name: defaults to ``fn.__name__``.
        dtype: float dtype of the values.
        **kwargs: passed on to ``fn``.

    ``update_state(y_true, y_pred, sample_weight=None)``: ``sample_weight`` is a scalar or
    (batch,) weights.

    Examples:
        >>> m = MeanMetricWrapper(binary_accuracy, threshold=0.7)
        >>> m.update_state([[1], [1]], [[0.8], [0.6]], sample_weight=[3.0, 1.0])
        >>> m.name, round(m.result(), 4)
        ('binary_accuracy', 0.75)
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = "float32", **kwargs):
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}: fn must be a function (y_true, y_pred) -> (batch,); got {fn!r}")
        if name is None:
            name = _function_name(fn) if type(self) is MeanMetricWrapper else snake_case(type(self).__name__)
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    @property
    def fn(self) -> Callable:
        """The wrapped per-sample function."""
        return self._fn

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        who = self._who()
        t = _as_array(y_true, who, "y_true")
        p = _as_array(y_pred, who, "y_pred")
        if _is_empty_batch(t, p):
            return
        try:
            values = np.asarray(self._fn(t, p, **self._fn_kwargs))
        except ValueError as e:
            raise ValueError(f"{who}: {e}") from e
        if values.dtype.kind not in "biuf":
            raise TypeError(f"{who}: {_function_name(self._fn)} returned dtype {values.dtype}; expected numbers")
        batch = p.shape[0]
        if values.ndim == 0:  # the function already averaged its batch
            if sample_weight is not None:
                raise ValueError(
                    f"{who}: {_function_name(self._fn)} returned one number for the whole batch, so "
                    f"sample_weight cannot be applied; make it return one value per sample, shape ({batch},)"
                )
            values = np.full(batch, values)
        elif values.shape[0] != batch:
            raise ValueError(
                f"{who}: {_function_name(self._fn)} returned shape {values.shape}; expected one value per "
                f"sample, shape ({batch},)"
            )
        self._add(_per_sample(values), sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), "fn": _serialize_function(self._fn, self._who()), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> MeanMetricWrapper:
        config = dict(config)
        if "fn" not in config:
            raise ValueError(f"{cls.__name__}.from_config: the config has no 'fn' (the wrapped function): {config!r}")
        fn = config.pop("fn")
        if isinstance(fn, str):
            fn = _resolve_function(fn, None)
        return cls(fn, **config)


class _BuiltinWrapper(MeanMetricWrapper):
    """A MeanMetricWrapper whose function is fixed by the class (not saved in the config)."""

    def get_config(self) -> dict:
        return {**Metric.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        return cls(**config)


class Accuracy(_BuiltinWrapper):
    """How often predictions equal targets exactly (see ``accuracy``).

    Examples:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> print(round(m.result(), 4))
        0.75
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(accuracy, name=name, dtype=dtype)


def _check_threshold(threshold: Any, who: str) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.integer | np.floating):
        raise TypeError(f"{who}: threshold must be a number; got {threshold!r}")
    return float(threshold)


class BinaryAccuracy(_BuiltinWrapper):
    """How often ``y_pred > threshold`` matches binary targets (see ``binary_accuracy``).

    Args:
        threshold: predictions strictly above it count as 1 (use 0.0 for logits).

    Examples:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [0.3], [0.1], [0.6]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32", threshold: float = 0.5):
        threshold = _check_threshold(threshold, type(self).__name__)
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(_BuiltinWrapper):
    """How often the arg-max matches one-hot targets (see ``categorical_accuracy``).

    Examples:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.1, 0.8], [0.05, 0.05, 0.9]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(_BuiltinWrapper):
    """How often the arg-max matches integer labels (see ``sparse_categorical_accuracy``).

    Examples:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(_BuiltinWrapper):
    """How often one-hot targets are in the k best classes (see ``top_k_categorical_accuracy``).

    Examples:
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, k: int = 5, name: str | None = None, dtype: Any = "float32"):
        k = _check_k(k, type(self).__name__)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_BuiltinWrapper):
    """How often integer labels are in the k best classes (see ``sparse_top_k_categorical_accuracy``).

    Examples:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, k: int = 5, name: str | None = None, dtype: Any = "float32"):
        k = _check_k(k, type(self).__name__)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class MeanAbsoluteError(_BuiltinWrapper):
    """Mean absolute error over every sample seen (see ``mean_absolute_error``).

    Examples:
        >>> m = MeanAbsoluteError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanSquaredError(_BuiltinWrapper):
    """Mean squared error over every sample seen (see ``mean_squared_error``).

    Examples:
        >>> m = MeanSquaredError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[2.0, 1.0], [1.0, 0.0]])
        >>> print(round(m.result(), 4))
        1.25
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class RootMeanSquaredError(_BuiltinWrapper):
    """Square root of the mean squared error over every sample seen.

    The root is taken at the end, so it is not the mean of per-batch roots.

    Examples:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[2.0, 1.0], [1.0, 0.0]])
        >>> print(round(m.result(), 4))
        1.118
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(mean_squared_error, name=name, dtype=dtype)

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class MeanAbsolutePercentageError(_BuiltinWrapper):
    """Mean absolute percentage error (see ``mean_absolute_percentage_error``).

    Examples:
        >>> m = MeanAbsolutePercentageError()
        >>> m.update_state([[2.0], [4.0]], [[1.0], [5.0]])
        >>> print(round(m.result(), 4))
        37.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


# -- confusion-matrix metrics ---------------------------------------------------------------


def _binary_batch(metric: Metric, y_true, y_pred, sample_weight) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Flat (positive label?, prediction, weight) of a batch, or None for an empty batch."""
    who = metric._who()
    t, p = _paired(y_true, y_pred, who)
    if t.size == 0:
        return None
    w = np.ones(t.shape) if sample_weight is None else _weights(sample_weight, t.shape, who)
    # compared in the predictions' own float dtype, as binary_accuracy does
    return (t > 0.5).ravel(), _floats(p)[0].ravel(), np.ravel(w)


class _ConfusionMetric(Metric):
    """True/false positives/negatives at one threshold, weighted, summed over batches."""

    def __init__(self, thresholds: float | None = 0.5, name: str | None = None, dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        who = type(self).__name__
        if thresholds is None:
            thresholds = 0.5
        if isinstance(thresholds, bool) or not isinstance(thresholds, int | float | np.integer | np.floating):
            raise TypeError(f"{who}: thresholds must be one number in [0, 1]; got {thresholds!r}")
        if not 0.0 <= thresholds <= 1.0:
            raise ValueError(f"{who}: thresholds must be in [0, 1]; got {thresholds!r}")
        self.thresholds = float(thresholds)
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = 0.0
        self.false_positives = 0.0
        self.true_negatives = 0.0
        self.false_negatives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        batch = _binary_batch(self, y_true, y_pred, sample_weight)
        if batch is None:
            return
        actual, scores, w = batch
        predicted = scores > self.thresholds
        self.true_positives += float(np.sum(w * (actual & predicted)))
        self.false_positives += float(np.sum(w * (~actual & predicted)))
        self.true_negatives += float(np.sum(w * (~actual & ~predicted)))
        self.false_negatives += float(np.sum(w * (actual & ~predicted)))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.thresholds}


class Precision(_ConfusionMetric):
    """Of the samples predicted positive, the (weighted) fraction that are positive.

    ``true_positives / (true_positives + false_positives)``, 0.0 while nothing was predicted
    positive. All entries of y_true/y_pred are pooled (multi-label outputs included).

    Args:
        thresholds: a prediction strictly above it counts as positive (a single number).

    ``update_state(y_true, y_pred, sample_weight=None)``: y_true (batch, 1) or (batch,)
    labels (above 0.5 counts as positive), y_pred probabilities of the same shape.

    Examples:
        >>> m = Precision()
        >>> m.update_state([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1])   # predicted positive: the first two
        >>> print(round(m.result(), 4))
        0.5
    """

    def result(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted != 0 else 0.0


class Recall(_ConfusionMetric):
    """Of the positive samples, the (weighted) fraction predicted positive.

    ``true_positives / (true_positives + false_negatives)``, 0.0 while no positive was seen.
    Arguments and inputs as for ``Precision``.

    Examples:
        >>> m = Recall()
        >>> m.update_state([1, 0, 1, 1], [0.9, 0.8, 0.3, 0.7])
        >>> print(round(m.result(), 4))
        0.6667
    """

    def result(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives != 0 else 0.0


class AUC(Metric):
    """Area under the ROC (or precision-recall) curve of binary predictions.

    Confusion counts are accumulated across batches at ``num_thresholds`` evenly spaced
    thresholds on [0, 1] (the end ones nudged by 1e-7 so that scores of exactly 0 and 1
    fall inside); a score counts as positive at a threshold it is strictly above. Each
    batch is bucketed with one ``searchsorted`` and a cumulative sum, so the cost does not
    grow with ``num_thresholds`` times the batch size. The curve is closed with the points
    of thresholds -inf (everything positive) and +inf (nothing positive).

    Summation: ``curve="ROC"`` uses the trapezoid rule on (false positive rate, true
    positive rate), which is what Keras's default does for ROC; scores in the same bucket
    count as half ordered, so the result is within about ``1 / num_thresholds`` of the
    exact area. ``curve="PR"`` uses a step (Riemann) sum of precision over recall,
    ``sum((recall[i] - recall[i+1]) * precision[i])`` (like average precision), not
    Keras's interpolation. The result is 0.0 until both classes have been seen.

    Predictions are expected to be probabilities; for logits the buckets are meaningless.
    All entries are pooled, as for ``Precision``; y_true above 0.5 counts as positive.

    Args:
        num_thresholds: number of thresholds (> 1).
        curve: "ROC" or "PR".

    Examples:
        >>> m = AUC()
        >>> m.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> print(round(m.result(), 4))
        0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", name: str | None = None,
                 dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        who = type(self).__name__
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int | np.integer) or num_thresholds < 2:
            raise ValueError(f"{who}: num_thresholds must be an integer > 1; got {num_thresholds!r}")
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"{who}: curve must be 'ROC' or 'PR'; got {curve!r}")
        self.num_thresholds = int(num_thresholds)
        self.curve = curve.upper()
        thresholds = np.linspace(0.0, 1.0, self.num_thresholds)
        thresholds[0] -= _EPSILON
        thresholds[-1] += _EPSILON
        self.thresholds = thresholds
        self.reset_state()

    def reset_state(self) -> None:
        n = self.num_thresholds
        self.true_positives = np.zeros(n)
        self.false_positives = np.zeros(n)
        self.true_negatives = np.zeros(n)
        self.false_negatives = np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        batch = _binary_batch(self, y_true, y_pred, sample_weight)
        if batch is None:
            return
        actual, scores, w = batch
        n = self.num_thresholds
        # bucket b = how many thresholds the score is strictly above (NaN: none)
        bucket = np.searchsorted(self.thresholds, scores, side="left")
        bucket[np.isnan(scores)] = 0
        pos = np.bincount(bucket, weights=w * actual, minlength=n + 1)
        neg = np.bincount(bucket, weights=w * ~actual, minlength=n + 1)
        # positive at threshold j <=> bucket > j: sums over buckets j+1 .. n
        tp = np.cumsum(pos[::-1])[::-1][1:]
        fp = np.cumsum(neg[::-1])[::-1][1:]
        self.true_positives += tp
        self.false_positives += fp
        self.false_negatives += pos.sum() - tp
        self.true_negatives += neg.sum() - fp

    def result(self) -> float:
        positives = self.true_positives[0] + self.false_negatives[0]
        negatives = self.false_positives[0] + self.true_negatives[0]
        # curve points from threshold -inf to +inf
        tp = np.concatenate([[positives], self.true_positives, [0.0]])
        fp = np.concatenate([[negatives], self.false_positives, [0.0]])
        recall = _safe_divide(tp, np.full_like(tp, positives))
        if self.curve == "ROC":
            fpr = _safe_divide(fp, np.full_like(fp, negatives))
            area = np.sum((fpr[:-1] - fpr[1:]) * (recall[:-1] + recall[1:]) / 2)
        else:
            precision = _safe_divide(tp, tp + fp)
            area = np.sum((recall[:-1] - recall[1:]) * precision[:-1])
        return float(area) if positives > 0 and negatives > 0 else 0.0

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve}


# -- "accuracy" resolved from the data ------------------------------------------------------


def _accuracy_class_from_data(y_true: np.ndarray, y_pred: np.ndarray) -> type[Metric]:
    if y_pred.ndim <= 1 or y_pred.shape[-1] == 1:
        return BinaryAccuracy
    if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


class _AccuracyFromData(Metric):
    """"accuracy" when neither the loss nor the output shape tells which: the first batch does.

    Predictions with a last axis of 1 -> binary; targets with one axis fewer (or a last
    axis of 1) -> sparse categorical; otherwise categorical.
    """

    def __init__(self, name: str = "accuracy", dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        self.resolved: Metric | None = None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if self.resolved is None:
            t = _as_array(y_true, self._who(), "y_true")
            p = _as_array(y_pred, self._who(), "y_pred")
            self.resolved = _accuracy_class_from_data(t, p)(name=self.name, dtype=self.dtype)
        self.resolved.update_state(y_true, y_pred, sample_weight)

    def result(self) -> float:
        return self.resolved.result() if self.resolved is not None else 0.0

    def reset_state(self) -> None:
        if self.resolved is not None:
            self.resolved.reset_state()


# -- get / serialize ------------------------------------------------------------------------

_FUNCTIONS = {
    f.__name__: f
    for f in (
        accuracy,
        binary_accuracy,
        categorical_accuracy,
        sparse_categorical_accuracy,
        top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy,
        mean_absolute_error,
        mean_squared_error,
        mean_absolute_percentage_error,
    )
}
_FUNCTION_ALIASES = {"mae": mean_absolute_error, "mse": mean_squared_error, "mape": mean_absolute_percentage_error}

_BY_NAME: dict[str, type[Metric]] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "rmse": RootMeanSquaredError,
    "root_mean_squared_error": RootMeanSquaredError,
    "mape": MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
}
_ACCURACY_NAMES = ("accuracy", "acc")
_VALID_NAMES = sorted([*_BY_NAME, *_ACCURACY_NAMES])

_CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls
    for cls in (Mean, MeanMetricWrapper, Accuracy, _AccuracyFromData, *set(_BY_NAME.values()))
}


def _accuracy_class_from_loss(loss: Any) -> type[Metric] | None:
    """BinaryAccuracy / CategoricalAccuracy / SparseCategoricalAccuracy from a loss's name."""
    if loss is None:
        return None
    names = []
    if isinstance(loss, str):
        names.append(loss)
    else:
        cls = loss if isinstance(loss, type) else type(loss)
        for candidate in (getattr(loss, "__name__", None), getattr(loss, "name", None),
                          getattr(getattr(loss, "fn", None), "__name__", None),
                          *(base.__name__ for base in cls.__mro__ if base is not object)):
            if isinstance(candidate, str):
                names.append(candidate)
    for name in names:
        snake = snake_case(name)
        if "sparse_categorical" in snake:
            return SparseCategoricalAccuracy
        if "binary" in snake:
            return BinaryAccuracy
        if "categorical" in snake:
            return CategoricalAccuracy
    return None


def _accuracy_class_from_shape(output_shape: Any) -> type[Metric] | None:
    if output_shape is None:
        return None
    shape = (output_shape,) if isinstance(output_shape, int | np.integer) else tuple(output_shape)
    if not shape or shape[-1] is None:
        return None
    return BinaryAccuracy if shape[-1] == 1 else CategoricalAccuracy


def _accuracy(name: str, loss: Any, output_shape: Any) -> Metric:
    cls = _accuracy_class_from_loss(loss)
    if cls is BinaryAccuracy and getattr(loss, "from_logits", False) is True:
        return BinaryAccuracy(name=name, threshold=0.0)  # logit > 0 <=> sigmoid(logit) > 0.5
    if cls is None:
        cls = _accuracy_class_from_shape(output_shape)
    if cls is None:
        return _AccuracyFromData(name=name)
    return cls(name=name)


def _unknown_metric(identifier: Any) -> ValueError:
    return ValueError(
        f"metrics: unknown metric {identifier!r} ({type(identifier).__name__}); expected a Metric instance or "
        "subclass, a function (y_true, y_pred) -> per-sample values, or one of the names: "
        + ", ".join(_VALID_NAMES)
    )


def get(identifier: Any, loss: Any = None, output_shape: Any = None) -> Metric:
    """The ``Metric`` for one entry of ``compile(metrics=[...])``.

    Args:
        identifier: a ``Metric`` instance (returned as is), a ``Metric`` subclass
            (instantiated), a function ``fn(y_true, y_pred) -> (batch,)`` (wrapped in a
            ``MeanMetricWrapper`` named after it), or a name: "accuracy"/"acc", or one of
            "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
            "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mae",
            "mean_absolute_error", "mse", "mean_squared_error", "rmse",
            "root_mean_squared_error", "mape", "mean_absolute_percentage_error",
            "precision", "recall", "auc". A named metric is called by the name given.
        loss: the compiled loss (name, ``Loss`` object or function). For "accuracy"/"acc",
            a loss whose name contains "sparse_categorical" gives SparseCategoricalAccuracy,
            "binary" BinaryAccuracy (threshold 0 if the loss has ``from_logits=True``),
            "categorical" CategoricalAccuracy.
        output_shape: the model's output shape, e.g. ``(None, 1)``: used for "accuracy"
            when the loss does not decide (last axis 1: binary, else categorical). If
            neither decides, the first batch of data does.

    Raises:
        ValueError: for anything else, listing the valid names.

    Examples:
        >>> m = get("acc", loss="sparse_categorical_crossentropy")
        >>> type(m).__name__, m.name
        ('SparseCategoricalAccuracy', 'acc')
        >>> get(binary_accuracy).name
        'binary_accuracy'
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type):
        if issubclass(identifier, Metric):
            return identifier()
        raise _unknown_metric(identifier)
    if isinstance(identifier, str):
        if identifier in _ACCURACY_NAMES:
            return _accuracy(identifier, loss, output_shape)
        if identifier in _BY_NAME:
            return _BY_NAME[identifier](name=identifier)
        raise _unknown_metric(identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise _unknown_metric(identifier)


def _serialize_function(fn: Callable, who: str) -> str:
    """The name a wrapped function is saved under; only named functions can be saved."""
    name = getattr(fn, "__name__", None)
    if name in _FUNCTIONS and _FUNCTIONS[name] is fn:
        return name
    if not isinstance(name, str) or name == "<lambda>" or not hasattr(fn, "__code__"):
        raise ValueError(
            f"{who}: cannot save the function {fn!r}: only named functions (def) can be saved, since "
            "loading finds them again by name; use a def function (passed in custom_objects when loading) "
            "or a Metric subclass"
        )
    if name in _FUNCTIONS or name in _FUNCTION_ALIASES:
        raise ValueError(
            f"{who}: cannot save the function {fn.__module__}.{name}: it has the name of a built-in metric "
            "function, which loading would pick instead; rename it"
        )
    return name


def _resolve_function(name: str, custom_objects: dict | None) -> Callable:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    fn = _FUNCTIONS.get(name) or _FUNCTION_ALIASES.get(name)
    if fn is None:
        raise ValueError(
            f"deserialize: unknown metric function {name!r}; built-in ones are {sorted(_FUNCTIONS)}; "
            "pass your own functions in custom_objects={name: function}"
        )
    return fn


def serialize(metric: Metric) -> dict:
    """``{"class_name": ..., "config": {...}}`` of a metric, for saving a compiled model.

    Functions wrapped in ``MeanMetricWrapper`` are saved by name (built-in ones load
    back by themselves, others through ``custom_objects``); lambdas cannot be saved.

    Examples:
        >>> serialize(BinaryAccuracy(name="acc"))
        {'class_name': 'BinaryAccuracy', 'config': {'name': 'acc', 'dtype': 'float32', 'threshold': 0.5}}
    """
    if not isinstance(metric, Metric):
        raise TypeError(f"serialize: expected a Metric; got {metric!r} ({type(metric).__name__})")
    if isinstance(metric, _AccuracyFromData) and metric.resolved is not None:
        metric = metric.resolved
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: dict | str, custom_objects: dict | None = None) -> Metric:
    """A new metric from ``serialize``'s output (a name string goes through ``get``).

    Args:
        config: ``{"class_name": ..., "config": {...}}``.
        custom_objects: ``{name: class or function}`` for your own metrics.

    Examples:
        >>> m = deserialize({"class_name": "TopKCategoricalAccuracy", "config": {"k": 3}})
        >>> m.name, m.get_config()["k"]
        ('top_k_categorical_accuracy', 3)
    """
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "deserialize: expected a dict {'class_name': ..., 'config': {...}} as made by serialize; "
            f"got {config!r}"
        )
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or _CLASSES.get(class_name)
    if cls is None:
        raise ValueError(
            f"deserialize: unknown metric class {class_name!r}; built-in classes are "
            f"{sorted(c for c in _CLASSES if not c.startswith('_'))}; pass your own in custom_objects"
        )
    kwargs = dict(config.get("config") or {})
    if isinstance(kwargs.get("fn"), str):
        kwargs["fn"] = _resolve_function(kwargs["fn"], custom_objects)
    return cls.from_config(kwargs)
