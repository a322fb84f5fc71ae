"""Flatten and Reshape (``layers/reshaping.py``): against NumPy's row-major reshape, gradients,
symbolic output shapes, shape errors and configs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_layers import Flatten, Input, Reshape
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

# -- Flatten ----------------------------------------------------------------------------


@given(x=shapes(min_dims=1, max_dims=4).flatmap(lambda s: arrays(s, dtype=np.float32)))
def test_flatten_keeps_the_batch_axis_and_row_major_order(x):
    out = Flatten()(Tensor(x)).numpy()
    assert out.shape == (x.shape[0], int(np.prod(x.shape[1:])))
    np.testing.assert_array_equal(out, x.reshape(x.shape[0], -1))


@given(x=shapes(min_dims=2, max_dims=4).flatmap(arrays))
def test_flatten_gradients(x):
    assert gradcheck(lambda t: Flatten()(t), [x])


def test_flatten_on_symbolic_inputs():
    assert Flatten()(Input(shape=(3, 3, 64))).shape == (None, 576)
    assert Flatten()(Input(shape=(3, None))).shape == (None, None)


# -- Reshape ----------------------------------------------------------------------------


@given(data=st.data())
def test_reshape_matches_numpy_including_minus_one(data):
    batch = data.draw(st.integers(1, 3), label="batch")
    a, b, c = (data.draw(st.integers(1, 4), label=n) for n in "abc")
    x = data.draw(arrays((batch, a * b * c), dtype=np.float32), label="x")
    for target in ((a, b * c), (a, -1), (-1, c), (a, b, c), (-1,)):
        out = Reshape(target)(Tensor(x)).numpy()
        np.testing.assert_array_equal(out, x.reshape(batch, *target))


@given(x=arrays((2, 12)))
def test_reshape_gradients(x):
    assert gradcheck(lambda t: Reshape((3, -1))(t), [x])


def test_reshape_on_symbolic_inputs_fills_in_minus_one():
    assert Reshape((3, -1))(Input(shape=(12,))).shape == (None, 3, 4)
    assert Reshape((4, 3))(Input(shape=(2, 6))).shape == (None, 4, 3)
    assert Reshape((-1, 2))(Input(shape=(None,))).shape == (None, None, 2)


@pytest.mark.parametrize("target", [(5,), (5, -1)])
def test_reshape_to_a_size_that_does_not_fit_names_the_layer(target):
    with pytest.raises(ValueError, match=r"Layer 'reshape'.*\(12,\)"):
        Reshape(target)(np.zeros((2, 12), np.float32))


def test_reshape_to_a_size_that_does_not_fit_symbolically_names_the_layer():
    with pytest.raises(ValueError, match=r"Layer 'reshape'"):
        Reshape((5,))(Input(shape=(12,)))


def test_reshape_checks_every_call_not_only_the_first():
    layer = Reshape((3, -1))
    layer(np.zeros((2, 12), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'reshape'"):
        layer(np.zeros((2, 10), np.float32))


@pytest.mark.parametrize("target", [(-1, -1), (0, 4), (-2, 3)])
def test_reshape_rejects_bad_target_shapes(target):
    with pytest.raises(ValueError, match="at most one -1"):
        Reshape(target)


# -- configs ----------------------------------------------------------------------------

# (factory, input) for each layer of the module; inputs are cast to float32
CONFIG_CASES = {
    "flatten": (lambda: Flatten(), np.arange(12.0).reshape(2, 3, 2)),
    "reshape": (lambda: Reshape((2, -1)), np.arange(12.0).reshape(2, 6)),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_from_config_round_trip(case, check_config_round_trip):
    check_config_round_trip(*CONFIG_CASES[case])
