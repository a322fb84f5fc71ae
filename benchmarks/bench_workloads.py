"""All four reference workloads of ``shared/bench/torch_ref.py`` against their PyTorch twins, one table.

    tox -e bench                                   # first of the bench env's commands
    python benchmarks/bench_workloads.py           # writes docs/generated/speed.md
    python benchmarks/bench_workloads.py --no-write --workloads mlp lstm --rounds 3

The workloads (``mlp``, ``convnet``, ``conv_gru``, ``lstm``) and both sides of each are the ones
of ``bench_mlp.py``, ``bench_convnet.py`` and ``bench_sequence.py``, imported from there (see
those files for the models). The fairness rules are theirs too: both sides train on the same
varied batches; each side runs in a process of its own (``harness.compare_in_processes``), in
alternating rounds of at least ``--seconds``, each after ``--pause`` seconds of rest (in one
process, ``--pause-one-process``: there the other side's idle threads spin longer); a side's
figure is its median over the rounds, and the ratio ours/PyTorch is given both as the ratio of
the medians and as the median of the per-round ratios. Unless ``--no-one-process``, each
workload is then measured again with both sides in this one process (``harness.compare``),
where dl-tensor's allocator settings apply to PyTorch as well. Both sides flush denormal
numbers to zero, PyTorch with ``torch.set_flush_denormal(True)`` and ours with
``dl_tensor.set_flush_denormal(True)``: without it our LSTM trained 2.5x slower (measured: 322
against 824 samples/s, ``ours_lstm`` alone in a process).

Peak memory per training step: in each side's own process, after the warm-up and the timed
rounds, the peak resident size (``VmHWM``) is reset (``/proc/self/clear_refs``), ``--memory-calls``
calls of the side's step run, and the peak minus the resident size just before them is
reported (``harness.step_memory``): the memory a step needs beyond what the process already
holds (model, data, and whatever its allocator kept from earlier steps). Next to it, the peak
over the warm-up calls minus the resident size once model and data exist: what the first
steps take before an allocator keeps anything (where the reset is refused, both are the peak
since the process started, an upper bound, and the table says so).

The table (Markdown) goes to ``docs/generated/speed.md`` (``--out``), which the results page
of the docs includes; ``--no-write`` only prints it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402

DEFAULT_OUT = REPO / "docs" / "generated" / "speed.md"

#: workload -> (ours "module:function", PyTorch "module:function", goal for ours/PyTorch samples/s, what it is)
WORKLOADS = {
    "mlp": ("bench_mlp:ours_side", "bench_mlp:torch_side", 1.05, "784-512-10 MLP, batch 128"),
    "convnet": ("bench_convnet:ours_side", "bench_convnet:torch_side", 1.05, "the book's MNIST convnet, batch 64"),
    "conv_gru": ("bench_sequence:ours_conv_gru", "bench_sequence:torch_conv_gru", 1.35,
                 "Embedding, 2 Conv1D, GRU(32) on 500 tokens, batch 128"),
    "lstm": ("bench_sequence:ours_lstm", "bench_sequence:torch_lstm", 1.1,
             "Embedding, LSTM(32) on 500 tokens, batch 128"),
}


# -- the machine ------------------------------------------------------------------------
def machine() -> dict:
    """CPU model, cores, Python, NumPy and its BLAS, PyTorch (without importing it), the load."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    blas = "unknown BLAS"
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older NumPy: the BLAS is only a detail of the header
        pass
    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = "not installed"
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "blas": blas, "torch": torch_version, "load": os.getloadavg()[0],
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}


def describe(m: dict) -> str:
    return (f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, NumPy {m['numpy']} ({m['blas']}), "
            f"PyTorch {m['torch']}")


# -- measuring --------------------------------------------------------------------------
def ratios(res: dict) -> tuple[float, float]:
    """(ratio of the medians, median of the per-round ratios), ours/PyTorch."""
    return res["ours"]["median"] / res["torch"]["median"], harness.round_ratio(res, "ours", "torch")


def in_processes(workload: str, args) -> dict:
    ours, torch, _, _ = WORKLOADS[workload]
    return harness.compare_in_processes({"ours": ours, "torch": torch}, str(HERE), rounds=args.rounds,
                                        seconds=args.seconds, pause=args.pause, memory_calls=args.memory_calls)


def in_one_process(workload: str, args) -> dict:
    import importlib

    sides = {}
    for side, factory in zip(("ours", "torch"), WORKLOADS[workload][:2]):
        module, name = factory.split(":")
        sides[side] = getattr(importlib.import_module(module), name)()
    return harness.compare(sides, rounds=args.rounds, seconds=args.seconds, pause=args.pause_one_process)


