"""Chapter 7's point in figures: ``SeparableConv2D`` against ``Conv2D``, parameters and time.

Both layers map (32, 32, 32, 32) float32 feature maps (batch, height, width, 32 channels)
to 64 channels with a 3x3 window ("valid" padding, relu). Each step is a forward and a
backward pass (the input needs its gradient too, as inside a model); the two layers
alternate in rounds and each figure is the median over rounds.

    python benchmarks/separable_vs_conv.py [--rounds 7] [--number 5]
"""

from __future__ import annotations

import argparse
import statistics
import timeit

import numpy as np

from dl_convnet import Conv2D
from dl_convnet.separable_conv import SeparableConv2D
from dl_tensor import Tensor, set_random_seed

SHAPE, FILTERS, KERNEL = (32, 32, 32, 32), 64, 3


def layers() -> dict:
    set_random_seed(0)
    return {
        f"Conv2D({FILTERS}, {KERNEL})": Conv2D(FILTERS, KERNEL, activation="relu"),
        f"SeparableConv2D({FILTERS}, {KERNEL})": SeparableConv2D(FILTERS, KERNEL, activation="relu"),
    }


def step_of(layer, x: np.ndarray):
    def step():
        inputs = Tensor(x, requires_grad=True)
        layer(inputs).sum().backward()
    return step


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=5, help="steps per round")
    args = parser.parse_args(argv)
    x = np.random.default_rng(0).standard_normal(SHAPE).astype(np.float32)
    steps, params = {}, {}
    for name, layer in layers().items():
        layer(x[:1])  # build
        params[name] = layer.count_params()
        steps[name] = step_of(layer, x)
        steps[name]()  # warm up
    times = {name: [] for name in steps}
    names = list(steps)
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else reversed(names):  # alternate the order: neither always runs second
            times[name].append(timeit.timeit(steps[name], number=args.number) / args.number)
    medians = {name: statistics.median(t) for name, t in times.items()}
    conv, separable = names
    print(f"input {SHAPE} float32, forward + backward, median of {args.rounds} rounds of {args.number} steps\n")
    print("| layer | parameters | time (ms) |")
    print("|---|---:|---:|")
    for name in names:
        print(f"| {name} | {params[name]:,} | {medians[name] * 1e3:.1f} |")
    print(f"\n{separable}: {params[conv] / params[separable]:.1f}x fewer parameters, "
          f"{medians[conv] / medians[separable]:.1f}x faster")
    return {name: (params[name], medians[name]) for name in names}


if __name__ == "__main__":
    main()
