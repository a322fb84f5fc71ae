import numpy as np
import pytest


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 1,797 8x8 digit images (ships inside the wheel: no network).

    Returns x_train (1347, 64) float32 in [0, 1], y_train (1347,), x_test (450, 64), y_test (450,).
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    return x[:1347], y[:1347], x[1347:], y[1347:]
