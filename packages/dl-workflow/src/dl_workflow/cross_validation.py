"""K-fold cross-validation, the book's loop made one call, and the last step of the workflow.

With little data, one validation split gives a noisy estimate: which samples happen to land
in it changes the score a lot. K-fold validation splits the data into K parts, trains K
models from scratch (each on K - 1 parts) and validates each on the part it did not see;
the mean of the K scores is the estimate, their spread says how much to trust it.
``cross_validate`` does that with a fresh model per fold (``build_model()``), fits the
normalizer inside each fold (on that fold's training part only: fitting it on everything
would let the validation data leak into training), and returns per-fold and mean/std scores
with every history.

Folds are independent, so they can run in parallel: ``n_jobs > 1`` hands them to joblib. On
a machine with more cores, or with a Dask or Ray joblib backend registered, the same call
spreads the folds over them::

    from joblib import parallel_config           # joblib >= 1.3
    with parallel_config(backend="dask"):        # after: from dask.distributed import Client; Client(...)
        result = cross_validate(build_model, x, y, cv=IteratedKFold(4, 5), n_jobs=-1)

``final_evaluation`` is the end of the workflow: once the configuration is chosen, train it on
training + validation data, evaluate it once on the test set, and warn when the test score is
clearly worse than the validation estimate.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from joblib import Parallel, delayed

import dl_layers
from dl_layers.metrics import lower_is_better

from .splits import KFold

__all__ = ["CrossValidationResult", "FinalEvaluation", "cross_validate", "final_evaluation", "fresh_normalizer",
           "run_jobs"]


def fresh_normalizer(normalizer):
    """An unfitted copy of ``normalizer`` for one fold: ``normalizer()`` if it is a class or a
    function, else ``type(normalizer)(**normalizer.get_params())`` (ours, or any scikit-learn
    transformer); None stays None.

    Examples:
        >>> from dl_workflow import Normalizer
        >>> fresh_normalizer(Normalizer(method="minmax")).method
        'minmax'
    """
    if normalizer is None:
        return None
    if isinstance(normalizer, type) or (callable(normalizer) and not hasattr(normalizer, "fit")):
        made = normalizer()
    elif hasattr(normalizer, "get_params"):
        made = type(normalizer)(**normalizer.get_params())
    else:
        raise TypeError("normalizer must be a class or function that makes a transformer, or a transformer with "
                        f"get_params() (ours or scikit-learn's), got {normalizer!r}")
    if not (hasattr(made, "fit") and hasattr(made, "transform")):
        raise TypeError(f"normalizer: expected an object with fit and transform, got {made!r}")
    return made


def run_jobs(fn, arguments: list, n_jobs=1) -> list:
    """``[fn(*args) for args in arguments]``, in this process (``n_jobs=1``) or through joblib."""
    if n_jobs == 1:
        return [fn(*args) for args in arguments]
    return Parallel(n_jobs=n_jobs)(delayed(fn)(*args) for args in arguments)


def _splits(cv, x, y) -> list:
    if cv is None:
        cv = 5
    if isinstance(cv, int | np.integer):
        cv = KFold(int(cv))
    if isinstance(cv, str) or not hasattr(cv, "split"):
        raise TypeError(f"cv must be a number of folds or a splitter with split(x, y) (ours or scikit-learn's), "
                        f"got {cv!r}")
    folds = [(np.asarray(tr), np.asarray(va)) for tr, va in cv.split(x, y)]
    if not folds:
        raise ValueError(f"cv: {cv!r} gave no folds")
    return folds


def _take(data, idx):
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: _take(v, idx) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_take(v, idx) for v in data]
    return np.asarray(data)[idx]


def _fit_transform(normalizer, x):
    return normalizer.fit_transform(x) if hasattr(normalizer, "fit_transform") else normalizer.fit(x).transform(x)


def _run_fold(build_model, x, y, train_idx, val_idx, fit_kwargs, normalizer, seed, fold):
    """One fold, from scratch: (scores dict, history dict, epochs run). Runs in a worker too."""
    if seed is not None:
        dl_layers.set_random_seed(seed + fold)  # the same numbers whichever worker runs the fold
    x_train, x_val = _take(x, train_idx), _take(x, val_idx)
    y_train, y_val = _take(y, train_idx), _take(y, val_idx)
    norm = fresh_normalizer(normalizer)
    if norm is not None:  # fitted on this fold's training part only
        x_train = _fit_transform(norm, x_train)
        x_val = norm.transform(x_val)
    model = build_model()
    if not getattr(model, "compiled", False):
        raise ValueError("build_model() must return a compiled model (call model.compile(...) inside it)")
    kwargs = {"verbose": 0, **(fit_kwargs or {})}
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), **kwargs)
    scores = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    return {k: float(v) for k, v in scores.items()}, {k: [float(v) for v in vs] for k, vs in
                                                      history.history.items()}


class CrossValidationResult:
    """What ``cross_validate`` returns.

    Attributes:
        scores: ``{metric: array (folds,)}``: each fold's validation score at the end of training.
        histories: one ``History.history`` dict per fold.
        folds: the ``(train_idx, val_idx)`` pairs used.
    """

    def __init__(self, scores: dict, histories: list, folds: list):
        self.scores, self.histories, self.folds = scores, histories, folds

    @property
    def mean(self) -> dict:
        """``{metric: mean over folds}``."""
        return {k: float(np.mean(v)) for k, v in self.scores.items()}

    @property
    def std(self) -> dict:
        """``{metric: standard deviation over folds}`` (0 for one fold)."""
        return {k: float(np.std(v)) for k, v in self.scores.items()}

    def mean_history(self, key: str) -> np.ndarray:
        """The per-epoch mean over folds of ``history[key]`` (the book's average validation MAE
        curve); folds stopped early are averaged over the epochs they ran."""
        curves = [h[key] for h in self.histories if key in h]
        if not curves:
            logged = sorted(self.histories[0]) if self.histories else []
            raise KeyError(f"mean_history: no fold logged {key!r}; logged: {logged}")
        longest = max(len(c) for c in curves)
        table = np.full((len(curves), longest), np.nan)  # (folds, epochs)
        for i, c in enumerate(curves):
            table[i, :len(c)] = c
        return np.nanmean(table, axis=0)

    def __getitem__(self, key):
        return {"scores": self.scores, "mean": self.mean, "std": self.std, "histories": self.histories,
                "folds": self.folds}[key]

    def __repr__(self) -> str:
        parts = ", ".join(f"{k} {self.mean[k]:.4g} ± {self.std[k]:.2g}" for k in self.scores)
        return f"<CrossValidationResult {len(self.folds)} folds: {parts}>"


def cross_validate(build_model, x, y, cv=5, fit_kwargs=None, metrics=None, n_jobs=1, normalizer=None, seed=None):
    """The book's K-fold loop: a fresh model per fold, trained on the other folds, scored on its own.

    Args:
        build_model: a function of no arguments returning a new compiled model (the book's
            ``build_model``); with ``n_jobs > 1`` it must be picklable by joblib (a module-level
            function, or a closure: joblib's default backend uses cloudpickle).
        x: all the inputs the protocol may use (never the test set).
        y: their targets.
        cv: a number of folds (``KFold(cv)``, no shuffling, as the book), or a splitter with
            ``split(x, y)``: ours (``KFold``, ``StratifiedKFold``, ``IteratedKFold``...) or any
            scikit-learn splitter.
        fit_kwargs: passed to each ``fit`` (``epochs``, ``batch_size``, ``callbacks``...);
            the fold's validation part is its ``validation_data``.
        metrics: the names to report, e.g. ``["mae"]`` (default: everything ``evaluate`` returns).
        n_jobs: folds run in parallel through joblib (-1: every core).
        normalizer: a ``Normalizer`` (or its class, or any transformer with ``get_params``):
            a fresh copy is fitted on each fold's training part only.
        seed: fold ``i`` starts from ``set_random_seed(seed + i)``: the same results for any
            ``n_jobs``. None: folds draw from the global generator (``n_jobs=1`` only is then
            reproducible).

    Returns:
        A ``CrossValidationResult``: ``scores`` per fold, ``mean``, ``std``, ``histories``.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> def build_model():
        ...     model = Sequential([Dense(1, input_shape=(3,))])
        ...     model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        ...     return model
        >>> x = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
        >>> result = cross_validate(build_model, x, x.sum(axis=1), cv=4, fit_kwargs={"epochs": 2}, seed=0)
        >>> result.scores["mae"].shape, len(result.histories), sorted(result.mean)
        ((4,), 4, ['loss', 'mae'])
    """
    if not callable(build_model):
        raise TypeError(f"cross_validate: build_model must be a function returning a compiled model, got "
                        f"{build_model!r}")
    n = len(x[next(iter(x))]) if isinstance(x, dict) else len(x[0]) if isinstance(x, list | tuple) else len(x)
    if n == 0:
        raise ValueError("cross_validate: x is empty")
    folds = _splits(cv, np.zeros((n, 1)) if isinstance(x, dict | list | tuple) else x, y)
    if fit_kwargs is not None and ("validation_data" in fit_kwargs or "validation_split" in fit_kwargs):
        raise ValueError("cross_validate: fit_kwargs must not set validation_data or validation_split: each fold "
                         "validates on its own part")
    outcomes = run_jobs(_run_fold, [(build_model, x, y, tr, va, fit_kwargs, normalizer, seed, i)
                                    for i, (tr, va) in enumerate(folds)], n_jobs)
    names = list(outcomes[0][0])
    if metrics is not None:
        wanted = [metrics] if isinstance(metrics, str) else list(metrics)
        missing = [m for m in wanted if m not in names]
        if missing:
            raise ValueError(f"cross_validate: metrics {missing} are not among what the model reports: {names}")
        names = wanted
    scores = {k: np.array([o[0][k] for o in outcomes]) for k in names}
    return CrossValidationResult(scores, [o[1] for o in outcomes], folds)


class FinalEvaluation:
    """What ``final_evaluation`` returns: ``scores`` on the test set, the trained ``model``, its
    ``history``, the ``normalizer`` fitted on training + validation data, and ``warning`` (the
    text of the warning given, or None)."""

    def __init__(self, scores, model, history, normalizer, warning):
        self.scores, self.model, self.history = scores, model, history
        self.normalizer, self.warning = normalizer, warning

    def __repr__(self) -> str:
        parts = ", ".join(f"{k} {v:.4g}" for k, v in self.scores.items())
        return f"<FinalEvaluation on the test set: {parts}{' (warned)' if self.warning else ''}>"


def final_evaluation(build_model, train_and_val, test, fit_kwargs=None, normalizer=None, validation_estimate=None,
                     monitor="loss", tolerance=0.1, seed=None):
    """Retrain the chosen configuration on training + validation data, evaluate once on the test set.

    Args:
        build_model: returns a new compiled model (the configuration chosen by validation).
        train_and_val: ``(x, y)``: every sample that is not test data.
        test: ``(x_test, y_test)``, used once, here.
        fit_kwargs: for ``fit`` (``epochs``: e.g. the best epoch found by validation).
        normalizer: fitted on ``train_and_val`` only, then applied to the test data.
        validation_estimate: what validation predicted: a ``CrossValidationResult``, or a dict
            ``{metric: value}`` (optionally with ``{metric: (mean, std)}``).
        monitor: the metric compared with the estimate.
        tolerance: the test score is "clearly worse" when it is worse than the estimate by more
            than ``tolerance`` (relative) and by more than two fold standard deviations.
        seed: ``set_random_seed(seed)`` before building the model.

    Returns:
        ``FinalEvaluation``. A ``UserWarning`` is given (and kept in ``.warning``) when the test
        score is clearly worse than the validation estimate: the sign of an unreliable protocol
        (too little validation data) or of a configuration tuned until it fitted the
        validation set; the message suggests iterated K-fold.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> def build_model():
        ...     model = Sequential([Dense(1, input_shape=(2,))])
        ...     model.compile(optimizer="rmsprop", loss="mse")
        ...     return model
        >>> x = np.random.default_rng(1).normal(size=(30, 2)).astype("float32")
        >>> final = final_evaluation(build_model, (x[:20], x[:20].sum(1)), (x[20:], x[20:].sum(1)),
        ...                          fit_kwargs={"epochs": 1}, seed=0)
        >>> sorted(final.scores), final.warning is None
        (['loss'], True)
    """
    (x, y), (x_test, y_test) = train_and_val, test
    if seed is not None:
        dl_layers.set_random_seed(seed)
    norm = fresh_normalizer(normalizer)
    if norm is not None:
        x = _fit_transform(norm, x)
        x_test = norm.transform(x_test)
    model = build_model()
    history = model.fit(x, y, **{"verbose": 0, **(fit_kwargs or {})})
    scores = {k: float(v) for k, v in model.evaluate(x_test, y_test, verbose=0, return_dict=True).items()}
    message = None
    if validation_estimate is not None:
        message = _compare(scores, validation_estimate, monitor, tolerance)
        if message:
            warnings.warn(message, UserWarning, stacklevel=2)
    return FinalEvaluation(scores, model, history, norm, message)


def _compare(scores: dict, estimate, monitor: str, tolerance: float) -> str | None:
    if isinstance(estimate, CrossValidationResult):
        mean, std = estimate.mean.get(monitor), estimate.std.get(monitor, 0.0)
    else:
        value = dict(estimate).get(monitor)
        mean, std = (value if isinstance(value, tuple | list) else (value, 0.0)) if value is not None else (None, 0)
    if mean is None or monitor not in scores:
        known = sorted(scores)
        raise ValueError(f"final_evaluation: monitor={monitor!r} must be in both the test scores {known} and the "
                         f"validation estimate")
    test = scores[monitor]
    worse = test - mean if lower_is_better(monitor) else mean - test
    if worse > tolerance * abs(mean) and worse > 2 * std and math.isfinite(test):
        spread = f" ± {std:.4g}" if std else ""
        return (f"final_evaluation: the test {monitor} ({test:.4g}) is clearly worse than the validation estimate "
                f"({mean:.4g}{spread}): the validation protocol may be unreliable (too little validation data) or "
                "the configuration was tuned until it fitted the validation set; estimate with iterated K-fold "
                "(IteratedKFold) before trusting a test score")
    return None
