"""dl-workflow's costs: the book's K-fold protocol against a PyTorch twin, folds in parallel,
what the callbacks add to an epoch, and how fast the leakage checks are.

* ``kfold``: the book's Boston housing protocol on synthetic data of the same shape (404
  samples, 13 features): 4 folds, each a fresh Dense(64)-Dense(64)-Dense(1) trained 20 epochs
  with batch 16 (rmsprop, mse) and scored: ``cross_validate`` against the same loop written
  in PyTorch (same folds, same batches in the same order), alternating rounds, median ratio.
* ``n_jobs``: the same ``cross_validate`` with ``n_jobs=1`` and ``n_jobs=2`` (joblib, two
  processes), wall time.
* ``callbacks``: seconds per epoch of a small MLP with and without EarlyStopping,
  ModelCheckpoint(save_best_only), CSVLogger and JSONLinesLogger.
* ``find_duplicates``: exact duplicates among 60,000 MNIST-sized images, near duplicates
  among 2,000.

    python benchmarks/bench_workflow.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import compare, round_ratio  # noqa: E402

import dl_layers as L  # noqa: E402
from dl_workflow import (  # noqa: E402
    CSVLogger,
    EarlyStopping,
    JSONLinesLogger,
    KFold,
    ModelCheckpoint,
    cross_validate,
    find_duplicates,
)

EPOCHS, BATCH = 20, 16


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(404, 13)).astype(np.float32)
    y = (x @ rng.normal(size=13) + 0.3 * rng.normal(size=404)).astype(np.float32)
    return x, y


def build_model():
    model = L.Sequential([L.Dense(64, activation="relu", input_shape=(13,)), L.Dense(64, activation="relu"),
                          L.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def torch_kfold(x, y, folds):
    import torch
    from torch import nn

    maes = []
    for train, val in folds:
        model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        xt, yt = torch.from_numpy(x[train]), torch.from_numpy(y[train])[:, None]
        order = np.random.default_rng(0)
        for _ in range(EPOCHS):
            perm = torch.from_numpy(order.permutation(len(train)))
            for i in range(0, len(train), BATCH):
                idx = perm[i:i + BATCH]
                opt.zero_grad()
                loss = ((model(xt[idx]) - yt[idx]) ** 2).mean()
                loss.backward()
                opt.step()
        with torch.no_grad():
            maes.append(float((model(torch.from_numpy(x[val]))[:, 0] - torch.from_numpy(y[val])).abs().mean()))
    return maes


def wall(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import torch

    torch.set_num_threads(2)
    x, y = data()
    folds = list(KFold(4).split(x))
    fit = {"epochs": EPOCHS, "batch_size": BATCH}
    ours = cross_validate(build_model, x, y, cv=KFold(4), fit_kwargs=fit, seed=0).mean["mae"]
    print(f"kfold: validation MAE ours {ours:.3f}, PyTorch {np.mean(torch_kfold(x, y, folds)):.3f} "
          "(the same protocol; different initial weights)")
    res = compare({"ours": lambda: cross_validate(build_model, x, y, cv=KFold(4), fit_kwargs=fit) and 1,
                   "torch": lambda: torch_kfold(x, y, folds) and 1}, rounds=5, seconds=2.0, warmup=1)
    print(f"kfold: protocols/s ours {res['ours']['median']:.3f}, PyTorch {res['torch']['median']:.3f}, "
          f"ratio ours/torch {round_ratio(res, 'ours', 'torch'):.2f}")

    one = wall(lambda: cross_validate(build_model, x, y, cv=KFold(4), fit_kwargs=fit, n_jobs=1))
    two = wall(lambda: cross_validate(build_model, x, y, cv=KFold(4), fit_kwargs=fit, n_jobs=2))
    print(f"n_jobs: 4 folds in {one:.2f} s with n_jobs=1, {two:.2f} s with n_jobs=2 (x{one / two:.2f})")

    xs, ys = x[:320], y[:320]
    with tempfile.TemporaryDirectory() as folder:
        def callbacks():
            return [EarlyStopping(monitor="val_loss", patience=100),
                    ModelCheckpoint(str(Path(folder) / "best.dlbook"), save_best_only=True),
                    CSVLogger(str(Path(folder) / "log.csv")), JSONLinesLogger(str(Path(folder) / "log.jsonl"))]

        def epochs(with_callbacks):
            L.set_random_seed(0)
            model = build_model()
            start = time.perf_counter()
            model.fit(xs, ys, epochs=10, batch_size=BATCH, validation_data=(x[320:], y[320:]), verbose=0,
                      callbacks=callbacks() if with_callbacks else None)
            return (time.perf_counter() - start) / 10

        plain = statistics.median(epochs(False) for _ in range(3))
        watched = statistics.median(epochs(True) for _ in range(3))
    print(f"callbacks: {plain * 1e3:.1f} ms per epoch without, {watched * 1e3:.1f} ms with the four "
          f"(+{(watched - plain) * 1e3:.1f} ms, checkpoint writes included)")

    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(60000, 784), dtype=np.uint8)
    images[59000:] = images[:1000]  # 1,000 exact duplicates
    start = time.perf_counter()
    pairs = find_duplicates(images)
    exact = time.perf_counter() - start
    small = images[:2000].astype(np.float32) / 255
    noisy = small + rng.normal(0, 0.001, size=small.shape).astype(np.float32)
    start = time.perf_counter()
    near = find_duplicates(small, noisy, tolerance=0.01)
    print(f"find_duplicates: {len(pairs)} exact pairs among 60,000 images of 784 bytes in {exact:.2f} s; "
          f"{len(near)} near pairs between 2,000 and 2,000 images in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
