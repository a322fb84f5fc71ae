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
