"""Losses: how far the predictions are from the targets, as one number to minimise.

| task | last layer | loss |
|---|---|---|
| binary classification | ``Dense(1, activation="sigmoid")`` | ``binary_crossentropy`` |
| single-label, many classes, one-hot targets | ``Dense(n, activation="softmax")`` | ``categorical_crossentropy`` |
| single-label, integer targets | ``Dense(n, activation="softmax")`` | ``sparse_categorical_crossentropy`` |
| multi-label | ``Dense(n, activation="sigmoid")`` | ``binary_crossentropy`` |
| regression | ``Dense(1)`` | ``mse`` (or ``mae``, ``huber``) |

The functions (``mse``, ``binary_crossentropy``, ...) return one loss per sample; a
``Loss`` object (``MeanSquaredError()``, ...) also weights and averages them into the
scalar that ``backward`` starts from. Targets and sample weights follow the contract of
``targets.py``, shared with the metrics; names and configs go through ``LOSSES``.

Cross-entropies are computed from *logits* (the values before softmax/sigmoid) with the
log-sum-exp trick, so that extreme values never give NaN or infinity. When predictions
come straight out of a softmax or sigmoid (``from_logits=False``, the default), the loss
reaches back to the logits that op received: same value, the exact gradient
``softmax - target``, no overflow. Other probabilities are clipped to
``[1e-7, 1 - 1e-7]`` before the log, as Keras does.

Each cross-entropy is one fused op (``...Op``) with a hand-written backward, directly
followed by its readable composed twin (``..._composed``), which the tests hold it equal to.

Examples:
    >>> loss_fn = get("sparse_categorical_crossentropy")
    >>> print(loss_fn(np.array([0, 1]), Tensor([[0.9, 0.1], [0.2, 0.8]])))   # -(log 0.9 + log 0.8) / 2
    Tensor(0.1643, dtype=float32)
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_tensor import Op, Tensor
from dl_tensor.elementwise import stable_sigmoid
from dl_tensor.softmax import stable_log_softmax

from .registry import Registrable, Registry, snake_case
from .targets import match_targets, one_hot_targets, sample_weights, sparse_labels

__all__ = [
    "EPSILON",
    "LOSSES",
    "MAE",
    "MSE",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Huber",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SigmoidCrossEntropyOp",
    "SoftmaxCrossEntropyOp",
    "SparseCategoricalCrossentropy",
    "SparseSoftmaxCrossEntropyOp",
    "binary_crossentropy",
    "categorical_crossentropy",
    "deserialize",
    "get",
    "huber",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "serialize",
    "sigmoid_cross_entropy_composed",
    "softmax_cross_entropy_composed",
    "sparse_categorical_crossentropy",
    "sparse_softmax_cross_entropy_composed",
]

#: Probabilities are clipped to [EPSILON, 1 - EPSILON] before their log (Keras's value).
EPSILON = 1e-7


# -- fused cross-entropy ops, each followed by its composed twin -----------------------------


class SparseSoftmaxCrossEntropyOp(Op):
    """Per-sample ``-log softmax(logits)[label]``; backward ``softmax - onehot``.

    Shapes: logits (..., classes) -> (...).

    Args:
        labels: integer class ids, shape ``logits.shape[:-1]``.
    """

    def __init__(self, labels: np.ndarray):
        self.labels = labels

    def forward(self, logits):
        rows = logits.reshape(-1, logits.shape[-1])  # (..., classes) -> (rows, classes)
        log_probs = stable_log_softmax(rows, axis=-1)  # (rows, classes)
        self.true_class = (np.arange(len(rows)), self.labels.reshape(-1))  # (row, label) pairs; labels (...) -> (rows,)
        if self.needs_grad:
            self.save_for_backward(np.exp(log_probs))  # softmax, (rows, classes)
        return -log_probs[self.true_class].reshape(logits.shape[:-1])  # (rows,) -> (...)

    def backward(self, grad):
        (probs,) = self.saved
        g_rows = grad.reshape(-1)  # (...) -> (rows,)
        g = probs * g_rows[:, None]  # softmax * g, (rows, classes)
        g[self.true_class] -= g_rows  # minus onehot * g
        return g.reshape(self.inputs[0].shape)  # (rows, classes) -> (..., classes)


def sparse_softmax_cross_entropy_composed(logits: Tensor, labels: np.ndarray) -> Tensor:
    """``SparseSoftmaxCrossEntropyOp`` from dl-tensor ops: ``-log_softmax(logits)`` at each label."""
    log_probs = dt.log_softmax(logits, axis=-1)  # (..., classes)
    flat = log_probs.reshape(-1, logits.shape[-1])  # (..., classes) -> (rows, classes)
    picked = flat[np.arange(labels.size), labels.reshape(-1)]  # (rows,)
    return -picked.reshape(*logits.shape[:-1])  # (rows,) -> (...)


class SoftmaxCrossEntropyOp(Op):
    """Per-sample ``-sum(targets * log softmax(logits))`` over the last axis.

    Shapes: logits (..., classes) -> (...).

    Args:
        targets: one-hot (or soft) targets, the logits' shape.
    """

    def __init__(self, targets: np.ndarray):
        self.targets = targets

    def forward(self, logits):
        log_probs = stable_log_softmax(logits, axis=-1)  # (..., classes)
        if self.needs_grad:
            self.save_for_backward(np.exp(log_probs))  # softmax, (..., classes)
        return -(self.targets * log_probs).sum(axis=-1)

    def backward(self, grad):
        (probs,) = self.saved
        t = self.targets
        # d/dz of -sum(t * log_softmax(z)) = softmax * sum(t) - t  (= softmax - t for one-hot t)
        return (probs * t.sum(axis=-1, keepdims=True) - t) * grad[..., None]


def softmax_cross_entropy_composed(logits: Tensor, targets: np.ndarray) -> Tensor:
    """``SoftmaxCrossEntropyOp`` from dl-tensor ops."""
    return -(dt.log_softmax(logits, axis=-1) * targets).sum(axis=-1)


class SigmoidCrossEntropyOp(Op):
    """Element-wise ``-(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z)))``; backward ``sigmoid(z) - t``.

    Computed as ``max(z, 0) - z t + log(1 + exp(-|z|))``, where nothing overflows.
    Shapes: logits (...) -> (...).

    Args:
        targets: values in [0, 1], the logits' shape.
    """

    def __init__(self, targets: np.ndarray):
        self.targets = targets

    def forward(self, logits):
        if self.needs_grad:
            self.save_for_backward(stable_sigmoid(logits))
        return np.maximum(logits, 0) - logits * self.targets + np.log1p(np.exp(-np.abs(logits)))

    def backward(self, grad):
        (s,) = self.saved
        return (s - self.targets) * grad


def sigmoid_cross_entropy_composed(logits: Tensor, targets: np.ndarray) -> Tensor:
    """``SigmoidCrossEntropyOp`` from dl-tensor ops."""
    return dt.maximum(logits, 0.0) - logits * targets + dt.log(1.0 + dt.exp(-dt.abs(logits)))


def _logits_of(y_pred: Tensor, activation: str) -> Tensor | None:
    """The logits ``y_pred`` was computed from, if it came straight out of ``activation``
    ("softmax" over the last axis, or "sigmoid"; dl-tensor records them), else None."""
    source = y_pred._logits
    return source[1] if source is not None and source[0] == activation else None


# -- loss functions: one value per sample (the last axis is reduced) --------------------------


def sparse_categorical_crossentropy(y_true, y_pred: Tensor, from_logits: bool = False) -> Tensor:
    """Cross-entropy for integer labels.

    Shapes: y_true (batch, ...) class ids, or (batch, ..., 1); y_pred (batch, ..., classes)
    probabilities (or logits) -> (batch, ...).

    Examples:
        >>> print(sparse_categorical_crossentropy(np.array([0]), Tensor([[2.0, 0.0]]), from_logits=True))
        Tensor([0.1269], dtype=float32)
    """
    labels = sparse_labels("sparse_categorical_crossentropy", y_true, y_pred.shape)
    logits = y_pred if from_logits else _logits_of(y_pred, "softmax")
    if logits is not None:
        return SparseSoftmaxCrossEntropyOp(labels)(logits)
    probs = dt.clip(y_pred, EPSILON, 1 - EPSILON)
    flat = probs.reshape(-1, y_pred.shape[-1])  # (batch, ..., classes) -> (rows, classes)
    picked = flat[np.arange(labels.size), labels.reshape(-1)]  # (rows,)
    return -dt.log(picked).reshape(*y_pred.shape[:-1])  # (rows,) -> (batch, ...)


def categorical_crossentropy(y_true, y_pred: Tensor, from_logits: bool = False,
                             label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy for one-hot targets.

    Shapes: y_true and y_pred (batch, ..., classes) -> (batch, ...). ``label_smoothing``
    mixes the targets with a uniform distribution.

    Examples:
        >>> print(categorical_crossentropy(np.array([[1.0, 0.0]]), Tensor([[2.0, 0.0]]), from_logits=True))
        Tensor([0.1269], dtype=float32)
    """
    t = one_hot_targets("categorical_crossentropy", y_true, y_pred.shape).astype(y_pred.dtype, copy=False)
    if label_smoothing:
        t = t * (1 - label_smoothing) + label_smoothing / y_pred.shape[-1]
    logits = y_pred if from_logits else _logits_of(y_pred, "softmax")
    if logits is not None:
        return SoftmaxCrossEntropyOp(t)(logits)
    probs = dt.clip(y_pred / y_pred.sum(axis=-1, keepdims=True), EPSILON, 1 - EPSILON)  # rows rescaled to sum to 1
    return -(dt.log(probs) * t).sum(axis=-1)


