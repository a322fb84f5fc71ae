"""Metrics against plain NumPy computations, on hypothesis-generated batches."""

import doctest
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_layers import metrics

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

UNIT = st.floats(0.0, 1.0, width=32)
REAL = st.floats(-100.0, 100.0, width=32)


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

identity = float


def case_accuracy(data):
    n, d = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 3))
    t = data.draw(hnp.arrays(np.int64, (n, d), elements=st.integers(0, 2)))
    p = data.draw(hnp.arrays(np.int64, (n, d), elements=st.integers(0, 2)))
    return metrics.Accuracy(), t, p, per_sample_mean(t == p), identity


def case_binary(data):
    n = data.draw(st.integers(1, 12))
    threshold = data.draw(st.sampled_from([0.5, 0.3, 0.8]))
    t = data.draw(hnp.arrays(np.float32, (n, 1), elements=st.sampled_from([0.0, 1.0])))
    p = data.draw(hnp.arrays(np.float32, (n, 1), elements=UNIT))
    expected = per_sample_mean(t == (p > threshold).astype(np.float32))
    if data.draw(st.booleans()):  # (batch,) targets against (batch, 1) predictions
        t = t[:, 0]
    return metrics.BinaryAccuracy(threshold=threshold), t, p, expected, identity


def _labels_and_scores(data, steps=False):
    n, c = data.draw(st.integers(1, 12)), data.draw(st.integers(2, 6))
    shape = (n, data.draw(st.integers(1, 3))) if steps else (n,)
    labels = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, c - 1)))
    scores = data.draw(hnp.arrays(np.float32, (*shape, c), elements=UNIT))
    return labels, scores


def case_categorical(data):
    labels, p = _labels_and_scores(data)
    t = np.eye(p.shape[-1], dtype=np.float32)[labels]
    return metrics.CategoricalAccuracy(), t, p, per_sample_mean(labels == p.argmax(-1)), identity


def case_sparse(data):
    labels, p = _labels_and_scores(data)
    t = labels[:, None] if data.draw(st.booleans()) else labels
    return metrics.SparseCategoricalAccuracy(), t, p, per_sample_mean(labels == p.argmax(-1)), identity


def case_top_k(data):
    labels, p = _labels_and_scores(data)
    k = data.draw(st.integers(1, 7))
    t = np.eye(p.shape[-1])[labels]
    return metrics.TopKCategoricalAccuracy(k=k), t, p, per_sample_mean(top_k_hit(labels, p, k)), identity


def case_sparse_top_k(data):
    labels, p = _labels_and_scores(data)
    k = data.draw(st.integers(1, 7))
    return metrics.SparseTopKCategoricalAccuracy(k=k), labels, p, per_sample_mean(top_k_hit(labels, p, k)), identity


def _regression(data, low=REAL):
    n, d = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 4))
    t = data.draw(hnp.arrays(np.float32, (n, d), elements=low))
    p = data.draw(hnp.arrays(np.float32, (n, d), elements=REAL))
    return t.astype(np.float64), p.astype(np.float64)


def case_mae(data):
    t, p = _regression(data)
    return metrics.MeanAbsoluteError(), t, p, np.abs(t - p).mean(axis=-1), identity


def case_mse(data):
    t, p = _regression(data)
    return metrics.MeanSquaredError(), t, p, ((t - p) ** 2).mean(axis=-1), identity


def case_rmse(data):
    t, p = _regression(data)
    return metrics.RootMeanSquaredError(), t, p, ((t - p) ** 2).mean(axis=-1), math.sqrt


def case_mape(data):
    away_from_zero = st.one_of(st.floats(0.5, 100.0, width=32), st.floats(-100.0, -0.5, width=32))
    t, p = _regression(data, away_from_zero)
    return metrics.MeanAbsolutePercentageError(), t, p, (100 * np.abs((t - p) / t)).mean(axis=-1), identity


def case_sequence_sparse(data):
    labels, p = _labels_and_scores(data, steps=True)
    return metrics.SparseCategoricalAccuracy(), labels, p, per_sample_mean(labels == p.argmax(-1)), identity


def case_sequence_categorical(data):
    labels, p = _labels_and_scores(data, steps=True)
    t = np.eye(p.shape[-1])[labels]
    return metrics.CategoricalAccuracy(), t, p, per_sample_mean(labels == p.argmax(-1)), identity


