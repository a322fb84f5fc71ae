"""Regression metrics: how far predicted numbers are from the targets.

The functions return one value per sample, shape ``(batch,)``: the mean over the last
axis (then over any other non-batch axes), as the losses of the same names compute it.
The classes average them over every sample seen; ``RootMeanSquaredError`` takes the root
at the end, so it is not the mean of per-batch roots.

Examples:
    >>> m = MeanAbsoluteError()
    >>> m.update_state([[0.0], [2.0]], [[1.0], [1.5]])    # errors 1.0 and 0.5
    >>> m.update_state([[3.0]], [[3.0]])                  # error 0.0
    >>> print(round(m.result(), 4))
    0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base_metric import METRIC_FUNCTIONS, MeanMetricWrapper, as_floats, mean_per_sample, paired

__all__ = [
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "RootMeanSquaredError",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mse",
]

EPSILON = 1e-7


# -- per-sample functions -------------------------------------------------------------------


@METRIC_FUNCTIONS.register(aliases=("mae",))
def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    """Mean of ``|y_true - y_pred|`` per sample -> (batch,), float32 (float64 for float64 or ints).

    Examples:
        >>> print(mean_absolute_error([[1.0, 2.0], [0.0, 0.0]], [[1.5, 1.0], [0.0, 2.0]]))
        [0.75 1.  ]
    """
    t, p = as_floats(*paired("mean_absolute_error", y_true, y_pred))
    return mean_per_sample(np.abs(t - p))


@METRIC_FUNCTIONS.register(aliases=("mse",))
def mean_squared_error(y_true, y_pred) -> np.ndarray:
    """Mean of ``(y_true - y_pred) ** 2`` per sample -> (batch,), float32 (float64 for float64 or ints).

    Examples:
        >>> print(mean_squared_error([[1.0, 2.0], [0.0, 0.0]], [[1.5, 1.0], [0.0, 2.0]]))
        [0.625 2.   ]
    """
    t, p = as_floats(*paired("mean_squared_error", y_true, y_pred))
    return mean_per_sample(np.square(t - p))


@METRIC_FUNCTIONS.register(aliases=("mape",))
def mean_absolute_percentage_error(y_true, y_pred) -> np.ndarray:
    """``100 * |y_true - y_pred| / |y_true|``, averaged per sample like ``mean_absolute_error``.

    ``|y_true|`` is floored at 1e-7, so zero targets give huge (finite) values.

    Examples:
        >>> print(mean_absolute_percentage_error([[2.0], [4.0]], [[1.0], [5.0]]))
        [50. 25.]
    """
    t, p = as_floats(*paired("mean_absolute_percentage_error", y_true, y_pred))
    return mean_per_sample(100 * np.abs(t - p) / np.maximum(np.abs(t), EPSILON))


mae = mean_absolute_error
mse = mean_squared_error
mape = mean_absolute_percentage_error


# -- metric classes -------------------------------------------------------------------------


class MeanAbsoluteError(MeanMetricWrapper, aliases=("mae",)):
    """Mean absolute error over every sample seen (see ``mean_absolute_error``); also "mae".

    Examples:
        >>> m = MeanAbsoluteError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        >>> print(round(m.result(), 4))
        0.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanSquaredError(MeanMetricWrapper, aliases=("mse",)):
    """Mean squared error over every sample seen (see ``mean_squared_error``); also "mse".

    Examples:
        >>> m = MeanSquaredError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[2.0, 1.0], [1.0, 0.0]])
        >>> print(round(m.result(), 4))
        1.25
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class RootMeanSquaredError(MeanMetricWrapper, aliases=("rmse",)):
    """Square root of the mean squared error over every sample seen; also "rmse".

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


class MeanAbsolutePercentageError(MeanMetricWrapper, aliases=("mape",)):
    """Mean absolute percentage error (see ``mean_absolute_percentage_error``); also "mape".

    Examples:
        >>> m = MeanAbsolutePercentageError()
        >>> m.update_state([[2.0], [4.0]], [[1.0], [5.0]])
        >>> print(round(m.result(), 4))
        37.5
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)
