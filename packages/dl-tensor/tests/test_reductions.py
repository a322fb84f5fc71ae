"""sum, mean, max, min: forward against NumPy, backward against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_tensor as dt
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, axes_for, shapes

REDUCTIONS = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction_forward_and_backward(name, data):
    shape = data.draw(shapes(min_dims=0))
    x = data.draw(arrays(shape, unique=name in ("max", "min")))  # no ties: a kink
    axis = data.draw(axes_for(x.ndim))
    keepdims = data.draw(st.booleans())
    fn = getattr(dt, name)
    out = fn(Tensor(x, dtype=np.float32), axis=axis, keepdims=keepdims)
    ref = REDUCTIONS[name](x.astype(np.float32), axis=axis, keepdims=keepdims)
    assert out.dtype == np.float32 and out.shape == np.shape(ref)
    np.testing.assert_allclose(out.data, ref, rtol=1e-5, atol=1e-6)
    assert gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), [x])


def test_methods_match_functions():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum().item() == 15.0
    np.testing.assert_allclose(x.mean(axis=0).data, [1.5, 2.5, 3.5])
    np.testing.assert_array_equal(x.max(axis=1, keepdims=True).data, [[2.0], [5.0]])
    np.testing.assert_array_equal(x.min(axis=-1).data, [0.0, 3.0])
    np.testing.assert_array_equal(x.argmax(axis=1).data, [2, 2])


def test_max_ties_share_the_gradient_equally():
    x = Tensor([[3.0, 1.0, 3.0], [0.0, 2.0, 1.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]])


def test_bad_axis_names_the_op():
    with pytest.raises(ValueError, match=r"Sum: .*axis 2 is out of bounds.*\(input shapes: \(2, 2\)\)"):
        Tensor(np.zeros((2, 2))).sum(axis=2)
    with pytest.raises(ValueError, match="Max: .*zero-size"):
        Tensor(np.zeros((0, 3))).max()


def test_mean_of_integers_is_float32():
    assert Tensor(np.array([1, 2])).mean().dtype == np.float32
