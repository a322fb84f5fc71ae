"""Draw every figure of the dl-workflow chapter site from small experiments run on the spot.

    python packages/dl-workflow/docs_figures.py OUT_DIR

The docs build runs this (``tools/docs_hooks.py``); ``tests/test_docs_figures.py`` runs it too
and checks the claims the pages make about the pictures. Data made here, no download:

* the protocols' pictures come from the splitters themselves (which sample is in which fold);
* an overfitting problem: 300 samples of 100 features, of which 5 decide a noisy binary label;
  a 2x64-unit MLP without regularization, with L2, with L1 and with Dropout;
* the capacity sweep and the information bottleneck: 20 classes of noisy 30-D points (400 training
  points, much noise, for the sweep; 4,000, less noise, for the bottleneck);
* a learning curve on a linear regression task, beside the mean baseline.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import dl_layers as L
from dl_workflow import IteratedKFold, KFold, MeanRegressor, capacity_sweep, learning_curve


def _save(fig, path) -> None:
    fig.savefig(path, dpi=90)


def protocols_figure(n=20):
    """Hold-out, K-fold and iterated K-fold drawn from the splitters: one row per fold, one cell per sample."""
    rows = [("hold-out", [(np.arange(15), np.arange(15, n))])]
    rows += [(f"K-fold, fold {i + 1}", [fold]) for i, fold in enumerate(KFold(4).split(np.zeros((n, 1))))]
    iterated = list(IteratedKFold(n_splits=4, n_repeats=2, seed=0).split(np.zeros((n, 1))))
    rows += [(f"iterated, repeat {i // 4 + 1} fold {i % 4 + 1}", [fold]) for i, fold in enumerate(iterated)]
    fig = Figure(figsize=(8, 0.32 * len(rows) + 0.8), layout="constrained")
    ax = fig.add_subplot()
    for r, (label, [(train, val)]) in enumerate(rows):
        y = len(rows) - 1 - r
        ax.barh([y] * len(train), 0.9, left=train, color="#9ecae1", height=0.7)
        ax.barh([y] * len(val), 0.9, left=val, color="#e6550d", height=0.7)
        ax.text(-0.5, y, label, ha="right", va="center", fontsize=8)
    ax.set_xlim(-7.5, n)
    ax.set_yticks([])
    ax.set_xticks(range(0, n, 5))
    ax.set_xlabel("sample index (blue: training, orange: validation)")
    ax.set_title("Evaluation protocols on 20 samples")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return fig


def overfitting_problem(seed=0):
    """300 training and 1,000 validation samples of 100 features; 5 decide the label, 10% of labels flipped."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1300, 100)).astype(np.float32)
    y = (x[:, :5].sum(axis=1) > 0).astype(np.int64)
    flip = rng.random(1300) < 0.1
    y[flip] = 1 - y[flip]
    return (x[:300], y[:300]), (x[300:], y[300:])


def regularized_mlp(kind):
    """Two Dense(64, relu) and a sigmoid, plain or with the chapter's regularizers."""
    penalty = {"L2 (0.002)": L.regularizers.l2(0.002), "L1 (0.0005)": L.regularizers.l1(0.0005)}.get(kind)
    layers = [L.Dense(64, activation="relu", kernel_regularizer=penalty, input_shape=(100,))]
    if kind == "Dropout (0.5)":
        layers.append(L.Dropout(0.5))
    layers.append(L.Dense(64, activation="relu", kernel_regularizer=penalty))
    if kind == "Dropout (0.5)":
        layers.append(L.Dropout(0.5))
    layers.append(L.Dense(1, activation="sigmoid"))
    model = L.Sequential(layers)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy", "binary_crossentropy"])
    return model


def clusters(n, classes=20, dims=30, spread=1.2, seed=0):
    """Noisy points around ``classes`` random centres in ``dims`` dimensions."""
    centres = np.random.default_rng(100).normal(size=(classes, dims))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n)
    return (centres[y] + spread * rng.normal(size=(n, dims))).astype(np.float32), y.astype(np.int64)


