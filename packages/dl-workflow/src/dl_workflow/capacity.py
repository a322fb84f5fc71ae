"""Capacity: first underfit, then overfit. A sweep over model sizes, and the information bottleneck.

A model too small for the task underfits: training and validation losses stay high together.
As capacity grows, the training loss keeps falling, while the validation loss reaches its
lowest point sooner and sooner and then climbs: the model has started to learn the training
samples' peculiarities. ``capacity_sweep`` trains a family of models, small to large, and
reports for each the epoch of best validation loss, the best value, and the gap between
validation and training loss at that epoch and at the end.

The same tool measures the book's information bottleneck: a layer much narrower than the
output space (4 units before 46 classes) cannot carry what the output needs, and accuracy
drops; sweeping the width of that layer shows where.
"""

from __future__ import annotations

import numpy as np

import dl_layers
from dl_layers.metrics import lower_is_better

from .cross_validation import run_jobs

__all__ = ["CapacityReport", "capacity_sweep"]


def _train(build_model, size, x, y, validation_data, fit_kwargs, seed):
    if seed is not None:
        dl_layers.set_random_seed(seed)
    model = build_model(size)
    history = model.fit(x, y, validation_data=validation_data, **{"verbose": 0, **(fit_kwargs or {})})
    return {k: [float(v) for v in vs] for k, vs in history.history.items()}, model.count_params()


class CapacityReport:
    """What ``capacity_sweep`` returns: one row per size (``rows``: dicts with "size", "params",
    "best_epoch" (1-based), "best" (the best validation value), "train_at_best", "gap_at_best"
    and "final_gap" (validation minus training, worse-is-positive), and "verdict"), and each
    size's ``histories``."""

    def __init__(self, rows, histories, monitor):
        self.rows, self.histories, self.monitor = rows, histories, monitor

    def table(self) -> str:
        """The rows as a fixed-width text table."""
        head = f"{'size':>8} {'params':>9} {'best epoch':>11} {'best ' + self.monitor:>16} {'gap at best':>12} " \
               f"{'final gap':>10}  verdict"
        lines = [head]
        for r in self.rows:
            lines.append(f"{r['size']!s:>8} {r['params']:>9} {r['best_epoch']:>11} {r['best']:>16.4g} "
                         f"{r['gap_at_best']:>12.4g} {r['final_gap']:>10.4g}  {r['verdict']}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()


def capacity_sweep(build_model, sizes, x, y, validation_data, fit_kwargs=None, monitor="val_loss", seed=0,
                   n_jobs=1, overfit_tolerance=0.02):
    """Train ``build_model(size)`` for each size; report where each is best and how far it overfits.

    Args:
        build_model: ``build_model(size) -> compiled model`` (size: units, layers, a width...).
        sizes: the sizes to try, small to large.
        x: the training inputs.
        y: their targets.
        validation_data: ``(x_val, y_val)``.
        fit_kwargs: for each ``fit`` (``epochs``: enough for the large models to overfit).
        monitor: a validation metric logged by ``fit`` ("val_loss", "val_accuracy"...).
        seed: every size starts from ``set_random_seed(seed)``.
        n_jobs: sizes in parallel through joblib.
        overfit_tolerance: a model "overfits" when its final validation value is worse than its
            best by more than this (relative).

    Returns:
        A ``CapacityReport`` (``rows``, ``histories``, ``table()``). A row's verdict is
        "still improving" (best at the last epoch: train longer, or it underfits), "overfits
        after epoch N" or "flat after epoch N".

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> def build_model(units):
        ...     model = Sequential([Dense(units, activation="relu", input_shape=(3,)), Dense(1)])
        ...     model.compile(optimizer="rmsprop", loss="mse")
        ...     return model
        >>> x = np.random.default_rng(0).normal(size=(50, 3)).astype("float32")
        >>> report = capacity_sweep(build_model, [2, 16], x[:40], x[:40, 0], (x[40:], x[40:, 0]),
        ...                         fit_kwargs={"epochs": 3})
        >>> [r["size"] for r in report.rows], [r["params"] for r in report.rows]
        ([2, 16], [11, 81])
    """
    if not monitor.startswith("val_"):
        raise ValueError(f"capacity_sweep: monitor must be a validation metric (val_...), got {monitor!r}")
    outcomes = run_jobs(_train, [(build_model, s, x, y, validation_data, fit_kwargs, seed) for s in sizes], n_jobs)
    lower = lower_is_better(monitor)
    train_key = monitor.removeprefix("val_")
    rows = []
    for size, (history, params) in zip(sizes, outcomes):
        if monitor not in history:
            raise ValueError(f"capacity_sweep: fit did not log {monitor!r}; logged: {sorted(history)}")
        val = np.asarray(history[monitor])
        train = np.asarray(history.get(train_key, np.full(len(val), np.nan)))
        best = int(np.argmin(val) if lower else np.argmax(val))
        sign = 1.0 if lower else -1.0
        worsening = sign * (val[-1] - val[best]) / max(abs(val[best]), 1e-12)
        if best == len(val) - 1:
            verdict = "still improving"
        elif worsening > overfit_tolerance:
            verdict = f"overfits after epoch {best + 1}"
        else:
            verdict = f"flat after epoch {best + 1}"
        rows.append({"size": size, "params": params, "best_epoch": best + 1, "best": float(val[best]),
                     "train_at_best": float(train[best]), "gap_at_best": float(sign * (val[best] - train[best])),
                     "final_gap": float(sign * (val[-1] - train[-1])), "verdict": verdict})
    return CapacityReport(rows, [h for h, _ in outcomes], monitor)
