"""Tensor construction, dtypes, attributes, conversion, repr, and in-place writes into its values."""

import numpy as np
import pytest

import dl_tensor as dt
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


# -- writes into .data while a recorded op still needs the values (defect 2 of issue 6) ----------


def test_writing_an_input_saved_for_backward_is_caught_at_backward_naming_the_op():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    y = (w * x).sum()
    x.data[...] = 100  # Multiply saved x: its gradient for w would silently become 100s
    with pytest.raises(dt.BackwardError, match=r"Multiply saved the values of a tensor of shape \(2,\)"):
        y.backward()


@pytest.mark.parametrize("write", [
    lambda t: t.data.__setitem__(0, 5.0),
    lambda t: t.data[1:].__setitem__(Ellipsis, 5.0),  # through a slice of the view
    lambda t: np.multiply(t.data, 2, out=t.data),  # out= of a ufunc
    lambda t: np.add.at(t.data, [0, 0], 1.0),  # ufunc.at
    lambda t: setattr(t, "data", t.data * 2),  # rebinding
    lambda t: t.assign([7.0, 8.0]),
    lambda t: t.assign_sub([1.0, 1.0]),
], ids=["item", "slice", "out", "at", "rebind", "assign", "assign_sub"])
def test_every_kind_of_write_is_counted(write):
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    write(w)
    with pytest.raises(dt.BackwardError, match="modified in place"):
        y.backward()


def test_augmented_assignment_on_data_is_counted():
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    w.data -= 1.0  # the book's chapter-2 update, done before backward by mistake
    with pytest.raises(dt.BackwardError, match="modified in place"):
        y.backward()


def test_writing_an_output_an_op_saved_is_caught_too():
    x = Tensor([0.5, 1.0], requires_grad=True)
    e = x.exp()  # Exp keeps its output for backward
    loss = e.sum()
    e.data[...] = 0.0
    with pytest.raises(dt.BackwardError, match="Exp saved"):
        loss.backward()


def test_reads_between_forward_and_backward_are_free():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    y = (w * x).sum()
    assert float(x.data.sum()) == 7.0 and x.numpy()[0] == 3.0 and (x.data * 2).tolist() == [6.0, 8.0]
    assert type(x.data * 2) is np.ndarray  # arithmetic on the watched view gives plain arrays
    y.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])


def test_writes_to_values_no_op_saved_are_harmless_and_allowed():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0])
    y = (a + b).sum()  # Add saves nothing: its gradient does not depend on b
    b.data[...] = 100.0
    y.backward()
    np.testing.assert_array_equal(a.grad, [1.0, 1.0])


def test_after_backward_or_after_dropping_the_graph_data_is_a_plain_array_again():
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    assert type(w.data) is not np.ndarray  # watched while the graph needs it
    y.backward()
    assert type(w.data) is np.ndarray
    w.data -= 0.1 * w.grad  # the training-loop update after backward: fine
    y2 = (w * w).sum()
    del y2  # a graph dropped without backward releases its tensors at once (no cycle to collect)
    assert type(w.data) is np.ndarray


def test_retain_graph_then_write_then_second_backward_is_refused():
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    y.backward(retain_graph=True)
    w.data[0] = 10.0
    with pytest.raises(dt.BackwardError, match="Multiply"):
        y.backward()


def test_two_live_graphs_sharing_a_weight_both_guard_it():
    # one graph backpropagated (and released), the other still live: the write must still count
    w = Tensor([1.0, 2.0], requires_grad=True)
    first = (w * w).sum()
    second = (w * 3.0 * w).sum()
    second.backward()
    w.data[...] = 0.0
    with pytest.raises(dt.BackwardError):
        first.backward()


def test_the_watched_view_prints_like_an_array():
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    assert repr(w.data) == repr(np.array([1.0, 2.0], np.float32))
    y.backward()


def test_assign_checks_the_shape():
    t = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Tensor: cannot assign a value of shape \(3,\); expected shape \(2,\)"):
        t.assign([1.0, 2.0, 3.0])
    t.assign_add(1.0)
    np.testing.assert_array_equal(t.data, [2.0, 3.0])
