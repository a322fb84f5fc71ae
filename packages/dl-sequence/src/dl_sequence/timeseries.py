"""Windows over a time series, the first edition's generator, and the common-sense baseline.

A forecasting sample is a window of past measurements (the input) and one value some time
after it (the target). Two ways to cut them, one per edition of the book:

* ``timeseries_dataset_from_array`` (2nd edition, Keras's ``keras.utils`` function): a
  re-iterable batch source over every window, in order or shuffled;
* ``generator`` (1st edition, section 6.3): an endless Python generator drawing random windows
  (training) or sweeping through them in order (validation, test).

Both cut the windows batch by batch with index arithmetic (one fancy-index per batch), so the
windowed data set, ``sequence_length`` times larger than the series, never exists in memory.

The common-sense baseline predicts that the target will be what it is now (the last value of
the window): ``evaluate_naive_method`` measures its MAE on either kind of batch source, and
``naive_forecast`` / ``seasonal_naive`` do the same on a plain series.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np

from dl_tensor import Tensor
from dl_tensor import random as dl_random

__all__ = [
    "TimeseriesDataset",
    "evaluate_naive_method",
    "generator",
    "naive_forecast",
    "seasonal_naive",
    "timeseries_dataset_from_array",
]


def _as_array(values, name: str) -> np.ndarray:
    arr = values.data if isinstance(values, Tensor) else np.asarray(values)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be an array with a time axis first, got a scalar")
    return arr


def _float32(batch: np.ndarray) -> np.ndarray:
    """float32 for float data (per batch, so a float64 series is never copied whole)."""
    return batch.astype(np.float32) if batch.dtype.kind == "f" and batch.dtype != np.float32 else batch


def _check_int(value, name: str, minimum: int, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


# ----------------------------------------------------------------- the 2nd edition's windows


class TimeseriesDataset:
    """Batches of windows over a series: what ``timeseries_dataset_from_array`` returns.

    A "Sequence": ``len(ds)`` batches, ``ds[i]`` the i-th batch, and ``for batch in ds``
    (each new pass draws a new order when shuffling). ``Model.fit``, ``evaluate`` and
    ``predict`` take it directly. Build it with ``timeseries_dataset_from_array``.

    Attributes:
        num_windows: how many windows (samples) one pass yields.
        start_positions: the data index where each window starts, in the current order.
    """

    def __init__(self, data, targets, sequence_length, sequence_stride, sampling_rate, batch_size, shuffle,
                 seed, start_index, end_index):
        self.data, self.targets = data, targets
        self.sequence_length, self.sampling_rate = sequence_length, sampling_rate
        self.batch_size, self.shuffle = batch_size, shuffle
        # window j starts at data[start_index + j * sequence_stride]; its target is targets[that index]
        self._starts = np.arange(0, self._num_positions(start_index, end_index), sequence_stride) + start_index
        self.num_windows = len(self._starts)
        if self.num_windows == 0:
            span = (sequence_length - 1) * sampling_rate + 1
            raise ValueError(f"timeseries_dataset_from_array: no window fits: one window spans {span} steps "
                             f"(sequence_length={sequence_length}, sampling_rate={sampling_rate}) but only "
                             f"{end_index - start_index} steps lie between start_index={start_index} and "
                             f"end_index={end_index}" + ("" if targets is None else f" with {len(targets)} targets"))
        self._offsets = np.arange(sequence_length) * sampling_rate  # (sequence_length,) steps inside a window
        self._rng = np.random.RandomState(seed) if shuffle else None  # noqa: NPY002 (Keras's generator)
        self._order = self._rng.permutation(self.num_windows) if shuffle else None
        self._passes = 0

    def _num_positions(self, start_index: int, end_index: int) -> int:
        num = end_index - start_index - (self.sequence_length - 1) * self.sampling_rate
        if self.targets is not None:
            # Keras takes min(num, len(targets)); counting from start_index keeps every
            # target index inside the array (Keras would fail later with an index error)
            num = min(num, len(self.targets) - start_index)
        return max(num, 0)

    @property
    def start_positions(self) -> np.ndarray:
        return self._starts if self._order is None else self._starts[self._order]

    def __len__(self) -> int:
        return self.num_windows if self.batch_size is None else math.ceil(self.num_windows / self.batch_size)

    def __getitem__(self, index: int):
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise TypeError(f"TimeseriesDataset: batch index must be an integer, got {index!r}")
        if not -n <= index < n:
            raise IndexError(f"TimeseriesDataset: batch index {index} out of range for {n} batches")
        index = int(index) % n
        if self.batch_size is None:  # one window, no batch axis (Keras's batch_size=None)
            x, y = self._windows(slice(index, index + 1))
            return x[0] if y is None else (x[0], y[0])
        x, y = self._windows(slice(index * self.batch_size, (index + 1) * self.batch_size))
        return x if y is None else (x, y)

    def _windows(self, which: slice):
        windows = which if self._order is None else self._order[which]  # (b,) window numbers
        starts = self._starts[windows]  # (b,) data index of each window's first step
        steps = starts[:, None] + self._offsets  # (b, 1) + (sequence_length,) -> (b, sequence_length)
        x = _float32(self.data[steps])  # (b, sequence_length, *features)
        y = None if self.targets is None else _float32(self.targets[starts])  # (b, *target_shape)
        return x, y

    def __iter__(self) -> Iterator:
        if self.shuffle and self._passes > 0:
            self._order = self._rng.permutation(self.num_windows)  # a new order at each new pass
        self._passes += 1
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return (f"TimeseriesDataset({self.num_windows} windows of {self.sequence_length} steps, "
                f"{len(self)} batches of {self.batch_size}, shuffle={self.shuffle})")


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128,
                                  shuffle=False, seed=None, start_index=None, end_index=None) -> TimeseriesDataset:
    """Batches of sliding windows over a series, as Keras's ``keras.utils.timeseries_dataset_from_array``.

    Window ``i`` starts at ``s = start_index + i * sequence_stride`` and holds
    ``data[s], data[s + sampling_rate], ...`` (``sequence_length`` steps); its target is
    ``targets[s]`` (so ``targets[k]`` must be the target of the window starting at ``k``).
    Only steps in ``[start_index, end_index)`` are used. The last batch may be smaller.

    Args:
        data: the series, ``(time, ...)``: an array (or anything ``np.asarray`` takes).
        targets: ``(time, ...)`` targets aligned with ``data``, or None to yield inputs only.
        sequence_length: steps per window.
        sequence_stride: steps between the starts of two consecutive windows.
        sampling_rate: steps between two consecutive samples inside a window (6 on the
            10-minute Jena data: one sample per hour).
        batch_size: windows per batch; None yields single windows (no batch axis).
        shuffle: visit the windows in a random order: the first pass in the order Keras
            gives its start positions (``np.random.RandomState(seed)``), each new pass a new one.
        seed: for the shuffle; None draws one from dl-tensor's generator
            (``dl_layers.set_random_seed`` makes it repeatable).
        start_index: first step used (default 0).
        end_index: first step not used (default ``len(data)``); as in Keras, it must be
            lower than ``len(data)``.

    Returns:
        A ``TimeseriesDataset``: ``len(ds)`` batches, ``ds[i]``, and iteration yield
        ``(x_batch, y_batch)`` (or ``x_batch`` when ``targets`` is None), float data as float32.

    Shapes:
        x_batch: ``(batch, sequence_length, *data.shape[1:])``; y_batch: ``(batch, *targets.shape[1:])``.

    Examples:
        >>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3, batch_size=2)
        >>> len(ds), ds[0]
        (4, array([[0, 1, 2],
               [1, 2, 3]]))
        >>> data = np.arange(20, dtype="float64")
        >>> ds = timeseries_dataset_from_array(data[:-4], targets=data[4:], sequence_length=3, sampling_rate=2,
        ...                                    sequence_stride=5, batch_size=8)
        >>> x, y = ds[0]
        >>> x                               # windows of 3 steps, 2 apart, starting 5 apart
        array([[ 0.,  2.,  4.],
               [ 5.,  7.,  9.],
               [10., 12., 14.]], dtype=float32)
        >>> y                               # the value 4 steps after each window's start
        array([ 4.,  9., 14.], dtype=float32)
    """
    data = _as_array(data, "data")
    if targets is not None:
        targets = _as_array(targets, "targets")
    _check_int(sequence_length, "sequence_length", 1)
    _check_int(batch_size, "batch_size", 1, allow_none=True)
    _check_int(start_index, "start_index", 0, allow_none=True)
    _check_int(end_index, "end_index", 1, allow_none=True)
    _check_int(sampling_rate, "sampling_rate", 1)
    _check_int(sequence_stride, "sequence_stride", 1)
    n = len(data)
    if start_index is not None and start_index >= n:
        raise ValueError(f"start_index must be lower than the length of the data, got start_index={start_index} "
                         f"for data of length {n}")
    if end_index is not None:
        if start_index is not None and end_index <= start_index:
            raise ValueError(f"end_index must be higher than start_index, got start_index={start_index} "
                             f"and end_index={end_index}")
        if end_index >= n:
            raise ValueError(f"end_index must be lower than the length of the data (as in Keras; leave it None to "
                             f"use the data to its end), got end_index={end_index} for data of length {n}")
    if sampling_rate >= n:
        raise ValueError(f"sampling_rate must be lower than the length of the data, got sampling_rate={sampling_rate} "
                         f"for data of length {n}")
    if sequence_stride >= n:
        raise ValueError(f"sequence_stride must be lower than the length of the data, got "
                         f"sequence_stride={sequence_stride} for data of length {n}")
    if not isinstance(shuffle, bool | np.bool_):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if shuffle and seed is None:
        seed = int(dl_random.get_rng().integers(1_000_000))
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    return TimeseriesDataset(data, targets, sequence_length, sequence_stride, sampling_rate, batch_size, bool(shuffle),
                             seed, 0 if start_index is None else start_index, n if end_index is None else end_index)


# ----------------------------------------------------------------- the 1st edition's generator


def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6, target_column=1,
              seed=None):
    """The first edition's endless generator of ``(samples, targets)`` batches (section 6.3).

    Each sample ends at a row ``r`` in ``[min_index + lookback, max_index)``: it holds rows
    ``r - lookback, r - lookback + step, ..., < r`` and its target is
    ``data[r + delay, target_column]``. With ``shuffle`` the rows of each batch are drawn at
    random; without, batches sweep through the rows in order and start over from the
    beginning when the next batch would reach ``max_index`` (as the book's code does).

    Args:
        data: ``(time, features)`` array, normalised.
        lookback: how many steps back the input goes (1440 = 10 days of 10-minute steps).
        delay: how many steps after the window the target is (144 = 24 hours).
        min_index: the first row this generator draws from.
        max_index: the row it stops before; None means ``len(data) - delay - 1``, as in the book.
        shuffle: random rows (training) or an ordered sweep (validation, test).
        batch_size: samples per batch.
        step: steps between two samples inside a window (6: one per hour).
        target_column: the column predicted (the book hard-codes 1, the temperature).
        seed: for the random rows; None draws from dl-tensor's generator
            (``dl_layers.set_random_seed`` makes it repeatable).

    Yields:
        ``(samples, targets)``, float32 for float data.

    Shapes:
        samples: ``(batch, ceil(lookback / step), features)`` (``lookback // step`` in the book,
        where ``step`` divides ``lookback``); targets: ``(batch,)``.

    Examples:
        >>> data = np.arange(40, dtype="float32").reshape(20, 2)   # column 1: 1, 3, 5, ...
        >>> gen = generator(data, lookback=4, delay=2, min_index=0, max_index=10, batch_size=3, step=2)
        >>> samples, targets = next(gen)
        >>> samples.shape, targets
        ((3, 2, 2), array([13., 15., 17.], dtype=float32))
        >>> samples[0]                  # rows 0 and 2: the window before row 4
        array([[0., 1.],
               [4., 5.]], dtype=float32)
    """
    data = _as_array(data, "data")
    if data.ndim != 2:
        raise ValueError(f"generator: data must be (time, features), got shape {data.shape}")
    for name, value, minimum in (("lookback", lookback, 1), ("delay", delay, 0), ("min_index", min_index, 0),
                                 ("batch_size", batch_size, 1), ("step", step, 1)):
        _check_int(value, name, minimum)
    _check_int(max_index, "max_index", 1, allow_none=True)
    if isinstance(target_column, bool) or not isinstance(target_column, int | np.integer) \
            or not -data.shape[1] <= target_column < data.shape[1]:
        raise ValueError(f"generator: target_column must be a column index of data's {data.shape[1]} columns, "
                         f"got {target_column!r}")
    if max_index is None:
        max_index = len(data) - delay - 1
    if max_index + delay > len(data):
        raise ValueError(f"generator: max_index + delay must be at most len(data) = {len(data)} (the last target "
                         f"row is max_index - 1 + delay), got max_index={max_index}, delay={delay}")
    if min_index + lookback >= max_index:
        raise ValueError(f"generator: no row to draw from: the first sample ends at min_index + lookback = "
                         f"{min_index + lookback}, which must be lower than max_index = {max_index}")
    return _generate(data, lookback, delay, min_index, max_index, shuffle, batch_size, step, target_column, seed)


def _generate(data, lookback, delay, min_index, max_index, shuffle, batch_size, step, target_column, seed):
    rng = np.random.default_rng(seed) if seed is not None else None
    offsets = np.arange(-lookback, 0, step)  # (lookback/step,) rows before the window's end
    i = min_index + lookback
    while True:
        if shuffle:
            rows = (rng or dl_random.get_rng()).integers(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = _float32(data[rows[:, None] + offsets])  # (b, 1) + (lookback/step,) -> (b, lookback/step, features)
        targets = _float32(data[rows + delay, target_column])  # (b,)
        yield samples, targets


# ----------------------------------------------------------------- the common-sense baseline


def evaluate_naive_method(dataset, steps=None, target_column=1, mean=None, std=None) -> float:
    """The MAE of the common-sense baseline: "the target will be the last value of the window".

    The prediction for each window is its last step's ``target_column``, turned back into the
    targets' units by ``* std + mean`` when these are given (2nd edition: normalised inputs,
    targets in degrees Celsius). Both editions' ways: over a whole data set (2nd), or over
    ``steps`` batches of a generator (1st, whose ``val_steps`` batches have equal sizes, so
    the mean over samples is its mean of batch MAEs).

    Args:
        dataset: batches of ``(samples, targets)``: a ``TimeseriesDataset``, a list of batches,
            or a generator (then give ``steps``: the first edition's generators never end).
        steps: how many batches to draw; None: all of them.
        target_column: the feature that is forecast (1: the temperature in Jena).
        mean: the target column's normalisation mean, added back to the predictions.
        std: the target column's normalisation standard deviation, multiplied back first.

    Returns:
        The mean absolute error over every sample seen, as a Python float.

    Shapes:
        samples: ``(batch, time, features)``; targets: ``(batch,)`` or ``(batch, 1)``.

    Examples:
        Forecast a sine wave 5 steps after the end of windows of 10 steps:

        >>> series = np.sin(np.arange(200) / 10).astype("float32")[:, None]   # (time, 1 feature)
        >>> delay = 10 + 5 - 1                   # from a window's first step to its target
        >>> ds = timeseries_dataset_from_array(series[:-delay], series[delay:, 0], sequence_length=10, batch_size=64)
        >>> round(evaluate_naive_method(ds, target_column=0), 4)
        0.3092
    """
    _check_int(steps, "steps", 1, allow_none=True)
    if steps is None and hasattr(dataset, "__next__"):
        raise ValueError("evaluate_naive_method: a generator may never end; give steps (e.g. the book's val_steps)")
    batches = iter(dataset) if steps is None else itertools.islice(dataset, steps)
    total, seen = 0.0, 0
    for batch in batches:
        if not isinstance(batch, tuple) or len(batch) < 2:
            raise ValueError("evaluate_naive_method: each batch must be (samples, targets)")
        samples, targets = (np.asarray(b.data if isinstance(b, Tensor) else b) for b in batch[:2])
        if samples.ndim != 3:
            raise ValueError(f"evaluate_naive_method: samples must be (batch, time, features), got {samples.shape}")
        preds = samples[:, -1, target_column].astype(np.float64)  # (batch,) the last value of each window
        if std is not None:
            preds = preds * std
        if mean is not None:
            preds = preds + mean
        if targets.shape not in ((len(preds),), (len(preds), 1)):
            raise ValueError(f"evaluate_naive_method: targets must be (batch,) or (batch, 1) for samples of "
                             f"shape {samples.shape}, got {targets.shape}")
        targets = targets.reshape(len(preds))  # (batch, 1) -> (batch,)
        total += float(np.abs(preds - targets).sum())
        seen += len(preds)
    if seen == 0:
        raise ValueError("evaluate_naive_method: the data set yielded no batch")
    return total / seen


def naive_forecast(series, horizon=1):
    """The common-sense forecast on a plain series: ``horizon`` steps ahead, the value now.

    Args:
        series: ``(time, ...)`` values.
        horizon: how many steps ahead the forecast is (144 = 24 hours of 10-minute steps).

    Returns:
        ``(y_pred, y_true)``: ``series[:-horizon]`` as the forecast of ``series[horizon:]``;
        their mean absolute difference is the baseline's MAE.

    Shapes:
        y_pred, y_true: ``(time - horizon, ...)``.

    Examples:
        >>> y_pred, y_true = naive_forecast(np.array([1.0, 2.0, 4.0, 7.0]), horizon=2)
        >>> y_pred, y_true, float(np.mean(np.abs(y_pred - y_true)))
        (array([1., 2.]), array([4., 7.]), 4.0)
    """
    series = _as_array(series, "series")
    _check_int(horizon, "horizon", 1)
    if horizon >= len(series):
        raise ValueError(f"naive_forecast: horizon={horizon} leaves nothing to forecast in a series of "
                         f"{len(series)} steps")
    return series[:-horizon], series[horizon:]


def seasonal_naive(series, season, horizon=1):
    """The seasonal common-sense forecast: the value one season ago (yesterday at this hour).

    A forecast made ``horizon`` steps ahead can only use values already seen, so each value is
    forecast by the one ``lag = season * ceil(horizon / season)`` steps before it (one season
    back when ``horizon <= season``).

    Args:
        series: ``(time, ...)`` values.
        season: steps in one season (144: one day of 10-minute steps).
        horizon: how many steps ahead the forecast is made.

    Returns:
        ``(y_pred, y_true)``: ``series[:-lag]`` as the forecast of ``series[lag:]``.

    Shapes:
        y_pred, y_true: ``(time - lag, ...)``.

    Examples:
        >>> y_pred, y_true = seasonal_naive(np.array([1, 5, 2, 6, 3, 7]), season=2)
        >>> y_pred, y_true
        (array([1, 5, 2, 6]), array([2, 6, 3, 7]))
    """
    series = _as_array(series, "series")
    _check_int(season, "season", 1)
    _check_int(horizon, "horizon", 1)
    lag = season * math.ceil(horizon / season)
    if lag >= len(series):
        raise ValueError(f"seasonal_naive: a lag of {lag} steps (season={season}, horizon={horizon}) leaves "
                         f"nothing to forecast in a series of {len(series)} steps")
    return series[:-lag], series[lag:]
