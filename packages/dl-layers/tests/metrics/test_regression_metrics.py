"""Regression metrics (MAE, MSE, RMSE, MAPE) against plain NumPy computations."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_layers import metrics

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

REAL = st.floats(-100.0, 100.0, width=32)


def regression_batch(data, targets=REAL):
    n, d = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 4))
    t = data.draw(hnp.arrays(np.float32, (n, d), elements=targets))
    p = data.draw(hnp.arrays(np.float32, (n, d), elements=REAL))
    return t.astype(np.float64), p.astype(np.float64)


# -- cases: each draws (metric, y_true, y_pred, expected per-sample values, final transform) --


def case_mae(data):
    t, p = regression_batch(data)
    return metrics.MeanAbsoluteError(), t, p, np.abs(t - p).mean(axis=-1), float


def case_mse(data):
    t, p = regression_batch(data)
    return metrics.MeanSquaredError(), t, p, ((t - p) ** 2).mean(axis=-1), float


def case_rmse(data):
    t, p = regression_batch(data)
    return metrics.RootMeanSquaredError(), t, p, ((t - p) ** 2).mean(axis=-1), math.sqrt


def case_mape(data):
    away_from_zero = st.one_of(st.floats(0.5, 100.0, width=32), st.floats(-100.0, -0.5, width=32))
    t, p = regression_batch(data, away_from_zero)
    return metrics.MeanAbsolutePercentageError(), t, p, (100 * np.abs((t - p) / t)).mean(axis=-1), float


def case_sequence_mae(data):
    n, steps, d = (data.draw(st.integers(1, 6)) for _ in range(3))
    t = data.draw(hnp.arrays(np.float64, (n, steps, d), elements=REAL))
    p = data.draw(hnp.arrays(np.float64, (n, steps, d), elements=REAL))
    return metrics.MeanAbsoluteError(), t, p, np.abs(t - p).mean(axis=-1).mean(axis=-1), float


def case_flat_mse(data):  # (batch,) targets and predictions: one value per sample
    t, p = regression_batch(data)
    return metrics.MeanSquaredError(), t[:, 0], p[:, 0], (t[:, 0] - p[:, 0]) ** 2, float


CASES = [case_mae, case_mse, case_rmse, case_mape, case_sequence_mae, case_flat_mse]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
@FAST
@given(data=st.data())
def test_metric_matches_numpy(case, data, check_against_numpy):
    check_against_numpy(case, data)


def test_rmse_is_the_root_of_the_whole_mean_not_a_mean_of_roots():
    m = metrics.RootMeanSquaredError()
    m.update_state([[0.0]], [[3.0]])  # squared error 9
    m.update_state([[0.0], [0.0], [0.0]], [[1.0], [1.0], [1.0]])  # squared errors 1, 1, 1
    assert m.result() == pytest.approx(math.sqrt(12 / 4))


def test_functions_keep_float64_and_floor_zero_targets():
    assert metrics.mae(np.array([[1.0]]), np.array([[0.5]])).dtype == np.float64
    assert metrics.mse(np.array([[1.0]], np.float32), np.array([[0.5]], np.float32)).dtype == np.float32
    assert metrics.mse([[1]], [[3]]).tolist() == [4.0]  # integers become floats
    assert metrics.mape([[0.0]], [[1.0]]).tolist() == [pytest.approx(100 / 1e-7)]  # huge but finite


def test_mismatch_names_metric_and_shapes(check_shape_error):
    check_shape_error(metrics.MeanSquaredError, (32, 3), (32, 1), "same shape")
    check_shape_error(metrics.RootMeanSquaredError, (8, 2), (8, 3), "same shape")


def test_nan_predictions():
    mse = metrics.MeanSquaredError()
    mse.update_state([[1.0], [2.0]], [[np.nan], [2.0]])
    assert math.isnan(mse.result())
