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
included) and the built-in ones' ``result()`` is a Python float. The functions with
Keras's names (``binary_accuracy``, ``mae``, ...) return one value per sample, shape
``(batch,)``. One module per family, as in Keras:

* ``base_metric``: ``Metric`` (write your own with ``add_weight``), ``Mean``, ``Sum``,
  ``MeanMetricWrapper``, and the registries that find metrics by name;
* ``accuracy_metrics``: ``Accuracy``, ``BinaryAccuracy``, ``CategoricalAccuracy``,
  ``SparseCategoricalAccuracy`` and the top-k ones;
* ``probabilistic_metrics``: the cross-entropies, as metrics;
* ``regression_metrics``: MAE, MSE, RMSE, MAPE;
* ``confusion_metrics``: ``Precision``, ``Recall``, ``AUC``;
* ``direction``: ``lower_is_better(name)``: is a lower value of this metric better?

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

from typing import Any

from ..registry import custom_object_scope
from .accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    _AccuracyFromData,
    accuracy,
    accuracy_for,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from .base_metric import METRICS, Mean, MeanMetricWrapper, Metric, Sum
from .confusion_metrics import AUC, Precision, Recall
from .direction import lower_is_better
from .probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from .regression_metrics import (
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    RootMeanSquaredError,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mse,
)

__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
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
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "Sum",
    "TopKCategoricalAccuracy",
    "accuracy",
    "binary_accuracy",
    "binary_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "deserialize",
    "get",
    "lower_is_better",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mse",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]

_ACCURACY_NAMES = ("accuracy", "acc")


def _compile_names() -> list[str]:
    """The names ``compile(metrics=[...])`` understands: "acc" and every lower-case registered name."""
    return sorted({"acc", *(name for name in METRICS.names() if name.islower())})


def _unknown_metric(identifier: Any) -> ValueError:
    return ValueError(
        f"metrics: unknown metric {identifier!r} ({type(identifier).__name__}); expected a Metric instance or "
        "subclass, a config dict, a function (y_true, y_pred) -> per-sample values, or one of the names: "
        + ", ".join(_compile_names())
    )


def get(identifier: Any, loss: Any = None, output_shape: Any = None) -> Metric:
    """The ``Metric`` for one entry of ``compile(metrics=[...])``.

    Args:
        identifier: a ``Metric`` instance (returned as is), a ``Metric`` subclass
            (instantiated), a config dict (see ``deserialize``), a function
            ``fn(y_true, y_pred) -> (batch,)`` (wrapped in a ``MeanMetricWrapper`` named
            after it), or a name: "accuracy"/"acc", a metric's snake_case name or alias
            ("binary_accuracy", "top_k_categorical_accuracy", "mae", "mse", "rmse", "mape",
            "binary_crossentropy", "precision", "recall", "auc", ...) or its class name
            ("AUC"). A lower-case name is also the metric's name; a class name gives the
            class's default name.
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
        >>> get(binary_accuracy).name, get("mse").name, get("AUC").name
        ('binary_accuracy', 'mse', 'auc')
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in _ACCURACY_NAMES:
            return accuracy_for(identifier, loss, output_shape)
        try:
            found = METRICS.lookup(identifier)
        except ValueError:
            raise _unknown_metric(identifier) from None
        if isinstance(found, type) and issubclass(found, Metric):
            return found(name=identifier) if identifier.islower() else found()
        if callable(found) and not isinstance(found, type):  # a function from custom_objects
            return MeanMetricWrapper(found, name=identifier)
        raise _unknown_metric(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type):
        if issubclass(identifier, Metric):
            return identifier()
        raise _unknown_metric(identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise _unknown_metric(identifier)


def serialize(metric: Metric) -> dict:
    """``{"class_name": ..., "config": {...}}`` of a metric, for saving a compiled model.

    Functions wrapped in ``MeanMetricWrapper`` are saved by name (built-in ones load
    back by themselves, others through ``custom_objects``); lambdas cannot be saved.
    Your own ``Metric`` subclasses are saved under their class name.

    Examples:
        >>> serialize(BinaryAccuracy(name="acc"))
        {'class_name': 'BinaryAccuracy', 'config': {'name': 'acc', 'dtype': 'float32', 'threshold': 0.5}}
    """
    if not isinstance(metric, Metric):
        raise TypeError(f"serialize: expected a Metric; got {metric!r} ({type(metric).__name__})")
    if isinstance(metric, _AccuracyFromData) and metric.resolved is not None:
        metric = metric.resolved  # "accuracy" saved as the metric the data chose
    return METRICS.serialize(metric)


def deserialize(config: dict | str, custom_objects: dict | None = None) -> Metric:
    """A new metric from ``serialize``'s output (a name string goes through ``get``).

    ``custom_objects``: ``{name: class or function}`` for your own metrics that are not
    imported (a ``Metric`` subclass that is imported is found by its class name).

    Examples:
        >>> m = deserialize({"class_name": "TopKCategoricalAccuracy", "config": {"k": 3}})
        >>> m.name, m.get_config()["k"]
        ('top_k_categorical_accuracy', 3)
    """
    if isinstance(config, str):
        with custom_object_scope(custom_objects):
            return get(config)
    return METRICS.deserialize(config, custom_objects)
