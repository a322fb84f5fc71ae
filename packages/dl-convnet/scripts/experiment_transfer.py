"""Transfer learning on a new task: the pretrained MiniVGG against the same convnet trained from scratch.

    python packages/dl-convnet/scripts/experiment_transfer.py                  # ~4 min on 2 cores
    python packages/dl-convnet/scripts/experiment_transfer.py --sweep-lr       # fine-tuning learning rates, ~1 min
    python packages/dl-convnet/scripts/experiment_transfer.py --curves         # longer training, one seed, ~3 min

Chapter 5 reuses a convnet pretrained on ImageNet to classify cats and dogs from 2,000
images, and shows that feature extraction and then fine-tuning beat a convnet trained from
scratch on so few images. Here the pretrained network is ``MiniVGG`` (its base learned on
8,000 MNIST digits, shipped with the package) and the new task is ``datasets.shapes``: 28x28
grayscale images of five shapes (circle, square, triangle, cross, ring), drawn by the
project. Nothing is downloaded.

For each training-set size (``--per-class``: images per class, five classes) and each seed,
four methods learn the task and are measured on the same 1,000 test shapes:

1. ``scratch``: the whole model below with ``MiniVGG(weights=None)``: every layer learns,
   from random weights.
2. ``features``: the book's fast feature extraction: the pretrained base runs once over the
   training and test images (``conv_base.predict``), and only the classifier learns, on the
   stored ``(3, 3, 64)`` features (no augmentation is possible then).
3. ``frozen + aug``: the pretrained base inside the model, frozen (``conv_base.trainable =
   False``), behind augmentation layers; the classifier learns.
4. ``fine-tuned``: method 3 for its first two thirds of the epochs, then ``block3_conv1`` and
   ``block3_conv2`` are unfrozen and the model is recompiled with RMSprop at a low learning
   rate (``--finetune-lr``) for the last third.

Every model is augmentation (``RandomRotation(0.5)``: any angle, ``RandomTranslation(0.1,
0.1)``, ``RandomZoom(0.1)``, black fill; not for ``features``), the base, then the same
classifier: Flatten, Dense(64, relu), Dropout(0.5), Dense(5, softmax). RMSprop (0.001 unless
fine-tuning), sparse categorical cross-entropy, batch 25. All four methods of a row get the
same number of epochs (method 4's total includes its fine-tuning epochs): at least
``--min-epochs`` (30), and more for the smallest training sets, so that every run takes at
least ``--steps`` (150) gradient steps (50 images make only two batches per epoch). The
weights after the last epoch are measured: no early stopping, no model selection.

That budget is short for a network trained from scratch, which learns slowly at first and
then fast. ``--curves`` shows it: for each training-set size and one seed, it follows
methods 1, 3 and 4 for 800 gradient steps, measuring every 160 (method 4 is frozen for the
first 160 and fine-tuned for the rest).

Batches of 25 divide every training set (50, 150 and 500 images), so every step of every
run sees the same number of images.

Seconds are the process's CPU time (``time.process_time``, all threads), not wall-clock
time: the 2-core machine is shared, and CPU time is less disturbed by other processes.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from datetime import UTC, datetime

import numpy as np

import dl_convnet
import dl_layers as L
from dl_convnet import MiniVGG, RandomRotation, RandomTranslation, RandomZoom
from dl_convnet.applications import preprocess_input
from dl_convnet.datasets import shapes

METHODS = ("scratch", "features", "frozen + aug", "fine-tuned")
BATCH_SIZE = 25  # divides every training set (50, 150, 500 images): all batches the same size
N_TEST = 1000


def load(per_class: int, seed: int):
    """``per_class`` training images of each shape and ``N_TEST`` test shapes, pixels / 255, (n, 28, 28, 1)."""
    (x_train, y_train), (x_test, y_test) = shapes.load_data(n_train=5 * per_class, n_test=N_TEST, seed=seed)
    return (preprocess_input(x_train)[..., None], y_train), (preprocess_input(x_test)[..., None], y_test)


def classifier() -> list:
    return [L.Flatten(), L.Dense(64, activation="relu"), L.Dropout(0.5), L.Dense(5, activation="softmax")]


def augmented_model(conv_base) -> L.Model:
    """Augmentation, ``conv_base``, the classifier."""
    augmentation = L.Sequential([
        RandomRotation(0.5, fill_mode="constant"),  # half a turn either way: the shapes come at any angle
        RandomTranslation(0.1, 0.1, fill_mode="constant"),
        RandomZoom(0.1, fill_mode="constant"),
    ], name="data_augmentation")
    inputs = L.Input(shape=(28, 28, 1))
    x = conv_base(augmentation(inputs))  # (None, 3, 3, 64)
    for layer in classifier():
        x = layer(x)
    return L.Model(inputs, x)


def compiled(model, learning_rate: float = 1e-3):
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def fit(model, x, y, epochs: int) -> None:
    if epochs > 0:
        model.fit(x, y, epochs=epochs, batch_size=BATCH_SIZE, verbose=0)


def unfreeze_top_block(conv_base) -> None:
    """The book's fine-tuning: everything below ``block3_conv1`` stays frozen."""
    conv_base.trainable = True
    for layer in conv_base.layers[:-3]:  # the last three: block3_conv1, block3_conv2, block3_pool
        layer.trainable = False


