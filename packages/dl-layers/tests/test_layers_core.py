"""Core layers: Dense, Activation, LeakyReLU, Dropout, Flatten, Reshape, Add, Concatenate, Lambda.

Forward passes are compared with NumPy computed from the layer's own weights, gradients
with finite differences (float64 layers, weights checked through ``params=``), and the
Keras-facing surface (weight layouts, parameter counts, configs, errors) is pinned down.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import dl_layers
import dl_tensor as dt
from dl_layers import (
    Activation,
    Add,
    Concatenate,
    Dense,
    Dropout,
    Flatten,
    Input,
    Lambda,
    LeakyReLU,
    Reshape,
)
from dl_layers.layers import add, concatenate
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

SELU_ALPHA, SELU_SCALE = 1.67326324235437728, 1.05070098735548049
np_erf = np.vectorize(math.erf, otypes=[np.float64])


def np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


# activation name -> NumPy formula (evaluated in float64, compared in float32)
NP_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": np_softmax,
    "linear": lambda z: z,
    "elu": np_elu,
    "selu": lambda z: SELU_SCALE * np_elu(z, SELU_ALPHA),
    "gelu": lambda z: 0.5 * z * (1 + np_erf(z / np.sqrt(2))),
    "swish": lambda z: z / (1 + np.exp(-z)),
}
KINKED = {"relu", "elu", "selu"}  # keep pre-activations away from 0 for these

F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 forward comparisons


def f64(x):
    return Tensor(np.asarray(x, dtype=np.float64), dtype="float64")


def random_init():
    """A non-zero bias too, so that the bias really takes part in the checks."""
    return {"kernel_initializer": "random_normal", "bias_initializer": "random_normal"}


# -- Dense ------------------------------------------------------------------------------


@st.composite
def dense_cases(draw, min_rank=2, max_rank=3):
    """(input array, units): rank 2 (batch, in) or rank 3 (batch, time, in) float32 inputs."""
    lead = draw(shapes(min_dims=min_rank - 1, max_dims=max_rank - 1))
    in_dim = draw(st.integers(1, 5))
    units = draw(st.integers(1, 4))
    x = draw(arrays((*lead, in_dim), dtype=np.float32))
    return x, units


@pytest.mark.parametrize("name", sorted(NP_ACTIVATIONS))
@given(case=dense_cases())
def test_dense_forward_matches_numpy_with_its_own_weights(name, case):
    x, units = case
    layer = Dense(units, activation=name, **random_init())
    out = layer(x).numpy()
    kernel, bias = layer.get_weights()
    z = x.astype(np.float64) @ kernel.astype(np.float64) + bias.astype(np.float64)
    assert out.dtype == np.float32
    assert out.shape == (*x.shape[:-1], units)
    np.testing.assert_allclose(out, NP_ACTIVATIONS[name](z), **F32)


@given(case=dense_cases())
def test_dense_without_bias_is_a_plain_matmul(case):
    x, units = case
    layer = Dense(units, use_bias=False)
    out = layer(x).numpy()
    (kernel,) = layer.get_weights()
    np.testing.assert_allclose(out, x.astype(np.float64) @ kernel, **F32)


@pytest.mark.parametrize("name", sorted(NP_ACTIVATIONS))
@given(data=st.data())
def test_dense_gradients_match_finite_differences(name, data):
    rank = data.draw(st.integers(2, 3), label="rank")
    lead = data.draw(shapes(min_dims=rank - 1, max_dims=rank - 1, max_side=3), label="lead")
    in_dim = data.draw(st.integers(1, 4), label="in_dim")
    x = data.draw(arrays((*lead, in_dim), low=-2, high=2), label="x")
    layer = Dense(3, activation=name, dtype="float64", **random_init())
    layer(f64(x))
    if name in KINKED:
        kernel, bias = layer.get_weights()
        assume(np.abs(x @ kernel + bias).min() > 1e-2)
    assert gradcheck(lambda t: layer(t), [x], params=layer.trainable_weights)


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
    with pytest.raises(ValueError, match="units must be a positive integer"):
        Dense(units)


def test_dense_on_symbolic_input_gives_symbolic_output_shape():
    out = Dense(6)(Input(shape=(5, 3)))
    assert out.shape == (None, 5, 6)


# -- Activation and LeakyReLU ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NP_ACTIVATIONS))
@given(x=shapes(min_dims=1).flatmap(lambda s: arrays(s, dtype=np.float32)))
def test_activation_layer_matches_numpy(name, x):
    out = Activation(name)(Tensor(x)).numpy()
    np.testing.assert_allclose(out, NP_ACTIVATIONS[name](x.astype(np.float64)), **F32)


@pytest.mark.parametrize("name", sorted(NP_ACTIVATIONS))
@given(data=st.data())
def test_activation_layer_gradients(name, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    kinks = (0.0,) if name in KINKED else ()
    x = data.draw(arrays(shape, kinks=kinks), label="x")
    layer = Activation(name, dtype="float64")
    assert gradcheck(lambda t: layer(t), [x])


def test_activation_layer_accepts_a_callable():
    layer = Activation(lambda t: t * 3)
    np.testing.assert_array_equal(layer(np.array([[1.0, -2.0]], np.float32)).numpy(), [[3.0, -6.0]])


def test_activation_layer_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="'softmax'"):
        Activation("softmaxx")


@pytest.mark.parametrize("kwargs,slope", [({}, 0.3), ({"negative_slope": 0.1}, 0.1), ({"alpha": 0.05}, 0.05)])
@given(x=shapes(min_dims=1).flatmap(lambda s: arrays(s, dtype=np.float32)))
def test_leaky_relu_matches_numpy(kwargs, slope, x):
    out = LeakyReLU(**kwargs)(Tensor(x)).numpy()
    np.testing.assert_allclose(out, np.where(x > 0, x, slope * x.astype(np.float64)), **F32)


@given(x=shapes(min_dims=1).flatmap(lambda s: arrays(s, kinks=(0.0,))))
def test_leaky_relu_gradients(x):
    layer = LeakyReLU(0.2, dtype="float64")
    assert gradcheck(lambda t: layer(t), [x])


def test_leaky_relu_rejects_negative_slope():
    with pytest.raises(ValueError, match="negative_slope"):
        LeakyReLU(-0.1)


# -- Dropout ----------------------------------------------------------------------------


def test_dropout_is_the_identity_at_inference():
    x = np.random.default_rng(1).normal(size=(50, 20)).astype(np.float32)
    layer = Dropout(0.5)
    for kwargs in ({}, {"training": None}, {"training": False}):
        np.testing.assert_array_equal(layer(x, **kwargs).numpy(), x)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_dropout_drops_about_rate_and_scales_the_rest(rate):
    x = np.random.default_rng(2).uniform(1.0, 2.0, size=(400, 500)).astype(np.float32)  # never 0
    out = Dropout(rate)(x, training=True).numpy()
    dropped = out == 0
    assert abs(dropped.mean() - rate) < 0.01  # binomial std over 2e5 values is < 0.0012
    kept_scale = np.float32(1.0 / (1.0 - rate))
    np.testing.assert_allclose(out[~dropped], x[~dropped] * kept_scale, rtol=1e-6)


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_preserves_the_expected_value(rate):
    x = np.full((500, 400), 3.0, np.float32)
    out = Dropout(rate)(x, training=True).numpy()
    # std of one output is 3 * sqrt(rate / (1 - rate)) <= 3; over 2e5 values the mean's std is < 0.007
    assert abs(out.mean() - 3.0) < 0.04


def test_dropout_rate_zero_is_the_identity_in_training():
    x = np.ones((10, 10), np.float32)
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True).numpy(), x)


def test_dropout_masks_repeat_after_set_random_seed():
    x = np.ones((30, 40), np.float32)
    dl_layers.set_random_seed(123)
    first = Dropout(0.5)(x, training=True).numpy()
    dl_layers.set_random_seed(123)
    again = Dropout(0.5)(x, training=True).numpy()
    dl_layers.set_random_seed(124)
    other = Dropout(0.5)(x, training=True).numpy()
    np.testing.assert_array_equal(first, again)
    assert (first != other).any()


def test_dropout_seed_argument_is_reproducible_and_independent_of_the_global_seed():
    x = np.ones((30, 40), np.float32)
    dl_layers.set_random_seed(1)
    a = Dropout(0.5, seed=7)(x, training=True).numpy()
    dl_layers.set_random_seed(2)
    b = Dropout(0.5, seed=7)(x, training=True).numpy()
    c = Dropout(0.5, seed=8)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_dropout_draws_a_new_mask_on_every_training_call():
    x = np.ones((30, 40), np.float32)
    layer = Dropout(0.5, seed=7)
    assert (layer(x, training=True).numpy() != layer(x, training=True).numpy()).any()


def test_dropout_noise_shape_shares_the_mask_along_axes_of_size_1():
    x = np.ones((6, 5, 8), np.float32)
    for noise_shape in ((None, 1, 8), (6, 1, 8)):
        out = Dropout(0.5, noise_shape=noise_shape)(x, training=True).numpy()
        assert out.shape == x.shape
        assert (out == out[:, :1, :]).all()  # the same decision at every timestep
        assert set(np.unique(out)) == {0.0, 2.0}
        assert not (out == out[:1, :, :]).all()  # but not the same for every sample


@pytest.mark.parametrize("noise_shape", [(6, 2, 8), (6, 8), (1, 6, 5, 8)])
def test_dropout_noise_shape_that_does_not_fit_names_the_layer(noise_shape):
    with pytest.raises(ValueError, match=r"Layer 'dropout'.*noise_shape"):
        Dropout(0.5, noise_shape=noise_shape)(np.ones((6, 5, 8), np.float32), training=True)


@pytest.mark.parametrize("rate", [-0.1, 1, 1.0, 1.5])
def test_dropout_rejects_rates_outside_zero_one(rate):
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        Dropout(rate)


@given(x=shapes(min_dims=1).flatmap(arrays))
def test_dropout_gradient_is_the_mask(x):
    # a fresh layer with a fixed seed draws the same mask at each evaluation
    assert gradcheck(lambda t: Dropout(0.5, seed=3, dtype="float64")(t, training=True), [x])


# -- Flatten and Reshape ----------------------------------------------------------------


@given(x=shapes(min_dims=1, max_dims=4).flatmap(lambda s: arrays(s, dtype=np.float32)))
def test_flatten_keeps_the_batch_axis_and_row_major_order(x):
    out = Flatten()(Tensor(x)).numpy()
    assert out.shape == (x.shape[0], int(np.prod(x.shape[1:])))
    np.testing.assert_array_equal(out, x.reshape(x.shape[0], -1))


@given(x=shapes(min_dims=2, max_dims=4).flatmap(arrays))
def test_flatten_gradients(x):
    assert gradcheck(lambda t: Flatten()(t), [x])


def test_flatten_on_symbolic_inputs():
    assert Flatten()(Input(shape=(3, 3, 64))).shape == (None, 576)
    assert Flatten()(Input(shape=(3, None))).shape == (None, None)


@given(data=st.data())
def test_reshape_matches_numpy_including_minus_one(data):
    batch = data.draw(st.integers(1, 3), label="batch")
    a, b, c = (data.draw(st.integers(1, 4), label=n) for n in "abc")
    x = data.draw(arrays((batch, a * b * c), dtype=np.float32), label="x")
    for target in ((a, b * c), (a, -1), (-1, c), (a, b, c), (-1,)):
        out = Reshape(target)(Tensor(x)).numpy()
        np.testing.assert_array_equal(out, x.reshape(batch, *target))


@given(x=arrays((2, 12)))
def test_reshape_gradients(x):
    assert gradcheck(lambda t: Reshape((3, -1))(t), [x])


def test_reshape_on_symbolic_inputs_fills_in_minus_one():
    assert Reshape((3, -1))(Input(shape=(12,))).shape == (None, 3, 4)
    assert Reshape((4, 3))(Input(shape=(2, 6))).shape == (None, 4, 3)
    assert Reshape((-1, 2))(Input(shape=(None,))).shape == (None, None, 2)


@pytest.mark.parametrize("target", [(5,), (5, -1)])
def test_reshape_to_a_size_that_does_not_fit_names_the_layer(target):
    with pytest.raises(ValueError, match=r"Layer 'reshape'.*\(12,\)"):
        Reshape(target)(np.zeros((2, 12), np.float32))


def test_reshape_to_a_size_that_does_not_fit_symbolically_names_the_layer():
    with pytest.raises(ValueError, match=r"Layer 'reshape'"):
        Reshape((5,))(Input(shape=(12,)))


def test_reshape_checks_every_call_not_only_the_first():
    layer = Reshape((3, -1))
    layer(np.zeros((2, 12), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'reshape'"):
        layer(np.zeros((2, 10), np.float32))


@pytest.mark.parametrize("target", [(-1, -1), (0, 4), (-2, 3)])
def test_reshape_rejects_bad_target_shapes(target):
    with pytest.raises(ValueError, match="at most one -1"):
        Reshape(target)


# -- Add and Concatenate ----------------------------------------------------------------


@given(data=st.data())
def test_add_sums_a_list_of_tensors(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    n = data.draw(st.integers(2, 4), label="n")
    xs = [data.draw(arrays(shape, dtype=np.float32), label=f"x{i}") for i in range(n)]
    out = Add()(xs).numpy()
    np.testing.assert_allclose(out, np.sum(np.stack(xs).astype(np.float64), axis=0), **F32)


@given(data=st.data())
def test_add_gradients(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    a, b, c = (data.draw(arrays(shape), label=n) for n in "abc")
    layer = Add()
    assert gradcheck(lambda x, y, z: layer([x, y, z]), [a, b, c])


@given(data=st.data())
def test_concatenate_matches_numpy(data):
    rank = data.draw(st.integers(2, 3), label="rank")
    base = list(data.draw(shapes(min_dims=rank, max_dims=rank), label="base"))
    axis = data.draw(st.sampled_from([a for a in range(-rank, rank) if a % rank != 0]), label="axis")
    xs = []
    for i in range(data.draw(st.integers(2, 3), label="n")):
        shape = list(base)
        shape[axis] = data.draw(st.integers(1, 4), label=f"size{i}")
        xs.append(data.draw(arrays(tuple(shape), dtype=np.float32), label=f"x{i}"))
    out = Concatenate(axis=axis)(xs).numpy()
    np.testing.assert_array_equal(out, np.concatenate(xs, axis=axis))


@given(a=arrays((2, 3)), b=arrays((2, 2)))
def test_concatenate_gradients(a, b):
    layer = Concatenate()
    assert gradcheck(lambda x, y: layer([x, y]), [a, b])


@pytest.mark.parametrize("cls", [Add, Concatenate])
def test_merging_layers_need_a_list_of_at_least_two(cls):
    name = cls.__name__.lower()
    with pytest.raises(ValueError, match=rf"Layer '{name}' expects a list of at least 2 inputs"):
        cls()(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="at least 2 inputs"):
        cls()([np.zeros((2, 3), np.float32)])


def test_add_rejects_different_shapes_naming_the_layer():
    with pytest.raises(ValueError, match=r"Layer 'add': inputs must have the same shape"):
        Add()([np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32)])


@pytest.mark.parametrize("other", [(2, 1), (1, 3), (4, 3)])
def test_add_checks_shapes_on_every_call_not_only_the_first(other):
    layer = Add()
    layer([np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match=r"Layer 'add'"):
        layer([np.zeros((2, 3), np.float32), np.zeros(other, np.float32)])


def test_concatenate_rejects_mismatch_off_the_axis_naming_the_layer():
    with pytest.raises(ValueError, match=r"Layer 'concatenate': inputs must match on every axis except -1"):
        Concatenate()([np.zeros((2, 3, 4), np.float32), np.zeros((2, 5, 4), np.float32)])


def test_concatenate_checks_shapes_on_every_call_not_only_the_first():
    layer = Concatenate()
    layer([np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32)])
    with pytest.raises(ValueError, match=r"Layer 'concatenate'"):
        layer([np.zeros((2, 3), np.float32), np.zeros((2, 4, 1), np.float32)])
    with pytest.raises(ValueError, match=r"Layer 'concatenate'"):
        layer([np.zeros((2, 3), np.float32), np.zeros((3, 4), np.float32)])


def test_functional_add_and_concatenate_on_symbolic_inputs():
    a, b, c = Input(shape=(4,)), Input(shape=(4,)), Input(shape=(6,))
    summed = add([a, b])
    joined = concatenate([summed, c])
    assert summed.shape == (None, 4) and summed.node.layer.name == "add"
    assert joined.shape == (None, 10) and joined.node.layer.name == "concatenate"
    seq1, seq2 = Input(shape=(2, 3)), Input(shape=(None, 3))
    assert concatenate([seq1, seq2], axis=1).shape == (None, None, 3)
    assert concatenate([seq1, Input(shape=(4, 3))], axis=1).shape == (None, 6, 3)


def test_functional_merges_reject_symbolic_shape_mismatches():
    with pytest.raises(ValueError, match=r"Layer 'add'"):
        add([Input(shape=(4,)), Input(shape=(5,))])
    with pytest.raises(ValueError, match=r"Layer 'concatenate'"):
        concatenate([Input(shape=(2, 3)), Input(shape=(4, 5))])


def test_functional_merge_model_runs_on_data():
    a, b = Input(shape=(3,)), Input(shape=(2,))
    model = dl_layers.Model([a, b], concatenate([a, b]))
    x, y = np.ones((2, 3), np.float32), np.zeros((2, 2), np.float32)
    np.testing.assert_array_equal(model([x, y]).numpy(), np.concatenate([x, y], axis=-1))


# -- Lambda -----------------------------------------------------------------------------


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


# -- configs ----------------------------------------------------------------------------

# (factory, input) for each layer with a config; inputs are float32 arrays or lists of them
CONFIG_CASES = {
    "dense": (lambda: Dense(3, activation="tanh", **random_init()), np.linspace(-1, 1, 8).reshape(2, 4)),
    "dense_no_bias": (lambda: Dense(2, use_bias=False, kernel_regularizer="l2"), np.ones((2, 4))),
    "activation": (lambda: Activation("gelu"), np.linspace(-2, 2, 6).reshape(2, 3)),
    "leaky_relu": (lambda: LeakyReLU(negative_slope=0.1), np.linspace(-2, 2, 6).reshape(2, 3)),
    "dropout": (lambda: Dropout(0.4, noise_shape=(None, 1, 3), seed=5), np.ones((2, 4, 3))),
    "flatten": (lambda: Flatten(), np.arange(12.0).reshape(2, 3, 2)),
    "reshape": (lambda: Reshape((2, -1)), np.arange(12.0).reshape(2, 6)),
    "add": (lambda: Add(), [np.ones((2, 3)), np.arange(6.0).reshape(2, 3)]),
    "concatenate": (lambda: Concatenate(axis=1), [np.ones((2, 1, 3)), np.zeros((2, 2, 3))]),
}


def _as_f32(x):
    return [np.asarray(v, np.float32) for v in x] if isinstance(x, list) else np.asarray(x, np.float32)


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_from_config_round_trip(case):
    factory, x = CONFIG_CASES[case]
    x = _as_f32(x)
    layer = factory()
    layer(x)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


def test_dropout_clone_with_the_same_seed_draws_the_same_masks():
    x = np.ones((20, 30), np.float32)
    layer = Dropout(0.5, seed=11)
    clone = Dropout.from_config(layer.get_config())
    np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())


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
