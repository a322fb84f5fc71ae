"""Evaluation protocols: hold-out, K-fold, iterated K-fold with shuffling, temporal splits.

A model is judged on data it never trained on, and the hyper-parameters are tuned on a
validation set, so the test set must stay untouched until the very end: every time a choice is
made by looking at a score, information about that data leaks into the model. Three protocols
share out the samples, from the cheapest to the most reliable:

* **hold-out** (``train_val_test_split``, ``train_test_split``): set one part aside once. Cheap,
  but with few samples the score depends on which samples landed in the small part;
* **K-fold** (``KFold``, ``StratifiedKFold``): cut the data into K folds, train K times on K - 1
  of them and validate on the one left out; the mean of the K scores is the estimate;
* **iterated K-fold with shuffling** (``IteratedKFold``): repeat K-fold P times on fresh
  shuffles of the data, for P * K trainings and an even steadier mean when data is scarce.

Two warnings come with every protocol. If the samples are ordered (all the 0 digits first),
shuffle before splitting, or keep the class proportions with ``stratify=`` / ``StratifiedKFold``.
If the task is to predict the future from the past, never shuffle: the training samples must
come before the validation ones (``temporal_split``, ``TimeSeriesSplit``).

The splitters follow scikit-learn's protocol, so that ours and scikit-learn's can be used in
place of one another: ``split(x, y=None, groups=None)`` yields ``(train_idx, val_idx)`` pairs of
sorted int64 index arrays, and ``get_n_splits()`` says how many. Randomness comes from
``seed=`` (``random_state=`` is accepted as an alias); with no seed, dl-tensor's global
generator is used (``dl_layers.set_random_seed`` makes runs repeatable).

    >>> x = np.arange(6) * 10
    >>> for train_idx, val_idx in KFold(n_splits=3).split(x):
    ...     print(x[train_idx], x[val_idx])
    [20 30 40 50] [ 0 10]
    [ 0 10 40 50] [20 30]
    [ 0 10 20 30] [40 50]
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from dl_layers.checks import check_bool, check_number
from dl_tensor import random as dl_random

__all__ = [
    "IteratedKFold",
    "KFold",
    "RepeatedKFold",
    "StratifiedKFold",
    "TimeSeriesSplit",
    "temporal_split",
    "train_test_split",
    "train_val_test_split",
]


# -- argument helpers ------------------------------------------------------------------------


def _length(owner: str, name: str, a) -> int:
    """The number of samples of ``a``: the first dimension of an array, the length of a list."""
    if isinstance(a, list | tuple):
        return len(a)
    shape = getattr(a, "shape", None)
    if shape is not None and hasattr(a, "__getitem__"):
        if len(shape) == 0:
            raise ValueError(f"{owner}: argument `{name}` must have one row per sample, got a 0-d array")
        return int(shape[0])
    raise TypeError(f"{owner}: argument `{name}` must be an array (with a shape) or a list, "
                    f"got {type(a).__name__}")


def _common_length(owner: str, named: dict, optional: dict) -> int:
    """The number of samples shared by the arrays of ``named`` and those of ``optional`` not None."""
    lengths = {name: _length(owner, name, a) for name, a in named.items()}
    lengths |= {name: _length(owner, name, a) for name, a in optional.items() if a is not None}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name}: {n}" for name, n in lengths.items())
        raise ValueError(f"{owner}: all arrays must have the same number of samples, got lengths {listed}")
    return next(iter(lengths.values()))


def _take(a, idx: np.ndarray):
    """The rows ``idx`` of ``a``, of the same kind where simple (a list for a list or tuple)."""
    if isinstance(a, list | tuple):
        return list(map(a.__getitem__, idx.tolist()))
    if hasattr(a, "iloc"):  # a pandas object: by position, not by label
        return a.iloc[idx]
    return a[idx]


def _resolve_seed(owner: str, seed, random_state):
    """``seed`` (or its scikit-learn alias ``random_state``) as an int >= 0 or None."""
    if seed is not None and random_state is not None:
        raise ValueError(f"{owner}: give `seed` or its alias `random_state`, not both; "
                         f"got seed={seed!r} and random_state={random_state!r}")
    name, value = ("random_state", random_state) if random_state is not None else ("seed", seed)
    return check_number(owner, name, value, minimum=0, integer=True, none_ok=True)


def _no_seed_without_shuffle(owner: str, shuffle: bool, seed) -> None:
    if not shuffle and seed is not None:
        raise ValueError(f"{owner}: a seed has no effect without shuffling (shuffle=False), got seed={seed!r}; "
                         f"leave the seed to None or set shuffle=True")


def _generator(seed) -> np.random.Generator:
    """A fresh generator for an int seed, dl-tensor's global one for None (asked each time)."""
    return np.random.default_rng(seed) if seed is not None else dl_random.get_rng()


