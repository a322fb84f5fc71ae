"""Training curves: the loss and metrics of each epoch, on the training and the validation data.

The book reads every model through these curves (``history.history`` after ``fit``): while the
validation loss falls with the training loss the model is still learning; when it turns up while
the training loss keeps falling, the model has started to overfit, and the best epoch to stop at
is the one with the lowest validation loss (or the highest validation accuracy). Noisy curves
are easier to read once smoothed by an exponential moving average (first edition, section 5.4).

A history comes as a ``History`` (what ``fit`` returns), a dict of name -> list of values, or a
JSON-lines file with one object per epoch (``{"epoch": 0, "loss": 0.71, "val_loss": 0.80}``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.ticker import AutoLocator, MaxNLocator

from dl_layers.callbacks import other_spellings
from dl_layers.checks import check_number
from dl_layers.metrics import lower_is_better

from .figure_utils import new_axes, new_grid

__all__ = ["plot_history", "read_history", "smooth_curve"]

# -- reading ------------------------------------------------------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _ordered_by_epoch(columns: dict[str, np.ndarray], epochs) -> dict[str, list[float]]:
    """The columns as lists of floats, rows sorted by ``epochs`` (stable) when given."""
    order = None if epochs is None else np.argsort(np.asarray(epochs, dtype=float), kind="stable")
    return {name: (values if order is None else values[order]).tolist() for name, values in columns.items()}


def _per_epoch(values, what: str) -> np.ndarray:
    """``values`` as a 1-D float array (one value per epoch), or an error starting with ``what``."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} must be a list of numbers, got {values!r}") from err
    if array.ndim != 1:
        raise ValueError(f"{what} must be a flat list of numbers (one per epoch), got an array of shape {array.shape}")
    return array


def _from_mapping(mapping: Mapping, where: str) -> dict[str, list[float]]:
    columns = {}
    for name, values in mapping.items():
        columns[str(name)] = _per_epoch(values, f"read_history: {where}[{name!r}]")
    epochs = columns.pop("epoch", None)
    lengths = {name: len(values) for name, values in columns.items()}
    if not columns or max(lengths.values()) == 0:
        raise ValueError(f"read_history: the history is empty (no metric with a value), got {dict(mapping)!r}")
    if len(set(lengths.values())) > 1 or (epochs is not None and len(epochs) != max(lengths.values())):
        if epochs is not None:
            lengths = {"epoch": len(epochs), **lengths}
        raise ValueError(f"read_history: the lists of {where} must have one value per epoch, the same length; "
                         f"got lengths {lengths} (fit(validation_freq=k) logs validation every k epochs only: "
                         "put NaN in the other epochs' places)")
    return _ordered_by_epoch(columns, epochs)


def _from_json_lines(path) -> dict[str, list[float]]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"read_history: no history file at {str(path)!r}")
    rows, epochs = [], []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):  # one line per epoch
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"read_history: {str(path)!r} line {number} is not valid JSON ({err.msg}): "
                                 f"{line.strip()[:80]!r}") from err
            if not isinstance(row, dict):
                raise ValueError(f"read_history: {str(path)!r} line {number} must be a JSON object "
                                 f"(name -> value), got {row!r}")
            epochs.append(row.pop("epoch", None))
            rows.append({name: float(value) for name, value in row.items() if _is_number(value)})
    names = list(dict.fromkeys(name for row in rows for name in row))  # first-appearance order
    if not names:
        raise ValueError(f"read_history: the history in {str(path)!r} is empty (no line with a numeric metric)")
    columns = {name: np.array([row.get(name, math.nan) for row in rows]) for name in names}
    by_epoch = all(_is_number(epoch) for epoch in epochs)
    return _ordered_by_epoch(columns, epochs if by_epoch else None)


