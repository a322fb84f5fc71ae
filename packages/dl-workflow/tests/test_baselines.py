import numpy as np
import pytest

import dl_layers
from dl_workflow.baselines import (
    LinearRegression,
    LogisticRegression,
    MajorityClassifier,
    MeanRegressor,
    MedianRegressor,
    PersistenceForecast,
    StratifiedRandomClassifier,
    evaluate_baseline,
)

# -- classifiers -----------------------------------------------------------------------------------


def test_majority_classifier_predicts_the_most_frequent_class():
    y = np.array([1, 2, 2, 0, 2, 1])
    clf = MajorityClassifier().fit(np.zeros((6, 4)), y)
    assert clf.majority_class_ == 2 and clf.n_classes_ == 3
    probs = clf.predict(np.zeros((4, 4)))
    assert probs.shape == (4, 3) and probs.dtype == np.float32
    np.testing.assert_array_equal(probs, np.tile([0.0, 0.0, 1.0], (4, 1)))
    np.testing.assert_array_equal(clf.predict_classes(np.zeros(3)), [2, 2, 2])
    np.testing.assert_allclose(clf.class_prior_, [1 / 6, 2 / 6, 3 / 6])


def test_majority_accuracy_is_the_majority_share():
    y = np.array([0] * 7 + [1] * 2 + [2] * 1)
    clf = MajorityClassifier().fit(None, y)
    loss, acc = evaluate_baseline(clf, np.zeros(10), y, metrics=["accuracy"])
    assert acc == pytest.approx(0.7)
    assert loss == pytest.approx(0.3 * -np.log(1e-7), rel=1e-5)  # clipped probabilities, as Keras


def test_majority_binary_output_for_sigmoid_tasks():
    y = np.array([1.0, 1.0, 0.0, 1.0], dtype=np.float32)  # the book's float32 0/1 labels
    clf = MajorityClassifier(output="binary").fit(None, y)
    np.testing.assert_array_equal(clf.predict(np.zeros(2)), [[1.0], [1.0]])
    assert clf.loss == "binary_crossentropy"
    logs = evaluate_baseline(clf, np.zeros(4), y, metrics=["accuracy"], return_dict=True)
    assert list(logs) == ["loss", "accuracy"] and logs["accuracy"] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="output='binary' needs 0/1 labels"):
        MajorityClassifier(output="binary").fit(None, [0, 1, 2])


def test_majority_with_one_hot_labels_and_num_classes():
    y = np.eye(4)[[3, 3, 1]]
    clf = MajorityClassifier().fit(None, y)
    assert clf.majority_class_ == 3 and clf.loss == "categorical_crossentropy"
    _, acc = evaluate_baseline(clf, np.zeros(3), y, metrics=["accuracy"])
    assert acc == pytest.approx(2 / 3)
    assert MajorityClassifier(num_classes=5).fit(None, [0, 1, 1]).predict(np.zeros(1)).shape == (1, 5)
    with pytest.raises(ValueError, match="num_classes=2 but the labels go up to class 2"):
        MajorityClassifier(num_classes=2).fit(None, [0, 2])


def test_stratified_random_classifier():
    y = np.array([0, 0, 0, 1, 1, 2] * 10)
    clf = StratifiedRandomClassifier(seed=3).fit(None, y)
    np.testing.assert_allclose(clf.predict(np.zeros(2)), np.tile([0.5, 1 / 3, 1 / 6], (2, 1)), rtol=1e-6)
    assert clf.expected_accuracy_ == pytest.approx(0.25 + 1 / 9 + 1 / 36)
    draws = clf.predict_classes(np.zeros(30000))
    np.testing.assert_allclose(np.bincount(draws) / len(draws), [0.5, 1 / 3, 1 / 6], atol=0.01)
    # seeded: the same draws after each fit; accuracy of the draws near sum p^2
    again = StratifiedRandomClassifier(seed=3).fit(None, y).predict_classes(np.zeros(30000))
    np.testing.assert_array_equal(draws, again)
    labels = np.random.default_rng(0).choice(3, size=30000, p=[0.5, 1 / 3, 1 / 6])
    assert (draws == labels).mean() == pytest.approx(clf.expected_accuracy_, abs=0.01)


def test_stratified_random_without_seed_follows_the_global_seed():
    y = [0, 1, 1, 0, 1]
    dl_layers.set_random_seed(7)
    first = StratifiedRandomClassifier().fit(None, y).predict_classes(np.zeros(50))
    dl_layers.set_random_seed(7)
    second = StratifiedRandomClassifier().fit(None, y).predict_classes(np.zeros(50))
    np.testing.assert_array_equal(first, second)
    binary = StratifiedRandomClassifier(output="binary").fit(None, y).predict(np.zeros(2))
    np.testing.assert_allclose(binary, [[0.6], [0.6]])


