"""Losses: the fused cross-entropy ops against their composed twins and a stable NumPy
reference (also at huge logits), every loss function and class against a NumPy formula
with Keras's semantics (clipping included), reductions, sample weights and float32, the
logits shortcut behind softmax/sigmoid outputs, the targets contract's errors naming the
loss and both shapes, label smoothing, and ``get``/``serialize``/``deserialize`` (the
``LOSSES`` registry: aliases, built-in functions, your own subclasses)."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dl_tensor as dt
from dl_layers import Dense, losses
from dl_layers.losses import (
    SigmoidCrossEntropyOp,
    SoftmaxCrossEntropyOp,
    SparseSoftmaxCrossEntropyOp,
    sigmoid_cross_entropy_composed,
    softmax_cross_entropy_composed,
    sparse_softmax_cross_entropy_composed,
)
from dl_layers.registry import Registry
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

EPS = 1e-7
F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 results against float64 references
F64 = {"rtol": 1e-10, "atol": 1e-12}  # two float64 computations of the same formula


def f64(x, grad=False):
    return Tensor(np.asarray(x, dtype=np.float64), requires_grad=grad, dtype="float64")


def f32(x, grad=False):
    return Tensor(np.asarray(x, dtype=np.float32), requires_grad=grad, dtype="float32")


# -- NumPy references (float64, stable for any logits) --------------------------------


def np_log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def np_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def np_sigmoid_xent(z, t):
    return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))


def onehot(labels, classes):
    return np.eye(classes)[labels]


def np_clip32(p):
    """Keras's clipping, done in float32 as the float32 loss does it."""
    p = np.asarray(p, np.float32)
    return np.clip(p, np.float32(EPS), np.float32(1 - EPS))


def np_bce(t, p):
    p = np_clip32(p)
    one_minus = (np.float32(1) - p).astype(np.float64)
    t = np.asarray(t, np.float64)
    return -(t * np.log(p.astype(np.float64)) + (1 - t) * np.log(one_minus)).mean(axis=-1)


def np_cce(t, p):
    p = np.asarray(p, np.float32)
    p = np_clip32(p / p.sum(axis=-1, keepdims=True)).astype(np.float64)
    return -(np.asarray(t, np.float64) * np.log(p)).sum(axis=-1)


def np_scce(labels, p):
    p = np_clip32(p).astype(np.float64)
    return -np.log(np.take_along_axis(p, labels[..., None], axis=-1)[..., 0])


def np_huber(t, p, delta):
    err = np.abs(np.asarray(p, np.float64) - t)
    return np.where(err <= delta, 0.5 * err**2, delta * err - 0.5 * delta**2).mean(axis=-1)


# -- strategies -------------------------------------------------------------------------


@st.composite
def logits_and_labels(draw, low=-20.0, high=20.0, max_lead=2):
    """Logits (..., classes) in float64 and integer labels of shape (...)."""
    lead = draw(shapes(min_dims=1, max_dims=max_lead, max_side=3))
    classes = draw(st.integers(1, 4))
    z = draw(arrays((*lead, classes), low=low, high=high))
    labels = draw(hnp.arrays(np.int64, lead, elements=st.integers(0, classes - 1)))
    return z, labels


@st.composite
def logits_and_targets(draw, low=-20.0, high=20.0, soft=True):
    """Logits and float targets of the same shape: one-hot rows, or arbitrary values in [0, 1]."""
    z, labels = draw(logits_and_labels(low, high))
    if soft and draw(st.booleans()):
        return z, draw(arrays(z.shape, low=0.0, high=1.0))
    return z, onehot(labels, z.shape[-1])


def huge_logits(shape):
    """Logits of magnitude up to 1e4: exp() of them overflows float64."""
    return arrays(shape, low=-1e4, high=1e4, layouts=("contiguous",)) | hnp.arrays(
        np.float64, shape, elements=st.sampled_from([-1e4, -5e3, 0.0, 5e3, 1e4])
    )


def _value_and_grads(fn, z, direction):
    zt = f64(z, grad=True)
    out = fn(zt)
    (out * f64(direction)).sum().backward()
    return out.numpy(), zt.grad


# -- fused ops against composed twins and NumPy -----------------------------------------


@given(case=logits_and_labels())
def test_sparse_softmax_xent_fused_matches_composed_and_numpy(case):
    z, labels = case
    direction = np.random.default_rng(0).standard_normal(labels.shape)
    fused, g_fused = _value_and_grads(lambda t: SparseSoftmaxCrossEntropyOp(labels)(t), z, direction)
    composed, g_composed = _value_and_grads(lambda t: sparse_softmax_cross_entropy_composed(t, labels), z, direction)
    reference = -np.take_along_axis(np_log_softmax(z), labels[..., None], axis=-1)[..., 0]
    assert fused.shape == labels.shape
    np.testing.assert_allclose(fused, composed, **F64)
    np.testing.assert_allclose(fused, reference, **F64)
    np.testing.assert_allclose(g_fused, g_composed, **F64)


@given(case=logits_and_labels())
def test_sparse_softmax_xent_gradcheck(case):
    z, labels = case
    assert gradcheck(lambda t: SparseSoftmaxCrossEntropyOp(labels)(t), [z])


