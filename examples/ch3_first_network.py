"""Chapter 3's way: the same kind of problem with layers, compile and fit (dl-layers).

A ``Sequential`` model of ``Dense`` layers, compiled with RMSprop and sparse categorical
cross-entropy, trained with ``fit`` (validation split, progress per epoch), evaluated,
saved and loaded back -- the workflow of the book's chapter 3, on generated spirals so
that it needs no download.

    python examples/ch3_first_network.py --epochs 40      (part of: tox -e demo)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from ch2_from_scratch import make_spirals

import dl_layers as L
from dl_layers import Dense, Dropout, Sequential


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    L.set_random_seed(args.seed)
    x, y = make_spirals(500, seed=args.seed)
    order = np.random.default_rng(args.seed).permutation(len(x))
    x, y = x[order], y[order]
    x_train, y_train, x_test, y_test = x[:1200], y[:1200], x[1200:], y[1200:]

    model = Sequential([
        Dense(64, activation="relu", input_shape=(2,)),
        Dense(64, activation="relu"),
        Dropout(0.1),
        Dense(3, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.2, verbose=2)
    best = int(np.argmax(history.history["val_accuracy"]))
    print(f"best validation accuracy {history.history['val_accuracy'][best]:.3f} at epoch {best + 1}")
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.3f}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spirals.dlbook"
        model.save(path)
        reloaded = L.load_model(path)
        same = np.allclose(reloaded.predict(x_test), model.predict(x_test))
        print(f"saved to and loaded from {path.name}: same predictions: {same}")
    return test_acc


if __name__ == "__main__":
    main()
