"""Forward + backward of dl-sequence's fused LSTM and GRU ops against torch.nn.LSTM / nn.GRU.

Run with the environment that has torch: ``/work/torchenv/bin/python benchmarks/bench_recurrent_ops.py``
(``--only lstm|gru92|gru500``, ``--rounds``, ``--seconds``).

Each side: one step = forward of the recurrence over the next of 4 random batches (zero
initial states), then backward with a random gradient on the last output (what a classifier
on the layer's default ``return_sequences=False`` output sends back); x and the weights get
gradients. Both sides run in
the same process, alternating, each for >= ``--seconds`` per round, for ``--rounds`` rounds;
the figure is the median; ratio = torch time / our time (> 1: we are faster). torch uses
2 threads, float32, batch_first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import compare  # noqa: E402

import dl_sequence  # noqa: E402
import dl_tensor as dt  # noqa: E402

SHAPES = {"lstm": ("lstm", 128, 500, 32, 32), "gru92": ("gru", 128, 92, 32, 32), "gru500": ("gru", 128, 500, 32, 32)}


def ours(kind, batch, steps, n_in, units, return_sequences=False):
    rng = np.random.default_rng(0)
    k = 4 if kind == "lstm" else 3
    kernel = dt.Tensor(rng.standard_normal((n_in, k * units)).astype(np.float32) * 0.2, requires_grad=True)
    recurrent = dt.Tensor(rng.standard_normal((units, k * units)).astype(np.float32) * 0.2, requires_grad=True)
    bias_shape = (k * units,) if kind == "lstm" else (2, k * units)
    bias = dt.Tensor(np.zeros(bias_shape, np.float32), requires_grad=True)
    batches = [rng.standard_normal((batch, steps, n_in)).astype(np.float32) for _ in range(4)]
    grads = [rng.standard_normal((batch, units)).astype(np.float32) for _ in range(4)]
    i = [0]

    def step():
        x = dt.Tensor(batches[i[0] % 4], requires_grad=True)
        g = grads[i[0] % 4]
        i[0] += 1
        h0 = dt.Tensor(np.zeros((batch, units), np.float32), requires_grad=True)
        if kind == "lstm":
            c0 = dt.Tensor(np.zeros((batch, units), np.float32), requires_grad=True)
            out, h, c = dl_sequence.LSTMOp(return_sequences=return_sequences)(x, kernel, recurrent, bias, h0, c0)
        else:
            out, h = dl_sequence.GRUOp(return_sequences=return_sequences)(x, kernel, recurrent, bias, h0)
        last = out if not return_sequences else out[:, -1]
        (last * dt.Tensor(g)).sum().backward()
        for w in (kernel, recurrent, bias):
            w.grad = None
        return batch

    return step


def theirs(kind, batch, steps, n_in, units):
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    m = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(n_in, units, batch_first=True)
    batches = [torch.randn(batch, steps, n_in) for _ in range(4)]
    grads = [torch.randn(batch, units) for _ in range(4)]
    i = [0]

    def step():
        x = batches[i[0] % 4].clone().requires_grad_(True)
        g = grads[i[0] % 4]
        i[0] += 1
        out, _ = m(x)
        (out[:, -1] * g).sum().backward()
        m.zero_grad()
        return batch

    return step


def profile_steps(kind, batch, steps, n_in, units, reps=5):
    """Forward and backward times of our op alone (ms), for the report."""
    step = ours(kind, batch, steps, n_in, units)
    step()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", choices=sorted(SHAPES), action="append")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=1.0)
    a = p.parse_args()
    for name in a.only or ["lstm", "gru92", "gru500"]:
        kind, batch, steps, n_in, units = SHAPES[name]
        res = compare({"ours": ours(kind, batch, steps, n_in, units), "torch": theirs(kind, batch, steps, n_in, units)},
                      rounds=a.rounds, seconds=a.seconds)
        o, t = res["ours"], res["torch"]
        per_round = [ro / rt for ro, rt in zip(o["rounds"], t["rounds"])]
        print(f"{name} x=({batch}, {steps}, {n_in}) units={units}: ours {1e3 * batch / o['median']:.1f} ms/step, "
              f"torch {1e3 * batch / t['median']:.1f} ms/step; ratio torch time / our time = "
              f"{o['median'] / t['median']:.2f} (median of per-round ratios {statistics.median(per_round):.2f}; "
              f"rounds {', '.join(f'{r:.2f}' for r in per_round)})", flush=True)


if __name__ == "__main__":
    main()
