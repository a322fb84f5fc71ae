"""Overfitting and underfitting

The book's section 4.4 (first edition): the IMDB network of section 3.4 (``Dense(16)``,
``Dense(16)``, sigmoid output; the "original" model) beside four variants, each trained 20 epochs
of batch 512 on the 25,000 training reviews and validated on the 25,000 test reviews (the book
uses the test set as its validation set here): a smaller model (``Dense(4)`` twice), a bigger one
(``Dense(512)`` twice), the original with L2 weight regularisation (``kernel_regularizer=
regularizers.l2(0.001)`` on both hidden layers) and with dropout (``Dropout(0.5)`` after both).
The book compares their validation losses: the smaller model starts overfitting later (lowest
validation loss at epoch 6 rather than 3) and degrades more slowly; the bigger one overfits
almost at once (lowest at epoch 2, then erratic) while its training loss drops to nearly zero; the
L2 and dropout models resist overfitting better than the original (last validation losses 0.420
and 0.536 against 0.769).

What it trains on by default (offline): the same SpamAssassin stand-in for IMDB as
``nb3_5_classifying_movie_reviews.py`` (3,023 emails to train, 3,023 to validate on, spam or not,
10,000-word multi-hot vectors). For each model it reports the lowest validation loss, the epoch
it is reached at and the last one, draws the five validation-loss curves into ``--out`` (default:
a temporary folder) and checks the book's claims on them, saying plainly which hold. Mind the
number of steps: 3,023 emails in batches of 512 are 6 gradient steps an epoch, where the book's
25,000 reviews make 49, and the original model barely overfits in 20 epochs; ``--batch-size 62``
gives the book's number of steps an epoch (and takes about twice as long). ``--quick`` (for the
tests): 1,500 emails to train, 1,500 to validate on, 6 epochs of batch 128 (the smaller model
learns nothing in fewer steps).

On the book's data: download ``aclImdb_v1.tar.gz`` from https://ai.stanford.edu/~amaas/data/sentiment/,
unpack it and pass the ``aclImdb`` folder as ``--imdb-dir`` (see ``nb3_5_classifying_movie_reviews.py``).
The bigger model on 25,000 reviews takes several minutes an epoch on a laptop CPU.

    python examples/notebooks/nb4_4_overfitting_and_underfitting.py [--quick] [--seed 0] [--out FOLDER]
    python examples/notebooks/nb4_4_overfitting_and_underfitting.py --imdb-dir ~/data/aclImdb
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from beside_the_book import Row, print_beside_the_book
from nb3_5_classifying_movie_reviews import NUM_WORDS, load_reviews, vectorize_sequences

import dl_layers
from dl_layers import layers, models, regularizers
from dl_viz import new_axes, save_figure

TITLE = "4.4 Overfitting and underfitting"

# The book's figures (its notebook's printed epochs): lowest validation loss, its epoch, last validation loss.
BOOK = {
    "original": (0.2827, 3, 0.7694),
    "smaller": (0.2772, 6, 0.4744),
    "bigger": (0.2742, 2, 0.8896),
    "L2": (0.3306, 3, 0.4200),
    "dropout": (0.2772, 4, 0.5358),
}


def original_model():
    model = models.Sequential()
    model.add(layers.Dense(16, activation="relu", input_shape=(NUM_WORDS,)))
    model.add(layers.Dense(16, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def smaller_model():
    model = models.Sequential()
    model.add(layers.Dense(4, activation="relu", input_shape=(NUM_WORDS,)))
    model.add(layers.Dense(4, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def bigger_model():
    model = models.Sequential()
    model.add(layers.Dense(512, activation="relu", input_shape=(NUM_WORDS,)))
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def l2_model():
    model = models.Sequential()
    model.add(layers.Dense(16, kernel_regularizer=regularizers.l2(0.001), activation="relu",
                           input_shape=(NUM_WORDS,)))
    model.add(layers.Dense(16, kernel_regularizer=regularizers.l2(0.001), activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def dpt_model():
    model = models.Sequential()
    model.add(layers.Dense(16, activation="relu", input_shape=(NUM_WORDS,)))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(16, activation="relu"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


MODELS = {"original": original_model, "smaller": smaller_model, "bigger": bigger_model, "L2": l2_model,
          "dropout": dpt_model}


def summarize(history: dict) -> dict:
    """The numbers the comparison reads off one model's curves."""
    val_loss = np.asarray(history["val_loss"])
    return {"min_val_loss": float(val_loss.min()), "best_epoch": int(np.argmin(val_loss)) + 1,
            "final_val_loss": float(val_loss[-1]), "rise": float(val_loss[-1] - val_loss.min()),
            "final_loss": float(history["loss"][-1]), "final_val_acc": float(history["val_acc"][-1])}


