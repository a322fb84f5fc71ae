"""get / serialize / deserialize: metrics found by name, saved as configs, rebuilt; your own ones included."""

import doctest
import importlib
import json

import numpy as np
import pytest

from dl_layers import metrics
from dl_layers.registry import custom_object_scope
from dl_tensor.testing import package_modules

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
    "binary_crossentropy": metrics.BinaryCrossentropy,
    "categorical_crossentropy": metrics.CategoricalCrossentropy,
    "sparse_categorical_crossentropy": metrics.SparseCategoricalCrossentropy,
    "mean": metrics.Mean,
    "sum": metrics.Sum,
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_get_by_name(name):
    m = metrics.get(name)
    assert type(m) is NAMED[name] and m.name == name
    assert metrics.get(name) is not m  # a new instance each time


@pytest.mark.parametrize(("class_name", "name"), [("AUC", "auc"), ("Accuracy", "accuracy"),
                                                  ("RootMeanSquaredError", "root_mean_squared_error")])
def test_get_by_class_name_gives_the_default_name(class_name, name):
    m = metrics.get(class_name)
    assert type(m).__name__ == class_name and m.name == name


@pytest.mark.parametrize("bad", ["foo", "Acc", "crossentropy", 3, None, int, object()])
def test_get_rejects_unknown_identifiers(bad):
    with pytest.raises(ValueError) as info:
        metrics.get(bad)
    message = str(info.value)
    assert message.startswith("metrics:") and repr(bad) in message
    listed = message.split("one of the names: ")[1].split(", ")
    assert listed == sorted(listed) and {*NAMED, "accuracy", "acc"} <= set(listed)
    assert all(name.islower() for name in listed)  # what compile users write, not class names


def test_get_functions_instances_classes_and_configs():
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
    from_config = metrics.get({"class_name": "Precision", "config": {"thresholds": 0.2}})
    assert type(from_config) is metrics.Precision and from_config.thresholds == 0.2


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
        (metrics.Sum, "sum"),
        (metrics.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
    ],
)
def test_default_names_are_snake_case(cls, name):
    assert cls().name == name


# -- serialize / deserialize ----------------------------------------------------------------

ROUND_TRIPS = [
    metrics.Mean(name="loss"),
    metrics.Sum(dtype="float64"),
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
    metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics.CategoricalCrossentropy(label_smoothing=0.2),
    metrics.SparseCategoricalCrossentropy(name="xent", from_logits=True),
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
    with pytest.raises(ValueError, match=r"unknown metric function 'hits'.*custom_objects"):
        metrics.deserialize(saved)
    assert metrics.deserialize(saved, custom_objects={"hits": hits}).fn is hits
    with custom_object_scope({"hits": hits}):  # what load_model opens around the whole model
        assert metrics.deserialize(saved).fn is hits
        by_name = metrics.get("hits")
        assert type(by_name) is metrics.MeanMetricWrapper and by_name.fn is hits and by_name.name == "hits"

    def mae(y_true, y_pred):  # shadows a built-in name: loading would pick the built-in
        return y_pred

    with pytest.raises(ValueError, match="built-in"):
        metrics.serialize(metrics.get(mae))


class Count(metrics.Metric):
    """A user's metric: registered by being defined, so found by name without custom_objects."""

    def __init__(self, name=None, dtype="float32", start=0):
        super().__init__(name, dtype)
        self.start = start
        self.n = self.add_weight("n", initializer="zeros", dtype="int64")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.n.assign_add(len(y_pred))

    def result(self):
        return float(self.start + int(self.n))

    def get_config(self):
        return {**super().get_config(), "start": self.start}


def test_your_own_metric_class_is_found_by_name():
    saved = metrics.serialize(Count(name="seen", start=2))
    assert saved == {"class_name": "Count", "config": {"name": "seen", "dtype": "float32", "start": 2}}
    loaded = metrics.deserialize(saved)
    assert type(loaded) is Count and loaded.name == "seen" and loaded.start == 2
    loaded.update_state(None, np.zeros((5, 1)))
    assert loaded.result() == 7.0
    assert type(metrics.get("Count")) is Count and metrics.get("count").name == "count"
    with pytest.raises(ValueError) as info:
        metrics.get("no_such_metric")
    assert "count" in str(info.value).split("one of the names: ")[1].split(", ")  # listed for compile users


def test_custom_objects_win_and_bad_configs_are_explained():
    class Other(Count):
        pass

    saved = {"class_name": "Count", "config": {"name": "seen"}}
    assert type(metrics.deserialize(saved, custom_objects={"Count": Other})) is Other
    with pytest.raises(ValueError, match=r"unknown metric 'Nope'.*custom_objects"):
        metrics.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="class_name"):
        metrics.deserialize({"config": {}})
    with pytest.raises(ValueError, match="no 'fn'"):
        metrics.deserialize({"class_name": "MeanMetricWrapper", "config": {"name": "x"}})
    assert type(metrics.deserialize("mae")) is metrics.MeanAbsoluteError
    with pytest.raises(TypeError, match="expected a Metric"):
        metrics.serialize("mae")


def test_every_public_name_is_exported():
    for name in metrics.__all__:
        assert getattr(metrics, name) is not None
    new = {"Sum", "BinaryCrossentropy", "binary_crossentropy", "get", "serialize", "deserialize"}
    assert new <= set(metrics.__all__)


def test_docstring_examples_run():
    modules = package_modules(metrics)
    assert modules == ["dl_layers.metrics", "dl_layers.metrics.accuracy_metrics", "dl_layers.metrics.base_metric",
                       "dl_layers.metrics.confusion_metrics", "dl_layers.metrics.direction",
                       "dl_layers.metrics.probabilistic_metrics",
                       "dl_layers.metrics.regression_metrics"]
    attempted = 0
    with np.printoptions(precision=4, suppress=True):
        for name in modules:
            flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
            result = doctest.testmod(importlib.import_module(name), optionflags=flags)
            assert result.failed == 0, name
            attempted += result.attempted
    assert attempted > 40
