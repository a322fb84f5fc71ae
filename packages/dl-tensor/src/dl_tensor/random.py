"""One seeded random generator for every package of dl-book.

Initializers, dropout masks and shuffling in the upper packages all draw from
``get_rng()``, so one call to ``set_random_seed`` makes a run repeatable.

Examples:
    >>> from dl_tensor import random
    >>> random.set_random_seed(42)
    >>> a = random.normal((2, 3))
    >>> random.set_random_seed(42)
    >>> bool((a == random.normal((2, 3))).all())
    True
"""

from __future__ import annotations

import random as _py_random

import numpy as np

_rng = np.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Seed dl-book's generator, and also Python's ``random`` and NumPy's legacy global one.

    Same seed, same initial weights, dropout masks and shuffles.
    """
    global _rng
    _rng = np.random.default_rng(seed)
    _py_random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 (seeding the legacy global is the point)


def get_rng() -> np.random.Generator:
    """The generator every package draws from (call it each time: seeding replaces it)."""
    return _rng


def normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype="float32") -> np.ndarray:
    """Normally distributed values, float32 by default. ``shape``: e.g. (784, 512)."""
    return (_rng.standard_normal(shape, dtype=np.float64) * stddev + mean).astype(dtype)


def uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype="float32") -> np.ndarray:
    """Uniform values in [minval, maxval), float32 by default."""
    return _rng.uniform(minval, maxval, size=shape).astype(dtype)


def permutation(n: int) -> np.ndarray:
    """A random permutation of ``range(n)`` (for shuffling samples)."""
    return _rng.permutation(n)
