"""Hyper-parameter search: grid and random, scored on a validation protocol, never on the test set.

Tuning is the workflow's last loop: layers, units, learning rate, dropout rate... each
configuration is trained and scored on validation data, and the best one wins. Two rules
the chapter insists on: the test set takes no part (it would stop being an unbiased
estimate), and with little data each configuration is scored by K-fold rather than one
split. ``grid_search`` tries every combination of a few values; ``random_search`` draws
``n_iter`` configurations, which explores wide spaces better for the same budget. Both
run the configurations (and their folds) in parallel through joblib, like
``cross_validate``, and return a table sorted by score.
"""

from __future__ import annotations

import itertools

import numpy as np

from dl_layers.metrics import lower_is_better

from .cross_validation import _run_fold, _splits, run_jobs

__all__ = ["SearchResult", "grid_search", "random_search"]


class SearchResult:
    """What a search returns: ``results`` (one dict per configuration, best first: "params",
    "mean", "std", "scores" (per fold), "epochs"), ``best_params`` and ``best_score``."""

    def __init__(self, results: list, monitor: str):
        self.results, self.monitor = results, monitor

    @property
    def best_params(self) -> dict:
        return dict(self.results[0]["params"])

    @property
    def best_score(self) -> float:
        return self.results[0]["mean"]

    def table(self) -> str:
        """The results as text, best first."""
        lines = [f"{'rank':>4}  {self.monitor + ' (mean ± std)':>24}  params"]
        for i, r in enumerate(self.results, 1):
            lines.append(f"{i:>4}  {r['mean']:>14.4g} ± {r['std']:<7.2g}  {r['params']}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()


def _search(build_model, configurations, x, y, cv, validation_data, fit_kwargs, monitor, normalizer, n_jobs, seed,
            owner):
    if validation_data is not None and cv is not None:
        raise ValueError(f"{owner}: give either cv (K-fold on x, y) or validation_data (one hold-out), not both")
    if validation_data is not None:  # one hold-out split: x, y train, validation_data scores
        x_val, y_val = validation_data
        n, m = len(x), len(x_val)
        x = np.concatenate([np.asarray(x), np.asarray(x_val)])
        y = np.concatenate([np.asarray(y), np.asarray(y_val)])
        folds = [(np.arange(n), np.arange(n, n + m))]
    else:
        folds = _splits(cv if cv is not None else 3, x, y)
    key = monitor.removeprefix("val_")  # fold scores come from evaluate(): "loss", "mae"...
    jobs = [(_with_params(build_model, params), x, y, tr, va, fit_kwargs, normalizer, seed, i)
            for params in configurations for i, (tr, va) in enumerate(folds)]
    outcomes = run_jobs(_run_fold, jobs, n_jobs)
    results = []
    for c, params in enumerate(configurations):
        chunk = outcomes[c * len(folds):(c + 1) * len(folds)]
        if key not in chunk[0][0]:
            raise ValueError(f"{owner}: monitor={monitor!r} is not among the model's scores {sorted(chunk[0][0])}")
        scores = np.array([o[0][key] for o in chunk])
        results.append({"params": params, "mean": float(scores.mean()), "std": float(scores.std()),
                        "scores": scores, "epochs": [len(next(iter(o[1].values()))) for o in chunk]})
    results.sort(key=lambda r: r["mean"] if lower_is_better(key) else -r["mean"])
    return SearchResult(results, key)


class _with_params:  # noqa: N801 (a picklable partial with a readable repr)
    def __init__(self, build_model, params):
        self.build_model, self.params = build_model, params

    def __call__(self):
        return self.build_model(**self.params)


def grid_search(build_model, param_grid: dict, x, y, cv=None, validation_data=None, fit_kwargs=None,
                monitor="val_loss", normalizer=None, n_jobs=1, seed=0):
    """Every combination of ``param_grid``'s values, each scored by the validation protocol.

    Args:
        build_model: ``build_model(**params) -> compiled model``.
        param_grid: ``{name: [values]}``.
        x: the training inputs (never the test set).
        y: their targets.
        cv: K-fold: a number of folds or a splitter (ours or scikit-learn's); default 3 folds.
        validation_data: instead of ``cv``, one hold-out ``(x_val, y_val)``.
        fit_kwargs: for each ``fit``.
        monitor: the validation score to rank by ("val_loss", "val_mae", "val_accuracy"...).
        normalizer: fitted inside each fold.
        n_jobs: configurations and folds in parallel through joblib.
        seed: fold ``i`` of every configuration starts from ``set_random_seed(seed + i)``.

    Returns:
        A ``SearchResult``, best configuration first.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> def build_model(units):
        ...     model = Sequential([Dense(units, activation="relu", input_shape=(2,)), Dense(1)])
        ...     model.compile(optimizer="rmsprop", loss="mse")
        ...     return model
        >>> x = np.random.default_rng(0).normal(size=(30, 2)).astype("float32")
        >>> result = grid_search(build_model, {"units": [1, 8]}, x, x.sum(1), cv=2, fit_kwargs={"epochs": 2})
        >>> sorted(r["params"]["units"] for r in result.results)
        [1, 8]
    """
    if not isinstance(param_grid, dict) or not param_grid or not all(
            isinstance(v, list | tuple) and len(v) > 0 for v in param_grid.values()):
        raise ValueError(f"grid_search: param_grid must be a dict {{name: [values]}} with at least one value each, "
                         f"got {param_grid!r}")
    names = list(param_grid)
    configurations = [dict(zip(names, values)) for values in itertools.product(*param_grid.values())]
    return _search(build_model, configurations, x, y, cv, validation_data, fit_kwargs, monitor, normalizer, n_jobs,
                   seed, "grid_search")


def random_search(build_model, param_distributions: dict, x, y, n_iter=10, cv=None, validation_data=None,
                  fit_kwargs=None, monitor="val_loss", normalizer=None, n_jobs=1, seed=0):
    """``n_iter`` configurations drawn at random, each scored by the validation protocol.

    The arguments not listed below (``build_model``, ``x``, ``y``, ``cv``, ``validation_data``,
    ``fit_kwargs``, ``monitor``, ``normalizer``, ``n_jobs``, ``seed``) are as for ``grid_search``.

    Args:
        param_distributions: ``{name: values}``: a list or tuple (drawn uniformly), or a
            function ``f(rng) -> value`` (e.g. ``lambda rng: 10 ** rng.uniform(-4, -2)`` for a
            log-uniform learning rate).
        n_iter: how many configurations (drawn with ``np.random.default_rng(seed)``).

    Returns:
        A ``SearchResult``, best first.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> from dl_layers.optimizers import RMSprop
        >>> def build_model(units, learning_rate):
        ...     model = Sequential([Dense(units, activation="relu", input_shape=(2,)), Dense(1)])
        ...     model.compile(optimizer=RMSprop(learning_rate), loss="mse")
        ...     return model
        >>> x = np.random.default_rng(0).normal(size=(30, 2)).astype("float32")
        >>> space = {"units": [4, 16], "learning_rate": lambda rng: 10 ** rng.uniform(-3, -2)}
        >>> result = random_search(build_model, space, x, x.sum(1), n_iter=3, cv=2, fit_kwargs={"epochs": 1})
        >>> len(result.results), sorted(result.best_params)
        (3, ['learning_rate', 'units'])
    """
    if not isinstance(param_distributions, dict) or not param_distributions:
        raise ValueError(f"random_search: param_distributions must be a non-empty dict, got {param_distributions!r}")
    n_iter = int(n_iter)
    if n_iter < 1:
        raise ValueError(f"random_search: n_iter must be at least 1, got {n_iter}")
    rng = np.random.default_rng(seed)
    configurations = []
    for _ in range(n_iter):
        params = {}
        for name, values in param_distributions.items():
            if callable(values):
                params[name] = values(rng)
            elif isinstance(values, list | tuple) and values:
                params[name] = values[int(rng.integers(len(values)))]
            else:
                raise ValueError(f"random_search: param_distributions[{name!r}] must be a non-empty list or a function "
                                 f"of a numpy Generator, got {values!r}")
        configurations.append(params)
    return _search(build_model, configurations, x, y, cv, validation_data, fit_kwargs, monitor, normalizer, n_jobs,
                   seed, "random_search")
