"""Keeping freed memory for the next training step.

A training step allocates the same large arrays every time (a convolution's patch matrix,
gradients of activations) and frees them at the end. By default the C library of Linux
(glibc) hands large freed blocks straight back to the operating system, so the next step
gets fresh pages, and touching each new 4 KiB page costs a page fault: on the book's
MNIST convnet that alone made a training step about twice as slow.

``keep_freed_memory`` asks glibc to keep up to ``limit`` bytes of freed memory in the
process for reuse (it raises two of its thresholds, ``M_MMAP_THRESHOLD`` and
``M_TRIM_THRESHOLD``). ``import dl_tensor`` calls it once; set the environment variable
``DL_BOOK_MALLOC=off`` before importing to leave the C library's settings alone. On other
systems (macOS, Windows, a C library without ``mallopt``) it does nothing.

Examples:
    >>> keep_freed_memory() in (True, False)    # True on Linux with glibc
    True
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["ENV", "keep_freed_memory"]

#: Set it to "off" (or "0", "no") before ``import dl_tensor`` to keep the C library's defaults.
ENV = "DL_BOOK_MALLOC"

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(limit: int = 256 * 2**20) -> bool:
    """Let the process keep up to ``limit`` bytes of freed memory for reuse; True if applied.

    Blocks larger than ``limit`` are still returned to the system as soon as they are freed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already uses
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, limit)) and bool(mallopt(_M_TRIM_THRESHOLD, limit))
