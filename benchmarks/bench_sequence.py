"""The reference ``conv_gru`` and ``lstm`` workloads: dl-sequence's ``fit`` against the PyTorch twins.

Workloads (``shared/bench/torch_ref.py``): batches of 128 reviews of 500 token ids below 10,000,
binary labels, RMSprop(1e-3), binary cross-entropy on logits:

    conv_gru:  Embedding(10000, 64) -> Conv1D(32, 7, relu) -> MaxPooling1D(5) -> Conv1D(32, 7, relu)
               -> GRU(32) -> Dense(1)          (the book's "1D convnet before an RNN", chapter 6.4)
    lstm:      Embedding(10000, 32) -> LSTM(32) -> Dense(1)                      (chapter 6.2)

Ours is built with dl-sequence and trained with ``compile``/``fit`` (one epoch over the same
few different batches per call, in order); PyTorch runs its standard loop on the same batches
(both sides flush denormals to zero: ``torch.set_flush_denormal`` and ours,
``dl_tensor.set_flush_denormal``). The sides alternate in rounds (``harness.compare``), each at least a
second per round, after a second of rest: right after PyTorch has run, its idle threads keep
spinning and slow NumPy's BLAS down several times (measured: 604 samples/s before a PyTorch run,
79 right after it, with 0.5 s of rest). ``--processes`` runs each side in a process of its own.

    tox -e bench                                   # or: python benchmarks/bench_sequence.py
    python benchmarks/bench_sequence.py --workload lstm --rounds 7
    python benchmarks/bench_sequence.py --memory   # peak memory per step, and how it grows with length
    python benchmarks/bench_sequence.py --processes

Prints samples/s and the ratio ours/torch per workload.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from dl_tensor import set_flush_denormal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    compare,
    compare_in_processes,
    print_comparison,
    status_mib,
    torch_training_step,
    varied_batches,
)

BATCH, LENGTH, VOCAB, STEPS_PER_CALL = 128, 500, 10_000, 4


def batches(length: int = LENGTH, count: int = STEPS_PER_CALL):
    """The same different random batches for both sides: ids (128, length), labels (128,) float32."""
    return varied_batches(lambda rng: rng.integers(0, VOCAB, (BATCH, length)),
                          lambda rng: rng.integers(0, 2, BATCH).astype(np.float32), count)


# -- PyTorch ----------------------------------------------------------------------------
def torch_model(workload: str):
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)

    class ConvGRU(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, 64)
            self.c1, self.c2 = nn.Conv1d(64, 32, 7), nn.Conv1d(32, 32, 7)
            self.pool = nn.MaxPool1d(5)
            self.gru = nn.GRU(32, 32, batch_first=True)
            self.out = nn.Linear(32, 1)

        def forward(self, t):
            h = self.emb(t).transpose(1, 2)  # (b, t, 64) -> (b, 64, t): torch convolves channels-first
            h = self.pool(torch.relu(self.c1(h)))
            h = torch.relu(self.c2(h)).transpose(1, 2)  # (b, 32, t') -> (b, t', 32)
            _, hn = self.gru(h)
            return self.out(hn[-1]).squeeze(-1)

    class LSTMText(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, 32)
            self.lstm = nn.LSTM(32, 32, batch_first=True)
            self.out = nn.Linear(32, 1)

        def forward(self, t):
            _, (hn, _) = self.lstm(self.emb(t))
            return self.out(hn[-1]).squeeze(-1)

    return ConvGRU() if workload == "conv_gru" else LSTMText()


def torch_side(workload: str, length: int = LENGTH):
    import torch
    from torch import nn

    model = torch_model(workload)
    data = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches(length)]
    loss_fn = nn.BCEWithLogitsLoss()
    return torch_training_step(model, data, loss_fn)


# -- ours -------------------------------------------------------------------------------
def our_model(workload: str):
    import dl_layers as L
    from dl_sequence import GRU, LSTM, Conv1D, Embedding, MaxPooling1D

    L.set_random_seed(0)
    set_flush_denormal(True)  # as the PyTorch side's torch.set_flush_denormal(True)
    if workload == "conv_gru":
        model = L.Sequential([
            Embedding(VOCAB, 64),
            Conv1D(32, 7, activation="relu"),
            MaxPooling1D(5),
            Conv1D(32, 7, activation="relu"),
            GRU(32),
            L.Dense(1),
        ])
    else:
        model = L.Sequential([Embedding(VOCAB, 32), LSTM(32), L.Dense(1)])
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=1e-3),
                  loss=L.losses.BinaryCrossentropy(from_logits=True))
    return model


def ours_side(workload: str, length: int = LENGTH):
    model = our_model(workload)
    data = batches(length)
    x = np.concatenate([b[0] for b in data])  # the same batches, in one array, trained in order
    y = np.concatenate([b[1] for b in data])

    def step():
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        return len(x)

    return step


# the sides as functions without arguments, for harness.compare_in_processes ("module:function")
def ours_conv_gru():
    return ours_side("conv_gru")


def torch_conv_gru():
    return torch_side("conv_gru")


def ours_lstm():
    return ours_side("lstm")


def torch_lstm():
    return torch_side("lstm")


# -- memory -----------------------------------------------------------------------------
def _training_memory(side: str, workload: str, length: int, conn) -> None:
    """Child process: resident memory with model and data, and its peak over two calls."""
    import tracemalloc

    step = (ours_side if side == "ours" else torch_side)(workload, length)
    before = status_mib("VmRSS")
    if side == "ours":
        tracemalloc.start()
    for _ in range(2):
        step()
    numpy_peak = tracemalloc.get_traced_memory()[1] / 2**20 if side == "ours" else None
    conn.send((before, status_mib("VmHWM"), numpy_peak))


def peak_memory(workload: str, lengths=(250, 500, 1000, 2000)) -> list:
    """Peak extra memory of training per length, each side and length in a fresh process."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    rows = []
    for length in lengths:
        row = {"length": length}
        for side in ("ours", "torch"):
            parent, child = context.Pipe()
            process = context.Process(target=_training_memory, args=(side, workload, length, child))
            process.start()
            before, peak, numpy_peak = parent.recv()
            process.join()
            row[side] = peak - before
            if numpy_peak is not None:
                row["ours_numpy"] = numpy_peak
        rows.append(row)
    print(f"{workload}: extra resident memory while training (peak minus before, MiB), batch {BATCH}")
    print("| length | dl-sequence | NumPy arrays at peak (tracemalloc) | torch |")
    print("|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['length']} | {r['ours']:.0f} | {r['ours_numpy']:.0f} | {r['torch']:.0f} |")
    return rows