def case_sequence_mae(data):
    n, steps, d = (data.draw(st.integers(1, 6)) for _ in range(3))
    t = data.draw(hnp.arrays(np.float64, (n, steps, d), elements=REAL))
    p = data.draw(hnp.arrays(np.float64, (n, steps, d), elements=REAL))
    return metrics.MeanAbsoluteError(), t, p, np.abs(t - p).mean(axis=-1).mean(axis=-1), identity


def case_function_wrapper(data):  # a plain function, as first-edition code passes it
    n = data.draw(st.integers(1, 12))
    t = data.draw(hnp.arrays(np.float32, (n, 1), elements=st.sampled_from([0.0, 1.0])))
    p = data.draw(hnp.arrays(np.float32, (n, 1), elements=UNIT))
    return metrics.get(metrics.binary_accuracy), t, p, per_sample_mean(t == (p > 0.5)), identity


CASES = [
    case_accuracy, case_binary, case_categorical, case_sparse, case_top_k, case_sparse_top_k,
    case_mae, case_mse, case_rmse, case_mape, case_sequence_sparse, case_sequence_categorical,
    case_sequence_mae, case_function_wrapper,
]


def chunks(data, n):
    """Random cut points (empty chunks included): [(start, stop), ...] covering range(n)."""
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    return list(zip([0, *cuts], [*cuts, n]))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
@FAST
@given(data=st.data())
def test_metric_matches_numpy(case, data):
    metric, t, p, values, final = case(data)
    n = len(p)
    w = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 5.0)))
    weighted = final(np.sum(values * w) / np.sum(w)) if np.sum(w) > 0 else 0.0
    unweighted = final(values.mean())

    # several weighted batches == the weighted mean over all of them
    for a, b in chunks(data, n):
        metric.update_state(t[a:b], p[a:b], sample_weight=w[a:b])
    result = metric.result()
    assert isinstance(result, float)
    assert result == pytest.approx(weighted, rel=1e-5, abs=1e-5)

    # ... == one call on the concatenated data
    fresh = metrics.deserialize(metrics.serialize(metric))
    fresh.update_state(t, p, sample_weight=w)
    assert fresh.result() == pytest.approx(result, rel=1e-6, abs=1e-6)

    # reset forgets everything; no weights means equal weights
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state(t, p)
    assert metric.result() == pytest.approx(unweighted, rel=1e-5, abs=1e-5)


@FAST
@given(data=st.data())
def test_mean_is_the_weighted_mean_of_all_values(data):
    n, d = data.draw(st.integers(1, 10)), data.draw(st.integers(1, 3))
    v = data.draw(hnp.arrays(np.float64, (n, d), elements=REAL))
    w = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.5, 5.0)))
    m = metrics.Mean()
    for a, b in chunks(data, n):
        m.update_state(v[a:b], sample_weight=w[a:b])  # one weight per row, spread over its values
    assert m.result() == pytest.approx(np.sum(v * w[:, None]) / (np.sum(w) * d), rel=1e-5, abs=1e-5)
    assert m.count == pytest.approx(np.sum(w) * d)
    m.reset_state()
    m.update_state(2.5)  # a scalar, e.g. a batch loss
    m.update_state(np.array([]))  # empty: ignored
    assert m.result() == 2.5


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


# -- Precision / Recall ---------------------------------------------------------------------


@FAST
@given(data=st.data())
def test_precision_recall_count_confusions_across_batches(data):
    n = data.draw(st.integers(1, 20))
    threshold = data.draw(st.sampled_from([0.5, 0.3, 0.7]))
    t = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    p = data.draw(hnp.arrays(np.float32, n, elements=st.one_of(UNIT, st.just(np.float32(0.3)))))
    w = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 3.0)))
    precision, recall = metrics.Precision(thresholds=threshold), metrics.Recall(thresholds=threshold)
    for a, b in chunks(data, n):
        precision.update_state(t[a:b, None], p[a:b, None], sample_weight=w[a:b])
        recall.update_state(t[a:b], p[a:b, None], sample_weight=w[a:b])
    actual, predicted = t == 1, p > threshold
    tp, fp = np.sum(w[actual & predicted]), np.sum(w[~actual & predicted])
    fn, tn = np.sum(w[actual & ~predicted]), np.sum(w[~actual & ~predicted])
    for m in (precision, recall):
        assert (m.true_positives, m.false_positives, m.false_negatives, m.true_negatives) == pytest.approx(
            (tp, fp, fn, tn)
        )
    assert precision.result() == pytest.approx(tp / (tp + fp) if tp + fp > 0 else 0.0)
    assert recall.result() == pytest.approx(tp / (tp + fn) if tp + fn > 0 else 0.0)
    precision.reset_state()
    assert precision.result() == 0.0 and precision.true_positives == 0.0


