"""The backward engine: order, accumulation, freeing, grad mode, broadcasting, errors."""

import sys

import numpy as np
import pytest

import dl_tensor as dt
from dl_tensor import BackwardError, Op, Tensor, gradcheck, no_grad, unbroadcast


def test_reused_non_leaf_gets_both_contributions():
    # micrograd's counterexample: a recursive walk without a topological order gets 2, not 4
    a = Tensor(1.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0


def test_diamond_graph():
    #      x
    #    /   \
    #  y=x*2  z=x*x
    #    \   /
    #    w=y*z   -> dw/dx = d(2x^3)/dx = 6x^2
    x = Tensor(3.0, requires_grad=True)
    y = x * 2
    z = x * x
    (y * z).backward()
    assert x.grad == pytest.approx(54.0)


def test_each_op_runs_backward_once():
    calls = []

    class Counting(Op):
        def forward(self, x):
            return x * 1

        def backward(self, grad):
            calls.append(1)
            return grad

    x = Tensor(2.0, requires_grad=True)
    h = Counting()(x)
    (h * h + h).backward()  # h is used three times
    assert len(calls) == 1
    assert x.grad == pytest.approx(5.0)


def test_deep_chain_does_not_hit_the_recursion_limit():
    x = Tensor(1.0, requires_grad=True)
    y = x
    n = 10_000
    assert n > sys.getrecursionlimit()
    for _ in range(n):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**n, rel=1e-3)


def test_gradients_accumulate_across_backward_calls_until_reset():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])
    w.zero_grad()
    assert w.grad is None


def test_intermediate_gradients_are_not_kept():
    x = Tensor([1.0], requires_grad=True)
    h = x * 2
    (h * 3).sum().backward()
    assert h.grad is None and not h.is_leaf
    np.testing.assert_array_equal(x.grad, [6.0])


def test_backward_twice_through_freed_buffers_is_a_clear_error():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(BackwardError, match="through Sum a second time.*retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_a_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_backward_on_non_scalar_needs_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(BackwardError, match=r"shape \(2,\); pass grad="):
        y.backward()
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 20.0])
    x.grad = None
    (x * 2).backward(Tensor([3.0, 4.0]))  # a Tensor works as the seed too
    np.testing.assert_array_equal(x.grad, [6.0, 8.0])
    m = Tensor(np.ones((2, 3)), requires_grad=True)
    (m * 1).backward(np.arange(6.0).reshape(3, 2).T)  # a non-contiguous seed
    np.testing.assert_array_equal(m.grad, np.arange(6.0).reshape(3, 2).T)
    with pytest.raises(ValueError, match=r"grad has shape \(3,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_without_graph_is_a_clear_error():
    with pytest.raises(BackwardError, match="does not require grad"):
        Tensor(1.0).backward()


def test_backward_on_a_leaf_sets_its_gradient():
    x = Tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad == 1.0


def test_no_grad_as_context_manager_and_decorator():
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        assert not dt.is_grad_enabled()
        y = w * 2
        with no_grad():  # nesting restores the outer state
            pass
        assert not dt.is_grad_enabled()
    assert dt.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf

    @no_grad()
    def predict(x):
        return x * w

    assert not predict(Tensor([3.0])).requires_grad
    assert dt.is_grad_enabled()
    assert (w * 2).requires_grad


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError
    assert dt.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = Tensor([1.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad
    z = y * x
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0])


def test_unbroadcast_sums_stretched_axes():
    g = np.ones((2, 3, 4), np.float32)
    assert unbroadcast(g, (3, 4)).tolist() == np.full((3, 4), 2.0).tolist()
    assert unbroadcast(g, (3, 1)).tolist() == np.full((3, 1), 8.0).tolist()
    assert unbroadcast(g, ()).item() == 24.0
    assert unbroadcast(g, (2, 3, 4)) is g
    message = r"Bad.backward returned a gradient of shape \(2, 3, 4\) for input 1 of shape \(5,\)"
    with pytest.raises(ValueError, match=message):
        unbroadcast(g, (5,), "Bad", 1)


def test_engine_asserts_gradient_shape_and_dtype_of_custom_ops():
    class WrongShape(Op):
        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            return np.ones(7, grad.dtype)

    class WrongDtype(Op):
        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            return grad.astype(np.float64)

    class WrongCount(Op):
        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            return grad, grad

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"WrongShape.backward returned a gradient of shape \(7,\)"):
        WrongShape()(x).sum().backward()
    with pytest.raises(TypeError, match="WrongDtype.backward returned a float64 gradient for input 0 of dtype float32"):
        WrongDtype()(x).sum().backward()
    with pytest.raises(BackwardError, match="WrongCount.backward returned 2 gradients for 1 inputs"):
        WrongCount()(x).sum().backward()


