"""``Metric``, the base class of every metric, and the reductions the others are built from.

* ``Metric`` keeps running totals: ``update_state`` adds a batch, ``result`` reads them,
  ``reset_state`` forgets them. Totals made with ``add_weight`` reset by themselves.
* ``Mean`` and ``Sum`` reduce numbers (a batch's loss, per-sample values) to one.
* ``MeanMetricWrapper`` turns a per-sample function ``fn(y_true, y_pred) -> (batch,)``
  into a metric: the weighted mean of its values over every sample seen. Accuracy, MAE,
  cross-entropy... are all wrappers of this kind.

Two registries find metrics again by name, in ``compile(metrics=["mae"])`` and in a
saved model's config: ``METRICS`` holds every ``Metric`` subclass (each registers itself
when it is defined, yours included) and ``METRIC_FUNCTIONS`` the per-sample functions
that a ``MeanMetricWrapper``'s config names.

Examples:
    >>> m = Mean()
    >>> m.update_state(0.5, sample_weight=32)   # a batch of 32 with mean loss 0.5
    >>> m.update_state(0.2, sample_weight=8)    # the last, smaller batch
    >>> print(round(m.result(), 4))             # (32 * 0.5 + 8 * 0.2) / 40
    0.44
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import initializers
from ..checks import check_dtype, check_shape
from ..registry import Registrable, Registry, snake_case
from ..targets import as_numbers, match_targets, sample_weights
from ..variable import Variable

__all__ = ["METRICS", "METRIC_FUNCTIONS", "Mean", "MeanMetricWrapper", "Metric", "Sum"]


# -- inputs: the shared targets contract, as metrics need it --------------------------------


def paired(where: str, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Targets and predictions of one shape, at least ``(batch, 1)``.

    A trailing axis of size 1 may be missing from either (see ``dl_layers.targets``).
    """
    p = as_numbers(where, "y_pred", y_pred)
    t = match_targets(where, y_true, p.shape)
    if p.ndim == 1:
        return t[:, None], p[:, None]  # (batch,) -> (batch, 1)
    return t, p


