"""Max pooling, average pooling or strided convolutions: which downsampling suits the book's convnet?

    OPENBLAS_NUM_THREADS=1 python packages/dl-convnet/scripts/experiment_pooling.py   # about 9 min on 2 cores

(On cores shared with other jobs, one BLAS thread is much faster than two fighting for them;
the accuracies change with it only through rounding.)

Chapter 5 downsamples its MNIST convnet with ``MaxPooling2D(2)`` after the first two
convolutions and says max pooling tends to work better than the alternatives. This script
trains the alternatives on the same data with the same budget and prints Markdown tables.

The variants (``VARIANTS`` below):

* ``max``, ``average``, ``strided``: a fair trio. The pooled models are the book's convnet
  with one change: the second pooling uses ``padding="same"``, so that it turns the 11x11
  maps into 6x6 ones, exactly what the strided convolution makes of its 13x13 input
  (``(13 - 3) // 2 + 1 = 6``). All three then have the same feature-map sizes after each
  stage (13x13x32, 6x6x64, 4x4x64), the same Flatten (1,024 values), the same weight shapes
  and so the same parameter count (121,994). With the same seed they even start from the
  same initial weights and see the batches in the same order (the script checks it): only
  the way of downsampling differs. ``strided`` drops both poolings and gives the convolution
  before each one ``strides=2``: it computes each map at every other pixel only, instead of
  everywhere and then keeping the largest (or mean) value of each 2x2 block.
* ``max (book)``: the book's convnet exactly (``MaxPooling2D(2)`` twice, "valid"): 5x5x64
  maps before the last convolution, Flatten 576, 93,322 parameters. It shows whether the
  "same" padding of the trio changes anything.
* ``none``: the book's convnet without its two pooling layers (the model chapter 5 argues
  against): Flatten 30,976 and about two million parameters, trained with fewer seeds since
  one epoch costs several times more.

Every run: ``set_random_seed(seed)``, then the model, RMSprop (learning rate 0.001),
sparse categorical cross-entropy, batch 64, ``--epochs`` epochs on the first ``--train``
training digits of ``datasets.mnist_subset`` (pixels / 255), then the accuracy on all of its
2,000 test digits (and on the training digits). No early stopping, no model selection: the
weights after the last epoch are measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime

import numpy as np

import dl_convnet
import dl_layers as L
from dl_convnet import AveragePooling2D, Conv2D, MaxPooling2D
from dl_convnet.datasets import mnist_subset


def conv(filters, **kwargs):
    return Conv2D(filters, (3, 3), activation="relu", **kwargs)


def top():
    return [L.Flatten(), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")]


VARIANTS = {  # name: (what downsamples, the layers between the input and the classifier)
    "max": ("MaxPooling2D(2), second with padding='same'",
            lambda: [conv(32), MaxPooling2D(2), conv(64), MaxPooling2D(2, padding="same"), conv(64)]),
    "average": ("AveragePooling2D(2), second with padding='same'",
                lambda: [conv(32), AveragePooling2D(2), conv(64), AveragePooling2D(2, padding="same"), conv(64)]),
    "strided": ("Conv2D(..., strides=2) instead of conv + pool",
                lambda: [conv(32, strides=2), conv(64, strides=2), conv(64)]),
    "max (book)": ("MaxPooling2D(2) twice, as the book", lambda: [conv(32), MaxPooling2D(2), conv(64), MaxPooling2D(2),
                                                                  conv(64)]),
    "none": ("no downsampling", lambda: [conv(32), conv(64), conv(64)]),
}
FAIR_TRIO = ("max", "average", "strided")


def build(name: str) -> L.Sequential:
    return L.Sequential([L.Input(shape=(28, 28, 1)), *VARIANTS[name][1](), *top()], name=name.split()[0])


def receptive_field(layers) -> int:
    """The side of the input window that one pixel of the last conv/pool layer's output sees."""
    field, jump = 1, 1  # jump: input pixels between two neighbouring outputs
    for layer in layers:
        if hasattr(layer, "kernel_size"):
            kernel, stride, dilation = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
        elif hasattr(layer, "pool_size"):
            kernel, stride, dilation = layer.pool_size[0], layer.strides[0], 1
        else:
            continue
        field += (kernel - 1) * dilation * jump
        jump *= stride
    return field


