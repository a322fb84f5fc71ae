"""BatchNormalization and LayerNormalization (``layers/normalization.py``): the fused
``NormalizeOp`` against its composed twin, finite-difference gradients of both layers, and the
training/inference contract of BatchNormalization's moving statistics."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_layers
from dl_layers import BatchNormalization, Dense, Input, LayerNormalization
from dl_layers.layers.normalization import NormalizeOp, normalize_composed
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 forward comparisons
F64 = {"rtol": 1e-10, "atol": 1e-10}  # two float64 computations of the same formula


def f64(x, grad=False):
    return Tensor(np.asarray(x, dtype=np.float64), requires_grad=grad, dtype="float64")


def np_normalize(x, axes, gamma, beta, epsilon):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta``, biased variance, in float64."""
    x = np.asarray(x, np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta


@st.composite
def normalize_cases(draw):
    """(x, gamma, beta, axes): BatchNormalization-style (statistics over all axes but one
    feature axis) or LayerNormalization-style (over some non-batch axes), float64."""
    shape = draw(shapes(min_dims=2, max_dims=4, max_side=4))
    rank = len(shape)
    if draw(st.booleans()):  # batch norm: one feature axis, any position but the batch
        feature = draw(st.integers(1, rank - 1))
        axes = tuple(i for i in range(rank) if i != feature)
        kept = (feature,)
    else:  # layer norm: a non-empty set of non-batch axes
        axes = tuple(sorted(draw(st.lists(st.integers(1, rank - 1), min_size=1, unique=True))))
        kept = axes
    param_shape = tuple(shape[i] if i in kept else 1 for i in range(rank))
    x = draw(arrays(shape, low=-5, high=5))
    gamma = draw(arrays(param_shape, low=-2, high=2))
    beta = draw(arrays(param_shape, low=-2, high=2))
    return x, gamma, beta, axes


@given(case=normalize_cases(), epsilon=st.sampled_from([1e-3, 1e-5]))
def test_fused_normalize_matches_the_composed_twin_forward_and_backward(case, epsilon):
    x, gamma, beta, axes = case
    direction = np.random.default_rng(0).standard_normal(x.shape)
    results = []
    for fn in (lambda a, g, b: NormalizeOp(axes, epsilon)(a, g, b),
               lambda a, g, b: normalize_composed(a, g, b, axes, epsilon)):
        xt, gt, bt = f64(x, True), f64(gamma, True), f64(beta, True)
        out = fn(xt, gt, bt)
        (out * f64(direction)).sum().backward()
        results.append((out.numpy(), xt.grad, gt.grad, bt.grad))
    (fused, *fused_grads), (composed, *composed_grads) = results
    np.testing.assert_allclose(fused, composed, **F64)
    np.testing.assert_allclose(fused, np_normalize(x, axes, gamma, beta, epsilon), **F64)
    for name, a, b in zip(("x", "gamma", "beta"), fused_grads, composed_grads):
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8, err_msg=f"gradient w.r.t. {name}")


@given(case=normalize_cases())
def test_fused_normalize_gradients_match_finite_differences(case):
    x, gamma, beta, axes = case
    assert gradcheck(lambda a, g, b: NormalizeOp(axes, 1e-3)(a, g, b), [x, gamma, beta])


def test_fused_normalize_exposes_the_batch_statistics():
    x = np.random.default_rng(0).normal(size=(6, 3, 2))
    op = NormalizeOp((0, 2), 1e-3)
    op(f64(x), f64(np.ones((1, 3, 1))), f64(np.zeros((1, 3, 1))))
    np.testing.assert_allclose(op.mean.reshape(-1), x.mean(axis=(0, 2)), **F64)
    np.testing.assert_allclose(op.var.reshape(-1), x.var(axis=(0, 2)), **F64)  # biased


# -- layer gradients --------------------------------------------------------------------

RANDOM_AFFINE = {"gamma_initializer": "random_normal", "beta_initializer": "random_normal"}


@st.composite
def bn_cases(draw):
    """(x, axis): rank 2 to 4 inputs and any non-batch feature axis (negative or not)."""
    shape = draw(shapes(min_dims=2, max_dims=4, min_side=2, max_side=3))
    rank = len(shape)
    axis = draw(st.sampled_from([a for a in range(-rank, rank) if a % rank != 0]))
    return draw(arrays(shape)), axis


