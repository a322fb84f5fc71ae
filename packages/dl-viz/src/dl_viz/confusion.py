"""The confusion matrix: which classes a classifier mistakes for which.

Accuracy says how often a classifier is right, not how it is wrong. The confusion matrix counts,
for each true class (a row), how many samples were predicted as each class (a column): the
diagonal holds the right answers, every other cell one kind of mistake (a "3" read as an "8").
Normalized by row, the diagonal is each class's recall; by column, each class's precision.
"""

from __future__ import annotations

import numpy as np

from dl_layers.checks import check_choice, check_number

from .figure_utils import new_axes

__all__ = ["MAX_ANNOTATED_CLASSES", "NORMALIZATIONS", "confusion_matrix", "plot_confusion_matrix"]

NORMALIZATIONS = (None, "true", "pred", "all")
"""The ``normalize`` values of ``plot_confusion_matrix``: counts, rows, columns or all cells sum to 1."""

MAX_ANNOTATED_CLASSES = 30
"""Above this many classes the cells are not written in (they would be too small to read)."""


def _labels(owner: str, name: str, y) -> tuple[np.ndarray, int | None]:
    """``y`` as int64 class labels of shape ``(n,)``, and the number of columns of a 2-D ``y`` (else None)."""
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise ValueError(f"{owner}: argument `{name}` must hold numbers (class labels, one-hot rows or "
                         f"scores), got dtype {y.dtype}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # (n, 1) -> (n,): a column of labels
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{owner}: argument `{name}` has non-finite values (NaN or inf)")
    if y.ndim == 2:
        return y.argmax(axis=1).astype(np.int64), y.shape[1]  # (n, C) one-hot or scores -> (n,) labels
    if y.ndim != 1:
        raise ValueError(f"{owner}: argument `{name}` must be labels (n,) or one row per sample (n, C), "
                         f"got shape {y.shape}")
    if y.dtype.kind == "f" and not (y == np.round(y)).all():
        bad = y[y != np.round(y)][:3]
        raise ValueError(f"{owner}: argument `{name}` holds float labels that are not whole numbers "
                         f"(e.g. {bad.tolist()}); a sigmoid output needs a threshold first, "
                         f"e.g. (y_pred > 0.5).astype(int)")
    y = y.astype(np.int64)
    if y.size and y.min() < 0:
        raise ValueError(f"{owner}: argument `{name}` must hold class labels >= 0, got {int(y.min())}")
    return y, None


def _confusion(owner: str, y_true, y_pred, num_classes=None) -> np.ndarray:
    true, true_width = _labels(owner, "y_true", y_true)
    pred, pred_width = _labels(owner, "y_pred", y_pred)
    if len(true) != len(pred):
        raise ValueError(f"{owner}: arguments `y_true` and `y_pred` must have one entry per sample, the same "
                         f"length; got {len(true)} and {len(pred)}")
    if len(true) == 0:
        raise ValueError(f"{owner}: arguments `y_true` and `y_pred` are empty (no sample)")
    widths = {name: width for name, width in (("y_true", true_width), ("y_pred", pred_width)) if width is not None}
    if num_classes is not None:
        num_classes = check_number(owner, "num_classes", num_classes, minimum=1, integer=True)
        widths["num_classes"] = num_classes
    if len(set(widths.values())) > 1:
        raise ValueError(f"{owner}: the numbers of classes disagree: " + ", ".join(
            f"{name} has {width} columns" if name != "num_classes" else f"num_classes={width}"
            for name, width in widths.items()))
    classes = next(iter(widths.values())) if widths else int(max(true.max(), pred.max())) + 1
    for name, labels in (("y_true", true), ("y_pred", pred)):
        if labels.max() >= classes:
            raise ValueError(f"{owner}: argument `{name}` holds the label {int(labels.max())}, but there are only "
                             f"{classes} classes (0..{classes - 1})")
    counts = np.bincount(true * classes + pred, minlength=classes * classes)  # (C * C,): cell index = row * C + col
    return counts.reshape(classes, classes).astype(np.int64)  # (C, C): rows true, columns predicted


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Args:
        y_true: the true classes: labels, shape ``(n,)``, or one-hot rows, shape ``(n, C)``;
            an ``(n, 1)`` column counts as labels.
        y_pred: the predictions: labels, shape ``(n,)``, or per-class probabilities or logits,
            shape ``(n, C)`` (the largest wins). Whole-number floats count as labels.
        num_classes: ``C``; None: the width of a 2-D input, else the largest label + 1.

    Returns:
        An int64 array of shape ``(C, C)``: ``[i, j]`` counts the samples of class ``i``
        predicted as ``j`` (rows true, columns predicted; the diagonal is right).

    Raises:
        ValueError: lengths differ, no sample, negative or fractional labels, a label >= ``C``.

    Examples:
        >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2])
        array([[1, 0, 0],
               [0, 0, 1],
               [0, 0, 2]])
        >>> probabilities = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
        >>> confusion_matrix([0, 1, 1], probabilities)
        array([[1, 0],
               [1, 1]])
    """
    return _confusion("confusion_matrix", y_true, y_pred, num_classes)


def _normalized(matrix: np.ndarray, normalize) -> np.ndarray:
    """``matrix`` divided by its row sums ("true"), column sums ("pred") or total ("all"); 0 where a sum is 0."""
    sums = {"true": matrix.sum(axis=1, keepdims=True), "pred": matrix.sum(axis=0, keepdims=True),
            "all": matrix.sum(keepdims=True)}[normalize]  # (C, 1), (1, C) or (1, 1)
    return np.divide(matrix, sums, out=np.zeros(matrix.shape), where=sums > 0)


def plot_confusion_matrix(y_true, y_pred, class_names=None, normalize=None, ax=None, cmap="Blues", figsize=None,
                          num_classes=None):
    """The confusion matrix as an image, each cell written in, with the accuracy as title.

    Args:
        y_true: the true classes, labels ``(n,)`` or one-hot ``(n, C)`` (see ``confusion_matrix``).
        y_pred: the predictions, labels ``(n,)`` or scores ``(n, C)``.
        class_names: ``C`` names for the ticks; None: the class numbers.
        normalize: None (counts), ``"true"`` (each row sums to 1: recall on the diagonal),
            ``"pred"`` (each column sums to 1: precision on the diagonal) or ``"all"``.
        ax: an axes to draw in; None makes a new Figure.
        cmap: the colormap (a name or a ``Colormap``); the text is white on dark cells.
        figsize: the new Figure's size in inches; default grows with the number of classes.
        num_classes: ``C``; None: the number of ``class_names`` if given (so a class absent
            from a small sample still gets its row), else as ``confusion_matrix``.

    Returns:
        The Figure: one image of shape ``(C, C)`` (rows true, columns predicted); ``C * C`` texts,
        row by row (counts as integers, normalized values with 2 decimals), when
        ``C <= MAX_ANNOTATED_CLASSES``; x label "predicted", y label "true".

    Examples:
        >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], class_names=["cat", "dog", "bird"])
        >>> ax = fig.axes[0]
        >>> [text.get_text() for text in ax.texts]
        ['1', '0', '0', '0', '1', '1', '0', '0', '1']
        >>> ax.get_title()
        'accuracy 75.00% (3/4)'
        >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], normalize="true")
        >>> [text.get_text() for text in fig.axes[0].texts][3:6]
        ['0.00', '0.50', '0.50']
    """
    owner = "plot_confusion_matrix"
    check_choice(owner, "normalize", normalize, NORMALIZATIONS)
    counts = _confusion(owner, y_true, y_pred, num_classes)
    if num_classes is None and class_names is not None and len(class_names) > counts.shape[0]:
        counts = _confusion(owner, y_true, y_pred, len(class_names))  # classes absent from this sample
    classes = counts.shape[0]
    if class_names is None:
        class_names = [str(c) for c in range(classes)]
    else:
        class_names = [str(name) for name in class_names]
        if len(class_names) != classes:
            raise ValueError(f"{owner}: argument `class_names` must have one name per class ({classes}), "
                             f"got {len(class_names)}: {class_names}")
    values = counts if normalize is None else _normalized(counts, normalize)  # (C, C)
    side = min(max(4.0, 0.6 * classes + 2.0), 14.0)
    fig, ax = new_axes(ax, figsize or (side, side))
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=max(values.max(), 1e-12), interpolation="nearest")
    if classes <= MAX_ANNOTATED_CLASSES:
        rgba = image.to_rgba(values)  # (C, C, 4): each cell's colour
        dark = rgba[..., :3] @ np.array([0.299, 0.587, 0.114]) < 0.5  # (C, C): luminance below half
        rows, cols = np.indices(values.shape).reshape(2, -1)  # (2, C * C) -> two (C * C,) index vectors
        texts = [f"{v:d}" for v in counts.ravel()] if normalize is None else [f"{v:.2f}" for v in values.ravel()]
        for row, col, text in zip(rows, cols, texts):  # one text artist per cell
            ax.text(col, row, text, ha="center", va="center", fontsize=9,
                    color="white" if dark[row, col] else "black")
    ax.set_xticks(np.arange(classes), labels=class_names, rotation=45 if classes > 6 else 0,
                  ha="right" if classes > 6 else "center")
    ax.set_yticks(np.arange(classes), labels=class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    correct, total = int(np.trace(counts)), int(counts.sum())
    ax.set_title(f"accuracy {correct / total:.2%} ({correct}/{total})")
    return fig