class EpochTimer(L.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def run(name: str, seed: int, data, epochs: int, batch_size: int) -> dict:
    (x_train, y_train), (x_test, y_test) = data
    L.clear_session()
    L.set_random_seed(seed)
    model = build(name)
    initial = model.get_weights()
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer])
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    _, train_accuracy = model.evaluate(x_train, y_train, verbose=0)
    convs = [layer for layer in model.layers if not isinstance(layer, L.Flatten | L.Dense)]
    return {"test": float(test_accuracy), "train": float(train_accuracy), "seconds": timer.seconds,
            "params": model.count_params(), "flatten": model.layers[len(convs)].output_shape[-1],
            "maps": ", ".join(str(layer.output_shape[1]) for layer in convs),  # each conv/pool output's side
            "field": receptive_field(convs), "initial": initial}


def mean_std(values) -> str:
    values = np.asarray(values)
    return f"{values.mean():.4f} ± {values.std(ddof=1):.4f}" if len(values) > 1 else f"{values[0]:.4f}"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6, help="seeds per variant (0, 1, ...)")
    parser.add_argument("--none-seeds", type=int, default=2, help="seeds for the model without downsampling")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--train", type=int, default=2000, help="training digits (the first of mnist_subset's 8,000)")
    parser.add_argument("--data", help="the mnist-1.1.0.tgz tarball (default: the cache, downloading it once)")
    args = parser.parse_args(argv)

    (x_train, y_train), (x_test, y_test) = mnist_subset.load_data(args.data)
    x_train = (x_train[:args.train] / 255).astype("float32")[..., None]  # (2000, 28, 28) -> (2000, 28, 28, 1)
    y_train = y_train[:args.train]
    x_test = (x_test / 255).astype("float32")[..., None]  # (2000, 28, 28, 1)
    data = (x_train, y_train), (x_test, y_test)

    start = time.perf_counter()
    results = {name: [] for name in VARIANTS}
    for seed in range(max(args.seeds, args.none_seeds)):
        for name in VARIANTS:
            if seed < (args.none_seeds if name == "none" else args.seeds):
                result = run(name, seed, data, args.epochs, args.batch_size)
                results[name].append(result)
                print(f"seed {seed} {name:10s} test {result['test']:.4f} train {result['train']:.4f} "
                      f"{np.median(result['seconds']):.2f} s/epoch", flush=True)
    same_start = all(
        all(np.array_equal(a, b) for a, b in zip(results["max"][s]["initial"], results[other][s]["initial"]))
        for other in FAIR_TRIO[1:] for s in range(args.seeds))
    total = time.perf_counter() - start

    print(f"\n{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NumPy {np.__version__}, dl-convnet {dl_convnet.__version__}; {len(x_train):,} training and "
          f"{len(x_test):,} test digits, {args.epochs} epochs, batch {args.batch_size}, RMSprop 0.001; "
          f"total {total / 60:.1f} min")
    print(f"the fair trio starts from the same initial weights for each seed: {same_start}\n")

    print("| variant | downsampling | map sides | Flatten | parameters | receptive field | seeds "
          "| test accuracy (mean ± std) | train accuracy | s / epoch (median, fastest) |")
    print("|---|---|---|---:|---:|---:|---:|---|---:|---:|")
    for name, runs in results.items():
        first = runs[0]
        seconds = np.concatenate([r["seconds"] for r in runs])
        print(f"| {name} | {VARIANTS[name][0]} | {first['maps']} | {first['flatten']:,} | {first['params']:,} "
              f"| {first['field']}x{first['field']} | {len(runs)} | {mean_std([r['test'] for r in runs])} "
              f"| {np.mean([r['train'] for r in runs]):.4f} | {np.median(seconds):.2f}, {seconds.min():.2f} |")

    print("\nPaired by seed (same initial weights, same batches), against `max`:\n")
    print("| variant | test accuracy minus max's (mean ± std) | standard error | seeds better / equal / worse |")
    print("|---|---|---:|---|")
    base = np.array([r["test"] for r in results["max"]])
    for name in ("average", "strided", "max (book)"):
        diff = np.array([r["test"] for r in results[name]]) - base
        print(f"| {name} | {diff.mean():+.4f} ± {diff.std(ddof=1):.4f} | {diff.std(ddof=1) / np.sqrt(len(diff)):.4f} "
              f"| {(diff > 0).sum()} / {(diff == 0).sum()} / {(diff < 0).sum()} |")

    print("\nEvery run's test accuracy:\n")
    print("| seed | " + " | ".join(VARIANTS) + " |")
    print("|---:|" + "---:|" * len(VARIANTS))
    for seed in range(max(args.seeds, args.none_seeds)):
        cells = [f"{results[name][seed]['test']:.4f}" if seed < len(results[name]) else "" for name in VARIANTS]
        print(f"| {seed} | " + " | ".join(cells) + " |")
    return results


if __name__ == "__main__":
    main()
