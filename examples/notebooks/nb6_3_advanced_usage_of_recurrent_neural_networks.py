"""Advanced usage of recurrent neural networks

The book's section 6.3 (first edition): forecasting the temperature 24 hours ahead from the
Jena climate series (14 measurements every 10 minutes, 2009-2016, 420,551 rows). The data are
normalised with the statistics of the first 200,000 rows (the training part); the book's
``generator`` cuts samples going ``lookback = 1440`` rows back (10 days), keeping every
``step = 6``-th row (one per hour), with the target ``delay = 144`` rows later (24 hours); rows
0-200,000 train, 200,001-300,000 validate. The common-sense baseline ("tomorrow as now") has a
validation MAE of 0.29 (2.57 degC); then, all trained with ``fit_generator`` (500 steps of 128
samples per epoch, RMSprop, MAE loss): a densely connected network (~0.30 at best), ``GRU(32)``
(~0.265, 2.35 degC), the same with ``dropout=0.2, recurrent_dropout=0.2`` (40 epochs), two
stacked GRUs, a GRU reading the sequences backwards (~0.40, worse than the baseline) and a
``Bidirectional`` GRU. The notebook's two IMDB experiments (an LSTM on reversed reviews, a
bidirectional LSTM) are not ported here; 6.2's script trains the LSTM on text.

What this trains on by default (offline): Seattle's daily weather, 2012-2015 (vega_datasets'
``seattle-weather``, 1,461 days of NOAA observations: precipitation, maximum and minimum
temperature, wind), forecasting tomorrow's maximum temperature (column 1, as the book's
temperature) from the last 10 days: the book's 10 days and 24 hours, at one row per day
instead of one per 10 minutes. 2012-2013 train (and give the normalisation), 2014 validates
(every day of 2014 is a target: its windows may start in December 2013), 2015 is left for
testing. The models and their arguments are the book's; with 721 training windows instead of
198,560, an epoch is 50 batches of 32 (not 500 of 128), a little over two passes. Why not
vega's hourly ``seattle-temps``, which looks closer to Jena: its 8,759 hourly values are
climate normals (a smooth average temperature for each hour of the year), not weather: the
common-sense forecast 24 hours ahead is off by 0.09 degC on average and leaves nothing to learn.

On the book's data: download
https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip (13 MB; unpacked, the
CSV; ``dl_sequence.datasets.jena_climate.load_data()`` also downloads it once into the cache)
and pass the CSV (or the zip) as ``--jena-csv``: the book's settings are then used (lookback
1440, step 6, delay 144, batches of 128, 500 steps per epoch, the book's validation steps).
On 2 cores a GRU epoch then takes a few minutes (500 training batches, 769 validation ones)
and the six models some hours; ``--steps-per-epoch`` shortens the epochs. ``--quick`` (for
the tests): 25 steps per epoch and a quarter of the epochs.

    python examples/notebooks/nb6_3_advanced_usage_of_recurrent_neural_networks.py [--quick] [--seed 0]
    python examples/notebooks/nb6_3_advanced_usage_of_recurrent_neural_networks.py --jena-csv jena_climate.csv
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_layers import layers, models
from dl_layers.optimizers import RMSprop
from dl_sequence import GRU, Bidirectional, evaluate_naive_method, generator
from dl_sequence.datasets import jena_climate

TITLE = "6.3 Advanced usage of recurrent neural networks"
JENA = "Jena climate 2009-2016 (the book's data)"
SEATTLE = "Seattle daily weather 2012-2015, vega_datasets (stand-in for Jena)"

# the book's figures: its validation MAE at the best epoch (normalised; degC where the book prints it)
BOOK_NAIVE = 0.2897  # evaluate_naive_method() printed 0.289735972991
BOOK_NAIVE_DEGREES = 2.57
BOOK_BEST = {"dense": 0.2994, "gru": 0.2644, "gru_dropout": 0.2619, "stacked_gru": 0.2633, "reversed_gru": 0.3990,
             "bidirectional_gru": 0.2615}
BOOK_DEGREES = {"gru": 2.35}  # "a validation MAE of ~0.265 ... translates to 2.35 degC"
NAMES = {"dense": "densely connected (Flatten, Dense 32, Dense 1)", "gru": "GRU(32)",
         "gru_dropout": "GRU(32), dropout 0.2, recurrent_dropout 0.2", "stacked_gru": "stacked GRU(32) + GRU(64, relu)",
         "reversed_gru": "GRU(32) on reversed sequences", "bidirectional_gru": "Bidirectional(GRU(32))"}


@dataclass
class Weather:
    """A normalised weather series and the book's forecasting set-up for it."""

    float_data: np.ndarray  # (time, features), normalised with the training rows' statistics
    mean: np.ndarray  # (features,) what was subtracted
    std: np.ndarray  # (features,) what was divided by
    header: list
    target_column: int  # the temperature: column 1 in both data sets, as the book's generator hard-codes
    train_end: int  # rows [0, train_end) train
    val_start: int  # targets of rows [val_start, val_end) validate
    val_end: int
    lookback: int
    step: int
    delay: int
    batch_size: int
    steps_per_epoch: int
    reach_back: bool  # validation windows may start before val_start (so that every validation row is a target)
    data: str  # what it is, for the table
    units: str  # one row is how long: "10 minutes" or "1 day"

    @property
    def temperature_std(self) -> float:
        return float(self.std[self.target_column])