@given(case=logits_and_targets())
def test_softmax_xent_fused_matches_composed_and_numpy(case):
    z, t = case
    direction = np.random.default_rng(0).standard_normal(z.shape[:-1])
    fused, g_fused = _value_and_grads(lambda x: SoftmaxCrossEntropyOp(t)(x), z, direction)
    composed, g_composed = _value_and_grads(lambda x: softmax_cross_entropy_composed(x, t), z, direction)
    np.testing.assert_allclose(fused, composed, **F64)
    np.testing.assert_allclose(fused, -(t * np_log_softmax(z)).sum(axis=-1), **F64)
    np.testing.assert_allclose(g_fused, g_composed, **F64)


@given(case=logits_and_targets())
def test_softmax_xent_gradcheck(case):
    z, t = case
    assert gradcheck(lambda x: SoftmaxCrossEntropyOp(t)(x), [z])


@given(case=logits_and_targets())
def test_sigmoid_xent_fused_matches_composed_and_numpy(case):
    z, t = case
    direction = np.random.default_rng(0).standard_normal(z.shape)
    fused, g_fused = _value_and_grads(lambda x: SigmoidCrossEntropyOp(t)(x), z, direction)
    composed, g_composed = _value_and_grads(lambda x: sigmoid_cross_entropy_composed(x, t), z, direction)
    np.testing.assert_allclose(fused, composed, **F64)
    np.testing.assert_allclose(fused, np_sigmoid_xent(z, t), **F64)
    np.testing.assert_allclose(g_fused, g_composed, **F64)


@given(case=logits_and_targets())
def test_sigmoid_xent_gradcheck(case):
    z, t = case
    assert gradcheck(lambda x: SigmoidCrossEntropyOp(t)(x), [z])


@given(data=st.data())
def test_sparse_softmax_xent_stays_exact_at_huge_logits(data):
    lead = data.draw(shapes(min_dims=1, max_dims=2, max_side=3), label="lead")
    classes = data.draw(st.integers(2, 4), label="classes")
    z = data.draw(huge_logits((*lead, classes)), label="z")
    labels = data.draw(hnp.arrays(np.int64, lead, elements=st.integers(0, classes - 1)), label="labels")
    zt = f64(z, grad=True)
    out = SparseSoftmaxCrossEntropyOp(labels)(zt)
    out.sum().backward()
    assert np.isfinite(out.numpy()).all() and np.isfinite(zt.grad).all()
    expected = -np.take_along_axis(np_log_softmax(z), labels[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(out.numpy(), expected, **F64)
    np.testing.assert_allclose(zt.grad, np.exp(np_log_softmax(z)) - onehot(labels, classes), **F64)


@given(data=st.data())
def test_softmax_xent_stays_exact_at_huge_logits(data):
    lead = data.draw(shapes(min_dims=1, max_dims=2, max_side=3), label="lead")
    classes = data.draw(st.integers(2, 4), label="classes")
    z = data.draw(huge_logits((*lead, classes)), label="z")
    labels = data.draw(hnp.arrays(np.int64, lead, elements=st.integers(0, classes - 1)), label="labels")
    t = onehot(labels, classes)
    zt = f64(z, grad=True)
    out = SoftmaxCrossEntropyOp(t)(zt)
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), -(t * np_log_softmax(z)).sum(axis=-1), **F64)
    np.testing.assert_allclose(zt.grad, np.exp(np_log_softmax(z)) - t, **F64)


@given(data=st.data())
def test_sigmoid_xent_stays_exact_at_huge_logits(data):
    shape = data.draw(shapes(min_dims=1, max_dims=2), label="shape")
    z = data.draw(huge_logits(shape), label="z")
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])), label="t")
    zt = f64(z, grad=True)
    out = SigmoidCrossEntropyOp(t)(zt)
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), np_sigmoid_xent(z, t), **F64)
    np.testing.assert_allclose(zt.grad, np_sigmoid(z) - t, **F64)


def test_fused_ops_keep_float32_and_stay_finite_at_huge_float32_logits():
    z = np.array([[1e4, -1e4, 0.0], [-3e4, 3e4, 3e4]], np.float32)
    labels = np.array([1, 0])
    for op in (SparseSoftmaxCrossEntropyOp(labels), SoftmaxCrossEntropyOp(onehot(labels, 3).astype(np.float32)),
               SigmoidCrossEntropyOp(np.ones((2, 3), np.float32))):
        zt = f32(z, grad=True)
        out = op(zt)
        out.sum().backward()
        assert out.dtype == np.float32 and zt.grad.dtype == np.float32
        assert np.isfinite(out.numpy()).all() and np.isfinite(zt.grad).all()


# -- loss functions against NumPy formulas ----------------------------------------------


def probabilities(shape, low=0.0):
    """float32 probabilities, with the edges 0 and 1 (where clipping matters) likely."""
    return hnp.arrays(np.float32, shape, elements=st.one_of(
        st.sampled_from([low, 1.0, 1e-9, 1 - 1e-9]), st.floats(low, 1.0, width=32)))


@given(data=st.data())
def test_binary_crossentropy_on_probabilities_clips_like_keras(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3), label="shape")
    p = data.draw(probabilities(shape), label="p")
    t = data.draw(hnp.arrays(np.float32, shape, elements=st.sampled_from([0.0, 1.0, 0.25])), label="t")
    out = losses.binary_crossentropy(t, f32(p))
    assert out.shape == shape[:-1] and out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), np_bce(t, p), **F32)


@given(case=logits_and_targets(low=-30, high=30))
def test_binary_crossentropy_from_logits(case):
    z, t = case
    out = losses.binary_crossentropy(t, f32(z), from_logits=True)
    np.testing.assert_allclose(out.numpy(), np_sigmoid_xent(z.astype(np.float32).astype(np.float64), t).mean(-1),
                               **F32)


