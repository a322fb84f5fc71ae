"""The BLAS library under NumPy's matrix products: finding it, and running it on one thread.

NumPy hands ``@`` to a BLAS library; the wheels from PyPI carry OpenBLAS, which splits a
product above about 260,000 multiply-adds over worker threads, one per core. That is what a
large product wants. It is not what a recurrent layer wants: its 500 small per-step products
each pay for waking the workers (measured: 11.5 us per (128, 32) @ (32, 128) product on two
threads, 8.9 us on one), and when the layer does other work on the second core at the same
time (``dl_sequence``'s recurrent ops do), the workers would take that core from it.

``single_threaded_blas()`` runs the products of a ``with`` block on the calling thread alone,
and restores the previous number of threads after it.

Examples:
    >>> import numpy as np
    >>> with single_threaded_blas() as applied:   # False where NumPy's BLAS is not OpenBLAS
    ...     product = np.ones((300, 300)) @ np.ones((300, 300))
    >>> float(product[0, 0])
    300.0
"""

from __future__ import annotations

import contextlib
import ctypes
import threading

__all__ = ["blas_threads_controllable", "openblas_libraries", "single_threaded_blas"]

# OpenBLAS's own names, and those of the scipy-openblas builds inside NumPy's wheels (64-bit ints)
_SET_NAMES = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads")
_GET_NAMES = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads")
_lock = threading.Lock()
_controls: list | None = None  # [(get, set)] per OpenBLAS library, found once


def openblas_libraries() -> list[str]:
    """Paths of the OpenBLAS libraries loaded in this process (read from ``/proc/self/maps``;
    an empty list elsewhere)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
    except OSError:
        return []


def _thread_controls() -> list:
    """``(get_num_threads, set_num_threads)`` of every loaded OpenBLAS, looked up once."""
    global _controls
    if _controls is None:
        import numpy  # noqa: F401  (loads NumPy's BLAS, so that it is in the maps)

        found = []
        for path in openblas_libraries():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            get = next((getattr(lib, n) for n in _GET_NAMES if hasattr(lib, n)), None)
            set_ = next((getattr(lib, n) for n in _SET_NAMES if hasattr(lib, n)), None)
            if get is not None and set_ is not None:
                get.restype, set_.restype, set_.argtypes = ctypes.c_int, None, [ctypes.c_int]
                found.append((get, set_))
        _controls = found
    return _controls


def blas_threads_controllable() -> bool:
    """Whether ``single_threaded_blas`` can act here (NumPy's BLAS is an OpenBLAS it can find)."""
    return bool(_thread_controls())


@contextlib.contextmanager
def single_threaded_blas():
    """Run OpenBLAS on the calling thread only inside the ``with`` block; yields True if
    applied (False: no OpenBLAS found, products run as they would anyway).

    Nested and concurrent uses are safe: the first to enter sets one thread, the last to leave
    restores the number it found.
    """
    controls = _thread_controls()
    if not controls:
        yield False
        return
    with _lock:
        if _State.depth == 0:
            _State.saved = [get() for get, _ in controls]
            for _, set_ in controls:
                set_(1)
        _State.depth += 1
    try:
        yield True
    finally:
        with _lock:
            _State.depth -= 1
            if _State.depth == 0:
                for (_, set_), n in zip(controls, _State.saved):
                    set_(n)


class _State:
    depth = 0  # how many ``single_threaded_blas`` blocks are open, in any thread
    saved: list = []  # the thread counts found by the first of them
