"""What every plotting function shares: a Figure (never pyplot's global state), headless.

Each plotting function of dl-viz returns a ``matplotlib.figure.Figure``. A function that
draws one panel takes ``ax=``: given, it draws there and returns ``ax.figure``; not given,
it makes a new Figure. Figures are made with ``matplotlib.figure.Figure`` directly, not
``pyplot``, so they work without a display (Agg) and are freed when no longer referenced.
Nothing is saved unless you call ``fig.savefig(path)``, or ``save_figure`` for an atomic write.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from dl_layers.atomic import new_temp_file


def new_axes(ax=None, figsize=(6.0, 4.0)):
    """``(fig, ax)``: ``ax`` and its figure if given, else one new panel.

    Examples:
        >>> fig, ax = new_axes()
        >>> len(fig.axes)
        1
        >>> new_axes(ax)[0] is fig
        True
    """
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def new_grid(n: int, ncols: int, panel_size=1.6, title=None):
    """``(fig, axes)``: a grid of ``n`` image panels, ``ncols`` per row, without ticks;
    panels past ``n`` are removed. ``axes`` is a flat list of ``n`` axes.

    Examples:
        >>> fig, axes = new_grid(5, ncols=3)
        >>> len(axes), len(fig.axes)
        (5, 5)
    """
    if n < 1:
        raise ValueError(f"new_grid: n must be at least 1, got {n}")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)  # ceil
    fig = Figure(figsize=(panel_size * ncols, panel_size * nrows + (0.4 if title else 0.0)), layout="constrained")
    axes = list(np.ravel(fig.subplots(nrows, ncols, squeeze=False)))
    for extra in axes[n:]:
        extra.remove()
    for ax in axes[:n]:
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig, axes[:n]


def save_figure(fig, path, **savefig_kwargs) -> Path:
    """Write ``fig`` to ``path`` atomically (a temporary name, then a rename): an interrupted
    save never leaves half an image. The format comes from the suffix (``.png``, ``.svg``...).

    Examples:
        >>> import tempfile
        >>> fig, ax = new_axes()
        >>> _ = ax.plot([0, 1], [1, 0])
        >>> path = save_figure(fig, Path(tempfile.mkdtemp()) / "line.png")
        >>> path.read_bytes()[:4] == b"\\x89PNG"
        True
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save_figure: the folder {str(path.parent)!r} does not exist")
    fmt = savefig_kwargs.pop("format", None) or path.suffix.lstrip(".") or "png"
    tmp, fd = new_temp_file(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format=fmt, **savefig_kwargs)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
