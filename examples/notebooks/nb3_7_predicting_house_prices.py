"""Predicting house prices: a regression example

The book's section 3.6 (first edition; the notebook is numbered 3.7): the Boston housing data,
506 suburbs of the mid-1970s, 13 features each, the target being the median home price in
thousands of dollars; Keras's split, 404 to train and 102 to test. The features are normalised
with the training data's mean and standard deviation; ``build_model`` makes ``Dense(64, relu)``,
``Dense(64, relu)``, ``Dense(1)`` compiled with rmsprop, mse and the mae metric. With so few
samples the book validates by 4-fold K-fold (100 epochs of batch 1 per fold: validation MAEs
2.08, 2.12, 2.91 and 2.43, mean 2.38), then records the per-epoch validation MAE over 500
epochs, averages it over the folds, smooths it (exponential moving average, factor 0.9, first
10 epochs left out) and reads that it stops improving after about 80 epochs. The final model is
trained 80 epochs of batch 16 on all 404 and tested: MAE 2.55, i.e. $2,550 off on average.

What it trains on by default (offline): the same data, from the copy of the Boston housing CSV
that ships inside the ``mlxtend`` package, split by ``dl_workflow.datasets.boston_housing.load_data``
exactly as Keras splits it (the same 404 and 102 houses). The K-fold loops are dl-workflow's
``cross_validate`` with ``KFold(4)`` (contiguous folds, as the book's slicing). The mean
baseline's test MAE (always predicting the training prices' mean) is printed beside the result.
``--quick`` (for the tests): 20 and 40 epochs of batch 8 instead of 100 and 500 of batch 1, final model 40 epochs.

On Keras's own file: ``--data`` takes a path to ``boston_housing.npz`` (from
https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz) or to any CSV of
the 506 rows; the same houses either way.

    python examples/notebooks/nb3_7_predicting_house_prices.py [--quick] [--seed 0] [--jobs 2] [--out FOLDER]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import mlxtend.data
import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_layers import layers, models
from dl_viz import new_axes, save_figure, smooth_curve
from dl_workflow import KFold, MeanRegressor, cross_validate
from dl_workflow.datasets import boston_housing

TITLE = "3.7 Predicting house prices"
MLXTEND_CSV = os.path.join(os.path.dirname(mlxtend.data.__file__), "data", "boston_housing.csv")


def build_model(input_dim=13):
    """The book's regression network (13 features in), compiled: mse loss, mae metric."""
    model = models.Sequential()
    model.add(layers.Dense(64, activation="relu", input_shape=(input_dim,)))
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(1))
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 and 40 epochs of batch 8 (for the tests)")
    parser.add_argument("--data", default=MLXTEND_CSV, help="boston_housing.npz or .csv (default: mlxtend's copy)")
    parser.add_argument("--jobs", type=int, default=1, help="folds trained in parallel (joblib); same results")
    parser.add_argument("--out", type=Path, default=None, help="folder for the curve (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    num_epochs, long_epochs, batch_size = (20, 40, 8) if args.quick else (100, 500, 1)
    out = args.out or Path(tempfile.mkdtemp(prefix="nb3_7_"))
    out.mkdir(parents=True, exist_ok=True)

    (train_data, train_targets), (test_data, test_targets) = boston_housing.load_data(path=args.data)
    data = (f"Boston housing, Keras's split: {len(train_data)} training / {len(test_data)} test houses "
            f"(mlxtend's copy)" if args.data == MLXTEND_CSV else f"Boston housing from {Path(args.data).name}")
    print(f"{data}: train_data {train_data.shape}, test_data {test_data.shape}")
    print("train_targets[:10]:", train_targets[:10])

    mean = train_data.mean(axis=0)  # the training data's statistics, used for the test data too
    train_data -= mean
    std = train_data.std(axis=0)
    train_data /= std
    test_data -= mean
    test_data /= std

    start = time.perf_counter()
    k = 4
    fit_kwargs = {"epochs": num_epochs, "batch_size": batch_size, "verbose": 0}
    result = cross_validate(build_model, train_data, train_targets, cv=KFold(k), fit_kwargs=fit_kwargs,
                            metrics=["mae"], n_jobs=args.jobs, seed=args.seed)
    all_scores = result.scores["mae"].tolist()
    for i, score in enumerate(all_scores):
        print(f"processing fold # {i}: validation MAE {score:.4f} after {num_epochs} epochs")
    print("all_scores", all_scores, " mean", np.mean(all_scores))

    fit_kwargs = {"epochs": long_epochs, "batch_size": batch_size, "verbose": 0}
    long_run = cross_validate(build_model, train_data, train_targets, cv=KFold(k), fit_kwargs=fit_kwargs,
                              metrics=["mae"], n_jobs=args.jobs, seed=args.seed)
    average_mae_history = long_run.mean_history("val_mae")  # (epochs,) the mean over the folds
    smooth_mae_history = smooth_curve(average_mae_history[10:], factor=0.9)  # the first 10 epochs left out
    best_epoch = int(np.argmin(smooth_mae_history)) + 11  # epoch numbers start at 1, after the 10 left out
    print(f"smoothed validation MAE lowest at epoch {best_epoch} ({smooth_mae_history.min():.3f}); "
          f"K-fold done in {time.perf_counter() - start:.1f} s")
    fig, ax = new_axes()
    ax.plot(range(11, len(smooth_mae_history) + 11), smooth_mae_history)
    ax.axvline(best_epoch, linestyle=":", color="gray")
    ax.set_xlabel("Epochs")
    ax.set_ylabel("Validation MAE (smoothed)")
    figure = save_figure(fig, out / "nb3_7_validation_mae.png")
    print(f"the smoothed curve: {figure}")

    # The book's choice, read from its curve. Mind that the curve's epochs are of batch 1 (303 steps
    # each) and the final model's of batch 16 (26 steps): the best epoch count does not carry over.
    final_epochs = 80 if not args.quick else 40
    dl_layers.set_random_seed(args.seed)
    model = build_model()
    model.fit(train_data, train_targets, epochs=final_epochs, batch_size=16, verbose=0)
    test_mse_score, test_mae_score = model.evaluate(test_data, test_targets, verbose=0)
    print(f"test_mae_score after {final_epochs} epochs: {test_mae_score:.4f}")

    dl_layers.set_random_seed(args.seed)
    model = build_model()
    model.fit(train_data, train_targets, epochs=best_epoch, batch_size=16, verbose=0)
    _, best_epoch_mae = model.evaluate(test_data, test_targets, verbose=0)
    print(f"test_mae_score after {best_epoch} epochs (our curve's best): {best_epoch_mae:.4f}")

    baseline = MeanRegressor().fit(train_data, train_targets)
    baseline_mae = float(np.mean(np.abs(baseline.predict(test_data)[:, 0] - test_targets)))
    print(f"mean baseline (always ${baseline.value_[0]:.1f}k): test MAE {baseline_mae:.4f}")

    epochs_note = f" ({num_epochs} epochs, batch {batch_size})" if args.quick else ""
    rows = [
        Row(f"validation MAE of each fold{epochs_note}", book="2.08, 2.12, 2.91, 2.43",
            ours=", ".join(f"{s:.2f}" for s in all_scores), data=data),
        Row(f"mean K-fold validation MAE{epochs_note}", book=2.3838, ours=float(np.mean(all_scores)), data=data),
        Row(f"epoch of the lowest smoothed validation MAE ({long_epochs} epochs)", book="~80", ours=best_epoch,
            data=data),
        Row(f"test MAE, final model ({final_epochs} epochs, batch 16)", book=2.5532, ours=float(test_mae_score),
            data=data),
        Row(f"test MAE, final model ({best_epoch} epochs, our curve's best)", book=None, ours=float(best_epoch_mae),
            data=data),
        Row("test MAE of the mean baseline", book=None, ours=baseline_mae, data=data),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "fold_scores": all_scores, "kfold_mae": float(np.mean(all_scores)),
            "best_epoch": best_epoch, "test_mae": float(test_mae_score), "best_epoch_test_mae": float(best_epoch_mae),
            "baseline_mae": baseline_mae, "test_mse": float(test_mse_score), "figure": figure}


if __name__ == "__main__":
    main()
