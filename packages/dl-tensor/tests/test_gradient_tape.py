"""grad and GradientTape: gradients returned as values, every .grad left alone."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def test_grad_with_respect_to_an_intermediate_tensor():
    """d out / d h for h computed on the way: the sum over every use of h, as for a leaf."""
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    h = x * 2.0                       # an intermediate, used twice below
    out = (h * h).sum() + (3.0 * h).sum()
    dh, dx = grad(out, [h, x])
    np.testing.assert_allclose(dh.data, 2 * h.data + 3.0)
    np.testing.assert_allclose(dx.data, 2.0 * (2 * h.data + 3.0))
    assert h.grad is None and x.grad is None


def test_tape_gradient_of_a_layer_output_as_grad_cam_asks():
    w = Tensor(np.array([[1.0, -1.0], [0.5, 2.0]]), requires_grad=True)
    x = Tensor(np.array([[1.0, 2.0]]))
    with GradientTape() as tape:
        features = (x @ w).relu()           # (1, 2): the "conv output"
        score = (features * Tensor(np.array([[2.0, 5.0]]))).sum()
    g = tape.gradient(score, features)
    np.testing.assert_allclose(g.data, [[2.0, 5.0]])


def test_grad_of_the_output_with_respect_to_itself_is_the_seed():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3.0
    (dy,) = grad(y, [y], grad_output=np.array([0.5, -1.0]))
    np.testing.assert_allclose(dy.data, [0.5, -1.0])


class _Recording(dt.Op):
    """y = a * b, recording what each backward call was asked for."""

    calls: list = []

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        _Recording.calls.append((need_a, need_b))
        return (grad * b if need_a else None), (grad * a if need_b else None)


def test_grad_runs_only_the_ops_between_the_output_and_what_is_asked():
    _Recording.calls = []
    w1 = Tensor(np.array([2.0]), requires_grad=True)
    w2 = Tensor(np.array([3.0]), requires_grad=True)
    x = Tensor(np.array([5.0]), requires_grad=True)
    h = _Recording()(x, w1)          # below the target: its backward is not needed
    y = _Recording()(h, w2)          # the target's user: only d/dh is needed, not d/dw2
    (dh,) = grad(y.sum(), [h])
    np.testing.assert_allclose(dh.data, [3.0])
    assert _Recording.calls == [(True, False)]
    assert w1.grad is None and w2.grad is None


def test_grad_with_respect_to_the_input_asks_for_no_weight_gradient_and_restores_the_flags():
    _Recording.calls = []
    w = Tensor(np.array([2.0, -1.0]), requires_grad=True)
    x = Tensor(np.array([1.0, 4.0]), requires_grad=True)
    op = _Recording()
    y = op(x, w).sum()
    (dx,) = grad(y, [x], retain_graph=True)
    np.testing.assert_allclose(dx.data, [2.0, -1.0])
    assert _Recording.calls == [(True, False)] and op.needs_input_grad == (True, True)
    y.backward()  # the full backward afterwards still gets both gradients
    np.testing.assert_allclose(w.grad, [1.0, 4.0])
    np.testing.assert_allclose(x.grad, [2.0, -1.0])


@given(st.integers(0, 3))
def test_pruned_gradients_equal_those_of_a_full_backward(which):
    rng = np.random.default_rng(which)
    a, b, c = (Tensor(rng.normal(size=(3, 2)), requires_grad=True) for _ in range(3))
    hidden = (a @ b.T).tanh()                           # (3, 3)
    out = ((hidden @ c) * a).sum() + (b * b).sum()
    chosen = [[a], [b], [c], [a, hidden]][which]
    pruned = grad(out, chosen, retain_graph=True)
    out.backward()
    full = {id(a): a.grad, id(b): b.grad, id(c): c.grad}
    for t, g in zip(chosen, pruned):
        if id(t) in full:
            np.testing.assert_allclose(g.data, full[id(t)], rtol=1e-6)