def bottleneck_model(width):
    """Dense(64) -> Dense(width) -> Dense(20, softmax): ``width`` below 20 is a bottleneck."""
    model = L.Sequential([L.Dense(64, activation="relu", input_shape=(30,)),
                          L.Dense(width, activation="relu"), L.Dense(20, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def sized_model(units):
    """One hidden layer of ``units``: small to large capacity on the 20-class problem."""
    model = L.Sequential([L.Dense(units, activation="relu", input_shape=(30,)), L.Dense(20, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def linear_model():
    model = L.Sequential([L.Dense(1, input_shape=(5,))])
    model.compile(optimizer=L.optimizers.RMSprop(0.05), loss="mse", metrics=["mae"])
    return model


def main(out) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    facts = {}
    _save(protocols_figure(), out / "protocols.png")

    # regularization side by side on one overfitting problem
    (x, y), (x_val, y_val) = overfitting_problem()
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    facts["regularization"] = {}
    for kind in ("none", "L2 (0.002)", "L1 (0.0005)", "Dropout (0.5)"):
        L.set_random_seed(0)
        history = regularized_mlp(kind).fit(x, y, epochs=30, batch_size=32, validation_data=(x_val, y_val),
                                            verbose=0).history
        val = np.array(history["val_binary_crossentropy"])  # the loss without the penalty terms
        ax.plot(np.arange(1, 31), val, label=kind)
        facts["regularization"][kind] = {"best_val_crossentropy": round(float(val.min()), 3),
                                         "best_epoch": int(val.argmin() + 1),
                                         "final_val_crossentropy": round(float(val[-1]), 3),
                                         "best_val_accuracy": round(float(max(history["val_accuracy"])), 3)}
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation cross-entropy (without the penalty)")
    ax.set_title("The same network on 300 samples, four ways")
    ax.legend()
    _save(fig, out / "regularization.png")

    # capacity: one hidden layer of 2 to 512 units
    x, y = clusters(400, spread=2.0, seed=1)
    x_val, y_val = clusters(2000, spread=2.0, seed=2)
    report = capacity_sweep(sized_model, [2, 16, 512], x, y, (x_val, y_val), fit_kwargs={"epochs": 40,
                                                                                          "batch_size": 32})
    facts["capacity"] = [{k: r[k] for k in ("size", "params", "best_epoch", "best", "final_gap", "verdict")}
                         for r in report.rows]
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    for row, history in zip(report.rows, report.histories):
        line, = ax.plot(np.arange(1, 41), history["val_loss"], label=f"{row['size']} units: validation")
        ax.plot(np.arange(1, 41), history["loss"], ":", color=line.get_color(), label=f"{row['size']} units: training")
    ax.set_ylim(0, 3.5)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title("Capacity: first underfit, then overfit")
    ax.legend(fontsize=8, ncols=2)
    _save(fig, out / "capacity.png")

    # the information bottleneck: a 64-unit layer narrowed before 20 classes
    x, y = clusters(4000, seed=3)
    x_val, y_val = clusters(2000, seed=2)
    widths = [2, 4, 8, 16, 64]
    bottleneck = capacity_sweep(bottleneck_model, widths, x, y, (x_val, y_val), monitor="val_accuracy",
                                fit_kwargs={"epochs": 15, "batch_size": 64})
    facts["bottleneck"] = {str(r["size"]): round(r["best"], 3) for r in bottleneck.rows}
    fig = Figure(figsize=(5, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(widths, [r["best"] for r in bottleneck.rows], "o-")
    ax.axvline(20, color="grey", linestyle=":", label="20 classes")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width of the intermediate layer")
    ax.set_ylabel("best validation accuracy")
    ax.legend()
    ax.set_title("The information bottleneck")
    _save(fig, out / "bottleneck.png")

    # is the data sufficient? a learning curve beside the mean baseline
    rng = np.random.default_rng(4)
    x = rng.normal(size=(600, 5)).astype(np.float32)
    y = (x @ np.arange(1.0, 6.0) + 2.0 * rng.normal(size=600)).astype(np.float32)
    curve = learning_curve(linear_model, x[:400], y[:400], (x[400:], y[400:]), train_sizes=(5, 10, 25, 50, 100, 400),
                           fit_kwargs={"epochs": 30, "batch_size": 8}, baseline=MeanRegressor(), monitor="mae")
    facts["learning_curve"] = {"sizes": curve.sizes, "mae": np.round(curve.scores["mae"], 3).tolist(),
                               "baseline_mae": np.round(curve.baseline_scores["mae"], 3).tolist(),
                               "verdict": curve.verdict()}
    _save(curve.plot(), out / "learning_curve.png")
    (out / "facts.json").write_text(json.dumps(facts, indent=1))
    return facts


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "figures"), indent=1))
