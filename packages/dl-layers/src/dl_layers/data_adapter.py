"""Feeding data to ``fit``, ``evaluate`` and ``predict``: arrays or iterables of batches.

* **Arrays** (NumPy arrays, Tensors, or lists/dicts of them for several inputs/outputs):
  checked once (same number of samples, not empty, no NaN), then cut into batches,
  shuffled at each epoch if asked.
* **Iterables of batches**: a generator or iterator yielding ``(x, y)`` or
  ``(x, y, sample_weight)`` tuples (give ``steps_per_epoch`` if it never ends), or an
  object that can be iterated again each epoch (a list of batches, or a "Sequence" with
  ``__len__`` and ``__getitem__``).
"""

from __future__ import annotations

import math

import numpy as np

from dl_tensor import Tensor
from dl_tensor import random as dl_random

from . import nest


def _texts(x) -> bool:
    """True for a (nested) list of Python strings."""
    while isinstance(x, list | tuple) and x:
        x = x[0]
    return isinstance(x, str)


def _to_array(x):
    if isinstance(x, list | tuple) and _texts(x):
        # texts as an object array: a fixed-width string array would pad every text to the
        # longest one (6,000 emails, one of 300,000 characters: 7 GB)
        if not all(isinstance(t, str) for t in x):
            return np.asarray(x, dtype=object)  # nested lists: (batch, 1) texts, say
        arr = np.empty(len(x), dtype=object)
        arr[:] = x
        return arr
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind == "f" and arr.dtype != np.float32:
        arr = arr.astype(np.float32)  # once for the whole data set, not per batch
    return arr


def _plain_numbers(x) -> bool:
    """True for (nested) Python lists of numbers or of strings (texts): one array, not one array
    per input."""
    if isinstance(x, list | tuple):
        return all(_plain_numbers(item) for item in x)
    return isinstance(x, int | float | bool | np.number | str)


def to_arrays(data):
    """Arrays from what the user passed: an array, nested lists of numbers (one array), or a
    list/dict of arrays (several inputs or outputs); floats become float32."""
    if isinstance(data, list | tuple) and data and _plain_numbers(data):
        try:
            return _to_array(data)
        except ValueError:  # NumPy: "setting an array element with a sequence ... inhomogeneous shape"
            lengths = sorted({len(row) for row in data if isinstance(row, list | tuple)})
            raise ValueError(f"the data are ragged: nested lists of different lengths ({lengths[:5]}); give one "
                             "array, padding sequences to one length first (e.g. dl_sequence.pad_sequences)") from None
    return nest.map_structure(_to_array, data)


def _named_leaves(name: str, structure) -> list:
    """``[(name, array)]`` with each leaf named by its place: ``x``, ``x[1]``, ``x['title']``."""
    if isinstance(structure, dict):
        return [pair for k, v in structure.items() for pair in _named_leaves(f"{name}[{k!r}]", v)]
    if isinstance(structure, list | tuple):
        return [pair for i, v in enumerate(structure) for pair in _named_leaves(f"{name}[{i}]", v)]
    return [(name, structure)]


def is_batch_source(x) -> bool:
    """True for generators, iterators and re-iterable batch sources (not arrays)."""
    if isinstance(x, list) and x and all(_looks_like_batch(b) for b in x):
        return True  # a list of (x, y) batches, not a list of arrays for several inputs
    if x is None or isinstance(x, np.ndarray | Tensor | dict | list | tuple | str | bytes):
        return False
    return hasattr(x, "__next__") or hasattr(x, "__iter__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__"))


def _looks_like_batch(item) -> bool:
    return isinstance(item, tuple) and 1 <= len(item) <= 3 and not np.isscalar(item[0])


def _check_finite(what: str, name: str, arr: np.ndarray, where: str = "") -> None:
    if arr.dtype.kind not in "fiubUSO":  # complex numbers, dates, raw bytes...: nothing a layer computes on
        raise TypeError(f"{what}: {name}{where} has dtype {arr.dtype}; expected numbers (floats, integers or "
                        "booleans), or text for a text-processing first layer")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        kind = "NaN" if np.isnan(arr[tuple(bad)]) else "an infinite value"
        raise ValueError(f"{what}: {name}{where} contains {kind} at index {tuple(int(i) for i in bad)} "
                         f"(sample {int(bad[0])})")


def unpack(batch, what: str):
    """``(x, y, sample_weight)`` from a batch given as x, (x,), (x, y) or (x, y, w)."""
    if isinstance(batch, tuple):
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch
        raise ValueError(f"{what}: a batch must be (x, y) or (x, y, sample_weight), got a tuple of {len(batch)} items")
    return batch, None, None


