import os
import subprocess
import sys

import pytest

import dl_layers
from dl_tensor.testing import use_hypothesis_profiles

use_hypothesis_profiles()


@pytest.fixture(autouse=True)
def _fresh_names_and_seed():
    """Each test starts with layer names from scratch (dense, dense_1, ...) and seed 0."""
    dl_layers.clear_session()
    dl_layers.set_random_seed(0)
    yield


@pytest.fixture
def dead_pid() -> int:
    """The id of a process that has exited (and been waited for), so that no process has it."""
    while True:
        child = subprocess.Popen([sys.executable, "-c", ""])
        child.wait()
        try:
            os.kill(child.pid, 0)
        except ProcessLookupError:
            return child.pid
