"""learning_curve says whether more data helps; capacity_sweep finds underfitting then overfitting."""

import numpy as np
import pytest

from dl_layers import Dense, Sequential
from dl_layers.optimizers import RMSprop
from dl_workflow.baselines import MeanRegressor
from dl_workflow.capacity import capacity_sweep
from dl_workflow.learning_curves import learning_curve


def _linear_task(n, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    return x, (x @ np.arange(1.0, 6.0, dtype=np.float32) + noise * rng.normal(size=n)).astype(np.float32)


def build_linear():
    model = Sequential([Dense(1, input_shape=(5,))])
    model.compile(optimizer=RMSprop(0.05), loss="mse", metrics=["mae"])
    return model


def test_learning_curve_improves_with_data_and_beats_the_baseline():
    x, y = _linear_task(400)
    x_val, y_val = _linear_task(200, seed=1)
    curve = learning_curve(build_linear, x, y, (x_val, y_val), train_sizes=(8, 40, 400),
                           fit_kwargs={"epochs": 20, "batch_size": 8}, baseline=MeanRegressor())
    assert curve.sizes == [8, 40, 400]
    mse = curve.scores["loss"]
    assert mse[-1] < mse[0]
    base = curve.baseline_scores["loss"]
    np.testing.assert_allclose(base[-1], np.mean((y_val - y.mean()) ** 2), rtol=1e-4)  # the mean predictor's MSE
    assert mse[-1] < 0.2 * base[-1]
    assert "does not beat" not in curve.verdict()


def test_the_verdict_on_uninformative_inputs():
    rng = np.random.default_rng(0)
    x, x_val = rng.normal(size=(200, 5)).astype(np.float32), rng.normal(size=(100, 5)).astype(np.float32)
    y, y_val = rng.normal(size=200).astype(np.float32), rng.normal(size=100).astype(np.float32)  # no relation
    curve = learning_curve(build_linear, x, y, (x_val, y_val), train_sizes=(0.5, 1.0),
                           fit_kwargs={"epochs": 10, "batch_size": 16}, baseline=MeanRegressor())
    assert "does not beat the baseline" in curve.verdict()


def test_learning_curve_subsets_are_nested_and_sizes_checked():
    x, y = _linear_task(50)
    with pytest.raises(ValueError, match="must grow strictly"):
        learning_curve(build_linear, x, y, (x, y), train_sizes=(20, 10))
    with pytest.raises(ValueError, match="train_sizes"):
        learning_curve(build_linear, x, y, (x, y), train_sizes=(0.0, 1.0))
    with pytest.raises(ValueError, match="monitor='auc' is not among"):
        learning_curve(build_linear, x, y, (x, y), train_sizes=(1.0,), fit_kwargs={"epochs": 1}, monitor="auc")


def test_capacity_sweep_first_underfits_then_overfits():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 20)).astype(np.float32)
    y = (x[:, 0] + 0.5 * rng.normal(size=60)).astype(np.float32)  # few noisy samples, many inputs
    x_val = rng.normal(size=(200, 20)).astype(np.float32)
    y_val = x_val[:, 0].astype(np.float32)

    def build(units):
        model = Sequential([Dense(units, activation="relu", input_shape=(20,)), Dense(1)])
        model.compile(optimizer=RMSprop(0.01), loss="mse")
        return model

    report = capacity_sweep(build, [1, 256], x, y, (x_val, y_val), fit_kwargs={"epochs": 60, "batch_size": 16})
    small, large = report.rows
    assert large["params"] > 100 * small["params"]
    assert large["verdict"].startswith("overfits after epoch")
    assert large["final_gap"] > large["gap_at_best"] > -1  # the gap widens after the best epoch
    assert large["best_epoch"] < 60
    assert "best val_loss" in report.table() and len(report.histories) == 2
    with pytest.raises(ValueError, match="must be a validation metric"):
        capacity_sweep(build, [1], x, y, (x_val, y_val), monitor="loss")