def read_history(source) -> dict[str, list[float]]:
    """The per-epoch values of each metric, from whatever holds them.

    * a ``History`` (what ``model.fit`` returns; anything with a ``.history`` dict);
    * a dict of name -> list of numbers, one per epoch;
    * a path to a JSON-lines file: one JSON object per epoch, e.g.
      ``{"epoch": 0, "loss": 0.71, "val_loss": 0.80, "accuracy": 0.5}``. Blank lines are skipped.
      A name missing from a line, or holding something that is not a number there (a string,
      null, a list), gives NaN for that epoch; a name that never holds a number is left out.

    The key ``"epoch"`` is not a metric: when every row has one, rows are ordered by it, otherwise
    they keep their order.

    Args:
        source: a ``History``, a dict, or a path (str or ``os.PathLike``) to a JSON-lines file.

    Returns:
        dict from metric name to a list of ``n_epochs`` floats (NaN where missing), in logged order.

    Raises:
        ValueError: empty history, lists of different lengths, values that are not numbers,
            malformed JSON (the message names the file and the line).

    Examples:
        >>> read_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})
        {'loss': [0.9, 0.5], 'val_loss': [1.0, 0.7]}
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "log.jsonl"
        >>> _ = path.write_text('{"epoch": 1, "loss": 0.5}\\n\\n{"epoch": 0, "loss": 0.9, "accuracy": 0.6}\\n')
        >>> read_history(path)
        {'loss': [0.9, 0.5], 'accuracy': [0.6, nan]}
    """
    if isinstance(source, str | os.PathLike):
        return _from_json_lines(source)
    if isinstance(source, Mapping):
        return _from_mapping(source, "history")
    history = getattr(source, "history", None)
    if isinstance(history, Mapping):
        return _from_mapping(history, "history.history")
    raise TypeError(f"read_history: argument `source` must be a History, a dict of name -> list of values, "
                    f"or the path of a JSON-lines file, got {type(source).__name__}: {source!r}"[:300])


def smooth_curve(values, factor: float = 0.8) -> np.ndarray:
    """The book's exponential moving average: each point becomes ``factor`` times the previous
    smoothed point plus ``1 - factor`` times itself; the first point stays as it is.

    NaN points stay NaN and are skipped (the average carries over them).

    Args:
        values: the curve, shape ``(n_epochs,)``.
        factor: how much of the past to keep, in [0, 1); 0 leaves the curve unchanged.

    Returns:
        The smoothed curve, a float64 array of shape ``(n_epochs,)``.

    Examples:
        >>> smooth_curve([1.0, 0.0, 0.0, 1.0], factor=0.5)
        array([1.   , 0.5  , 0.25 , 0.625])
    """
    factor = check_number("smooth_curve", "factor", factor, minimum=0, maximum=1, max_inclusive=False)
    values = _per_epoch(values, "smooth_curve: argument `values`")
    smoothed = np.full_like(values, np.nan)
    previous = None
    for epoch, value in enumerate(values):  # a loop over epochs: each point needs the previous one
        if np.isnan(value):
            continue
        previous = value if previous is None else previous * factor + value * (1 - factor)
        smoothed[epoch] = previous
    return smoothed


# -- plotting -----------------------------------------------------------------------------------


def _base_names(history: dict) -> list[str]:
    """The panel names: keys without their ``val_`` prefix, ``loss`` first, then in logged order."""
    bases = list(dict.fromkeys(name.removeprefix("val_") for name in history))
    return sorted(bases, key=lambda name: name != "loss")  # stable: the others keep their order


def _chosen_metrics(metrics, bases: list[str]) -> list[str]:
    if metrics is None:
        return bases
    requested = [metrics] if isinstance(metrics, str) else metrics
    if not isinstance(requested, list | tuple) or not requested or not all(isinstance(m, str) for m in requested):
        raise ValueError(f"plot_history: argument `metrics` must be None, a metric name or a non-empty list of "
                         f"names, got {metrics!r}")
    chosen, unknown = [], []
    for name in dict.fromkeys(requested):
        spellings = [name, *other_spellings(name)]  # acc <-> accuracy, as logged
        logged = next((alt for alt in spellings if alt in bases), None)
        if logged in bases:
            chosen.append(logged)
        else:
            unknown.append(name)
    if unknown:
        raise ValueError(f"plot_history: metrics={unknown!r} not in the history; logged: {sorted(bases)}")
    return chosen


def _best_epoch(name: str, curve: np.ndarray) -> int | None:
    """Index of the best finite point of ``curve``, or None if it has none."""
    if not np.isfinite(curve).any():
        return None
    finite = np.where(np.isfinite(curve), curve, np.nan)
    return int(np.nanargmin(finite) if lower_is_better(name) else np.nanargmax(finite))


