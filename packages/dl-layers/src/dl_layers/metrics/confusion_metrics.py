"""Confusion-matrix metrics: precision, recall and the area under a curve, for binary predictions.

A prediction above a threshold counts as positive; comparing it with the target (above
0.5: positive) sorts each sample into one of four (weighted) counts, kept across batches
as the metric's weights:

|  | target positive | target negative |
|---|---|---|
| **predicted positive** | ``true_positives`` | ``false_positives`` |
| **predicted negative** | ``false_negatives`` | ``true_negatives`` |

Every entry of ``y_true``/``y_pred`` is pooled, so multi-label outputs work too.

Examples:
    >>> m = Precision()
    >>> m.update_state([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1])   # predicted positive: the first two
    >>> print(round(m.result(), 4), float(m.true_positives), float(m.false_positives))
    0.5 1.0 1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_choice, check_number
from ..targets import sample_weights
from .base_metric import Metric, as_floats, paired

__all__ = ["AUC", "Precision", "Recall"]

EPSILON = 1e-7


def _binary_batch(metric: Metric, y_true, y_pred, sample_weight) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Flat (positive target?, score, weight) of a batch, or None for an empty batch."""
    where = metric._who()
    t, p = paired(where, y_true, y_pred)
    if t.size == 0:
        return None
    if sample_weight is None:
        w = np.ones(t.shape)
    else:
        w = np.broadcast_to(sample_weights(where, sample_weight, t.shape), t.shape)  # (batch,) -> (batch, outputs)
    # scores stay in the predictions' own float dtype, so thresholds compare as in binary_accuracy
    return (t > 0.5).ravel(), as_floats(p)[0].ravel(), w.ravel()


def _safe_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, with 0 where b is 0."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


class _ConfusionMetric(Metric, register=False):  # a shared base, never saved itself
    """True/false positives/negatives at one threshold, weighted, summed over batches."""

    def __init__(self, thresholds: float | None = 0.5, name: str | None = None, dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        thresholds = 0.5 if thresholds is None else thresholds
        self.thresholds = check_number(type(self).__name__, "thresholds", thresholds, minimum=0, maximum=1)
        self.true_positives = self.add_weight("true_positives", dtype="float64")
        self.false_positives = self.add_weight("false_positives", dtype="float64")
        self.true_negatives = self.add_weight("true_negatives", dtype="float64")
        self.false_negatives = self.add_weight("false_negatives", dtype="float64")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        batch = _binary_batch(self, y_true, y_pred, sample_weight)
        if batch is None:
            return
        actual, scores, w = batch
        predicted = scores > self.thresholds
        self.true_positives.assign_add(np.sum(w * (actual & predicted)))
        self.false_positives.assign_add(np.sum(w * (~actual & predicted)))
        self.true_negatives.assign_add(np.sum(w * (~actual & ~predicted)))
        self.false_negatives.assign_add(np.sum(w * (actual & ~predicted)))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.thresholds}


class Precision(_ConfusionMetric):
    """Of the samples predicted positive, the (weighted) fraction that are positive.

    ``true_positives / (true_positives + false_positives)``, 0.0 while nothing was
    predicted positive. ``thresholds``: a prediction strictly above it counts as positive
    (one number). ``update_state(y_true, y_pred, sample_weight=None)``: y_true (batch, 1)
    or (batch,) labels, y_pred probabilities of the same shape.

    Examples:
        >>> m = Precision(thresholds=0.7)
        >>> m.update_state([[1], [0], [1]], [[0.9], [0.8], [0.6]])   # predicted positive: the first two
        >>> print(round(m.result(), 4))
        0.5
    """

    def result(self) -> float:
        tp, fp = float(self.true_positives), float(self.false_positives)
        return tp / (tp + fp) if tp + fp != 0 else 0.0


class Recall(_ConfusionMetric):
    """Of the positive samples, the (weighted) fraction predicted positive.

    ``true_positives / (true_positives + false_negatives)``, 0.0 while no positive was seen.
    Arguments and inputs as for ``Precision``.

    Examples:
        >>> m = Recall()
        >>> m.update_state([1, 0, 1, 1], [0.9, 0.8, 0.3, 0.7])
        >>> print(round(m.result(), 4))
        0.6667
    """

    def result(self) -> float:
        tp, fn = float(self.true_positives), float(self.false_negatives)
        return tp / (tp + fn) if tp + fn != 0 else 0.0