# -- the table --------------------------------------------------------------------------
def table(rows: dict, m: dict, args, load_after: float) -> str:
    one = any("one" in r for r in rows.values())
    rest = f"{args.pause:g} s of rest before each" + (f" ({args.pause_one_process:g} s in one process)" if one else "")
    lines = [
        "<!-- written by benchmarks/bench_workloads.py (tox -e bench): do not edit by hand -->",
        f"Measured {m['date']} on {describe(m)}; each side in a process of its own, {args.rounds} rounds of "
        f"at least {args.seconds:g} s per side, {rest}; load average (1 min) "
        f"{m['load']:.2f} before the run, {load_after:.2f} after it.",
        "",
        "| workload | ours samples/s | PyTorch samples/s | ratio (a process each) | ratio (one process) | goal "
        "| ours peak MiB/step | PyTorch peak MiB/step |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload, r in rows.items():
        each = r["each"]
        of_medians, per_round = ratios(each)
        cell_one = "not measured"
        if "one" in r:
            cell_one = "{:.2f} / {:.2f}".format(*ratios(r["one"]))
        goal = WORKLOADS[workload][2]
        lines.append(
            f"| `{workload}` | {each['ours']['median']:,.0f} | {each['torch']['median']:,.0f} "
            f"| {of_medians:.2f} / {per_round:.2f} | {cell_one} | {goal:.2f} "
            f"| {memory_cell(each['ours']['memory'])} | {memory_cell(each['torch']['memory'])} |")
    hows = {r["each"][side]["memory"][key] for r in rows.values() for side in ("ours", "torch")
            for key in ("how", "first_how")}
    held = ", ".join(f"`{w}` {r['each']['ours']['memory']['built']:,.0f} / {r['each']['torch']['memory']['built']:,.0f}"
                     for w, r in rows.items())
    lines += [
        "",
        "Samples/s: medians over the rounds, each side in its own process. Ratios are ours/PyTorch "
        "samples/s (higher is faster for ours), given as *ratio of the medians / median of the per-round "
        "ratios*. " + ("\"One process\" runs both sides in the benchmark's process (dl-tensor's allocator "
                       "settings then apply to PyTorch too). " if one else "")
        + "Both sides flush denormal numbers to zero (`torch.set_flush_denormal(True)`, "
        "`dl_tensor.set_flush_denormal(True)`). "
        + "The goal is the ratio ours/PyTorch to reach. Peak MiB/step, in each side's own process, as "
        "*after warm-up / first steps*: after warm-up and the timed rounds, the peak resident memory over "
        f"{args.memory_calls} calls of the side's step (each a pass over the workload's 4 to 20 batches) "
        "minus the resident memory just before them (what a step adds to what the process "
        "already holds, allocator caches included); and the peak over the warm-up calls minus the resident "
        "memory once model and data existed (what the steps need before any allocator has kept memory). "
        f"Peaks: {'; '.join(HOW[h] for h in sorted(hows))}. Resident memory with model and data, ours / "
        f"PyTorch (MiB): {held}.",
    ]
    return "\n".join(lines) + "\n"


#: how harness.step_memory and its worker read a peak
HOW = {"VmHWM reset": "VmHWM of /proc/self/status, reset through /proc/self/clear_refs",
       "VmHWM since start": "VmHWM since the process started (its reset was refused)"}


def memory_cell(mem: dict) -> str:
    """'after warm-up / first steps' in MiB (see ``table``)."""
    extra = round(mem["extra"], 1) + 0.0  # + 0.0: no "-0.0"
    return f"{extra:,.1f} / {mem['first_peak'] - mem['built']:,.0f}"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all-or-nothing (dl-layers' ``atomic_write``), creating its folder."""
    from dl_layers.atomic import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "w") as f:
        f.write(text)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5, help="at least this long per side and round")
    parser.add_argument("--pause", type=float, default=0.5,
                        help="rest before each side's round, a process each (OpenBLAS's and OpenMP's idle "
                             "threads spin for well under that)")
    parser.add_argument("--pause-one-process", type=float, default=1.0,
                        help="rest before each side's round in one process (bench_sequence.py: 0.5 s was too short)")
    parser.add_argument("--memory-calls", type=int, default=2, help="calls of a side's step for its peak memory")
    parser.add_argument("--one-process", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure with both sides in one process (doubles the run time)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the Markdown table goes")
    parser.add_argument("--no-write", action="store_true", help="only print the table")
    args = parser.parse_args(argv)

    start, m = time.perf_counter(), machine()
    print(f"machine: {describe(m)}; {m['date']}; load average {m['load']:.2f}")
    rows = {}
    # every workload with a process per side first: this process stays free of PyTorch meanwhile
    for workload in args.workloads:
        print(f"\n{workload} ({WORKLOADS[workload][3]}), a process each, {args.rounds} rounds")
        res = in_processes(workload, args)
        harness.print_comparison(res, "ours")
        for side in ("ours", "torch"):
            mem = res[side]["memory"]
            print(f"{side}: resident {mem['before']:.0f} MiB after warm-up, peak {mem['peak']:.0f} MiB over "
                  f"{args.memory_calls} calls: +{mem['extra']:.1f} MiB ({mem['how']}); resident {mem['built']:.0f} MiB "
                  f"with model and data, peak {mem['first_peak']:.0f} MiB over the warm-up: "
                  f"+{mem['first_peak'] - mem['built']:.1f} MiB ({mem['first_how']})")
        rows[workload] = {"each": res}
        print(f"({time.perf_counter() - start:.0f} s so far)")
    if args.one_process:
        for workload in args.workloads:
            print(f"\n{workload}, both sides in one process, {args.rounds} rounds")
            rows[workload]["one"] = res = in_one_process(workload, args)
            harness.print_comparison(res, "ours")
            print(f"({time.perf_counter() - start:.0f} s so far)")
    text = table(rows, m, args, os.getloadavg()[0])
    print("\n" + text)
    if not args.no_write:
        write_atomically(args.out, text)
        print(f"written: {args.out}")
    print(f"run time: {time.perf_counter() - start:.0f} s")
    return rows


if __name__ == "__main__":
    main()