@given(data=st.data())
def test_categorical_crossentropy_on_probabilities_normalizes_then_clips(data):
    shape = data.draw(shapes(min_dims=2, max_dims=3), label="shape")
    p = data.draw(probabilities(shape, low=2.0**-10), label="p")  # positive rows: normalizable
    labels = data.draw(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, shape[-1] - 1)), label="labels")
    t = onehot(labels, shape[-1]).astype(np.float32)
    out = losses.categorical_crossentropy(t, f32(p))
    assert out.shape == shape[:-1]
    np.testing.assert_allclose(out.numpy(), np_cce(t, p), **F32)


@given(case=logits_and_targets())
def test_categorical_crossentropy_from_logits(case):
    z, t = case
    z = z.astype(np.float32)
    out = losses.categorical_crossentropy(t, f32(z), from_logits=True)
    np.testing.assert_allclose(out.numpy(), -(t * np_log_softmax(z.astype(np.float64))).sum(-1), **F32)


@given(data=st.data())
def test_sparse_categorical_crossentropy_on_probabilities_clips_like_keras(data):
    shape = data.draw(shapes(min_dims=2, max_dims=3), label="shape")
    p = data.draw(probabilities(shape), label="p")
    labels = data.draw(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, shape[-1] - 1)), label="labels")
    out = losses.sparse_categorical_crossentropy(labels, f32(p))
    assert out.shape == shape[:-1]
    np.testing.assert_allclose(out.numpy(), np_scce(labels, p), **F32)


@given(case=logits_and_labels())
def test_sparse_categorical_crossentropy_from_logits(case):
    z, labels = case
    z = z.astype(np.float32)
    out = losses.sparse_categorical_crossentropy(labels, f32(z), from_logits=True)
    expected = -np.take_along_axis(np_log_softmax(z.astype(np.float64)), labels[..., None], -1)[..., 0]
    np.testing.assert_allclose(out.numpy(), expected, **F32)


@given(case=logits_and_labels(low=-3, high=3))
def test_sparse_and_categorical_crossentropy_agree_on_onehot_targets(case):
    z, labels = case
    p = np.exp(np_log_softmax(z)).astype(np.float32)  # rows sum to 1
    t = onehot(labels, z.shape[-1]).astype(np.float32)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, f32(p)).numpy(),
                               losses.categorical_crossentropy(t, f32(p)).numpy(), **F32)


@given(data=st.data())
def test_regression_losses_match_numpy(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3), label="shape")
    p = data.draw(arrays(shape, dtype=np.float32, low=-4, high=4), label="p")
    t = data.draw(arrays(shape, dtype=np.float32, low=-4, high=4), label="t")
    delta = data.draw(st.sampled_from([0.5, 1.0, 2.0]), label="delta")
    p64, t64 = p.astype(np.float64), t.astype(np.float64)
    for fn in (losses.mean_squared_error, losses.mse, losses.MSE):
        np.testing.assert_allclose(fn(t, f32(p)).numpy(), ((p64 - t64) ** 2).mean(-1), **F32)
    for fn in (losses.mean_absolute_error, losses.mae, losses.MAE):
        np.testing.assert_allclose(fn(t, f32(p)).numpy(), np.abs(p64 - t64).mean(-1), **F32)
    np.testing.assert_allclose(losses.huber(t, f32(p), delta=delta).numpy(), np_huber(t64, p, delta), **F32)


@pytest.mark.parametrize("fn", [losses.mean_squared_error, losses.mean_absolute_error, losses.huber])
@given(data=st.data())
def test_regression_loss_gradients(fn, data):
    shape = data.draw(shapes(min_dims=1, max_dims=2), label="shape")
    t = data.draw(arrays(shape), label="t")
    p = data.draw(arrays(shape), label="p")
    # stay off the kinks of |p - t| (and of huber at |p - t| = delta = 1)
    diff = np.abs(p - t)
    p = np.where((diff < 1e-2) | (np.abs(diff - 1) < 1e-2), t + 0.5, p)
    assert gradcheck(lambda x: fn(t, x), [p])


def test_huber_is_quadratic_then_linear():
    t = np.zeros((1, 4), np.float32)
    p = np.array([[0.5, -1.0, 3.0, -5.0]], np.float32)
    # delta = 2: 0.5 * err**2 up to 2, then 2 * err - 0.5 * 2**2
    per_value = np.array([0.5 * 0.5**2, 0.5 * 1.0**2, 2 * 3.0 - 2, 2 * 5.0 - 2])
    assert losses.huber(t, f32(p), delta=2.0).item() == pytest.approx(per_value.mean())


# -- Loss objects: reductions and sample weights ----------------------------------------

RNG = np.random.default_rng(42)
PROBS = np.exp(np_log_softmax(RNG.normal(size=(5, 3)))).astype(np.float32)
LABELS = np.array([0, 2, 1, 1, 0])
ONEHOT = onehot(LABELS, 3).astype(np.float32)
BIN_P = RNG.uniform(0.05, 0.95, size=(5, 2)).astype(np.float32)
BIN_T = RNG.integers(0, 2, size=(5, 2)).astype(np.float32)
REG_P = RNG.normal(size=(5, 2)).astype(np.float32) * 2
REG_T = RNG.normal(size=(5, 2)).astype(np.float32)

