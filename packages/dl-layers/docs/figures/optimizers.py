"""Draw docs/figures/optimizers.png: one small network trained with each optimizer.

    python packages/dl-layers/docs/figures/optimizers.py

Needs matplotlib and scikit-learn (for the 8x8 digits data set, which ships inside
scikit-learn: nothing is downloaded). Every run starts from the same seed and the same
initial weights, so the curves differ only by the optimizer.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import dl_layers  # noqa: E402
from dl_layers import Dense, Input, Sequential, optimizers  # noqa: E402

EPOCHS = 30
BATCH_SIZE = 64
OUT = Path(__file__).with_suffix(".png")

# each optimizer with the learning rate Keras gives it by default
CANDIDATES = {
    "SGD (lr 0.01)": lambda: optimizers.SGD(learning_rate=0.01),
    "SGD + momentum 0.9 (lr 0.01)": lambda: optimizers.SGD(learning_rate=0.01, momentum=0.9),
    "RMSprop (lr 0.001)": lambda: optimizers.RMSprop(learning_rate=0.001),
    "Adam (lr 0.001)": lambda: optimizers.Adam(learning_rate=0.001),
    "Adagrad (lr 0.001)": lambda: optimizers.Adagrad(learning_rate=0.001),
}


def load_data() -> tuple[np.ndarray, np.ndarray]:
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")  # (1797, 64), pixel values 0..16 -> 0..1
    return x, digits.target.astype("int64")  # labels 0..9


def make_model() -> Sequential:
    return Sequential([Input(shape=(64,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])


def train_all(x: np.ndarray, y: np.ndarray) -> dict[str, list[float]]:
    dl_layers.set_random_seed(0)
    initial = make_model().get_weights()  # the same starting point for every optimizer
    curves = {}
    for label, make_optimizer in CANDIDATES.items():
        dl_layers.set_random_seed(0)  # the same batch order too
        model = make_model()
        model.set_weights(initial)
        model.compile(optimizer=make_optimizer(), loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
        curves[label] = history.history["loss"]
        print(f"{label:30s} loss after epoch 1: {curves[label][0]:.3f}, after epoch {EPOCHS}: {curves[label][-1]:.3f}")
    return curves


def plot(curves: dict[str, list[float]], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    epochs = np.arange(1, EPOCHS + 1)
    for label, losses in curves.items():
        ax.plot(epochs, losses, label=label, linewidth=1.8)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (log scale)")
    ax.set_title("One network on the 8x8 digits, five optimizers (same seed, same initial weights)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    x, y = load_data()
    curves = train_all(x, y)
    plot(curves, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
