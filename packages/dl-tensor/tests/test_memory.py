"""Freed memory is kept for the next step: repeated large arrays cost no page faults."""

import os
import subprocess
import sys

import pytest

SCRIPT = """
import resource, numpy as np, dl_tensor as dt
x = dt.Tensor(np.ones((2000, 300), np.float32), requires_grad=True)
w = dt.Tensor(np.ones((300, 1200), np.float32), requires_grad=True)
def step():  # a training step's pattern: large activations and gradients, made and freed in turn
    x.grad = w.grad = None
    (dt.relu(x @ w) * 2.0).sum().backward()
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


def faults_per_step(setting: str) -> float:
    env = {**os.environ, "DL_BOOK_MALLOC": setting}
    return float(subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                                check=True).stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_import_keeps_freed_memory_and_the_setting_can_be_turned_off():
    kept, default = faults_per_step("on"), faults_per_step("off")
    assert kept < 50  # the freed blocks are reused: (almost) no new pages
    assert default > 1000  # without it, every step touches about 3,000 fresh pages