@pytest.mark.parametrize("cls", [MajorityClassifier, StratifiedRandomClassifier])
def test_classifier_input_errors(cls):
    with pytest.raises(RuntimeError, match=f"{cls.__name__}.predict: call fit"):
        cls().predict(np.zeros(2))
    with pytest.raises(RuntimeError, match="predict_classes: call fit"):
        cls().predict_classes(np.zeros(2))
    with pytest.raises(ValueError, match="y is empty"):
        cls().fit(None, [])
    with pytest.raises(ValueError, match="x has 3 samples but y has 2"):
        cls().fit(np.zeros(3), [0, 1])
    with pytest.raises(TypeError, match="labels must be integer class ids.*0.5"):
        cls().fit(None, [0.0, 0.5, 1.0])
    with pytest.raises(TypeError, match="must hold numbers"):
        cls().fit(None, ["cat", "dog"])
    with pytest.raises(ValueError, match="class ids >= 0"):
        cls().fit(None, [0, -1])
    with pytest.raises(ValueError, match="one-hot rows"):
        cls().fit(None, [[0.5, 0.5], [1.0, 0.0]])
    with pytest.raises(ValueError, match=r"labels must have shape .*got \(2, 1, 1\)"):
        cls().fit(None, np.zeros((2, 1, 1)))
    with pytest.raises(ValueError, match="x is empty"):
        cls().fit(None, [0, 1]).predict([])
    with pytest.raises(ValueError, match="argument `output`"):
        cls(output="logits")


# -- regressors ------------------------------------------------------------------------------------


def test_mean_regressor_mae_equals_numpys():
    rng = np.random.default_rng(0)
    y_train, y_val = rng.normal(10, 3, size=50), rng.normal(11, 3, size=20)
    reg = MeanRegressor().fit(np.zeros((50, 2)), y_train)
    pred = reg.predict(np.zeros((20, 2)))
    assert pred.shape == (20, 1) and pred.dtype == np.float32
    loss, mae = evaluate_baseline(reg, np.zeros((20, 2)), y_val, metrics=["mae"])
    assert mae == pytest.approx(np.mean(np.abs(y_val - y_train.mean())), rel=1e-5)
    assert loss == pytest.approx(np.mean((y_val - y_train.mean()) ** 2), rel=1e-5)


def test_median_regressor_and_multi_output():
    y = np.array([[1.0, 10.0], [2.0, 20.0], [9.0, 90.0]])
    np.testing.assert_array_equal(MedianRegressor().fit(None, y).predict(np.zeros(2)), [[2, 20], [2, 20]])
    np.testing.assert_array_equal(MeanRegressor().fit(None, y).predict(np.zeros(1)), [[4, 40]])
    assert MedianRegressor.loss == "mae" and MeanRegressor.loss == "mse"