def run_seed(per_class: int, seed: int, epochs: int, finetune_lr: float) -> dict:
    """The four methods on one training set; {method: (test accuracy, CPU seconds)}."""
    (x, y), (x_test, y_test) = load(per_class, seed)
    frozen_epochs = epochs - epochs // 3  # method 4: frozen for these, then fine-tuned for the rest
    results = {}

    def accuracy(model, inputs=x_test):
        return float(model.evaluate(inputs, y_test, verbose=0)[1])

    L.clear_session()
    L.set_random_seed(seed)
    start = time.process_time()
    model = compiled(augmented_model(MiniVGG(weights=None, include_top=False, input_shape=(28, 28, 1))))
    fit(model, x, y, epochs)
    results["scratch"] = (accuracy(model), time.process_time() - start)

    L.set_random_seed(seed)
    start = time.process_time()
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    features, test_features = conv_base.predict(x), conv_base.predict(x_test)  # (n, 3, 3, 64) each
    head = compiled(L.Sequential([L.Input(shape=features.shape[1:]), *classifier()]))
    fit(head, features, y, epochs)
    results["features"] = (accuracy(head, test_features), time.process_time() - start)

    L.set_random_seed(seed)
    start = time.process_time()
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    conv_base.trainable = False
    model = compiled(augmented_model(conv_base))
    fit(model, x, y, frozen_epochs)
    branch = model.get_weights()  # where fine-tuning starts
    branch_seconds = time.process_time() - start
    fit(model, x, y, epochs - frozen_epochs)
    results["frozen + aug"] = (accuracy(model), time.process_time() - start)

    start = time.process_time()
    model.set_weights(branch)
    unfreeze_top_block(conv_base)
    compiled(model, finetune_lr)  # recompile after changing `trainable`, with the low learning rate
    fit(model, x, y, epochs - frozen_epochs)
    results["fine-tuned"] = (accuracy(model), branch_seconds + time.process_time() - start)
    return results


def epochs_for(per_class: int, steps: int, min_epochs: int) -> int:
    """At least ``min_epochs``, and enough for ``steps`` gradient steps over ``5 * per_class`` images."""
    return max(min_epochs, math.ceil(steps / math.ceil(5 * per_class / BATCH_SIZE)))


def mean_std(values, digits: int = 3) -> str:
    values = np.asarray(values)
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}" if len(values) > 1 else \
        f"{values[0]:.{digits}f}"


def sweep_learning_rates(per_class: int, seed: int, epochs: int, rates) -> None:
    """Method 4 with each fine-tuning learning rate, from the same frozen start (one seed)."""
    (x, y), (x_test, y_test) = load(per_class, seed)
    frozen_epochs = epochs - epochs // 3
    L.clear_session()
    L.set_random_seed(seed)
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    conv_base.trainable = False
    model = compiled(augmented_model(conv_base))
    fit(model, x, y, frozen_epochs)
    branch = model.get_weights()
    rows = [("none (still frozen)", float(model.evaluate(x_test, y_test, verbose=0)[1]), None)]
    fit(model, x, y, epochs - frozen_epochs)
    rows.append(("none: the frozen model, trained on", float(model.evaluate(x_test, y_test, verbose=0)[1]), None))
    for rate in rates:
        L.set_random_seed(seed)
        model.set_weights(branch)
        unfreeze_top_block(conv_base)
        compiled(model, rate)
        before = conv_base.get_layer("block3_conv2").get_weights()[0]
        fit(model, x, y, epochs - frozen_epochs)
        moved = np.abs(conv_base.get_layer("block3_conv2").get_weights()[0] - before).mean() / np.abs(before).mean()
        rows.append((f"RMSprop({rate:g})", float(model.evaluate(x_test, y_test, verbose=0)[1]), moved))
        conv_base.trainable = False
    print(f"\n{per_class} training images per class, seed {seed}, {frozen_epochs} frozen epochs then "
          f"{epochs - frozen_epochs} more:\n")
    print("| fine-tuning optimizer | test accuracy | mean change of block3_conv2's kernel (relative) |")
    print("|---|---:|---:|")
    for name, accuracy, moved in rows:
        print(f"| {name} | {accuracy:.3f} | {'' if moved is None else f'{moved:.4f}'} |")


