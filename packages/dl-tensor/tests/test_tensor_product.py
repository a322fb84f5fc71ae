"""matmul (@) and tensordot: forward against NumPy, backward against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_tensor as dt
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays

side = st.integers(1, 4)


@st.composite
def matmul_shapes(draw):
    """Shapes (a, b) valid for np.matmul: vectors, matrices, broadcast batch axes."""
    m, k, n = draw(side), draw(side), draw(side)
    kind = draw(st.sampled_from(["vv", "vm", "mv", "mm", "batched", "batched_2d", "broadcast"]))
    batch = tuple(draw(st.lists(side, min_size=1, max_size=2)))
    return {
        "vv": ((k,), (k,)),
        "vm": ((k,), (k, n)),
        "mv": ((m, k), (k,)),
        "mm": ((m, k), (k, n)),
        "batched": (batch + (m, k), batch + (k, n)),
        "batched_2d": (batch + (m, k), (k, n)),  # a Dense layer on (batch, time, features)
        "broadcast": ((1,) + batch[1:] + (m, k), batch + (k, n)),
    }[kind]


@given(data=st.data())
def test_matmul(data):
    sa, sb = data.draw(matmul_shapes())
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    out = Tensor(a, dtype="float32") @ Tensor(b, dtype="float32")
    np.testing.assert_allclose(out.data, np.matmul(a, b).astype(np.float32), rtol=1e-5, atol=1e-5)
    assert out.dtype == np.float32
    assert gradcheck(lambda x, y: x @ y, [a, b])
    assert gradcheck(dt.matmul, [a, b])


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: cannot multiply shapes \(2, 3\) @ \(4, 5\)"):
        Tensor(np.zeros((2, 3))) @ Tensor(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="rank >= 1"):
        dt.matmul(Tensor(2.0), Tensor([1.0]))


def test_matmul_skips_gradients_nobody_needs():
    x = Tensor(np.ones((4, 3)))  # data: no grad wanted
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2)


@st.composite
def tensordot_case(draw):
    n_contract = draw(st.integers(0, 2))
    contracted = [draw(side) for _ in range(n_contract)]
    free_a = [draw(side) for _ in range(draw(st.integers(0, 2)))]
    free_b = [draw(side) for _ in range(draw(st.integers(0, 2)))]
    # place the contracted axes at random positions in a and b, in random pairing order
    a_axes_all = draw(st.permutations(range(len(free_a) + n_contract)))
    b_axes_all = draw(st.permutations(range(len(free_b) + n_contract)))
    a_c, b_c = sorted(a_axes_all[:n_contract]), list(b_axes_all[:n_contract])
    a_shape = [0] * (len(free_a) + n_contract)
    b_shape = [0] * (len(free_b) + n_contract)
    for ax, bx, size in zip(a_c, b_c, contracted):
        a_shape[ax], b_shape[bx] = size, size
    fa, fb = iter(free_a), iter(free_b)
    a_shape = [s or next(fa) for s in a_shape]
    b_shape = [s or next(fb) for s in b_shape]
    return tuple(a_shape), tuple(b_shape), (a_c, b_c)


@given(data=st.data())
def test_tensordot(data):
    sa, sb, axes = data.draw(tensordot_case())
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    out = dt.tensordot(Tensor(a, dtype="float64"), Tensor(b, dtype="float64"), axes=axes)
    np.testing.assert_allclose(out.data, np.tensordot(a, b, axes=axes), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, y: dt.tensordot(x, y, axes=axes), [a, b])


@given(data=st.data(), n=st.integers(0, 2))
def test_tensordot_integer_axes(data, n):
    shared = tuple(data.draw(side) for _ in range(n))
    a = data.draw(arrays((data.draw(side),) + shared))
    b = data.draw(arrays(shared + (data.draw(side),)))
    np.testing.assert_allclose(dt.tensordot(Tensor(a, dtype="float64"), b, axes=n).data, np.tensordot(a, b, axes=n))
    assert gradcheck(lambda x, y: dt.tensordot(x, y, axes=n), [a, b])


def test_tensordot_errors():
    with pytest.raises(ValueError, match="tensordot: cannot contract"):
        dt.tensordot(Tensor(np.zeros((2, 3))), Tensor(np.zeros((4, 2))), axes=([1], [0]))
    with pytest.raises(ValueError, match="tensordot: axis 5 is out of range for the first operand of rank 2"):
        dt.tensordot(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4))), axes=([5], [0]))
    with pytest.raises(ValueError, match="tensordot: axes=3 must be between 0 and the smaller rank"):
        dt.tensordot(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4))), axes=3)