@given(case=bn_cases())
def test_batch_normalization_gradients_in_training(case):
    x, axis = case
    layer = BatchNormalization(axis=axis, dtype="float64", **RANDOM_AFFINE)
    layer(f64(x), training=True)
    assert len(layer.trainable_weights) == 2
    assert gradcheck(lambda t: layer(t, training=True), [x], params=layer.trainable_weights)


@given(case=bn_cases())
def test_batch_normalization_gradients_at_inference(case):
    x, axis = case
    layer = BatchNormalization(axis=axis, dtype="float64", **RANDOM_AFFINE)
    layer(f64(x), training=True)  # moves the statistics away from 0 and 1
    assert gradcheck(lambda t: layer(t, training=False), [x], params=layer.trainable_weights)


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)])
def test_batch_normalization_gradients_without_center_or_scale(center, scale):
    x = np.random.default_rng(3).normal(size=(4, 3))
    layer = BatchNormalization(center=center, scale=scale, dtype="float64", **RANDOM_AFFINE)
    layer(f64(x), training=True)
    assert gradcheck(lambda t: layer(t, training=True), [x], params=layer.trainable_weights)


@st.composite
def ln_cases(draw):
    """(x, axis): axis an int or a list of non-batch axes."""
    shape = draw(shapes(min_dims=2, max_dims=4, min_side=1, max_side=3))
    rank = len(shape)
    axis = draw(st.one_of(
        st.sampled_from([a for a in range(-rank, rank) if a % rank != 0]),
        st.lists(st.integers(1, rank - 1), min_size=1, unique=True),
    ))
    return draw(arrays(shape)), axis


@given(case=ln_cases())
def test_layer_normalization_gradients(case):
    x, axis = case
    layer = LayerNormalization(axis=axis, dtype="float64", **RANDOM_AFFINE)
    layer(f64(x))
    assert gradcheck(lambda t: layer(t, training=True), [x], params=layer.trainable_weights)


# -- BatchNormalization: training ----------------------------------------------------