def _plot_panel(ax, history: dict, name: str, smooth) -> None:
    epochs = np.arange(1, len(next(iter(history.values()))) + 1)  # x axis: epochs 1..n
    reference = None  # the curve the best epoch is read on: validation if logged, else training
    for key, label, color in ((name, "training", "C0"), (f"val_{name}", "validation", "C1")):
        if key not in history:
            continue
        raw = np.asarray(history[key], dtype=float)
        if smooth is None:
            ax.plot(epochs, raw, color=color, marker="o", markersize=3, label=label)
            curve = raw
        else:
            ax.plot(epochs, raw, color=color, alpha=0.3)
            curve = smooth_curve(raw, smooth)
            ax.plot(epochs, curve, color=color, label=f"{label} (smoothed)")
        if np.isfinite(curve).any():
            reference = curve
    best = None if reference is None else _best_epoch(name, reference)
    if best is not None:
        ax.axvline(epochs[best], color="0.4", linestyle=":", linewidth=1)
        ax.plot([epochs[best]], [reference[best]], linestyle="none", marker="*", markersize=12, color="C3",
                label=f"best epoch {epochs[best]}")
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()


def plot_history(history_or_dict, metrics=None, smooth=None, figsize=None, ax=None):
    """Training and validation curves, one panel per metric, with the best epoch marked.

    Each panel draws the training curve (``name``) and the validation curve (``val_name``) over
    epochs 1..n, and marks the best epoch of the validation curve (of the training curve if there
    is no validation) with a star, a dotted vertical line and the legend entry ``"best epoch N"``.
    Best is the lowest value for losses and errors, the highest otherwise (dl-layers'
    ``lower_is_better``, which dl-workflow's callbacks use too).
    NaN values are not drawn.

    Args:
        history_or_dict: a ``History``, a dict of name -> list, or a JSON-lines path (see ``read_history``).
        metrics: None (every logged metric: ``loss`` first, then the others in logged order), a
            metric name, or a list of names (plotted in that order). ``acc`` and ``accuracy`` find
            each other; panels keep the logged spelling.
        smooth: None, or a ``smooth_curve`` factor in [0, 1): the raw curves are then drawn faint
            and the smoothed ones solid, and the best epoch is read on the smoothed curve.
        figsize: the figure size in inches; default 6 x 4 for one panel, 4 x 4 per panel otherwise.
        ax: an axes to draw one metric in (an error if more than one metric would be plotted).

    Returns:
        The Figure, one axes per metric, in a row. Line order in a panel: training, validation
        (each as raw then smoothed when smoothing), the dotted line, the best-epoch marker.

    Examples:
        >>> fig = plot_history({"loss": [0.9, 0.6, 0.5], "val_loss": [1.0, 0.7, 0.8],
        ...                     "accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.4, 0.6, 0.65]})
        >>> [panel.get_title() for panel in fig.axes]
        ['loss', 'accuracy']
        >>> fig.axes[0].get_legend_handles_labels()[1]
        ['training', 'validation', 'best epoch 2']
        >>> fig.axes[1].get_legend_handles_labels()[1][-1]
        'best epoch 3'
    """
    history = read_history(history_or_dict)
    chosen = _chosen_metrics(metrics, _base_names(history))
    if smooth is not None:
        smooth = check_number("plot_history", "smooth", smooth, minimum=0, maximum=1, max_inclusive=False)
    if ax is not None and len(chosen) > 1:
        raise ValueError(f"plot_history: argument `ax` draws one metric, but {len(chosen)} would be plotted "
                         f"({chosen}); pass metrics='{chosen[0]}' or leave ax=None")
    if len(chosen) == 1:
        fig, panel = new_axes(ax, figsize or (6.0, 4.0))
        panels = [panel]
    else:
        fig, panels = new_grid(len(chosen), ncols=len(chosen), panel_size=4.0)
        for panel in panels:  # new_grid makes image panels without ticks; curves need them
            panel.yaxis.set_major_locator(AutoLocator())
        if figsize is not None:
            fig.set_size_inches(figsize)
    for panel, name in zip(panels, chosen):
        _plot_panel(panel, history, name, smooth)
    return fig
