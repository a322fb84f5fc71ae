"""Losses: how far the predictions are from the targets, as one number to minimise.

| task | last layer | loss |
|---|---|---|
| binary classification | ``Dense(1, activation="sigmoid")`` | ``binary_crossentropy`` |
| single-label, many classes, one-hot targets | ``Dense(n, activation="softmax")`` | ``categorical_crossentropy`` |
| single-label, integer targets | ``Dense(n, activation="softmax")`` | ``sparse_categorical_crossentropy`` |
| multi-label | ``Dense(n, activation="sigmoid")`` | ``binary_crossentropy`` |
| regression | ``Dense(1)`` | ``mse`` (or ``mae``, ``huber``) |

Cross-entropies are computed from *logits* (the values before softmax/sigmoid) with the
log-sum-exp trick, so that extreme values never give NaN or infinity. When predictions
come straight out of a softmax or sigmoid (``from_logits=False``, the default), the loss
reaches back to the logits that op received, which gives the same value, the exact
gradient ``softmax - target``, and no overflow. Other probabilities are clipped to
``[1e-7, 1 - 1e-7]`` before the log, as Keras does.

Each cross-entropy is one fused op with a hand-written backward; the readable composed
versions (``*_composed``) beside them are what the tests check the fused ops against.
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_tensor import Op, Tensor

from .layer import snake_case

EPSILON = 1e-7


# -- fused kernels --------------------------------------------------------------------


class SparseSoftmaxCrossEntropy(Op):
    """Per-sample ``-log softmax(logits)[label]``; backward ``softmax - onehot``.

    Args:
        labels: integer class ids of shape ``logits.shape[:-1]``.
    """

    def __init__(self, labels: np.ndarray):
        self.labels = labels

    def forward(self, logits):
        z = logits.reshape(-1, logits.shape[-1])  # (..., classes) -> (rows, classes)
        labels = self.labels.reshape(-1)  # (...) -> (rows,)
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1)  # (rows,)
        rows = np.arange(len(labels))
        loss = np.log(sum_exp) - shifted[rows, labels]  # (rows,)
        if self.needs_grad:
            self.save_for_backward(exp / sum_exp[:, None])  # softmax, (rows, classes)
        return loss.reshape(logits.shape[:-1])

    def backward(self, grad):
        (probs,) = self.saved
        g_rows = grad.reshape(-1)  # (...) -> (rows,)
        g = probs * g_rows[:, None]  # softmax * g, (rows, classes)
        g[np.arange(len(g)), self.labels.reshape(-1)] -= g_rows  # minus onehot * g
        return g.reshape(self.inputs[0].shape)


class SoftmaxCrossEntropy(Op):
    """Per-sample ``-sum(target * log softmax(logits))`` over the last axis.

    Args:
        targets: one-hot (or soft) targets with the shape of the logits.
    """

    def __init__(self, targets: np.ndarray):
        self.targets = targets

    def forward(self, logits):
        shifted = logits - logits.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=-1, keepdims=True)
        log_probs = shifted - np.log(sum_exp)
        if self.needs_grad:
            self.save_for_backward(exp / sum_exp)
        return -(self.targets * log_probs).sum(axis=-1)

    def backward(self, grad):
        (probs,) = self.saved
        t = self.targets
        # d/dz of -sum(t * log_softmax(z)) = softmax * sum(t) - t  (= softmax - t for one-hot t)
        return (probs * t.sum(axis=-1, keepdims=True) - t) * grad[..., None]


class SigmoidCrossEntropy(Op):
    """Element-wise ``-(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z)))``, stably:
    ``max(z, 0) - z t + log(1 + exp(-|z|))``; backward ``sigmoid(z) - t``."""

    def __init__(self, targets: np.ndarray):
        self.targets = targets

    def forward(self, logits):
        t = self.targets
        e = np.exp(-np.abs(logits))  # in (0, 1]: never overflows
        if self.needs_grad:
            self.save_for_backward(np.where(logits >= 0, 1, e) / (1 + e))  # sigmoid(z)
        return np.maximum(logits, 0) - logits * t + np.log1p(e)

    def backward(self, grad):
        (s,) = self.saved
        return (s - self.targets) * grad


# -- readable composed twins (the reference the fused kernels are tested against) ---------


def sparse_softmax_cross_entropy_composed(logits: Tensor, labels: np.ndarray) -> Tensor:
    """``-log_softmax(logits)`` picked at each label, from dl-tensor ops."""
    log_probs = dt.log_softmax(logits, axis=-1)  # (..., classes)
    flat = log_probs.reshape(-1, logits.shape[-1])  # (rows, classes)
    picked = flat[np.arange(labels.size), labels.reshape(-1)]  # (rows,)
    return -picked.reshape(*logits.shape[:-1])


def softmax_cross_entropy_composed(logits: Tensor, targets: np.ndarray) -> Tensor:
    return -(dt.log_softmax(logits, axis=-1) * targets).sum(axis=-1)


def sigmoid_cross_entropy_composed(logits: Tensor, targets: np.ndarray) -> Tensor:
    return dt.maximum(logits, 0.0) - logits * targets + dt.log(1.0 + dt.exp(-dt.abs(logits)))


# -- target checks ----------------------------------------------------------------------


def _array(y) -> np.ndarray:
    return y.data if isinstance(y, Tensor) else np.asarray(y)


def _match_float_targets(name: str, y_true, y_pred: Tensor) -> np.ndarray:
    """Targets as an array of y_pred's shape and dtype, or a clear error."""
    t = _array(y_true)
    if t.dtype.kind not in "fiub":
        raise TypeError(f"{name}: targets must be numbers, got dtype {t.dtype}")
    if t.shape != y_pred.shape:
        if t.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1 and t.shape == y_pred.shape[:-1]:
            t = t[..., None]  # (batch,) targets for (batch, 1) predictions
        elif t.ndim == y_pred.ndim + 1 and t.shape[-1] == 1 and t.shape[:-1] == y_pred.shape:
            t = t[..., 0]
        else:
            raise ValueError(
                f"{name}: targets of shape {t.shape} do not match predictions of shape {y_pred.shape}"
            )
    return t.astype(y_pred.dtype, copy=False)