def test_precision_recall_by_hand():
    p, r = metrics.Precision(), metrics.Recall()
    for m in (p, r):
        m.update_state([1, 1, 0, 0, 1], [0.9, 0.6, 0.7, 0.1, 0.2])
    assert (p.true_positives, p.false_positives, p.false_negatives, p.true_negatives) == (2, 1, 1, 1)
    assert p.result() == pytest.approx(2 / 3) and r.result() == pytest.approx(2 / 3)
    assert metrics.Precision().result() == 0.0  # nothing predicted positive yet
    # the threshold is compared in the predictions' dtype, as binary_accuracy does
    at = metrics.Precision(thresholds=0.3)
    at.update_state([1, 1], np.array([0.3, 0.9], np.float32))
    assert at.true_positives == 1 == metrics.binary_accuracy([1, 1], np.array([0.3, 0.9], np.float32), 0.3).sum()


# -- AUC ------------------------------------------------------------------------------------

GRID = np.r_[-1e-7, np.arange(1, 199) / 199, 1 + 1e-7]  # Keras's 200 thresholds


def bucket(scores, grid=GRID):
    """How many thresholds each score is strictly above (brute force)."""
    return (np.asarray(scores, np.float64)[:, None] > grid[None, :]).sum(axis=1)


def _curve(scores, positive, w):
    """Cumulative weighted tp/fp at each distinct score, highest score first."""
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    s, pos, w = np.asarray(scores)[order], positive[order], w[order]
    last = np.r_[s[1:] != s[:-1], True]  # last sample of each run of equal scores
    return np.cumsum(w * pos)[last], np.cumsum(w * ~pos)[last]


def roc_area(scores, positive, w):
    tp, fp = _curve(scores, positive, w)
    return np.trapezoid(np.r_[0.0, tp] / tp[-1], np.r_[0.0, fp] / fp[-1])


def average_precision(scores, positive, w):
    tp, fp = _curve(scores, positive, w)
    return float(np.sum(np.diff(np.r_[0.0, tp / tp[-1]]) * tp / (tp + fp)))


@st.composite
def scored_batch(draw):
    n = draw(st.integers(2, 60))
    positive = draw(hnp.arrays(np.bool_, n, elements=st.booleans()))
    assume(positive.any() and not positive.all())
    scores = draw(hnp.arrays(np.float32, n, elements=UNIT))
    w = draw(hnp.arrays(np.float64, n, elements=st.floats(0.1, 4.0)))
    return positive, scores, w


@FAST
@given(batch=scored_batch(), data=st.data())
def test_auc_roc_is_the_area_over_200_buckets(batch, data):
    positive, scores, w = batch
    m = metrics.AUC()
    for a, b in chunks(data, len(scores)):
        m.update_state(positive[a:b].astype(np.float32), scores[a:b], sample_weight=w[a:b])
    # exactly the sort-based area of the bucketed scores (same-bucket pairs count half) ...
    assert m.result() == pytest.approx(roc_area(bucket(scores), positive, w), abs=1e-9)
    # ... hence within half the weight of same-bucket (positive, negative) pairs of the true area
    b = bucket(scores)
    pos_w = np.bincount(b, w * positive, minlength=201)
    neg_w = np.bincount(b, w * ~positive, minlength=201)
    bound = 0.5 * np.sum(pos_w * neg_w) / (pos_w.sum() * neg_w.sum())
    assert abs(m.result() - roc_area(scores, positive, w)) <= bound + 1e-9


@FAST
@given(batch=scored_batch())
def test_auc_pr_is_average_precision_over_the_buckets(batch):
    positive, scores, w = batch
    m = metrics.AUC(curve="PR")
    m.update_state(positive, scores, sample_weight=w)
    assert m.result() == pytest.approx(average_precision(bucket(scores), positive, w), abs=1e-9)


