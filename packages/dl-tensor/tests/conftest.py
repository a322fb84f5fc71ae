import os

from hypothesis import HealthCheck, settings

# Gradient checks run the function 2 * size times: keep examples few and deadlines off.
settings.register_profile(
    "default", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
