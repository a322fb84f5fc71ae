"""softmax and log_softmax: NumPy reference, gradients, and stability on huge inputs."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import dl_tensor as dt
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@given(data=st.data())
def test_softmax_and_log_softmax(data):
    x = data.draw(shapes(min_dims=1).flatmap(arrays))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    s = dt.softmax(Tensor(x, dtype="float64"), axis=axis)
    np.testing.assert_allclose(s.data, np_softmax(x, axis), rtol=1e-12)
    np.testing.assert_allclose(s.data.sum(axis=axis), 1.0)
    ls = dt.log_softmax(Tensor(x, dtype="float64"), axis=axis)
    np.testing.assert_allclose(ls.data, np.log(np_softmax(x, axis)), rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda t: dt.softmax(t, axis=axis), [x])
    assert gradcheck(lambda t: dt.log_softmax(t, axis=axis), [x])


@given(data=st.data())
def test_log_softmax_of_huge_logits_is_finite_with_correct_gradients(data):
    x = data.draw(arrays((3, 4), unique=True, margin=0.05))  # distinct so 1000x is not all ties
    big = Tensor(1000 * x, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = dt.log_softmax(big)
        out.sum().backward()
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(big.grad))
    # exact gradient of sum(log_softmax(z)) is 1 - n * softmax(z)
    np.testing.assert_allclose(big.grad, 1 - 4 * np_softmax(1000 * x.astype(np.float32), -1), atol=1e-6)
    assert gradcheck(lambda t: dt.log_softmax(1000 * t), [x], eps=1e-9, atol=1e-4)
    assert gradcheck(lambda t: dt.softmax(1000 * t), [x], eps=1e-9, atol=1e-4)


def test_softmax_of_equal_huge_values():
    np.testing.assert_allclose(dt.softmax(Tensor([1e4, 1e4, 1e4])).data, [1 / 3] * 3, rtol=1e-6)


def test_softmax_and_sigmoid_remember_their_logits_for_cross_entropy():
    z = Tensor([[1.0, 2.0]], requires_grad=True)
    kind, logits = dt.softmax(z)._logits
    assert kind == "softmax" and logits is z
    with dt.no_grad():
        kind, logits = dt.sigmoid(z)._logits
    assert kind == "sigmoid" and logits is z
    assert dt.softmax(z, axis=0)._logits is None  # not over the last axis
    assert (z * 2)._logits is None