# class, constructor kwargs, targets, predictions, per-sample NumPy reference
LOSS_CASES = {
    "bce": (losses.BinaryCrossentropy, {}, BIN_T, BIN_P, np_bce(BIN_T, BIN_P)),
    "bce_logits": (losses.BinaryCrossentropy, {"from_logits": True}, BIN_T, REG_P,
                   np_sigmoid_xent(REG_P.astype(np.float64), BIN_T).mean(-1)),
    "cce": (losses.CategoricalCrossentropy, {}, ONEHOT, PROBS, np_cce(ONEHOT, PROBS)),
    "cce_logits": (losses.CategoricalCrossentropy, {"from_logits": True}, ONEHOT, PROBS,
                   -(ONEHOT * np_log_softmax(PROBS.astype(np.float64))).sum(-1)),
    "scce": (losses.SparseCategoricalCrossentropy, {}, LABELS, PROBS, np_scce(LABELS, PROBS)),
    "scce_logits": (losses.SparseCategoricalCrossentropy, {"from_logits": True}, LABELS, PROBS,
                    -np_log_softmax(PROBS.astype(np.float64))[np.arange(5), LABELS]),
    "mse": (losses.MeanSquaredError, {}, REG_T, REG_P, ((REG_P - REG_T).astype(np.float64) ** 2).mean(-1)),
    "mae": (losses.MeanAbsoluteError, {}, REG_T, REG_P, np.abs((REG_P - REG_T).astype(np.float64)).mean(-1)),
    "huber": (losses.Huber, {"delta": 0.7}, REG_T, REG_P, np_huber(REG_T.astype(np.float64), REG_P, 0.7)),
}
WEIGHTS = np.array([1.0, 0.0, 2.0, 0.5, 3.0])


@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_loss_object_reductions(case):
    cls, kwargs, t, p, per_sample = LOSS_CASES[case]
    np.testing.assert_allclose(cls(**kwargs)(t, p).item(), per_sample.mean(), **F32)
    np.testing.assert_allclose(cls(**kwargs, reduction="sum_over_batch_size")(t, p).item(), per_sample.mean(), **F32)
    np.testing.assert_allclose(cls(**kwargs, reduction="sum")(t, p).item(), per_sample.sum(), **F32)
    none = cls(**kwargs, reduction="none")(t, p)
    assert none.shape == (5,)
    np.testing.assert_allclose(none.numpy(), per_sample, **F32)


@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_loss_object_sample_weight_scales_each_sample_and_divides_by_the_count(case):
    cls, kwargs, t, p, per_sample = LOSS_CASES[case]
    weighted = per_sample * WEIGHTS
    np.testing.assert_allclose(cls(**kwargs)(t, p, sample_weight=WEIGHTS).item(), weighted.sum() / 5, **F32)
    np.testing.assert_allclose(cls(**kwargs, reduction="sum")(t, p, sample_weight=WEIGHTS).item(), weighted.sum(),
                               **F32)
    np.testing.assert_allclose(cls(**kwargs, reduction="none")(t, p, sample_weight=WEIGHTS).numpy(), weighted, **F32)


def test_loss_object_sample_weight_of_the_wrong_shape_is_a_clear_error():
    with pytest.raises(ValueError, match=r"mean_squared_error: sample_weight has shape \(4,\) but the values have "
                                         r"shape \(5,\); expected a scalar or one weight per sample, shape \(5,\)"):
        losses.MeanSquaredError()(REG_T, REG_P, sample_weight=np.ones(4))
    with pytest.raises(ValueError, match=r"^l1: sample_weight has shape \(5, 2\)"):  # the loss's own name
        losses.MeanAbsoluteError(name="l1")(REG_T, REG_P, sample_weight=np.ones((5, 2)))


def test_loss_object_sample_weight_per_sample_on_sequence_losses():
    z = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    labels = np.array([[0, 1, 3], [2, 2, 0]])
    per_step = -np.take_along_axis(np_log_softmax(z.astype(np.float64)), labels[..., None], -1)[..., 0]
    w = np.array([2.0, 0.5])
    out = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, z, sample_weight=w)
    np.testing.assert_allclose(out.item(), (per_step * w[:, None]).sum() / per_step.size, **F32)


def test_loss_object_rejects_an_unknown_reduction():
    with pytest.raises(ValueError, match="reduction must be"):
        losses.MeanSquaredError(reduction="mean")


@given(case=logits_and_labels())
def test_loss_object_scalar_gradients_match_finite_differences(case):
    z, labels = case
    weights = np.linspace(0.5, 2.0, labels.shape[0])
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert gradcheck(lambda x: loss(labels, x, sample_weight=weights), [z])



@pytest.mark.parametrize("weights", [2.0, np.full((5, 1), 2.0), [2.0] * 5, np.full(5, 2.0, np.float16)],
                         ids=["scalar", "column", "list", "float16"])
def test_loss_object_sample_weight_may_be_a_scalar_or_a_column(weights):
    cls, kwargs, t, p, per_sample = LOSS_CASES["scce"]
    out = cls(**kwargs)(t, p, sample_weight=weights)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.item(), 2 * per_sample.mean(), **F32)


@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_loss_object_keeps_float32_with_float64_targets_and_weights(case):
    cls, kwargs, t, p, _ = LOSS_CASES[case]
    t64 = t.astype(np.float64) if t.dtype.kind == "f" else t
    for reduction in ("sum_over_batch_size", "none"):
        out = cls(**kwargs, reduction=reduction)(t64, f32(p), sample_weight=WEIGHTS.astype(np.float64))
        assert out.dtype == np.float32, (case, reduction)