def binary_crossentropy(y_true, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy for 0/1 targets, element-wise, averaged over the last axis.

    Shapes: y_true and y_pred (batch, ..., units), or y_true (batch,) for y_pred (batch, 1)
    -> (batch, ...). ``label_smoothing`` moves the targets towards 0.5.

    Examples:
        >>> print(binary_crossentropy(np.array([1.0, 0.0]), Tensor([[0.9], [0.2]])))
        Tensor([0.1054, 0.2231], dtype=float32)
    """
    t = match_targets("binary_crossentropy", y_true, y_pred.shape).astype(y_pred.dtype, copy=False)
    if label_smoothing:
        t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred, "sigmoid")
    if logits is not None:
        return SigmoidCrossEntropyOp(t)(logits).mean(axis=-1)
    p = dt.clip(y_pred, EPSILON, 1 - EPSILON)
    return -(t * dt.log(p) + (1 - t) * dt.log(1 - p)).mean(axis=-1)


def mean_squared_error(y_true, y_pred: Tensor) -> Tensor:
    """Mean of the squared differences over the last axis: (batch, ..., units) -> (batch, ...).

    Examples:
        >>> print(mean_squared_error(np.array([0.0, 1.0]), Tensor([[0.5], [3.0]])))
        Tensor([0.25, 4.  ], dtype=float32)
    """
    t = match_targets("mean_squared_error", y_true, y_pred.shape).astype(y_pred.dtype, copy=False)
    return ((y_pred - t) ** 2).mean(axis=-1)


def mean_absolute_error(y_true, y_pred: Tensor) -> Tensor:
    """Mean of the absolute differences over the last axis: (batch, ..., units) -> (batch, ...).

    Examples:
        >>> print(mean_absolute_error(np.array([0.0, 1.0]), Tensor([[0.5], [3.0]])))
        Tensor([0.5, 2. ], dtype=float32)
    """
    t = match_targets("mean_absolute_error", y_true, y_pred.shape).astype(y_pred.dtype, copy=False)
    return dt.abs(y_pred - t).mean(axis=-1)


def huber(y_true, y_pred: Tensor, delta: float = 1.0) -> Tensor:
    """Squared error up to ``delta``, absolute beyond, mean over the last axis: (batch, ..., units) -> (batch, ...).

    Examples:
        >>> print(huber(np.array([0.0, 0.0]), Tensor([[0.5], [3.0]])))   # 0.5 * 0.5**2, 3 - 0.5
        Tensor([0.125, 2.5  ], dtype=float32)
    """
    t = match_targets("huber", y_true, y_pred.shape).astype(y_pred.dtype, copy=False)
    err = dt.abs(y_pred - t)
    small = dt.minimum(err, delta)  # the quadratic part
    return (0.5 * small**2 + delta * (err - small)).mean(axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# -- Loss objects --------------------------------------------------------------------------


class Loss(Registrable):
    """Per-sample losses, weighted and reduced to the scalar that ``backward`` starts from.

    ``loss(y_true, y_pred, sample_weight=None)`` computes the per-sample losses with
    ``call`` (batch, ...), multiplies them by ``sample_weight`` (a scalar, or (batch,)),
    then reduces them: "sum_over_batch_size" (the default: the weighted sum divided by the
    number of values), "sum", or "none". A subclass implements ``call``; defining it
    registers it, so ``get("MyLoss")`` and a saved model find it by name.

    Examples:
        >>> class DoubledError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return 2 * mean_squared_error(y_true, y_pred)
        >>> print(get("DoubledError")(np.zeros(2), Tensor([[1.0], [3.0]])))   # 2 * (1 + 9) / 2
        Tensor(10., dtype=float32)
    """


    def __init__(self, name: str | None = None, reduction: str = "sum_over_batch_size"):
        if reduction not in ("sum_over_batch_size", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'sum_over_batch_size', 'sum' or "
                             f"'none', got {reduction!r}")
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true, y_pred: Tensor) -> Tensor:
        """Per-sample losses, shape (batch, ...)."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        if not isinstance(y_pred, Tensor):
            y_pred = Tensor(y_pred)
        values = self.call(y_true, y_pred)  # (batch, ...)
        if sample_weight is not None:
            # (batch,) weights -> (batch, 1, ...): one weight per sample, over all its values
            values = values * sample_weights(self.name, sample_weight, values.shape, values.dtype)
        if self.reduction == "none":
            return values
        if self.reduction == "sum":
            return values.sum()
        return values.mean() if values.size else values.sum()  # sum_over_batch_size (0 for an empty batch)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class LossFunctionWrapper(Loss, register=False):  # not registered: its function is not part of its config
    """A per-sample loss function as a ``Loss``: what ``get`` makes of your own function.

    Args:
        fn: ``fn(y_true, y_pred, **kwargs)`` -> per-sample losses (batch, ...).
        name: defaults to the function's name.
        **kwargs: passed to ``fn`` on every call (and saved in the config).

    Examples:
        >>> def scaled_error(y_true, y_pred):
        ...     return 3 * mean_absolute_error(y_true, y_pred)
        >>> loss_fn = get(scaled_error)
        >>> type(loss_fn).__name__, loss_fn.name
        ('LossFunctionWrapper', 'scaled_error')
        >>> print(loss_fn(np.zeros(2), Tensor([[1.0], [3.0]])))
        Tensor(6., dtype=float32)
    """

    def __init__(self, fn, name: str | None = None, reduction: str = "sum_over_batch_size", **kwargs):
        self.fn, self.fn_kwargs = fn, kwargs
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)  # the function's name, for error messages
        super().__init__(name=name or self.__name__, reduction=reduction)

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.fn_kwargs}


