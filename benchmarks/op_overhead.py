"""Per-op overhead of dl-tensor's autodiff engine against hand-written NumPy.

The book's small models run thousands of tiny ops per training step, so the fixed cost
of recording an op and walking it backward matters. Each case times forward + backward
through the engine and the same arithmetic written by hand in NumPy (what backward has
to deliver, with no engine), in alternating rounds; it prints medians and the ratio.

    python benchmarks/op_overhead.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import timeit

import numpy as np

import dl_tensor as dt
from dl_tensor import Tensor


def cases():
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((32, 32)).astype(np.float32)
    b_np = rng.standard_normal((32, 32)).astype(np.float32)
    x_np = rng.standard_normal((32, 64)).astype(np.float32)
    w_np = rng.standard_normal((64, 32)).astype(np.float32)
    bias_np = rng.standard_normal(32).astype(np.float32)
    a, b = Tensor(a_np, requires_grad=True), Tensor(b_np, requires_grad=True)
    x, w, bias = Tensor(x_np), Tensor(w_np, requires_grad=True), Tensor(bias_np, requires_grad=True)

    def engine_add():
        a.grad = b.grad = None
        (a + b).backward(np.ones((32, 32), np.float32))

    def numpy_add():
        c = a_np + b_np  # forward
        g = np.ones_like(c)  # seed
        return c, g, g  # d/da = d/db = g

    def engine_dense():
        w.grad = bias.grad = None
        dt.relu(x @ w + bias).sum().backward()

    def numpy_dense():
        z = x_np @ w_np + bias_np  # (32, 64) @ (64, 32) + (32,)
        out = np.maximum(z, 0)
        out.sum()
        g = np.ones_like(out) * (z > 0)  # d sum / d z through relu
        return g.sum(axis=0), x_np.T @ g  # d/dbias, d/dw

    return {
        "add (32, 32): forward + backward": (engine_add, numpy_add),
        "relu(x @ w + b).sum(), x (32, 64): forward + backward": (engine_dense, numpy_dense),
    }


def measure(fn, number: int) -> float:
    return timeit.timeit(fn, number=number) / number


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=5000)
    args = parser.parse_args(argv)
    rows = []
    for name, (engine, numpy_twin) in cases().items():
        engine(), numpy_twin()  # warm up
        e_times, n_times = [], []
        for _ in range(args.rounds):  # alternate so drift hits both alike
            e_times.append(measure(engine, args.number))
            n_times.append(measure(numpy_twin, args.number))
        e, n = statistics.median(e_times), statistics.median(n_times)
        rows.append((name, e * 1e6, n * 1e6, e / n))
    print("| case | dl-tensor (µs) | NumPy by hand (µs) | ratio |")
    print("|---|---:|---:|---:|")
    for name, e, n, r in rows:
        print(f"| {name} | {e:.2f} | {n:.2f} | {r:.2f}x |")
    return rows


if __name__ == "__main__":
    main()
