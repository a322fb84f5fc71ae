"""The fused Dense kernel (matmul + bias + relu in one op) against its composed twin."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_tensor as dt
from dl_layers import Dense, activations
from dl_layers.layers.dense import DenseOp, dense_composed
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays

ACTIVATIONS = {"relu": activations.relu, "linear": activations.linear}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("use_bias", [True, False])
@given(data=st.data())
def test_fused_matches_composed_values_and_gradients(name, use_bias, data):
    lead = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple))  # (batch,) or (batch, time)
    n_in, units = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = data.draw(arrays(lead + (n_in,), kinks=(0.0,)))
    kernel, bias = data.draw(arrays((n_in, units))), data.draw(arrays((units,)))
    weights = (kernel, bias) if use_bias else (kernel,)

    def fused(x, k, b=None):
        return DenseOp(relu=name == "relu", use_bias=use_bias)(x, k, *([b] if use_bias else []))

    def composed(x, k, b=None):
        return dense_composed(x, k, b, ACTIVATIONS[name])

    tensors = lambda: [Tensor(a, requires_grad=True, dtype="float64") for a in (x, *weights)]  # noqa: E731
    a, b = tensors(), tensors()
    out_f, out_c = fused(*a), composed(*b)
    np.testing.assert_allclose(out_f.numpy(), out_c.numpy(), rtol=1e-12, atol=1e-12)
    seed = np.random.default_rng(0).standard_normal(out_f.shape)
    out_f.backward(seed)
    out_c.backward(seed)
    for p, q in zip(a, b):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-10, atol=1e-12)
    if np.abs(x @ kernel + (bias if use_bias else 0)).min() > 1e-3:  # off relu's kink
        assert gradcheck(fused, [x, *weights])


def test_dense_runs_the_fused_op_then_any_other_activation():
    x = np.ones((2, 3), np.float32)
    assert type(Dense(4, activation="relu")(Tensor(x, requires_grad=True))._op) is DenseOp
    assert type(Dense(4)(Tensor(x, requires_grad=True))._op) is DenseOp
    layer = Dense(4, activation="tanh")
    out = layer(Tensor(x, requires_grad=True))
    assert type(out._op.inputs[0]._op) is DenseOp  # tanh applied to the fused affine output
    expected = np.tanh(x @ layer.kernel.numpy() + layer.bias.numpy())
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_integer_inputs_take_the_kernel_dtype():
    layer = Dense(2, activation="relu")
    out = layer(np.array([[1, 0, 1]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), np.maximum(np.array([[1, 0, 1]]) @ layer.kernel.numpy()
                                                       + layer.bias.numpy(), 0), rtol=1e-6)


def test_no_gradient_for_data_inputs():
    layer = Dense(3)
    x = Tensor(np.ones((4, 2)))
    layer(x).sum().backward()
    assert x.grad is None and layer.kernel.grad.shape == (2, 3)
    with dt.no_grad():
        assert not layer(x).requires_grad