def load_seattle() -> tuple[list, np.ndarray]:
    """Seattle's daily weather (vega_datasets, shipped in the wheel): the columns and a (1461, 4) array."""
    from vega_datasets import local_data

    frame = local_data.seattle_weather()  # date, precipitation, temp_max, temp_min, wind, weather (a label)
    header = ["precipitation (mm)", "temp_max (degC)", "temp_min (degC)", "wind (m/s)"]
    float_data = frame[["precipitation", "temp_max", "temp_min", "wind"]].to_numpy(dtype=np.float32)  # (1461, 4)
    return header, float_data


def prepare_weather(jena_csv=None, lookback=None, step=None, steps_per_epoch=None) -> Weather:
    """Load the series, normalise it with the training rows' mean and std, and set the book's parameters.

    The Jena set-up is the book's; the Seattle one keeps the book's spans in days (10 days back,
    the temperature of the next day) at one row per day. ``lookback``, ``step`` and
    ``steps_per_epoch`` override the defaults (6.4 looks further back).
    """
    if jena_csv:
        header, float_data, _ = jena_climate.load_data(jena_csv)  # (420551, 14) float32
        train_end, val_start, val_end = 200000, 200001, 300000
        lookback, step = lookback or 1440, step or 6  # 10 days back, one point per hour
        delay, batch_size, steps_per_epoch = 144, 128, steps_per_epoch or 500  # 24 hours ahead
        reach_back = False  # the book's: the first `lookback` rows of the validation part only feed windows
        data, units = JENA, "10 minutes"
    else:
        header, float_data = load_seattle()
        train_end, val_start, val_end = 731, 731, 1096  # 2012-2013 train, 2014 validates, 2015 is left for testing
        lookback, step = lookback or 10, step or 1  # 10 days back, every day
        delay = 0  # the target is the row right after the window: tomorrow (the book: 144 rows = 24 hours later)
        batch_size, steps_per_epoch = 32, steps_per_epoch or 50
        reach_back = True  # windows may start in 2013: every day of 2014 is a target
        data, units = SEATTLE, "1 day"
    float_data = float_data.astype(np.float32)  # a copy: normalised in place below
    mean = float_data[:train_end].mean(axis=0)
    float_data -= mean
    std = float_data[:train_end].std(axis=0)
    float_data /= std
    return Weather(float_data, mean, std, header, 1, train_end, val_start, val_end, lookback, step, delay, batch_size,
                   steps_per_epoch, reach_back, data, units)


def val_steps(weather: Weather, lookback=None) -> int:
    """How many batches to draw from ``val_gen`` to see the whole validation set (full batches only:
    the generator starts over rather than yield a short one)."""
    windows = weather.val_end - weather.val_start - (0 if weather.reach_back else lookback or weather.lookback)
    return windows // weather.batch_size


def test_steps(weather: Weather, lookback=None) -> int:
    """How many batches to draw from ``test_gen`` to see the whole test set (the rows after ``val_end``)."""
    last = len(weather.float_data) - weather.delay - 1  # the generator's max_index=None
    return (last - weather.val_end - (0 if weather.reach_back else lookback or weather.lookback)) // weather.batch_size


