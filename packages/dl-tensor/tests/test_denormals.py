"""set_flush_denormal: denormal float32/float64 values read and written as zero while on, and
computed with again once off; threads started while on inherit it; unknown machines refuse."""

import platform
import threading

import numpy as np
import pytest

from dl_tensor import set_flush_denormal

TINY32 = np.array([1e-39, -3e-40], dtype=np.float32)  # below float32's smallest normal, 1.18e-38
TINY64 = np.array([1e-310], dtype=np.float64)  # below float64's smallest normal, 2.2e-308
SUPPORTED = platform.machine().lower() in ("x86_64", "amd64", "aarch64", "arm64")


@pytest.fixture
def flushing():
    applied = set_flush_denormal(True)
    yield applied
    assert set_flush_denormal(False) == applied


@pytest.mark.skipif(not SUPPORTED, reason="flushing is supported on x86-64 and 64-bit ARM only")
def test_denormal_inputs_and_results_are_zero_while_on(flushing):
    assert flushing is True
    np.testing.assert_array_equal(TINY32 * np.float32(1), 0)  # a denormal input reads as zero
    np.testing.assert_array_equal(TINY64 + 0.0, 0)
    normal = np.array([1e-20], dtype=np.float32)
    np.testing.assert_array_equal(normal * normal, 0)  # 1e-40 would be a denormal result: written as zero
    np.testing.assert_allclose(np.array([1e-30], np.float32) * 1e4, 1e-26, rtol=1e-6)  # normal numbers unchanged


@pytest.mark.skipif(not SUPPORTED, reason="flushing is supported on x86-64 and 64-bit ARM only")
def test_off_again_computes_with_denormals():
    set_flush_denormal(True)
    assert set_flush_denormal(False) is True
    np.testing.assert_array_equal(TINY32 * np.float32(1), TINY32)
    assert (TINY32 * np.float32(1))[0] != 0


@pytest.mark.skipif(not SUPPORTED, reason="flushing is supported on x86-64 and 64-bit ARM only")
def test_a_thread_started_while_on_inherits_it(flushing):
    seen = []
    thread = threading.Thread(target=lambda: seen.append(float((TINY32 * np.float32(1))[0])))
    thread.start()
    thread.join()
    assert seen == [0.0]


def test_an_unknown_machine_is_refused_and_left_alone(monkeypatch):
    monkeypatch.setattr(platform, "machine", lambda: "sparc64")
    assert set_flush_denormal(True) is False
    assert (TINY32 * np.float32(1))[0] != 0


@pytest.mark.skipif(not SUPPORTED, reason="flushing is supported on x86-64 and 64-bit ARM only")
def test_blas_products_on_several_threads_flush_too(flushing):
    """The matrix product runs on OpenBLAS's worker threads: restarted, they inherit the setting.
    Each entry of a @ b sums products of 1e-20 * 1e-20 = 1e-40, a denormal: zero when flushed."""
    a = np.full((256, 4096), 1e-20, dtype=np.float32)  # large enough for OpenBLAS to use its threads
    b = np.full((4096, 256), 1e-20, dtype=np.float32)
    np.testing.assert_array_equal(a @ b, 0)
    set_flush_denormal(False)
    assert (a @ b > 0).all()  # 4096 * 1e-40, about 4e-37: computed with denormals again
    set_flush_denormal(True)