@pytest.mark.parametrize("loss,targets", [
    (losses.SparseCategoricalCrossentropy(from_logits=True), np.array([0, 1, 2])),
    (losses.CategoricalCrossentropy(from_logits=True), np.eye(3)[[0, 1, 2]]),
    (losses.BinaryCrossentropy(from_logits=True), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])),
], ids=["sparse", "categorical", "binary"])
def test_loss_objects_stay_finite_and_float32_at_extreme_logits(loss, targets):
    z = f32([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]], grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        value = loss(targets, z)
        value.backward()
    assert value.dtype == np.float32 and z.grad.dtype == np.float32
    assert np.isfinite(value.item()) and np.isfinite(z.grad).all()


def test_binary_crossentropy_clips_predictions_that_are_not_probabilities():
    # the first edition trains Dense(1) without a sigmoid under binary_crossentropy: finite losses needed
    p = f32([[-3.0], [5.0], [0.5], [1.0], [0.0]], grad=True)
    t = np.array([1.0, 0.0, 1.0, 0.0, 1.0], np.float32)
    value = losses.binary_crossentropy(t, p)
    assert np.isfinite(value.numpy()).all()
    np.testing.assert_allclose(value.numpy(), np_bce(t[:, None], p.numpy()), **F32)
    assert (value.numpy()[:2] > 15.9).all() and value.numpy().max() <= -np.log(EPS) + 1e-4  # capped at -log(1e-7)
    value.sum().backward()
    assert np.isfinite(p.grad).all()
    assert (p.grad[:2] == 0).all()  # clipped away: no gradient, as in Keras


# -- the logits shortcut ----------------------------------------------------------------


@given(case=logits_and_labels(low=-3, high=3))
def test_softmax_output_gives_the_probability_formula_value_on_ordinary_logits(case):
    z, labels = case
    p = dt.softmax(f32(z, grad=True))
    t = onehot(labels, z.shape[-1]).astype(np.float32)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p).numpy(),
                               np_scce(labels, p.numpy()), **F32)
    np.testing.assert_allclose(losses.categorical_crossentropy(t, p).numpy(), np_cce(t, p.numpy()), **F32)


@given(case=logits_and_targets(low=-3, high=3, soft=False))
def test_sigmoid_output_gives_the_probability_formula_value_on_ordinary_logits(case):
    z, t = case
    p = dt.sigmoid(f32(z, grad=True))
    np.testing.assert_allclose(losses.binary_crossentropy(t, p).numpy(), np_bce(t, p.numpy()), **F32)


@given(case=logits_and_labels(low=-3, high=3))
def test_softmax_output_gradient_is_exactly_softmax_minus_onehot(case):
    z, labels = case
    n = labels.size
    expected = (np.exp(np_log_softmax(z)) - onehot(labels, z.shape[-1])) / n
    for loss in (losses.SparseCategoricalCrossentropy(), losses.CategoricalCrossentropy()):
        zt = f64(z, grad=True)
        y = labels if isinstance(loss, losses.SparseCategoricalCrossentropy) else onehot(labels, z.shape[-1])
        loss(y, dt.softmax(zt)).backward()
        np.testing.assert_allclose(zt.grad, expected, **F64)


@given(case=logits_and_targets(low=-3, high=3, soft=False))
def test_sigmoid_output_gradient_is_exactly_sigmoid_minus_target(case):
    z, t = case
    zt = f64(z, grad=True)
    losses.BinaryCrossentropy(reduction="sum")(t, dt.sigmoid(zt)).backward()
    np.testing.assert_allclose(zt.grad, (np_sigmoid(z) - t) / z.shape[-1], **F64)


def test_saturated_softmax_output_gives_the_exact_finite_loss_and_gradient():
    z = f64([[1000.0, -1000.0], [-1000.0, 1000.0]], grad=True)
    labels = np.array([1, 1])
    value = losses.SparseCategoricalCrossentropy()(labels, dt.softmax(z))  # log(0) in the naive formula
    assert value.item() == pytest.approx(1000.0)  # (2000 + 0) / 2, not the clipped -log(1e-7)
    value.backward()
    np.testing.assert_allclose(z.grad, [[0.5, -0.5], [0.0, 0.0]], **F64)


def test_saturated_sigmoid_output_gives_the_exact_finite_loss_and_gradient():
    z = f64([[1000.0], [-1000.0]], grad=True)
    t = np.array([0.0, 0.0])  # (batch,) targets for (batch, 1) predictions
    value = losses.BinaryCrossentropy(reduction="sum")(t, dt.sigmoid(z))
    assert value.item() == pytest.approx(1000.0)
    value.backward()
    np.testing.assert_allclose(z.grad, [[1.0], [0.0]], **F64)


