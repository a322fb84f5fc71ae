"""The fused recurrent ops over sequences of several blocks of steps, their work overlapped on a
second thread or not (``dl_sequence.overlap``), and the ``Overlap`` worker itself."""

import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dl_sequence.overlap as overlap
import dl_tensor as dt
from dl_sequence import GRUCell, GRUOp, LSTMCell, LSTMOp, SimpleRNNCell, SimpleRNNOp
from dl_sequence.overlap import Overlap, step_blocks, use_second_thread
from dl_tensor import Tensor

sys.path.insert(0, str(Path(__file__).parent))
from rnn_reference import fused_and_readable, op_inputs, projected_loss  # noqa: E402

STEPS = 170  # six blocks of steps (5 of 32, one of 10): enough for the second thread

# kind -> (gates, bias shape from units, states, op factory, cell factory)
KINDS = {
    "simple_rnn": (1, lambda u: (u,), 1, lambda p, **kw: SimpleRNNOp(p["go_backwards"], p["return_sequences"],
                                                                      p["mask"], **kw),
                   lambda u: SimpleRNNCell(u, dtype="float64")),
    "lstm": (4, lambda u: (4 * u,), 2, lambda p, **kw: LSTMOp(p["go_backwards"], p["return_sequences"], p["mask"],
                                                               **kw),
             lambda u: LSTMCell(u, dtype="float64")),
    "gru": (3, lambda u: (2, 3 * u), 1, lambda p, **kw: GRUOp(p["go_backwards"], p["return_sequences"], p["mask"],
                                                               reset_after=True, **kw),
            lambda u: GRUCell(u, reset_after=True, dtype="float64")),
    "gru_reset_before": (3, lambda u: (3 * u,), 1,
                         lambda p, **kw: GRUOp(p["go_backwards"], p["return_sequences"], p["mask"],
                                               reset_after=False, **kw),
                         lambda u: GRUCell(u, reset_after=False, dtype="float64")),
}


def long_problem(kind, seed, masked, go_backwards, return_sequences, batch=2, n_in=2, units=2):
    gates, bias_shape, n_states, _, _ = KINDS[kind]
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((batch, STEPS, n_in)),
        "kernel": rng.standard_normal((n_in, gates * units)) * 0.5,
        "recurrent_kernel": rng.standard_normal((units, gates * units)) * 0.5,
        "bias": rng.standard_normal(bias_shape(units)) * 0.5,
        "states": [rng.standard_normal((batch, units)) * 0.5 for _ in range(n_states)],
        "mask": rng.random((batch, STEPS)) > 0.3 if masked else None,
        "go_backwards": go_backwards,
        "return_sequences": return_sequences,
    }


@pytest.fixture
def threads_used(monkeypatch):
    """The ``threaded`` flag of every ``Overlap`` entered while the test runs."""
    seen = []
    enter = Overlap.__enter__

    def spying_enter(self):
        seen.append(self.threaded)
        return enter(self)

    monkeypatch.setattr(Overlap, "__enter__", spying_enter)
    return seen


def second_thread(monkeypatch, on: bool):
    """Force the second thread on (any size, any BLAS: the results must not depend on it) or off."""
    monkeypatch.setattr(overlap, "OVERLAP_MIN_WORK", 0 if on else 1 << 62)
    monkeypatch.setattr(overlap, "blas_threads_controllable", lambda: on)


@settings(max_examples=24, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), seed=st.integers(0, 2**16), masked=st.booleans(),
       go_backwards=st.booleans(), return_sequences=st.booleans(), threaded=st.booleans())
def test_long_sequences_equal_the_readable_cell(kind, seed, masked, go_backwards, return_sequences, threaded):
    """Over six blocks of steps, with the blocks' work on a second thread or not, the fused op
    gives the values and gradients of the cell unrolled by ``RNN`` (float64)."""
    p = long_problem(kind, seed, masked, go_backwards, return_sequences)
    _, _, _, make_op, make_cell = KINDS[kind]
    with pytest.MonkeyPatch.context() as mp:
        second_thread(mp, threaded)
        entered = []
        enter = Overlap.__enter__
        mp.setattr(Overlap, "__enter__", lambda self: (entered.append(self.threaded), enter(self))[1])
        (fo, fg), (ro, rg) = fused_and_readable(lambda: make_op(p), make_cell(2), p)
    assert entered == [threaded, threaded]  # forward and backward, each with its second thread or not
    for a, b in zip(fo + fg, ro + rg, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def run_float32(kind, p, masks):
    """Outputs and gradients of the fused op in float32, under one fixed projection of the outputs."""
    _, _, _, make_op, _ = KINDS[kind]
    ins = [Tensor(a, dtype="float32", requires_grad=True) for a in op_inputs(p)]
    outs = make_op(p, **masks)(*ins)
    projected_loss(outs, "float32").backward()
    return [o.numpy() for o in outs] + [t.grad for t in ins]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("masked", [False, True])
def test_the_second_thread_changes_no_bit(kind, masked, monkeypatch, threads_used):
    """The blocks, their sums and their order are the same on either thread: identical float32
    results, with dropout masks and a sequence mask, going backwards, every step returned."""
    p = long_problem(kind, 7, masked, go_backwards=True, return_sequences=True, batch=5, n_in=3, units=4)
    rng = np.random.default_rng(2)
    masks = dict(input_mask=(rng.random((5, 3)) > 0.5) * 2.0, recurrent_mask=(rng.random((5, 4)) > 0.5) * 2.0)
    second_thread(monkeypatch, True)
    threaded = run_float32(kind, p, masks)
    second_thread(monkeypatch, False)
    inline = run_float32(kind, p, masks)
    assert threads_used == [True, True, False, False]
    for a, b in zip(threaded, inline, strict=True):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b)


