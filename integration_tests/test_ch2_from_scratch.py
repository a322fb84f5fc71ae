"""Chapter 2 end to end: a two-layer network trained with nothing but dl-tensor.

The book's chapter 2 closes by reimplementing its first MNIST example from scratch:
dense layers as ``relu(x @ W + b)``, softmax cross-entropy, gradients from the tape, and
``W -= lr * grad``. Here the same on scikit-learn's digits, asserting that it learns.
"""

import numpy as np

import dl_tensor as dt
from dl_tensor import Tensor


def train_two_layer_net(x, y, epochs=30, batch_size=64, lr=0.1, hidden=64, seed=0):
    dt.set_random_seed(seed)
    n_in, n_out = x.shape[1], int(y.max()) + 1
    w1 = Tensor(dt.random.normal((n_in, hidden), stddev=np.sqrt(2 / n_in)), requires_grad=True)
    b1 = Tensor(np.zeros(hidden), requires_grad=True)
    w2 = Tensor(dt.random.normal((hidden, n_out), stddev=np.sqrt(1 / hidden)), requires_grad=True)
    b2 = Tensor(np.zeros(n_out), requires_grad=True)
    params = [w1, b1, w2, b2]

    def model(inputs):
        return dt.relu(inputs @ w1 + b1) @ w2 + b2  # (batch, 64) -> (batch, hidden) -> (batch, 10)

    losses = []
    for _ in range(epochs):
        order = dt.random.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):  # full batches only
            idx = order[start:start + batch_size]
            logits = model(Tensor(x[idx]))
            loss = -dt.log_softmax(logits)[np.arange(len(idx)), y[idx]].mean()
            for p in params:
                p.grad = None
            loss.backward()
            for p in params:
                p.data -= lr * p.grad
            losses.append(loss.item())
    return model, params, losses


def test_two_layer_net_learns_digits(digits):
    x_train, y_train, x_test, y_test = digits
    model, params, losses = train_two_layer_net(x_train, y_train)
    with dt.no_grad():
        predictions = model(Tensor(x_test)).data.argmax(axis=1)
    accuracy = (predictions == y_test).mean()
    majority = np.bincount(y_test).max() / len(y_test)
    assert majority < 0.15
    assert accuracy > 0.93, f"test accuracy {accuracy:.3f}"
    assert np.mean(losses[-20:]) < 0.2 * np.mean(losses[:20])
    assert all(p.dtype == np.float32 for p in params)  # nothing drifted to float64


def test_training_is_reproducible_with_one_seed(digits):
    x_train, y_train, _, _ = digits
    _, params_a, losses_a = train_two_layer_net(x_train[:300], y_train[:300], epochs=2)
    _, params_b, losses_b = train_two_layer_net(x_train[:300], y_train[:300], epochs=2)
    assert losses_a == losses_b
    for a, b in zip(params_a, params_b):
        np.testing.assert_array_equal(a.data, b.data)
