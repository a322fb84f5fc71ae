"""Accuracy metrics against plain NumPy computations, and "accuracy" resolved from the loss, shape or data."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_layers import metrics

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

UNIT = st.floats(0.0, 1.0, width=32)


def per_sample_mean(x):
    """(batch, ...) -> (batch,), written the plain way."""
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1).mean(axis=1)


def top_k_hit(labels, scores, k):
    """Label scored at least as high as the k-th highest score of its row (sort-based)."""
    kth = np.sort(scores, axis=-1)[..., -min(k, scores.shape[-1])]
    own = np.take_along_axis(scores, labels[..., None].astype(int), axis=-1)[..., 0]
    return own >= kth


# -- cases: each draws (metric, y_true, y_pred, expected per-sample values, final transform) --


def case_accuracy(data):
    n, d = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 3))
    t = data.draw(hnp.arrays(np.int64, (n, d), elements=st.integers(0, 2)))
    p = data.draw(hnp.arrays(np.int64, (n, d), elements=st.integers(0, 2)))
    return metrics.Accuracy(), t, p, per_sample_mean(t == p), float


def case_binary(data):
    n = data.draw(st.integers(1, 12))
    threshold = data.draw(st.sampled_from([0.5, 0.3, 0.8]))
    t = data.draw(hnp.arrays(np.float32, (n, 1), elements=st.sampled_from([0.0, 1.0])))
    p = data.draw(hnp.arrays(np.float32, (n, 1), elements=UNIT))
    expected = per_sample_mean(t == (p > threshold).astype(np.float32))
    if data.draw(st.booleans()):  # (batch,) targets against (batch, 1) predictions
        t = t[:, 0]
    return metrics.BinaryAccuracy(threshold=threshold), t, p, expected, float


def labels_and_scores(data, steps=False):
    n, c = data.draw(st.integers(1, 12)), data.draw(st.integers(2, 6))
    shape = (n, data.draw(st.integers(1, 3))) if steps else (n,)
    labels = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, c - 1)))
    scores = data.draw(hnp.arrays(np.float32, (*shape, c), elements=UNIT))
    return labels, scores


def case_categorical(data):
    labels, p = labels_and_scores(data)
    t = np.eye(p.shape[-1], dtype=np.float32)[labels]
    return metrics.CategoricalAccuracy(), t, p, per_sample_mean(labels == p.argmax(-1)), float


def case_sparse(data):
    labels, p = labels_and_scores(data)
    t = labels[:, None] if data.draw(st.booleans()) else labels
    return metrics.SparseCategoricalAccuracy(), t, p, per_sample_mean(labels == p.argmax(-1)), float


def case_top_k(data):
    labels, p = labels_and_scores(data)
    k = data.draw(st.integers(1, 7))
    t = np.eye(p.shape[-1])[labels]
    return metrics.TopKCategoricalAccuracy(k=k), t, p, per_sample_mean(top_k_hit(labels, p, k)), float


def case_sparse_top_k(data):
    labels, p = labels_and_scores(data)
    k = data.draw(st.integers(1, 7))
    return metrics.SparseTopKCategoricalAccuracy(k=k), labels, p, per_sample_mean(top_k_hit(labels, p, k)), float


def case_sequence_sparse(data):
    labels, p = labels_and_scores(data, steps=True)
    return metrics.SparseCategoricalAccuracy(), labels, p, per_sample_mean(labels == p.argmax(-1)), float


def case_sequence_categorical(data):
    labels, p = labels_and_scores(data, steps=True)
    t = np.eye(p.shape[-1])[labels]
    return metrics.CategoricalAccuracy(), t, p, per_sample_mean(labels == p.argmax(-1)), float


def case_function_wrapper(data):  # a plain function, as first-edition code passes it
    n = data.draw(st.integers(1, 12))
    t = data.draw(hnp.arrays(np.float32, (n, 1), elements=st.sampled_from([0.0, 1.0])))
    p = data.draw(hnp.arrays(np.float32, (n, 1), elements=UNIT))
    return metrics.get(metrics.binary_accuracy), t, p, per_sample_mean(t == (p > 0.5)), float


CASES = [
    case_accuracy, case_binary, case_categorical, case_sparse, case_top_k, case_sparse_top_k,
    case_sequence_sparse, case_sequence_categorical, case_function_wrapper,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
@FAST
@given(data=st.data())
def test_metric_matches_numpy(case, data, check_against_numpy):
    check_against_numpy(case, data)


def test_functions_return_one_value_per_sample():
    rng = np.random.default_rng(0)
    n, steps, c = 4, 3, 5
    labels = rng.integers(0, c, (n, steps))
    scores = rng.random((n, steps, c)).astype(np.float32)
    one_hot = np.eye(c)[labels]
    hits = labels == scores.argmax(-1)
    for fn, args in [
        (metrics.sparse_categorical_accuracy, (labels, scores)),
        (metrics.categorical_accuracy, (one_hot, scores)),
    ]:
        out = fn(*args)
        assert out.shape == (n,)
        np.testing.assert_allclose(out, hits.mean(axis=1))
    assert metrics.sparse_top_k_categorical_accuracy(labels, scores, k=c).tolist() == [1.0] * n
    assert metrics.top_k_categorical_accuracy(one_hot, scores, k=2).shape == (n,)
    np.testing.assert_allclose(metrics.mae(one_hot, scores), np.abs(one_hot - scores).mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(metrics.mse(one_hot, scores), ((one_hot - scores) ** 2).mean(axis=(1, 2)), rtol=1e-6)
    assert metrics.binary_accuracy(np.ones((n, steps, 1)), np.ones((n, steps, 1))).shape == (n,)
    assert metrics.binary_accuracy([1, 0, 1], [0.9, 0.2, 0.4]).tolist() == [1.0, 1.0, 0.0]
    assert metrics.binary_accuracy([[1], [0]], [[0.9], [0.2]], threshold=0.95).tolist() == [0.0, 1.0]


def test_top_k_ties_count_as_in():
    scores = np.array([[0.5, 0.5, 0.5, 0.1]])
    assert metrics.sparse_top_k_categorical_accuracy([2], scores, k=1).tolist() == [1.0]
    assert metrics.sparse_top_k_categorical_accuracy([3], scores, k=3).tolist() == [0.0]


def test_labels_outside_the_classes_are_misses_not_errors():
    scores = np.array([[0.1, 0.9], [0.8, 0.2]])
    assert metrics.sparse_categorical_accuracy([5, -1], scores).tolist() == [0.0, 0.0]
    assert metrics.sparse_top_k_categorical_accuracy([5, 0], scores, k=2).tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy: labels must be integer class ids, got 0\.5"):
        metrics.sparse_categorical_accuracy([0.5, 1.0], scores)


# -- "accuracy" / "acc" -----------------------------------------------------------------------


class BinaryCrossentropy:
    pass


class CategoricalCrossentropy:
    pass


class SparseCategoricalCrossentropy:
    pass


class WrappedLoss:  # like a LossFunctionWrapper: the class name says nothing, the name does
    def __init__(self, name):
        self.name = name


def binary_crossentropy(y_true, y_pred):
    return y_pred


def categorical_crossentropy(y_true, y_pred):
    return y_pred


def sparse_categorical_crossentropy(y_true, y_pred):
    return y_pred


LOSS_SPELLINGS = [
    ("binary_crossentropy", metrics.BinaryAccuracy),
    ("categorical_crossentropy", metrics.CategoricalAccuracy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
    (BinaryCrossentropy, metrics.BinaryAccuracy),
    (CategoricalCrossentropy, metrics.CategoricalAccuracy),
    (SparseCategoricalCrossentropy, metrics.SparseCategoricalAccuracy),
    (BinaryCrossentropy(), metrics.BinaryAccuracy),
    (CategoricalCrossentropy(), metrics.CategoricalAccuracy),
    (SparseCategoricalCrossentropy(), metrics.SparseCategoricalAccuracy),
    (binary_crossentropy, metrics.BinaryAccuracy),
    (categorical_crossentropy, metrics.CategoricalAccuracy),
    (sparse_categorical_crossentropy, metrics.SparseCategoricalAccuracy),
    (WrappedLoss("sparse_categorical_crossentropy"), metrics.SparseCategoricalAccuracy),
    ("binary_focal_crossentropy", metrics.BinaryAccuracy),
    ("categorical_hinge", metrics.CategoricalAccuracy),
]


@pytest.mark.parametrize("spelling", ["accuracy", "acc"])
@pytest.mark.parametrize(("loss", "expected"), LOSS_SPELLINGS, ids=lambda x: getattr(x, "__name__", str(x)))
def test_accuracy_resolves_from_the_loss(spelling, loss, expected):
    m = metrics.get(spelling, loss=loss, output_shape=(None, 1))  # the loss wins over the shape
    assert type(m) is expected and m.name == spelling


@pytest.mark.parametrize(
    ("loss", "output_shape", "expected"),
    [
        (None, (None, 1), metrics.BinaryAccuracy),
        (None, (None, 10), metrics.CategoricalAccuracy),
        ("mse", (None, 1), metrics.BinaryAccuracy),
        ("mse", (None, 7, 3), metrics.CategoricalAccuracy),
        (lambda y_true, y_pred: y_pred, [None, 1], metrics.BinaryAccuracy),
        ("hinge", 1, metrics.BinaryAccuracy),
    ],
)
def test_accuracy_resolves_from_the_output_shape(loss, output_shape, expected):
    m = metrics.get("acc", loss=loss, output_shape=output_shape)
    assert type(m) is expected and m.name == "acc"


def test_accuracy_for_a_binary_loss_on_logits_thresholds_at_zero():
    class Logits(BinaryCrossentropy):
        from_logits = True

    m = metrics.get("accuracy", loss=Logits())
    assert type(m) is metrics.BinaryAccuracy and m.get_config()["threshold"] == 0.0


def test_accuracy_with_the_real_losses():
    from dl_layers import losses

    assert type(metrics.get("acc", loss=losses.BinaryCrossentropy())) is metrics.BinaryAccuracy
    assert type(metrics.get("acc", loss=losses.CategoricalCrossentropy())) is metrics.CategoricalAccuracy
    assert type(metrics.get("acc", loss=losses.SparseCategoricalCrossentropy())) is metrics.SparseCategoricalAccuracy
    assert type(metrics.get("acc", loss=losses.sparse_categorical_crossentropy)) is metrics.SparseCategoricalAccuracy
    on_logits = metrics.get("acc", loss=losses.BinaryCrossentropy(from_logits=True))
    assert on_logits.get_config()["threshold"] == 0.0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "expected"),
    [
        ([[1], [0]], [[0.9], [0.8]], 0.5),  # last axis 1: binary
        ([1, 0], [[0.2, 0.8], [0.6, 0.4]], 1.0),  # one axis fewer: sparse
        ([[0, 1], [0, 1]], [[0.2, 0.8], [0.6, 0.4]], 0.5),  # same shape: categorical
    ],
)
def test_accuracy_without_loss_or_shape_resolves_from_the_first_batch(y_true, y_pred, expected):
    m = metrics.get("accuracy")
    assert m.name == "accuracy" and m.result() == 0.0
    m.update_state(y_true, y_pred)
    m.update_state(y_true, y_pred)
    assert m.result() == pytest.approx(expected)
    saved = metrics.serialize(m)
    assert saved["class_name"] in ("BinaryAccuracy", "SparseCategoricalAccuracy", "CategoricalAccuracy")
    m.reset_state()
    assert m.result() == 0.0


# -- bad input ------------------------------------------------------------------------------

MISMATCHES = [
    (metrics.SparseCategoricalAccuracy, (32,), (31, 10), "integer labels"),
    (metrics.SparseCategoricalAccuracy, (32, 10), (32, 10), "one-hot"),
    (metrics.SparseTopKCategoricalAccuracy, (8, 2), (8, 5), "integer labels"),
    (metrics.CategoricalAccuracy, (32,), (32, 10), "integer labels"),
    (metrics.CategoricalAccuracy, (32, 10), (32, 5), "one-hot"),
    (metrics.TopKCategoricalAccuracy, (8, 5), (8, 4), "one-hot"),
    (metrics.BinaryAccuracy, (32, 1), (31, 1), "same shape"),
    (metrics.Accuracy, (4, 2), (4, 3), "same shape"),
]


@pytest.mark.parametrize(("cls", "true_shape", "pred_shape", "says"), MISMATCHES, ids=lambda x: str(x))
def test_shape_mismatch_names_metric_and_shapes(cls, true_shape, pred_shape, says, check_shape_error):
    check_shape_error(cls, true_shape, pred_shape, says)


def test_functions_name_themselves_in_errors():
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy: .*\(32,\).*\(31, 10\)"):
        metrics.sparse_categorical_accuracy(np.zeros(32), np.zeros((31, 10)))
    with pytest.raises(ValueError, match=r"top_k_categorical_accuracy: argument `k` must be an integer >= 1, got 0"):
        metrics.top_k_categorical_accuracy(np.eye(3), np.eye(3), k=0)


def test_bad_sample_weights_dtypes_and_arguments():
    m = metrics.BinaryAccuracy(name="acc")
    with pytest.raises(ValueError, match=r"'acc'.*sample_weight has shape \(3,\).*\(4,\)"):
        m.update_state(np.ones((4, 1)), np.ones((4, 1)), sample_weight=np.ones(3))
    with pytest.raises(TypeError, match="y_pred must hold numbers"):
        m.update_state([1, 0], ["a", "b"])
    with pytest.raises(ValueError, match="batch axis"):
        m.update_state(1.0, 0.7)
    with pytest.raises(ValueError, match=r"TopKCategoricalAccuracy: argument `k` must be an integer >= 1, got 0"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(TypeError, match=r"SparseTopKCategoricalAccuracy: argument `k` must be an integer"):
        metrics.SparseTopKCategoricalAccuracy(k=2.5)
    with pytest.raises(TypeError, match=r"BinaryAccuracy: argument `threshold` must be a number, got '0.5'"):
        metrics.BinaryAccuracy(threshold="0.5")


def test_nan_predictions_and_empty_batches():
    acc = metrics.BinaryAccuracy()
    acc.update_state([[0.0], [1.0]], [[np.nan], [0.9]])  # NaN > 0.5 is False: predicts 0
    assert acc.result() == 1.0
    sparse = metrics.SparseCategoricalAccuracy()
    sparse.update_state(np.zeros((0,)), np.zeros((0, 10)))
    assert sparse.result() == 0.0


def test_dl_tensor_inputs():
    from dl_tensor import Tensor

    m = metrics.SparseCategoricalAccuracy()
    m.update_state(Tensor(np.array([1, 0])), Tensor([[0.2, 0.8], [0.3, 0.7]], requires_grad=True))
    assert m.result() == 0.5
