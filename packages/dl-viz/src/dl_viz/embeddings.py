"""Embeddings seen in the plane: word vectors (or any learned vectors) projected to 2-D.

An ``Embedding`` layer maps each word to a dense vector, and the book explains that a good
embedding space is geometric: similar words sit close together and directions carry meaning
(from "king" to "queen" as from "man" to "woman"). Those spaces have tens to hundreds of
dimensions; principal component analysis (PCA) finds the two directions along which the
vectors vary most, and projecting on them gives a scatter plot one can read, word by word.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dl_layers.checks import check_choice, check_number

from .figure_utils import new_axes

__all__ = ["METHODS", "pca", "plot_embeddings"]

METHODS = ("pca",)
"""The projection methods of ``plot_embeddings``."""


def _as_matrix(owner: str, name: str, x) -> np.ndarray:
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{owner}: argument `{name}` must be an (n, d) array of numbers (vectors of one "
                         f"length), got {type(x).__name__}") from err
    if x.ndim != 2:
        raise ValueError(f"{owner}: argument `{name}` must be 2-D, (n_samples, n_features), got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{owner}: argument `{name}` has {int(np.size(x) - np.isfinite(x).sum())} non-finite "
                         f"value(s) (NaN or inf); PCA needs finite numbers")
    return x


def pca(x, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Principal component analysis: the data projected on its ``n_components`` directions of
    largest variance.

    The data is centered, then its singular value decomposition ``U S Vt`` gives the directions
    (the rows of ``Vt``, the eigenvectors of the covariance matrix) and the variance along each
    (``S**2 / (n - 1)``). Each direction's sign is chosen so that its largest loading (the entry
    of largest absolute value) is positive, so the result does not depend on the SVD routine.

    Args:
        x: the data, shape ``(n_samples, n_features)``, at least 2 rows, finite.
        n_components: how many directions ``k`` to keep, 1 <= k <= min(n_samples, n_features).

    Returns:
        ``(projected, explained_variance_ratio)``: the coordinates, shape ``(n_samples, k)``, with
        decreasing variances and uncorrelated columns; and the fraction of the total variance
        along each direction, shape ``(k,)`` (all zeros if every row is the same).

    Examples:
        >>> x = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 1.0], [2.0, 2.0, 1.0], [3.0, 3.1, 1.0]])
        >>> projected, ratio = pca(x, n_components=2)
        >>> projected
        array([[-2.139 , -0.0142],
               [-0.725 ,  0.0069],
               [ 0.6891,  0.028 ],
               [ 2.1749, -0.0206]])
        >>> ratio  # the points lie almost on a line: one direction holds nearly all the variance
        array([0.9999, 0.0001])
    """
    x = _as_matrix("pca", "x", x)
    n, d = x.shape
    if n < 2:
        raise ValueError(f"pca: argument `x` needs at least 2 rows (samples) to have a variance, got shape {x.shape}")
    k = check_number("pca", "n_components", n_components, minimum=1, maximum=min(n, d), integer=True)
    centered = x - x.mean(axis=0)  # (n, d)
    _, singular, vt = np.linalg.svd(centered, full_matrices=False)  # vt: (min(n, d), d), rows by decreasing variance
    components = vt[:k]  # (k, d)
    largest = components[np.arange(k), np.abs(components).argmax(axis=1)]  # (k,) each direction's largest loading
    components = components * np.where(largest < 0, -1.0, 1.0)[:, None]
    variances = singular**2  # (min(n, d),) proportional to the variance along each direction
    total = variances.sum()
    ratio = variances[:k] / total if total > 0 else np.zeros(k)
    return centered @ components.T, ratio  # (n, k), (k,)


def plot_embeddings(vectors, labels=None, method: str = "pca", ax=None, max_labels: int = 200, figsize=(7, 6)):
    """A scatter plot of vectors projected to 2-D, each point written with its label (a word).

    Args:
        vectors: an ``(n, d)`` array, or a dict ``{label: vector}`` (the labels are then its keys).
        labels: None (points unlabeled) or ``n`` labels, one per row of ``vectors``; not with a dict.
        method: how to project to 2-D; only ``"pca"`` (see ``pca``) for now.
        ax: an axes to draw in; None makes a new Figure of size ``figsize``.
        max_labels: at most this many labels are written (the first ones), so that thousands of
            words do not turn into a black blot; the points are all drawn.
        figsize: the new Figure's size in inches.

    Returns:
        The Figure. The axes holds one scatter (``ax.collections[0]``, offsets = the projection,
        shape ``(n, 2)``) and one text per written label; the axis labels give each component's
        share of the variance, e.g. ``"PC1 (62% of variance)"``.

    Examples:
        >>> words = {"king": [0.9, 0.8, 0.1], "queen": [0.9, 0.1, 0.8],
        ...          "man": [0.2, 0.9, 0.1], "woman": [0.1, 0.2, 0.9]}
        >>> fig = plot_embeddings(words)
        >>> ax = fig.axes[0]
        >>> [text.get_text() for text in ax.texts]
        ['king', 'queen', 'man', 'woman']
        >>> ax.get_xlabel(), ax.get_ylabel()
        ('PC1 (65% of variance)', 'PC2 (35% of variance)')
    """
    owner = "plot_embeddings"
    check_choice(owner, "method", method, METHODS)
    max_labels = check_number(owner, "max_labels", max_labels, minimum=0, integer=True)
    if isinstance(vectors, Mapping):
        if labels is not None:
            raise ValueError(f"{owner}: `vectors` is a dict, so its keys are the labels; "
                             f"got labels= as well ({len(labels)} labels)")
        labels = list(vectors.keys())
        vectors = list(vectors.values())
    x = _as_matrix(owner, "vectors", vectors)
    n, d = x.shape
    if n < 2 or d < 2:
        raise ValueError(f"{owner}: argument `vectors` must hold at least 2 vectors of at least 2 dimensions "
                         f"to project to 2-D, got shape {x.shape}")
    if labels is not None:
        labels = list(labels)
        if len(labels) != n:
            raise ValueError(f"{owner}: argument `labels` must have one label per vector ({n}), got {len(labels)}")
    projected, ratio = pca(x, n_components=2)  # (n, 2), (2,)
    fig, ax = new_axes(ax, figsize)
    ax.scatter(projected[:, 0], projected[:, 1], s=16, alpha=0.8)
    # one text artist per written label: matplotlib draws texts one by one (at most max_labels of them)
    for label, (px, py) in zip((labels or [])[:max_labels], projected[:max_labels]):
        ax.annotate(str(label), (px, py), xytext=(3, 3), textcoords="offset points", fontsize=9)
    ax.margins(0.1)  # room for the labels of the outermost points
    ax.set_xlabel(f"PC1 ({ratio[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({ratio[1]:.0%} of variance)")
    ax.set_title(f"{n} vectors of {d} dimensions, projected by PCA")
    return fig