def make_generators(weather: Weather, lookback=None, step=None, test=False):
    """The book's ``train_gen`` (random windows of the training rows) and ``val_gen`` (an ordered sweep);
    ``test=True``: ``test_gen`` instead of ``val_gen`` (the book defines it and never uses it)."""
    lookback, step = lookback or weather.lookback, step or weather.step
    start, end = (weather.val_end, None) if test else (weather.val_start, weather.val_end)
    min_index = start - lookback if weather.reach_back else start
    train_gen = generator(weather.float_data, lookback=lookback, delay=weather.delay, min_index=0,
                          max_index=weather.train_end, shuffle=True, step=step, batch_size=weather.batch_size)
    val_gen = generator(weather.float_data, lookback=lookback, delay=weather.delay, min_index=min_index,
                        max_index=end, step=step, batch_size=weather.batch_size)
    return train_gen, val_gen


def reverse_order(gen):
    """The book's ``reverse_order_generator``, as a wrapper: each window's time axis reversed."""
    for samples, targets in gen:
        yield samples[:, ::-1, :], targets  # (batch, time, features), the newest step first


def baselines(weather: Weather, lookback=None, step=None, test=False) -> tuple[float, float]:
    """The common-sense MAE and that of always predicting the training mean, both normalised, on the
    validation (or test) windows."""
    _, val_gen = make_generators(weather, lookback, step, test)
    steps = test_steps(weather, lookback) if test else val_steps(weather, lookback)
    naive = evaluate_naive_method(val_gen, steps=steps, target_column=weather.target_column)
    _, val_gen = make_generators(weather, lookback, step, test)
    targets = np.concatenate([next(val_gen)[1] for _ in range(steps)])  # (steps * batch_size,)
    return float(naive), float(np.mean(np.abs(targets)))  # the training mean is 0 once normalised


def fit_and_report(name, make_model, weather: Weather, epochs, seed, lookback=None, step=None, reverse=False,
                   label=None, summary=False) -> dict:
    """Compile with RMSprop and the MAE, ``fit_generator`` as the book does; the best epoch's validation MAE,
    and the last epoch's weights' test MAE."""
    dl_layers.set_random_seed(seed)  # the same initial weights and training windows on every run
    model = make_model()
    if summary:
        model.summary()
    train_gen, val_gen = make_generators(weather, lookback, step)
    if reverse:
        train_gen, val_gen = reverse_order(train_gen), reverse_order(val_gen)
    model.compile(optimizer=RMSprop(), loss="mae")
    print(f"\n-- {label or NAMES[name]}: {epochs} epochs of {weather.steps_per_epoch} steps --")
    start = time.perf_counter()
    history = model.fit_generator(train_gen, steps_per_epoch=weather.steps_per_epoch, epochs=epochs,
                                  validation_data=val_gen, validation_steps=val_steps(weather, lookback), verbose=2)
    seconds = time.perf_counter() - start
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    _, test_gen = make_generators(weather, lookback, step, test=True)
    test_mae = model.evaluate_generator(reverse_order(test_gen) if reverse else test_gen,
                                        steps=test_steps(weather, lookback))
    print(f"{name}: best validation MAE {val_loss[best]:.4f} ({val_loss[best] * weather.temperature_std:.2f} degC) "
          f"at epoch {best + 1}, last {val_loss[-1]:.4f}; test MAE (last epoch's weights) {test_mae:.4f}; "
          f"{seconds:.1f} s")
    return {"best": float(val_loss[best]), "best_epoch": best + 1, "last": float(val_loss[-1]),
            "test": float(test_mae), "seconds": seconds, "history": history.history}


