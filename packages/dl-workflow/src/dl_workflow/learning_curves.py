"""Is the data sufficient? The validation score against the size of the training set.

The first question of the workflow is whether the inputs hold enough information to predict
the targets, and whether there are enough of them. A learning curve answers it by
measurement: train the same model from scratch on growing subsets of the training data and
score each on the same validation data, beside a baseline that needs no learning. A curve
still improving at the full size says more data is likely to help; a flat one says it will
not help much (work on the model or the features instead); a curve that never beats the
baseline says the inputs may not be informative for the target at all.
"""

from __future__ import annotations

import numpy as np

import dl_layers
from dl_layers.checks import check_number
from dl_layers.metrics import lower_is_better

from .baselines import evaluate_baseline
from .cross_validation import _fit_transform, _take, fresh_normalizer, run_jobs

__all__ = ["LearningCurve", "learning_curve"]


def _point(build_model, x, y, x_val, y_val, idx, fit_kwargs, normalizer, baseline, seed):
    if seed is not None:
        dl_layers.set_random_seed(seed)  # every size starts from the same initial weights
    x_train, y_train = _take(x, idx), _take(y, idx)
    norm = fresh_normalizer(normalizer)
    if norm is not None:
        x_train = _fit_transform(norm, x_train)
        x_val = norm.transform(x_val)
    model = build_model()
    model.fit(x_train, y_train, **{"verbose": 0, **(fit_kwargs or {})})
    val = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    train = model.evaluate(x_train, y_train, verbose=0, return_dict=True)
    base = None
    if baseline is not None:
        config = model.get_compile_config()
        base = evaluate_baseline(fresh_baseline(baseline).fit(x_train, y_train), x_val, y_val,
                                 loss=config["loss"], metrics=config["metrics"], return_dict=True)
    return val, train, base


def fresh_baseline(baseline):
    """An unfitted copy: ``baseline()`` for a class, else ``type(baseline)(**baseline.get_params())``
    when it has them, else the object itself (refitted)."""
    if isinstance(baseline, type):
        return baseline()
    if hasattr(baseline, "get_params"):
        return type(baseline)(**baseline.get_params())
    return baseline


class LearningCurve:
    """What ``learning_curve`` returns: ``sizes`` (training samples), and per size the
    validation ``scores``, the ``train_scores`` and the ``baseline_scores`` (dicts of arrays)."""

    def __init__(self, sizes, scores, train_scores, baseline_scores, monitor):
        self.sizes, self.scores, self.train_scores = sizes, scores, train_scores
        self.baseline_scores, self.monitor = baseline_scores, monitor

    def verdict(self, threshold=0.02) -> str:
        """What the curve says, in one sentence: is more data likely to help?

        The last step (from the second largest to the full training set) is compared with the
        whole curve's range: still gaining more than ``threshold`` (relative) means more data
        is likely to help; a curve that does not beat the baseline means the inputs may not be
        informative for the target.
        """
        values = self.scores[self.monitor]
        lower = lower_is_better(self.monitor)
        sign = 1.0 if lower else -1.0
        if self.baseline_scores is not None:
            base = self.baseline_scores[self.monitor][-1]
            if sign * (values[-1] - base) >= 0:
                return (f"the model does not beat the baseline ({self.monitor} {values[-1]:.4g} against "
                        f"{base:.4g}): the inputs may not be informative for the target, or the model is unfit")
        if len(values) < 2:
            return "one size only: no trend to read"
        gain = sign * (values[-2] - values[-1])  # > 0: the last step improved
        relative = gain / max(abs(values[-2]), 1e-12)
        if relative > threshold:
            return (f"still improving at the full size ({self.monitor} {values[-2]:.4g} -> {values[-1]:.4g}, "
                    f"{relative:.1%} in the last step): more data is likely to help")
        return (f"flat at the full size ({self.monitor} {values[-2]:.4g} -> {values[-1]:.4g}): more data is "
                "unlikely to help much; work on the model or the features")

    def plot(self, ax=None):
        """The curve (validation, training, baseline), drawn with matplotlib, which this package
        needs only here (``pip install dl-workflow[plot]``). Returns the Figure."""
        try:
            from matplotlib.figure import Figure
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("LearningCurve.plot needs matplotlib: pip install dl-workflow[plot]") from err
        if ax is None:
            fig = Figure(figsize=(6, 4), layout="constrained")
            ax = fig.add_subplot()
        m = self.monitor
        ax.plot(self.sizes, self.scores[m], "o-", label=f"validation {m}")
        ax.plot(self.sizes, self.train_scores[m], "s--", alpha=0.6, label=f"training {m}")
        if self.baseline_scores is not None:
            ax.plot(self.sizes, self.baseline_scores[m], ":", color="grey", label=f"baseline {m}")
        ax.set_xlabel("training samples")
        ax.set_ylabel(m)
        ax.legend()
        ax.set_title(self.verdict(), fontsize=8, wrap=True)
        return ax.figure

    def __repr__(self) -> str:
        return f"<LearningCurve sizes {list(self.sizes)}: {self.verdict()}>"