def _sparse_labels(name: str, y_true, y_pred: Tensor) -> np.ndarray:
    t = _array(y_true)
    expected = y_pred.shape[:-1]
    if t.shape == (*expected, 1):
        t = t[..., 0]  # (batch, 1) labels
    if t.shape != expected:
        hint = " (one-hot targets? use categorical_crossentropy)" if t.shape == y_pred.shape else ""
        raise ValueError(
            f"{name}: expected integer labels of shape {expected} for predictions of shape "
            f"{y_pred.shape}, got labels of shape {t.shape}{hint}"
        )
    if t.dtype.kind == "f":
        if not np.all(np.mod(t, 1) == 0):
            raise ValueError(f"{name}: labels must be integer class ids, got non-integer values such as "
                             f"{t[np.mod(t, 1) != 0].flat[0]}")
        t = t.astype(np.int64)
    elif t.dtype.kind not in "iu":
        raise TypeError(f"{name}: labels must be integers, got dtype {t.dtype}")
    n = y_pred.shape[-1]
    if t.size and (t.min() < 0 or t.max() >= n):
        bad = t[(t < 0) | (t >= n)].flat[0]
        raise ValueError(f"{name}: label {bad} is out of range for {n} classes (expected 0..{n - 1})")
    return t


def _logits_of(y_pred: Tensor, kind: str):
    """The logits ``y_pred`` was computed from, if it came straight out of ``kind``
    ("softmax" over the last axis, or "sigmoid"); recorded by those functions."""
    source = y_pred._logits
    return source[1] if source is not None and source[0] == kind else None


# -- loss functions (per-sample values: the last axis is reduced) -------------------------


