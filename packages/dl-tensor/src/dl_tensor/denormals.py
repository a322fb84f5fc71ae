"""Flushing denormal numbers to zero, as ``torch.set_flush_denormal`` does.

float32 numbers below about 1.2e-38 are *denormal*: the processor computes with them in a
slow path, tens of times slower than with ordinary numbers. Training produces them: a
saturated sigmoid's gradient, a recurrent network's gradient after many steps, an
activation that decays towards zero. A single array full of them can make an element-wise
pass several times slower (measured: our LSTM trains 2.5 times faster with them flushed).

``set_flush_denormal(True)`` tells the processor to treat denormal inputs as zero and to
write zero instead of a denormal result (the x86 MXCSR bits DAZ and FTZ; the FZ bit of
FPCR on 64-bit ARM). The setting belongs to each thread, and a new thread inherits it from
the thread that starts it. So it changes the calling thread, where NumPy's element-wise
passes run, and then restarts the worker threads of the OpenBLAS library NumPy uses, so that
its matrix products, which run on them, flush too. Its products need that even when no
input is denormal: a recurrent layer's weight gradient multiplies gradients of about 1e-7 by
activations, and the partial sums underflow (measured: 24 ms instead of 10 for one LSTM
weight gradient, 155 ms instead of 5 for a product with denormal inputs). Call it before
training, not while another thread is computing.

The cost is accuracy below 1.2e-38, which no model notices. PyTorch offers the same switch,
off by default, as this one is. TensorFlow, under Keras, flushes in its own computations;
so does dl-layers' ``fit``, through ``flushing_denormals()``, which turns the switch on for a
``with`` block and restores it after (measured: the book's LSTM, trained by a script that
never calls the switch, 363 -> 1,556 samples/s). It returns False and does nothing where it
is not supported (another processor, a C library without ``fegetenv``).

Examples:
    >>> import numpy as np
    >>> tiny = np.array([1e-39], dtype=np.float32)       # a denormal float32
    >>> flushing = set_flush_denormal(True)              # False where not supported
    >>> bool((tiny * 1)[0] == 0) == flushing             # read as zero while on
    True
    >>> set_flush_denormal(False) == flushing
    True
    >>> bool((tiny * 1)[0] == 0)                         # computed with again
    False
"""

from __future__ import annotations

import contextlib
import ctypes
import platform
import sys

from .blas import openblas_libraries

__all__ = ["flush_denormal_enabled", "flushing_denormals", "set_flush_denormal"]

# glibc's fenv_t: on x86-64, 28 bytes of x87 state then the SSE control register MXCSR (the
# one NumPy's float32/float64 arithmetic obeys); on 64-bit ARM, FPCR then FPSR
_X86_MXCSR_OFFSET, _X86_DAZ, _X86_FTZ = 28, 1 << 6, 1 << 15
_ARM_FPCR_OFFSET, _ARM_FZ = 0, 1 << 24


def _control_register():
    """``(offset of the control word in fenv_t, the bits that flush denormals)`` or None."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return _X86_MXCSR_OFFSET, _X86_DAZ | _X86_FTZ
    if machine in ("aarch64", "arm64"):
        return _ARM_FPCR_OFFSET, _ARM_FZ
    return None


def _environment():
    """``(fesetenv, env, control word, bits)``: the calling thread's floating-point environment
    read by ``fegetenv`` (a buffer), its control word (a view into it) and the bits that flush
    denormals; None where the switch does not exist or cannot be read."""
    register = _control_register()
    if register is None or not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        fegetenv, fesetenv = libc.fegetenv, libc.fesetenv
    except (OSError, AttributeError):
        return None
    offset, bits = register
    env = (ctypes.c_uint8 * 64)()  # larger than fenv_t on both machines
    if fegetenv(env) != 0:
        return None
    return fesetenv, env, ctypes.c_uint32.from_buffer(env, offset), bits


def flush_denormal_enabled() -> bool:
    """Whether the calling thread flushes denormal numbers to zero now."""
    found = _environment()
    return found is not None and found[2].value & found[3] == found[3]


def set_flush_denormal(mode: bool) -> bool:
    """Flush denormal numbers to zero (``True``) or compute with them (``False``); True if applied."""
    found = _environment()
    if found is None:
        return False
    fesetenv, env, word, bits = found
    word.value = word.value | bits if mode else word.value & ~bits
    if fesetenv(env) != 0:
        return False
    _restart_blas_threads()
    return True


@contextlib.contextmanager
def flushing_denormals():
    """Flush denormal numbers to zero inside the ``with`` block, then go back to what was set
    before it; yields whether denormals are flushed inside. dl-layers' ``fit`` trains in such a
    block, as TensorFlow (under Keras) flushes denormals in its own computations.

    Examples:
        >>> import numpy as np
        >>> tiny = np.array([1e-39], dtype=np.float32)
        >>> with flushing_denormals() as flushing:   # False where the processor has no switch
        ...     inside = float((tiny * 1)[0])
        >>> inside == 0.0 or not flushing             # read as zero inside the block
        True
        >>> float((tiny * 1)[0]) != 0.0               # computed with again after it
        True
    """
    was = flush_denormal_enabled()
    changed = not was and set_flush_denormal(True)
    try:
        yield was or changed
    finally:
        if changed:
            set_flush_denormal(False)


def _restart_blas_threads() -> None:
    """Stop the worker threads of every OpenBLAS library loaded in this process; OpenBLAS
    starts new ones, from the calling thread and with its floating-point setting, at its next
    multi-threaded call (``blas_thread_shutdown_`` is part of OpenBLAS's exported interface)."""
    for path in openblas_libraries():
        try:
            shutdown = ctypes.CDLL(path).blas_thread_shutdown_
        except (OSError, AttributeError):
            continue
        shutdown.restype = ctypes.c_int
        shutdown()