def check_claims(s: dict) -> list[tuple[str, bool | None, str, str]]:
    """The book's claims, each as (claim, holds on ours, the book's evidence, ours).

    "Holds" is None when our curves cannot tell: the claims about when and how fast a model
    overfits compare it with the original model, which must have started overfitting (its
    validation loss past its lowest point) for them to mean anything.
    """
    o, sm, b, l2, d = s["original"], s["smaller"], s["bigger"], s["L2"], s["dropout"]
    book = {name: {"best_epoch": e, "final_val_loss": f, "rise": f - m} for name, (m, e, f) in BOOK.items()}
    bo, bs, bb, bl, bd = book["original"], book["smaller"], book["bigger"], book["L2"], book["dropout"]
    original_overfits = o["rise"] > 0

    def epochs(a, b):
        return f"epoch {a['best_epoch']} vs {b['best_epoch']}"

    def finals(a, b):
        return f"{a['final_val_loss']:.4f} vs {b['final_val_loss']:.4f}"

    def rises(a, b):
        return f"+{a['rise']:.4f} vs +{b['rise']:.4f}"

    def slower(model):  # rises less from its lowest point than the original does
        return model["rise"] < o["rise"] if original_overfits else None

    return [
        ("the bigger model starts overfitting sooner than the original",
         b["best_epoch"] < o["best_epoch"] if original_overfits or b["rise"] > 0 else None, epochs(bb, bo),
         epochs(b, o)),
        ("the smaller model starts overfitting later than the original",
         sm["best_epoch"] > o["best_epoch"] if original_overfits else None, epochs(bs, bo), epochs(sm, o)),
        ("the smaller model's validation loss degrades more slowly", slower(sm), rises(bs, bo), rises(sm, o)),
        ("the bigger model's training loss gets lowest", b["final_loss"] < min(o["final_loss"], sm["final_loss"]),
         "near zero", f"{b['final_loss']:.4f} vs {o['final_loss']:.4f}"),
        ("L2's validation loss degrades more slowly than the original's", slower(l2), rises(bl, bo),
         rises(l2, o)),
        ("L2 ends with a lower validation loss than the original", l2["final_val_loss"] < o["final_val_loss"],
         finals(bl, bo), finals(l2, o)),
        ("dropout's validation loss degrades more slowly than the original's", slower(d), rises(bd, bo),
         rises(d, o)),
        ("dropout ends with a lower validation loss than the original", d["final_val_loss"] < o["final_val_loss"],
         finals(bd, bo), finals(d, o)),
    ]