@pytest.mark.parametrize("activation,loss_name,targets", [
    ("softmax", "sparse_categorical_crossentropy", np.array([2, 0, 1])),
    ("softmax", "categorical_crossentropy", np.eye(3)[[2, 0, 1]]),
    ("sigmoid", "binary_crossentropy", np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]], np.float64)),
])
def test_dense_with_softmax_or_sigmoid_matches_from_logits_even_when_saturated(activation, loss_name, targets):
    x = np.array([[3000.0, -2000.0], [-5000.0, 1000.0], [500.0, 4000.0]], np.float32)  # saturating logits
    probs_layer = Dense(3, activation=activation, kernel_initializer="random_normal")
    logits_layer = Dense(3)
    probs_layer(x)
    logits_layer(x)
    logits_layer.set_weights(probs_layer.get_weights())
    fn = getattr(losses, loss_name)
    x_t = Tensor(x, requires_grad=True)
    expected = fn(targets, logits_layer(x), from_logits=True).numpy()
    probs = probs_layer(x_t)
    assert ((probs.numpy() == 0) | (probs.numpy() == 1)).any()  # saturated: log(0) in the naive formula
    got = fn(targets, probs).numpy()
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, **F32)
    assert expected.max() > -np.log(EPS)  # beyond what clipped probabilities can give


def test_softmax_over_another_axis_is_not_taken_for_logits():
    z = f32([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], grad=True)
    p = dt.softmax(z, axis=0)  # columns sum to 1, rows do not
    labels = np.array([1, 2])
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p).numpy(),
                               np_scce(labels, p.numpy()), **F32)


def test_softmax_shortcut_does_not_depend_on_gradient_recording():
    z = np.array([[1000.0, -1000.0]], np.float32)
    labels = np.array([1])
    tracked = losses.sparse_categorical_crossentropy(labels, dt.softmax(f32(z, grad=True))).numpy()
    with dt.no_grad():
        untracked = losses.sparse_categorical_crossentropy(labels, dt.softmax(f32(z, grad=True))).numpy()
    constant = losses.sparse_categorical_crossentropy(labels, dt.softmax(f32(z))).numpy()
    np.testing.assert_allclose(untracked, tracked, **F32)
    np.testing.assert_allclose(constant, tracked, **F32)
    np.testing.assert_allclose(tracked, [2000.0], **F32)


def test_sigmoid_output_is_not_taken_for_softmax_logits():
    z = f32([[2.0, -1.0, 0.5]], grad=True)
    p = dt.sigmoid(z)  # rows do not sum to 1: categorical cross-entropy must not use softmax(z)
    t = np.array([[0.0, 1.0, 0.0]], np.float32)
    expected = -np.sum(t * np.log(np.clip(p.numpy() / p.numpy().sum(), EPS, 1 - EPS)), axis=-1)
    np.testing.assert_allclose(losses.categorical_crossentropy(t, p).numpy(), expected, **F32)


# -- label and target checks ------------------------------------------------------------


def test_sparse_labels_given_one_hot_suggest_categorical_crossentropy():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: y_true has shape \(5, 3\) but y_pred has "
                                         r"shape \(5, 3\).*looks one-hot: use the categorical version"):
        losses.sparse_categorical_crossentropy(ONEHOT, f32(PROBS))


def test_sparse_labels_of_another_wrong_shape_are_a_clear_error():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: y_true has shape \(4,\) but y_pred has "
                                         r"shape \(5, 3\); expected integer labels of shape \(5,\)"):
        losses.sparse_categorical_crossentropy(LABELS[:4], f32(PROBS))


@pytest.mark.parametrize("bad", [3, -1, 7])
def test_sparse_labels_out_of_range_are_a_clear_error(bad):
    labels = LABELS.copy()
    labels[2] = bad
    with pytest.raises(ValueError, match=rf"sparse_categorical_crossentropy: label {bad} is out of range for 3 "
                                         r"classes \(expected 0..2\)"):
        losses.sparse_categorical_crossentropy(labels, f32(PROBS))
    with pytest.raises(ValueError, match="out of range"):
        losses.SparseCategoricalCrossentropy(from_logits=True)(labels, PROBS)


def test_sparse_labels_with_fractions_are_a_clear_error():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: labels must be integer class ids.*0\.5"):
        losses.sparse_categorical_crossentropy(np.array([0.0, 0.5, 1.0, 1.0, 2.0]), f32(PROBS))


def test_sparse_labels_that_are_not_numbers_are_a_clear_error():
    with pytest.raises(TypeError, match="sparse_categorical_crossentropy: y_true must hold numbers"):
        losses.sparse_categorical_crossentropy(np.array(["a", "b", "c", "a", "b"]), f32(PROBS))


def test_sparse_labels_as_whole_floats_or_a_column_are_accepted():
    expected = losses.sparse_categorical_crossentropy(LABELS, f32(PROBS)).numpy()
    for labels in (LABELS.astype(np.float32), LABELS[:, None], LABELS.astype(np.uint8)):
        np.testing.assert_array_equal(losses.sparse_categorical_crossentropy(labels, f32(PROBS)).numpy(), expected)


@pytest.mark.parametrize("fn", [losses.categorical_crossentropy, losses.binary_crossentropy,
                                losses.mean_squared_error, losses.mean_absolute_error, losses.huber])
def test_targets_that_do_not_match_the_predictions_are_a_clear_error(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: y_true has shape \(5, 2\) but y_pred has shape "
                                         r"\(5, 3\)"):
        fn(np.zeros((5, 2)), f32(PROBS))


def test_categorical_crossentropy_given_integer_labels_is_a_clear_error():
    with pytest.raises(ValueError, match=r"categorical_crossentropy: y_true has shape \(5,\) but y_pred has shape "
                                         r"\(5, 3\).*looks like integer labels: use the sparse version"):
        losses.categorical_crossentropy(LABELS, f32(PROBS))


@pytest.mark.parametrize("fn", [losses.binary_crossentropy, losses.mean_squared_error,
                                losses.mean_absolute_error, losses.huber])
