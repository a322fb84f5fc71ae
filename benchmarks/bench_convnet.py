"""The reference ``convnet`` workload: dl-convnet's ``fit`` against the PyTorch twin, same process.

Workload (``shared/bench/torch_ref.py``): the book's MNIST convnet (chapter 5), batch 64,
RMSprop(1e-3), sparse categorical cross-entropy, random 28x28x1 inputs:

    Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2)
    -> Conv2D(64, 3, relu) -> Flatten -> Dense(64, relu) -> Dense(10, softmax)

Ours is built with dl-convnet and trained with ``compile``/``fit`` (one epoch over 10
batches per call, in order); PyTorch runs its standard loop on the same 10 batches (NCHW).
Both sides flush denormal numbers to zero (``torch.set_flush_denormal``,
``dl_tensor.set_flush_denormal``). The sides alternate in rounds (``harness.compare``).

    tox -e bench                 # or: python benchmarks/bench_convnet.py --rounds 7
    python benchmarks/bench_convnet.py --profile      # where our step's time goes, layer by layer

Prints samples/s and the ratio ours/torch; ``--memory`` adds the memory each side's training
takes (peak resident memory over 30 steps, each side in a fresh process).

``--processes`` runs each side in a process of its own (same alternating rounds). In one
process, the allocator settings dl-tensor makes at import (``dl_tensor.memory``: freed
memory is kept for the next step instead of being returned to the system) also apply to
PyTorch and speed it up; with a process each, PyTorch runs as its users run it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
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

BATCH, STEPS_PER_CALL = 64, 10


def batches():
    """The same 10 different random batches for both sides."""
    return varied_batches(lambda rng: rng.standard_normal((BATCH, 28, 28, 1)).astype(np.float32),
                          lambda rng: rng.integers(0, 10, BATCH), STEPS_PER_CALL)


def torch_model():
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(),
                         nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))


def torch_side():
    import torch
    from torch import nn

    model = torch_model()
    data = [(torch.from_numpy(x.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y)) for x, y in batches()]  # NCHW
    loss_fn = nn.CrossEntropyLoss()
    return torch_training_step(model, data, loss_fn)


def our_model():
    import dl_layers as L
    from dl_convnet import Conv2D, MaxPooling2D

    L.set_random_seed(0)
    set_flush_denormal(True)  # as the PyTorch side's torch.set_flush_denormal(True)
    model = L.Sequential([
        Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
        MaxPooling2D((2, 2)),
        Conv2D(64, (3, 3), activation="relu"),
        MaxPooling2D((2, 2)),
        Conv2D(64, (3, 3), activation="relu"),
        L.Flatten(),
        L.Dense(64, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=1e-3), loss="sparse_categorical_crossentropy")
    return model


def ours_side():
    model = our_model()
    data = batches()
    x = np.concatenate([b[0] for b in data])  # (640, 28, 28, 1): the same batches, in one array
    y = np.concatenate([b[1] for b in data])

    def step():
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        return len(x)

    return step


def profile(repeats: int = 20) -> None:
    """Forward and backward time of each layer of our model on one batch (median of repeats)."""
    from dl_tensor import Tensor

    model = our_model()
    x, y = batches()[0]
    model.train_on_batch(x, y)
    rows, data = [], np.asarray(x)
    for layer in model.layers:
        inputs = Tensor(data, requires_grad=bool(rows))  # the first layer's input is data: no gradient
        forward, backward = [], []
        for _ in range(repeats):
            inputs.grad = None
            start = time.perf_counter()
            out = layer(inputs, training=True)
            middle = time.perf_counter()
            out.backward(np.ones(out.shape, np.float32))
            backward.append(time.perf_counter() - middle)
            forward.append(middle - start)
        data = out.data
        rows.append((layer.name, out.shape, np.median(forward) * 1e3, np.median(backward) * 1e3))
    step = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        step.append(time.perf_counter() - start)
    print(f"| layer | output | forward (ms) | backward (ms) |   (batch {BATCH}, median of {repeats})")
    print("|---|---|---:|---:|")
    for name, shape, f, b in rows:
        print(f"| {name} | {shape} | {f:.2f} | {b:.2f} |")
    total = sum(r[2] + r[3] for r in rows)
    print(f"layers: {total:.2f} ms; whole train_on_batch step: {np.median(step) * 1e3:.2f} ms "
          f"(the rest: loss, optimizer, bookkeeping)")


def _training_memory(factory: str, conn) -> None:
    """Child process: resident memory before any step, and its peak over 3 calls (30 steps)."""
    import tracemalloc

    step = globals()[factory]()
    before = status_mib("VmRSS")
    traced = factory == "ours_side"
    if traced:
        tracemalloc.start()
    for _ in range(3):
        step()
    numpy_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    conn.send((before, status_mib("VmHWM"), numpy_peak))


def peak_memory() -> None:
    """Memory of training, each side in a fresh process: the peak resident memory over 30 steps
    minus the resident memory once model and data exist (allocator caches included), and for
    ours the peak of NumPy's own allocations (tracemalloc)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for name, factory in (("dl-convnet", "ours_side"), ("torch", "torch_side")):
        parent, child = context.Pipe()
        process = context.Process(target=_training_memory, args=(factory, child))
        process.start()
        before, peak, numpy_peak = parent.recv()
        process.join()
        extra = f"; NumPy arrays at their peak {numpy_peak:.1f} MiB (tracemalloc)" if numpy_peak else ""
        print(f"{name}: resident memory {before:.0f} MiB with model and data, peak {peak:.0f} MiB while "
              f"training: +{peak - before:.0f} MiB{extra}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--profile", action="store_true", help="time each layer of our model instead")
    parser.add_argument("--memory", action="store_true", help="also report the peak memory of one step")
    parser.add_argument("--processes", action="store_true",
                        help="run each side in a process of its own (dl-tensor's allocator settings stay in ours)")
    args = parser.parse_args(argv)
    if args.profile:
        profile()
        return None
    if args.processes:
        res = compare_in_processes({"dl-convnet": "bench_convnet:ours_side", "torch": "bench_convnet:torch_side"},
                                   str(Path(__file__).resolve().parent), rounds=args.rounds, seconds=args.seconds)
    else:
        res = compare({"dl-convnet": ours_side(), "torch": torch_side()}, rounds=args.rounds, seconds=args.seconds)
    print(f"convnet (the book's MNIST convnet, batch {BATCH}, RMSprop), median of {args.rounds} rounds, "
          f"{os.cpu_count()} cores, {'one process per side' if args.processes else 'both sides in one process'}")
    figures = print_comparison(res, "dl-convnet")
    if args.memory:
        peak_memory()
    return figures


if __name__ == "__main__":
    main()
