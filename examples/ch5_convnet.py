"""Chapter 5's way: a convnet from scratch, then the shipped pretrained convnet (dl-convnet).

1. The book's small convnet (Conv2D and MaxPooling2D blocks, then Dense) trained with
   ``fit`` on images of five shapes that dl-convnet draws itself (no download).
2. Transfer learning: ``MiniVGG``, pretrained on real MNIST digits and shipped with the
   package, used as a frozen feature extractor for the same shapes task from only 20
   images per class, against the same network trained from scratch on those 20.

    python examples/ch5_convnet.py            (part of: tox -e demo)
"""

from __future__ import annotations

import argparse
import time

import dl_layers as L
from dl_convnet import Conv2D, MaxPooling2D, MiniVGG, Rescaling
from dl_convnet.datasets import shapes


def small_convnet() -> L.Sequential:
    """The book's convnet, sized for 28x28 grayscale images and 5 classes."""
    return L.Sequential([
        Rescaling(1.0 / 255, input_shape=(28, 28, 1)),
        Conv2D(32, (3, 3), activation="relu"),
        MaxPooling2D((2, 2)),
        Conv2D(64, (3, 3), activation="relu"),
        MaxPooling2D((2, 2)),
        Conv2D(64, (3, 3), activation="relu"),
        L.Flatten(),
        L.Dense(64, activation="relu"),
        L.Dense(len(shapes.CLASS_NAMES), activation="softmax"),
    ])


def with_head(conv_base) -> L.Sequential:
    """A new classifier on top of a convolutional base (its inputs scaled to [0, 1] first)."""
    return L.Sequential([
        L.Input(shape=(28, 28, 1)),
        Rescaling(1.0 / 255),
        conv_base,
        L.Flatten(),
        L.Dense(32, activation="relu"),
        L.Dense(len(shapes.CLASS_NAMES), activation="softmax"),
    ])


def train(model, x, y, epochs, batch_size, **kwargs):
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, **kwargs)
    return history, time.perf_counter() - start


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    (x_train, y_train), (x_test, y_test) = shapes.load_data(n_train=2000, n_test=500, seed=args.seed)
    x_train, x_test = x_train[..., None], x_test[..., None]  # (n, 28, 28) -> (n, 28, 28, 1)
    print(f"shapes: {len(x_train)} training and {len(x_test)} test images of {', '.join(shapes.CLASS_NAMES)}")

    L.set_random_seed(args.seed)
    model = small_convnet()
    model.summary()
    history, seconds = train(model, x_train, y_train, args.epochs, 64, validation_split=0.2, verbose=2)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"from scratch on {len(x_train)} images: test accuracy {accuracy:.3f} ({seconds:.1f} s)")

    few = [i for label in range(len(shapes.CLASS_NAMES)) for i in (y_train == label).nonzero()[0][:20]]
    x_few, y_few = x_train[few], y_train[few]
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    conv_base.trainable = False  # feature extraction: the pretrained filters stay as they are
    L.set_random_seed(args.seed)
    transfer = with_head(conv_base)
    train(transfer, x_few, y_few, 30, 20, verbose=0)
    L.set_random_seed(args.seed)
    scratch = with_head(MiniVGG(weights=None, include_top=False, input_shape=(28, 28, 1)))
    train(scratch, x_few, y_few, 30, 20, verbose=0)
    results = {"from_scratch_all": accuracy,
               "pretrained_few": transfer.evaluate(x_test, y_test, verbose=0)[1],
               "scratch_few": scratch.evaluate(x_test, y_test, verbose=0)[1],
               # for the demo's figures
               "model": model, "history": history, "x_test": x_test, "y_test": y_test}
    print(f"with {len(x_few)} images: MiniVGG pretrained on digits (frozen) + new head: test accuracy "
          f"{results['pretrained_few']:.3f}; the same network from scratch: {results['scratch_few']:.3f}")
    return results


if __name__ == "__main__":
    main()
