"""Run every notebook script and write the table of their results beside the book's.

Each ``nb*.py`` in this folder ports one notebook of the book's first edition; its ``main``
returns the rows it printed (``beside_the_book.Row``). This runs them in order, in one
process, and writes the rows, notebook by notebook, with each run's time, as the Markdown
page the docs' results page shows (``docs/generated/notebooks.md``)::

    python examples/notebooks/run_all.py                 # the default runs (about 20 minutes on 2 cores)
    python examples/notebooks/run_all.py --quick         # the small runs the integration tests make
    python examples/notebooks/run_all.py nb3_7 nb6_3     # some of them (a prefix of the file name)
    python examples/notebooks/run_all.py --write         # all of them, and rewrite the docs' page

``tox -e notebooks -- ARGS`` runs it with everything the scripts need installed.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from beside_the_book import markdown_table  # noqa: E402

from dl_layers.atomic import atomic_write  # noqa: E402

DEFAULT_OUT = HERE.parents[1] / "docs" / "generated" / "notebooks.md"


def notebook_modules(prefixes: list[str]) -> list[str]:
    """The scripts' module names, in the book's order (nb2_1 ... nb7_1), filtered by prefixes."""
    names = sorted(path.stem for path in HERE.glob("nb*.py"))
    names.sort(key=lambda name: [int(part) for part in name[2:].split("_")[:2]])  # nb3_10 after nb3_7
    return [name for name in names if not prefixes or any(name.startswith(p) for p in prefixes)]


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all-or-nothing (dl-layers' ``atomic_write``), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "w") as f:
        f.write(text)


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only the scripts whose names start with these")
    parser.add_argument("--quick", action="store_true", help="the scripts' small runs")
    parser.add_argument("--write", action="store_true", help="write the Markdown page (--out)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the Markdown page to write")
    args = parser.parse_args(argv)

    runs = []
    for name in notebook_modules(args.only):
        module = importlib.import_module(name)
        title = module.__doc__.strip().splitlines()[0].rstrip(".")
        print(f"\n##### {name}: {title}", flush=True)
        start = time.perf_counter()
        result = module.main(["--quick"] if args.quick else [])
        runs.append({"name": name, "title": title, "rows": result["rows"], "seconds": time.perf_counter() - start})

    lines = [
        "<!-- written by examples/notebooks/run_all.py: do not edit by hand -->",
        f"Measured on {datetime.date.today().isoformat()}, {platform.machine()} with {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'every core')} BLAS thread(s)"
        + (" (the scripts' --quick runs); " if args.quick else " (the scripts' default runs); ")
        + f"{sum(run['seconds'] for run in runs) / 60:.1f} minutes in all.",
        "",
    ]
    for run in runs:
        lines += [f"### {run['title']}", "",
                  f"`examples/notebooks/{run['name']}.py`, {run['seconds']:.0f} s.", "",
                  markdown_table(run["rows"]), ""]
    text = "\n".join(lines)
    print("\n" + text)
    if args.write:
        write_atomically(args.out, text)
        print(f"written to {args.out}")
    return runs


if __name__ == "__main__":
    main()
