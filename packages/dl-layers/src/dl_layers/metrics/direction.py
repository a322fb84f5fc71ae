"""Which way is better? Lower for losses and errors, higher for accuracy-like scores.

Keras's callbacks decide it from the metric's name (``mode="auto"``). Everything above
dl-layers that compares logged values asks here, so they all agree: dl-workflow's callbacks,
cross-validation, learning curves, capacity sweeps and searches, and the best epoch that
dl-viz marks on training curves.
"""

from __future__ import annotations

HIGHER_IS_BETTER = frozenset({"acc", "accuracy", "auc", "precision", "recall", "f1", "fbeta", "fmeasure", "iou",
                              "r2", "specificity", "sensitivity"})
"""Words (between underscores) of the metric names that are better when higher; a name with
"loss" or "error" in it, and every other name, is better lower."""


def lower_is_better(name: str) -> bool:
    """True for losses and errors ("loss", "val_mae", "mse"...), False for accuracy-like
    metrics ("accuracy", "val_acc", "categorical_accuracy", "auc", "true_positives"...).
    A ``val_`` prefix does not matter.

    Examples:
        >>> lower_is_better("val_loss"), lower_is_better("mae"), lower_is_better("val_sparse_categorical_accuracy")
        (True, True, False)
    """
    if not isinstance(name, str):
        raise TypeError(f"lower_is_better: a metric name (str) was expected, got {name!r}")
    name = name.lower().removeprefix("val_")
    words = set(name.split("_"))
    if "loss" in words or "error" in words:
        return True
    return not (words & HIGHER_IS_BETTER or name.startswith("true_"))