@pytest.mark.parametrize("cls", [MeanRegressor, MedianRegressor])
def test_regressor_input_errors(cls):
    with pytest.raises(RuntimeError, match="call fit"):
        cls().predict(np.zeros(2))
    with pytest.raises(ValueError, match="y is empty"):
        cls().fit(None, np.zeros(0))
    with pytest.raises(ValueError, match="x has 2 samples but y has 3"):
        cls().fit(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        cls().fit(None, [1.0, np.nan])
    with pytest.raises(ValueError, match="batch axis"):
        cls().fit(None, 3.0)


# -- persistence -------------------------------------------------------------------------------------


def test_persistence_forecast_predicts_the_last_value_of_the_target():
    x = np.random.default_rng(0).normal(size=(6, 5, 3))
    pred = PersistenceForecast(target_index=1).fit(x).predict(x)
    assert pred.shape == (6, 1) and pred.dtype == np.float32
    np.testing.assert_allclose(pred[:, 0], x[:, -1, 1], rtol=1e-6)
    np.testing.assert_allclose(PersistenceForecast().predict(x)[:, 0], x[:, -1, -1], rtol=1e-6)
    # normalized inputs, forecast in the original units (the book's `* std + mean`)
    scaled = PersistenceForecast(target_index=1, scale=2.0, offset=10.0).predict(x)
    np.testing.assert_allclose(scaled[:, 0], x[:, -1, 1] * 2 + 10, rtol=1e-6)


def test_persistence_mae_on_a_series():
    series = np.sin(np.arange(100) / 5.0)
    windows = np.stack([series[i:i + 10] for i in range(80)])[:, :, None]  # (80, 10, 1)
    targets = series[10:90]
    mae = evaluate_baseline(PersistenceForecast(), windows, targets)  # default loss: mae
    assert mae == pytest.approx(np.mean(np.abs(targets - series[9:89])), rel=1e-5)


def test_persistence_errors():
    with pytest.raises(ValueError, match=r"\(samples, timesteps, features\), got shape \(4, 3\)"):
        PersistenceForecast().predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"\(samples, timesteps, features\)"):
        PersistenceForecast().fit(np.zeros((4, 3, 2, 1)))
    with pytest.raises(ValueError, match="target_index 3 is out of range for 2 features"):
        PersistenceForecast(target_index=3).predict(np.zeros((1, 3, 2)))
    with pytest.raises(ValueError, match="x has 4 samples but y has 2"):
        PersistenceForecast().fit(np.zeros((4, 3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="x is empty"):
        PersistenceForecast().predict(np.zeros((0, 3, 2)))
    with pytest.raises(TypeError, match="argument `target_index` must be an integer"):
        PersistenceForecast(target_index=1.5)


# -- statistical models on the engine --------------------------------------------------------------------


def _regression_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, x @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=n)


def test_linear_regression_matches_lstsq():
    x, y = _regression_data()
    reg = LinearRegression(epochs=200, learning_rate=0.1).fit(x, y)
    solution = np.linalg.lstsq(np.c_[x, np.ones(len(x))], y, rcond=None)[0]
    np.testing.assert_allclose(reg.coef_[:, 0], solution[:3], atol=1e-4)
    np.testing.assert_allclose(reg.intercept_, solution[3:], atol=1e-4)
    assert isinstance(reg.model_, dl_layers.Model)
    np.testing.assert_allclose(reg.predict(x)[:, 0], x @ solution[:3] + solution[3], atol=1e-3)
    assert reg.predict(x).shape == (64, 1)


def test_linear_regression_l2_matches_ridge():
    from sklearn.linear_model import Ridge

    x, y = _regression_data()
    reg = LinearRegression(l2=0.1, epochs=300).fit(x, y)
    ridge = Ridge(alpha=0.1 * len(x)).fit(x, y)  # our loss is the mean, Ridge's the sum of squared errors
    np.testing.assert_allclose(reg.coef_[:, 0], ridge.coef_, atol=1e-4)
    np.testing.assert_allclose(reg.intercept_[0], ridge.intercept_, atol=1e-4)


def test_linear_regression_multi_output_and_mini_batches():
    x, y = _regression_data()
    reg = LinearRegression(epochs=60, batch_size=16).fit(x, np.c_[y, -y])
    assert reg.coef_.shape == (3, 2) and reg.predict(x).shape == (64, 2)
    np.testing.assert_allclose(reg.coef_[:, 0], -reg.coef_[:, 1], atol=0.05)


def test_engine_models_are_deterministic_under_the_seed():
    x, y = _regression_data()
    runs = []
    for _ in range(2):
        dl_layers.set_random_seed(5)
        runs.append(LinearRegression(epochs=20, batch_size=8).fit(x, y).coef_)
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's overflow warnings on the way to infinity
def test_linear_regression_divergence_is_reported():
    x, y = _regression_data()
    with pytest.raises(RuntimeError, match="diverged.*normalize x"):
        LinearRegression(learning_rate=1e6, epochs=50).fit(x * 1e3, y)


def test_logistic_regression_matches_sklearn_on_separable_data():
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    rng = np.random.default_rng(1)
    x = rng.normal(size=(120, 2))
    y = (x[:, 0] - 0.5 * x[:, 1] > 0.1).astype(int)
    clf = LogisticRegression(epochs=200).fit(x, y)
    ours = (clf.predict_classes(x) == y).mean()
    theirs = SkLogisticRegression().fit(x, y).score(x, y)
    assert ours >= 0.95 and abs(ours - theirs) <= 0.03
    assert clf.predict(x).shape == (120, 1) and clf.loss == "binary_crossentropy"
    assert clf.coef_.shape == (2, 1) and clf.intercept_.shape == (1,)
    # the direction of the boundary is sklearn's
    cosine = clf.coef_[:, 0] @ np.array([1.0, -0.5]) / np.linalg.norm(clf.coef_) / np.linalg.norm([1.0, -0.5])
    assert cosine > 0.98


def test_softmax_regression_for_several_classes():
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    rng = np.random.default_rng(2)
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.repeat([0, 1, 2], 30)
    x = centers[y] + rng.normal(size=(90, 2))
    clf = LogisticRegression(epochs=150).fit(x, y)
    probs = clf.predict(x)
    assert probs.shape == (90, 3) and clf.loss == "sparse_categorical_crossentropy"
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    ours = (clf.predict_classes(x) == y).mean()
    assert ours >= SkLogisticRegression().fit(x, y).score(x, y) - 0.03
    _, acc = evaluate_baseline(clf, x, y, metrics=["accuracy"])
    assert acc == pytest.approx(ours)


def test_engine_model_errors():
    x, y = _regression_data()
    with pytest.raises(RuntimeError, match="LinearRegression.predict: call fit"):
        LinearRegression().predict(x)
    with pytest.raises(ValueError, match=r"\(samples, features\), got \(64, 3, 1\)"):
        LinearRegression().fit(x[:, :, None], y)
    with pytest.raises(ValueError, match="x has 64 samples but y has 10"):
        LinearRegression().fit(x, y[:10])
    with pytest.raises(ValueError, match="x is empty"):
        LinearRegression().fit(np.zeros((0, 3)), np.zeros(0))
    reg = LinearRegression(epochs=1).fit(x, y)
    with pytest.raises(ValueError, match="x has 2 features but the model was fitted on 3"):
        reg.predict(np.zeros((4, 2)))
    with pytest.raises(TypeError, match="LogisticRegression.fit: labels must be integer class ids"):
        LogisticRegression().fit(x, y)
    with pytest.raises(ValueError, match="argument `epochs`"):
        LinearRegression(epochs=0)
    with pytest.raises(ValueError, match="argument `learning_rate`"):
        LogisticRegression(learning_rate=0)
    with pytest.raises(ValueError, match="argument `l2`"):
        LinearRegression(l2=-1)
    with pytest.raises(ValueError):  # dl-layers' error for an unknown optimizer
        LinearRegression(optimizer="newton")


# -- evaluate_baseline ---------------------------------------------------------------------------------


class _ModelPredictions:
    """A baseline that predicts what a dl-layers model predicts."""

    def __init__(self, model):
        self.model = model

    def predict(self, x):
        return self.model.predict(x, verbose=0)


@pytest.mark.parametrize("return_dict", [False, True])
def test_evaluate_baseline_equals_model_evaluate_for_regression(return_dict):
    x, y = _regression_data(n=70)
    model = dl_layers.Sequential([dl_layers.Dense(4, activation="relu"), dl_layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae", "mse"])
    expected = model.evaluate(x, y, verbose=0, return_dict=return_dict)
    got = evaluate_baseline(_ModelPredictions(model), x, y, loss="mse", metrics=["mae", "mse"],
                            return_dict=return_dict)
    assert got == expected  # same values, names and order (70 samples: a smaller last batch)
    weights = np.linspace(0.1, 2.0, 70)
    weighted = evaluate_baseline(_ModelPredictions(model), x, y, loss="mse", metrics=["mae", "mse"],
                                 sample_weight=weights, batch_size=16)
    assert weighted == model.evaluate(x, y, sample_weight=weights, batch_size=16, verbose=0)


def test_evaluate_baseline_equals_model_evaluate_for_classification():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 4)), rng.integers(0, 3, size=50)
    model = dl_layers.Sequential([dl_layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy", "sparse_top_k_categorical_accuracy"])
    expected = model.evaluate(x, y, verbose=0, return_dict=True)
    got = evaluate_baseline(_ModelPredictions(model), x, y, loss="sparse_categorical_crossentropy",
                            metrics=["accuracy", "sparse_top_k_categorical_accuracy"], return_dict=True)
    assert list(got) == list(expected)
    # the model's loss reaches back to the softmax's logits; the replayed probabilities agree closely
    for name in expected:
        assert got[name] == pytest.approx(expected[name], rel=1e-5)


def test_evaluate_baseline_without_metrics_returns_the_loss():
    y = np.array([1.0, 2.0, 3.0])
    loss = evaluate_baseline(MeanRegressor().fit(None, y), np.zeros(3), y)
    assert isinstance(loss, float) and loss == pytest.approx(2 / 3)


def test_evaluate_baseline_errors():
    y = np.array([0, 1, 1])
    clf = MajorityClassifier().fit(None, y)
    with pytest.raises(ValueError, match="metrics: unknown metric 'precission'"):
        evaluate_baseline(clf, np.zeros(3), y, metrics=["precission"])
    with pytest.raises(ValueError, match="unknown"):
        evaluate_baseline(clf, np.zeros(3), y, loss="crossentropy_of_doom")
    with pytest.raises(TypeError, match="must have a predict"):
        evaluate_baseline(object(), np.zeros(3), y)
    with pytest.raises(ValueError, match="has no default loss"):
        evaluate_baseline(_ModelPredictions(None), np.zeros(3), y)
    with pytest.raises(ValueError, match="made 4 predictions for x but y has 3"):
        evaluate_baseline(clf, np.zeros(4), y)
    with pytest.raises(RuntimeError, match="call fit"):
        evaluate_baseline(MajorityClassifier(), np.zeros(3), y)