def build(name, n_features, weather: Weather):
    """The book's models, as it writes them."""
    model = models.Sequential()
    if name == "dense":
        model.add(layers.Flatten(input_shape=(weather.lookback // weather.step, n_features)))  # (time, f) -> (time*f,)
        model.add(layers.Dense(32, activation="relu"))
    elif name in ("gru", "reversed_gru"):
        model.add(GRU(32, input_shape=(None, n_features)))
    elif name == "gru_dropout":
        model.add(GRU(32, dropout=0.2, recurrent_dropout=0.2, input_shape=(None, n_features)))
    elif name == "stacked_gru":
        model.add(GRU(32, dropout=0.1, recurrent_dropout=0.5, return_sequences=True,
                      input_shape=(None, n_features)))  # (batch, time, 32): every step, for the next GRU
        model.add(GRU(64, activation="relu", dropout=0.1, recurrent_dropout=0.5))
    elif name == "bidirectional_gru":
        model.add(Bidirectional(GRU(32), input_shape=(None, n_features)))  # (batch, 64): both directions
    model.add(layers.Dense(1))
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jena-csv", help="jena_climate_2009_2016.csv or its .zip (the book's data); "
                                           "default: Seattle's daily weather (vega_datasets)")
    parser.add_argument("--steps-per-epoch", type=int, default=None,
                        help="batches per epoch (the book's 500 on Jena; 50 on the stand-in; --quick: 25)")
    parser.add_argument("--quick", action="store_true", help="shorter epochs, fewer of them")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()

    weather = prepare_weather(args.jena_csv, steps_per_epoch=args.steps_per_epoch or (25 if args.quick else None))
    n_features = weather.float_data.shape[-1]
    print(f"{weather.data}: {weather.float_data.shape[0]} rows of {n_features} measurements, one per {weather.units}")
    print("columns:", weather.header)
    print(f"lookback {weather.lookback}, step {weather.step}, delay {weather.delay}, batch_size {weather.batch_size}; "
          f"training rows [0, {weather.train_end}), validation targets [{weather.val_start}, {weather.val_end}), "
          f"val_steps {val_steps(weather)}")
    degrees = weather.temperature_std
    naive, mean_baseline = baselines(weather)
    print(f"common-sense baseline (tomorrow as now): validation MAE {naive:.4f} normalised, {naive * degrees:.2f} degC "
          f"(temperature std {degrees:.2f} degC); always the training mean: {mean_baseline:.4f}")

    epochs = {"dense": 20, "gru": 20, "gru_dropout": 40, "stacked_gru": 40, "reversed_gru": 20,
              "bidirectional_gru": 40}
    if args.quick:
        epochs = {name: n // 4 for name, n in epochs.items()}  # 5 or 10
    results = {"naive_mae": naive, "mean_baseline_mae": mean_baseline, "temperature_std": degrees}
    runs = {}
    for name in epochs:
        runs[name] = fit_and_report(name, lambda name=name: build(name, n_features, weather), weather, epochs[name],
                                    args.seed, reverse=name == "reversed_gru", summary=name == "dense")
        results[name] = runs[name]["best"]
    results["runs"] = runs

    beat = [name for name in epochs if runs[name]["best"] < naive]
    print("\nbeat the common-sense baseline (best epoch):", ", ".join(NAMES[n] for n in beat) or "none")
    naive_test, _ = baselines(weather, test=True)
    print(f"test set: common-sense MAE {naive_test:.4f}; the models' last epochs: "
          + ", ".join(f"{name} {runs[name]['test']:.4f}" for name in epochs))
    data = weather.data.replace(", vega_datasets", "")
    setting = f"{data}; lookback {weather.lookback}, step {weather.step}, delay {weather.delay}"
    rows = [
        Row("common-sense baseline: validation MAE (normalised)", BOOK_NAIVE, naive, setting),
        Row("common-sense baseline: validation MAE (degC)", BOOK_NAIVE_DEGREES, naive * degrees, setting),
    ]
    for name in epochs:
        run = runs[name]
        where = (f"{data}; {weather.steps_per_epoch} steps of {weather.batch_size}, best of {epochs[name]} epochs: "
                 f"epoch {run['best_epoch']} (last epoch {run['last']:.3f})")
        rows += [Row(f"{NAMES[name]}: best validation MAE (normalised)", BOOK_BEST[name], run["best"], where),
                 Row(f"{NAMES[name]}: best validation MAE (degC)", BOOK_DEGREES.get(name), run["best"] * degrees,
                     where)]
    book_beat = [name for name in BOOK_BEST if BOOK_BEST[name] < BOOK_NAIVE]
    rows.append(Row("better than the common-sense baseline (best epoch)", ", ".join(book_beat),
                    ", ".join(beat) or "none", data))
    tests = [f"common sense {naive_test:.3f}"] + [f"{name} {runs[name]['test']:.3f}" for name in epochs]
    rows.append(Row("test MAE, last epoch's weights (normalised)", None, "; ".join(tests),
                    f"{data}; the rows after the validation part (the book never uses its test_gen)"))
    results.update(beat_baseline=beat, naive_test_mae=naive_test)
    results["rows"] = rows
    print(f"\n{time.perf_counter() - start:.0f} s in all")
    print_beside_the_book(TITLE, rows)
    return results


if __name__ == "__main__":
    main()