def verdict(holds: bool | None) -> str:
    return {True: "yes", False: "no", None: "not seen"}[holds]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,500 emails each way, 6 epochs of 128 (for the tests)")
    parser.add_argument("--imdb-dir", help="the extracted aclImdb folder: train on the book's IMDB reviews")
    parser.add_argument("--epochs", type=int, default=None, help="default 20 (the book's), 6 with --quick")
    parser.add_argument("--batch-size", type=int, default=None, help="default 512 (the book's), 128 with --quick")
    parser.add_argument("--out", type=Path, default=None, help="folder for the figure (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (6 if args.quick else 20)
    batch_size = args.batch_size or (128 if args.quick else 512)
    out = args.out or Path(tempfile.mkdtemp(prefix="nb4_4_"))
    out.mkdir(parents=True, exist_ok=True)

    (train_data, train_labels), (test_data, test_labels), info = load_reviews(args.imdb_dir)
    if args.quick:
        train_data, train_labels = train_data[:1500], train_labels[:1500]
        test_data, test_labels = test_data[:1500], test_labels[:1500]
    data = info["data"]
    if args.quick:
        data = data.replace("3,023 training / 3,023 test", "1,500 training / 1,500 validation")
    x_train = vectorize_sequences(train_data)  # (samples, 10000)
    x_test = vectorize_sequences(test_data)
    y_train = np.asarray(train_labels).astype("float32")
    y_test = np.asarray(test_labels).astype("float32")
    majority = float(max(y_test.mean(), 1 - y_test.mean()))
    print(f"{data}; validating on the test set, as the book; majority baseline {majority:.4f}")

    histories, summary = {}, {}
    for name, build in MODELS.items():
        print(f"\n{name} model, {epochs} epochs of batch {batch_size}")
        dl_layers.set_random_seed(args.seed)
        model = build()
        start = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                            validation_data=(x_test, y_test), verbose=2)
        histories[name] = history.history
        summary[name] = s = summarize(history.history)
        print(f"{name}: {model.count_params():,} parameters; lowest validation loss {s['min_val_loss']:.4f} at epoch "
              f"{s['best_epoch']}, last {s['final_val_loss']:.4f} ({time.perf_counter() - start:.1f} s)")

    fig, ax = new_axes(figsize=(7.0, 4.5))
    epoch_numbers = range(1, epochs + 1)
    ax.plot(epoch_numbers, histories["original"]["val_loss"], "k+", markersize=9, label="Original model")
    for name, style in (("smaller", "o-"), ("bigger", "s-"), ("L2", "^-"), ("dropout", "d-")):
        ax.plot(epoch_numbers, histories[name]["val_loss"], style, markersize=4, label=f"{name} model")
    ax.set_xlabel("Epochs")
    ax.set_ylabel("Validation loss")
    ax.set_title(f"{data.split(',')[0]}: validation loss")
    ax.legend()
    figure = save_figure(fig, out / "nb4_4_validation_losses.png")
    print(f"\nthe validation-loss curves: {figure}")

    claims = check_claims(summary)
    for claim, holds, book_evidence, ours in claims:
        said = {True: "holds", False: "does NOT hold", None: "cannot be told (the original has not overfitted)"}[holds]
        print(f"{said} on ours: {claim} (ours: {ours}; the book: {book_evidence})")

    setting = f", {epochs} epochs" if epochs != 20 else ""
    setting += f", batch {batch_size}" if batch_size != 512 else ""
    rows = []
    for name, s in summary.items():
        best, best_epoch, final = BOOK[name]
        rows.append(Row(f"{name}: lowest validation loss (epoch) / last{setting}",
                        book=f"{best:.3f} ({best_epoch}) / {final:.3f}",
                        ours=f"{s['min_val_loss']:.4f} ({s['best_epoch']}) / {s['final_val_loss']:.4f}", data=data))
    rows += [Row(f"claim: {claim}", book=f"yes ({book_evidence})", ours=f"{verdict(holds)} ({ours})",
                 data=data) for claim, holds, book_evidence, ours in claims]
    rows.append(Row("majority-class baseline (validation accuracy)", book=None, ours=majority, data=data))
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "summary": summary, "claims": {claim: holds for claim, holds, _, _ in claims},
            "majority": majority, "figure": figure, "histories": histories}


if __name__ == "__main__":
    main()
