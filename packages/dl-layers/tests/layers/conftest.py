"""Helpers shared by the layer tests, handed to them as fixtures (test files cannot import each other).

``np_activation`` runs a test once per activation name with its NumPy formula;
``check_config_round_trip`` is the get_config / from_config check of every layer with a config.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest

SELU_ALPHA, SELU_SCALE = 1.67326324235437728, 1.05070098735548049
np_erf = np.vectorize(math.erf, otypes=[np.float64])


def np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


# activation name -> NumPy formula (evaluated in float64, compared in float32)
NP_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": np_softmax,
    "linear": lambda z: z,
    "elu": np_elu,
    "selu": lambda z: SELU_SCALE * np_elu(z, SELU_ALPHA),
    "gelu": lambda z: 0.5 * z * (1 + np_erf(z / np.sqrt(2))),
    "swish": lambda z: z / (1 + np.exp(-z)),
}
KINKED = {"relu", "elu", "selu"}  # keep pre-activations away from 0 for these


@pytest.fixture(name="np_activation", scope="session", params=sorted(NP_ACTIVATIONS))
def _np_activation(request):
    """Each activation in turn: ``.name``, its NumPy ``.formula`` and whether it is ``.kinked`` at 0."""
    name = request.param
    return SimpleNamespace(name=name, formula=NP_ACTIVATIONS[name], kinked=name in KINKED)


def _as_f32(x):
    return [np.asarray(v, np.float32) for v in x] if isinstance(x, list) else np.asarray(x, np.float32)


def check_config_round_trip(factory, x):
    """``factory()`` built on ``x`` (an array or a list of them, cast to float32): the clone made by
    ``from_config(get_config())`` has the same config and, given the same weights, the same outputs."""
    x = _as_f32(x)
    layer = factory()
    layer(x)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


@pytest.fixture(name="check_config_round_trip", scope="session")
def _check_config_round_trip():
    return check_config_round_trip
