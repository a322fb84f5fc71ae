"""The reference ``mlp`` workload: dl-layers' ``fit`` against the PyTorch twin, same process.

Workload (``shared/bench/torch_ref.py``): 784-512-10, relu, batch 128, RMSprop(1e-3),
sparse categorical cross-entropy, random inputs. Ours is the book's model,
``Dense(512, relu) -> Dense(10, softmax)`` trained with ``compile``/``fit``; PyTorch runs
its standard loop (zero_grad, forward, loss, backward, step). Both sides train on the same
20 different batches per call (ours: one ``fit`` epoch over them, in order), PyTorch with
both sides flushing denormals to zero (``torch.set_flush_denormal``,
``dl_tensor.set_flush_denormal``), each side after a short pause (``harness.compare``).

    tox -e bench                 # or: python benchmarks/bench_mlp.py --rounds 5

Prints samples/s, the ratio ours/torch, and the fraction of this machine's float32 GEMM
rate that our training step reaches.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from dl_tensor import set_flush_denormal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import compare, gemm_gflops, print_comparison, torch_training_step, varied_batches  # noqa: E402

BATCH, STEPS_PER_CALL = 128, 20


def batches():
    """The same 20 different random batches for both sides (one fit epoch, or 20 torch steps)."""
    return varied_batches(lambda rng: rng.standard_normal((BATCH, 784)).astype(np.float32),
                          lambda rng: rng.integers(0, 10, BATCH), STEPS_PER_CALL)


def torch_side():
    """The reference workload of shared/bench/torch_ref.py (``mlp``), written out here."""
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    data = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches()]
    loss_fn = nn.CrossEntropyLoss()
    return torch_training_step(model, data, loss_fn)


def ours_side():
    import dl_layers as L

    L.set_random_seed(0)
    set_flush_denormal(True)  # as the PyTorch side's torch.set_flush_denormal(True)
    data = batches()
    x = np.concatenate([b[0] for b in data])  # (2560, 784): the same batches, in one array
    y = np.concatenate([b[1] for b in data])
    model = L.Sequential([L.Dense(512, activation="relu", input_shape=(784,)), L.Dense(10, activation="softmax")])
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=1e-3), loss="sparse_categorical_crossentropy")

    def step():
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        return len(x)

    return step


def flops_per_sample() -> float:
    """Multiply-adds x2 of forward (both layers), weight gradients, and the hidden-layer input gradient."""
    forward = 784 * 512 + 512 * 10
    backward = 784 * 512 + 512 * 10 + 512 * 10  # dW1, dW2, d hidden (no gradient for the data)
    return 2.0 * (forward + backward)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args(argv)
    sides = {"dl-layers": ours_side(), "torch": torch_side()}
    res = compare(sides, rounds=args.rounds, seconds=args.seconds)
    ours = res["dl-layers"]["median"]
    gemm = gemm_gflops()
    achieved = ours * flops_per_sample() / 1e9
    print(f"mlp (784-512-10, batch {BATCH}, RMSprop), median of {args.rounds} rounds, {os.cpu_count()} cores")
    figures = print_comparison(res, "dl-layers")
    print(f"float32 GEMM rate (NumPy, 2048^3): {gemm:.1f} GFLOP/s; our MLP step: {achieved:.1f} GFLOP/s "
          f"= {achieved / gemm:.0%} of it")
    return {**figures, "gemm": gemm, "fraction": achieved / gemm}


if __name__ == "__main__":
    main()