def _loss_from_function(fn) -> Loss:
    """What ``get`` makes of a function: a built-in one gives its class (which a saved model
    can name), any other a ``LossFunctionWrapper``."""
    for function, cls in _CLASS_OF_FUNCTION.items():
        if fn is function:
            return cls(name=fn.__name__)
    return LossFunctionWrapper(fn)


#: Every Loss subclass, built-in or yours, by class name, snake_case name and alias.
LOSSES = Registry("loss", base=Loss, wrap=_loss_from_function)


class BinaryCrossentropy(LossFunctionWrapper):
    """``binary_crossentropy`` as a ``Loss``.

    Examples:
        >>> print(BinaryCrossentropy(from_logits=True)(np.array([1.0, 0.0]), Tensor([[0.0], [0.0]])))
        Tensor(0.6931, dtype=float32)
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 reduction: str = "sum_over_batch_size", name: str = "binary_crossentropy"):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits  # read by the "accuracy" metric: a threshold of 0 on logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """``categorical_crossentropy`` as a ``Loss``.

    Examples:
        >>> print(CategoricalCrossentropy()(np.array([[0.0, 1.0]]), Tensor([[0.5, 0.5]])))
        Tensor(0.6931, dtype=float32)
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 reduction: str = "sum_over_batch_size", name: str = "categorical_crossentropy"):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """``sparse_categorical_crossentropy`` as a ``Loss``.

    Examples:
        >>> print(SparseCategoricalCrossentropy()(np.array([1]), Tensor([[0.5, 0.5]])))
        Tensor(0.6931, dtype=float32)
    """

    def __init__(self, from_logits: bool = False, reduction: str = "sum_over_batch_size",
                 name: str = "sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, from_logits=from_logits)
        self.from_logits = from_logits


class MeanSquaredError(LossFunctionWrapper, aliases=("mse", "MSE")):
    """``mean_squared_error`` as a ``Loss``.

    Examples:
        >>> print(MeanSquaredError()(np.array([0.0, 1.0]), Tensor([[0.5], [3.0]])))   # (0.25 + 4) / 2
        Tensor(2.125, dtype=float32)
    """

    def __init__(self, reduction: str = "sum_over_batch_size", name: str = "mean_squared_error"):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(LossFunctionWrapper, aliases=("mae", "MAE")):
    """``mean_absolute_error`` as a ``Loss``.

    Examples:
        >>> print(MeanAbsoluteError(reduction="sum")(np.array([0.0, 1.0]), Tensor([[0.5], [3.0]])))
        Tensor(2.5, dtype=float32)
    """

    def __init__(self, reduction: str = "sum_over_batch_size", name: str = "mean_absolute_error"):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class Huber(LossFunctionWrapper, aliases=("huber_loss",)):
    """``huber`` as a ``Loss``.

    Examples:
        >>> print(Huber(delta=2.0, reduction="none")(np.array([0.0, 0.0]), Tensor([[1.0], [3.0]])))
        Tensor([0.5, 4. ], dtype=float32)
    """

    def __init__(self, delta: float = 1.0, reduction: str = "sum_over_batch_size", name: str = "huber_loss"):
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


_CLASS_OF_FUNCTION = {
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    huber: Huber,
}


# -- by name and config (Keras's three functions) ---------------------------------------------


def get(identifier, custom_objects: dict | None = None) -> Loss | None:
    """The ``Loss`` for ``compile(loss=...)``: from a name ("mse", "BinaryCrossentropy", ...),
    a ``serialize`` dict, a ``Loss`` class or instance, or a function ``fn(y_true, y_pred)``.

    Examples:
        >>> type(get("mse")).__name__, type(get(binary_crossentropy)).__name__
        ('MeanSquaredError', 'BinaryCrossentropy')
    """
    return LOSSES.get(identifier, custom_objects)


def serialize(loss: Loss) -> dict:
    """``{"class_name": ..., "config": ...}`` of a registered loss (a plain function's wrapper raises ValueError).

    Examples:
        >>> serialize(Huber(delta=2.0))
        {'class_name': 'Huber', 'config': {'name': 'huber_loss', 'reduction': 'sum_over_batch_size', 'delta': 2.0}}
    """
    return LOSSES.serialize(loss)


def deserialize(config, custom_objects: dict | None = None) -> Loss:
    """The ``Loss`` that ``serialize`` described.

    Examples:
        >>> deserialize({"class_name": "Huber", "config": {"delta": 2.0}}).get_config()["delta"]
        2.0
    """
    return LOSSES.deserialize(config, custom_objects)
