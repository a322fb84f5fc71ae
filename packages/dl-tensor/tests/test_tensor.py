"""Tensor construction, dtypes, attributes, conversion and repr."""

import numpy as np
import pytest

from dl_tensor import Tensor, as_tensor


def test_python_numbers_default_to_float32():
    assert Tensor(3).dtype == np.float32
    assert Tensor([[1, 2], [3, 4]]).dtype == np.float32
    assert Tensor(np.random.randn(2, 2)).dtype == np.float32  # float64 arrays too
    assert Tensor([1.0], dtype="float64").dtype == np.float64
    assert Tensor(np.array([1, 2])).dtype == np.int64  # labels and indices keep their type
    assert Tensor(np.array([True])).dtype == np.bool_


def test_ranks_and_shapes():
    scalar, vector, matrix = Tensor(1.0), Tensor([1.0, 2.0]), Tensor(np.zeros((3, 4)))
    assert (scalar.ndim, vector.ndim, matrix.ndim) == (0, 1, 2)
    assert matrix.shape == (3, 4) and matrix.size == 12 and len(matrix) == 3
    with pytest.raises(TypeError, match="rank-0"):
        len(scalar)


def test_wraps_the_array_without_copying():
    a = np.ones(3, np.float32)
    t = Tensor(a)
    assert t.data is a and t.numpy() is a
    assert np.asarray(t) is a
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert Tensor(t).data is a


def test_bad_dtypes_are_refused_with_a_clear_error():
    with pytest.raises(TypeError, match="cannot hold values of dtype <U1"):
        Tensor(["a"])
    with pytest.raises(TypeError, match="complex"):
        Tensor(np.array([1j]))
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int64"):
        Tensor(np.array([1, 2]), requires_grad=True)
    with pytest.raises(TypeError, match="cannot hold"):
        Tensor([1.0]) + "a"


def test_repr_shows_values_dtype_and_grad_flag():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.], dtype=float32)"
    assert repr(Tensor([[1.0]], requires_grad=True)) == "Tensor([[1.]], dtype=float32, requires_grad=True)"


def test_conversions():
    t = Tensor([[1.5]])
    assert t.item() == 1.5 and float(t) == 1.5 and int(t) == 1 and t.tolist() == [[1.5]]
    assert bool(Tensor(1.0)) and not bool(Tensor(0.0))
    assert [x.item() for x in Tensor([1.0, 2.0])] == [1.0, 2.0]


def test_ndarray_on_the_left_defers_to_the_tensor():
    out = np.ones(2) * Tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(out, Tensor) and out.requires_grad and out.dtype == np.float32


def test_hashable_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a: 1, b: 2}) == 2


def test_as_tensor():
    t = Tensor([1.0])
    assert as_tensor(t) is t
    assert as_tensor(2.0, like=Tensor([1.0], dtype="float64")).dtype == np.float64