def curves(per_class: int, seed: int, steps: int, every: int, finetune_lr: float) -> None:
    """Test accuracy every ``every`` gradient steps, up to ``steps``, one seed: from scratch, with the
    frozen base, and fine-tuned (frozen for the first ``every`` steps, then ``block3`` unfrozen)."""
    (x, y), (x_test, y_test) = load(per_class, seed)
    per_epoch = math.ceil(5 * per_class / BATCH_SIZE)  # steps per epoch
    chunk = max(1, round(every / per_epoch))  # epochs between measurements
    points = round(steps / every)
    table = {}

    def measure(name, model, k):
        table.setdefault(k, {})[name] = float(model.evaluate(x_test, y_test, verbose=0)[1])

    L.clear_session()
    L.set_random_seed(seed)
    model = compiled(augmented_model(MiniVGG(weights=None, include_top=False, input_shape=(28, 28, 1))))
    for k in range(1, points + 1):
        fit(model, x, y, chunk)
        measure("scratch", model, k)

    L.set_random_seed(seed)
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    conv_base.trainable = False
    model = compiled(augmented_model(conv_base))
    for k in range(1, points + 1):
        fit(model, x, y, chunk)
        measure("frozen + aug", model, k)
        if k == 1:
            branch = model.get_weights()
    model.set_weights(branch)
    unfreeze_top_block(conv_base)
    compiled(model, finetune_lr)
    table[1]["fine-tuned"] = table[1]["frozen + aug"]  # not unfrozen yet
    for k in range(2, points + 1):
        fit(model, x, y, chunk)
        measure("fine-tuned", model, k)

    print(f"\n{per_class} training images per class, seed {seed} (fine-tuned: frozen for the first "
          f"{chunk * per_epoch} steps):\n")
    print("| steps | epochs | scratch | frozen + aug | fine-tuned |")
    print("|---:|---:|---:|---:|---:|")
    for k, row in table.items():
        print(f"| {k * chunk * per_epoch} | {k * chunk} | {row['scratch']:.3f} | {row['frozen + aug']:.3f} "
              f"| {row['fine-tuned']:.3f} |", flush=True)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, nargs="+", default=[10, 30, 100], help="training images per class")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0, 1, ...: training set, weights, batches")
    parser.add_argument("--min-epochs", type=int, default=30, help="at least this many epochs per run")
    parser.add_argument("--steps", type=int, default=150, help="at least this many gradient steps per run")
    parser.add_argument("--finetune-lr", type=float, default=3e-4)
    parser.add_argument("--sweep-lr", action="store_true",
                        help="only compare fine-tuning learning rates (30 images per class, seed 0)")
    parser.add_argument("--curves", action="store_true",
                        help="only follow methods 1, 3 and 4 for 800 steps (seed 0), measuring every 160")
    args = parser.parse_args(argv)
    header = (f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"NumPy {np.__version__}, dl-convnet {dl_convnet.__version__}")

    if args.curves:
        start = time.perf_counter()
        print(header)
        for per_class in args.per_class:
            curves(per_class, 0, 800, 160, args.finetune_lr)
        print(f"\ntotal {(time.perf_counter() - start) / 60:.1f} min")
        return {}
    if args.sweep_lr:
        print(header)
        sweep_learning_rates(30, 0, epochs_for(30, args.steps, args.min_epochs), (1e-5, 1e-4, 3e-4, 1e-3))
        return {}

    start = time.perf_counter()
    results = {}
    for per_class in args.per_class:
        epochs = epochs_for(per_class, args.steps, args.min_epochs)
        for seed in range(args.seeds):
            results[per_class, seed] = run_seed(per_class, seed, epochs, args.finetune_lr)
            print(f"{per_class} per class, seed {seed}, {epochs} epochs: " + ", ".join(
                f"{m} {a:.3f} ({s:.0f} s)" for m, (a, s) in results[per_class, seed].items()), flush=True)
    total = time.perf_counter() - start

    print(f"\n{header}; {args.seeds} seeds, {N_TEST:,} test shapes, batch {BATCH_SIZE}, at least "
          f"{args.min_epochs} epochs and {args.steps} steps per run, fine-tuning at RMSprop({args.finetune_lr:g}); "
          f"total {total / 60:.1f} min\n")
    print("Test accuracy (mean ± std over seeds; chance is 0.200):\n")
    print("| training images | epochs | " + " | ".join(METHODS) + " |")
    print("|---|---:|" + "---:|" * len(METHODS))
    for per_class in args.per_class:
        cells = [mean_std([results[per_class, s][m][0] for s in range(args.seeds)]) for m in METHODS]
        print(f"| {per_class} per class ({5 * per_class}) | {epochs_for(per_class, args.steps, args.min_epochs)} | "
              + " | ".join(cells) + " |")
    print("\nCPU seconds per run (mean ± std over seeds; includes `predict` and the test evaluation):\n")
    print("| training images | " + " | ".join(METHODS) + " |")
    print("|---|" + "---:|" * len(METHODS))
    for per_class in args.per_class:
        cells = [mean_std([results[per_class, s][m][1] for s in range(args.seeds)], 1) for m in METHODS]
        print(f"| {per_class} per class ({5 * per_class}) | " + " | ".join(cells) + " |")
    return results


if __name__ == "__main__":
    main()
