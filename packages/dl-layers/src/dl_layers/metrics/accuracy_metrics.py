"""Accuracy metrics: how often the predicted class (or value) is the right one.

Which accuracy fits depends on how the targets are written, as for the cross-entropies:

| targets | predictions | metric |
|---|---|---|
| 0/1, shape ``(batch,)`` or ``(batch, 1)`` | probabilities ``(batch, 1)`` | ``BinaryAccuracy`` |
| one-hot ``(batch, classes)`` | scores ``(batch, classes)`` | ``CategoricalAccuracy`` |
| class ids ``(batch,)`` | scores ``(batch, classes)`` | ``SparseCategoricalAccuracy`` |

``compile(metrics=["accuracy"])`` picks one of the three from the loss (or the model's
output shape, or the first batch): see ``accuracy_for``. The functions return one value
per sample, shape ``(batch,)``; the classes average them over every sample seen.

Examples:
    >>> m = SparseCategoricalAccuracy()
    >>> m.update_state([0, 2], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]])   # 1 right out of 2
    >>> m.update_state([1], [[0.1, 0.8, 0.1]])                       # 1 right out of 1
    >>> print(round(m.result(), 4))
    0.6667
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_number
from ..registry import snake_case
from ..targets import as_numbers, one_hot_targets, sparse_labels
from .base_metric import METRIC_FUNCTIONS, MeanMetricWrapper, Metric, mean_per_sample, paired

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "accuracy",
    "accuracy_for",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]


# -- per-sample functions -------------------------------------------------------------------


@METRIC_FUNCTIONS.register
def accuracy(y_true, y_pred) -> np.ndarray:
    """Fraction of exactly equal entries, per sample: (batch, ...) twice -> (batch,) float32.

    The predictions must already be rounded or arg-maxed.

    Examples:
        >>> accuracy([[1], [2], [3]], [[1], [0], [3]])
        array([1., 0., 1.], dtype=float32)
    """
    t, p = paired("accuracy", y_true, y_pred)
    return mean_per_sample((t == p).astype(np.float32))


@METRIC_FUNCTIONS.register
def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> np.ndarray:
    """Fraction of 0/1 targets matched by ``y_pred > threshold``, per sample -> (batch,) float32.

    ``y_true`` (batch, 1) or (batch,) labels, (batch, labels) for multi-label; ``y_pred``
    probabilities of the same shape.

    Examples:
        >>> binary_accuracy([[1], [0], [1]], [[0.8], [0.6], [0.3]])
        array([1., 0., 0.], dtype=float32)
    """
    t, p = paired("binary_accuracy", y_true, y_pred)
    return mean_per_sample((t == (p > threshold)).astype(np.float32))


@METRIC_FUNCTIONS.register
def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """1 where the arg-max of the prediction is the one-hot target's class -> (batch,) float32.

    Both (batch, classes), or (batch, steps, classes) with the steps averaged.

    Examples:
        >>> categorical_accuracy([[0, 1, 0], [1, 0, 0]], [[0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
        array([1., 0.], dtype=float32)
    """
    p = as_numbers("categorical_accuracy", "y_pred", y_pred)
    t = one_hot_targets("categorical_accuracy", y_true, p.shape)
    return mean_per_sample((t.argmax(axis=-1) == p.argmax(axis=-1)).astype(np.float32))


@METRIC_FUNCTIONS.register
def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """1 where the arg-max of the prediction is the integer label -> (batch,) float32.

    ``y_true`` (batch,) or (batch, 1) class ids, ``y_pred`` (batch, classes) scores (or
    (batch, steps) ids with (batch, steps, classes) scores, the steps averaged).

    Examples:
        >>> sparse_categorical_accuracy([1, 0], [[0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
        array([1., 0.], dtype=float32)
    """
    p = as_numbers("sparse_categorical_accuracy", "y_pred", y_pred)
    labels = sparse_labels("sparse_categorical_accuracy", y_true, p.shape, check_range=False)
    return mean_per_sample((labels == p.argmax(axis=-1)).astype(np.float32))


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Whether each label's score is among the k highest of its row (ties count as in).

    A label is in the top k when fewer than k classes score strictly higher; labels that
    are not a class of ``y_pred``, or whose score is NaN, are not.
    """
    valid = (labels >= 0) & (labels < y_pred.shape[-1])
    score = np.take_along_axis(y_pred, np.where(valid, labels, 0)[..., None], axis=-1)  # (batch, ..., 1)
    higher = np.count_nonzero(y_pred > score, axis=-1)  # (batch, ...)
    return valid & (higher < k) & ~np.isnan(score[..., 0])


@METRIC_FUNCTIONS.register
def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """1 where the one-hot target's class is among the k best-scored classes -> (batch,) float32.

    Both (batch, classes); ties at the boundary count as in the top k.

    Examples:
        >>> top_k_categorical_accuracy([[0, 0, 1], [1, 0, 0]], [[0.5, 0.3, 0.2], [0.1, 0.5, 0.4]], k=2)
        array([0., 0.], dtype=float32)
    """
    where = "top_k_categorical_accuracy"
    k = check_number(where, "k", k, minimum=1, integer=True)
    p = as_numbers(where, "y_pred", y_pred)
    t = one_hot_targets(where, y_true, p.shape)
    return mean_per_sample(_in_top_k(t.argmax(axis=-1), p, k).astype(np.float32))


@METRIC_FUNCTIONS.register
def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """1 where the integer label is among the k best-scored classes -> (batch,) float32.

    ``y_true`` (batch,) or (batch, 1) class ids, ``y_pred`` (batch, classes) scores.

    Examples:
        >>> sparse_top_k_categorical_accuracy([2, 1], [[0.5, 0.3, 0.2], [0.1, 0.5, 0.4]], k=2)
        array([0., 1.], dtype=float32)
    """
    where = "sparse_top_k_categorical_accuracy"
    k = check_number(where, "k", k, minimum=1, integer=True)
    p = as_numbers(where, "y_pred", y_pred)
    labels = sparse_labels(where, y_true, p.shape, check_range=False)
    return mean_per_sample(_in_top_k(labels, p, k).astype(np.float32))


# -- metric classes -------------------------------------------------------------------------


class Accuracy(MeanMetricWrapper):
    """How often predictions equal targets exactly (see ``accuracy``).

    Examples:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> print(round(m.result(), 4))
        0.75
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches 0/1 targets (see ``binary_accuracy``).

    ``threshold``: predictions strictly above it count as 1 (use 0.0 for logits).

    Examples:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [0.3], [0.1], [0.6]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32", threshold: float = 0.5):
        threshold = check_number(type(self).__name__, "threshold", threshold)
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max matches one-hot targets (see ``categorical_accuracy``).

    Examples:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.1, 0.8], [0.05, 0.05, 0.9]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max matches integer labels (see ``sparse_categorical_accuracy``).

    Examples:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often one-hot targets are in the k best classes (see ``top_k_categorical_accuracy``).

    Examples:
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, k: int = 5, name: str | None = None, dtype: Any = "float32"):
        k = check_number(type(self).__name__, "k", k, minimum=1, integer=True)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often integer labels are in the k best classes (see ``sparse_top_k_categorical_accuracy``).

    Examples:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, k: int = 5, name: str | None = None, dtype: Any = "float32"):
        k = check_number(type(self).__name__, "k", k, minimum=1, integer=True)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


# -- "accuracy": which one? -----------------------------------------------------------------


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
            t = as_numbers(self._who(), "y_true", y_true)
            p = as_numbers(self._who(), "y_pred", y_pred)
            self.resolved = _accuracy_class_from_data(t, p)(name=self.name, dtype=self.dtype)
        self.resolved.update_state(y_true, y_pred, sample_weight)

    def result(self) -> float:
        return self.resolved.result() if self.resolved is not None else 0.0

    def reset_state(self) -> None:
        if self.resolved is not None:
            self.resolved.reset_state()


def accuracy_for(name: str = "accuracy", loss: Any = None, output_shape: Any = None) -> Metric:
    """The accuracy metric that ``compile(metrics=["accuracy"])`` means, called ``name``.

    The loss decides first: a name containing "sparse_categorical" gives
    SparseCategoricalAccuracy, "binary" BinaryAccuracy (threshold 0 if the loss has
    ``from_logits=True``), "categorical" CategoricalAccuracy. Else the output shape: a last
    axis of 1 is binary, more is categorical. Else the first batch of data decides.

    Examples:
        >>> type(accuracy_for("acc", loss="sparse_categorical_crossentropy")).__name__
        'SparseCategoricalAccuracy'
        >>> type(accuracy_for(loss="mse", output_shape=(None, 1))).__name__
        'BinaryAccuracy'
    """
    cls = _accuracy_class_from_loss(loss)
    if cls is BinaryAccuracy and getattr(loss, "from_logits", False) is True:
        return BinaryAccuracy(name=name, threshold=0.0)  # logit > 0 <=> sigmoid(logit) > 0.5
    if cls is None:
        cls = _accuracy_class_from_shape(output_shape)
    if cls is None:
        return _AccuracyFromData(name=name)
    return cls(name=name)