class SplitHalves(Op):
    """A two-output op: the first and second half of the last axis (like an RNN's outputs)."""

    def forward(self, x):
        h = x.shape[-1] // 2
        self.h = h
        return x[..., :h].copy(), x[..., h:] * 2

    def backward(self, g_first, g_second):
        return np.concatenate([g_first, 2 * g_second], axis=-1)


def test_multi_output_op():
    x = np.arange(8.0).reshape(2, 4)
    first, second = SplitHalves()(Tensor(x, requires_grad=True))
    np.testing.assert_array_equal(first.data, x[:, :2])
    np.testing.assert_array_equal(second.data, 2 * x[:, 2:])
    assert gradcheck(lambda t: SplitHalves()(t), [x])
    assert gradcheck(lambda t: SplitHalves()(t)[1] * t[:, :2], [x])  # only one output used


def test_unused_output_gets_zero_gradient():
    x = Tensor(np.ones((1, 4)), requires_grad=True)
    _, second = SplitHalves()(x)
    second.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0, 2.0, 2.0]])


def test_op_skips_saving_when_no_gradient_is_needed():
    x = Tensor([1.0, 2.0])
    op = dt.elementwise.Multiply()
    op(x, x)
    assert op.saved is None and op.inputs == ()
    with no_grad():
        op2 = dt.elementwise.Exp()
        op2(Tensor([1.0], requires_grad=True))
    assert op2.saved is None


def test_graph_holds_no_saved_buffers_after_backward():
    x = Tensor(np.ones(3), requires_grad=True)
    y = dt.exp(x)
    z = (y * y).sum()
    z.backward()
    assert y._op.saved is None and z._op.saved is None


def test_leaf_gradients_are_private_writable_arrays():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.sum().backward()  # Sum's backward returns a read-only broadcast view
    x.grad *= 2
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    (a + b).sum().backward()  # Add hands the same array to both inputs
    assert a.grad is not b.grad
    a.grad += 1
    np.testing.assert_array_equal(b.grad, [1.0])
    seed = np.ones(2, np.float32)
    y = Tensor([1.0, 2.0], requires_grad=True)
    (y + 1).backward(seed)
    assert y.grad is not seed
    leaf = Tensor([3.0], requires_grad=True)
    leaf.backward(seed[:1])
    assert leaf.grad.base is None and leaf.grad is not seed


def test_an_op_instance_cannot_be_applied_twice():
    op = dt.elementwise.Exp()
    op(Tensor([1.0], requires_grad=True))
    with pytest.raises(RuntimeError, match="Exp: this op instance was already applied"):
        op(Tensor([2.0], requires_grad=True))


def test_backward_returning_a_non_array_is_a_clear_error():
    class FloatGrad(Op):
        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            return 1.0

    class ListGrad(Op):
        def forward(self, a, b):
            return a + b

        def backward(self, grad):
            return [grad, grad]

    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="FloatGrad.backward returned a float for input 0"):
        FloatGrad()(x).sum().backward()
    y = Tensor([1.0], requires_grad=True)
    ListGrad()(x, y).sum().backward()
    np.testing.assert_array_equal(y.grad, [1.0])
