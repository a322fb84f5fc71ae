"""Checking a split before trusting its scores: the book's checklist, made executable.

A validation score means something only if the validation data plays the part of data the
model has never seen. Three things break that quietly. *Representativeness*: a split that
leaves whole classes (or most of a class) out of training, typically when the data was
sorted by class and not shuffled. *The arrow of time*: when the task is to predict the
future, validation data that is not strictly later than the training data lets the model
peek ahead. *Redundancy*: the same sample (a repeated image, a copy-pasted review) in both
training and validation, which turns part of the validation into a memory test.

``find_duplicates`` finds repeated samples (exactly, or within a tolerance),
``check_temporal_split`` checks the order of times, and ``leakage_report`` runs every check
on the index arrays of a split (or of K folds) and says what it found.

Examples:
    >>> import numpy as np
    >>> from dl_workflow.leakage import leakage_report
    >>> x = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [0.0, 1.0]])   # sample 3 repeats sample 0
    >>> report = leakage_report({"train": [0, 1], "val": [2, 3]}, x=x)
    >>> report.ok
    False
    >>> print(report)
    Leakage report for parts train, val (4 samples)
    checks run: index_overlap, duplicate_samples; not run: temporal_order (pass times=), unseen_classes and
    class_proportions (pass labels=)
    1 finding:
      - duplicate_samples: 1 sample(s) of 'val' duplicate sample(s) of 'train'; (train, val) index pairs, e.g.
        [(0, 3)]
"""

from __future__ import annotations

import itertools
import textwrap

import numpy as np

from dl_layers.checks import check_choice, check_number

__all__ = ["LeakageReport", "check_temporal_split", "find_duplicates", "leakage_report"]

#: Elements per block of pairwise comparisons (bounds the memory of near-duplicate searches).
_BLOCK_ELEMENTS = 1 << 22
_MAX_EXAMPLES = 5


# -- duplicates --------------------------------------------------------------------------------


def _is_texts(a) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype.kind == "U" or (a.dtype == object and a.ndim == 1 and all(isinstance(t, str) for t in a))
    return isinstance(a, list | tuple) and len(a) > 0 and all(isinstance(t, str) for t in a)


def _samples(owner: str, name: str, a):
    """("texts", object array (n,)) or ("numbers", array (n, ...)) for ``a``."""
    if isinstance(a, str):
        raise TypeError(f"{owner}: {name} must be a collection of samples (an array, or a list of texts), "
                        "got a single string")
    if _is_texts(a):
        return "texts", np.asarray(a, dtype=object).reshape(-1)
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{owner}: {name} could not be read as an array of samples ({err})") from None
    if arr.dtype.kind not in "biufc" or arr.ndim == 0:
        raise TypeError(f"{owner}: {name} must be a numeric array of samples, shape (samples, ...), or a sequence "
                        f"of texts, got {'a scalar' if arr.ndim == 0 else f'dtype {arr.dtype}'}")
    return "numbers", arr


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorized."""
    total = int(counts.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)  # 0..c-1 within each run
    return np.repeat(starts, counts) + offsets


def _same_group_pairs(ga: np.ndarray, gb: np.ndarray) -> np.ndarray:
    """Every pair (i, j) with ``ga[i] == gb[j]``, sorted; shape (k, 2)."""
    order = np.argsort(gb, kind="stable")
    sorted_b = gb[order]
    lo = np.searchsorted(sorted_b, ga, side="left")
    counts = np.searchsorted(sorted_b, ga, side="right") - lo  # matches of each row of a, (n,)
    i = np.repeat(np.arange(len(ga)), counts)
    j = order[_expand(lo, counts)]
    return np.stack([i, j], axis=1).astype(np.int64)


def _exact_numbers(fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
    """Pairs of identical rows, by hashing each row's bytes (np.unique on a void view)."""
    both = np.concatenate([fa, fb])  # (n + m, d)
    if both.dtype.kind in "fc":
        both = both + 0  # -0.0 becomes 0.0, so that equal numbers have equal bytes
    width = both.shape[1] * both.dtype.itemsize
    if width == 0:
        groups = np.zeros(len(both), np.int64)  # samples without values are all alike
    else:
        rows = np.ascontiguousarray(both).view(np.dtype((np.void, width))).reshape(-1)  # (n + m, d) -> (n + m,)
        groups = np.unique(rows, return_inverse=True)[1].reshape(-1)
    return _same_group_pairs(groups[:len(fa)], groups[len(fa):])