def _batch(shape=(64, 5), seed=0):
    """Features with different means and scales, float32."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) * rng.uniform(0.5, 4, shape[-1]) + rng.uniform(-3, 3, shape[-1])).astype(
        np.float32
    )


def test_batch_normalization_training_output_is_standardized_per_feature():
    x = _batch()
    out = BatchNormalization()(x, training=True).numpy()
    var = x.astype(np.float64).var(axis=0)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-6)
    # the std is exactly 1 but for epsilon: sqrt(var / (var + eps))
    np.testing.assert_allclose(out.std(axis=0), np.sqrt(var / (var + 1e-3)), rtol=1e-5)
    np.testing.assert_allclose(out, np_normalize(x, (0,), 1.0, 0.0, 1e-3), **F32)


@given(case=bn_cases())
def test_batch_normalization_training_matches_numpy_with_its_gamma_and_beta(case):
    x, axis = case
    x = x.astype(np.float32)
    layer = BatchNormalization(axis=axis, epsilon=1e-2, **RANDOM_AFFINE)
    out = layer(x, training=True).numpy()
    gamma, beta = layer.get_weights()[:2]
    rank = x.ndim
    shape = tuple(x.shape[i] if i == axis % rank else 1 for i in range(rank))
    reduce = tuple(i for i in range(rank) if i != axis % rank)
    np.testing.assert_allclose(out, np_normalize(x, reduce, gamma.reshape(shape), beta.reshape(shape), 1e-2), **F32)


def test_batch_normalization_channels_first_uses_per_channel_statistics():
    x = _batch((8, 4, 6)).transpose(0, 2, 1).copy()  # (batch, channels=6, length=4)
    layer = BatchNormalization(axis=1)
    out = layer(x, training=True).numpy()
    assert layer.gamma.shape == (x.shape[1],)
    np.testing.assert_allclose(out, np_normalize(x, (0, 2), 1.0, 0.0, 1e-3), **F32)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * x.astype(np.float64).mean(axis=(0, 2)), **F32)


@pytest.mark.parametrize("momentum", [0.99, 0.9, 0.5])
def test_batch_normalization_moving_statistics_follow_momentum(momentum):
    layer = BatchNormalization(momentum=momentum)
    moving_mean, moving_var = np.zeros(5), np.ones(5)
    for seed in range(3):
        x = _batch(seed=seed)
        layer(x, training=True)
        x64 = x.astype(np.float64)
        moving_mean = momentum * moving_mean + (1 - momentum) * x64.mean(axis=0)
        moving_var = momentum * moving_var + (1 - momentum) * x64.var(axis=0)  # biased variance
        np.testing.assert_allclose(layer.moving_mean.numpy(), moving_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(layer.moving_variance.numpy(), moving_var, rtol=1e-5, atol=1e-6)


def test_batch_normalization_moving_statistics_use_the_biased_variance():
    layer = BatchNormalization(momentum=0.0)  # the moving values become the batch statistics
    x = np.array([[1.0], [3.0]], np.float32)
    layer(x, training=True)
    assert layer.moving_mean.numpy()[0] == pytest.approx(2.0)
    assert layer.moving_variance.numpy()[0] == pytest.approx(1.0)  # not 2.0 (unbiased)


# -- BatchNormalization: inference ---------------------------------------------------


def _bn_with_statistics(**kwargs):
    layer = BatchNormalization(**kwargs)
    layer.build((None, 5))
    layer.built = True
    rng = np.random.default_rng(7)
    weights = {w.name: w for w in layer.weights}
    if "gamma" in weights:
        weights["gamma"].assign(rng.uniform(0.5, 2, 5))
    if "beta" in weights:
        weights["beta"].assign(rng.normal(size=5))
    layer.moving_mean.assign(rng.normal(size=5))
    layer.moving_variance.assign(rng.uniform(0.1, 3, 5))
    return layer


def _np_inference(layer, x):
    weights = {w.name: w.numpy().astype(np.float64) for w in layer.weights}
    gamma, beta = weights.get("gamma", 1.0), weights.get("beta", 0.0)
    return gamma * (x - weights["moving_mean"]) / np.sqrt(weights["moving_variance"] + layer.epsilon) + beta


@pytest.mark.parametrize("kwargs", [{}, {"training": None}, {"training": False}])
def test_batch_normalization_inference_uses_the_moving_statistics(kwargs):
    layer = _bn_with_statistics()
    x = _batch((16, 5))
    before = [w.copy() for w in layer.get_weights()]
    out = layer(x, **kwargs).numpy()
    np.testing.assert_allclose(out, _np_inference(layer, x.astype(np.float64)), **F32)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)  # inference never updates the statistics


def test_batch_normalization_inference_output_does_not_depend_on_the_batch():
    layer = _bn_with_statistics()
    x = _batch((16, 5))
    np.testing.assert_allclose(layer(x[:3]).numpy(), layer(x).numpy()[:3], **F32)


@pytest.mark.parametrize("freeze", ["constructor", "attribute"])
def test_frozen_batch_normalization_runs_in_inference_mode_and_keeps_its_statistics(freeze):
    layer = _bn_with_statistics(trainable=freeze != "constructor")
    if freeze == "attribute":
        layer.trainable = False
    x = _batch((16, 5))
    before = [w.copy() for w in layer.get_weights()]
    out = layer(x, training=True).numpy()
    np.testing.assert_allclose(out, _np_inference(layer, x.astype(np.float64)), **F32)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    assert all(not w.requires_grad for w in layer.weights)


def test_batch_normalization_inside_a_frozen_model_keeps_its_statistics_while_fitting():
    bn = BatchNormalization()
    model = dl_layers.Sequential([Input(shape=(5,)), Dense(5), bn, Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    bn.trainable = False
    before = [w.copy() for w in bn.get_weights()]
    model.fit(_batch((32, 5)), np.zeros((32, 1), np.float32), epochs=1, batch_size=8, verbose=0)
    for old, new in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("center,scale,names", [
    (True, True, ["gamma", "beta", "moving_mean", "moving_variance"]),
    (False, True, ["gamma", "moving_mean", "moving_variance"]),
    (True, False, ["beta", "moving_mean", "moving_variance"]),
    (False, False, ["moving_mean", "moving_variance"]),
])
def test_batch_normalization_center_and_scale_variants(center, scale, names):
    layer = _bn_with_statistics(center=center, scale=scale)
    assert [w.name for w in layer.weights] == names
    assert layer.count_params() == 5 * len(names)
    x = _batch((16, 5))
    np.testing.assert_allclose(layer(x).numpy(), _np_inference(layer, x.astype(np.float64)), **F32)
    gamma = layer.gamma.numpy().astype(np.float64) if scale else 1.0
    beta = layer.beta.numpy().astype(np.float64) if center else 0.0
    np.testing.assert_allclose(layer(x, training=True).numpy(), np_normalize(x, (0,), gamma, beta, 1e-3), **F32)


def test_batch_normalization_param_counts_match_keras():
    layer = BatchNormalization()
    layer(np.zeros((2, 7), np.float32))
    assert layer.count_params() == 4 * 7
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert all(w.shape == (7,) for w in layer.weights)
    mm, mv = layer.moving_mean, layer.moving_variance
    assert not mm.requires_grad and not mv.requires_grad
    np.testing.assert_array_equal(mm.numpy(), 0)
    np.testing.assert_array_equal(mv.numpy(), 1)


def test_batch_normalization_wrong_feature_size_names_the_layer():
    layer = BatchNormalization()
    layer(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'batch_normalization'.*3.*4"):
        layer(np.zeros((2, 4), np.float32))


def test_batch_normalization_needs_a_feature_axis_besides_the_batch():
    with pytest.raises(ValueError, match=r"Layer 'batch_normalization'.*feature axis"):
        BatchNormalization()(np.zeros((4,), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'batch_normalization_1'.*feature axis"):
        BatchNormalization(axis=0)(np.zeros((4, 3), np.float32))


def test_batch_normalization_config_round_trip():
    layer = BatchNormalization(axis=1, momentum=0.9, epsilon=1e-4, center=False, gamma_initializer="random_normal")
    x = _batch((4, 3, 2))
    layer(x, training=True)
    config = layer.get_config()
    clone = BatchNormalization.from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())


def test_batch_normalization_on_symbolic_inputs_keeps_the_shape():
    assert BatchNormalization()(Input(shape=(None, 5))).shape == (None, None, 5)


# -- LayerNormalization -----------------------------------------------------------------


@given(case=ln_cases())
def test_layer_normalization_normalizes_each_sample_over_its_axes(case):
    x, axis = case
    x = x.astype(np.float32)
    layer = LayerNormalization(axis=axis, **RANDOM_AFFINE)
    out = layer(x).numpy()
    rank = x.ndim
    axes = tuple(sorted(a % rank for a in (axis if isinstance(axis, list) else [axis])))
    shape = tuple(x.shape[i] if i in axes else 1 for i in range(rank))
    gamma, beta = (w.reshape(shape).astype(np.float64) for w in layer.get_weights())
    np.testing.assert_allclose(out, np_normalize(x, axes, gamma, beta, 1e-3), **F32)


def test_layer_normalization_samples_are_independent_of_each_other():
    x = _batch((8, 6))
    layer = LayerNormalization()
    out = layer(x).numpy()
    np.testing.assert_allclose(layer(x[:1]).numpy(), out[:1], **F32)
    np.testing.assert_allclose(out.mean(axis=-1), 0, atol=1e-6)
    var = x.astype(np.float64).var(axis=-1)
    np.testing.assert_allclose(out.std(axis=-1), np.sqrt(var / (var + 1e-3)), rtol=1e-5)


def test_layer_normalization_is_the_same_in_training_and_inference():
    x = _batch((8, 3, 6))
    layer = LayerNormalization(**RANDOM_AFFINE)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), layer(x, training=False).numpy())
    np.testing.assert_array_equal(layer(x).numpy(), layer(x, training=True).numpy())


@pytest.mark.parametrize("axis,input_shape,count", [
    (-1, (2, 7), 2 * 7),
    (-1, (2, 5, 7), 2 * 7),
    ([1, 2], (2, 5, 7), 2 * 5 * 7),
    ((1, -1), (2, 3, 5, 7), 2 * 3 * 7),
])
def test_layer_normalization_param_counts(axis, input_shape, count):
    layer = LayerNormalization(axis=axis)
    layer(np.zeros(input_shape, np.float32))
    assert layer.count_params() == count
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert layer.non_trainable_weights == []


def test_layer_normalization_without_center_and_scale_has_no_weights():
    layer = LayerNormalization(center=False, scale=False)
    x = _batch((4, 5))
    out = layer(x).numpy()
    assert layer.weights == [] and layer.count_params() == 0
    np.testing.assert_allclose(out, np_normalize(x, (1,), 1.0, 0.0, 1e-3), **F32)


def test_layer_normalization_wrong_feature_size_names_the_layer():
    layer = LayerNormalization()
    layer(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"Layer 'layer_normalization'.*3.*4"):
        layer(np.zeros((2, 4), np.float32))


def test_layer_normalization_refuses_the_batch_axis():
    with pytest.raises(ValueError, match=r"Layer 'layer_normalization'.*axes"):
        LayerNormalization(axis=0)(np.zeros((2, 3), np.float32))


def test_layer_normalization_config_round_trip():
    layer = LayerNormalization(axis=[1, 2], epsilon=1e-5, **RANDOM_AFFINE)
    x = _batch((4, 3, 2))
    layer(x)
    config = layer.get_config()
    clone = LayerNormalization.from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