class ArrayData:
    """Arrays cut into batches.

    Args:
        x: inputs: an array, or a list/dict of arrays for several inputs.
        y: targets (same nesting as the outputs), or None.
        sample_weight: per-sample weights (batch,), or None.
        batch_size: samples per batch.
        shuffle: draw a new order at each epoch (from dl-tensor's seeded generator).
        steps: at most this many batches per epoch.
        what: "fit", "evaluate" or "predict", for error messages.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps=None, what="fit"):
        if x is None:
            raise ValueError(f"{what}: x is required")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or batch_size < 1:
            raise ValueError(f"{what}: batch_size must be a positive integer, got {batch_size!r}")
        self.x = to_arrays(x)
        self.y = to_arrays(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight, np.float32) if sample_weight is not None else None
        arrays = _named_leaves("x", self.x) + (_named_leaves("y", self.y) if self.y is not None else [])
        if self.sample_weight is not None:
            arrays.append(("sample_weight", self.sample_weight))
        for name, arr in arrays:
            if arr.ndim == 0:
                raise ValueError(f"{what}: {name} must have a batch axis, got a scalar")
        lengths = {name: len(arr) for name, arr in arrays}
        first, n = arrays[0][0], len(arrays[0][1])
        for name, arr in arrays:
            if len(arr) != n:
                raise ValueError(f"{what}: {first} has {n} samples but {name} has {len(arr)}; they must match")
        if n == 0:
            raise ValueError(f"{what}: the data is empty (0 samples in {', '.join(lengths)})")
        for name, arr in arrays:
            _check_finite(what, name, arr)
        self.n = n
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        per_epoch = math.ceil(n / self.batch_size)
        self.steps = per_epoch if steps is None else min(int(steps), per_epoch)

    def batches(self):
        """Yield ``(step, (x, y, sample_weight))`` for one epoch."""
        order = dl_random.get_rng().permutation(self.n) if self.shuffle else None
        b = self.batch_size
        for step in range(self.steps):
            if order is None:
                index = slice(step * b, (step + 1) * b)  # a view, no copy
            else:
                index = order[step * b:(step + 1) * b]
            yield step, (
                _take(self.x, index),
                _take(self.y, index) if self.y is not None else None,
                self.sample_weight[index] if self.sample_weight is not None else None,
            )


def _take(structure, index):
    return nest.map_structure(lambda a: a[index], structure)


class IterableData:
    """Batches drawn from a generator, an iterator, or a re-iterable source.

    Args:
        source: yields ``x``, ``(x, y)`` or ``(x, y, sample_weight)`` per batch.
        steps: batches per epoch; None means until the source is exhausted.
        what: "fit", "evaluate" or "predict", for error messages.
    """

    def __init__(self, source, steps=None, what="fit"):
        self.source, self.what = source, what
        self.one_shot = hasattr(source, "__next__")  # a generator or iterator: consumed once
        self.sequence = not self.one_shot and not hasattr(source, "__iter__")
        if steps is None and hasattr(source, "__len__"):
            steps = len(source)  # a Sequence, a list of batches, an endless iterator that knows its epoch
        self.steps = steps
        self._epochs = 0

    def _iterator(self):
        if self.one_shot:
            return self.source
        if self.sequence:
            return (self.source[i] for i in range(len(self.source)))
        return iter(self.source)

    def batches(self):
        it = self._iterator()
        step = 0
        while self.steps is None or step < self.steps:
            try:
                batch = next(it)
            except StopIteration:
                break
            batch = unpack(batch, self.what)
            for name, part in zip(("x", "y", "sample_weight"), batch):
                if part is not None:
                    for leaf_name, leaf in _named_leaves(name, part):
                        leaf = leaf.data if isinstance(leaf, Tensor) else np.asarray(leaf)
                        _check_finite(self.what, leaf_name, leaf, f" of batch {step}")
            yield step, batch
            step += 1
        self._epochs += 1
        if step == 0:
            raise ValueError(
                f"{self.what}: the data source yielded no batches"
                + (" (a generator is used up after one pass: give steps_per_epoch and make it loop forever, "
                   "or pass a list of batches or a Sequence)" if self.one_shot and self._epochs > 1 else "")
            )


def make_data(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None, what="fit"):
    """``ArrayData`` or ``IterableData``, whichever fits ``x``."""
    if steps is not None and not steps >= 1:
        arg = {"fit": "steps_per_epoch", "fit (validation_data)": "validation_steps"}.get(what, "steps")
        raise ValueError(f"{what}: {arg} must be at least 1 (or None), got {steps!r}")
    if is_batch_source(x):
        if y is not None:
            raise ValueError(f"{what}: when x is a generator or iterable of batches, y must be None "
                             "(the batches carry the targets)")
        if batch_size is not None and what != "predict":
            raise ValueError(f"{what}: batch_size cannot be used with a generator (its batches have their size)")
        return IterableData(x, steps=steps, what=what)
    batch_size = 32 if batch_size is None else batch_size  # not `or 32`: batch_size=0 is an error
    return ArrayData(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, steps=steps, what=what)


def split_for_validation(x, y, sample_weight, validation_split: float):
    """The last ``validation_split`` fraction of the samples (before shuffling), as Keras does."""
    if is_batch_source(x):
        raise ValueError("fit: validation_split needs arrays; with a generator pass validation_data instead")
    if not 0 < validation_split < 1:
        raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split!r}")
    n = len(nest.flatten(x)[0])
    split_at = int(n * (1 - validation_split))
    if split_at == 0 or split_at == n:
        raise ValueError(f"fit: validation_split={validation_split} leaves an empty training or validation set "
                         f"for {n} samples")
    head = lambda a: a[:split_at]  # noqa: E731
    tail = lambda a: a[split_at:]  # noqa: E731

    def part(fn, data):
        return nest.map_structure(lambda a: fn(_to_array(a)), data) if data is not None else None

    return ((part(head, x), part(head, y), part(head, sample_weight)),
            (part(tail, x), part(tail, y), part(tail, sample_weight)))
