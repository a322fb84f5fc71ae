"""``single_threaded_blas``: OpenBLAS on the calling thread only, inside a ``with`` block."""

import threading

import numpy as np
import pytest

from dl_tensor import blas, single_threaded_blas


def thread_counts():
    controls = blas._thread_controls()
    if not controls:
        pytest.skip("NumPy's BLAS is not OpenBLAS here")
    return [get() for get, _ in controls]


def test_one_thread_inside_and_the_previous_count_after():
    before = thread_counts()
    with single_threaded_blas() as applied:
        assert applied
        assert thread_counts() == [1] * len(before)
        a = np.arange(90_000, dtype=np.float32).reshape(300, 300) / 1e4
        assert np.allclose(a @ a, (a.astype(np.float64) @ a.astype(np.float64)), rtol=1e-4)
    assert thread_counts() == before


def test_nested_blocks_restore_only_when_the_outermost_ends():
    before = thread_counts()
    with single_threaded_blas():
        with single_threaded_blas():
            pass
        assert thread_counts() == [1] * len(before)
    assert thread_counts() == before


def test_overlapping_blocks_in_two_threads_restore_the_count_found_first():
    """Thread A enters, B enters, A leaves (B still needs one thread), B leaves: restored."""
    before = thread_counts()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with single_threaded_blas():
            a_in.set()
            b_in.wait()
        a_out.set()

    def b():
        a_in.wait()
        with single_threaded_blas():
            b_in.set()
            a_out.wait()
            seen["inside_b_after_a_left"] = thread_counts()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["inside_b_after_a_left"] == [1] * len(before)
    assert thread_counts() == before


def test_an_error_inside_still_restores():
    before = thread_counts()
    with pytest.raises(ZeroDivisionError):
        with single_threaded_blas():
            raise ZeroDivisionError("inside the block")
    assert thread_counts() == before


def test_without_openblas_it_does_nothing(monkeypatch):
    monkeypatch.setattr(blas, "_controls", [])
    with single_threaded_blas() as applied:
        assert applied is False


def test_the_libraries_are_found_from_the_process_maps():
    paths = blas.openblas_libraries()
    assert all("openblas" in p.lower() and ".so" in p for p in paths)
    assert len(blas._thread_controls()) <= len(paths)