def test_auc_on_random_scores_is_close_to_the_exact_area():
    rng = np.random.default_rng(1)
    positive = rng.random(5000) < 0.3
    scores = np.clip(rng.normal(0.4 + 0.2 * positive, 0.2), 0, 1).astype(np.float32)
    m = metrics.AUC()
    for part in np.array_split(np.arange(5000), 7):
        m.update_state(positive[part], scores[part])
    assert m.result() == pytest.approx(roc_area(scores, positive, np.ones(5000)), abs=0.005)
    coarse = metrics.AUC(num_thresholds=11)
    coarse.update_state(positive, scores)
    assert coarse.result() == pytest.approx(roc_area(bucket(scores, coarse.thresholds), positive, np.ones(5000)))


def test_auc_counts_repeat_weights_and_edge_cases():
    m, repeated = metrics.AUC(num_thresholds=50), metrics.AUC(num_thresholds=50)
    y, s = np.array([1, 0, 1, 0, 1]), np.array([0.9, 0.4, 0.35, 0.5, 0.05])
    m.update_state(y, s, sample_weight=[2, 1, 3, 1, 1])
    repeated.update_state(np.repeat(y, [2, 1, 3, 1, 1]), np.repeat(s, [2, 1, 3, 1, 1]))
    np.testing.assert_allclose(m.true_positives, repeated.true_positives)
    assert m.result() == pytest.approx(repeated.result())
    assert m.true_positives.shape == (50,)
    one_class = metrics.AUC()
    one_class.update_state([1, 1], [0.2, 0.7])
    assert one_class.result() == 0.0
    perfect = metrics.AUC()
    perfect.update_state([0, 0, 1, 1], [0.0, 0.1, 0.9, 1.0])
    assert perfect.result() == pytest.approx(1.0)
    perfect.reset_state()
    assert perfect.result() == 0.0 and perfect.true_positives.sum() == 0.0
    with_nan = metrics.AUC()
    with_nan.update_state([0, 1, 1], [0.2, np.nan, 0.8])  # NaN: never above a threshold
    assert with_nan.result() == pytest.approx(0.5)


def test_auc_is_vectorised():
    rng = np.random.default_rng(2)
    y, s = rng.random(200_000) < 0.5, rng.random(200_000)
    m = metrics.AUC()
    m.update_state(y, s)
    assert m.result() == pytest.approx(0.5, abs=0.01)


# -- get ------------------------------------------------------------------------------------

NAMED = {
    "binary_accuracy": metrics.BinaryAccuracy,
    "categorical_accuracy": metrics.CategoricalAccuracy,
    "sparse_categorical_accuracy": metrics.SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": metrics.TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": metrics.SparseTopKCategoricalAccuracy,
    "mae": metrics.MeanAbsoluteError,
    "mean_absolute_error": metrics.MeanAbsoluteError,
    "mse": metrics.MeanSquaredError,
    "mean_squared_error": metrics.MeanSquaredError,
    "rmse": metrics.RootMeanSquaredError,
    "root_mean_squared_error": metrics.RootMeanSquaredError,
    "mape": metrics.MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": metrics.MeanAbsolutePercentageError,
    "precision": metrics.Precision,
    "recall": metrics.Recall,
    "auc": metrics.AUC,
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_get_by_name(name):
    m = metrics.get(name)
    assert type(m) is NAMED[name] and m.name == name
    assert metrics.get(name) is not m  # a new instance each time


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
    losses = pytest.importorskip("dl_layers.losses")
    assert type(metrics.get("acc", loss=losses.BinaryCrossentropy())) is metrics.BinaryAccuracy
    assert type(metrics.get("acc", loss=losses.CategoricalCrossentropy())) is metrics.CategoricalAccuracy
    assert type(metrics.get("acc", loss=losses.SparseCategoricalCrossentropy())) is metrics.SparseCategoricalAccuracy
    assert type(metrics.get("acc", loss=losses.sparse_categorical_crossentropy)) is metrics.SparseCategoricalAccuracy


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


def test_get_functions_instances_and_classes():
    m = metrics.get(metrics.binary_accuracy)
    assert type(m) is metrics.MeanMetricWrapper and m.name == "binary_accuracy"
    assert metrics.get(metrics.mae).name == "mean_absolute_error"

    def max_error(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred)).max(axis=-1)

    m = metrics.get(max_error)
    m.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.5, 1.0], [0.0, 3.0]])
    assert m.name == "max_error" and m.result() == pytest.approx(1.75)

    def batch_mean_error(y_true, y_pred):  # already averaged: counts as the mean of its batch
        return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))

    m = metrics.get(batch_mean_error)
    m.update_state([[1.0]], [[0.0]])
    m.update_state([[0.0], [0.0], [0.0]], [[0.0], [0.0], [0.0]])
    assert m.result() == pytest.approx(0.25)
    with pytest.raises(ValueError, match="sample_weight"):
        m.update_state([[1.0]], [[0.0]], sample_weight=[1.0])

    instance = metrics.AUC(curve="PR")
    assert metrics.get(instance) is instance
    made = metrics.get(metrics.Recall)
    assert type(made) is metrics.Recall and made.name == "recall"


