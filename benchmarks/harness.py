"""Timing harness shared by the benchmarks: alternate rounds, report medians and ratios.

Both sides run in the same process, taking turns (ours, then the reference, per round)
so that machine drift hits both alike; each side's figure is the median over rounds, and
the ratio is median(ours) / median(reference). Because this kind of machine drifts a lot
between seconds, the median of the per-round ratios (each pairing two neighbouring
measurements) is reported too. Compare ratios, not absolute numbers.
"""

from __future__ import annotations

import importlib
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def throughput(step: Callable[[], int], seconds: float) -> float:
    """Run ``step`` (which returns the samples it processed) for about ``seconds``; samples/s."""
    samples, start = 0, time.perf_counter()
    while True:
        samples += step()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return samples / elapsed


def compare(sides: dict[str, Callable[[], int]], rounds: int = 5, seconds: float = 2.0, warmup: int = 2,
            pause: float = 0.3) -> dict:
    """Alternate the sides for ``rounds``; return {side: {"median": ..., "rounds": [...]}}.

    The order inside a round alternates too (A B, B A, ...), so neither side always runs
    right after the other, and each side starts after ``pause`` seconds of rest: on 2 cores
    the other side's idle BLAS/OpenMP threads keep spinning for a moment after it stops.
    """
    for step in sides.values():
        for _ in range(warmup):
            step()
    results = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            time.sleep(pause)
            results[name].append(throughput(sides[name], seconds))
    return {name: {"median": statistics.median(v), "rounds": v} for name, v in results.items()}


def status_mib(field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (the peak since start or the last reset) of this
    process, in MiB (Linux: ``/proc/self/status``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> bool:
    """Reset this process's ``VmHWM`` to its current resident size (Linux: "5" into
    ``/proc/self/clear_refs``); False where that is not possible or does not take effect."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return abs(status_mib("VmHWM") - status_mib("VmRSS")) < 1.0


def step_memory(step: Callable[[], int], calls: int = 2) -> dict:
    """Peak resident memory of ``calls`` calls of an already warmed-up ``step`` (MiB), over what
    the process held just before them: ``{"before", "peak", "extra", "how"}``.

    The peak is ``VmHWM`` after a reset (``_reset_peak_rss``); where the reset is refused, it is
    the peak since the process started (``"how"`` says which), an upper bound.
    """
    before = status_mib("VmRSS")
    how = "VmHWM reset" if _reset_peak_rss() else "VmHWM since start"
    for _ in range(calls):
        step()
    peak = status_mib("VmHWM")
    return {"before": before, "peak": peak, "extra": peak - before, "how": how}


def _side_worker(conn, path: str, factory: str, warmup: int) -> None:
    """Child process of ``compare_in_processes``: build one side, then time a round per request
    (a number of seconds), or measure ``step_memory`` (``("memory", calls)``), which also reports
    the resident memory once the side is built (``"built"``) and its peak over the warm-up calls
    (``"first_peak"``): the memory the first steps take, before any allocator has kept any."""
    sys.path.insert(0, path)
    module, name = factory.split(":")
    step = getattr(importlib.import_module(module), name)()
    built = status_mib("VmRSS")  # model and data, no step yet
    reset = _reset_peak_rss()
    for _ in range(warmup):
        step()
    # the warm-up's peak (since the reset; where it was refused, since the process started)
    first = {"built": built, "first_peak": status_mib("VmHWM"),
             "first_how": "VmHWM reset" if reset else "VmHWM since start"}
    conn.send("ready")
    while (request := conn.recv()) is not None:
        if isinstance(request, tuple):
            conn.send({**step_memory(step, request[1]), **first})
        else:
            conn.send(throughput(step, request))


def compare_in_processes(factories: dict[str, str], path: str, rounds: int = 5, seconds: float = 2.0,
                         warmup: int = 2, pause: float = 0.3, memory_calls: int = 0) -> dict:
    """``compare``, with each side in a process of its own: ``{side: "module:function"}``, the
    function returning the side's step (``path`` is the folder to import the module from).

    The rounds alternate exactly as in ``compare``, but nothing a side does to its process
    (allocator settings, thread pools) reaches the other side. With ``memory_calls``, each side
    then measures ``step_memory`` over that many calls in its own process (one side at a time),
    added to its result as ``"memory"``.
    """
    context = multiprocessing.get_context("spawn")
    workers = {}
    for name, factory in factories.items():
        parent, child = context.Pipe()
        process = context.Process(target=_side_worker, args=(child, path, factory, warmup), daemon=True)
        process.start()
        workers[name] = (parent, process)
    try:
        for parent, _ in workers.values():
            if parent.recv() != "ready":
                raise RuntimeError("a benchmark side failed to start")
        results = {name: [] for name in workers}
        names = list(workers)
        for r in range(rounds):
            for name in names if r % 2 == 0 else reversed(names):
                time.sleep(pause)
                workers[name][0].send(seconds)
                results[name].append(workers[name][0].recv())
        memory = {}
        if memory_calls:
            for name in names:
                time.sleep(pause)
                workers[name][0].send(("memory", memory_calls))
                memory[name] = workers[name][0].recv()
    finally:
        for parent, process in workers.values():
            parent.send(None)
            process.join(timeout=10)
    return {name: {"median": statistics.median(v), "rounds": v, **({"memory": memory[name]} if memory else {})}
            for name, v in results.items()}


def round_ratio(res: dict, ours: str, reference: str) -> float:
    """Median over rounds of ours/reference measured in the same round."""
    return statistics.median(a / b for a, b in zip(res[ours]["rounds"], res[reference]["rounds"]))


def print_comparison(res: dict, ours: str, reference: str = "torch") -> dict:
    """Print the samples/s table of a comparison and the ratio ours/reference (of the medians,
    and the median of the per-round ratios); return those figures."""
    print("| side | samples/s | rounds |")
    print("|---|---:|---|")
    for name, r in res.items():
        print(f"| {name} | {r['median']:,.0f} | {', '.join(f'{v:,.0f}' for v in r['rounds'])} |")
    mine, ref = res[ours]["median"], res[reference]["median"]
    per_round = round_ratio(res, ours, reference)
    print(f"ratio {ours}/{reference}: {mine / ref:.2f} (median of per-round ratios: {per_round:.2f})")
    return {"ours": mine, "torch": ref, "ratio": mine / ref, "round_ratio": per_round}


def gemm_gflops(n: int = 2048, repeats: int = 5) -> float:
    """This machine's float32 matrix-multiply rate through NumPy's BLAS (median of repeats)."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((n, n)).astype(np.float32)
    a @ b  # warm up the BLAS threads
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


def varied_batches(make_x, make_y, count: int, seed: int = 0) -> list:
    """``count`` different ``(x, y)`` batches for both sides of a comparison.

    Training one batch over and over drives its loss to zero and its gradients into
    denormal numbers, which slows a side down for reasons unrelated to its speed; both
    sides get the same sequence of different batches instead.
    """
    rng = np.random.default_rng(seed)
    return [(make_x(rng), make_y(rng)) for _ in range(count)]


def torch_training_step(model, data: list, loss_fn, learning_rate: float = 1e-3) -> Callable[[], int]:
    """PyTorch's standard training loop over ``data`` (a list of ``(x, y)`` tensors) with
    RMSprop, as a benchmark side: each call trains one pass and returns the samples it saw."""
    import torch

    opt = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
    samples = sum(len(x) for x, _ in data)

    def step():
        for x, y in data:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return samples

    return step