def test_batch_targets_for_batch_by_one_predictions_are_accepted(fn):
    p = f32(BIN_P[:, :1])  # (5, 1)
    t = BIN_T[:, 0]  # (5,)
    out = fn(t, p)
    assert out.shape == (5,)
    np.testing.assert_array_equal(out.numpy(), fn(t[:, None], p).numpy())


def test_float_targets_that_are_not_numbers_are_a_clear_error():
    with pytest.raises(TypeError, match="mean_squared_error: y_true must hold numbers"):
        losses.mean_squared_error(np.array([["a", "b"]] * 5), f32(REG_P))


# -- label smoothing --------------------------------------------------------------------


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_label_smoothing_mixes_in_a_uniform_distribution(smoothing, from_logits):
    smoothed = ONEHOT * (1 - smoothing) + smoothing / 3
    expected = (-(smoothed * np_log_softmax(PROBS.astype(np.float64))).sum(-1) if from_logits
                else np_cce(smoothed, PROBS))
    fn_value = losses.categorical_crossentropy(ONEHOT, f32(PROBS), from_logits=from_logits, label_smoothing=smoothing)
    np.testing.assert_allclose(fn_value.numpy(), expected, **F32)
    obj = losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=smoothing)
    np.testing.assert_allclose(obj(ONEHOT, PROBS).item(), expected.mean(), **F32)


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_label_smoothing_moves_targets_towards_one_half(smoothing, from_logits):
    smoothed = BIN_T * (1 - smoothing) + 0.5 * smoothing
    p = REG_P if from_logits else BIN_P
    expected = np_sigmoid_xent(p.astype(np.float64), smoothed).mean(-1) if from_logits else np_bce(smoothed, p)
    fn_value = losses.binary_crossentropy(BIN_T, f32(p), from_logits=from_logits, label_smoothing=smoothing)
    np.testing.assert_allclose(fn_value.numpy(), expected, **F32)
    obj = losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=smoothing)
    np.testing.assert_allclose(obj(BIN_T, p).item(), expected.mean(), **F32)


def test_label_smoothing_through_the_softmax_shortcut():
    z = f64(RNG.normal(size=(4, 3)) * 50, grad=True)  # partly saturated
    t = onehot(np.array([0, 1, 2, 1]), 3)
    smoothed = t * 0.8 + 0.2 / 3
    value = losses.categorical_crossentropy(t, dt.softmax(z), label_smoothing=0.2)
    np.testing.assert_allclose(value.numpy(), -(smoothed * np_log_softmax(z.numpy())).sum(-1), **F64)


# -- get, serialize, deserialize (the LOSSES registry) -------------------------------------

BY_NAME = {  # Keras's names and aliases
    "binary_crossentropy": losses.BinaryCrossentropy,
    "categorical_crossentropy": losses.CategoricalCrossentropy,
    "sparse_categorical_crossentropy": losses.SparseCategoricalCrossentropy,
    "mean_squared_error": losses.MeanSquaredError,
    "mse": losses.MeanSquaredError,
    "MSE": losses.MeanSquaredError,
    "mean_absolute_error": losses.MeanAbsoluteError,
    "mae": losses.MeanAbsoluteError,
    "MAE": losses.MeanAbsoluteError,
    "huber": losses.Huber,
    "huber_loss": losses.Huber,
}
KERAS_NAMES = {  # the default name of each class, as in Keras
    losses.BinaryCrossentropy: "binary_crossentropy",
    losses.CategoricalCrossentropy: "categorical_crossentropy",
    losses.SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
    losses.MeanSquaredError: "mean_squared_error",
    losses.MeanAbsoluteError: "mean_absolute_error",
    losses.Huber: "huber_loss",
}


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_get_by_name(name):
    loss = losses.get(name)
    assert type(loss) is BY_NAME[name]
    # a name gives the class with its defaults (an alias does not rename it: the logs say "loss" anyway)
    assert loss.get_config() == BY_NAME[name]().get_config()
    assert loss.name == KERAS_NAMES[type(loss)]


@pytest.mark.parametrize("cls", sorted(set(BY_NAME.values()), key=lambda c: c.__name__))
def test_get_by_class_name_class_and_instance(cls):
    assert type(losses.get(cls.__name__)) is cls
    assert type(losses.get(cls)) is cls
    instance = cls()
    assert losses.get(instance) is instance


@pytest.mark.parametrize("fn,cls", [
    (losses.binary_crossentropy, losses.BinaryCrossentropy),
    (losses.categorical_crossentropy, losses.CategoricalCrossentropy),
    (losses.sparse_categorical_crossentropy, losses.SparseCategoricalCrossentropy),
    (losses.mean_squared_error, losses.MeanSquaredError),
    (losses.mse, losses.MeanSquaredError),
    (losses.mean_absolute_error, losses.MeanAbsoluteError),
    (losses.mae, losses.MeanAbsoluteError),
    (losses.huber, losses.Huber),
])
def test_get_by_builtin_function_gives_its_class(fn, cls):
    loss = losses.get(fn)
    assert type(loss) is cls and loss.name == fn.__name__
    assert losses.serialize(loss)["class_name"] == cls.__name__  # so a model compiled with it can be saved