def run(workload: str, rounds: int, seconds: float, processes: bool = False) -> dict:
    if processes:
        res = compare_in_processes({"dl-sequence": f"bench_sequence:ours_{workload}",
                                    "torch": f"bench_sequence:torch_{workload}"},
                                   str(Path(__file__).resolve().parent), rounds=rounds, seconds=seconds, pause=1.0)
    else:
        res = compare({"dl-sequence": ours_side(workload), "torch": torch_side(workload)}, rounds=rounds,
                      seconds=seconds, pause=1.0)
    where = "a process each" if processes else "both sides in one process"
    print(f"{workload} (batch {BATCH}, length {LENGTH}, RMSprop), median of {rounds} rounds, {os.cpu_count()} cores, "
          f"{where}")
    figures = print_comparison(res, "dl-sequence")
    print()
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=["conv_gru", "lstm", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--memory", action="store_true", help="report peak memory per step at several lengths")
    parser.add_argument("--processes", action="store_true",
                        help="run each side in a process of its own (no idle threads of one side slow the other)")
    args = parser.parse_args(argv)
    workloads = ["conv_gru", "lstm"] if args.workload == "both" else [args.workload]
    results = {}
    for workload in workloads:
        results[workload] = run(workload, args.rounds, args.seconds, args.processes)
        if args.memory:
            results[workload]["memory"] = peak_memory(workload)
    return results


if __name__ == "__main__":
    main()