def sparse_categorical_crossentropy(y_true, y_pred: Tensor, from_logits: bool = False, axis: int = -1) -> Tensor:
    """Cross-entropy for integer labels: ``y_true`` (batch,) ids, ``y_pred`` (batch, classes).

    Returns per-sample losses of shape (batch,).

    Examples:
        >>> import numpy as np
        >>> from dl_tensor import Tensor
        >>> loss = sparse_categorical_crossentropy(np.array([0]), Tensor([[2.0, 0.0]]), from_logits=True)
        >>> print(np.round(loss.numpy(), 4))
        [0.1269]
    """
    labels = _sparse_labels("sparse_categorical_crossentropy", y_true, y_pred)
    logits = y_pred if from_logits else _logits_of(y_pred, "softmax")
    if logits is not None:
        return SparseSoftmaxCrossEntropy(labels)(logits)
    probs = dt.clip(y_pred, EPSILON, 1 - EPSILON)
    flat = probs.reshape(-1, y_pred.shape[-1])  # (rows, classes)
    picked = flat[np.arange(labels.size), labels.reshape(-1)]  # (rows,)
    return -dt.log(picked).reshape(*y_pred.shape[:-1])


def categorical_crossentropy(y_true, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> Tensor:
    """Cross-entropy for one-hot targets: both (batch, classes); returns (batch,)."""
    t = _match_float_targets("categorical_crossentropy", y_true, y_pred)
    if label_smoothing:
        t = t * (1 - label_smoothing) + label_smoothing / y_pred.shape[-1]
    logits = y_pred if from_logits else _logits_of(y_pred, "softmax")
    if logits is not None:
        return SoftmaxCrossEntropy(t)(logits)
    probs = dt.clip(y_pred / y_pred.sum(axis=-1, keepdims=True), EPSILON, 1 - EPSILON)
    return -(dt.log(probs) * t).sum(axis=-1)


def binary_crossentropy(y_true, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> Tensor:
    """Cross-entropy for 0/1 targets, element-wise, averaged over the last axis.

    ``y_pred`` (batch, 1) probabilities (or logits), ``y_true`` (batch,) or (batch, 1);
    returns (batch,).
    """
    t = _match_float_targets("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred, "sigmoid")
    if logits is not None:
        return SigmoidCrossEntropy(t)(logits).mean(axis=-1)
    p = dt.clip(y_pred, EPSILON, 1 - EPSILON)
    return -(t * dt.log(p) + (1 - t) * dt.log(1 - p)).mean(axis=-1)


def mean_squared_error(y_true, y_pred: Tensor) -> Tensor:
    """Mean of squared differences over the last axis; returns (batch,)."""
    t = _match_float_targets("mean_squared_error", y_true, y_pred)
    return ((y_pred - t) ** 2).mean(axis=-1)


def mean_absolute_error(y_true, y_pred: Tensor) -> Tensor:
    """Mean of absolute differences over the last axis; returns (batch,)."""
    t = _match_float_targets("mean_absolute_error", y_true, y_pred)
    return dt.abs(y_pred - t).mean(axis=-1)


def huber(y_true, y_pred: Tensor, delta: float = 1.0) -> Tensor:
    """Squared error for small errors, absolute beyond ``delta``; mean over the last axis."""
    t = _match_float_targets("huber", y_true, y_pred)
    err = dt.abs(y_pred - t)
    small = dt.minimum(err, delta)  # the quadratic part
    return (0.5 * small**2 + delta * (err - small)).mean(axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# -- loss classes -------------------------------------------------------------------------


class Loss:
    """A loss function plus its reduction to one scalar.

    ``loss(y_true, y_pred, sample_weight=None)`` computes per-sample losses with ``call``,
    weights them, and averages ("sum_over_batch_size": sum of weighted losses divided by
    their count), returning a scalar Tensor to call ``backward`` on.
    """

    def __init__(self, name: str | None = None, reduction: str = "sum_over_batch_size"):
        if reduction not in ("sum_over_batch_size", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'sum_over_batch_size', 'sum' or "
                             f"'none', got {reduction!r}")
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        if not isinstance(y_pred, Tensor):
            y_pred = Tensor(y_pred)
        values = self.call(y_true, y_pred)  # (batch, ...)
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=values.dtype)
            while w.ndim > values.ndim and w.shape[-1] == 1:  # (batch, 1) weights for (batch,) losses
                w = w[..., 0]
            if w.ndim > values.ndim or w.shape != values.shape[: w.ndim]:
                raise ValueError(
                    f"{self.name}: sample_weight of shape {w.shape} does not fit per-sample losses of shape "
                        f"{values.shape}"
                )
            values = values * w.reshape(w.shape + (1,) * (values.ndim - w.ndim))
        if self.reduction == "none":
            return values
        if self.reduction == "sum":
            return values.sum()
        return values.mean() if values.size else values.sum()  # sum_over_batch_size

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A per-sample loss function as a ``Loss`` (what a plain function in ``compile`` becomes)."""

    def __init__(self, fn, name: str | None = None, reduction: str = "sum_over_batch_size", **fn_kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "loss"), reduction=reduction)
        self.fn, self.fn_kwargs = fn, fn_kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.fn_kwargs}


class _CrossEntropy(LossFunctionWrapper):
    _fn = None

    def __init__(self, from_logits: bool = False, name: str | None = None, reduction="sum_over_batch_size", **kwargs):
        super().__init__(type(self)._fn, name=name or snake_case(type(self).__name__), reduction=reduction,
                         from_logits=from_logits, **kwargs)
        self.from_logits = from_logits

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, **self.fn_kwargs}


class BinaryCrossentropy(_CrossEntropy):
    """``binary_crossentropy`` as an object: ``BinaryCrossentropy(from_logits=True)``."""

    _fn = staticmethod(binary_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, name=None, reduction="sum_over_batch_size"):
        super().__init__(from_logits, name, reduction, label_smoothing=label_smoothing)


class CategoricalCrossentropy(_CrossEntropy):
    """``categorical_crossentropy`` as an object."""

    _fn = staticmethod(categorical_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, name=None, reduction="sum_over_batch_size"):
        super().__init__(from_logits, name, reduction, label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(_CrossEntropy):
    """``sparse_categorical_crossentropy`` as an object."""

    _fn = staticmethod(sparse_categorical_crossentropy)

    def __init__(self, from_logits=False, name=None, reduction="sum_over_batch_size"):
        super().__init__(from_logits, name, reduction)


class MeanSquaredError(LossFunctionWrapper):
    """``mse`` as an object."""

    def __init__(self, name="mean_squared_error", reduction="sum_over_batch_size"):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mae`` as an object."""

    def __init__(self, name="mean_absolute_error", reduction="sum_over_batch_size"):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class Huber(LossFunctionWrapper):
    """``huber`` as an object: ``Huber(delta=1.0)``."""

    def __init__(self, delta=1.0, name="huber_loss", reduction="sum_over_batch_size"):
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


_BY_NAME = {
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
}
_CLASSES = {cls.__name__: cls for cls in set(_BY_NAME.values())}
_FUNCTIONS = {
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    huber: Huber,
}


def get(identifier) -> Loss:
    """A ``Loss`` from a name ("mse", "binary_crossentropy", ...), a class, an instance,
    a ``{"class_name", "config"}`` dict, or a function ``fn(y_true, y_pred) -> per-sample``."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else snake_case(identifier)
        cls = _BY_NAME.get(key) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"loss: unknown loss {identifier!r}; valid names: {sorted(_BY_NAME)}")
        return cls() if key not in ("mse", "mae") else cls(name=key)
    if isinstance(identifier, dict) and "class_name" in identifier:
        cls = _CLASSES.get(identifier["class_name"])
        if cls is None:
            raise ValueError(f"loss: unknown loss class {identifier['class_name']!r}; valid: {sorted(_CLASSES)}")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier) and identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier](name=identifier.__name__)
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"loss: expected a loss name, Loss or function, got {identifier!r}; valid names: "
                     f"{sorted(_BY_NAME)}")


def serialize(loss: Loss) -> dict:
    """``{"class_name", "config"}`` of a built-in loss (custom functions cannot be saved)."""
    cls_name = type(loss).__name__
    if cls_name not in _CLASSES:
        raise ValueError(
            f"loss: cannot save the custom loss {loss.name!r}; dl-book saves only built-in losses "
            "(pass compile=False to save/load, and compile again after loading)"
        )
    return {"class_name": cls_name, "config": loss.get_config()}