def learning_curve(build_model, x, y, validation_data, train_sizes=(0.1, 0.25, 0.5, 0.75, 1.0), fit_kwargs=None,
                   baseline=None, monitor="loss", normalizer=None, seed=0, n_jobs=1):
    """Train from scratch on growing subsets of ``(x, y)``; score each on ``validation_data``.

    Args:
        build_model: returns a new compiled model.
        x: the training inputs; subsets are nested (each the first samples of one seeded
            permutation), so a larger subset holds every smaller one.
        y: their targets.
        validation_data: ``(x_val, y_val)``, the same for every size.
        train_sizes: fractions in (0, 1] (floats) or numbers of samples (ints).
        fit_kwargs: for each ``fit`` (``epochs``, ``batch_size``...).
        baseline: a baseline (e.g. ``MeanRegressor()``), fitted on each subset and scored with
            the model's own loss and metrics (``evaluate_baseline``).
        monitor: the score the verdict reads.
        normalizer: fitted on each subset only.
        seed: the permutation's seed, and every size's ``set_random_seed``.
        n_jobs: sizes in parallel through joblib.

    Returns:
        A ``LearningCurve``: ``sizes``, ``scores``, ``train_scores``, ``baseline_scores``, and
        ``verdict()``: whether more data is likely to help.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> from dl_workflow import MeanRegressor
        >>> def build_model():
        ...     model = Sequential([Dense(1, input_shape=(2,))])
        ...     model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        ...     return model
        >>> x = np.random.default_rng(0).normal(size=(60, 2)).astype("float32")
        >>> curve = learning_curve(build_model, x[:40], x[:40].sum(1), (x[40:], x[40:].sum(1)),
        ...                        train_sizes=(10, 40), fit_kwargs={"epochs": 2}, baseline=MeanRegressor())
        >>> curve.sizes, sorted(curve.scores)
        ([10, 40], ['loss', 'mae'])
    """
    n = len(x)
    if n == 0:
        raise ValueError("learning_curve: x is empty")
    sizes = []
    for s in train_sizes:
        if isinstance(s, float | np.floating):  # a fraction of the training data
            s = check_number("learning_curve", "train_sizes", s, minimum=0, maximum=1, min_inclusive=False)
            sizes.append(max(1, round(s * n)))
        else:  # a number of samples
            sizes.append(check_number("learning_curve", "train_sizes", s, minimum=1, maximum=n, integer=True))
    if sorted(set(sizes)) != sizes:
        raise ValueError(f"learning_curve: train_sizes must grow strictly, got the sample counts {sizes}")
    order = np.random.default_rng(seed).permutation(n)
    x_val, y_val = validation_data
    points = run_jobs(_point, [(build_model, x, y, x_val, y_val, np.sort(order[:k]), fit_kwargs, normalizer,
                                baseline, seed) for k in sizes], n_jobs)
    names = list(points[0][0])
    if monitor not in names:
        raise ValueError(f"learning_curve: monitor={monitor!r} is not among the model's scores {names}")
    scores = {k: np.array([p[0][k] for p in points]) for k in names}
    train = {k: np.array([p[1][k] for p in points]) for k in names}
    base = None if baseline is None else {k: np.array([p[2][k] for p in points]) for k in points[0][2]}
    return LearningCurve(sizes, scores, train, base, monitor)
