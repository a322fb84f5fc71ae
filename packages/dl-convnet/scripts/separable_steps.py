"""Where the time of a ``SeparableConv2D`` goes: its two steps against a ``Conv2D``, per multiplication.

    nice -n 10 python packages/dl-convnet/scripts/separable_steps.py [--rounds 7] [--number 5]   # ~10 s

The shapes are those of ``benchmarks/separable_vs_conv.py``: a batch of 32 feature maps of
32x32 with 32 channels, a 3x3 window, 64 filters, "valid" padding. Three fused ops are
timed, forward and backward (the input's gradient included, as inside a model), on float32
arrays, alternating in rounds; each figure is the median over rounds:

* the ``Conv2D``: ``Conv2DOp`` with a 3x3x32x64 kernel and a relu;
* the separable layer's first step: ``DepthwiseConv2DOp`` with a 3x3x32x1 kernel, no bias;
* its second step: ``Conv2DOp`` with a 1x1x32x64 kernel and a relu, on the 30x30 maps;
* and, as the benchmark does, the two layers whole: ``Conv2D(64, 3, activation="relu")`` and
  ``SeparableConv2D(64, 3, activation="relu")``.

For each op, the table gives the multiply-adds of the forward pass and the rate at which the
whole step (forward and backward, about three times the forward's multiply-adds) gets
through them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import timeit
from datetime import UTC, datetime

import numpy as np

import dl_convnet
from dl_convnet import Conv2D, Conv2DOp, DepthwiseConv2DOp, SeparableConv2D
from dl_tensor import Tensor, set_random_seed

SHAPE, FILTERS, KERNEL = (32, 32, 32, 32), 64, 3


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=5, help="steps per round")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    n, h, w, c = SHAPE
    out = h - KERNEL + 1  # 30: "valid"
    x = rng.standard_normal(SHAPE).astype(np.float32)
    middle = rng.standard_normal((n, out, out, c)).astype(np.float32)  # the depthwise step's output shape
    conv_kernel = (rng.standard_normal((KERNEL, KERNEL, c, FILTERS)) * 0.06).astype(np.float32)
    depthwise_kernel = (rng.standard_normal((KERNEL, KERNEL, c, 1)) * 0.3).astype(np.float32)
    pointwise_kernel = (rng.standard_normal((1, 1, c, FILTERS)) * 0.2).astype(np.float32)
    bias = np.zeros(FILTERS, np.float32)
    pixels = n * out * out

    def step(op, inputs):
        def run():
            tensors = [Tensor(a, requires_grad=True) for a in inputs]
            op()(*tensors).sum().backward()
        return run

    def layer_step(layer):
        layer(x[:1])  # build

        def run():
            layer(Tensor(x, requires_grad=True)).sum().backward()
        return run

    set_random_seed(0)
    steps = {  # name: (step, forward multiply-adds)
        f"Conv2D({FILTERS}, {KERNEL}): Conv2DOp, 3x3 kernel": (
            step(lambda: Conv2DOp(relu=True), (x, conv_kernel, bias)), pixels * KERNEL * KERNEL * c * FILTERS),
        "SeparableConv2D step 1: DepthwiseConv2DOp, 3x3 per channel": (
            step(lambda: DepthwiseConv2DOp(use_bias=False), (x, depthwise_kernel)), pixels * KERNEL * KERNEL * c),
        "SeparableConv2D step 2: Conv2DOp, 1x1 kernel": (
            step(lambda: Conv2DOp(relu=True), (middle, pointwise_kernel, bias)), pixels * c * FILTERS),
        f"layer Conv2D({FILTERS}, {KERNEL})": (layer_step(Conv2D(FILTERS, KERNEL, activation="relu")),
                                             pixels * KERNEL * KERNEL * c * FILTERS),
        f"layer SeparableConv2D({FILTERS}, {KERNEL})": (
            layer_step(SeparableConv2D(FILTERS, KERNEL, activation="relu")),
            pixels * (KERNEL * KERNEL * c + c * FILTERS)),
    }
    load = os.getloadavg()[0]  # other processes sharing the cores, over the last minute
    for run, _ in steps.values():
        run()  # warm up
    times = {name: [] for name in steps}
    names = list(steps)
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else reversed(names):
            times[name].append(timeit.timeit(steps[name][0], number=args.number) / args.number)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NumPy {np.__version__}, dl-convnet {dl_convnet.__version__}; input {SHAPE} float32, forward + backward, "
          f"median of {args.rounds} rounds of {args.number} steps; load average before: {load:.2f}\n")
    print("| step | forward multiply-adds (millions) | time (ms) | multiply-adds per second, forward + backward "
          "(billions) |")
    print("|---|---:|---:|---:|")
    for name in names:
        macs = steps[name][1]
        print(f"| {name} | {macs / 1e6:.1f} | {medians[name] * 1e3:.1f} | {3 * macs / medians[name] / 1e9:.2f} |")
    depthwise, pointwise, conv_layer, separable_layer = names[1], names[2], names[3], names[4]
    separable = medians[depthwise] + medians[pointwise]
    share = steps[depthwise][1] / (steps[depthwise][1] + steps[pointwise][1])  # of the multiply-adds
    print(f"\nthe two steps: {separable * 1e3:.1f} ms, of which the depthwise step "
          f"{medians[depthwise] / separable:.0%} (it does {share:.0%} of the multiply-adds); "
          f"Conv2D / separable: {medians[names[0]] / separable:.1f}x")
    print(f"the layers: {conv_layer} / {separable_layer}: {medians[conv_layer] / medians[separable_layer]:.1f}x "
          f"the time, for {steps[conv_layer][1] / steps[separable_layer][1]:.1f}x the multiply-adds")
    return medians


if __name__ == "__main__":
    main()
