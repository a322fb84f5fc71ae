"""Activation and LeakyReLU (``layers/activation.py``): forward passes against NumPy formulas,
gradients against finite differences, argument errors and configs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_layers import Activation, LeakyReLU
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 forward comparisons


# -- Activation -------------------------------------------------------------------------


@given(x=shapes(min_dims=1).flatmap(lambda s: arrays(s, dtype=np.float32)))
def test_activation_layer_matches_numpy(np_activation, x):
    out = Activation(np_activation.name)(Tensor(x)).numpy()
    np.testing.assert_allclose(out, np_activation.formula(x.astype(np.float64)), **F32)


@given(data=st.data())
def test_activation_layer_gradients(np_activation, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    kinks = (0.0,) if np_activation.kinked else ()
    x = data.draw(arrays(shape, kinks=kinks), label="x")
    layer = Activation(np_activation.name, dtype="float64")
    assert gradcheck(lambda t: layer(t), [x])


def test_activation_layer_accepts_a_callable():
    layer = Activation(lambda t: t * 3)
    np.testing.assert_array_equal(layer(np.array([[1.0, -2.0]], np.float32)).numpy(), [[3.0, -6.0]])


def test_activation_layer_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="'softmax'"):
        Activation("softmaxx")


# -- LeakyReLU --------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,slope", [({}, 0.3), ({"negative_slope": 0.1}, 0.1), ({"alpha": 0.05}, 0.05)])
@given(x=shapes(min_dims=1).flatmap(lambda s: arrays(s, dtype=np.float32)))
def test_leaky_relu_matches_numpy(kwargs, slope, x):
    out = LeakyReLU(**kwargs)(Tensor(x)).numpy()
    np.testing.assert_allclose(out, np.where(x > 0, x, slope * x.astype(np.float64)), **F32)


@given(x=shapes(min_dims=1).flatmap(lambda s: arrays(s, kinks=(0.0,))))
def test_leaky_relu_gradients(x):
    layer = LeakyReLU(0.2, dtype="float64")
    assert gradcheck(lambda t: layer(t), [x])


def test_leaky_relu_rejects_negative_slope():
    with pytest.raises(ValueError, match="negative_slope"):
        LeakyReLU(-0.1)


# -- configs ----------------------------------------------------------------------------

# (factory, input) for each layer of the module; inputs are cast to float32
CONFIG_CASES = {
    "activation": (lambda: Activation("gelu"), np.linspace(-2, 2, 6).reshape(2, 3)),
    "leaky_relu": (lambda: LeakyReLU(negative_slope=0.1), np.linspace(-2, 2, 6).reshape(2, 3)),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_from_config_round_trip(case, check_config_round_trip):
    check_config_round_trip(*CONFIG_CASES[case])