def _near_numbers(fa: np.ndarray, fb: np.ndarray, tolerance: float, metric: str) -> np.ndarray:
    """Pairs of rows within ``tolerance``, by blocks of pairwise distances.

    Euclidean distances of a block of ``fa`` to all of ``fb`` come from matrix products
    (``|a|^2 + |b|^2 - 2 a.b``); they select candidates (for "max_abs": Euclidean distance
    <= tolerance * sqrt(features), since the largest difference is at least the Euclidean
    distance over sqrt(features)), whose exact distance is then computed.
    """
    fa, fb = fa.astype(np.float64), fb.astype(np.float64)
    n, m, d = len(fa), len(fb), fa.shape[1]
    bound = tolerance if metric == "euclidean" else tolerance * np.sqrt(max(d, 1))
    sq_a, sq_b = (fa ** 2).sum(axis=1), (fb ** 2).sum(axis=1)  # (n,), (m,)
    rows = max(1, _BLOCK_ELEMENTS // max(m, 1))
    chunk = max(1, _BLOCK_ELEMENTS // max(d, 1))
    found = []
    for a0 in range(0, n, rows):  # a loop over blocks of rows
        block = slice(a0, a0 + rows)
        d2 = sq_a[block, None] + sq_b[None, :] - 2.0 * (fa[block] @ fb.T)  # (rows, m)
        slack = 1e-9 * (sq_a[block, None] + sq_b[None, :]) + 1e-12  # rounding of the expansion
        i, j = np.nonzero(d2 <= bound ** 2 + slack)
        i = i + a0
        for c0 in range(0, len(i), chunk):  # candidates, a chunk at a time
            ci, cj = i[c0:c0 + chunk], j[c0:c0 + chunk]
            diff = fa[ci] - fb[cj]  # (candidates, d)
            if metric == "euclidean":
                dist = np.sqrt((diff ** 2).sum(axis=1))
            else:
                dist = np.abs(diff).max(axis=1, initial=0.0)
            keep = dist <= tolerance
            found.append(np.stack([ci[keep], cj[keep]], axis=1))
    pairs = np.concatenate(found) if found else np.zeros((0, 2), np.int64)
    return pairs.astype(np.int64)


def _normalized_texts(texts: np.ndarray) -> np.ndarray:
    """Each text with runs of whitespace made one space, stripped, and case-folded, (n,)."""
    return np.array([" ".join(t.split()).casefold() for t in texts], dtype=object)  # str methods run in C


def _exact_texts(ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
    groups = np.unique(_normalized_texts(np.concatenate([ta, tb])), return_inverse=True)[1].reshape(-1)
    return _same_group_pairs(groups[:len(ta)], groups[len(ta):])


def _near_texts(ta: np.ndarray, tb: np.ndarray, tolerance: float) -> np.ndarray:
    """Pairs of texts whose word sets have a Jaccard similarity >= 1 - tolerance.

    Word sets become (text, word id) pairs; an inverted index of ``tb`` (texts by word) gives,
    for a block of texts of ``ta``, the number of shared words with every text of ``tb``
    (one ``bincount``); blocks are sized so that the work per block stays bounded.
    """
    n, m = len(ta), len(tb)
    tokens = [t.casefold().split() for t in itertools.chain(ta, tb)]  # one list of words per text
    lengths = np.array([len(t) for t in tokens], np.int64)  # (n + m,)
    words = np.array(list(itertools.chain.from_iterable(tokens)), dtype=str)  # fixed width: sorts fast
    vocab, word_ids = np.unique(words, return_inverse=True)
    vocab_size = max(len(vocab), 1)
    docs = np.repeat(np.arange(n + m), lengths)
    codes = np.sort(docs * vocab_size + word_ids.reshape(-1))
    codes = codes[np.diff(codes, prepend=-1) != 0]  # unique (text, word) pairs, sorted by text
    doc, word = codes // vocab_size, codes % vocab_size
    in_a = doc < n
    a_doc, a_word = doc[in_a], word[in_a]
    b_doc, b_word = doc[~in_a] - n, word[~in_a]
    size_a = np.bincount(a_doc, minlength=n)  # words per text, (n,)
    size_b = np.bincount(b_doc, minlength=m)  # (m,)
    by_word = np.argsort(b_word, kind="stable")
    b_docs_by_word = b_doc[by_word]  # texts of tb grouped by word
    word_start = np.searchsorted(b_word[by_word], np.arange(vocab_size))  # (vocab,)
    df_b = np.bincount(b_word, minlength=vocab_size)  # texts of tb holding each word, (vocab,)
    entry_cost = df_b[a_word]  # shared-word hits each (text, word) entry of ta produces
    cost = np.bincount(a_doc, weights=entry_cost, minlength=n) + m  # work per text of ta, (n,)
    cumulative = np.cumsum(cost)
    entry_start = np.searchsorted(a_doc, np.arange(n + 1))  # entries of text k: entry_start[k]:entry_start[k+1]
    found, start = [], 0
    while start < n:  # one pass per block of texts
        done = cumulative[start - 1] if start else 0.0
        stop = max(start + 1, int(np.searchsorted(cumulative, done + _BLOCK_ELEMENTS, side="right")))
        stop = min(stop, n)
        e0, e1 = entry_start[start], entry_start[stop]
        counts = entry_cost[e0:e1]
        rows = np.repeat(a_doc[e0:e1] - start, counts)
        hits = b_docs_by_word[_expand(word_start[a_word[e0:e1]], counts)]
        shared = np.bincount(rows * m + hits, minlength=(stop - start) * m).reshape(stop - start, m)  # (block, m)
        union = size_a[start:stop, None] + size_b[None, :] - shared
        similarity = np.where(union > 0, shared / np.maximum(union, 1), 1.0)  # two empty texts: alike
        i, j = np.nonzero(similarity >= 1.0 - tolerance - 1e-12)
        found.append(np.stack([i + start, j], axis=1))
        start = stop
    pairs = np.concatenate(found) if found else np.zeros((0, 2), np.int64)
    return pairs.astype(np.int64)


def find_duplicates(a, b=None, tolerance: float = 0.0, metric: str = "max_abs") -> np.ndarray:
    """Pairs of samples that are the same (or nearly): rows of ``a`` repeated in ``b``, or within ``a``.

    Samples are either numeric arrays, compared flattened (images, feature vectors, windows
    of a series), or texts.

    * ``tolerance=0``: exact duplicates. Numeric rows are hashed (``np.unique`` on their bytes;
      -0.0 equals 0.0), texts are compared after collapsing whitespace and case: O((n + m)
      log(n + m)).
    * ``tolerance > 0``, numbers: rows at distance <= tolerance, with ``metric="max_abs"`` (the
      largest absolute difference of any value: Chebyshev) or ``"euclidean"``. Every pair is
      compared, by blocks of about 4 million distances, with matrix products: O(n * m *
      features) time, but BLAS-fast (2000 x 2000 rows of 784 values: well under a second); pairs
      within a loose bound are then checked exactly.
    * ``tolerance > 0``, texts: pairs whose *sets of words* (whitespace-split, case-folded)
      have a Jaccard similarity ``|A & B| / |A | B|`` >= 1 - tolerance (order and repeats of
      words are ignored). Computed with an inverted index: the work is the number of
      (text of a, text of b, shared word) triples, roughly n * m times the shared common
      words; fine for thousands of texts, slow for a hundred thousand.

    Args:
        a: samples, shape (n, ...), or a sequence of n strings.
        b: other samples of the same kind (and sample shape); None: look within ``a``.
        tolerance: 0 for exact duplicates, else the largest distance (numbers) or
            1 - the smallest Jaccard similarity (texts, at most 1).
        metric: "max_abs" or "euclidean", for numbers with ``tolerance > 0``.

    Returns:
        int64 array of shape (k, 2): rows ``(i, j)`` with ``a[i]`` and ``b[j]`` duplicates
        (``i < j`` when ``b`` is None), sorted.

    Examples:
        >>> a = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]])
        >>> find_duplicates(a)
        array([[0, 2]])
        >>> find_duplicates(a, np.array([[3.0, 4.1], [1.0, 2.0]]), tolerance=0.2)
        array([[0, 1],
               [1, 0],
               [2, 1]])
        >>> find_duplicates(["A  cat sat.", "a dog"], ["a cat   SAT.", "the cat sat."])
        array([[0, 0]])
        >>> find_duplicates(["the cat sat", "a dog"], ["sat the cat", "a dog barked"], tolerance=0.5)
        array([[0, 0],
               [1, 1]])
    """
    owner = "find_duplicates"
    tolerance = check_number(owner, "tolerance", tolerance, minimum=0)
    check_choice(owner, "metric", metric, ("max_abs", "euclidean"))
    kind_a, sa = _samples(owner, "a", a)
    kind_b, sb = (kind_a, sa) if b is None else _samples(owner, "b", b)
    if kind_a != kind_b:
        raise TypeError(f"{owner}: a holds {kind_a} but b holds {kind_b}; compare samples of one kind")
    if kind_a == "texts":
        if tolerance > 1:
            raise ValueError(f"{owner}: argument `tolerance` must be in [0, 1] for texts (1 - Jaccard "
                             f"similarity), got {tolerance!r}")
        pairs = _exact_texts(sa, sb) if tolerance == 0 else _near_texts(sa, sb, tolerance)
    else:
        if sa.shape[1:] != sb.shape[1:]:
            raise ValueError(f"{owner}: the samples of a have shape {sa.shape[1:]} but those of b have "
                             f"{sb.shape[1:]}; they must match")
        dtype = np.result_type(sa.dtype, sb.dtype)
        d = int(np.prod(sa.shape[1:]))
        fa = sa.reshape(len(sa), d).astype(dtype, copy=False)  # (n, ...) -> (n, d)
        fb = sb.reshape(len(sb), d).astype(dtype, copy=False)  # (m, ...) -> (m, d)
        pairs = _exact_numbers(fa, fb) if tolerance == 0 else _near_numbers(fa, fb, tolerance, metric)
    if b is None:
        pairs = pairs[pairs[:, 0] < pairs[:, 1]]  # each pair once, no sample with itself
    return pairs.reshape(-1, 2).astype(np.int64)


# -- the arrow of time ---------------------------------------------------------------------------


def _times(owner: str, name: str, t) -> np.ndarray:
    arr = np.asarray(t)
    if arr.dtype.kind not in "iufM" or arr.ndim != 1:
        raise TypeError(f"{owner}: {name} must be a 1-D array of times (numbers or datetime64), got "
                        f"{'dtype ' + str(arr.dtype) if arr.dtype.kind not in 'iufM' else f'shape {arr.shape}'}")
    if len(arr) == 0:
        raise ValueError(f"{owner}: {name} is empty")
    if arr.dtype.kind in "fM" and np.isnan(arr).any():
        raise ValueError(f"{owner}: {name} contains NaN (or NaT)")
    return arr


def _temporal_findings(names: list, parts: list, fold=None) -> list:
    """A finding for each part whose times are not all after the previous part's last time."""
    findings = []
    for (early_name, early), (late_name, late) in itertools.pairwise(zip(names, parts)):
        if len(early) == 0 or len(late) == 0:
            continue
        last = early.max()
        too_early = late <= last
        count = int(too_early.sum())
        if count:
            first = late.min()
            findings.append({
                "check": "temporal_order", "fold": fold, "parts": (early_name, late_name), "count": count,
                "examples": [str(first), str(last)],
                "message": (f"{count} '{late_name}' time(s) are not after the last '{early_name}' time {last}: the "
                            f"parts overlap on [{first}, {last}]"),
            })
    return findings


def check_temporal_split(train_times, val_times, test_times=None, raise_error: bool = True) -> list:
    """Check that validation data comes strictly after the training data (and test after validation).

    When the task is forecasting, a random split lets the model train on the future of its
    validation samples. Split by time instead (e.g. ``temporal_split(times, val_size=0.2,
    test_size=0.2)`` gives the times of each part; pass ``np.arange(n)`` too to get their
    indices), then check them: ``check_temporal_split(train_times, val_times, test_times)``.

    Args:
        train_times: 1-D array of the training samples' times (numbers, e.g. timestamps or
            step numbers, or ``datetime64``).
        val_times: the same for the validation samples.
        test_times: the same for the test samples (optional).
        raise_error: raise a ``ValueError`` naming the overlap (default); False: return the
            findings instead.

    Returns:
        the findings (dicts with ``check``, ``parts``, ``count``, ``examples`` (the first
        too-early time, the last earlier time) and ``message``); empty when the order is right.

    Examples:
        >>> check_temporal_split([1, 2, 3], [4, 5], [6])
        []
        >>> check_temporal_split([1, 2, 5], [4, 6])
        Traceback (most recent call last):
        ...
        ValueError: check_temporal_split: 1 'val' time(s) are not after the last 'train' time 5: the parts...[4, 5]
    """
    owner = "check_temporal_split"
    names, parts = ["train", "val"], [_times(owner, "train_times", train_times), _times(owner, "val_times", val_times)]
    if test_times is not None:
        names.append("test")
        parts.append(_times(owner, "test_times", test_times))
    if len({p.dtype.kind == "M" for p in parts}) > 1:
        raise TypeError(f"{owner}: mix of datetime64 and numeric times; use one kind for every part")
    findings = _temporal_findings(names, parts)
    if findings and raise_error:
        raise ValueError(f"{owner}: " + "; ".join(f["message"] for f in findings))
    return findings


# -- the report ----------------------------------------------------------------------------------


class LeakageReport:
    """What ``leakage_report`` found.

    Attributes:
        findings: list of dicts, one per problem: ``check`` (its name), ``fold`` (the fold's
            number, or None for a single split), ``parts`` (the names involved), ``count``
            (how many indices, samples or classes), ``examples`` (a few of them) and
            ``message`` (one sentence).
        checks: the names of the checks that ran.
        parts: the parts' names (for folds: those of one fold).
        proportions: ``{part: {class: share}}`` when labels were given (part names prefixed
            by ``"fold k "`` for folds), else None.
        n_samples: the number of samples the indices refer to (None if unknown).
        ok: True when nothing was found.

    ``str(report)`` is a readable summary.
    """

    def __init__(self, findings: list, checks: list, parts: list, proportions: dict | None = None,
                 n_samples: int | None = None, n_folds: int | None = None):
        self.findings = list(findings)
        self.checks = list(checks)
        self.parts = list(parts)
        self.proportions = proportions
        self.n_samples = n_samples
        self.n_folds = n_folds

    @property
    def ok(self) -> bool:
        return not self.findings

    def __repr__(self) -> str:
        return f"LeakageReport(ok={self.ok}, findings={len(self.findings)}, checks={self.checks})"

    def __str__(self) -> str:
        where = f"{self.n_folds} folds of parts" if self.n_folds is not None else "parts"
        size = f" ({self.n_samples} samples)" if self.n_samples is not None else ""
        lines = [f"Leakage report for {where} {', '.join(self.parts)}{size}"]
        skipped = [text for check, text in (("duplicate_samples", "duplicate_samples (pass x=)"),
                                            ("temporal_order", "temporal_order (pass times=)"),
                                            ("unseen_classes", "unseen_classes and class_proportions (pass labels=)"))
                   if check not in self.checks]
        ran = "checks run: " + ", ".join(self.checks) + ("; not run: " + ", ".join(skipped) if skipped else "")
        lines += textwrap.wrap(ran, 110)
        if self.ok:
            lines.append("no leak found by these checks")
        else:
            lines.append(f"{len(self.findings)} finding{'s' if len(self.findings) > 1 else ''}:")
            for f in self.findings:
                fold = f"fold {f['fold']}: " if f["fold"] is not None else ""
                lines += textwrap.wrap(f"{fold}{f['check']}: {f['message']}", 110, initial_indent="  - ",
                                       subsequent_indent="    ")
        if self.proportions:
            lines.append("class proportions:")
            width = max(len(name) for name in self.proportions)
            for name, shares in self.proportions.items():
                items = list(shares.items())
                text = ", ".join(f"{c}: {s:.2f}" for c, s in items[:10]) + (", ..." if len(items) > 10 else "")
                lines.append(f"  {name:<{width}}  {text}")
        return "\n".join(lines)


def _indices(owner: str, name: str, idx, n: int | None) -> np.ndarray:
    arr = np.asarray(idx)
    if arr.dtype == bool:
        if n is not None and len(arr) != n:
            raise ValueError(f"{owner}: the boolean mask of part {name!r} has {len(arr)} entries for {n} samples")
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, np.int64)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise TypeError(f"{owner}: part {name!r} must be a 1-D array of integer indices (or a boolean mask), got "
                        f"{'dtype ' + str(arr.dtype) if arr.dtype.kind not in 'iu' else f'shape {arr.shape}'}")
    if arr.min() < 0 or (n is not None and arr.max() >= n):
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise IndexError(f"{owner}: part {name!r} holds index {int(bad)}, outside 0..{'n - 1' if n is None else n - 1}")
    return arr.astype(np.int64)


def _folds(owner: str, splits) -> tuple[list, bool]:
    """``[(fold number or None, [(name, raw indices)])]`` and whether ``splits`` were folds."""
    if isinstance(splits, dict):
        if len(splits) < 1:
            raise ValueError(f"{owner}: argument `splits` is an empty dict; expected e.g. "
                             "{'train': train_idx, 'val': val_idx}")
        return [(None, list(splits.items()))], False
    if isinstance(splits, np.ndarray) or not hasattr(splits, "__iter__"):
        raise TypeError(f"{owner}: argument `splits` must be a dict name -> indices or a list of (train_idx, "
                        f"val_idx) folds, got {type(splits).__name__}")
    folds = []
    for k, fold in enumerate(splits):  # a loop over folds
        if not isinstance(fold, list | tuple) or len(fold) not in (2, 3):
            raise TypeError(f"{owner}: fold {k} must be a (train_idx, val_idx) or (train_idx, val_idx, test_idx) "
                            f"pair, got {type(fold).__name__}")
        folds.append((k, list(zip(("train", "val", "test"), fold))))
    if not folds:
        raise ValueError(f"{owner}: argument `splits` holds no folds")
    return folds, True


def _label_ids(owner: str, labels) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[1] > 1:
        return arr.argmax(axis=1)  # one-hot (samples, classes) -> (samples,)
    if arr.ndim == 2 and arr.shape[1] == 1:
        return arr[:, 0]  # (samples, 1) -> (samples,)
    if arr.ndim != 1:
        raise ValueError(f"{owner}: labels must have shape (samples,), (samples, 1) or one-hot (samples, classes), "
                         f"got {arr.shape}")
    return arr


def _examples(values) -> list:
    return np.asarray(values)[:_MAX_EXAMPLES].tolist()


def leakage_report(splits, x=None, times=None, labels=None, tolerance: float = 0.0, metric: str = "max_abs",
                   max_proportion_gap: float = 0.1) -> LeakageReport:
    """Run the leakage checks on a split (or on K folds) and report what they found.

    The first part (``"train"``, or each fold's training indices) is the training part; the
    others are compared with it and with each other. The checks:

    * ``index_overlap`` (always): indices shared by two parts.
    * ``duplicate_samples`` (with ``x``): samples of a later part equal to (or, with
      ``tolerance``, near) samples of an earlier part, by ``find_duplicates``; a sample
      compared with itself (same index) is left to ``index_overlap``.
    * ``temporal_order`` (with ``times``): each part strictly after the previous one (skip it,
      i.e. pass no times, for shuffled K-fold splits, which mix times by design).
    * ``unseen_classes`` (with ``labels``): classes of a later part absent from training.
    * ``class_proportions`` (with ``labels``): a class whose share in a later part differs from
      its share in training by more than ``max_proportion_gap``; the shares are in
      ``report.proportions``.

    Args:
        splits: ``{"train": idx, "val": idx, "test": idx}`` (any names; integer index arrays or
            boolean masks), or a list of ``(train_idx, val_idx)`` folds (e.g. from a
            K-fold splitter's ``split``).
        x: the samples the indices point into (an array (samples, ...) or a list of texts).
        times: the time of each sample, (samples,) numbers or datetime64.
        labels: the class of each sample, (samples,) ids or values, or one-hot rows.
        tolerance: passed to ``find_duplicates``.
        metric: passed to ``find_duplicates``.
        max_proportion_gap: the largest acceptable difference of a class's share between
            training and another part.

    Returns:
        a ``LeakageReport``: ``.findings``, ``.ok``, and a readable ``str``.

    Examples:
        >>> labels = np.array([0, 0, 0, 1, 1, 1])
        >>> report = leakage_report({"train": [0, 1, 3, 4], "val": [2, 5]}, labels=labels, times=np.arange(6))
        >>> report.ok, [f["check"] for f in report.findings]
        (False, ['temporal_order'])
        >>> leakage_report([([0, 1, 2], [3, 4]), ([2, 3, 4], [0, 1])]).ok
        True
    """
    owner = "leakage_report"
    tolerance = check_number(owner, "tolerance", tolerance, minimum=0)
    check_choice(owner, "metric", metric, ("max_abs", "euclidean"))
    max_gap = check_number(owner, "max_proportion_gap", max_proportion_gap, minimum=0, maximum=1)
    sizes = {}
    if x is not None:
        _, x = _samples(owner, "x", x)
        sizes["x"] = len(x)
    if times is not None:
        times = _times(owner, "times", times)
        sizes["times"] = len(times)
    if labels is not None:
        labels = _label_ids(owner, labels)
        sizes["labels"] = len(labels)
    if len(set(sizes.values())) > 1:
        raise ValueError(f"{owner}: x, times and labels must have one entry per sample, got lengths {sizes}")
    n = next(iter(sizes.values()), None)
    folds, are_folds = _folds(owner, splits)

    checks = ["index_overlap"] + (["duplicate_samples"] if x is not None else []) \
        + (["temporal_order"] if times is not None else []) \
        + (["unseen_classes", "class_proportions"] if labels is not None else [])
    findings, proportions = [], {} if labels is not None else None
    for fold, raw_parts in folds:  # a loop over folds
        names = [name for name, _ in raw_parts]
        parts = [_indices(owner, str(name), idx, n) for name, idx in raw_parts]
        prefix = "" if fold is None else f"fold {fold} "

        def finding(check, pair, count, examples, message, fold=fold):
            return {"check": check, "fold": fold, "parts": tuple(pair), "count": int(count),
                    "examples": examples, "message": message}

        for (i, a), (j, b) in itertools.combinations(enumerate(parts), 2):
            shared = np.intersect1d(a, b)
            if len(shared):
                findings.append(finding("index_overlap", (names[i], names[j]), len(shared), _examples(shared),
                                        f"'{names[i]}' and '{names[j]}' share {len(shared)} index(es), e.g. "
                                        f"{_examples(shared)}"))
        if x is not None:
            for (i, a), (j, b) in itertools.combinations(enumerate(parts), 2):
                pairs = find_duplicates(x[a], x[b], tolerance=tolerance, metric=metric)
                first, second = a[pairs[:, 0]], b[pairs[:, 1]]
                keep = first != second  # the same index in both parts is index_overlap's finding
                first, second = first[keep], second[keep]
                if len(first):
                    count = len(np.unique(second))
                    examples = list(zip(_examples(first), _examples(second), strict=True))
                    findings.append(finding(
                        "duplicate_samples", (names[i], names[j]), count, examples,
                        f"{count} sample(s) of '{names[j]}' {'duplicate' if tolerance == 0 else 'nearly duplicate'} "
                        f"sample(s) of '{names[i]}'; ({names[i]}, {names[j]}) index pairs, e.g. {examples}"))
        if times is not None:
            findings += _temporal_findings(names, [times[p] for p in parts], fold)
        if labels is not None:
            train = labels[parts[0]]
            classes = np.unique(labels[np.concatenate(parts)]) if sum(map(len, parts)) else np.unique(labels)
            for name, p in zip(names, parts):
                counts = np.bincount(np.searchsorted(classes, labels[p]), minlength=len(classes))  # (classes,)
                shares = counts / max(len(p), 1)
                proportions[f"{prefix}{name}"] = dict(zip(classes.tolist(), shares.tolist(), strict=True))
            train_shares = np.array(list(proportions[f"{prefix}{names[0]}"].values()))
            for j in range(1, len(parts)):
                part = labels[parts[j]]
                unseen = ~np.isin(part, train)
                if unseen.any():
                    missing = np.unique(part[unseen])
                    findings.append(finding(
                        "unseen_classes", (names[0], names[j]), unseen.sum(), _examples(missing),
                        f"{int(unseen.sum())} sample(s) of '{names[j]}' have class(es) absent from '{names[0]}': "
                        f"{_examples(missing)}"))
                if len(part) and len(train):
                    shares = np.array(list(proportions[f"{prefix}{names[j]}"].values()))
                    gap = np.abs(shares - train_shares)
                    off = np.flatnonzero(gap > max_gap)
                    if len(off):
                        examples = [(classes[k].item(), round(float(train_shares[k]), 3), round(float(shares[k]), 3))
                                    for k in off[:_MAX_EXAMPLES]]  # a few classes
                        findings.append(finding(
                            "class_proportions", (names[0], names[j]), len(off), examples,
                            f"{len(off)} class(es) differ in share by more than {max_gap:g} between '{names[0]}' "
                            f"and '{names[j]}'; (class, {names[0]} share, {names[j]} share), e.g. {examples}"))
    part_names = [str(name) for name, _ in folds[0][1]]
    return LeakageReport(findings, checks, part_names, proportions, n, len(folds) if are_folds else None)
