"""Checks shared by the metric tests, handed to them as fixtures (test files cannot import each other)."""

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_layers import metrics


def chunks(data, n):
    """Random cut points (empty chunks included): [(start, stop), ...] covering range(n)."""
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    return list(zip([0, *cuts], [*cuts, n]))


def check_against_numpy(case, data):
    """Run one case: ``case(data) -> (metric, y_true, y_pred, per-sample values, final transform)``.

    The metric fed in weighted chunks must give ``final(weighted mean of the values)``; a
    fresh copy (through serialize / deserialize) fed everything at once the same; after a
    reset, no weights mean equal weights.
    """
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


def check_shape_error(cls, true_shape, pred_shape, says):
    """A shape mismatch raises a ValueError naming the metric's class and name, both shapes and ``says``."""
    m = cls()
    with pytest.raises(ValueError) as info:
        m.update_state(np.zeros(true_shape), np.zeros(pred_shape))
    message = str(info.value)
    for part in (cls.__name__, repr(m.name), str(true_shape), str(pred_shape), says):
        assert part in message


@pytest.fixture(name="chunks", scope="session")
def _chunks():
    return chunks


@pytest.fixture(name="check_against_numpy", scope="session")
def _check_against_numpy():
    return check_against_numpy


@pytest.fixture(name="check_shape_error", scope="session")
def _check_shape_error():
    return check_shape_error
