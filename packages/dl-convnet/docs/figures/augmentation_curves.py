"""Draw docs/figures/augmentation_curves.png from augmentation_curves.json.

    python packages/dl-convnet/docs/figures/augmentation_curves.py

Needs matplotlib. The JSON file is written by ``scripts/experiment_augmentation.py`` (the
book's MNIST convnet on 500 real digits, without and with augmentation + dropout); this
script only draws it: training and validation accuracy and loss per epoch, one colour per
variant, the mean over the seeds as a thick line and each seed as a thin one; a dotted
line marks the epoch where the plain runs stop.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "augmentation_curves.json"
OUT = HERE / "augmentation_curves.png"
COLOURS = {"plain": "tab:red", "augmented + dropout": "tab:blue"}


def plot(result: dict, path: Path) -> None:
    runs = result["runs"]
    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for variant, colour in COLOURS.items():
        mine = [r for r in runs if r["variant"] == variant]
        epochs = np.arange(1, len(mine[0]["accuracy"]) + 1)
        for ax, key in ((ax_acc, "accuracy"), (ax_loss, "loss")):
            for prefix, style, what in (("", "--", "training"), ("val_", "-", "validation")):
                curves = np.array([r[prefix + key] for r in mine])  # (seeds, epochs)
                for curve in curves:
                    ax.plot(epochs, curve, style, color=colour, linewidth=0.6, alpha=0.35)
                ax.plot(epochs, curves.mean(axis=0), style, color=colour, linewidth=1.8,
                        label=f"{variant}, {what}")
    plain_epochs = result["recipe"]["epochs"]["plain"]
    for ax in (ax_acc, ax_loss):
        ax.axvline(plain_epochs, color="grey", linestyle=":", linewidth=1)  # where the plain runs stop
    seeds = ", ".join(str(s) for s in result["recipe"]["seeds"])
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0.5, 1.005)
    ax_loss.set_ylabel("loss (log scale)")
    ax_loss.set_yscale("log")
    for ax in (ax_acc, ax_loss):
        ax.set_xlabel("epoch")
        ax.grid(True, which="both", alpha=0.3)
    ax_acc.legend(loc="lower right", fontsize="small")
    fig.suptitle(f"The book's MNIST convnet on {result['data']['train']} real digits, validated on "
                 f"{result['data']['validation']} (seeds {seeds}: thin lines; mean: thick)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    result = json.loads(DATA.read_text())
    plot(result, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
