"""Lambda (``layers/lambda_layer.py``): the wrapped function with its arguments, gradients through it,
symbolic output shapes, and the errors for a non-callable and for ``get_config``."""

import numpy as np
import pytest
from hypothesis import given

import dl_tensor as dt
from dl_layers import Input, Lambda
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 forward comparisons


@given(x=shapes(min_dims=1).flatmap(lambda s: arrays(s, dtype=np.float32)))
def test_lambda_applies_its_function_with_arguments(x):
    layer = Lambda(lambda t, k: dt.tanh(t) * k, arguments={"k": 2.0})
    np.testing.assert_allclose(layer(Tensor(x)).numpy(), np.tanh(x.astype(np.float64)) * 2, **F32)


@given(x=shapes(min_dims=1).flatmap(arrays))
def test_lambda_gradients(x):
    layer = Lambda(lambda t: t * dt.sigmoid(t))
    assert gradcheck(lambda t: layer(t), [x])


def test_lambda_output_shape_on_symbolic_inputs():
    assert Lambda(lambda t: t[:, :2] * 2)(Input(shape=(5,))).shape == (None, 2)
    assert Lambda(lambda t: t, output_shape=(7,))(Input(shape=(7,))).shape == (None, 7)


def test_lambda_rejects_a_non_callable():
    with pytest.raises(TypeError, match="callable"):
        Lambda(3)


def test_lambda_refuses_get_config_with_a_clear_message():
    with pytest.raises(NotImplementedError, match=r"'lambda' is a Lambda layer.*cannot be serialized"):
        Lambda(lambda t: t).get_config()
