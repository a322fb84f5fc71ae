"""Baselines: the scores to beat before a network's score means anything.

A model's accuracy of 0.62 is good news on ten balanced classes and bad news when 70% of the
samples belong to one class. So before training anything, measure what no learning at all
achieves: always predicting the most frequent class, guessing classes at their frequencies,
predicting the mean or median target, or, for a time series, predicting that tomorrow
equals today. Then a simple statistical model (linear or logistic regression) tells whether
the problem needs a deep network at all. Every baseline here has ``fit(x, y)`` and
``predict(x)``, and ``predict`` returns what a Keras model would for the same task (float32
probabilities ``(samples, classes)``, or ``(samples, 1)`` values), so ``evaluate_baseline``
scores it with the very loss and metrics objects ``model.evaluate`` uses.

Examples:
    >>> import numpy as np
    >>> from dl_workflow.baselines import MajorityClassifier, evaluate_baseline
    >>> y = np.array([0, 1, 1, 1, 2])
    >>> evaluate_baseline(MajorityClassifier().fit(None, y), np.zeros((5, 3)), y, metrics=["accuracy"],
    ...                   return_dict=True)
    {'loss': 6.447..., 'accuracy': 0.6}
"""

from __future__ import annotations

import numpy as np

import dl_layers
from dl_layers.checks import check_choice, check_number
from dl_tensor import Tensor
from dl_tensor import random as dl_random

__all__ = [
    "LinearRegression",
    "LogisticRegression",
    "MajorityClassifier",
    "MeanRegressor",
    "MedianRegressor",
    "PersistenceForecast",
    "StratifiedRandomClassifier",
    "evaluate_baseline",
]


# -- input checks shared by every baseline ---------------------------------------------------


def _n_samples(owner: str, x) -> int:
    """The number of samples of ``x`` (anything with a length: arrays, lists of texts)."""
    if x is None:
        raise ValueError(f"{owner}: x is required (only its number of samples is used)")
    if isinstance(x, np.ndarray) and x.ndim == 0:
        raise ValueError(f"{owner}: x must have a batch axis, shape (samples, ...), got a scalar")
    try:
        n = len(x)
    except TypeError:
        raise TypeError(f"{owner}: x must be an array or a sequence of samples, got {type(x).__name__}") from None
    if n == 0:
        raise ValueError(f"{owner}: x is empty (0 samples)")
    return n


def _numbers(owner: str, name: str, a, min_ndim: int = 1) -> np.ndarray:
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{owner}: {name} could not be read as an array ({err})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {name} must hold numbers, got dtype {arr.dtype}")
    if arr.ndim < min_ndim:
        raise ValueError(f"{owner}: {name} must have a batch axis, shape (samples, ...), got shape {arr.shape}")
    if len(arr) == 0:
        raise ValueError(f"{owner}: {name} is empty (0 samples)")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{owner}: {name} contains NaN or an infinite value")
    return arr


def _same_length(owner: str, x, y: np.ndarray) -> None:
    if x is None:
        return
    n = _n_samples(owner, x)
    if n != len(y):
        raise ValueError(f"{owner}: x has {n} samples but y has {len(y)}; they must match")


def _class_ids(owner: str, y, num_classes: int | None) -> tuple[np.ndarray, int, bool]:
    """Labels as int64 class ids (samples,), the number of classes, and whether y was one-hot.

    Accepts ids (samples,) or (samples, 1), as ints or integral floats (the book's float32
    0/1 labels), or one-hot rows (samples, classes).
    """
    y = _numbers(owner, "y", y)
    one_hot = y.ndim == 2 and y.shape[1] > 1
    if one_hot:
        if not (np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()):
            raise ValueError(f"{owner}: 2-D labels of shape {y.shape} must be one-hot rows (a single 1 per row)")
        ids, classes = y.argmax(axis=1), y.shape[1]
    elif y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
        ids = y.reshape(-1)  # (samples,) or (samples, 1) -> (samples,)
        if ids.dtype.kind == "f" and not (ids == np.round(ids)).all():
            bad = ids[ids != np.round(ids)][0]
            raise TypeError(f"{owner}: labels must be integer class ids 0, 1, ..., got {bad!r} "
                            "(for a regression target use MeanRegressor or LinearRegression)")
        if (ids < 0).any():
            raise ValueError(f"{owner}: labels must be class ids >= 0, got {ids.min()!r}")
        classes = int(ids.max()) + 1
    else:
        raise ValueError(f"{owner}: labels must have shape (samples,), (samples, 1) or one-hot (samples, classes), "
                         f"got {y.shape}")
    if num_classes is not None:
        if num_classes < classes:
            raise ValueError(f"{owner}: num_classes={num_classes} but the labels go up to class {classes - 1}")
        classes = num_classes
    return ids.astype(np.int64), classes, one_hot


