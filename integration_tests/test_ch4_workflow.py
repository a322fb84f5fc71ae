"""Chapter 4 end to end: the book's K-fold regression on Boston housing (the book's own data,
from the copy inside the mlxtend wheel: no network), and iterated K-fold in two processes."""

import os

import numpy as np
import pytest

import dl_layers as L
from dl_workflow import (
    IteratedKFold,
    KFold,
    MeanRegressor,
    Normalizer,
    cross_validate,
    evaluate_baseline,
    final_evaluation,
)
from dl_workflow.datasets import boston_housing


@pytest.fixture(scope="module")
def boston():
    import mlxtend.data

    path = os.path.join(os.path.dirname(mlxtend.data.__file__), "data", "boston_housing.csv")
    return boston_housing.load_data(path=path)  # Keras's split: 404 training and 102 test houses


def build_model():
    """The book's model: two Dense(64, relu), one linear output; rmsprop, mse, mae."""
    model = L.Sequential([L.Dense(64, activation="relu", input_shape=(13,)), L.Dense(64, activation="relu"),
                          L.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def test_the_data_is_keras_split(boston):
    (x_train, y_train), (x_test, y_test) = boston
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13)
    np.testing.assert_allclose(y_train[:5], [15.2, 42.3, 50.0, 21.1, 17.7])  # the book's printout


def test_the_books_k_fold_protocol_beats_the_mean_baseline_by_far(boston):
    (x_train, y_train), (x_test, y_test) = boston
    result = cross_validate(build_model, x_train.astype("float32"), y_train.astype("float32"), cv=KFold(4),
                            fit_kwargs={"epochs": 60, "batch_size": 16}, normalizer=Normalizer(), seed=0)
    baseline = np.mean([evaluate_baseline(MeanRegressor().fit(x_train[tr], y_train[tr]), x_train[va], y_train[va],
                                          loss="mse", metrics=["mae"], return_dict=True)["mae"]
                        for tr, va in result.folds])
    mae = result.mean["mae"]
    print(f"\nBoston housing, 4-fold validation MAE: model {mae:.2f} (folds {np.round(result.scores['mae'], 2)}), "
          f"mean baseline {baseline:.2f} (the book: 2.4 for the model)")
    assert mae < 0.5 * baseline  # about 2.5 against 6.6 thousand dollars
    assert mae < 3.2


def test_the_final_model_after_k_fold_beats_the_baseline_on_test_and_round_trips(boston, tmp_path):
    """The book's last step: retrain on all training data, evaluate once on the test set; then the
    model and its normalizer saved and loaded give the same test predictions."""
    (x_train, y_train), (x_test, y_test) = boston
    x_train, y_train, x_test, y_test = (a.astype("float32") for a in (x_train, y_train, x_test, y_test))
    estimate = cross_validate(build_model, x_train, y_train, cv=KFold(4), fit_kwargs={"epochs": 40, "batch_size": 16},
                              normalizer=Normalizer(), seed=0)
    final = final_evaluation(build_model, (x_train, y_train), (x_test, y_test), normalizer=Normalizer(),
                             fit_kwargs={"epochs": 80, "batch_size": 16}, validation_estimate=estimate, monitor="mae",
                             seed=0)
    baseline = float(np.abs(y_test - y_train.mean()).mean())  # the training mean, the book's "no model" price
    print(f"\nBoston housing, final model test MAE {final.scores['mae']:.2f} against {baseline:.2f} for the mean")
    assert final.scores["mae"] < 0.5 * baseline, (final.scores, baseline)

    final.model.save(tmp_path / "boston.dlbook")
    final.normalizer.save(tmp_path / "boston_normalizer.json")
    model, normalizer = L.load_model(tmp_path / "boston.dlbook"), Normalizer.load(tmp_path / "boston_normalizer.json")
    before = final.model.predict(final.normalizer.transform(x_test), verbose=0)
    np.testing.assert_array_equal(model.predict(normalizer.transform(x_test), verbose=0), before)


def test_iterated_k_fold_in_two_processes_equals_one_process(boston):
    (x_train, y_train), _ = boston
    x, y = x_train[:200].astype("float32"), y_train[:200].astype("float32")
    kwargs = {"cv": IteratedKFold(n_splits=2, n_repeats=2, seed=1), "fit_kwargs": {"epochs": 5, "batch_size": 32},
              "normalizer": Normalizer(), "seed": 3}
    parallel = cross_validate(build_model, x, y, n_jobs=2, **kwargs)
    serial = cross_validate(build_model, x, y, n_jobs=1, **kwargs)
    assert len(parallel.folds) == 4
    np.testing.assert_allclose(parallel.scores["mae"], serial.scores["mae"], rtol=1e-5)
