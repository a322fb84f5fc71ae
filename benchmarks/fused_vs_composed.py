"""Fused kernels against their readable composed twins: forward + backward time.

Each fused op of dl-layers (the cross-entropies, the normalization, ``GeluOp``) is timed
against its composed twin on the same float32 input, forward plus backward, alternating
in rounds; the table gives medians and the speed-up. (Whether a fused activation pays
for itself in a whole model is measured by ``fused_activations.py``.)

    python benchmarks/fused_vs_composed.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import timeit

import numpy as np

from dl_layers import activations, losses, regularizers
from dl_layers.layers.normalization import NormalizeOp, normalize_composed
from dl_tensor import Tensor


def cases():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((256, 10)).astype(np.float32)
    labels = rng.integers(0, 10, 256)
    targets = (rng.random((256, 10)) > 0.5).astype(np.float32)
    acts = rng.standard_normal((256, 512)).astype(np.float32)
    gamma, beta = np.ones((1, 512), np.float32), np.zeros((1, 512), np.float32)
    kernel = rng.standard_normal((784, 512)).astype(np.float32)

    def run(fn, *arrays):
        def step():
            tensors = [Tensor(a, requires_grad=True) for a in arrays]
            fn(*tensors).sum().backward()
        return step

    return {
        "sparse softmax cross-entropy (256, 10)": (
            run(lambda z: losses.SparseSoftmaxCrossEntropyOp(labels)(z), logits),
            run(lambda z: losses.sparse_softmax_cross_entropy_composed(z, labels), logits)),
        "sigmoid cross-entropy (256, 10)": (
            run(lambda z: losses.SigmoidCrossEntropyOp(targets)(z), logits),
            run(lambda z: losses.sigmoid_cross_entropy_composed(z, targets), logits)),
        "batch normalization (256, 512)": (
            run(lambda x, g, b: NormalizeOp((0,), 1e-3)(x, g, b), acts, gamma, beta),
            run(lambda x, g, b: normalize_composed(x, g, b, (0,), 1e-3), acts, gamma, beta)),
        "weight penalty l1 + l2 (784, 512)": (
            run(lambda w: regularizers.WeightPenaltyOp(1e-3, 1e-3)(w), kernel),
            run(lambda w: regularizers.weight_penalty_composed(w, 1e-3, 1e-3), kernel)),
        "gelu (256, 512)": (run(activations.gelu, acts), run(activations.gelu_composed, acts)),
        "gelu, tanh approximation (256, 512)": (
            run(lambda x: activations.gelu(x, approximate=True), acts),
            run(lambda x: activations.gelu_composed(x, approximate=True), acts)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20)
    args = parser.parse_args(argv)
    print("| computation | fused (µs) | composed (µs) | speed-up |")
    print("|---|---:|---:|---:|")
    rows = []
    for name, (fused, composed) in cases().items():
        fused(), composed()
        f_times, c_times = [], []
        for _ in range(args.rounds):
            f_times.append(timeit.timeit(fused, number=args.number) / args.number)
            c_times.append(timeit.timeit(composed, number=args.number) / args.number)
        f, c = statistics.median(f_times), statistics.median(c_times)
        rows.append((name, f, c))
        print(f"| {name} | {f * 1e6:.0f} | {c * 1e6:.0f} | {c / f:.1f}x |")
    return rows


if __name__ == "__main__":
    main()
