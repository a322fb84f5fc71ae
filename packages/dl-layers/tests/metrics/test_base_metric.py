"""Metric (add_weight, reset_state), Mean, Sum and MeanMetricWrapper; the book's hand-written RMSE metric."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dl_tensor as dt
from dl_layers import Dense, Sequential, Variable, metrics
from dl_layers.metrics import base_metric

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

REAL = st.floats(-100.0, 100.0, width=32)


# -- Mean and Sum ---------------------------------------------------------------------------


@FAST
@given(data=st.data())
def test_mean_is_the_weighted_mean_of_all_values(data, chunks):
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


@FAST
@given(values=st.lists(st.tuples(st.floats(-1e3, 1e3, width=32), st.integers(0, 64)), min_size=1, max_size=8))
def test_mean_of_numbers_takes_the_fast_path_and_agrees_with_arrays(values):
    fast, slow = metrics.Mean(), metrics.Mean()
    with pytest.MonkeyPatch.context() as patch:  # a number sent to the array path fails the test
        real = base_metric.weighted_sums

        def arrays_only(metric, values, sample_weight):
            assert isinstance(values, np.ndarray), "a number went through the array path"
            return real(metric, values, sample_weight)

        patch.setattr(base_metric, "weighted_sums", arrays_only)
        for value, weight in values:
            fast.update_state(value, sample_weight=weight)  # what the model does once per step: loss, batch size
            slow.update_state(np.array([value]), sample_weight=np.array([weight]))
    total = sum(v * w for v, w in values)
    count = sum(w for _, w in values)
    assert fast.count == slow.count == count
    assert fast.result() == pytest.approx(total / count if count else 0.0, rel=1e-6, abs=1e-9)
    assert fast.result() == pytest.approx(slow.result(), rel=1e-6, abs=1e-9)


def test_mean_accepts_numpy_scalars_and_tensors():
    m = metrics.Mean()
    m.update_state(np.float32(1.5), sample_weight=np.int64(2))
    m.update_state(dt.Tensor(3.0))  # a 0-d Tensor, through the array path
    m.update_state([[4.0, 5.0]], sample_weight=1.0)
    assert m.result() == pytest.approx((1.5 * 2 + 3.0 + 4.0 + 5.0) / 5)
    with pytest.raises(ValueError, match=r"Mean metric 'mean': sample_weight has shape \(3,\).*\(2, 2\)"):
        m.update_state(np.ones((2, 2)), sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"Mean metric 'mean': values must hold numbers"):
        m.update_state(["a"])


@FAST
@given(data=st.data())
def test_sum_is_the_weighted_sum(data, chunks):
    n = data.draw(st.integers(1, 10))
    v = data.draw(hnp.arrays(np.float64, n, elements=REAL))
    w = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 5.0)))
    s = metrics.Sum()
    for a, b in chunks(data, n):
        s.update_state(v[a:b], sample_weight=w[a:b])
    assert s.result() == pytest.approx(np.sum(v * w), rel=1e-5, abs=1e-4)
    s.reset_state()
    s.update_state(v)
    s.update_state(2.0)
    assert s.name == "sum" and s.result() == pytest.approx(np.sum(v) + 2.0, rel=1e-5, abs=1e-4)


def test_call_updates_and_returns_the_result():
    m = metrics.Mean()
    assert m([1.0, 3.0]) == 2.0
    assert m(5.0) == 3.0
    assert "Mean" in repr(m)


# -- MeanMetricWrapper ----------------------------------------------------------------------


def test_wrapper_of_your_own_function():
    def max_error(y_true, y_pred):
        return np.abs(y_true - y_pred).max(axis=-1)

    m = metrics.MeanMetricWrapper(max_error, name="worst")
    m.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.5, 1.0], [0.0, 3.0]], sample_weight=[3.0, 1.0])
    assert m.name == "worst" and m.fn is max_error
    assert m.result() == pytest.approx((3 * 0.5 + 1 * 3.0) / 4)

    def first_only(y_true, y_pred):
        return np.abs(y_true - y_pred)[:1, 0]

    wrong = metrics.MeanMetricWrapper(first_only)
    with pytest.raises(ValueError, match=r"MeanMetricWrapper metric 'first_only': first_only returned shape \(1,\); "
                                         r"expected one value per sample, shape \(2,\)"):
        wrong.update_state([[0.0], [1.0]], [[0.0], [0.0]])
    with pytest.raises(TypeError, match="argument `fn` must be a function"):
        metrics.MeanMetricWrapper("mae")


# -- Metric: add_weight and the default reset_state -----------------------------------------


class Extremes(metrics.Metric):
    """The largest prediction seen, and a histogram of predictions: state of several shapes and dtypes."""

    def __init__(self, name="extremes", **kwargs):
        super().__init__(name=name, **kwargs)
        self.largest = self.add_weight("largest", initializer=initial_largest)
        self.histogram = self.add_weight("histogram", shape=(4,), initializer="zeros", dtype="int64")
        self.seen_any = self.add_weight("seen_any", dtype="bool")

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = np.asarray(y_pred, np.float32)
        self.largest.assign(np.maximum(self.largest.numpy(), p.max()))
        self.histogram.assign_add(np.histogram(p, bins=4, range=(0, 1))[0])
        self.seen_any.assign(True)

    def result(self):
        return self.largest


def initial_largest(shape, dtype):
    return np.full(shape, -1.0, dtype)


def test_add_weight_makes_tracked_non_trainable_variables():
    m = Extremes(name="ex", dtype="float64")
    assert [v.path for v in m.variables] == ["ex/largest", "ex/histogram", "ex/seen_any"]
    assert all(isinstance(v, Variable) and not v.trainable and not v.requires_grad for v in m.variables)
    assert [(v.shape, v.dtype) for v in m.variables] == [((), np.float64), ((4,), np.int64), ((), np.bool_)]
    m.update_state(None, [0.1, 0.9, 0.95])
    m.update_state(None, [0.6])
    assert float(m.result()) == pytest.approx(0.95) and m.histogram.numpy().tolist() == [1, 0, 1, 2]
    m.reset_state()  # every weight back to what its initializer gave: -1, zeros, False
    assert float(m.result()) == -1.0 and m.histogram.numpy().tolist() == [0, 0, 0, 0] and not m.seen_any.item()


def test_add_weight_rejects_bad_arguments():
    m = metrics.Sum(name="s")
    with pytest.raises(TypeError, match=r"Sum metric 's': argument `name` of add_weight must be a non-empty string"):
        m.add_weight("")
    with pytest.raises(TypeError, match=r"Sum metric 's': argument `shape` must be a tuple of ints"):
        m.add_weight("w", shape="3")
    with pytest.raises(TypeError, match=r"Sum metric 's': argument `dtype` must be a numeric or bool dtype"):
        m.add_weight("w", dtype="str")
    with pytest.raises(ValueError, match=r"Sum metric 's': the initializer of weight 'w' returned shape \(\), "
                                         r"expected \(3,\)"):
        m.add_weight("w", shape=(3,), initializer=lambda shape, dtype: np.zeros((), dtype))
    assert m.variables == []  # nothing half-made was tracked


def test_base_class_needs_update_state_and_result_and_checks_its_arguments():
    class Nothing(metrics.Metric):
        pass

    m = Nothing()
    assert m.name == "nothing" and m.get_config() == {"name": "nothing", "dtype": "float32"}
    m.reset_state()  # no weights: nothing to do
    with pytest.raises(NotImplementedError, match="Nothing does not implement update_state"):
        m.update_state([1], [1])
    with pytest.raises(NotImplementedError, match="Nothing does not implement result"):
        m.result()
    with pytest.raises(TypeError, match=r"Mean: argument `dtype` must be a floating-point dtype, e.g. 'float32', "
                                        r"got 'int32'"):
        metrics.Mean(dtype="int32")
    with pytest.raises(TypeError, match=r"Mean: argument `name` must be a non-empty string, got 3"):
        metrics.Mean(name=3)


# -- the book's own metric (chapter 7), NumPy standing in for TensorFlow ----------------------


class RootMeanSquaredError(metrics.Metric):  # the listing's name: it does not replace the built-in one
    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(name="total_samples", initializer="zeros", dtype="int32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = np.eye(y_pred.shape[1])[y_true]  # tf.one_hot(y_true, depth=tf.shape(y_pred)[1])
        mse = np.sum(np.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = y_pred.shape[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        return dt.sqrt(self.mse_sum / self.total_samples.astype("float32"))  # tf.sqrt(... / tf.cast(...))

    def reset_state(self):
        self.mse_sum.assign(0.0)
        self.total_samples.assign(0)


def book_rmse(labels, probabilities):
    one_hot = np.eye(probabilities.shape[1])[labels]
    return math.sqrt(np.sum((one_hot - probabilities) ** 2) / len(labels))


def test_the_books_rmse_metric_alone():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 30)
    probabilities = rng.dirichlet(np.ones(4), 30).astype(np.float32)  # (30, 4), rows sum to 1
    m = RootMeanSquaredError()
    for part in np.array_split(np.arange(30), 4):
        m.update_state(labels[part], probabilities[part])
    assert float(m.result()) == pytest.approx(book_rmse(labels, probabilities), rel=1e-6)
    assert int(m.total_samples) == 30 and m.mse_sum.dtype == np.float32
    m.reset_state()
    assert float(m.mse_sum) == 0.0 and int(m.total_samples) == 0
    # found again by name, although the built-in RootMeanSquaredError owns the plain class name
    saved = metrics.serialize(m)
    assert saved["class_name"].endswith(".RootMeanSquaredError") and saved["config"] == {"name": "rmse",
                                                                                        "dtype": "float32"}
    assert type(metrics.deserialize(saved)) is RootMeanSquaredError
    assert type(metrics.get("RootMeanSquaredError")) is metrics.RootMeanSquaredError


def test_the_books_rmse_metric_in_compile_fit_and_evaluate():
    rng = np.random.default_rng(1)
    x, y = rng.random((96, 8)).astype(np.float32), rng.integers(0, 3, 96)
    model = Sequential([Dense(16, activation="relu"), Dense(3, activation="softmax")])
    rmse = RootMeanSquaredError()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy", rmse])
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "rmse"]
    assert all(isinstance(value, float) for value in history.history["rmse"])
    assert int(rmse.total_samples) == 96  # reset at the start of each epoch: one epoch's samples

    loss, accuracy, rmse_value = model.evaluate(x, y, batch_size=32, verbose=0)
    probabilities = model.predict(x)
    assert rmse_value == pytest.approx(book_rmse(y, probabilities), rel=1e-5)
    assert accuracy == pytest.approx(np.mean(probabilities.argmax(axis=-1) == y))
