"""Cross-entropy metrics against the formulas written in plain NumPy, and against the compiled loss."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_layers import Dense, Sequential, metrics

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EPSILON = 1e-7
PROBABILITY = st.floats(0.01, 0.99)
LOGIT = st.floats(-8.0, 8.0)


def log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def binary_ce(t, p, from_logits, smoothing):
    """Per-sample binary cross-entropy, mean over the last axis."""
    t = t * (1 - smoothing) + 0.5 * smoothing
    if from_logits:
        return (np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))).mean(axis=-1)
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(axis=-1)


def categorical_ce(t, p, from_logits, smoothing):
    """Per-sample categorical cross-entropy (probability rows rescaled to sum to 1)."""
    t = t * (1 - smoothing) + smoothing / p.shape[-1]
    log_p = log_softmax(p) if from_logits else np.log(np.clip(p / p.sum(axis=-1, keepdims=True), EPSILON, 1 - EPSILON))
    return -(t * log_p).sum(axis=-1)


def sparse_ce(labels, p, from_logits):
    """Per-sample -log p[label]."""
    log_p = log_softmax(p) if from_logits else np.log(np.clip(p, EPSILON, 1 - EPSILON))
    return -np.take_along_axis(log_p, labels[:, None], axis=-1)[:, 0]


def predictions(data, shape, from_logits):
    return data.draw(hnp.arrays(np.float64, shape, elements=LOGIT if from_logits else PROBABILITY))


# -- cases: each draws (metric, y_true, y_pred, expected per-sample values, final transform) --


def case_binary(data):
    n, d = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 3))
    from_logits, smoothing = data.draw(st.booleans()), data.draw(st.sampled_from([0.0, 0.1, 0.3]))
    t = data.draw(hnp.arrays(np.float64, (n, d), elements=st.sampled_from([0.0, 1.0])))
    p = predictions(data, (n, d), from_logits)
    metric = metrics.BinaryCrossentropy(from_logits=from_logits, label_smoothing=smoothing)
    return metric, t, p, binary_ce(t, p, from_logits, smoothing), float


def case_binary_flat(data):  # (batch,) targets and predictions: one value per sample
    n = data.draw(st.integers(1, 12))
    t = data.draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0])))
    p = predictions(data, n, False)
    return metrics.BinaryCrossentropy(), t, p, binary_ce(t[:, None], p[:, None], False, 0.0), float


def case_categorical(data):
    n, c = data.draw(st.integers(1, 12)), data.draw(st.integers(2, 5))
    from_logits, smoothing = data.draw(st.booleans()), data.draw(st.sampled_from([0.0, 0.2]))
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, c - 1)))
    t = np.eye(c)[labels]
    p = predictions(data, (n, c), from_logits)
    metric = metrics.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=smoothing)
    return metric, t, p, categorical_ce(t, p, from_logits, smoothing), float


def case_sparse(data):
    n, c = data.draw(st.integers(1, 12)), data.draw(st.integers(2, 5))
    from_logits = data.draw(st.booleans())
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, c - 1)))
    p = predictions(data, (n, c), from_logits)
    t = labels[:, None] if data.draw(st.booleans()) else labels
    metric = metrics.SparseCategoricalCrossentropy(from_logits=from_logits)
    return metric, t, p, sparse_ce(labels, p, from_logits), float


@pytest.mark.parametrize("case", [case_binary, case_binary_flat, case_categorical, case_sparse],
                         ids=lambda c: c.__name__[5:])
@FAST
@given(data=st.data())
def test_metric_matches_numpy(case, data, check_against_numpy):
    check_against_numpy(case, data)


def test_functions_return_one_value_per_sample():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, (5, 3))  # (batch, steps)
    p = rng.random((5, 3, 4)) + 0.1  # (batch, steps, classes)
    p /= p.sum(axis=-1, keepdims=True)
    expected = -np.log(np.take_along_axis(p, labels[..., None], axis=-1)[..., 0]).mean(axis=1)  # steps averaged
    np.testing.assert_allclose(metrics.sparse_categorical_crossentropy(labels, p), expected, rtol=1e-6)
    np.testing.assert_allclose(metrics.categorical_crossentropy(np.eye(4)[labels], p), expected, rtol=1e-6)
    assert metrics.binary_crossentropy([[1.0, 0.0]], np.array([[0.5, 0.5]], np.float32)).dtype == np.float32


def test_extreme_probabilities_are_clipped_and_logits_do_not_overflow():
    m = metrics.BinaryCrossentropy()
    m.update_state([[1.0], [0.0]], [[0.0], [1.0]])  # completely wrong, certain
    assert m.result() == pytest.approx(-np.log(EPSILON), rel=1e-3)
    logits = metrics.SparseCategoricalCrossentropy(from_logits=True)
    logits.update_state([0], [[1000.0, -1000.0]])
    assert logits.result() == 0.0


def test_names_work_in_compile_and_match_the_loss():
    rng = np.random.default_rng(3)
    x, y = rng.random((40, 6)).astype(np.float32), rng.integers(0, 3, 40)
    model = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["categorical_crossentropy"])
    with pytest.raises(ValueError, match=r"CategoricalCrossentropy metric 'categorical_crossentropy'.*one-hot"):
        model.fit(x, y, verbose=0)  # integer labels given to the one-hot metric: it says so
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_crossentropy"])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert sorted(history.history) == ["loss", "sparse_categorical_crossentropy"]
    loss, crossentropy = model.evaluate(x, y, batch_size=16, verbose=0)
    assert crossentropy == pytest.approx(loss, rel=1e-5)  # no penalties: the loss is the cross-entropy
    assert crossentropy == pytest.approx(sparse_ce(y, model.predict(x), False).mean(), rel=1e-5)


@pytest.mark.parametrize(
    ("name", "cls"),
    [("binary_crossentropy", metrics.BinaryCrossentropy), ("categorical_crossentropy", metrics.CategoricalCrossentropy),
     ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy),
     ("BinaryCrossentropy", metrics.BinaryCrossentropy)],
)
def test_get_by_name(name, cls):
    m = metrics.get(name)
    assert type(m) is cls and m.name == (name if name.islower() else "binary_crossentropy")


@pytest.mark.parametrize(
    "metric",
    [metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
     metrics.CategoricalCrossentropy(name="ce", label_smoothing=0.2),
     metrics.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"),
     metrics.MeanMetricWrapper(metrics.binary_crossentropy, from_logits=True)],
    ids=lambda m: type(m).__name__,
)
def test_serialize_round_trip(metric):
    saved = metrics.serialize(metric)
    assert json.loads(json.dumps(saved)) == saved
    loaded = metrics.deserialize(saved)
    assert type(loaded) is type(metric) and loaded.get_config() == metric.get_config()
    y, logits = [[1.0], [0.0]], [[0.3], [-2.0]]
    if isinstance(metric, metrics.SparseCategoricalCrossentropy | metrics.CategoricalCrossentropy):
        y, logits = ([1, 0] if isinstance(metric, metrics.SparseCategoricalCrossentropy) else [[0, 1], [1, 0]],
                     [[0.2, 0.8], [0.6, 0.4]])
    assert loaded(y, logits) == pytest.approx(metric(y, logits))


def test_bad_arguments_and_inputs(check_shape_error):
    with pytest.raises(TypeError, match=r"BinaryCrossentropy: argument `from_logits` must be True or False, got 1"):
        metrics.BinaryCrossentropy(from_logits=1)
    with pytest.raises(ValueError, match=r"CategoricalCrossentropy: argument `label_smoothing` must be a number in "
                                         r"\[0, 1\], got 1.5"):
        metrics.CategoricalCrossentropy(label_smoothing=1.5)
    check_shape_error(metrics.BinaryCrossentropy, (32, 1), (31, 1), "same shape")
    check_shape_error(metrics.CategoricalCrossentropy, (32,), (32, 10), "integer labels")
    check_shape_error(metrics.SparseCategoricalCrossentropy, (32, 10), (32, 10), "one-hot")
    m = metrics.SparseCategoricalCrossentropy(name="xent")
    with pytest.raises(ValueError, match=r"'xent'.*label 3 is out of range for 3 classes"):
        m.update_state([0, 3], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