class _Baseline:
    """Shared bookkeeping: ``fitted`` state and the error for predicting before ``fit``."""

    def _require_fitted(self, what: str = "predict") -> None:
        if not getattr(self, "_fitted", False):
            raise RuntimeError(f"{type(self).__name__}.{what}: call fit(x, y) first")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _ClassFrequencies(_Baseline):
    """A classifier whose predictions come from the training labels' class frequencies."""

    def __init__(self, output: str = "probabilities", num_classes: int | None = None):
        owner = type(self).__name__
        self.output = check_choice(owner, "output", output, ("probabilities", "binary"))
        self.num_classes = check_number(owner, "num_classes", num_classes, minimum=1, integer=True, none_ok=True)
        self._fitted = False

    def fit(self, x, y):
        """Count the classes of the training labels ``y`` (``x`` only gives the number of samples).

        Args:
            x: training inputs (any array or sequence with one entry per sample), or None.
            y: class ids (samples,) or (samples, 1) (ints or integral floats), or one-hot
                rows (samples, classes).

        Returns:
            self.
        """
        owner = f"{type(self).__name__}.fit"
        ids, classes, one_hot = _class_ids(owner, y, self.num_classes)
        _same_length(owner, x, ids)
        if self.output == "binary" and (classes > 2 or one_hot):
            raise ValueError(f"{owner}: output='binary' needs 0/1 labels (a sigmoid-style task), got "
                             f"{'one-hot labels' if one_hot else f'{classes} classes'}")
        counts = np.bincount(ids, minlength=classes)  # (classes,)
        self.class_counts_ = counts
        self.class_prior_ = counts / counts.sum()  # (classes,) frequencies
        self.n_classes_ = int(classes)
        self._one_hot = one_hot
        self._fitted = True
        return self

    @property
    def loss(self) -> str:
        """The loss that fits the output (``evaluate_baseline``'s default)."""
        if self.output == "binary":
            return "binary_crossentropy"
        return "categorical_crossentropy" if getattr(self, "_one_hot", False) else "sparse_categorical_crossentropy"

    def _probabilities(self, x, row: np.ndarray) -> np.ndarray:
        """``row`` (classes,) repeated for every sample of ``x``, in the chosen output form."""
        n = _n_samples(f"{type(self).__name__}.predict", x)
        if self.output == "binary":
            row = row[1:2] if len(row) > 1 else np.zeros(1)  # P(class 1), shape (1,)
        return np.tile(row.astype(np.float32), (n, 1))  # (samples, classes) or (samples, 1)