# -- the blocks ---------------------------------------------------------------------------------

@given(st.integers(1, 5000))
def test_the_blocks_cover_every_step_once_in_order(steps):
    blocks = step_blocks(steps)
    assert blocks[0][0] == 0 and blocks[-1][1] == steps
    assert all(stop == start for (_, stop), (start, _) in zip(blocks, blocks[1:]))
    sizes = [stop - start for start, stop in blocks]
    assert len(set(sizes[:-1])) <= 1 and 0 < sizes[-1] <= sizes[0]
    assert sizes[0] == min(steps, max(32, -(-steps // 16)))  # 32 steps, or a sixteenth of a long sequence
    assert len(blocks) <= max(16, -(-steps // 32))


def test_without_a_controllable_blas_the_work_stays_on_one_thread(monkeypatch):
    monkeypatch.setattr(dt.blas, "_controls", [])  # as if NumPy's BLAS were not an OpenBLAS
    assert not use_second_thread(500, 128, 32)


def test_short_or_small_sequences_stay_on_one_thread():
    if not dt.blas.blas_threads_controllable():
        pytest.skip("NumPy's BLAS is not OpenBLAS here")
    assert use_second_thread(500, 128, 32)  # the book's LSTM
    assert not use_second_thread(92, 128, 32)  # 3 blocks: the conv_gru model's GRU
    assert not use_second_thread(500, 2, 4)  # too little work
    assert not use_second_thread(10, 10**6, 32)  # one block


# -- the worker ---------------------------------------------------------------------------------

def test_blocks_run_in_order_on_another_thread():
    ran = []
    with Overlap(threaded=True) as worker:
        for a, b in step_blocks(100):
            worker.submit(lambda a, b: ran.append((a, b, threading.current_thread().name)), a, b)
        worker.wait(0)
        assert ran[0][:2] == (0, 32)
    assert [r[:2] for r in ran] == step_blocks(100)
    assert {r[2] for r in ran} == {"dl-sequence-overlap"}
    assert not worker._thread.is_alive()


@pytest.mark.parametrize("threaded", [True, False])
def test_ahead_and_behind_give_the_loop_its_blocks_in_order(threaded):
    """Forward: each block comes once its work is done; backward: last block first, and each
    block's work is submitted once the loop has finished that block."""
    done, seen = [], []
    with Overlap(threaded) as worker:
        for start, _ in worker.ahead(lambda a, b: done.append(("ahead", a)), 100):
            seen.append(("loop", start, [d for d in done if d[1] == start]))
    assert seen == [("loop", a, [("ahead", a)]) for a, _ in step_blocks(100)]
    done.clear()
    with Overlap(threaded) as worker:
        for start, _ in worker.behind(lambda a, b: done.append(a), 100):
            if worker.submitted:
                worker.wait(worker.submitted - 1)  # the previous block's work is done...
            assert start not in done  # ...and this block's is not submitted before the loop has been through it
    assert done == [a for a, _ in reversed(step_blocks(100))]


def test_inline_blocks_run_at_once_on_this_thread():
    ran = []
    with Overlap(threaded=False) as worker:
        worker.submit(lambda a, b: ran.append((a, b, threading.current_thread())), 0, 32)
        assert ran == [(0, 32, threading.current_thread())]
        worker.wait(0)


def test_a_failing_block_raises_in_the_calling_thread_and_stops_the_rest():
    ran = []

    def work(a, b):
        ran.append(a)
        if a == 32:
            raise FloatingPointError(f"block {a}-{b} failed")

    with pytest.raises(FloatingPointError, match="block 32-64 failed"):
        with Overlap(threaded=True) as worker:
            for a, b in step_blocks(160):
                worker.submit(work, a, b)
            worker.wait(4)  # the last block: skipped after the failure, but it is marked done
    assert ran == [0, 32]
    assert not worker._thread.is_alive()


def test_an_error_in_the_loop_is_raised_and_the_worker_ends():
    with pytest.raises(KeyError):
        with Overlap(threaded=True) as worker:
            worker.submit(lambda a, b: None, 0, 32)
            raise KeyError("the loop failed")
    assert not worker._thread.is_alive()


def test_blas_runs_on_one_thread_while_overlapping_and_is_restored():
    controls = dt.blas._thread_controls()
    if not controls:
        pytest.skip("NumPy's BLAS is not OpenBLAS here")
    get = controls[0][0]
    before, inside = get(), []
    with Overlap(threaded=True) as worker:
        worker.submit(lambda a, b: inside.append(get()), 0, 32)
        worker.wait(0)
        inside.append(get())
    assert inside == [1, 1]
    assert get() == before


def test_the_worker_flushes_denormals_when_the_caller_does():
    """The worker is started by the op's thread, so it inherits its floating-point setting."""
    tiny = np.array([1e-39], np.float32)
    seen = []
    if not dt.set_flush_denormal(True):
        pytest.skip("flushing denormals is not supported here")
    try:
        with Overlap(threaded=True) as worker:
            worker.submit(lambda a, b: seen.append(float((tiny * 1)[0])), 0, 32)
    finally:
        dt.set_flush_denormal(False)
    with Overlap(threaded=True) as worker:
        worker.submit(lambda a, b: seen.append(float((tiny * 1)[0])), 0, 32)
    assert seen[0] == 0.0 and seen[1] != 0.0
