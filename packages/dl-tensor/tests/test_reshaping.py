"""reshape, transpose, squeeze, expand_dims, indexing, concatenate, stack, pad."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_tensor as dt
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes


def _check(fn, ref, *xs):
    """Forward equals NumPy's result exactly (values only move), backward passes gradcheck."""
    out = fn(*[Tensor(x, dtype=np.float64) for x in xs])
    np.testing.assert_array_equal(out.data, ref(*xs))
    assert gradcheck(fn, list(xs))


@given(data=st.data())
def test_reshape(data):
    x = data.draw(shapes(min_dims=1).flatmap(arrays))
    target = (x.size,) if x.ndim > 1 else (1, x.size)
    _check(lambda t: t.reshape(target), lambda a: a.reshape(target), x)
    _check(lambda t: t.reshape(-1, 1), lambda a: a.reshape(-1, 1), x)


def test_reshape_accepts_both_signatures():
    x = Tensor(np.arange(24.0))
    assert x.reshape(4, 6).shape == (4, 6)
    assert x.reshape((4, 6)).shape == (4, 6)
    assert x.reshape([2, -1]).shape == (2, 12)
    assert dt.reshape(x, 24).shape == (24,)
    with pytest.raises(ValueError, match=r"Reshape: cannot reshape array of size 24 into shape \(5,5\)"):
        x.reshape(5, 5)


@given(data=st.data())
def test_transpose(data):
    x = data.draw(shapes(min_dims=1).flatmap(arrays))
    perm = tuple(data.draw(st.permutations(range(x.ndim))))
    _check(lambda t: t.transpose(perm), lambda a: a.transpose(perm), x)
    _check(lambda t: t.transpose(*perm), lambda a: a.transpose(perm), x)
    _check(lambda t: t.T, lambda a: a.T, x)


def test_transpose_rejects_a_bad_permutation():
    with pytest.raises(ValueError, match="transpose: axes"):
        Tensor(np.zeros((2, 3))).transpose(0, 0)


@given(data=st.data())
def test_squeeze_and_expand_dims(data):
    x = data.draw(shapes(min_dims=0).flatmap(arrays))
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    _check(lambda t: dt.expand_dims(t, axis), lambda a: np.expand_dims(a, axis), x)
    _check(lambda t: t.expand_dims(axis).squeeze(axis), lambda a: a, x)
    _check(lambda t: t.squeeze(), lambda a: a.squeeze(), x)


def test_squeeze_refuses_a_long_axis():
    with pytest.raises(ValueError, match=r"squeeze: axis 1 of shape \(1, 3\) has length 3, not 1"):
        Tensor(np.zeros((1, 3))).squeeze(1)


INDEXES = [
    (slice(1, 4), slice(None, None, 2)),  # t[1:4, ::2]
    (0,),
    (Ellipsis, -1),
    (None, slice(None), 1),
    (np.array([0, 2, 2, 0]),),  # repeated rows: gradients must add up
    (np.array([1, 0]), np.array([2, 2])),
    (slice(None), [0, 0, 1]),
    (slice(None, None, -1),),
]


@pytest.mark.parametrize("index", INDEXES, ids=str)
@given(data=st.data())
def test_indexing(index, data):
    x = data.draw(arrays((5, 4)))
    _check(lambda t: t[index], lambda a: a[tuple(np.asarray(i) if isinstance(i, list) else i for i in index)], x)


def test_boolean_mask_indexing():
    x = np.arange(6.0).reshape(2, 3)
    mask = x > 2.5
    _check(lambda t: t[mask], lambda a: a[mask], x)
    _check(lambda t: t[Tensor(mask)], lambda a: a[mask], x)


def test_repeated_integer_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_item_assignment_is_refused():
    with pytest.raises(TypeError, match="does not support item assignment"):
        Tensor([1.0])[0] = 2.0


@given(data=st.data(), n=st.integers(1, 3))
def test_concatenate_and_stack(data, n):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    xs = []
    for _ in range(n):  # sizes may differ along the concatenation axis
        s = list(shape)
        s[axis] = data.draw(st.integers(1, 3))
        xs.append(data.draw(arrays(tuple(s))))
    _check(lambda *ts: dt.concatenate(ts, axis=axis), lambda *a: np.concatenate(a, axis=axis), *xs)
    same = [data.draw(arrays(shape)) for _ in range(n)]
    new_axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    _check(lambda *ts: dt.stack(ts, axis=new_axis), lambda *a: np.stack(a, axis=new_axis), *same)


def test_concatenate_constants_take_the_tensor_dtype():
    out = dt.concatenate([Tensor([1.0], dtype="float64"), [2.0]])
    assert out.dtype == np.float64
    assert dt.stack([np.array([1.0]), Tensor([2.0])]).dtype == np.float32


def test_concatenate_errors():
    with pytest.raises(ValueError, match="concatenate: need at least one tensor"):
        dt.concatenate([])
    with pytest.raises(ValueError, match=r"Concatenate: .*\(input shapes: \(2, 3\), \(2, 4\)\)"):
        dt.concatenate([Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 4)))], axis=0)


@given(data=st.data())
def test_pad(data):
    x = data.draw(shapes(min_dims=1).flatmap(arrays))
    widths = tuple((data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in range(x.ndim))
    _check(lambda t: dt.pad(t, widths), lambda a: np.pad(a, widths), x)
    _check(lambda t: dt.pad(t, 1, constant_values=-1.0), lambda a: np.pad(a, 1, constant_values=-1.0), x)


def test_views_do_not_alias_gradients():
    # a transposed view of a parameter gets the transposed gradient
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (w.T * Tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(w.grad, np.arange(6.0).reshape(3, 2).T)