def test_get_by_dict_uses_the_config():
    loss = losses.get({"class_name": "Huber", "config": {"delta": 2.5, "reduction": "sum"}})
    assert type(loss) is losses.Huber and loss.get_config()["delta"] == 2.5 and loss.reduction == "sum"
    assert type(losses.get({"class_name": "MeanSquaredError"})) is losses.MeanSquaredError
    assert type(losses.get({"class_name": "mse", "config": {"reduction": "sum"}})) is losses.MeanSquaredError


def test_get_wraps_a_custom_function():
    def scaled_mse(y_true, y_pred):
        return losses.mean_squared_error(y_true, y_pred) * 3.0

    loss = losses.get(scaled_mse)
    assert type(loss) is losses.LossFunctionWrapper and loss.name == "scaled_mse" and loss.fn is scaled_mse
    np.testing.assert_allclose(loss(REG_T, REG_P).item(), 3 * LOSS_CASES["mse"][4].mean(), **F32)


def test_get_none_gives_none_as_in_keras():
    assert losses.get(None) is None


@pytest.mark.parametrize("identifier", ["crossentropy", "MeanSquaredErr", 42, "LossFunctionWrapper", "Loss"])
def test_get_unknown_identifier_lists_the_valid_names(identifier):
    with pytest.raises(ValueError) as info:
        losses.get(identifier)
    assert repr(identifier) in str(info.value)
    for name in ("binary_crossentropy", "mse", "sparse_categorical_crossentropy", "huber", "BinaryCrossentropy"):
        assert f"'{name}'" in str(info.value)


def test_get_unknown_class_in_a_dict_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown loss 'Hinge'; valid names: .*'MeanSquaredError'"):
        losses.get({"class_name": "Hinge", "config": {}})
    with pytest.raises(ValueError, match=r"unknown loss 'Hinge'"):
        losses.deserialize({"class_name": "Hinge", "config": {}})


def test_get_serialize_and_deserialize_are_the_registry():
    assert isinstance(losses.LOSSES, Registry) and losses.LOSSES.kind == "loss"
    assert losses.LOSSES.lookup("huber_loss") is losses.Huber
    assert losses.LOSSES.serialize(losses.Huber()) == losses.serialize(losses.Huber())


SERIALIZABLE = [
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, reduction="sum"),
    losses.CategoricalCrossentropy(label_smoothing=0.2, name="cce"),
    losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none"),
    losses.MeanSquaredError(),
    losses.MeanAbsoluteError(name="l1"),
    losses.Huber(delta=0.7),
    losses.get("mse"),
    losses.get(losses.binary_crossentropy),
]


@pytest.mark.parametrize("loss", SERIALIZABLE, ids=lambda loss: loss.name)
def test_serialize_round_trips_through_get_and_deserialize(loss):
    case = {
        losses.BinaryCrossentropy: "bce", losses.CategoricalCrossentropy: "cce",
        losses.SparseCategoricalCrossentropy: "scce", losses.MeanSquaredError: "mse",
        losses.MeanAbsoluteError: "mae", losses.Huber: "huber",
    }[type(loss)]
    _, _, t, p, _ = LOSS_CASES[case]
    config = losses.serialize(loss)
    assert config == {"class_name": type(loss).__name__, "config": loss.get_config()}
    json.dumps(config)  # what a saved model writes
    for clone in (losses.get(config), losses.deserialize(config)):
        assert type(clone) is type(loss) and clone is not loss
        assert clone.get_config() == loss.get_config()
        np.testing.assert_array_equal(clone(t, p).numpy(), loss(t, p).numpy())


def test_serialize_refuses_a_custom_function_loss():
    loss = losses.get(lambda y_true, y_pred: losses.mae(y_true, y_pred))
    with pytest.raises(ValueError, match=r"cannot save the loss '<lambda>': it is not registered"):
        losses.serialize(loss)

    def twice_mae(y_true, y_pred):
        return 2 * losses.mae(y_true, y_pred)

    with pytest.raises(ValueError, match=r"cannot save the loss 'twice_mae'"):
        losses.serialize(losses.get(twice_mae))


def test_a_custom_loss_subclass_is_registered_and_round_trips():
    class TwiceAbsoluteError(losses.Loss):
        def call(self, y_true, y_pred):
            return losses.mae(y_true, y_pred) * 2

    loss = TwiceAbsoluteError(reduction="sum")
    config = losses.serialize(loss)
    assert config == {"class_name": "TwiceAbsoluteError",
                      "config": {"name": "twice_absolute_error", "reduction": "sum"}}
    clone = losses.deserialize(config)
    assert type(clone) is TwiceAbsoluteError and clone.reduction == "sum"
    np.testing.assert_allclose(clone(REG_T, REG_P).item(), 2 * LOSS_CASES["mae"][4].sum(), **F32)
    assert type(losses.get("TwiceAbsoluteError")) is TwiceAbsoluteError
    assert type(losses.get("twice_absolute_error")) is TwiceAbsoluteError


def test_a_subclass_kept_out_of_the_registry_loads_through_custom_objects():
    class Unlisted(losses.Loss, register=False):
        def call(self, y_true, y_pred):
            return losses.mse(y_true, y_pred)

    with pytest.raises(ValueError, match="unknown loss 'Unlisted'"):
        losses.get("Unlisted")
    with pytest.raises(ValueError, match="cannot save the loss 'Unlisted'"):
        losses.serialize(Unlisted())
    clone = losses.deserialize({"class_name": "Unlisted", "config": {"reduction": "sum"}},
                               custom_objects={"Unlisted": Unlisted})
    assert type(clone) is Unlisted and clone.reduction == "sum"