class MajorityClassifier(_ClassFrequencies):
    """Always predicts the most frequent class of the training labels (the first on ties).

    Its accuracy is the share of that class: the floor any classifier must clear.

    Args:
        output: ``"probabilities"`` (default): ``predict`` gives (samples, classes) rows with
            a 1 on the majority class, for ``sparse_categorical_crossentropy`` (or
            ``categorical_crossentropy`` with one-hot labels) and ``accuracy``.
            ``"binary"``: for 0/1 labels of a sigmoid-style model, ``predict`` gives
            (samples, 1) with the majority class (0.0 or 1.0), for ``binary_crossentropy``.
        num_classes: the number of classes, if some do not occur in the training labels
            (default: the largest label + 1).

    Attributes (after ``fit``):
        class_counts_: the training labels' class counts.
        class_prior_: their frequencies.
        majority_class_: the predicted class id.
        n_classes_: the number of classes.

    Examples:
        >>> clf = MajorityClassifier().fit(None, [2, 0, 2, 1])
        >>> clf.predict(np.zeros(3))
        array([[0., 0., 1.],
               [0., 0., 1.],
               [0., 0., 1.]], dtype=float32)
        >>> clf.predict_classes(np.zeros(2))
        array([2, 2])
        >>> MajorityClassifier(output="binary").fit(None, [1.0, 1.0, 0.0]).predict(np.zeros(2))
        array([[1.],
               [1.]], dtype=float32)
    """

    def fit(self, x, y) -> MajorityClassifier:
        super().fit(x, y)
        self.majority_class_ = int(np.argmax(self.class_counts_))
        return self

    def predict(self, x) -> np.ndarray:
        """One row per sample of ``x``: (samples, classes), or (samples, 1) with ``output="binary"``."""
        self._require_fitted()
        return self._probabilities(x, np.eye(self.n_classes_)[self.majority_class_])

    def predict_classes(self, x) -> np.ndarray:
        """The majority class id for each sample of ``x``, shape (samples,)."""
        self._require_fitted("predict_classes")
        return np.full(_n_samples("MajorityClassifier.predict_classes", x), self.majority_class_, np.int64)


class StratifiedRandomClassifier(_ClassFrequencies):
    """Guesses classes at their training frequencies.

    ``predict`` gives every sample the frequencies themselves as probabilities; its expected
    accuracy as a guesser is ``sum(p_c ** 2)`` (0.5 for two balanced classes, 0.1 for ten),
    which ``expected_accuracy_`` holds. ``predict_classes`` draws the guesses.

    Args:
        seed: seed of the guesses drawn by ``predict_classes`` (an int: the same draws after
            each ``fit``); None draws from dl-tensor's global generator
            (``dl_layers.set_random_seed`` seeds it).
        output: ``"probabilities"`` (samples, classes) or ``"binary"`` (samples, 1) P(class 1),
            as for ``MajorityClassifier``.
        num_classes: the number of classes (default: the largest label + 1).

    Examples:
        >>> clf = StratifiedRandomClassifier(seed=0).fit(None, [0, 0, 0, 1])
        >>> clf.predict(np.zeros(2))
        array([[0.75, 0.25],
               [0.75, 0.25]], dtype=float32)
        >>> print(clf.expected_accuracy_)
        0.625
        >>> clf.predict_classes(np.zeros(8)).shape
        (8,)
    """

    def __init__(self, seed: int | None = None, output: str = "probabilities", num_classes: int | None = None):
        super().__init__(output=output, num_classes=num_classes)
        self.seed = check_number("StratifiedRandomClassifier", "seed", seed, minimum=0, integer=True, none_ok=True)

    def fit(self, x, y) -> StratifiedRandomClassifier:
        super().fit(x, y)
        self.expected_accuracy_ = float(np.sum(self.class_prior_ ** 2))
        self._rng = None if self.seed is None else np.random.default_rng(self.seed)
        return self

    def predict(self, x) -> np.ndarray:
        """The class frequencies for each sample of ``x``: (samples, classes), or (samples, 1)."""
        self._require_fitted()
        return self._probabilities(x, self.class_prior_)

    def predict_classes(self, x) -> np.ndarray:
        """Random class ids drawn with the training frequencies, shape (samples,)."""
        self._require_fitted("predict_classes")
        n = _n_samples("StratifiedRandomClassifier.predict_classes", x)
        rng = self._rng if self._rng is not None else dl_random.get_rng()
        return rng.choice(self.n_classes_, size=n, p=self.class_prior_).astype(np.int64)


