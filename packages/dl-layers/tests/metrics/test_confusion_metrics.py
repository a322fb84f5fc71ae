"""Precision, Recall and AUC against confusion counts and curve areas computed the plain way."""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_layers import metrics

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

UNIT = st.floats(0.0, 1.0, width=32)


def counts(m):
    """(tp, fp, fn, tn) of a Precision or Recall metric, as floats."""
    return tuple(float(v) for v in (m.true_positives, m.false_positives, m.false_negatives, m.true_negatives))


# -- Precision / Recall ---------------------------------------------------------------------


@FAST
@given(data=st.data())
def test_precision_recall_count_confusions_across_batches(data, chunks):
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
        assert counts(m) == pytest.approx((tp, fp, fn, tn))
    assert precision.result() == pytest.approx(tp / (tp + fp) if tp + fp > 0 else 0.0)
    assert recall.result() == pytest.approx(tp / (tp + fn) if tp + fn > 0 else 0.0)
    precision.reset_state()
    assert precision.result() == 0.0 and counts(precision) == (0.0, 0.0, 0.0, 0.0)


def test_precision_recall_by_hand():
    p, r = metrics.Precision(), metrics.Recall()
    for m in (p, r):
        m.update_state([1, 1, 0, 0, 1], [0.9, 0.6, 0.7, 0.1, 0.2])
    assert counts(p) == (2, 1, 1, 1)
    assert p.result() == pytest.approx(2 / 3) and r.result() == pytest.approx(2 / 3)
    assert metrics.Precision().result() == 0.0  # nothing predicted positive yet
    # the threshold is compared in the predictions' dtype, as binary_accuracy does
    at = metrics.Precision(thresholds=0.3)
    at.update_state([1, 1], np.array([0.3, 0.9], np.float32))
    assert float(at.true_positives) == 1 == metrics.binary_accuracy([1, 1], np.array([0.3, 0.9], np.float32), 0.3).sum()


def test_confusion_counts_are_the_metric_weights():
    m = metrics.Precision(name="p")
    assert [v.path for v in m.variables] == ["p/true_positives", "p/false_positives", "p/true_negatives",
                                             "p/false_negatives"]
    assert all(not v.trainable and v.dtype == np.float64 for v in m.variables)
    auc = metrics.AUC(num_thresholds=7)
    assert [v.shape for v in auc.variables] == [(7,)] * 4


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
def test_auc_roc_is_the_area_over_200_buckets(batch, data, chunks):
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
    np.testing.assert_allclose(m.true_positives.numpy(), repeated.true_positives.numpy())
    assert m.result() == pytest.approx(repeated.result())
    assert m.true_positives.shape == (50,)
    one_class = metrics.AUC()
    one_class.update_state([1, 1], [0.2, 0.7])
    assert one_class.result() == 0.0
    perfect = metrics.AUC()
    perfect.update_state([0, 0, 1, 1], [0.0, 0.1, 0.9, 1.0])
    assert perfect.result() == pytest.approx(1.0)
    perfect.reset_state()
    assert perfect.result() == 0.0 and perfect.true_positives.numpy().sum() == 0.0
    with_nan = metrics.AUC()
    with_nan.update_state([0, 1, 1], [0.2, np.nan, 0.8])  # NaN: never above a threshold
    assert with_nan.result() == pytest.approx(0.5)


def test_auc_is_vectorised():
    rng = np.random.default_rng(2)
    y, s = rng.random(200_000) < 0.5, rng.random(200_000)
    m = metrics.AUC()
    m.update_state(y, s)
    assert m.result() == pytest.approx(0.5, abs=0.01)


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "true_shape", "pred_shape", "says"),
    [
        (metrics.Precision, (32,), (31,), "same shape"),
        (metrics.Recall, (8, 2), (8, 3), "same shape"),
        (metrics.AUC, (32,), (32, 2), "same shape"),
    ],
    ids=str,
)
def test_shape_mismatch_names_metric_and_shapes(cls, true_shape, pred_shape, says, check_shape_error):
    check_shape_error(cls, true_shape, pred_shape, says)


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"Precision: argument `thresholds` must be a number in \[0, 1\]"):
        metrics.Precision(thresholds=[0.3, 0.5])
    with pytest.raises(ValueError, match=r"Recall: argument `thresholds` must be a number in \[0, 1\], got 1.5"):
        metrics.Recall(thresholds=1.5)
    with pytest.raises(ValueError, match=r"AUC: argument `num_thresholds` must be an integer >= 2, got 1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match=r"AUC: argument `curve` must be one of 'ROC', 'PR', got 'DET'"):
        metrics.AUC(curve="DET")
    assert metrics.AUC(curve="pr").curve == "PR"
    weighted = metrics.Recall(name="r")
    with pytest.raises(ValueError, match=r"Recall metric 'r': sample_weight has shape \(2,\).*\(3, 1\)"):
        weighted.update_state([1, 0, 1], [0.2, 0.3, 0.9], sample_weight=[1.0, 2.0])


def test_empty_batches_count_nothing():
    for m in (metrics.Precision(), metrics.AUC()):
        m.update_state(np.zeros((0,)), np.zeros((0, 1)))
        assert m.result() == 0.0
