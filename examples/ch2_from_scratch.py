"""Chapter 2's "reimplementing our first example from scratch", with dl-tensor alone.

A two-layer network built from nothing but dl-tensor's Tensor, trained with hand-written
mini-batch gradient descent on a generated three-class spiral (2-D points), the way the
book's chapter 2 trains NaiveDense/NaiveSequential on MNIST. Runs in a few seconds.

    python examples/ch2_from_scratch.py --epochs 30      (part of: tox -e demo)
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import dl_tensor as dt
from dl_tensor import Tensor


def make_spirals(n_per_class: int, n_classes: int = 3, noise: float = 0.35, seed: int = 0):
    """Points on interleaved spirals: x (n, 2) float32, y (n,) int64. Not linearly separable."""
    rng = np.random.default_rng(seed)
    r = np.linspace(0.05, 1.0, n_per_class)                                   # (n_per_class,)
    xs, ys = [], []
    for k in range(n_classes):
        angle = np.linspace(k * 2 * math.pi / n_classes, k * 2 * math.pi / n_classes + 4.5, n_per_class)
        angle = angle + rng.normal(0, noise, n_per_class)
        xs.append(np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))   # (n_per_class, 2)
        ys.append(np.full(n_per_class, k))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


class NaiveDense:
    """output = activation(input @ W + b), W (in, out), b (out,)."""

    def __init__(self, input_size: int, output_size: int, activation=None):
        limit = math.sqrt(6 / (input_size + output_size))  # Glorot uniform
        self.W = Tensor(dt.random.uniform((input_size, output_size), -limit, limit), requires_grad=True)
        self.b = Tensor(np.zeros(output_size, np.float32), requires_grad=True)
        self.activation = activation

    def __call__(self, inputs: Tensor) -> Tensor:
        out = inputs @ self.W + self.b   # (batch, in) @ (in, out) + (out,) -> (batch, out)
        return self.activation(out) if self.activation else out

    @property
    def weights(self):
        return [self.W, self.b]


class NaiveSequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]


def sparse_categorical_crossentropy(logits: Tensor, labels: np.ndarray) -> Tensor:
    """Mean of -log softmax(logits)[label], computed stably from logits."""
    log_probs = dt.log_softmax(logits, axis=-1)                 # (batch, classes)
    return -log_probs[np.arange(len(labels)), labels].mean()    # pick each row's label


def fit(model, x, y, epochs: int, batch_size: int = 64, learning_rate: float = 0.5, verbose: bool = True):
    for epoch in range(epochs):
        order = dt.random.permutation(len(x))
        losses = []
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            loss = sparse_categorical_crossentropy(model(Tensor(x[idx])), y[idx])
            for w in model.weights:
                w.grad = None
            loss.backward()
            for w in model.weights:           # gradient descent: w <- w - lr * dL/dw
                w.data -= learning_rate * w.grad
            losses.append(loss.item())
        if verbose and (epoch % 5 == 4 or epoch == epochs - 1):
            print(f"epoch {epoch + 1:3d}  loss {np.mean(losses):.4f}  accuracy {accuracy(model, x, y):.3f}")


@dt.no_grad()
def accuracy(model, x, y) -> float:
    return float((model(Tensor(x)).data.argmax(axis=1) == y).mean())


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    dt.set_random_seed(args.seed)
    x, y = make_spirals(500)
    order = dt.random.permutation(len(x))
    x, y = x[order], y[order]
    x_train, y_train, x_test, y_test = x[:1200], y[:1200], x[1200:], y[1200:]
    print(f"spirals: {len(x_train)} training and {len(x_test)} test points, 3 classes "
          f"(majority baseline {np.bincount(y_test).max() / len(y_test):.3f})")

    model = NaiveSequential([NaiveDense(2, 64, dt.relu), NaiveDense(64, 64, dt.relu), NaiveDense(64, 3)])
    start = time.perf_counter()
    fit(model, x_train, y_train, epochs=args.epochs)
    test_acc = accuracy(model, x_test, y_test)
    print(f"test accuracy {test_acc:.3f} after {args.epochs} epochs in {time.perf_counter() - start:.1f} s")
    return test_acc


if __name__ == "__main__":
    main()