@pytest.mark.parametrize("bad", ["foo", "Accuracy", "binary_crossentropy", 3, None, int, object()])
def test_get_rejects_unknown_identifiers(bad):
    with pytest.raises(ValueError) as info:
        metrics.get(bad)
    message = str(info.value)
    valid = sorted([*NAMED, "accuracy", "acc"])
    assert message.startswith("metrics:") and repr(bad) in message
    assert ", ".join(valid) in message


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (metrics.BinaryAccuracy, "binary_accuracy"),
        (metrics.TopKCategoricalAccuracy, "top_k_categorical_accuracy"),
        (metrics.SparseTopKCategoricalAccuracy, "sparse_top_k_categorical_accuracy"),
        (metrics.RootMeanSquaredError, "root_mean_squared_error"),
        (metrics.AUC, "auc"),
        (metrics.Accuracy, "accuracy"),
        (metrics.Mean, "mean"),
    ],
)
def test_default_names_are_snake_case(cls, name):
    assert cls().name == name


# -- serialize / deserialize ----------------------------------------------------------------

ROUND_TRIPS = [
    metrics.Mean(name="loss"),
    metrics.Accuracy(),
    metrics.BinaryAccuracy(name="acc", threshold=0.3),
    metrics.CategoricalAccuracy(dtype="float64"),
    metrics.SparseCategoricalAccuracy(name="accuracy"),
    metrics.TopKCategoricalAccuracy(k=2),
    metrics.SparseTopKCategoricalAccuracy(k=3, name="top3"),
    metrics.MeanAbsoluteError(name="mae"),
    metrics.MeanSquaredError(),
    metrics.RootMeanSquaredError(),
    metrics.MeanAbsolutePercentageError(),
    metrics.Precision(thresholds=0.7),
    metrics.Recall(thresholds=0.2),
    metrics.AUC(num_thresholds=50, curve="PR"),
    metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.2),
    metrics.get(metrics.mse),
    metrics.get("accuracy"),
]


@pytest.mark.parametrize("metric", ROUND_TRIPS, ids=lambda m: f"{type(m).__name__}-{m.name}")
def test_serialize_round_trip(metric):
    saved = metrics.serialize(metric)
    assert json.loads(json.dumps(saved)) == saved
    loaded = metrics.deserialize(saved)
    assert type(loaded) is type(metric) and loaded is not metric
    assert loaded.get_config() == metric.get_config() and loaded.name == metric.name


def test_wrapped_functions_round_trip_to_the_same_function():
    loaded = metrics.deserialize(metrics.serialize(metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.2)))
    assert loaded.fn is metrics.binary_accuracy
    loaded.update_state([[1], [1]], [[0.3], [0.1]])
    assert loaded.result() == 0.5
    assert metrics.serialize(metrics.get(metrics.mae))["config"]["fn"] == "mean_absolute_error"


def test_serialize_refuses_lambdas_and_needs_custom_objects_for_own_functions():
    with pytest.raises(ValueError, match="only named functions"):
        metrics.serialize(metrics.get(lambda y_true, y_pred: y_pred[:, 0]))

    def hits(y_true, y_pred):
        return (np.asarray(y_true) == np.asarray(y_pred)).mean(axis=-1)

    saved = metrics.serialize(metrics.get(hits))
    assert saved["config"]["fn"] == "hits"
    with pytest.raises(ValueError, match="custom_objects"):
        metrics.deserialize(saved)
    assert metrics.deserialize(saved, custom_objects={"hits": hits}).fn is hits

    def mae(y_true, y_pred):  # shadows a built-in name: loading would pick the built-in
        return y_pred

    with pytest.raises(ValueError, match="built-in"):
        metrics.serialize(metrics.get(mae))