class _ConstantRegressor(_Baseline):
    loss = "mse"

    def __init__(self):
        self._fitted = False

    def _statistic(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def fit(self, x, y):
        """Compute the statistic of the training targets ``y`` (per output column).

        Args:
            x: training inputs (only their number of samples is checked), or None.
            y: targets, shape (samples,) or (samples, outputs...).

        Returns:
            self.
        """
        owner = f"{type(self).__name__}.fit"
        y = _numbers(owner, "y", y)
        _same_length(owner, x, y)
        stat = self._statistic(y.astype(np.float64))  # y.shape[1:]
        self.value_ = stat.reshape(1) if y.ndim == 1 else stat  # (1,) for (samples,) targets
        self._fitted = True
        return self

    def predict(self, x) -> np.ndarray:
        """The training statistic for each sample of ``x``: (samples, 1) for 1-D targets,
        else (samples, outputs...), float32."""
        self._require_fitted()
        n = _n_samples(f"{type(self).__name__}.predict", x)
        return np.broadcast_to(self.value_.astype(np.float32), (n, *self.value_.shape)).copy()


class MeanRegressor(_ConstantRegressor):
    """Always predicts the mean of the training targets (per output column).

    The floor for regression under a squared error: its MSE on the training data is the
    targets' variance. ``value_`` holds the mean.

    Examples:
        >>> MeanRegressor().fit(None, [1.0, 2.0, 6.0]).predict(np.zeros(2))
        array([[3.],
               [3.]], dtype=float32)
        >>> MeanRegressor().fit(None, [[1.0, 10.0], [3.0, 30.0]]).predict(np.zeros(1))
        array([[ 2., 20.]], dtype=float32)
    """

    def _statistic(self, y):
        return y.mean(axis=0)


class MedianRegressor(_ConstantRegressor):
    """Always predicts the median of the training targets (per output column): the best
    constant under an absolute error (MAE). ``value_`` holds the median.

    Examples:
        >>> MedianRegressor().fit(None, [1.0, 2.0, 60.0]).predict(np.zeros(2))
        array([[2.],
               [2.]], dtype=float32)
    """

    loss = "mae"

    def _statistic(self, y):
        return np.median(y, axis=0)


class PersistenceForecast(_Baseline):
    """The common-sense forecast of a time series: the future value equals the last observed one.

    For input windows ``x`` of shape (samples, timesteps, features) where the target is one
    of the input features (the book's temperature series), the forecast is
    ``x[:, -1, target_index]``, whatever the horizon: the same prediction whether the target
    lies one hour or one day after the window. If the inputs were normalized, ``scale`` and
    ``offset`` bring the forecast back to the targets' units (``x * scale + offset``: the
    feature's std and mean, e.g. ``normalizer.std_[i]``, ``normalizer.mean_[i]``).

    ``fit`` learns nothing; it only checks the data, and ``predict`` works without it.

    Args:
        target_index: the target's index on the features axis.
        scale: the prediction is ``x[:, -1, target_index] * scale + offset`` (e.g. a
            normalizer's std, to forecast in the original unit).
        offset: see ``scale`` (e.g. the normalizer's mean).

    Examples:
        >>> windows = np.arange(12.0).reshape(2, 3, 2)   # 2 windows, 3 timesteps, 2 features
        >>> PersistenceForecast(target_index=1).predict(windows)
        array([[ 5.],
               [11.]], dtype=float32)
    """

    loss = "mae"

    def __init__(self, target_index: int = -1, scale: float = 1.0, offset: float = 0.0):
        self.target_index = check_number("PersistenceForecast", "target_index", target_index, integer=True)
        self.scale = check_number("PersistenceForecast", "scale", scale)
        self.offset = check_number("PersistenceForecast", "offset", offset)

    def __repr__(self) -> str:
        return f"PersistenceForecast(target_index={self.target_index}, scale={self.scale}, offset={self.offset})"

    def _windows(self, x, what: str) -> np.ndarray:
        owner = f"PersistenceForecast.{what}"
        x = _numbers(owner, "x", x)
        if x.ndim != 3:
            raise ValueError(f"{owner}: x must be windows of shape (samples, timesteps, features), got shape {x.shape}")
        if not -x.shape[2] <= self.target_index < x.shape[2]:
            raise ValueError(f"{owner}: target_index {self.target_index} is out of range for {x.shape[2]} features")
        return x

    def fit(self, x, y=None) -> PersistenceForecast:
        """Check ``x`` (and ``y``'s length); nothing to learn. Returns self."""
        x = self._windows(x, "fit")
        if y is not None:
            y = _numbers("PersistenceForecast.fit", "y", y)
            _same_length("PersistenceForecast.fit", x, y)
        return self

    def predict(self, x) -> np.ndarray:
        """``x[:, -1, target_index] * scale + offset``, shape (samples, 1), float32."""
        x = self._windows(x, "predict")
        last = x[:, -1, self.target_index].astype(np.float64)  # (samples,)
        return (last * self.scale + self.offset).astype(np.float32)[:, None]  # (samples,) -> (samples, 1)


class _EngineModel(_Baseline):
    """A single ``Dense`` layer trained with dl-layers' ``fit``: linear or logistic regression."""

    def __init__(self, l2=0.0, epochs=200, learning_rate=0.1, batch_size=None, optimizer="sgd"):
        owner = type(self).__name__
        self.l2 = check_number(owner, "l2", l2, minimum=0)
        self.epochs = check_number(owner, "epochs", epochs, minimum=1, integer=True)
        self.learning_rate = check_number(owner, "learning_rate", learning_rate, minimum=0, min_inclusive=False)
        self.batch_size = check_number(owner, "batch_size", batch_size, minimum=1, integer=True, none_ok=True)
        if not isinstance(optimizer, str):
            raise TypeError(f"{owner}: argument `optimizer` must be an optimizer name such as 'sgd' or 'adam', "
                            f"got {optimizer!r}")
        self._optimizer_class = type(dl_layers.optimizers.get(optimizer))  # unknown names: dl-layers' error
        self.optimizer = optimizer
        self._fitted = False

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(l2={self.l2}, epochs={self.epochs}, learning_rate={self.learning_rate}, "
                f"batch_size={self.batch_size}, optimizer={self.optimizer!r})")

    def _inputs(self, x, what: str) -> np.ndarray:
        owner = f"{type(self).__name__}.{what}"
        x = _numbers(owner, "x", x)
        if x.ndim != 2:
            raise ValueError(f"{owner}: x must have shape (samples, features), got {x.shape}; flatten it first: "
                             "x.reshape(len(x), -1)")
        if what != "fit" and x.shape[1] != self.coef_.shape[0]:
            raise ValueError(f"{owner}: x has {x.shape[1]} features but the model was fitted on {self.coef_.shape[0]}")
        return x

    def _train(self, x: np.ndarray, y: np.ndarray, units: int, activation, loss: str) -> None:
        regularizer = dl_layers.regularizers.L2(self.l2) if self.l2 > 0 else None
        model = dl_layers.Sequential([dl_layers.Dense(units, activation=activation, kernel_initializer="zeros",
                                                      kernel_regularizer=regularizer)])
        model.compile(optimizer=self._optimizer_class(learning_rate=self.learning_rate), loss=loss)
        batch = len(x) if self.batch_size is None else self.batch_size
        self.history_ = model.fit(x, y, batch_size=batch, epochs=self.epochs, verbose=0)
        kernel, bias = model.layers[-1].get_weights()
        if not (np.isfinite(kernel).all() and np.isfinite(bias).all()):
            raise RuntimeError(f"{type(self).__name__}.fit: training diverged (the weights are not finite); "
                               "normalize x (Normalizer) or lower learning_rate")
        self.model_, self.coef_, self.intercept_ = model, kernel, bias
        self._fitted = True

    def predict(self, x) -> np.ndarray:
        """The model's outputs on ``x`` (samples, features), as ``model_.predict`` gives them."""
        self._require_fitted()
        return self.model_.predict(self._inputs(x, "predict"), verbose=0)


class LinearRegression(_EngineModel):
    """Least squares (ridge with ``l2 > 0``), fitted by gradient descent with dl-layers' ``fit``.

    The model is ``Sequential([Dense(outputs)])`` (zero initial weights), compiled with the
    ``mse`` loss; ``l2`` adds ``l2 * sum(kernel ** 2)`` to it (the bias is not penalized). Full
    batch by default: each epoch is one gradient step, so the result is deterministic and
    converges to the least-squares solution when x is standardized (use ``Normalizer``;
    unscaled features need a smaller ``learning_rate`` or many more epochs).

    Args:
        l2: the L2 penalty factor (>= 0).
        epochs: passes over the data.
        learning_rate: the optimizer's step size.
        batch_size: samples per step; None: all of them (full batch).
        optimizer: an optimizer name ("sgd", "adam", "rmsprop", ...) made with ``learning_rate``.

    Attributes (after ``fit``):
        coef_: the kernel, shape (features, outputs) (the Dense layout: ``x @ coef_``).
        intercept_: the bias, shape (outputs,).
        model_: the trained dl-layers model. history_: its ``History``.

    Examples:
        >>> x = np.array([[-1.0], [0.0], [1.0]])
        >>> reg = LinearRegression(epochs=100).fit(x, 2 * x[:, 0] + 1)
        >>> reg.coef_, reg.intercept_
        (array([[2.]], dtype=float32), array([1.], dtype=float32))
        >>> reg.predict(np.array([[3.0]]))
        array([[7.]], dtype=float32)
    """

    loss = "mse"

    def fit(self, x, y) -> LinearRegression:
        """Train on ``x`` (samples, features) and targets ``y`` (samples,) or (samples, outputs).

        Returns:
            self.
        """
        x = self._inputs(x, "fit")
        y = _numbers("LinearRegression.fit", "y", y)
        _same_length("LinearRegression.fit", x, y)
        if y.ndim > 2:
            raise ValueError(f"LinearRegression.fit: y must have shape (samples,) or (samples, outputs), got {y.shape}")
        units = 1 if y.ndim == 1 else y.shape[1]
        self._train(x, y.astype(np.float32), units, None, "mse")
        return self


class LogisticRegression(_EngineModel):
    """Logistic regression (softmax regression for more than two classes), fitted with
    dl-layers' ``fit``.

    Two classes: ``Sequential([Dense(1, activation="sigmoid")])`` with ``binary_crossentropy``,
    and ``predict`` gives P(class 1), shape (samples, 1). More classes:
    ``Dense(classes, activation="softmax")`` with ``sparse_categorical_crossentropy``, and
    ``predict`` gives (samples, classes). ``l2``, ``epochs``, ``learning_rate``,
    ``batch_size`` and ``optimizer`` are as in ``LinearRegression`` (standardize x first).

    Args:
        num_classes: the number of classes (default: the largest label + 1).

    Attributes (after ``fit``):
        coef_ (features, 1 or classes), intercept_, model_, history_, n_classes_.

    Examples:
        >>> x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = LogisticRegression(epochs=50).fit(x, [0, 0, 1, 1])
        >>> clf.predict_classes(np.array([[-3.0], [0.5]]))
        array([0, 1])
        >>> clf.predict(x).shape
        (4, 1)
    """

    def __init__(self, l2=0.0, epochs=200, learning_rate=0.1, batch_size=None, optimizer="sgd",
                 num_classes: int | None = None):
        super().__init__(l2=l2, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size,
                         optimizer=optimizer)
        self.num_classes = check_number("LogisticRegression", "num_classes", num_classes, minimum=2, integer=True,
                                        none_ok=True)

    @property
    def loss(self) -> str:
        """The loss it was trained with (``evaluate_baseline``'s default)."""
        if getattr(self, "n_classes_", 2) <= 2:
            return "binary_crossentropy"
        return "categorical_crossentropy" if getattr(self, "_one_hot", False) else "sparse_categorical_crossentropy"

    def fit(self, x, y) -> LogisticRegression:
        """Train on ``x`` (samples, features) and labels ``y`` (class ids, or one-hot rows).

        Returns:
            self.
        """
        x = self._inputs(x, "fit")
        ids, classes, one_hot = _class_ids("LogisticRegression.fit", y, self.num_classes)
        _same_length("LogisticRegression.fit", x, ids)
        classes = max(classes, 2)
        self.n_classes_, self._one_hot = classes, one_hot
        if classes == 2:
            self._train(x, ids.astype(np.float32), 1, "sigmoid", "binary_crossentropy")
        else:
            self._train(x, ids, classes, "softmax", "sparse_categorical_crossentropy")
        return self

    def predict_classes(self, x) -> np.ndarray:
        """The most probable class of each sample, shape (samples,)."""
        probs = self.predict(x)
        if probs.shape[1] == 1:
            return (probs[:, 0] > 0.5).astype(np.int64)
        return probs.argmax(axis=1)


# -- scoring a baseline like a model -----------------------------------------------------------


class _Replay(dl_layers.Model):
    """A model without weights whose output for sample ``i`` is the stored prediction ``i``.

    ``evaluate`` on inputs ``arange(samples)`` then runs dl-layers' own evaluation (batches,
    losses, metrics, their names and order) on the baseline's predictions.
    """

    def __init__(self, predictions: np.ndarray):
        super().__init__(name="baseline")
        self.predictions = predictions

    def call(self, inputs, training=None):
        return Tensor(self.predictions[inputs.data])  # rows of this batch, (batch, ...)


def evaluate_baseline(baseline, x, y, loss=None, metrics=None, return_dict: bool = False, batch_size=None,
                      sample_weight=None, verbose=0):
    """Score a baseline exactly as ``model.evaluate(x, y)`` scores a compiled dl-layers model.

    The baseline's predictions go through dl-layers' machinery itself (a weightless model
    replays them into ``evaluate``): the same loss and metric objects, the same batching, the
    same names and order, so the numbers are comparable with a network's.

    Args:
        baseline: a fitted baseline, or any object with ``predict(x)``.
        x: inputs, as given to ``baseline.predict``.
        y: targets, as given to ``model.evaluate``.
        loss: a loss name or object, as for ``compile``; None: the baseline's ``loss``
            attribute (e.g. ``"sparse_categorical_crossentropy"`` for ``MajorityClassifier``,
            ``"mse"`` for ``MeanRegressor``, ``"mae"`` for ``PersistenceForecast``).
        metrics: a list of metric names or objects, as for ``compile``.
        return_dict: return ``{name: value}`` instead of Keras's list.
        batch_size: as for ``evaluate`` (32 by default).
        sample_weight: per-sample weights, as for ``evaluate``.
        verbose: as for ``evaluate`` (0: silent).

    Returns:
        the loss (a float) without metrics, else ``[loss, *metrics]``; or a dict.

    Examples:
        >>> from dl_workflow.baselines import MeanRegressor
        >>> y = np.array([1.0, 2.0, 6.0])
        >>> evaluate_baseline(MeanRegressor().fit(None, y), np.zeros(3), y, metrics=["mae"])
        [4.666..., 2.0]
    """
    if not hasattr(baseline, "predict"):
        raise TypeError(f"evaluate_baseline: argument `baseline` must have a predict(x) method, got {baseline!r}")
    if loss is None:
        loss = getattr(baseline, "loss", None)
        if loss is None:
            raise ValueError(f"evaluate_baseline: {type(baseline).__name__} has no default loss; pass loss=...")
    predictions = np.asarray(baseline.predict(x))
    if predictions.dtype.kind == "f" and predictions.dtype != np.float32:
        predictions = predictions.astype(np.float32)  # what a model's predict gives
    if predictions.ndim == 0:
        raise ValueError("evaluate_baseline: the baseline's predictions must have a batch axis, got a scalar")
    if isinstance(y, np.ndarray | list | tuple) and not isinstance(y, dict) and len(y) != len(predictions):
        raise ValueError(f"evaluate_baseline: the baseline made {len(predictions)} predictions for x but y has "
                         f"{len(y)} samples; they must match")
    replay = _Replay(predictions)
    replay.compile(optimizer="sgd", loss=loss, metrics=metrics)
    return replay.evaluate(np.arange(len(predictions)), y, batch_size=batch_size, verbose=verbose,
                           sample_weight=sample_weight, return_dict=return_dict)
