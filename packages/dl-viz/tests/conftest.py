import sys
from pathlib import Path

import matplotlib
import pytest

import dl_layers
from dl_tensor.testing import use_hypothesis_profiles

matplotlib.use("Agg")  # headless, whatever MPLBACKEND says
use_hypothesis_profiles()
sys.path.insert(0, str(Path(__file__).parent))  # the tests' shared models: viz_models.py


@pytest.fixture(autouse=True)
def _fresh_names_and_seed():
    """Each test starts with layer names from scratch (dense, dense_1, ...), seed 0, no open figures."""
    dl_layers.clear_session()
    dl_layers.set_random_seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