def test_deserialize_custom_classes_and_bad_configs():
    class Count(metrics.Metric):
        def __init__(self, name=None, dtype="float32"):
            super().__init__(name, dtype)
            self.n = 0

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.n += len(y_pred)

        def result(self):
            return float(self.n)

        def reset_state(self):
            self.n = 0

    saved = metrics.serialize(Count(name="seen"))
    assert saved == {"class_name": "Count", "config": {"name": "seen", "dtype": "float32"}}
    assert metrics.deserialize(saved, custom_objects={"Count": Count}).name == "seen"
    with pytest.raises(ValueError, match="unknown metric class 'Count'"):
        metrics.deserialize(saved)
    with pytest.raises(ValueError, match="class_name"):
        metrics.deserialize({"config": {}})
    with pytest.raises(ValueError, match="no 'fn'"):
        metrics.deserialize({"class_name": "MeanMetricWrapper", "config": {"name": "x"}})
    assert type(metrics.deserialize("mae")) is metrics.MeanAbsoluteError
    with pytest.raises(TypeError, match="expected a Metric"):
        metrics.serialize("mae")


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
    (metrics.MeanSquaredError, (32, 3), (32, 1), "same shape"),
    (metrics.Precision, (32,), (31,), "same shape"),
    (metrics.AUC, (32,), (32, 2), "same shape"),
]


@pytest.mark.parametrize(("cls", "true_shape", "pred_shape", "says"), MISMATCHES, ids=lambda x: str(x))
def test_shape_mismatch_names_metric_and_shapes(cls, true_shape, pred_shape, says):
    m = cls()
    with pytest.raises(ValueError) as info:
        m.update_state(np.zeros(true_shape), np.zeros(pred_shape))
    message = str(info.value)
    for part in (cls.__name__, repr(m.name), str(true_shape), str(pred_shape), says):
        assert part in message


def test_functions_name_themselves_in_errors():
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy: .*\(32,\).*\(31, 10\)"):
        metrics.sparse_categorical_accuracy(np.zeros(32), np.zeros((31, 10)))
    with pytest.raises(ValueError, match="k must be a positive integer"):
        metrics.top_k_categorical_accuracy(np.eye(3), np.eye(3), k=0)


def test_bad_sample_weights_dtypes_and_arguments():
    m = metrics.BinaryAccuracy(name="acc")
    with pytest.raises(ValueError, match=r"'acc'.*sample_weight has shape \(3,\).*\(4,\)"):
        m.update_state(np.ones((4, 1)), np.ones((4, 1)), sample_weight=np.ones(3))
    with pytest.raises(TypeError, match="y_pred must hold numbers"):
        m.update_state([1, 0], ["a", "b"])
    with pytest.raises(ValueError, match="batch axis"):
        m.update_state(1.0, 0.7)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(TypeError, match="one number"):
        metrics.Precision(thresholds=[0.3, 0.5])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        metrics.Recall(thresholds=1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")
    with pytest.raises(ValueError, match="float dtype"):
        metrics.Mean(dtype="int32")
    with pytest.raises(TypeError, match="fn must be a function"):
        metrics.MeanMetricWrapper("mae")


def test_nan_predictions_and_empty_batches():
    mse = metrics.MeanSquaredError()
    mse.update_state([[1.0], [2.0]], [[np.nan], [2.0]])
    assert math.isnan(mse.result())
    acc = metrics.BinaryAccuracy()
    acc.update_state([[0.0], [1.0]], [[np.nan], [0.9]])  # NaN > 0.5 is False: predicts 0
    assert acc.result() == 1.0
    for m in (metrics.SparseCategoricalAccuracy(), metrics.Precision(), metrics.AUC()):
        m.update_state(np.zeros((0,)), np.zeros((0, 1)) if not isinstance(m, metrics.SparseCategoricalAccuracy)
                       else np.zeros((0, 10)))
        assert m.result() == 0.0


def test_dl_tensor_inputs():
    dl_tensor = pytest.importorskip("dl_tensor")
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(dl_tensor.Tensor(np.array([1, 0])), dl_tensor.Tensor([[0.2, 0.8], [0.3, 0.7]], requires_grad=True))
    assert m.result() == 0.5


def test_call_updates_and_returns_the_result():
    m = metrics.Mean()
    assert m([1.0, 3.0]) == 2.0
    assert m(5.0) == 3.0
    assert "Mean" in repr(m)


def test_docstring_examples_run():
    with np.printoptions(precision=4, suppress=True):
        result = doctest.testmod(metrics, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 20
