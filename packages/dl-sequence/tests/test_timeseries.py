"""Time-series windows (2nd edition), the 1st edition's generator and the common-sense baseline:
each against a direct loop written here, the book's Jena usage on a generated series, fit."""

import itertools
import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_layers as L
from dl_sequence import (
    TimeseriesDataset,
    evaluate_naive_method,
    generator,
    naive_forecast,
    seasonal_naive,
    timeseries_dataset_from_array,
)

# ------------------------------------------------------------------ references, as plain loops


def keras_windows(data, targets, sequence_length, sequence_stride=1, sampling_rate=1, start_index=None,
                  end_index=None):
    """Every (window, target) pair in order, one window at a time (Keras's documented rule)."""
    start = 0 if start_index is None else start_index
    end = len(data) if end_index is None else end_index
    xs, ys = [], []
    s = start
    while s + (sequence_length - 1) * sampling_rate < end:
        if targets is not None and s >= len(targets):
            break
        xs.append(np.stack([data[s + k * sampling_rate] for k in range(sequence_length)]))
        if targets is not None:
            ys.append(targets[s])
        s += sequence_stride
    return xs, ys


def book_generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6, draw=None):
    """The first edition's listing 6.33, with the random rows drawn by ``draw``."""
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while 1:
        if shuffle:
            rows = draw(min_index + lookback, max_index, batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = np.zeros((len(rows), lookback // step, data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            indices = range(row - lookback, row, step)
            samples[j] = data[indices]
            targets[j] = data[row + delay][1]
        yield samples, targets


@st.composite
def window_cases(draw):
    n = draw(st.integers(8, 60))
    features = draw(st.sampled_from([(), (1,), (3,)]))
    sequence_length = draw(st.integers(1, 6))
    sampling_rate = draw(st.integers(1, 3))
    sequence_stride = draw(st.integers(1, 4))
    start_index = draw(st.none() | st.integers(0, n // 3))
    end_index = draw(st.none() | st.integers(n // 2 + 1, n - 1))
    with_targets = draw(st.booleans())
    targets_len = draw(st.integers(n // 2, n)) if with_targets else None
    batch_size = draw(st.integers(1, 9))
    return n, features, sequence_length, sampling_rate, sequence_stride, start_index, end_index, targets_len, batch_size


# ------------------------------------------------------------------ timeseries_dataset_from_array


@given(window_cases())
def test_windows_match_a_direct_loop(case):
    n, features, length, rate, stride, start, end, targets_len, batch_size = case
    rng = np.random.default_rng(n)
    data = rng.normal(size=(n, *features))  # float64 in, float32 out
    targets = None if targets_len is None else rng.normal(size=(targets_len, 2))
    xs, ys = keras_windows(data, targets, length, stride, rate, start, end)
    if not xs:
        with pytest.raises(ValueError, match="no window fits"):
            timeseries_dataset_from_array(data, targets, length, stride, rate, batch_size, start_index=start,
                                          end_index=end)
        return
    ds = timeseries_dataset_from_array(data, targets, sequence_length=length, sequence_stride=stride,
                                       sampling_rate=rate, batch_size=batch_size, start_index=start, end_index=end)
    assert isinstance(ds, TimeseriesDataset)
    assert ds.num_windows == len(xs)
    assert len(ds) == math.ceil(len(xs) / batch_size)
    batches = list(ds)
    assert len(batches) == len(ds)
    x_all = np.concatenate([b if targets is None else b[0] for b in batches])
    assert x_all.dtype == np.float32 and x_all.shape == (len(xs), length, *features)
    np.testing.assert_array_equal(x_all, np.stack(xs).astype(np.float32))
    if targets is not None:
        y_all = np.concatenate([b[1] for b in batches])
        np.testing.assert_array_equal(y_all, np.stack(ys).astype(np.float32))
    for i, batch in enumerate(batches):  # ds[i] is the i-th batch of the iteration
        expected = batch if targets is None else batch[0]
        got = ds[i] if targets is None else ds[i][0]
        np.testing.assert_array_equal(got, expected)
        assert len(got) == (batch_size if i < len(ds) - 1 else len(xs) - batch_size * (len(ds) - 1))


def test_keras_docstring_example_1():
    """Keras's example: indices 0..98, sequence_length=10, sampling_rate=2, sequence_stride=3."""
    ds = timeseries_dataset_from_array(np.arange(99), None, sequence_length=10, sampling_rate=2, sequence_stride=3,
                                       batch_size=1000)
    x = ds[0]
    np.testing.assert_array_equal(x[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(x[1], np.arange(3, 23, 2))
    np.testing.assert_array_equal(x[-1], np.arange(78, 98, 2))
    assert x.dtype == np.arange(3).dtype  # integer data stays integer


def test_keras_docstring_example_2_targets_are_the_next_step():
    data = np.arange(1, 21)
    ds = timeseries_dataset_from_array(data[:10], data[10:], sequence_length=10)
    x, y = ds[0]
    np.testing.assert_array_equal(x, [np.arange(1, 11)])
    np.testing.assert_array_equal(y, [11])


def test_keras_test_basics_last_batch_is_smaller():
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data, data * 2, sequence_length=9, batch_size=5)
    shapes = [x.shape for x, _ in ds]
    assert len(shapes) == 19 and shapes[:18] == [(5, 9)] * 18 and shapes[18] == (2, 9)
    for x, y in ds:
        np.testing.assert_array_equal(y, x[:, 0] * 2)


def test_batch_size_none_yields_single_windows():
    ds = timeseries_dataset_from_array(np.arange(6.0), np.arange(6.0) * 10, sequence_length=2, batch_size=None)
    items = list(ds)
    assert len(ds) == len(items) == 5
    x, y = items[3]
    np.testing.assert_array_equal(x, [3.0, 4.0])
    assert y == 30.0 and y.dtype == np.float32


def test_shuffle_is_keras_first_order_then_new_each_pass():
    data = np.arange(50.0)
    ds = timeseries_dataset_from_array(data, data, sequence_length=4, sequence_stride=2, batch_size=7,
                                       shuffle=True, seed=3)
    positions = np.arange(0, 50 - 3, 2)
    np.random.RandomState(3).shuffle(positions)  # what Keras does to its start positions
    first = np.concatenate([y for _, y in ds])
    np.testing.assert_array_equal(first, positions.astype(np.float32))
    second = np.concatenate([y for _, y in ds])
    assert not np.array_equal(first, second)
    assert sorted(second) == sorted(first)
    again = timeseries_dataset_from_array(data, data, sequence_length=4, sequence_stride=2, batch_size=7,
                                          shuffle=True, seed=3)
    np.testing.assert_array_equal(np.concatenate([y for _, y in again]), first)
    for x, y in again:  # the windows still go with their targets
        np.testing.assert_array_equal(x[:, 0], y)


def test_shuffle_without_seed_follows_dl_layers_seed():
    data = np.arange(40.0)

    def order():
        L.set_random_seed(7)
        ds = timeseries_dataset_from_array(data, data, sequence_length=3, batch_size=5, shuffle=True)
        return np.concatenate([y for _, y in ds])

    np.testing.assert_array_equal(order(), order())


def test_targets_of_another_dtype_and_shape():
    data = np.arange(30, dtype=np.float32).reshape(15, 2)
    labels = np.arange(15) % 3  # integer class labels stay integers
    x, y = timeseries_dataset_from_array(data, labels, sequence_length=4, batch_size=100)[0]
    assert x.shape == (12, 4, 2) and y.dtype == labels.dtype
    np.testing.assert_array_equal(y, labels[:12])


def test_iteration_does_not_build_the_windowed_data_set():
    """200,000 steps x 14 features, windows of 120: windowed, that would be 1.3 GB; we stay near one batch."""
    data = np.zeros((200_000, 14), dtype=np.float32)
    targets = np.zeros(200_000, dtype=np.float32)
    tracemalloc.start()
    try:
        ds = timeseries_dataset_from_array(data, targets, sequence_length=120, batch_size=256, shuffle=True, seed=0)
        shapes = [x.shape for x, _ in itertools.islice(ds, 20)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    batch_bytes = 256 * 120 * 14 * 4
    assert shapes == [(256, 120, 14)] * 20
    index_bytes = 8 * 200_000  # one int64 per window: its start, its place in the shuffled order
    assert peak < 3 * batch_bytes + 4 * index_bytes  # a few batches and the (n,) index arrays, not 1.3 GB


def test_second_edition_jena_usage():
    """Listing 10.5-10.7 on a generated 14-column series: 50/25/25 % split, targets 24 h after the window."""
    rng = np.random.default_rng(0)
    n = 8000  # the test part must hold a window (715 steps) after the delay (858 steps)
    raw_data = rng.normal(size=(n, 14)).astype(np.float32)
    temperature = raw_data[:, 1] * 8 + 10  # in °C, not normalised, as in the book
    num_train_samples = int(0.5 * len(raw_data))
    num_val_samples = int(0.25 * len(raw_data))
    mean = raw_data[:num_train_samples].mean(axis=0)
    std = raw_data[:num_train_samples].std(axis=0)
    raw_data = (raw_data - mean) / std

    sampling_rate = 6
    sequence_length = 120
    delay = sampling_rate * (sequence_length + 24 - 1)
    batch_size = 256

    common = dict(sampling_rate=sampling_rate, sequence_length=sequence_length, batch_size=batch_size)
    train_dataset = timeseries_dataset_from_array(raw_data[:-delay], targets=temperature[delay:], shuffle=True,
                                                  start_index=0, end_index=num_train_samples, **common)
    val_dataset = timeseries_dataset_from_array(raw_data[:-delay], targets=temperature[delay:], shuffle=True,
                                                start_index=num_train_samples,
                                                end_index=num_train_samples + num_val_samples, **common)
    test_dataset = timeseries_dataset_from_array(raw_data[:-delay], targets=temperature[delay:],
                                                 start_index=num_train_samples + num_val_samples, **common)
    span = (sequence_length - 1) * sampling_rate
    assert train_dataset.num_windows == num_train_samples - span
    assert val_dataset.num_windows == num_val_samples - span
    assert test_dataset.num_windows == n - delay - (num_train_samples + num_val_samples) - span
    for samples, targets in test_dataset:
        assert samples.shape[1:] == (120, 14) and samples.dtype == np.float32 and targets.shape[1:] == ()
        break
    for ds in (train_dataset, val_dataset, test_dataset):
        for samples, targets in ds:
            # the target is the temperature 24 hours (144 steps) after the window's last step
            starts = ds.start_positions[: len(targets)]
            np.testing.assert_array_equal(targets, temperature[starts + span + 144])
            np.testing.assert_array_equal(samples[:, -1, :], raw_data[starts + span])
            break

    # the book's evaluate_naive_method: the last temperature of the window, de-normalised
    def book_naive(dataset):
        total_abs_err, samples_seen = 0.0, 0
        for samples, targets in dataset:
            preds = samples[:, -1, 1] * std[1] + mean[1]
            total_abs_err += np.sum(np.abs(preds - targets))
            samples_seen += samples.shape[0]
        return total_abs_err / samples_seen

    mae = evaluate_naive_method(test_dataset, mean=mean[1], std=std[1])
    assert mae == pytest.approx(book_naive(test_dataset), rel=1e-5)


def test_fit_accepts_the_dataset():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(300, 3)).astype(np.float32)
    targets = data[:, 0] * 0.5
    train = timeseries_dataset_from_array(data, targets, sequence_length=5, batch_size=32, shuffle=True, seed=1,
                                          end_index=200)
    val = timeseries_dataset_from_array(data, targets, sequence_length=5, batch_size=32, start_index=200)
    model = L.Sequential([L.Input(shape=(5, 3)), L.Flatten(), L.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model.fit(train, epochs=2, validation_data=val, verbose=0)
    assert len(history.history["loss"]) == 2 and "val_mae" in history.history
    predictions = model.predict(timeseries_dataset_from_array(data, None, sequence_length=5, batch_size=64))
    assert predictions.shape == (296, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(end_index=30), "end_index must be lower than the length of the data"),
        (dict(start_index=30), "start_index must be lower than the length"),
        (dict(start_index=10, end_index=5), "end_index must be higher than start_index"),
        (dict(sampling_rate=0), "sampling_rate must be an integer >= 1"),
        (dict(sampling_rate=30), "sampling_rate must be lower than the length"),
        (dict(sequence_stride=30), "sequence_stride must be lower than the length"),
        (dict(sequence_length=0), "sequence_length must be an integer >= 1"),
        (dict(sequence_length=2.5), "sequence_length must be an integer"),
        (dict(batch_size=0), "batch_size must be an integer >= 1"),
        (dict(sequence_length=31), "no window fits: one window spans 31 steps"),
        (dict(start_index=-1), "start_index must be an integer >= 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = dict(sequence_length=3) | kwargs
    with pytest.raises(ValueError, match=message):
        timeseries_dataset_from_array(np.zeros((30, 2)), None, **args)


def test_bad_index_and_types():
    ds = timeseries_dataset_from_array(np.zeros(10), None, sequence_length=2, batch_size=4)
    with pytest.raises(IndexError, match="out of range for 3 batches"):
        ds[3]
    np.testing.assert_array_equal(ds[-1], ds[2])
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        timeseries_dataset_from_array(np.zeros(10), None, sequence_length=2, shuffle="yes")
    with pytest.raises(ValueError, match="data must be an array with a time axis"):
        timeseries_dataset_from_array(3.0, None, sequence_length=2)


# ------------------------------------------------------------------ the first edition's generator


@given(st.integers(1, 4), st.integers(0, 5), st.integers(1, 7), st.booleans(), st.integers(0, 10 ** 6))
def test_generator_matches_the_book(step, delay, batch_size, shuffle, seed):
    lookback = 3 * step
    data = np.random.default_rng(seed).normal(size=(40, 3)).astype(np.float32)
    min_index, max_index = 2, 40 - delay - 1
    ours = generator(data, lookback, delay, min_index, max_index, shuffle=shuffle, batch_size=batch_size, step=step,
                     seed=seed)
    rng = np.random.default_rng(seed)
    book = book_generator(data, lookback, delay, min_index, max_index, shuffle=shuffle, batch_size=batch_size,
                          step=step, draw=lambda lo, hi, size: rng.integers(lo, hi, size=size))
    for _ in range(12):  # several sweeps, so the wrap-around is exercised
        (x, y), (bx, by) = next(ours), next(book)
        assert x.dtype == np.float32 and y.dtype == np.float32
        np.testing.assert_array_equal(x, bx.astype(np.float32))
        np.testing.assert_array_equal(y, by.astype(np.float32))


def test_generator_first_edition_jena_settings():
    data = np.random.default_rng(0).normal(size=(4000, 14)).astype(np.float32)
    lookback, step, delay, batch_size = 1440, 6, 144, 128
    train_gen = generator(data, lookback=lookback, delay=delay, min_index=0, max_index=2000, shuffle=True,
                          step=step, batch_size=batch_size)
    test_gen = generator(data, lookback=lookback, delay=delay, min_index=2001, max_index=None, step=step,
                         batch_size=batch_size)
    samples, targets = next(train_gen)
    assert samples.shape == (128, 240, 14) and targets.shape == (128,)
    samples, targets = next(test_gen)
    first_row = 2001 + lookback
    np.testing.assert_array_equal(samples[0], data[first_row - lookback:first_row:step])
    np.testing.assert_array_equal(targets, data[first_row + delay:first_row + delay + 128, 1])


def test_generator_target_column_and_seeding():
    data = np.arange(60, dtype=np.float64).reshape(20, 3)
    _, targets = next(generator(data, 4, 1, 0, 15, batch_size=2, step=2, target_column=2))
    np.testing.assert_array_equal(targets, [17.0, 20.0])  # rows 5 and 6, column 2
    a = next(generator(data, 4, 1, 0, 15, shuffle=True, batch_size=6, seed=5))[1]
    b = next(generator(data, 4, 1, 0, 15, shuffle=True, batch_size=6, seed=5))[1]
    np.testing.assert_array_equal(a, b)
    L.set_random_seed(2)
    c = next(generator(data, 4, 1, 0, 15, shuffle=True, batch_size=6))[1]
    L.set_random_seed(2)
    np.testing.assert_array_equal(c, next(generator(data, 4, 1, 0, 15, shuffle=True, batch_size=6))[1])


def test_generator_trains_with_fit_and_fit_generator():
    data = np.random.default_rng(0).normal(size=(400, 4)).astype(np.float32)
    train_gen = generator(data, lookback=12, delay=3, min_index=0, max_index=250, shuffle=True, batch_size=16,
                          step=3, seed=0)
    val_gen = generator(data, lookback=12, delay=3, min_index=251, max_index=None, batch_size=16, step=3)
    val_steps = (400 - 3 - 1 - 251 - 12) // 16
    model = L.Sequential([L.Input(shape=(4, 4)), L.Flatten(), L.Dense(8, activation="relu"), L.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mae")
    history = model.fit(train_gen, steps_per_epoch=5, epochs=2, validation_data=val_gen,
                        validation_steps=val_steps, verbose=0)
    assert len(history.history["val_loss"]) == 2
    history = model.fit_generator(train_gen, steps_per_epoch=5, epochs=1, validation_data=val_gen,
                                  validation_steps=val_steps, verbose=0)
    assert len(history.history["loss"]) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(min_index=10, max_index=12), "no row to draw from"),
        (dict(max_index=20), "max_index \\+ delay must be at most len\\(data\\) = 20"),
        (dict(target_column=3), "target_column must be a column index of data's 3 columns"),
        (dict(step=0), "step must be an integer >= 1"),
        (dict(lookback=-1), "lookback must be an integer >= 1"),
    ],
)
def test_generator_bad_arguments(kwargs, message):
    args = dict(lookback=4, delay=2, min_index=0, max_index=15) | kwargs
    with pytest.raises(ValueError, match=message):
        generator(np.zeros((20, 3)), **args)


def test_generator_needs_2d_data():
    with pytest.raises(ValueError, match="data must be \\(time, features\\)"):
        generator(np.zeros(20), 4, 2, 0, 10)


# ------------------------------------------------------------------ the common-sense baseline


def test_naive_method_on_a_generator_is_the_books_mean_of_batch_maes():
    data = np.random.default_rng(3).normal(size=(600, 3)).astype(np.float32)
    lookback, delay, batch_size = 30, 6, 32
    val_steps = (500 - 101 - lookback) // batch_size

    def val_gen():
        return generator(data, lookback, delay, 101, 500, batch_size=batch_size, step=3)

    gen = val_gen()
    batch_maes = []
    for _ in range(val_steps):  # the book's evaluate_naive_method
        samples, targets = next(gen)
        preds = samples[:, -1, 1]
        batch_maes.append(np.mean(np.abs(preds - targets)))
    assert evaluate_naive_method(val_gen(), steps=val_steps) == pytest.approx(float(np.mean(batch_maes)), rel=1e-6)
    with pytest.raises(ValueError, match="give steps"):
        evaluate_naive_method(val_gen())


def test_naive_method_errors():
    with pytest.raises(ValueError, match="samples must be \\(batch, time, features\\)"):
        evaluate_naive_method([(np.zeros((2, 3)), np.zeros(2))])
    with pytest.raises(ValueError, match="targets must be \\(batch,\\) or \\(batch, 1\\)"):
        evaluate_naive_method([(np.zeros((2, 3, 2)), np.zeros((2, 2)))])
    with pytest.raises(ValueError, match="yielded no batch"):
        evaluate_naive_method([])
    with pytest.raises(ValueError, match="each batch must be \\(samples, targets\\)"):
        evaluate_naive_method([np.zeros((2, 3, 2))])


@given(st.integers(1, 10), st.integers(0, 1000))
def test_naive_forecast_and_windowed_baseline_agree(horizon, seed):
    """The baseline over a windowed data set equals the plain-array forecast over the same targets."""
    series = np.random.default_rng(seed).normal(size=(80, 1)).astype(np.float32)
    length = 5
    delay = length + horizon - 1
    ds = timeseries_dataset_from_array(series[:-delay], series[delay:, 0], sequence_length=length, batch_size=16)
    y_pred, y_true = naive_forecast(series[:, 0], horizon)
    # window s ends at s + length - 1: its forecast is y_pred[s + length - 1]
    windows = slice(length - 1, length - 1 + ds.num_windows)
    expected = np.mean(np.abs(y_pred[windows].astype(np.float64) - y_true[windows]))
    assert evaluate_naive_method(ds, target_column=0) == pytest.approx(expected, rel=1e-6)


def test_seasonal_naive():
    day = 24
    t = np.arange(24 * 10)
    series = np.sin(2 * np.pi * t / day) + 0.01 * t  # a daily cycle and a slow trend
    y_pred, y_true = seasonal_naive(series, season=day, horizon=6)
    np.testing.assert_array_equal(y_pred, series[:-day])
    np.testing.assert_array_equal(y_true, series[day:])
    naive_pred, naive_true = naive_forecast(series, horizon=6)
    assert np.mean(np.abs(y_pred - y_true)) < np.mean(np.abs(naive_pred - naive_true))  # the cycle repeats
    y_pred, _ = seasonal_naive(series, season=day, horizon=30)  # more than a season ahead: two seasons back
    np.testing.assert_array_equal(y_pred, series[:-2 * day])
    with pytest.raises(ValueError, match="leaves nothing to forecast"):
        seasonal_naive(series[:20], season=day)
    with pytest.raises(ValueError, match="horizon=5 leaves nothing to forecast in a series of 5 steps"):
        naive_forecast(np.zeros(5), horizon=5)
    with pytest.raises(ValueError, match="season must be an integer >= 1"):
        seasonal_naive(series, season=0)