def as_floats(*arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays as floats of one common dtype, at least float32 (bools and ints convert)."""
    dtype = np.result_type(*(a.dtype for a in arrays), np.float32)
    return [a.astype(dtype, copy=False) for a in arrays]


def mean_per_sample(x: np.ndarray) -> np.ndarray:
    """(batch, ...) -> (batch,): the mean over every axis but the first."""
    return x.mean(axis=tuple(range(1, x.ndim))) if x.ndim > 1 else x


# -- the base class -------------------------------------------------------------------------


class Metric(Registrable):
    """Base class: running totals updated batch by batch, read with ``result()``.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)`` and
    ``result()`` (a Python float, a NumPy scalar or a 0-d Tensor: callers use
    ``float(metric.result())``). Totals created with ``add_weight`` are put back to their
    initial values by the default ``reset_state()``; a subclass that keeps other state
    overrides it. Every subclass is registered under its class name (and snake_case name)
    when it is defined, so that a saved model that uses it finds it again;
    ``class Mine(Metric, aliases=("mine",))`` adds names, ``register=False`` keeps a class out.

    Args:
        name: the key under which ``fit`` reports it (default: the class name in
            snake_case, e.g. ``binary_accuracy``).
        dtype: float dtype that values are cast to, and the default dtype of ``add_weight``.

    Examples:
        >>> class SamplesSeen(Metric):
        ...     def __init__(self, name="samples_seen", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.count = self.add_weight(name="count", dtype="int64")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.count.assign_add(len(y_pred))
        ...     def result(self):
        ...         return self.count
        >>> m = SamplesSeen()
        >>> m.update_state([0, 1, 1], [[0.9], [0.2], [0.6]])
        >>> int(m.result()), [v.path for v in m.variables]
        (3, ['samples_seen/count'])
        >>> m.reset_state()
        >>> int(m.result())
        0
    """


    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        if name is None:
            name = snake_case(type(self).__name__)
        if not isinstance(name, str) or not name:
            raise TypeError(f"{type(self).__name__}: argument `name` must be a non-empty string, got {name!r}")
        self.name = name
        self.dtype = check_dtype(type(self).__name__, "dtype", dtype).name
        self._weights: list[tuple[Variable, np.ndarray]] = []  # (weight, its initial value)

    def add_weight(self, name: str, shape: tuple = (), initializer: Any = "zeros", dtype: Any = None) -> Variable:
        """A new non-trainable ``Variable`` holding part of the state, e.g. a running total.

        ``shape`` () is one number; ``dtype`` defaults to the metric's. The variable is
        listed in ``variables`` and put back to its initial value by ``reset_state()``.
        """
        owner = self._who()
        if not isinstance(name, str) or not name:
            raise TypeError(f"{owner}: argument `name` of add_weight must be a non-empty string, got {name!r}")
        shape = check_shape(owner, "shape", shape)
        dtype = check_dtype(owner, "dtype", self.dtype if dtype is None else dtype, kinds="biuf")
        value = np.asarray(initializers.get(initializer)(shape, dtype=dtype), dtype=dtype)
        if value.shape != shape:
            raise ValueError(f"{owner}: the initializer of weight {name!r} returned shape {value.shape}, "
                             f"expected {shape}")
        weight = Variable(value, name=name, trainable=False, dtype=dtype)
        weight.path = f"{self.name}/{name}"
        self._weights.append((weight, value.copy()))
        return weight

    @property
    def variables(self) -> list[Variable]:
        """The weights made by ``add_weight``, in creation order."""
        return [weight for weight, _ in self._weights]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add a batch to the totals."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_state")

    def result(self) -> float:
        """The value over every sample since the last reset."""
        raise NotImplementedError(f"{type(self).__name__} does not implement result")

    def reset_state(self) -> None:
        """Forget every batch seen so far: each weight goes back to its initial value."""
        for weight, initial in self._weights:
            weight.assign(initial)

    def __call__(self, *args, **kwargs):
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
        """How error messages name this metric: ``BinaryAccuracy metric 'acc'``."""
        return f"{type(self).__name__} metric {self.name!r}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


#: Every ``Metric`` subclass (yours included), filled as the classes are defined.
METRICS = Registry("metric", base=Metric)
#: The per-sample functions a ``MeanMetricWrapper`` config can name ("binary_accuracy", "mae", ...).
METRIC_FUNCTIONS = Registry("metric function")


# -- reductions -----------------------------------------------------------------------------

# a batch's loss and size come as these: Mean adds them as Python floats, without making arrays
_NUMBER_TYPES = frozenset({float, int, np.float64, np.float32, np.float16, np.int64, np.int32})


def weighted_sums(metric: Metric, values: Any, sample_weight: Any) -> tuple[float, float]:
    """``(sum(w * values), sum(w))`` of a batch of values, weights aligned on the leading axes."""
    where = metric._who()
    v = as_numbers(where, "values", values, allow_scalar=True)
    if v.size == 0:
        return 0.0, 0.0
    v = v.astype(metric.dtype).astype(np.float64)  # values in the metric's dtype, summed in float64
    if sample_weight is None:
        return float(v.sum()), float(v.size)
    w = sample_weights(where, sample_weight, v.shape)  # (batch,) -> (batch, 1, ...): broadcasts against v
    return float(np.sum(v * w)), float(np.sum(w)) * (v.size // w.size)  # each weight covers v.size / w.size values


class Mean(Metric):
    """Running weighted mean of values: ``sum(w * values) / sum(w)``.

    ``update_state(values, sample_weight=None)``: values of any shape, a single number
    (a batch's loss) included; weights a scalar, (batch,) or the shape of the values.
    ``total`` and ``count`` hold the two sums as Python floats, so one number with one
    weight is added without making any array.

    Examples:
        >>> m = Mean()
        >>> m.update_state([1.0, 2.0, 3.0])
        >>> m.update_state([10.0], sample_weight=[3.0])
        >>> print(round(m.result(), 4))
        6.0
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        self.total = 0.0  # sum of weight * value
        self.count = 0.0  # sum of weights

    def update_state(self, values, sample_weight=None) -> None:
        if type(values) in _NUMBER_TYPES and (sample_weight is None or type(sample_weight) in _NUMBER_TYPES):
            weight = 1.0 if sample_weight is None else float(sample_weight)  # one number: plain float sums
            self.total += float(values) * weight
            self.count += weight
            return
        total, count = weighted_sums(self, values, sample_weight)
        self.total += total
        self.count += count

    def result(self) -> float:
        return self.total / self.count if self.count != 0 else 0.0

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0


class Sum(Metric):
    """Running weighted sum of values: ``sum(w * values)``.

    Examples:
        >>> m = Sum()
        >>> m.update_state([1.0, 3.0, 5.0, 7.0])
        >>> m.update_state([2.0], sample_weight=[0.5])
        >>> m.result()
        17.0
    """

    def __init__(self, name: str | None = None, dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        self.total = 0.0  # sum of weight * value

    def update_state(self, values, sample_weight=None) -> None:
        self.total += weighted_sums(self, values, sample_weight)[0]

    def result(self) -> float:
        return self.total

    def reset_state(self) -> None:
        self.total = 0.0


# -- a per-sample function as a metric ------------------------------------------------------


def _function_name(fn: Callable) -> str:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else snake_case(type(fn).__name__)


def _saved_name(fn: Callable, where: str) -> str:
    """The name a wrapped function is saved under: loading finds it again by that name."""
    try:
        return METRIC_FUNCTIONS.serialize(fn)  # a built-in function: its registered name
    except ValueError:
        pass
    name = getattr(fn, "__name__", None)
    if not isinstance(name, str) or name == "<lambda>" or not hasattr(fn, "__code__"):
        raise ValueError(
            f"{where}: cannot save the function {fn!r}: only named functions (def) can be saved, since "
            "loading finds them again by name; use a def function (passed in custom_objects when loading) "
            "or a Metric subclass"
        )
    if name in METRIC_FUNCTIONS.names():
        raise ValueError(
            f"{where}: cannot save the function {fn.__module__}.{name}: it has the name of a built-in metric "
            "function, which loading would pick instead; rename it"
        )
    return name


class MeanMetricWrapper(Mean):
    """The weighted mean of a per-sample function over every batch seen.

    ``fn(y_true, y_pred, **kwargs)`` returns one value per sample, shape (batch,) (extra
    axes are averaged; a function that returns one number counts as the mean of its
    batch). ``name`` defaults to ``fn.__name__``; ``**kwargs`` are passed on to ``fn``.
    ``update_state(y_true, y_pred, sample_weight=None)``: weights a scalar or (batch,).

    Examples:
        >>> def absolute_error(y_true, y_pred):
        ...     return np.abs(y_true - y_pred)[:, 0]
        >>> m = MeanMetricWrapper(absolute_error)
        >>> m.update_state([[1.0], [2.0]], [[1.5], [1.0]], sample_weight=[3.0, 1.0])
        >>> m.name, round(m.result(), 4)                  # (3 * 0.5 + 1 * 1.0) / 4
        ('absolute_error', 0.625)
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = "float32", **kwargs):
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}: argument `fn` must be a function (y_true, y_pred) -> "
                            f"(batch,), got {fn!r}")
        if name is None and type(self) is MeanMetricWrapper:  # subclasses default to their class name
            name = _function_name(fn)
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    @property
    def fn(self) -> Callable:
        """The wrapped per-sample function."""
        return self._fn

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        who = self._who()
        t = as_numbers(who, "y_true", y_true)
        p = as_numbers(who, "y_pred", y_pred)
        if t.shape[0] == 0 and p.shape[0] == 0:  # an empty batch adds nothing
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
        super().update_state(mean_per_sample(values), sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is MeanMetricWrapper:  # subclasses (Accuracy, ...) fix their function themselves
            config["fn"] = _saved_name(self._fn, self._who())
        return {**config, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> MeanMetricWrapper:
        if cls is not MeanMetricWrapper:
            return cls(**config)
        config = dict(config)
        if "fn" not in config:
            raise ValueError(f"{cls.__name__}.from_config: the config has no 'fn' (the wrapped function): {config!r}")
        fn = config.pop("fn")
        if isinstance(fn, str):
            fn = METRIC_FUNCTIONS.lookup(fn)  # custom_objects given to deserialize / load_model are seen too
        return cls(fn, **config)
