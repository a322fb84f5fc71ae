"""Dense (``layers/dense.py``): forward passes against NumPy computed from the layer's own weights,
gradients against finite differences (float64 layers, weights checked through ``params=``), the
fused kernel (``DenseOp``: matmul + bias + relu in one op) against its composed twin, and the
Keras-facing surface (weight layouts, parameter counts, configs, errors, freezing)."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import dl_layers
import dl_tensor as dt
from dl_layers import Dense, Input, activations
from dl_layers.layers.dense import DenseOp, dense_composed
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 forward comparisons


def f64(x):
    return Tensor(np.asarray(x, dtype=np.float64), dtype="float64")


def random_init():
    """A non-zero bias too, so that the bias really takes part in the checks."""
    return {"kernel_initializer": "random_normal", "bias_initializer": "random_normal"}


# -- forward and gradients --------------------------------------------------------------


@st.composite
def dense_cases(draw, min_rank=2, max_rank=3):
    """(input array, units): rank 2 (batch, in) or rank 3 (batch, time, in) float32 inputs."""
    lead = draw(shapes(min_dims=min_rank - 1, max_dims=max_rank - 1))
    in_dim = draw(st.integers(1, 5))
    units = draw(st.integers(1, 4))
    x = draw(arrays((*lead, in_dim), dtype=np.float32))
    return x, units


@given(case=dense_cases())
def test_dense_forward_matches_numpy_with_its_own_weights(np_activation, case):
    x, units = case
    layer = Dense(units, activation=np_activation.name, **random_init())
    out = layer(x).numpy()
    kernel, bias = layer.get_weights()
    z = x.astype(np.float64) @ kernel.astype(np.float64) + bias.astype(np.float64)
    assert out.dtype == np.float32
    assert out.shape == (*x.shape[:-1], units)
    np.testing.assert_allclose(out, np_activation.formula(z), **F32)


@given(case=dense_cases())
def test_dense_without_bias_is_a_plain_matmul(case):
    x, units = case
    layer = Dense(units, use_bias=False)
    out = layer(x).numpy()
    (kernel,) = layer.get_weights()
    np.testing.assert_allclose(out, x.astype(np.float64) @ kernel, **F32)


@given(data=st.data())
def test_dense_gradients_match_finite_differences(np_activation, data):
    rank = data.draw(st.integers(2, 3), label="rank")
    lead = data.draw(shapes(min_dims=rank - 1, max_dims=rank - 1, max_side=3), label="lead")
    in_dim = data.draw(st.integers(1, 4), label="in_dim")
    x = data.draw(arrays((*lead, in_dim), low=-2, high=2), label="x")
    layer = Dense(3, activation=np_activation.name, dtype="float64", **random_init())
    layer(f64(x))
    if np_activation.kinked:
        kernel, bias = layer.get_weights()
        assume(np.abs(x @ kernel + bias).min() > 1e-2)
    assert gradcheck(lambda t: layer(t), [x], params=layer.trainable_weights)


# -- weights, shapes and errors ---------------------------------------------------------


def test_dense_weights_use_keras_layouts_names_and_counts():
    layer = Dense(5)
    layer(np.zeros((2, 7), np.float32))
    kernel, bias = layer.weights
    assert (kernel.name, kernel.shape, kernel.path) == ("kernel", (7, 5), "dense/kernel")
    assert (bias.name, bias.shape, bias.path) == ("bias", (5,), "dense/bias")
    assert [w.shape for w in layer.get_weights()] == [(7, 5), (5,)]
    assert layer.count_params() == 7 * 5 + 5
    assert not layer.get_weights()[1].any()  # Keras's default bias initializer: zeros


def test_dense_without_bias_counts_only_the_kernel():
    layer = Dense(5, use_bias=False)
    layer(np.zeros((2, 7), np.float32))
    assert [w.name for w in layer.weights] == ["kernel"]
    assert layer.count_params() == 35


def test_dense_on_rank3_input_shares_one_kernel_across_timesteps():
    layer = Dense(4)
    layer(np.zeros((2, 6, 3), np.float32))
    assert layer.kernel.shape == (3, 4)
    assert layer.count_params() == 3 * 4 + 4


def test_dense_count_params_before_build_is_a_clear_error():
    with pytest.raises(ValueError, match="'dense' is not built"):
        Dense(3).count_params()


def test_dense_builds_lazily_on_first_call():
    layer = Dense(3)
    assert not layer.built and layer.weights == []
    layer(np.zeros((1, 4), np.float32))
    assert layer.built and layer.kernel.shape == (4, 3)


def test_dense_called_with_wrong_feature_count_names_the_layer_and_sizes():
    layer = Dense(10)
    layer(np.zeros((2, 784), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'dense'.*784.*100"):
        layer(np.zeros((2, 100), np.float32))


def test_dense_rejects_rank1_input_on_first_call_naming_the_layer_and_rank():
    with pytest.raises(ValueError, match=r"Layer 'dense'.*rank"):
        Dense(3)(np.zeros((5,), np.float32))


def test_dense_rejects_rank1_input_after_build_naming_the_layer_and_rank():
    layer = Dense(3)
    layer(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'dense'.*rank"):
        layer(np.zeros((5,), np.float32))


def test_dense_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="reluu") as info:
        Dense(3, activation="reluu")
    for valid in ("relu", "sigmoid", "softmax", "tanh", "gelu"):
        assert repr(valid) in str(info.value)


@pytest.mark.parametrize("units", [0, -3, 2.5, True, "8"])
def test_dense_rejects_non_positive_or_non_integer_units(units):
    with pytest.raises((TypeError, ValueError), match="Dense: argument `units` must be an integer >= 1"):
        Dense(units)


def test_dense_on_symbolic_input_gives_symbolic_output_shape():
    out = Dense(6)(Input(shape=(5, 3)))
    assert out.shape == (None, 5, 6)


# -- the fused kernel -------------------------------------------------------------------

FUSED_ACTIVATIONS = {"relu": activations.relu, "linear": activations.linear}  # the ones DenseOp fuses


@pytest.mark.parametrize("name", FUSED_ACTIVATIONS)
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
        return dense_composed(x, k, b, FUSED_ACTIVATIONS[name])

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


# -- configs ----------------------------------------------------------------------------

# (factory, input) for each Dense variant; inputs are cast to float32
CONFIG_CASES = {
    "dense": (lambda: Dense(3, activation="tanh", **random_init()), np.linspace(-1, 1, 8).reshape(2, 4)),
    "dense_no_bias": (lambda: Dense(2, use_bias=False, kernel_regularizer="l2"), np.ones((2, 4))),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_from_config_round_trip(case, check_config_round_trip):
    check_config_round_trip(*CONFIG_CASES[case])


def test_dense_config_holds_keras_names():
    config = Dense(4, activation="relu", name="hidden").get_config()
    assert config["name"] == "hidden"
    assert config["units"] == 4 and config["activation"] == "relu" and config["use_bias"] is True
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["bias_initializer"]["class_name"] == "Zeros"


# -- freezing ---------------------------------------------------------------------------


def _assert_frozen(layer):
    assert layer.trainable_weights == []
    assert [id(w) for w in layer.non_trainable_weights] == [id(w) for w in layer.weights]
    assert all(not w.requires_grad for w in layer.weights)
    x = Tensor(np.ones((2, 4), np.float32), requires_grad=True)
    layer(x).sum().backward()
    assert all(w.grad is None for w in layer.weights)
    assert x.grad is not None  # gradients still flow through to the input


def test_dense_built_frozen_gets_no_gradients():
    layer = Dense(3, trainable=False)
    layer(np.zeros((1, 4), np.float32))
    _assert_frozen(layer)


def test_dense_frozen_after_build_gets_no_gradients_and_unfreezes():
    layer = Dense(3)
    layer(np.zeros((1, 4), np.float32))
    assert len(layer.trainable_weights) == 2 and layer.non_trainable_weights == []
    layer.trainable = False
    _assert_frozen(layer)
    layer.trainable = True
    assert len(layer.trainable_weights) == 2 and all(w.requires_grad for w in layer.weights)


def test_frozen_dense_keeps_its_weights_while_the_rest_of_the_model_trains():
    trained, frozen = Dense(4, **random_init()), Dense(3, trainable=False, **random_init())
    model = dl_layers.Sequential([Input(shape=(4,)), trained, frozen])
    model.compile(optimizer="sgd", loss="mse")
    before_trained, before_frozen = trained.get_weights(), frozen.get_weights()
    model.fit(np.ones((8, 4), np.float32), np.zeros((8, 3), np.float32), epochs=2, verbose=0)
    for old, new in zip(before_frozen, frozen.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert any((old != new).any() for old, new in zip(before_trained, trained.get_weights()))