def _encode_classes(owner: str, name: str, y):
    """Class labels as codes in order of first appearance.

    Returns ``(classes, codes, counts)``: the distinct labels (in order of first appearance),
    the code of every sample, shape (n,), and the number of members of each class, shape
    (n_classes,). ``y`` is 1-D, or 2-D with one row per sample (one-hot labels: each distinct row
    is a class).
    """
    y = np.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(f"{owner}: argument `{name}` must hold one class label (or one one-hot row) per "
                         f"sample, a 1-D or 2-D array, got shape {y.shape}")
    try:
        classes, first, inverse, counts = np.unique(y, axis=0 if y.ndim == 2 else None, return_index=True,
                                                    return_inverse=True, return_counts=True)
    except TypeError as error:
        raise TypeError(f"{owner}: argument `{name}` must hold comparable class labels, got {error}") from None
    appearance = np.argsort(first, kind="stable")  # unique ids in order of first appearance
    rank = np.empty_like(appearance)
    rank[appearance] = np.arange(len(appearance))
    return classes[appearance], rank[inverse.reshape(-1)], counts[appearance]  # inverse: (n,)


def _class_name(classes, c: int) -> str:
    return repr(classes[c].tolist())


# -- sizes of the hold-out parts -------------------------------------------------------------


def _exact(value) -> Fraction:
    """A float as the decimal the user wrote (0.07, not 0.0700000000000000066...)."""
    return Fraction(str(value)) if isinstance(value, np.floating) else Fraction(repr(float(value)))


def _part_sizes(owner: str, n: int, sizes: dict) -> np.ndarray:
    """Sample counts ``[train, *sizes]`` for ``n`` samples; sizes are fractions or counts.

    A fraction f gives ceil(f * n) samples (as scikit-learn's ``test_size``), computed from the
    decimal written so that floating-point noise does not add a sample; the training part gets
    the rest. Every part must be non-empty.
    """
    if n == 0:
        raise ValueError(f"{owner}: got 0 samples, nothing to split")
    counts, fractions = [], {}
    for name, value in sizes.items():
        if isinstance(value, int | np.integer) and not isinstance(value, bool):
            if value < 1:
                raise ValueError(f"{owner}: argument `{name}` must be a fraction in (0, 1) or a count >= 1 "
                                 f"(the part must not be empty), got {value!r}")
            counts.append(int(value))
        elif isinstance(value, float | np.floating):
            check_number(owner, name, value, minimum=0, maximum=1, min_inclusive=False, max_inclusive=False)
            fractions[name] = _exact(value)
            counts.append(math.ceil(fractions[name] * n))
        else:
            raise TypeError(f"{owner}: argument `{name}` must be a fraction in (0, 1) or a count >= 1, "
                            f"got {value!r}")
    if len(fractions) > 1 and sum(fractions.values()) >= 1:
        terms = " + ".join(f"{name}={float(f):g}" for name, f in fractions.items())
        raise ValueError(f"{owner}: the fractions must sum to less than 1 (the rest trains), got "
                         f"{terms} = {float(sum(fractions.values())):g}")
    n_train = n - sum(counts)
    if n_train < 1:
        given = ", ".join(f"{name}={value!r} takes {c}" for (name, value), c in zip(sizes.items(), counts))
        raise ValueError(f"{owner}: the training part would be empty: of {n} samples, {given}, "
                         f"leaving {n_train} to train")
    return np.array([n_train, *counts], dtype=np.int64)


