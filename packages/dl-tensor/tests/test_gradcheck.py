"""gradcheck itself: it must pass correct gradients and catch wrong ones."""

import numpy as np
import pytest

import dl_tensor as dt
from dl_tensor import GradcheckError, Op, Tensor, gradcheck


class BadSquare(Op):
    """x**2 with a wrong backward (2x + 0.01)."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad):
        (x,) = self.saved
        return grad * (2 * x + 0.01)


def test_catches_a_wrong_backward_and_names_the_worst_element():
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(3,\)\) at index \(\d,\): analytic gradient"):
        gradcheck(lambda x: BadSquare()(x), [np.array([1.0, 2.0, 3.0])])


def test_catches_a_gradient_sent_to_the_wrong_input():
    class Swapped(Op):
        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a * b

        def backward(self, grad):
            a, b = self.saved
            return grad * a, grad * b  # swapped

    with pytest.raises(GradcheckError):
        gradcheck(lambda a, b: Swapped()(a, b), [np.array([1.0, 2.0]), np.array([3.0, 5.0])])


def test_catches_an_op_that_loses_float64():
    class ToFloat32(Op):
        def forward(self, x):
            return x.astype(np.float32)

        def backward(self, grad):
            return grad.astype(np.float64)

    with pytest.raises(GradcheckError, match="float64 was lost"):
        gradcheck(lambda x: ToFloat32()(x), [np.array([1.0])])


def test_passes_correct_gradients_with_integer_constants():
    labels = np.array([0, 2])
    logits = np.array([[0.1, 0.5, -0.3], [1.0, -1.0, 0.2]])

    def nll(z, y):
        return -dt.log_softmax(z)[np.arange(2), y.data].mean()

    assert gradcheck(nll, [logits, labels])


def test_does_not_modify_the_callers_arrays():
    x = np.array([1.0, 2.0], dtype=np.float32)
    gradcheck(lambda t: t * t, [x], atol=1e-4)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert x.dtype == np.float32


def test_multi_output_and_tensor_inputs():
    x = Tensor([0.3, -0.7])
    assert gradcheck(lambda t: (dt.tanh(t), t * 3), [x])


def test_catches_nan_gradients_anywhere():
    class NanAtOne(Op):
        def forward(self, x):
            return x.copy()

        def backward(self, grad):
            g = grad.copy()
            g[..., 1] = np.nan
            return g

    with pytest.raises(GradcheckError, match=r"at index \(1,\): analytic gradient nan"):
        gradcheck(lambda t: NanAtOne()(t), [np.array([1.0, 2.0, 3.0])])


def test_checks_parameters_used_inside_fn():
    w = Tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), requires_grad=True, dtype="float64")
    assert gradcheck(lambda x: dt.tanh(x @ w), [np.array([[1.0, 2.0]])], params=[w])

    class WrongForParams(Op):
        def forward(self, x, p):
            self.save_for_backward(x)
            return x * p

        def backward(self, grad):
            (x,) = self.saved
            return grad, grad * x * 2  # wrong for p

    p = Tensor(np.array([1.5]), requires_grad=True, dtype="float64")
    with pytest.raises(GradcheckError, match=r"params\[0\] \(shape \(1,\)\)"):
        gradcheck(lambda x: WrongForParams()(x, p), [np.array([1.0, 2.0])], params=[p])
    with pytest.raises(GradcheckError, match="float64 leaf"):
        gradcheck(lambda x: x, [np.array([1.0])], params=[Tensor([1.0], requires_grad=True)])


def test_directional_mode_passes_correct_gradients_of_large_inputs_in_few_passes():
    calls = []

    def fn(w, x):
        calls.append(1)
        return dt.tanh(x @ w)

    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((64, 48)) * 0.1, rng.standard_normal((8, 64))
    assert gradcheck(fn, [w, x], mode="directional", n_directions=5)
    assert len(calls) == 1 + 2 * 5  # one recorded pass, then two per direction (elements: 2 * 3,584)


def test_directional_mode_catches_a_wrong_backward():
    with pytest.raises(GradcheckError, match="directional.*analytic directional derivative"):
        gradcheck(lambda x: BadSquare()(x), [np.linspace(1, 2, 300)], mode="directional")


def test_directional_mode_catches_a_gradient_sent_to_the_wrong_input_and_checks_params():
    class Swapped(Op):
        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a * b * b

        def backward(self, grad):
            a, b = self.saved
            return grad * 2 * a * b, grad * b * b  # swapped

    a, b = np.full((10, 10), 1.5), np.full((10, 10), 0.5)
    with pytest.raises(GradcheckError):
        gradcheck(lambda a, b: Swapped()(a, b), [a, b], mode="directional")
    p = Tensor(np.linspace(-1, 1, 50), requires_grad=True, dtype=np.float64)
    assert gradcheck(lambda x: dt.tanh(x * p), [np.ones(50)], params=[p], mode="directional")
    np.testing.assert_array_equal(p.data, np.linspace(-1, 1, 50))  # restored after the perturbations


def test_bad_mode_arguments():
    with pytest.raises(ValueError, match="mode must be"):
        gradcheck(dt.tanh, [np.ones(2)], mode="random")
    with pytest.raises(ValueError, match="n_directions must be a positive integer"):
        gradcheck(dt.tanh, [np.ones(2)], mode="directional", n_directions=0)
