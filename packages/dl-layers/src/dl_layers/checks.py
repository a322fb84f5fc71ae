"""Argument checks shared by every constructor: one wording for every bad argument.

Each check returns the value in its plain form (a Python float or int, a tuple, a NumPy
dtype) or raises an error that names the owner (a class or function), the argument, what
was expected and what came:

    >>> check_number("Dropout", "rate", 1.5, minimum=0, maximum=1, max_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: Dropout: argument `rate` must be a number in [0, 1), got 1.5
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["check_bool", "check_choice", "check_dtype", "check_number", "check_shape"]


def _interval(minimum, maximum, min_inclusive: bool, max_inclusive: bool) -> str:
    if minimum is not None and maximum is not None:
        return f" in {'[' if min_inclusive else '('}{minimum:g}, {maximum:g}{']' if max_inclusive else ')'}"
    if minimum is not None:
        return f" {'>=' if min_inclusive else '>'} {minimum:g}"
    if maximum is not None:
        return f" {'<=' if max_inclusive else '<'} {maximum:g}"
    return ""


def check_number(owner: str, name: str, value, *, minimum=None, maximum=None, min_inclusive: bool = True,
                 max_inclusive: bool = True, integer: bool = False, none_ok: bool = False):
    """``value`` as a finite Python float (an int with ``integer=True``), within the bounds.

    Booleans are refused (``True`` is not a count or a rate); with ``none_ok``, None passes.

    Examples:
        >>> check_number("Dense", "units", 64, minimum=1, integer=True)
        64
        >>> check_number("SGD", "momentum", 0.9, minimum=0, maximum=1, max_inclusive=False)
        0.9
    """
    if value is None and none_ok:
        return None
    kind = "an integer" if integer else "a number"
    interval = _interval(minimum, maximum, min_inclusive, max_inclusive)
    types = int | np.integer if integer else int | float | np.integer | np.floating
    if isinstance(value, bool | np.bool_) or not isinstance(value, types):
        raise TypeError(f"{owner}: argument `{name}` must be {kind}{interval}{' or None' if none_ok else ''}, "
                        f"got {value!r}")
    value = int(value) if integer else float(value)
    too_low = minimum is not None and (value < minimum if min_inclusive else value <= minimum)
    too_high = maximum is not None and (value > maximum if max_inclusive else value >= maximum)
    if not math.isfinite(value) or too_low or too_high:
        kind = kind if math.isfinite(value) else "a finite number"
        raise ValueError(f"{owner}: argument `{name}` must be {kind}{interval}, got {value!r}")
    return value


def check_bool(owner: str, name: str, value) -> bool:
    """``value`` if it is True or False (NumPy's bools included)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{owner}: argument `{name}` must be True or False, got {value!r}")
    return bool(value)


def check_choice(owner: str, name: str, value, choices):
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{owner}: argument `{name}` must be one of {', '.join(repr(c) for c in choices)}, "
                         f"got {value!r}")
    return value


def check_shape(owner: str, name: str, shape) -> tuple:
    """``shape`` as a tuple of non-negative ints (an int n means ``(n,)``).

    Examples:
        >>> check_shape("zeros", "shape", [784, 512]), check_shape("zeros", "shape", 3)
        ((784, 512), (3,))
    """
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(isinstance(d, int | np.integer) and not isinstance(d, bool) for d in dims):
        raise TypeError(f"{owner}: argument `{name}` must be a tuple of ints, e.g. (784, 512), got {shape!r}")
    if any(d < 0 for d in dims):
        raise ValueError(f"{owner}: argument `{name}` must not contain negative sizes, got {shape!r}")
    return tuple(int(d) for d in dims)


def check_dtype(owner: str, name: str, dtype, kinds: str = "f") -> np.dtype:
    """``dtype`` (None: float32) as a NumPy dtype whose kind is in ``kinds`` ("f": floating point)."""
    try:
        result = np.dtype("float32" if dtype is None else dtype)
    except TypeError:
        result = None
    if result is None or result.kind not in kinds:
        expected = "a floating-point dtype" if kinds == "f" else "a numeric or bool dtype"
        raise TypeError(f"{owner}: argument `{name}` must be {expected}, e.g. 'float32', got {dtype!r}")
    return result
