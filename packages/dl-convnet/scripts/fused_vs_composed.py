"""The chapter's fused ops against their readable composed twins: forward + backward time.

    nice -n 10 python packages/dl-convnet/scripts/fused_vs_composed.py [--rounds 7] [--number 5]   # ~10 s

Each case runs one forward and one backward pass of a fused op (``Conv2DOp``, ``Pool2DOp``,
``DepthwiseConv2DOp``, ``Conv2DTransposeOp``) and of its composed twin on the same float32
arrays, on the shapes of chapter 5's first convnet with a batch of 64 (the depthwise and
transposed cases use shapes of the same size). Inputs that are a layer's output in a model
need their gradient; the images fed to the first convolution do not, as in ``fit``. The
two versions alternate in rounds (which one goes first alternates too) and each figure is
the median over rounds. The relu is part of both sides where the layer fuses it.
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
import dl_tensor as dt
from dl_convnet import (
    Conv2DOp,
    Conv2DTransposeOp,
    DepthwiseConv2DOp,
    Pool2DOp,
    conv2d_composed,
    conv2d_transpose_composed,
    depthwise_conv2d_composed,
    pool2d_composed,
)
from dl_convnet.conv_transpose import deconv_output_length, transpose_crop
from dl_tensor import Tensor

BATCH = 64


def cases() -> dict:
    """{name: (fused step, composed step)}; each step builds fresh tensors, runs forward and backward."""
    rng = np.random.default_rng(0)

    def array(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    def step(fn, arrays, input_grad=True):
        def run():
            x, *weights = arrays
            tensors = [Tensor(x, requires_grad=input_grad)] + [Tensor(w, requires_grad=True) for w in weights]
            fn(*tensors).sum().backward()
        return run

    images, kernel1, bias1 = array(BATCH, 28, 28, 1), array(3, 3, 1, 32) * 0.3, np.zeros(32, np.float32)
    maps, kernel2, bias2 = array(BATCH, 13, 13, 32), array(3, 3, 32, 64) * 0.06, np.zeros(64, np.float32)
    pooled = array(BATCH, 26, 26, 32)
    depthwise, bias_dw = array(3, 3, 32, 1) * 0.3, np.zeros(32, np.float32)
    small, kernel_t, bias_t = array(BATCH, 7, 7, 64), array(3, 3, 32, 64) * 0.04, np.zeros(32, np.float32)
    size = deconv_output_length(7, 3, 2, "same")  # 14
    crop = transpose_crop(7, size, 3, 2, "same")
    return {
        "Conv2D(32, 3), relu: (64, 28, 28, 1) -> (64, 26, 26, 32)": (
            step(lambda x, k, b: Conv2DOp(relu=True)(x, k, b), (images, kernel1, bias1), input_grad=False),
            step(lambda x, k, b: dt.relu(conv2d_composed(x, k, b)), (images, kernel1, bias1), input_grad=False)),
        "Conv2D(64, 3), relu: (64, 13, 13, 32) -> (64, 11, 11, 64)": (
            step(lambda x, k, b: Conv2DOp(relu=True)(x, k, b), (maps, kernel2, bias2)),
            step(lambda x, k, b: dt.relu(conv2d_composed(x, k, b)), (maps, kernel2, bias2))),
        "MaxPooling2D(2): (64, 26, 26, 32) -> (64, 13, 13, 32)": (
            step(lambda x: Pool2DOp()(x), (pooled,)),
            step(lambda x: pool2d_composed(x), (pooled,))),
        "DepthwiseConv2D(3), relu: (64, 13, 13, 32) -> (64, 11, 11, 32)": (
            step(lambda x, k, b: DepthwiseConv2DOp(relu=True)(x, k, b), (maps, depthwise, bias_dw)),
            step(lambda x, k, b: dt.relu(depthwise_conv2d_composed(x, k, b)), (maps, depthwise, bias_dw))),
        "Conv2DTranspose(32, 3, strides=2, 'same'), relu: (64, 7, 7, 64) -> (64, 14, 14, 32)": (
            step(lambda x, k, b: Conv2DTransposeOp((size, size), (crop, crop), (2, 2), relu=True)(x, k, b),
                 (small, kernel_t, bias_t)),
            step(lambda x, k, b: dt.relu(conv2d_transpose_composed(x, k, b, strides=(2, 2), padding="same")),
                 (small, kernel_t, bias_t))),
    }


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=5, help="steps per round")
    args = parser.parse_args(argv)
    print(f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NumPy {np.__version__}, dl-convnet {dl_convnet.__version__}; float32, forward + backward, "
          f"median of {args.rounds} rounds of {args.number} steps\n")
    print("| computation | fused (ms) | composed (ms) | fused is faster by |")
    print("|---|---:|---:|---:|")
    rows = []
    for name, (fused, composed) in cases().items():
        fused(), composed()  # warm up
        times = {"fused": [], "composed": []}
        for r in range(args.rounds):
            for side, run in ((("fused", fused), ("composed", composed)) if r % 2 == 0 else
                              (("composed", composed), ("fused", fused))):
                times[side].append(timeit.timeit(run, number=args.number) / args.number)
        f, c = statistics.median(times["fused"]), statistics.median(times["composed"])
        rows.append((name, f, c))
        print(f"| {name} | {f * 1e3:.1f} | {c * 1e3:.1f} | {c / f:.1f}x |", flush=True)
    return rows


if __name__ == "__main__":
    main()