def _round_proportional(counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Integer class counts per part: ``A[c, j]`` is ``counts[c] * sizes[j] / n`` rounded down or up.

    Rows sum to ``counts`` (every sample goes somewhere) and columns to ``sizes`` (every part
    has its size): such a rounding always exists for a table whose row and column sums are
    integers. Start from each row rounded on its own (largest remainders up), then move units
    between parts, in rows where that keeps every entry next to its exact value, until the part
    sizes are right. Moves go from an overfull part to an underfull one directly or through the
    third part; one of these always exists while a part is off.

    Args:
        counts: members of each class, shape (n_classes,).
        sizes: samples of each part, shape (n_parts,), same total.

    Returns:
        int64 array of shape (n_classes, n_parts).
    """
    n = int(counts.sum())
    low, remainder = np.divmod(counts[:, None] * sizes[None, :], n)  # (C, J) exact integer arithmetic
    short = counts - low.sum(axis=1)  # (C,) units each row still needs
    rank = np.argsort(np.argsort(-remainder, axis=1, kind="stable"), axis=1, kind="stable")
    up = rank < short[:, None]  # (C, J) rounded up: the largest remainders of each row
    fractional = remainder > 0
    excess = (low + up).sum(axis=0) - sizes  # (J,) samples too many in each part
    parts = range(len(sizes))
    while excess.any():
        moved = 0
        for j in np.flatnonzero(excess > 0):
            for k in np.flatnonzero(excess < 0):
                can_up = fractional & ~up
                direct = np.flatnonzero(up[:, j] & can_up[:, k])
                moved = min(excess[j], -excess[k], len(direct))
                if moved:
                    rows = direct[:moved]
                    up[rows, j], up[rows, k] = False, True
                else:
                    for via in (p for p in parts if p not in (j, k)):
                        first = np.flatnonzero(up[:, j] & can_up[:, via])  # rows giving j -> via
                        second = np.flatnonzero(up[:, via] & can_up[:, k])  # rows giving via -> k
                        moved = min(excess[j], -excess[k], len(first), len(second))
                        if moved:
                            up[first[:moved], j], up[first[:moved], via] = False, True
                            up[second[:moved], via], up[second[:moved], k] = False, True
                            break
                if moved:
                    excess[j] -= moved
                    excess[k] += moved
                    break
            if moved:
                break
        if not moved:  # cannot happen: a rounding with these sums exists
            raise RuntimeError(f"stratified rounding found no move for class counts {counts} and parts {sizes}")
    return low + up


# -- hold-out --------------------------------------------------------------------------------


def _hold_out(owner, arrays, sizes: dict, shuffle, stratify, seed, random_state, part_names) -> list:
    if not arrays:
        raise TypeError(f"{owner}: expected at least one array to split, got none")
    shuffle = check_bool(owner, "shuffle", shuffle)
    seed = _resolve_seed(owner, seed, random_state)
    _no_seed_without_shuffle(owner, shuffle, seed)
    if stratify is not None and not shuffle:
        raise ValueError(f"{owner}: `stratify` needs shuffle=True: without shuffling the parts are the first, "
                         f"middle and last samples, whatever their class")
    n = _common_length(owner, {f"arrays[{i}]": a for i, a in enumerate(arrays)}, {"stratify": stratify})
    part_sizes = _part_sizes(owner, n, sizes)
    order = _generator(seed).permutation(n) if shuffle else np.arange(n)
    if stratify is None:
        parts = np.split(order, np.cumsum(part_sizes)[:-1])
    else:
        part_of = _stratified_parts(owner, stratify, part_sizes, order, part_names)
        parts = [order[part_of[order] == j] for j in range(len(part_sizes))]
    return [_take(a, idx.astype(np.int64, copy=False)) for a in arrays for idx in parts]


def _stratified_parts(owner, stratify, part_sizes, order, part_names) -> np.ndarray:
    """The part (0 = train, 1, 2...) of every sample, keeping each class's share in every part."""
    classes, codes, counts = _encode_classes(owner, "stratify", stratify)
    rare = int(np.argmin(counts))
    if counts[rare] < len(part_sizes):
        raise ValueError(f"{owner}: argument `stratify`: class {_class_name(classes, rare)} has {counts[rare]} "
                         f"member(s), fewer than the {len(part_sizes)} parts ({', '.join(part_names)}) "
                         f"that each need one")
    small = int(np.argmin(part_sizes))
    if part_sizes[small] < len(classes):
        raise ValueError(f"{owner}: argument `stratify`: the {part_names[small]} part would hold "
                         f"{part_sizes[small]} sample(s) for {len(classes)} classes; make it at least one "
                         f"sample per class")
    table = _round_proportional(counts, part_sizes)  # (C, J)
    by_class = order[np.argsort(codes[order], kind="stable")]  # class by class, random within a class
    part_of = np.empty(len(codes), dtype=np.int64)
    part_of[by_class] = np.repeat(np.tile(np.arange(len(part_sizes)), len(classes)), table.ravel())
    return part_of


def train_val_test_split(*arrays, val_size=0.2, test_size=0.2, shuffle=True, stratify=None, seed=None,
                         random_state=None) -> list:
    """Hold-out validation: cut the samples once into a training, a validation and a test part.

    Tune on the validation part; look at the test part once, at the very end.

    Args:
        *arrays: arrays (or lists) with the same number of samples (first dimension),
            e.g. ``x`` of shape (n, ...) and ``y`` of shape (n,); cut with the same indices.
        val_size: a fraction in (0, 1) of the samples (``ceil(val_size * n)`` of them, as
            scikit-learn rounds ``test_size``) or a count >= 1.
        test_size: the same for the test part. The fractions must sum to less than 1; the
            training part gets the rest and must not be empty.
        shuffle: shuffle before cutting. False keeps the order: the first samples train, the
            next validate, the last test (the past trains, the future tests).
        stratify: class labels, shape (n,) (or one-hot rows, shape (n, n_classes)): each part
            then keeps the class proportions, every class's count in a part being its exact share
            rounded down or up. Needs ``shuffle=True``; each class needs at least 3 members
            and each part at least one sample per class.
        seed: int seed of the shuffle; None draws from dl-tensor's global generator.
        random_state: alias of ``seed`` (scikit-learn's name).

    Returns:
        A list with, for each array in turn, its training, validation and test parts:
        ``[a_train, a_val, a_test, b_train, b_val, b_test, ...]``. NumPy arrays (and anything
        indexable by an index array) are indexed; lists come back as lists. With shuffling the
        samples of each part come in random order.

    Examples:
        >>> x, y = np.arange(10).reshape(5, 2), [0, 1, 2, 3, 4]
        >>> x_train, x_val, x_test, y_train, y_val, y_test = train_val_test_split(
        ...     x, y, val_size=0.2, test_size=0.2, shuffle=False)
        >>> x_train, y_train, y_val, y_test
        (array([[0, 1],
               [2, 3],
               [4, 5]]), [0, 1, 2], [3], [4])
        >>> parts = train_val_test_split(np.arange(10), seed=0)
        >>> [len(part) for part in parts]
        [6, 2, 2]
    """
    return _hold_out("train_val_test_split", arrays, {"val_size": val_size, "test_size": test_size}, shuffle,
                     stratify, seed, random_state, ("train", "val", "test"))


def train_test_split(*arrays, test_size=0.25, shuffle=True, stratify=None, seed=None, random_state=None) -> list:
    """Two-way hold-out: a training and a test (or validation) part, as scikit-learn's function.

    Args:
        *arrays: arrays (or lists) with the same number of samples, cut with the same indices.
        test_size: a fraction in (0, 1) of the samples (``ceil(test_size * n)``) or a count >= 1;
            the training part gets the rest and must not be empty.
        shuffle: shuffle before cutting; False: the first samples train, the last test.
        stratify: class labels, shape (n,): both parts keep the class proportions (each class's
            count rounded down or up from its exact share). Needs ``shuffle=True``; each class
            needs at least 2 members.
        seed: int seed of the shuffle; None draws from dl-tensor's global generator.
        random_state: alias of ``seed``.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``: arrays indexed, lists as lists.

    Examples:
        >>> x_train, x_test = train_test_split(np.arange(8), test_size=0.25, shuffle=False)
        >>> x_train, x_test
        (array([0, 1, 2, 3, 4, 5]), array([6, 7]))
        >>> y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
        >>> y_train, y_test = train_test_split(y, test_size=0.5, stratify=y, seed=0)
        >>> np.bincount(y_train), np.bincount(y_test)
        (array([2, 2]), array([2, 2]))
    """
    return _hold_out("train_test_split", arrays, {"test_size": test_size}, shuffle, stratify, seed,
                     random_state, ("train", "test"))


def temporal_split(*arrays, val_size=0.2, test_size=0.2, time=None) -> list:
    """Hold-out for predicting the future: the oldest samples train, the newest test.

    Nothing is shuffled: shuffling would let the model peek at the future it must predict.
    The arrays must be sorted by time, oldest first, unless ``time`` is given.

    Args:
        *arrays: arrays (or lists) with the same number of samples.
        val_size: a fraction in (0, 1) (``ceil(val_size * n)`` samples) or a count >= 1.
        test_size: the same for the test part (the most recent samples).
        time: optional time stamps, shape (n,) (numbers or ``datetime64``): the samples are
            then put in time order first (a stable sort: equal times keep their order).

    Returns:
        ``[a_train, a_val, a_test, b_train, ...]`` as ``train_val_test_split``, each part in
        time order; every training sample is at most as recent as every validation sample,
        and every validation sample at most as recent as every test sample.

    Examples:
        >>> days = np.array([5, 1, 4, 2, 3])
        >>> temperature = np.array([15.0, 11.0, 14.0, 12.0, 13.0])
        >>> train, val, test = temporal_split(temperature, val_size=1, test_size=1, time=days)
        >>> train, val, test
        (array([11., 12., 13.]), array([14.]), array([15.]))
    """
    owner = "temporal_split"
    if not arrays:
        raise TypeError(f"{owner}: expected at least one array to split, got none")
    n = _common_length(owner, {f"arrays[{i}]": a for i, a in enumerate(arrays)}, {"time": time})
    part_sizes = _part_sizes(owner, n, {"val_size": val_size, "test_size": test_size})
    if time is None:
        order = np.arange(n)
    else:
        stamps = np.asarray(time)
        if stamps.ndim != 1:
            raise ValueError(f"{owner}: argument `time` must hold one time stamp per sample, shape ({n},), "
                             f"got shape {stamps.shape}")
        if stamps.dtype.kind in "fcmM" and np.isnan(stamps).any():
            raise ValueError(f"{owner}: argument `time` must not contain NaN (or NaT), got "
                             f"{int(np.isnan(stamps).sum())} of them")
        order = np.argsort(stamps, kind="stable")
    parts = np.split(order.astype(np.int64, copy=False), np.cumsum(part_sizes)[:-1])
    return [_take(a, idx) for a in arrays for idx in parts]


# -- K-fold splitters ------------------------------------------------------------------------


def _folds_from_labels(labelings: list, n_splits: int):
    """``(train_idx, val_idx)`` for every fold of every labelling (fold number per sample)."""
    for labels in labelings:
        for fold in range(n_splits):
            yield (np.flatnonzero(labels != fold).astype(np.int64, copy=False),
                   np.flatnonzero(labels == fold).astype(np.int64, copy=False))


def _kfold_labels(n: int, n_splits: int, order: np.ndarray) -> np.ndarray:
    """Fold of each sample: contiguous runs of ``order``, the first n % k folds one larger."""
    sizes = np.full(n_splits, n // n_splits)
    sizes[: n % n_splits] += 1
    labels = np.empty(n, dtype=np.int64)
    labels[order] = np.repeat(np.arange(n_splits), sizes)
    return labels


def _stratified_labels(codes: np.ndarray, counts: np.ndarray, n_splits: int, order: np.ndarray) -> np.ndarray:
    """Fold of each sample such that every fold holds every class's share, to one sample.

    The samples sorted class by class are dealt round-robin to the folds (so fold sizes differ
    by one at most, and so do the counts of every class): class c, occupying the sorted
    positions [start_c, start_c + counts_c), gives fold f one sample per full round plus one if
    f is among the first counts_c % k folds reached from start_c. Each class then fills its
    folds in blocks, following ``order`` (the index order, or a shuffle).
    """
    starts = np.cumsum(counts) - counts  # (C,) first sorted position of each class
    folds = np.arange(n_splits)[:, None]  # (k, 1)
    allocation = counts // n_splits + ((folds - starts) % n_splits < counts % n_splits)  # (k, C)
    by_class = order[np.argsort(codes[order], kind="stable")]
    labels = np.empty(len(codes), dtype=np.int64)
    labels[by_class] = np.repeat(np.tile(np.arange(n_splits), len(counts)), allocation.T.ravel())
    return labels


class _Splitter:
    """What every splitter shares: scikit-learn's ``split`` / ``get_n_splits`` protocol."""

    _name = "Splitter"
    _params: tuple = ()

    def split(self, x, y=None, groups=None):
        """Yield ``(train_idx, val_idx)`` for each fold.

        Args:
            x: the inputs, shape (n, ...) (only their number of samples is used), or a list.
            y: the targets, shape (n,) (class labels for stratified splitters), or None.
            groups: ignored (accepted for scikit-learn's protocol); its length is checked.

        Returns:
            An iterator of pairs of int64 index arrays, each sorted ascending.
        """
        owner = f"{self._name}.split"
        n = _common_length(owner, {"x": x}, {"y": y, "groups": groups})
        return self._split(owner, n, y)

    def get_n_splits(self, x=None, y=None, groups=None) -> int:
        """The number of ``(train_idx, val_idx)`` pairs ``split`` yields (arguments ignored)."""
        return self.n_splits

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._params)
        return f"{self._name}({args})"

    @property
    def random_state(self):
        """scikit-learn's name of ``seed``."""
        return getattr(self, "seed", None)

    def _check_enough(self, owner: str, n: int) -> None:
        if self.n_splits > n:
            raise ValueError(f"{owner}: cannot make n_splits={self.n_splits} folds out of n_samples={n} samples; "
                             f"ask for at most {n} folds")


class _KFoldBase(_Splitter):
    """What KFold and StratifiedKFold share: K, whether to shuffle, and the seed."""

    _params = ("n_splits", "shuffle", "seed")

    def __init__(self, n_splits=5, *, shuffle=False, seed=None, random_state=None):
        self.n_splits = check_number(self._name, "n_splits", n_splits, minimum=2, integer=True)
        self.shuffle = check_bool(self._name, "shuffle", shuffle)
        self.seed = _resolve_seed(self._name, seed, random_state)
        _no_seed_without_shuffle(self._name, self.shuffle, self.seed)


class KFold(_KFoldBase):
    """K-fold validation: K folds, each the validation set once while the K - 1 others train.

    The folds differ in size by one sample at most (the first ``n % n_splits`` are one larger)
    and, without shuffling, are contiguous runs of samples: exactly scikit-learn's ``KFold``.

    Args:
        n_splits: the number of folds K, an integer >= 2.
        shuffle: shuffle the samples before cutting the folds (needed when they are ordered,
            e.g. by class).
        seed: int seed of the shuffle, which then gives the same folds at every ``split``; None
            draws a new shuffle from dl-tensor's global generator at each ``split``. Only with
            ``shuffle=True``.
        random_state: alias of ``seed`` (scikit-learn's name).

    Examples:
        >>> for train_idx, val_idx in KFold(n_splits=3).split(np.zeros((7, 2))):
        ...     print(train_idx, val_idx)
        [3 4 5 6] [0 1 2]
        [0 1 2 5 6] [3 4]
        [0 1 2 3 4] [5 6]
        >>> [val_idx for _, val_idx in KFold(3, shuffle=True, seed=1).split(np.zeros(6))]
        [array([0, 4]), array([1, 2]), array([3, 5])]
    """

    _name = "KFold"

    def _split(self, owner, n, y):
        self._check_enough(owner, n)
        order = _generator(self.seed).permutation(n) if self.shuffle else np.arange(n)
        return _folds_from_labels([_kfold_labels(n, self.n_splits, order)], self.n_splits)


class StratifiedKFold(_KFoldBase):
    """K-fold validation that keeps the class proportions in every fold (scikit-learn's).

    The book does not name it, but it answers the book's warning about ordered or unbalanced
    classes: every fold holds, for every class, its share of that class to one sample (the
    fold sizes also differ by one at most). Without shuffling each class fills the folds in
    index order, the same folds as scikit-learn's ``StratifiedKFold``; with shuffling the
    members of each class are drawn at random.

    Args:
        n_splits: the number of folds K, an integer >= 2; every class needs at least K members.
        shuffle: shuffle the members of each class before dealing them out.
        seed: int seed of the shuffle; None draws from dl-tensor's global generator at each
            ``split``. Only with ``shuffle=True``.
        random_state: alias of ``seed``.

    ``split(x, y)`` needs the class labels ``y``, shape (n,) (or one-hot rows, shape (n, C)).

    Examples:
        >>> y = np.array([0, 0, 0, 0, 1, 1])
        >>> for train_idx, val_idx in StratifiedKFold(n_splits=2).split(np.zeros(6), y):
        ...     print(val_idx, y[val_idx])
        [0 1 4] [0 0 1]
        [2 3 5] [0 0 1]
    """

    _name = "StratifiedKFold"

    def _split(self, owner, n, y):
        self._check_enough(owner, n)
        codes, counts = _checked_classes(owner, y, self.n_splits)
        order = _generator(self.seed).permutation(n) if self.shuffle else np.arange(n)
        return _folds_from_labels([_stratified_labels(codes, counts, self.n_splits, order)], self.n_splits)


def _checked_classes(owner: str, y, n_splits: int):
    """Codes and counts of the labels ``y``, every class having at least ``n_splits`` members."""
    if y is None:
        raise ValueError(f"{owner}: argument `y` (the class labels) is required for stratified folds, got None")
    classes, codes, counts = _encode_classes(owner, "y", y)
    rare = int(np.argmin(counts))
    if counts[rare] < n_splits:
        raise ValueError(f"{owner}: class {_class_name(classes, rare)} has only {counts[rare]} member(s), fewer "
                         f"than n_splits={n_splits}: every fold needs one; lower n_splits")
    return codes, counts


class IteratedKFold(_Splitter):
    """Iterated K-fold validation with shuffling: K-fold repeated on P fresh shuffles.

    For little data, when one K-fold run still gives a noisy mean: ``n_repeats`` (P) times, the
    samples are shuffled anew and cut into ``n_splits`` (K) folds, for P * K trainings whose
    scores are averaged. Each repeat draws its permutation from the same generator, seeded once
    per ``split``. Also available as ``RepeatedKFold`` (scikit-learn's name).

    Args:
        n_splits: the number of folds K of each repeat, an integer >= 2.
        n_repeats: the number of shuffled K-fold runs P, an integer >= 1.
        seed: int seed (the same P * K folds at every ``split``); None draws from dl-tensor's
            global generator.
        stratified: keep the class proportions in every fold (``StratifiedKFold`` with shuffling
            in each repeat); ``split`` then needs the labels ``y``.
        random_state: alias of ``seed``.

    Examples:
        >>> cv = IteratedKFold(n_splits=2, n_repeats=2, seed=0)
        >>> cv.get_n_splits()
        4
        >>> for train_idx, val_idx in cv.split(np.zeros(6)):
        ...     print(train_idx, val_idx)
        [0 1 4] [2 3 5]
        [2 3 5] [0 1 4]
        [0 2 3] [1 4 5]
        [1 4 5] [0 2 3]
    """

    _name = "IteratedKFold"
    _params = ("n_splits", "n_repeats", "seed", "stratified")

    def __init__(self, n_splits=4, n_repeats=3, *, seed=None, stratified=False, random_state=None):
        self.n_splits = check_number(self._name, "n_splits", n_splits, minimum=2, integer=True)
        self.n_repeats = check_number(self._name, "n_repeats", n_repeats, minimum=1, integer=True)
        self.seed = _resolve_seed(self._name, seed, random_state)
        self.stratified = check_bool(self._name, "stratified", stratified)

    def get_n_splits(self, x=None, y=None, groups=None) -> int:
        """``n_splits * n_repeats``: the number of pairs ``split`` yields (arguments ignored)."""
        return self.n_splits * self.n_repeats

    def _split(self, owner, n, y):
        self._check_enough(owner, n)
        if self.stratified:
            codes, counts = _checked_classes(owner, y, self.n_splits)
        rng = _generator(self.seed)
        labelings = []
        for _ in range(self.n_repeats):
            order = rng.permutation(n)
            labelings.append(_stratified_labels(codes, counts, self.n_splits, order) if self.stratified
                             else _kfold_labels(n, self.n_splits, order))
        return _folds_from_labels(labelings, self.n_splits)


RepeatedKFold = IteratedKFold


class TimeSeriesSplit(_Splitter):
    """Folds for time series: validate on a later block, train on everything before it.

    The last ``n_splits`` blocks of ``test_size`` samples (default ``n // (n_splits + 1)``) are
    the validation sets in turn; each trains on all the samples before its block, less the
    ``gap`` samples just before it (so that the windows of a forecast do not overlap), and only
    on the last ``max_train_size`` of them if given. The training sets expand with time; every
    training index comes before every validation index. The same folds as scikit-learn's
    ``TimeSeriesSplit``. The samples must be sorted by time, oldest first.

    Args:
        n_splits: the number of folds, an integer >= 2.
        gap: samples left out between each training set and its validation block, >= 0.
        max_train_size: cap on the training set (its most recent samples), >= 1, or None.
        test_size: samples per validation block, >= 1, or None for ``n // (n_splits + 1)``.

    Examples:
        >>> for train_idx, val_idx in TimeSeriesSplit(n_splits=3).split(np.zeros(8)):
        ...     print(train_idx, val_idx)
        [0 1] [2 3]
        [0 1 2 3] [4 5]
        [0 1 2 3 4 5] [6 7]
        >>> for train_idx, val_idx in TimeSeriesSplit(2, gap=1, max_train_size=2, test_size=1).split(np.zeros(6)):
        ...     print(train_idx, val_idx)
        [1 2] [4]
        [2 3] [5]
    """

    _name = "TimeSeriesSplit"
    _params = ("n_splits", "gap", "max_train_size", "test_size")

    def __init__(self, n_splits=5, *, gap=0, max_train_size=None, test_size=None):
        self.n_splits = check_number(self._name, "n_splits", n_splits, minimum=2, integer=True)
        self.gap = check_number(self._name, "gap", gap, minimum=0, integer=True)
        self.max_train_size = check_number(self._name, "max_train_size", max_train_size, minimum=1, integer=True,
                                           none_ok=True)
        self.test_size = check_number(self._name, "test_size", test_size, minimum=1, integer=True, none_ok=True)

    def _split(self, owner, n, y):
        if self.n_splits + 1 > n:
            raise ValueError(f"{owner}: n_splits={self.n_splits} needs n_splits + 1 = {self.n_splits + 1} blocks, "
                             f"more than n_samples={n} samples")
        block = self.test_size if self.test_size is not None else n // (self.n_splits + 1)
        first_start = n - self.n_splits * block
        if first_start - self.gap <= 0:
            raise ValueError(f"{owner}: n_splits={self.n_splits} validation blocks of test_size={block} after a "
                             f"gap={self.gap} leave no training sample out of n_samples={n}")
        return self._folds(first_start, block)

    def _folds(self, first_start: int, block: int):
        for start in range(first_start, first_start + self.n_splits * block, block):
            end = start - self.gap
            begin = max(0, end - self.max_train_size) if self.max_train_size is not None else 0
            yield (np.arange(begin, end, dtype=np.int64), np.arange(start, start + block, dtype=np.int64))
