import os

from hypothesis import HealthCheck, settings

# Gradient checks run the function 2 * size times: keep examples few and deadlines off.
settings.register_profile(
    "default", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


import pytest  # noqa: E402

import dl_layers  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_names_and_seed():
    """Each test starts with layer names from scratch (dense, dense_1, ...) and seed 0."""
    dl_layers.clear_session()
    dl_layers.set_random_seed(0)
    yield
