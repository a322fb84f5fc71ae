"""The second core's share of a fused recurrent op: the work that does not wait for the recurrence.

A recurrent layer's loop over time is sequential: step ``t`` needs the state of step
``t - 1``. Each step is a small product and a dozen element-wise passes on (units, batch)
blocks, too small to split over two cores. But much of the op's work does not depend on
the loop at all, or only on steps the loop has already done:

* forward, the input projection ``x_t W + b`` of every step (one product per block of steps);
* backward, once the loop has gone back past a block of steps: that block's share of the
  input's gradient (``dG_t W.T``), of the weight gradients (``sum_t x_t.T dG_t``,
  ``sum_t h_t.T dG_t``) and of the bias gradient.

``Overlap`` runs that work on a second thread, one block of steps at a time, while the
calling thread runs the loop. NumPy lets go of Python's lock inside each product and each
pass, so the two threads really run at once, one per core; OpenBLAS is kept to one thread
meanwhile (``dl_tensor.single_threaded_blas``), so that each side's products stay on its own
core. The blocks are the same whether the work runs on the second thread or, for a short
sequence, on the calling one (``threaded=False``): the same sums in the same order, so the
results are identical either way (tested).

Measured on 2 cores, forward and backward of the op (128 sequences of 500 steps, 32 units):
the book's LSTM 76 -> 55 ms, a GRU 78 -> 60 ms. Short sequences stay on one thread
(``use_second_thread``): on the conv_gru model's GRU (92 steps) the overlap did not pay.

In the ops, ``Overlap.ahead`` and ``Overlap.behind`` give the loop its blocks of steps and
hand the work to the second thread at the right moments.

Examples:
    >>> import numpy as np
    >>> done = []
    >>> with Overlap(threaded=True) as worker:
    ...     for start, stop in step_blocks(70):
    ...         worker.submit(lambda a, b: done.append((a, b)), start, stop)
    >>> done                                            # in order, all finished after the block
    [(0, 32), (32, 64), (64, 70)]
"""

from __future__ import annotations

import queue
import threading

from dl_tensor import single_threaded_blas
from dl_tensor.blas import blas_threads_controllable

from .recurrent import product_blocks

__all__ = ["OVERLAP_MIN_BLOCKS", "OVERLAP_MIN_WORK", "Overlap", "step_blocks", "use_second_thread"]

#: The second thread is used when ``steps * batch * units`` reaches this; below it, starting a
#: thread (about 0.1 ms) costs more than the work it would take over.
OVERLAP_MIN_WORK = 1 << 18
#: ... and when the sequence has at least this many blocks of steps (``step_blocks``): on a
#: short one the loop ends before the overlap has paid for the thread and the hand-overs.
#: Measured on a GRU (batch 128, 32 units), forward and backward, median of 7 (ms): 92 steps
#: 10.70 without, 10.83 with; 128 steps 14.89 / 14.94; 160 steps 19.85 / 18.57.
OVERLAP_MIN_BLOCKS = 5


def step_blocks(steps: int) -> list[tuple[int, int]]:
    """The blocks of timesteps ``[(start, stop), ...]`` the overlapped work is cut into: 32
    steps each, or ``steps / 16`` for sequences longer than 512.

    Each block costs the two threads a few hand-overs of Python's lock, so blocks should be
    few; the backward pass waits for the last one, so it should be small. Measured on a GRU
    (batch 128, 32 units) forward and backward, against no overlap (ms): 92 steps 11.7 without,
    13.6 / 12.1 / 11.3 / 12.3 with blocks of 8 / 16 / 32 / 64 steps; 500 steps 78.5 without,
    66.6 / 59.4 / 60.2 / 60.9. On an LSTM of 500 steps: 76.1 without, 69.1 / 59.4 / 55.0 / 54.3.

    Examples:
        >>> step_blocks(70), len(step_blocks(500)), step_blocks(500)[-1]
        ([(0, 32), (32, 64), (64, 70)], 16, (480, 500))
    """
    size = max(32, -(-steps // 16))
    return [(start, min(start + size, steps)) for start in range(0, steps, size)]


def use_second_thread(steps: int, batch: int, units: int) -> bool:
    """Whether a fused op of this size gives its loop-independent work to a second thread:
    enough work, at least ``OVERLAP_MIN_BLOCKS`` blocks of steps, and a BLAS that can be kept
    to one thread meanwhile (else both threads' products would fight over the cores)."""
    return (steps * batch * units >= OVERLAP_MIN_WORK and len(step_blocks(steps)) >= OVERLAP_MIN_BLOCKS
            and blas_threads_controllable())


class Overlap:
    """Runs ``work(start, stop)`` for submitted blocks of steps, in order, on a second thread.

    ``submit(work, start, stop)`` queues a block's work; ``wait(i)`` waits until the ``i``-th
    submitted work is done (and raises what it raised); leaving the ``with`` block waits for
    all of them. With ``threaded=False`` every ``submit`` runs the work at once on the calling
    thread.
    """

    def __init__(self, threaded: bool):
        self.threaded = threaded
        self.submitted = 0
        self.error: BaseException | None = None

    def __enter__(self):
        if self.threaded:
            self._blas = single_threaded_blas()
            self._blas.__enter__()
            self._queue: queue.SimpleQueue = queue.SimpleQueue()
            self._done: list[threading.Event] = []
            # started here, so that it inherits this thread's floating-point setting (denormals)
            self._thread = threading.Thread(target=self._run, name="dl-sequence-overlap", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while (block := self._queue.get()) is not None:
            index, work, start, stop = block
            try:
                if self.error is None:
                    work(start, stop)
            except BaseException as error:  # handed to the calling thread by wait() and __exit__
                self.error = error
            finally:
                self._done[index].set()

    def submit(self, work, start: int, stop: int) -> None:
        """Queue ``work(start, stop)`` (run it now, without a second thread)."""
        if not self.threaded:
            work(start, stop)
        else:
            self._done.append(threading.Event())
            self._queue.put((self.submitted, work, start, stop))
        self.submitted += 1

    def products(self, lhs, out) -> list:
        """The pieces of the loop's per-step product ``lhs @ x -> out``: whole while BLAS runs on
        one thread (the second thread is in use), else row blocks small enough for one
        (``product_blocks``)."""
        return [(lhs, out)] if self.threaded else product_blocks(lhs, out)

    def ahead(self, work, steps: int):
        """The forward loop's blocks ``(start, stop)``, in order, each once ``work`` has run on it:
        ``work`` (an input projection) is submitted for every block at once, ahead of the loop."""
        blocks = step_blocks(steps)
        first = self.submitted
        for start, stop in blocks:
            self.submit(work, start, stop)
        for n, block in enumerate(blocks):
            self.wait(first + n)
            yield block

    def behind(self, work, steps: int):
        """The backward loop's blocks ``(start, stop)``, last first; ``work`` (the block's share of
        the gradients) is submitted for each block as soon as the loop has finished it."""
        for start, stop in reversed(step_blocks(steps)):
            yield start, stop
            self.submit(work, start, stop)

    def wait(self, index: int) -> None:
        """Return once the ``index``-th submitted block is done; raise its error if it failed."""
        if self.threaded:
            self._done[index].wait()
            if self.error is not None:
                raise self.error

    def __exit__(self, kind, value, traceback):
        if self.threaded:
            self._queue.put(None)
            self._thread.join()
            self._blas.__exit__(None, None, None)
            if kind is None and self.error is not None:
                raise self.error
        return False