class AUC(Metric):
    """Area under the ROC (or precision-recall) curve of binary predictions.

    Confusion counts are accumulated across batches at ``num_thresholds`` evenly spaced
    thresholds on [0, 1] (the end ones nudged by 1e-7 so that scores of exactly 0 and 1
    fall inside); a score counts as positive at a threshold it is strictly above. Each
    batch is bucketed with one ``searchsorted`` and a cumulative sum, so the cost does not
    grow with ``num_thresholds`` times the batch size. The curve is closed with the points
    of thresholds -inf (everything positive) and +inf (nothing positive).

    Summation: ``curve="ROC"`` uses the trapezoid rule on (false positive rate, true
    positive rate), which is what Keras's default does for ROC; scores in the same bucket
    count as half ordered, so the result is within about ``1 / num_thresholds`` of the
    exact area. ``curve="PR"`` uses a step (Riemann) sum of precision over recall,
    ``sum((recall[i] - recall[i+1]) * precision[i])`` (like average precision), not
    Keras's interpolation. The result is 0.0 until both classes have been seen.

    Predictions are expected to be probabilities; for logits the buckets are meaningless.
    All entries are pooled, as for ``Precision``; y_true above 0.5 counts as positive.

    Args:
        num_thresholds: number of thresholds (> 1).
        curve: "ROC" or "PR".

    Examples:
        >>> m = AUC()
        >>> m.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> print(round(m.result(), 4))
        0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", name: str | None = None,
                 dtype: Any = "float32"):
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        self.num_thresholds = check_number(owner, "num_thresholds", num_thresholds, minimum=2, integer=True)
        self.curve = check_choice(owner, "curve", curve.upper() if isinstance(curve, str) else curve, ("ROC", "PR"))
        thresholds = np.linspace(0.0, 1.0, self.num_thresholds)
        thresholds[0] -= EPSILON
        thresholds[-1] += EPSILON
        self.thresholds = thresholds
        n = self.num_thresholds
        self.true_positives = self.add_weight("true_positives", shape=(n,), dtype="float64")
        self.false_positives = self.add_weight("false_positives", shape=(n,), dtype="float64")
        self.true_negatives = self.add_weight("true_negatives", shape=(n,), dtype="float64")
        self.false_negatives = self.add_weight("false_negatives", shape=(n,), dtype="float64")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        batch = _binary_batch(self, y_true, y_pred, sample_weight)
        if batch is None:
            return
        actual, scores, w = batch
        n = self.num_thresholds
        # bucket b = how many thresholds the score is strictly above (NaN: none)
        bucket = np.searchsorted(self.thresholds, scores, side="left")
        bucket[np.isnan(scores)] = 0
        pos = np.bincount(bucket, weights=w * actual, minlength=n + 1)  # (n + 1,) weight of positives per bucket
        neg = np.bincount(bucket, weights=w * ~actual, minlength=n + 1)
        # positive at threshold j <=> bucket > j: sums over buckets j+1 .. n
        tp = np.cumsum(pos[::-1])[::-1][1:]  # (n,)
        fp = np.cumsum(neg[::-1])[::-1][1:]
        self.true_positives.assign_add(tp)
        self.false_positives.assign_add(fp)
        self.false_negatives.assign_add(pos.sum() - tp)
        self.true_negatives.assign_add(neg.sum() - fp)

    def result(self) -> float:
        tp_at, fp_at = self.true_positives.numpy(), self.false_positives.numpy()
        positives = tp_at[0] + self.false_negatives.numpy()[0]
        negatives = fp_at[0] + self.true_negatives.numpy()[0]
        # curve points from threshold -inf to +inf
        tp = np.concatenate([[positives], tp_at, [0.0]])
        fp = np.concatenate([[negatives], fp_at, [0.0]])
        recall = _safe_divide(tp, np.full_like(tp, positives))
        if self.curve == "ROC":
            fpr = _safe_divide(fp, np.full_like(fp, negatives))
            area = np.sum((fpr[:-1] - fpr[1:]) * (recall[:-1] + recall[1:]) / 2)
        else:
            precision = _safe_divide(tp, tp + fp)
            area = np.sum((recall[:-1] - recall[1:]) * precision[:-1])
        return float(area) if positives > 0 and negatives > 0 else 0.0

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve}
