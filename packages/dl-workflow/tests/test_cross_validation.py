"""cross_validate and final_evaluation: a fresh model and normalizer per fold, serial = parallel."""

import warnings

import numpy as np
import pytest

from dl_layers import Dense, Sequential
from dl_workflow.cross_validation import CrossValidationResult, cross_validate, final_evaluation, fresh_normalizer
from dl_workflow.normalization import Normalizer
from dl_workflow.splits import KFold, StratifiedKFold

BUILT = []


def build_model():
    model = Sequential([Dense(8, activation="relu", input_shape=(3,)), Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    BUILT.append(model)
    return model


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32) * np.array([1.0, 10.0, 100.0], np.float32)
    return x, (x @ np.array([1.0, 0.1, 0.01], np.float32)).astype(np.float32)


def test_one_fresh_model_per_fold_scored_on_its_own_part():
    BUILT.clear()
    x, y = _data()
    result = cross_validate(build_model, x, y, cv=4, fit_kwargs={"epochs": 3}, seed=0)
    assert len(BUILT) == 4 and len({id(m) for m in BUILT}) == 4
    assert [len(va) for _, va in result.folds] == [12, 12, 12, 12]
    for model, (_, va), mae in zip(BUILT, result.folds, result.scores["mae"]):
        expected = np.mean(np.abs(model.predict(x[va])[:, 0] - y[va]))
        assert mae == pytest.approx(expected, rel=1e-4)
    assert result.mean["mae"] == pytest.approx(result.scores["mae"].mean())
    assert result.std["mae"] == pytest.approx(result.scores["mae"].std())
    assert all(len(h["val_mae"]) == 3 for h in result.histories)
    assert result.mean_history("val_mae").shape == (3,)


def test_the_normalizer_is_fitted_on_each_folds_training_part_only(monkeypatch):
    fitted = []
    original = Normalizer.fit

    def spy(self, x, *args, **kwargs):
        fitted.append(np.array(x))
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(Normalizer, "fit", spy)
    x, y = _data()
    result = cross_validate(build_model, x, y, cv=KFold(3), fit_kwargs={"epochs": 1}, normalizer=Normalizer(), seed=0)
    assert len(fitted) == 3
    for seen, (tr, _) in zip(fitted, result.folds):
        np.testing.assert_array_equal(seen, x[tr])  # never a validation sample


def test_the_same_results_with_one_job_or_two_and_from_the_seed():
    x, y = _data()
    kwargs = {"cv": KFold(2, shuffle=True, seed=4), "fit_kwargs": {"epochs": 2}, "seed": 7}
    one = cross_validate(build_model, x, y, n_jobs=1, **kwargs)
    two = cross_validate(build_model, x, y, n_jobs=2, **kwargs)
    np.testing.assert_allclose(one.scores["loss"], two.scores["loss"], rtol=1e-6)
    np.testing.assert_allclose(one.scores["loss"], cross_validate(build_model, x, y, **kwargs).scores["loss"])


def test_any_scikit_learn_splitter_is_taken():
    from sklearn.model_selection import KFold as SkKFold
    from sklearn.model_selection import ShuffleSplit

    x, y = _data()
    result = cross_validate(build_model, x, y, cv=ShuffleSplit(n_splits=2, test_size=0.25, random_state=0),
                            fit_kwargs={"epochs": 1}, metrics=["mae"])
    assert list(result.scores) == ["mae"] and len(result.folds) == 2 and len(result.folds[0][1]) == 12
    ours = cross_validate(build_model, x, y, cv=KFold(3), fit_kwargs={"epochs": 1}, seed=0)
    theirs = cross_validate(build_model, x, y, cv=SkKFold(3), fit_kwargs={"epochs": 1}, seed=0)
    np.testing.assert_allclose(ours.scores["loss"], theirs.scores["loss"])


def test_classification_with_stratified_folds():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)

    def build_classifier():
        model = Sequential([Dense(2, activation="softmax", input_shape=(4,))])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    result = cross_validate(build_classifier, x, y, cv=StratifiedKFold(3), fit_kwargs={"epochs": 2}, seed=0)
    assert set(result.scores) == {"loss", "accuracy"}
    assert np.all((result.scores["accuracy"] >= 0) & (result.scores["accuracy"] <= 1))


def test_bad_input():
    x, y = _data()
    with pytest.raises(ValueError, match=r"metrics \['auc'\] are not among what the model reports"):
        cross_validate(build_model, x, y, cv=2, fit_kwargs={"epochs": 1}, metrics=["auc"])
    with pytest.raises(ValueError, match="must not set validation_data"):
        cross_validate(build_model, x, y, cv=2, fit_kwargs={"validation_split": 0.2})
    with pytest.raises(TypeError, match="cv must be a number of folds or a splitter"):
        cross_validate(build_model, x, y, cv="four")
    with pytest.raises(ValueError, match="x is empty"):
        cross_validate(build_model, x[:0], y[:0])

    def uncompiled():
        return Sequential([Dense(1, input_shape=(3,))])

    with pytest.raises(ValueError, match="must return a compiled model"):
        cross_validate(uncompiled, x, y, cv=2)
    with pytest.raises(TypeError, match="normalizer"):
        fresh_normalizer(object())


def test_final_evaluation_warns_when_the_test_score_is_clearly_worse():
    x, y = _data(60)
    train_and_val, test = (x[:40], y[:40]), (x[40:], y[40:])
    estimate = CrossValidationResult({"mae": np.array([0.01, 0.012])}, [], [])  # far too optimistic
    with pytest.warns(UserWarning, match="clearly worse than the validation estimate .*IteratedKFold"):
        final = final_evaluation(build_model, train_and_val, test, fit_kwargs={"epochs": 1}, normalizer=Normalizer,
                                 validation_estimate=estimate, monitor="mae", seed=0)
    assert final.warning and set(final.scores) == {"loss", "mae"}
    assert final.normalizer.mean_.shape == (3,)
    np.testing.assert_allclose(final.normalizer.mean_, x[:40].mean(axis=0), rtol=1e-5)  # train + val only
    honest = {"mae": (final.scores["mae"], 0.0)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert final_evaluation(build_model, train_and_val, test, fit_kwargs={"epochs": 1}, normalizer=Normalizer,
                                validation_estimate=honest, monitor="mae", seed=0).warning is None
    with pytest.raises(ValueError, match="monitor='auc' must be in both"):
        final_evaluation(build_model, train_and_val, test, fit_kwargs={"epochs": 1}, validation_estimate={"mae": 1},
                         monitor="auc")
