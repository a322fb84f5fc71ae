"""Probabilistic metrics: the cross-entropy of the predictions, reported rather than minimised.

The loss that ``fit`` prints is the cross-entropy *plus* any weight penalties; these
metrics report the cross-entropy alone (on validation data too), for any model, whatever
loss it was compiled with. They compute it with the loss functions of
``dl_layers.losses``, on arrays, without recording a graph:

| targets | metric (and ``compile`` name) |
|---|---|
| 0/1 per output | ``BinaryCrossentropy`` ("binary_crossentropy") |
| one-hot rows | ``CategoricalCrossentropy`` ("categorical_crossentropy") |
| class ids | ``SparseCategoricalCrossentropy`` ("sparse_categorical_crossentropy") |

``from_logits=True`` says the predictions are logits (a last layer without activation);
``label_smoothing`` moves the targets towards uniform, as in the losses.

Examples:
    >>> m = SparseCategoricalCrossentropy()
    >>> m.update_state([0, 1], [[0.5, 0.5], [0.2, 0.8]])
    >>> print(round(m.result(), 4))          # (-log 0.5 - log 0.8) / 2
    0.4581
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dl_tensor import Tensor, no_grad

from .. import losses
from ..checks import check_bool, check_number
from ..targets import as_numbers, one_hot_targets, sparse_labels
from .base_metric import METRIC_FUNCTIONS, MeanMetricWrapper, as_floats, mean_per_sample, paired

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
]


def _tensor(y_pred: np.ndarray) -> Tensor:
    """Predictions as a Tensor of their own float dtype (float32 at least): what the losses take."""
    (p,) = as_floats(y_pred)
    return Tensor(p, dtype=p.dtype)


# -- per-sample functions -------------------------------------------------------------------


@METRIC_FUNCTIONS.register
def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0) -> np.ndarray:
    """``losses.binary_crossentropy`` on arrays: the mean over the outputs, per sample -> (batch,).

    Examples:
        >>> print(binary_crossentropy([[1], [0]], [[0.8], [0.4]]))        # -log 0.8, -log 0.6
        [0.2231 0.5108]
    """
    t, p = paired("binary_crossentropy", y_true, y_pred)  # (batch,) -> (batch, 1): one value per sample
    with no_grad():
        values = losses.binary_crossentropy(t, _tensor(p), from_logits=from_logits, label_smoothing=label_smoothing)
    return mean_per_sample(values.numpy())


@METRIC_FUNCTIONS.register
def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0) -> np.ndarray:
    """``losses.categorical_crossentropy`` on arrays: one-hot targets -> (batch,).

    Examples:
        >>> print(categorical_crossentropy([[0, 1], [1, 0]], [[0.2, 0.8], [0.5, 0.5]]))
        [0.2231 0.6931]
    """
    p = as_numbers("categorical_crossentropy", "y_pred", y_pred)
    t = one_hot_targets("categorical_crossentropy", y_true, p.shape)
    with no_grad():
        values = losses.categorical_crossentropy(t, _tensor(p), from_logits=from_logits,
                                                 label_smoothing=label_smoothing)
    return mean_per_sample(values.numpy())


@METRIC_FUNCTIONS.register
def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """``losses.sparse_categorical_crossentropy`` on arrays: class ids -> (batch,).

    Examples:
        >>> print(sparse_categorical_crossentropy([1, 0], [[0.2, 0.8], [0.5, 0.5]]))
        [0.2231 0.6931]
    """
    p = as_numbers("sparse_categorical_crossentropy", "y_pred", y_pred)
    labels = sparse_labels("sparse_categorical_crossentropy", y_true, p.shape)  # class ids, each < classes
    with no_grad():
        values = losses.sparse_categorical_crossentropy(labels, _tensor(p), from_logits=from_logits)
    return mean_per_sample(values.numpy())


# -- metric classes -------------------------------------------------------------------------


class _SmoothedCrossentropy(MeanMetricWrapper, register=False):
    """A cross-entropy metric with ``from_logits`` and ``label_smoothing`` (its function: ``_fn``)."""

    _fn = None

    def __init__(self, name: str | None = None, dtype: Any = "float32", from_logits: bool = False,
                 label_smoothing: float = 0.0):
        owner = type(self).__name__
        super().__init__(type(self)._fn, name=name, dtype=dtype,
                         from_logits=check_bool(owner, "from_logits", from_logits),
                         label_smoothing=check_number(owner, "label_smoothing", label_smoothing, minimum=0, maximum=1))


class BinaryCrossentropy(_SmoothedCrossentropy):
    """Binary cross-entropy over every sample seen (see ``binary_crossentropy``).

    Examples:
        >>> m = BinaryCrossentropy(from_logits=True)
        >>> m.update_state([[1], [0]], [[2.0], [-1.0]])      # logits: log(1 + e^-2), log(1 + e^-1)
        >>> print(round(m.result(), 4))
        0.2201
    """

    _fn = staticmethod(binary_crossentropy)


class CategoricalCrossentropy(_SmoothedCrossentropy):
    """Categorical cross-entropy over every sample seen (see ``categorical_crossentropy``).

    Examples:
        >>> m = CategoricalCrossentropy()
        >>> m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
        >>> print(round(m.result(), 4))      # (-log 0.95 - log 0.1) / 2
        1.1769
    """

    _fn = staticmethod(categorical_crossentropy)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Cross-entropy of integer labels over every sample seen (see ``sparse_categorical_crossentropy``).

    Examples:
        >>> m = SparseCategoricalCrossentropy()
        >>> m.update_state([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
        >>> print(round(m.result(), 4))      # (-log 0.95 - log 0.1) / 2
        1.1769
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32", from_logits: bool = False):
        owner = type(self).__name__
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=check_bool(owner, "from_logits", from_logits))
