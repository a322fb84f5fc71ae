import sys
from pathlib import Path

import pytest

import dl_layers
from dl_tensor.testing import use_hypothesis_profiles

use_hypothesis_profiles()
sys.path.insert(0, str(Path(__file__).parent))  # the convolution tests' shared reference: conv_reference.py


@pytest.fixture(autouse=True)
def _fresh_names_and_seed():
    """Each test starts with layer names from scratch (conv2d, conv2d_1, ...) and seed 0."""
    dl_layers.clear_session()
    dl_layers.set_random_seed(0)
    yield
