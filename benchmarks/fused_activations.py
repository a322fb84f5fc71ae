"""Do fused activation ops earn their place? The book's first network, fused against composed.

A fused activation (one ``Op`` with a hand-written backward) stays in
``dl_layers.activations`` only if it makes a model of the book train at least 3 % faster
than the same activation written with dl-tensor ops; otherwise the composed version is
the implementation. The model is the book's first network, ``Dense(512, activation=X)``
then ``Dense(10, activation="softmax")`` on 784 inputs, RMSprop, sparse categorical
cross-entropy, batch 128, trained with ``model.fit(..., epochs=1, verbose=0)`` over 20
different random batches per call. For each activation two such models take turns
(``harness.compare``: alternating rounds of ``--seconds`` per side), one with the fused
version, one with the composed version passed as ``activation=``; the decision uses
the median of the per-round ratios, fused / composed.

    python benchmarks/fused_activations.py [--rounds 25] [--seconds 1.0] [gelu elu ...]

Measured on the 2-core machine of the results page while other jobs shared it (hence
many short rounds: the median of 25 per-round ratios; the throughputs, medians over
rounds, move with the load and only the ratio is meant to be compared):

| activation | fused (samples/s) | composed (samples/s) | ratio | kept? |
|---|---:|---:|---:|---|
| gelu | 17,467 | 15,893 | 1.128 | yes |
| elu | 19,476 | 19,037 | 1.017 | no |
| selu | 16,040 | 16,058 | 0.988 | no |
| swish | 17,193 | 16,492 | 1.019 | no |
| leaky_relu | 17,128 | 17,714 | 0.963 | no |
| softplus | 18,236 | 19,221 | 0.987 | no |

An earlier run of 25 rounds (with the composed versions as they were then, nearly the
same) gave ratios of 1.137, 0.991, 1.016, 1.015, 0.986 and 1.015, in the same order.
Only ``GeluOp`` stays: a composed gelu is a chain of 24 small ops, the others are 2 to 8.
The fused versions of the five others are kept below, not in dl-layers, so that this
measurement can be repeated (each is checked against the library's version first).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import compare, round_ratio  # noqa: E402

from dl_layers import activations  # noqa: E402
from dl_tensor import Op, Tensor  # noqa: E402
from dl_tensor.elementwise import stable_sigmoid  # noqa: E402

BATCH, BATCHES_PER_CALL, THRESHOLD = 128, 20, 1.03


# -- the fused ops that did not earn their place (not part of dl-layers) --------------------


class EluOp(Op):
    """``x`` if x > 0 else ``alpha * (exp(x) - 1)``; derivative 1 or ``alpha * exp(x)``."""

    def __init__(self, alpha=1.0, scale=1.0):  # scale: SELU's
        self.alpha, self.scale = alpha, scale

    def forward(self, x):
        pos, neg = x > 0, np.minimum(x, 0)
        self.save_for_backward(pos, np.exp(neg))
        return self.scale * np.where(pos, x, self.alpha * np.expm1(neg))

    def backward(self, grad):
        pos, exp_neg = self.saved
        return self.scale * np.where(pos, grad, grad * (self.alpha * exp_neg))


class SwishOp(Op):
    """``x * s`` with ``s = sigmoid(x)``; derivative ``s + x s (1 - s)``."""

    def forward(self, x):
        s = stable_sigmoid(x)
        self.save_for_backward(x, s)
        return x * s

    def backward(self, grad):
        x, s = self.saved
        return grad * (s * (1.0 + x * (1.0 - s)))


class LeakyReluOp(Op):
    """``x`` if x > 0 else ``0.2 x``; derivative 1 or 0.2."""

    def forward(self, x):
        pos = x > 0
        self.save_for_backward(pos)
        return np.where(pos, x, 0.2 * x)

    def backward(self, grad):
        (pos,) = self.saved
        return np.where(pos, grad, 0.2 * grad)


class SoftplusOp(Op):
    """``max(x, 0) + log1p(exp(-|x|))``; derivative ``sigmoid(x)``."""

    def forward(self, x):
        self.save_for_backward(stable_sigmoid(x))
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, grad):
        (s,) = self.saved
        return grad * s


def pairs() -> dict:
    """activation: (fused version, composed version), both ``Tensor -> Tensor``."""
    return {
        "gelu": (activations.gelu, activations.gelu_composed),
        "elu": (lambda x: EluOp()(x), activations.elu),
        "selu": (lambda x: EluOp(activations.SELU_ALPHA, activations.SELU_SCALE)(x), activations.selu),
        "swish": (lambda x: SwishOp()(x), activations.swish),
        "leaky_relu": (lambda x: LeakyReluOp()(x), activations.leaky_relu),
        "softplus": (lambda x: SoftplusOp()(x), activations.softplus),
    }


def check_same(fused, composed) -> None:
    """Both versions give the same values and gradients (float32) before they are timed."""
    x = np.random.default_rng(1).normal(0.0, 3.0, (64, 32)).astype(np.float32)
    results = []
    for fn in (fused, composed):
        t = Tensor(x, requires_grad=True)
        y = fn(t)
        (y * y).sum().backward()
        results.append((y.numpy(), t.grad))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4, atol=1e-4)


def training(activation):
    """A step function for ``compare``: one ``fit`` over 20 random batches; returns the samples seen."""
    import dl_layers as L

    L.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH * BATCHES_PER_CALL, 784)).astype(np.float32)  # (2560, 784)
    y = rng.integers(0, 10, BATCH * BATCHES_PER_CALL)  # (2560,)
    model = L.Sequential([L.Dense(512, activation=activation, input_shape=(784,)),
                          L.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")

    def step():
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        return len(x)

    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("names", nargs="*", help="activations to measure (default: all six)")
    args = parser.parse_args(argv)
    candidates = pairs()
    print("| activation | fused (samples/s) | composed (samples/s) | ratio | kept? |")
    print("|---|---:|---:|---:|---|")
    rows = []
    for name in args.names or candidates:
        fused, composed = candidates[name]
        check_same(fused, composed)
        res = compare({"fused": training(fused), "composed": training(composed)},
                      rounds=args.rounds, seconds=args.seconds)
        ratio = round_ratio(res, "fused", "composed")
        f, c = res["fused"]["median"], res["composed"]["median"]
        rows.append((name, f, c, ratio))
        print(f"| {name} | {f:,.0f} | {c:,.0f} | {ratio:.3f} | {'yes' if ratio >= THRESHOLD else 'no'} |", flush=True)
    return rows


if __name__ == "__main__":
    main()
