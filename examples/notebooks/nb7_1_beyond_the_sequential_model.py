"""Going beyond the Sequential model: the Keras functional API

The book's section 7.1 (first edition; its notebooks stop at chapter 6, so this follows the
chapter's listings) and the callbacks of 7.2.1:

1. a small densely connected network written as a ``Sequential`` model and with the
   functional API (``Input``, layers called on tensors, ``Model(inputs, outputs)``), on random
   data; the summary counts 3,466 parameters;
2. a multi-input model, question answering: a text and a question, each embedded and read by
   an LSTM, concatenated, a softmax over 500 answers; trained on random data (so it learns nothing);
3. a multi-output model: from social-media posts, a person's age (regression, ``mse``), income
   group (10 classes) and gender (binary), with ``loss_weights=[0.25, 1., 10.]``;
4. shared layers: one ``LSTM(32)`` reading two sentences (a Siamese network), its outputs
   concatenated into a ``Dense(1, sigmoid)``;
5. a model as a layer: one Xception base (``weights=None``: untrained) applied to a left and a
   right camera image;
6. callbacks (7.2.1): ``EarlyStopping(monitor='acc', patience=1)`` and
   ``ModelCheckpoint(save_best_only=True)`` in a ``callbacks_list``, ``ReduceLROnPlateau``, and
   TensorBoard's logs.

The book prints no results for these (its data are random), so ours stand beside "–", each
with its baseline. What ours train on (all offline), and why:

1. scikit-learn's 8x8 digits (64 pixels in, 10 classes out: the book's very shapes), 1,347 to
   train and 450 to test; both models are built and trained from the same seed, to show that
   they are the same function;
2. generated texts with a known answer, so that learning shows: each of the 4,000 texts
   (100 words of a 10,000-word vocabulary) is about one of 10 topics (70% of its words come from
   the topic's 20 keywords), each question (5 words) is of one of 5 kinds, and the answer is the
   (topic, kind) pair: 50 possible answers (the book's 500 outputs, 490 of them never used,
   stall the training), so chance is 0.02; with the questions shuffled between samples, a model
   that reads both inputs falls to a fifth of its accuracy;
3. the digits again, three heads as the book's three: the digit's value as a number (age:
   ``mse``), the digit as a class (income: a softmax over 10), even or odd (gender: a sigmoid);
4. the digits as sequences of 8 rows of 8 pixels: the shared LSTM reads two digits and the
   model says whether the left one is the larger (pairs of different digits: chance 0.5);
5. MNIST digits (``mnist_subset``, the 2,000 that ``MiniVGG`` never trained on, from the npm
   registry, cached): ``MiniVGG``'s pretrained convolutional base (frozen), in the place of the
   book's untrained Xception, is the shared model, applied to a left and a right image; the
   model says whether they show the same digit (balanced pairs; test pairs made of images no
   training pair uses);
6. a digits network large enough to overfit (two ``Dense(512)``), the book's ``callbacks_list``
   (with ``patience=2``: the book's Keras 2.0.8 stopped after *more than* ``patience`` epochs
   without improvement, Keras 2.0.9 on and ours after ``patience``), ``ReduceLROnPlateau``
   (``patience=2``: the book's 10 would not act in so short a run), TensorBoard when
   tensorboardX is installed, else the same logs as JSON lines, and a ``LambdaCallback`` keeping
   each epoch's validation predictions, to compare with the reloaded checkpoint. Checkpoint
   and logs go to ``--out`` (a temporary folder by default).

``--quick`` (for the tests): 3,000 texts of 30 words, fewer pairs, fewer epochs.

    python examples/notebooks/nb7_1_beyond_the_sequential_model.py [--quick] [--seed 0] [--out folder]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_convnet import MiniVGG
from dl_convnet.datasets import mnist_subset
from dl_layers import Input, layers, models
from dl_layers.models import Model
from dl_layers.utils import to_categorical
from dl_sequence import LSTM, Embedding
from dl_workflow import callbacks

TITLE = "7.1 Going beyond the Sequential model: the Keras functional API"
DIGITS = "scikit-learn digits (8x8), 1,347 train / 450 test"


def load_digits_split(seed: int = 0):
    """scikit-learn's 1,797 digits, pixels in [0, 1]: x (n, 64) float32, y (n,) ints; 1,347 train, 450 test."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)  # (1797, 64)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    return (x[:1347], y[:1347]), (x[1347:], y[1347:])


def accuracy(probabilities, labels) -> float:
    """Share of right answers: argmax of (n, classes) probabilities, or (n, 1) probabilities > 0.5."""
    p = np.asarray(probabilities)
    predicted = p.argmax(axis=-1) if p.shape[-1] > 1 else (p[:, 0] > 0.5).astype(int)
    return float(np.mean(predicted == np.asarray(labels)))


def part_functional_api(args, rows, results):
    print("== 1. Sequential model and its functional equivalent ==")
    (x_train, y_train), (x_test, y_test) = load_digits_split(args.seed)
    dl_layers.set_random_seed(args.seed)
    seq_model = models.Sequential()
    seq_model.add(layers.Dense(32, activation="relu", input_shape=(64,)))
    seq_model.add(layers.Dense(32, activation="relu"))
    seq_model.add(layers.Dense(10, activation="softmax"))

    dl_layers.set_random_seed(args.seed)  # the same initial weights for its functional equivalent
    input_tensor = Input(shape=(64,))
    x = layers.Dense(32, activation="relu")(input_tensor)
    x = layers.Dense(32, activation="relu")(x)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    model = Model(input_tensor, output_tensor)
    model.summary()

    unrelated_input = Input(shape=(32,))
    try:
        Model(unrelated_input, output_tensor)
    except ValueError as error:  # the book: "RuntimeError: Graph disconnected"
        print(f"Model(unrelated_input, output_tensor) fails: {error}")

    scores = {}
    for name, m in (("Sequential", seq_model), ("functional", model)):
        dl_layers.set_random_seed(args.seed + 1)  # the same shuffles
        m.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])
        m.fit(x_train, to_categorical(y_train, 10), epochs=10, batch_size=128, verbose=2 if name == "functional" else 0)
        scores[name] = m.evaluate(x_test, to_categorical(y_test, 10), verbose=0)  # [loss, acc]
    difference = float(np.abs(seq_model.predict(x_test) - model.predict(x_test)).max())
    majority = float(np.mean(y_test == np.bincount(y_train).argmax()))
    print(f"test accuracy: Sequential {scores['Sequential'][1]:.3f}, functional {scores['functional'][1]:.3f} "
          f"(majority {majority:.3f}); largest difference between their predictions {difference:.1e}")
    results.update(functional_acc=float(scores["functional"][1]), functional_majority=majority,
                   functional_vs_sequential=difference)
    rows += [
        Row("functional model: parameters", 3466, model.count_params(), "Dense 64 -> 32 -> 32 -> 10"),
        Row("functional model: test accuracy", None, float(scores["functional"][1]),
            f"{DIGITS} (the book: random data); majority {majority:.3f}"),
        Row("Sequential vs functional, same seed: largest prediction difference", None, f"{difference:.1e}", DIGITS),
    ]


def make_questions(n, max_length, rng, topics=10, kinds=5, keywords=20, question_length=5, noise=0.3,
                   text_vocabulary_size=10000, question_vocabulary_size=10000):
    """Texts about one of ``topics`` topics, questions of one of ``kinds`` kinds, answer = (topic, kind).

    A topic's keywords are word ids ``1 + topic * keywords ...``; a share ``noise`` of a text's words
    are any words of the vocabulary. Returns text (n, max_length), question (n, question_length)
    int arrays and the answers (n,) in ``[0, topics * kinds)``.
    """
    topic = rng.integers(0, topics, size=n)
    kind = rng.integers(0, kinds, size=n)
    text = 1 + topic[:, None] * keywords + rng.integers(0, keywords, size=(n, max_length))  # (n, max_length)
    noisy = rng.random((n, max_length)) < noise
    text[noisy] = rng.integers(1, text_vocabulary_size, size=int(noisy.sum()))
    question = 1 + kind[:, None] * keywords + rng.integers(0, keywords, size=(n, question_length))  # (n, 5)
    return text, question, topic * kinds + kind


def part_multi_input(args, rows, results):
    print("\n== 2. A multi-input model: question answering ==")
    text_vocabulary_size = 10000
    question_vocabulary_size = 10000
    answer_vocabulary_size = 50  # the book's 500 (random answers); here 10 topics x 5 kinds of question
    num_samples, max_length = (3000, 30) if args.quick else (4000, 100)
    rng = np.random.default_rng(args.seed)
    text, question, answers = make_questions(num_samples, max_length, rng)
    val_text, val_question, val_answers = make_questions(1000, max_length, rng)
    print(f"{num_samples} texts of {max_length} words, e.g. {text[0, :10]} ...; question {question[0]}; "
          f"answer {answers[0]}")

    dl_layers.set_random_seed(args.seed)
    text_input = Input(shape=(None,), dtype="int32", name="text")  # variable-length sequences of integers
    embedded_text = Embedding(text_vocabulary_size, 64)(text_input)  # (batch, time) -> (batch, time, 64)
    encoded_text = LSTM(32)(embedded_text)  # -> (batch, 32)
    question_input = Input(shape=(None,), dtype="int32", name="question")
    embedded_question = Embedding(question_vocabulary_size, 32)(question_input)
    encoded_question = LSTM(16)(embedded_question)  # -> (batch, 16)
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)  # -> (batch, 48)
    answer = layers.Dense(answer_vocabulary_size, activation="softmax")(concatenated)
    model = Model([text_input, question_input], answer)
    model.summary()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])

    answers_one_hot = to_categorical(answers, answer_vocabulary_size)  # (num_samples, 50)
    epochs = 7 if args.quick else 10
    start = time.perf_counter()
    model.fit([text, question], answers_one_hot, epochs=epochs, batch_size=128, verbose=2)  # a list of inputs
    seconds = time.perf_counter() - start
    val_one_hot = to_categorical(val_answers, answer_vocabulary_size)
    _, val_acc = model.evaluate({"text": val_text, "question": val_question}, val_one_hot, verbose=0)  # or a dict
    shuffled = rng.permutation(len(val_question))
    shuffled_acc = accuracy(model.predict([val_text, val_question[shuffled]]), val_answers)
    text_shuffled_acc = accuracy(model.predict([val_text[shuffled], val_question]), val_answers)
    chance = float(np.bincount(answers).max() / len(answers))
    print(f"validation accuracy {val_acc:.3f} (most frequent answer {chance:.3f}); with the questions shuffled "
          f"{shuffled_acc:.3f}, with the texts shuffled {text_shuffled_acc:.3f}; {seconds:.0f} s")
    results.update(qa_acc=float(val_acc), qa_chance=chance, qa_questions_shuffled=shuffled_acc,
                   qa_texts_shuffled=text_shuffled_acc)
    data = (f"generated: {num_samples} texts of {max_length} words about 10 topics, questions of 5 kinds, "
            f"answer = (topic, kind); {epochs} epochs")
    rows += [
        Row("question answering: validation accuracy", None, float(val_acc),
            f"{data}; most frequent answer {chance:.3f}"),
        Row("question answering: the same, questions shuffled", None, shuffled_acc,
            "a model that reads both inputs: about a fifth of the above"),
        Row("question answering: the same, texts shuffled", None, text_shuffled_acc,
            "a model that reads both inputs: about a tenth of the above"),
    ]


def part_multi_output(args, rows, results):
    print("\n== 3. A multi-output model: three heads, weighted losses ==")
    (x_train, y_train), (x_test, y_test) = load_digits_split(args.seed)
    dl_layers.set_random_seed(args.seed)
    pixels_input = Input(shape=(64,), dtype="float32", name="pixels")
    x = layers.Dense(128, activation="relu")(pixels_input)
    x = layers.Dense(128, activation="relu")(x)
    value_prediction = layers.Dense(1, name="value")(x)  # the book's age: a number
    digit_prediction = layers.Dense(10, activation="softmax", name="digit")(x)  # its income group: 10 classes
    parity_prediction = layers.Dense(1, activation="sigmoid", name="parity")(x)  # its gender: two classes
    model = Model(pixels_input, [value_prediction, digit_prediction, parity_prediction])
    model.summary()
    model.compile(optimizer="rmsprop",
                  loss={"value": "mse", "digit": "categorical_crossentropy", "parity": "binary_crossentropy"},
                  loss_weights={"value": 0.25, "digit": 1.0, "parity": 10.0},
                  metrics={"value": ["mae"], "digit": ["acc"], "parity": ["acc"]})
    targets = [y_train.astype(np.float32), to_categorical(y_train, 10), (y_train % 2).astype(np.float32)]
    model.fit(x_train, targets, epochs=10, batch_size=64, verbose=2)  # or a dict: {"value": ..., "digit": ...}
    value, digit, parity = model.predict(x_test)  # (450, 1), (450, 10), (450, 1)
    value_mae = float(np.mean(np.abs(value[:, 0] - y_test)))
    mean_mae = float(np.mean(np.abs(y_train.mean() - y_test)))
    digit_acc, parity_acc = accuracy(digit, y_test), accuracy(parity, y_test % 2)
    digit_majority = float(np.mean(y_test == np.bincount(y_train).argmax()))
    parity_majority = float(np.mean(y_test % 2 == int(np.mean(y_train % 2) >= 0.5)))
    print(f"test: value MAE {value_mae:.3f} (always the mean {mean_mae:.3f}), digit accuracy {digit_acc:.3f} "
          f"(majority {digit_majority:.3f}), parity accuracy {parity_acc:.3f} (majority {parity_majority:.3f})")
    results.update(value_mae=value_mae, value_mean_mae=mean_mae, digit_acc=digit_acc, digit_majority=digit_majority,
                   parity_acc=parity_acc, parity_majority=parity_majority)
    data = f"{DIGITS}; loss_weights 0.25, 1, 10 (the book's)"
    rows += [
        Row("multi-output, 'age' head (the digit's value, mse): test MAE", None, value_mae,
            f"{data}; always the mean: {mean_mae:.3f}"),
        Row("multi-output, 'income' head (the digit, softmax): test accuracy", None, digit_acc,
            f"{data}; majority {digit_majority:.3f}"),
        Row("multi-output, 'gender' head (even or odd, sigmoid): test accuracy", None, parity_acc,
            f"{data}; majority {parity_majority:.3f}"),
    ]


def digit_pairs(x, y, n, rng):
    """Random pairs of different digits: left and right (k, 8, 8) row sequences, target: left > right."""
    i, j = rng.integers(0, len(x), size=n), rng.integers(0, len(x), size=n)
    keep = y[i] != y[j]
    i, j = i[keep], j[keep]
    left, right = x[i].reshape(-1, 8, 8), x[j].reshape(-1, 8, 8)  # (k, 64) -> (k, 8 rows, 8 pixels)
    return left, right, (y[i] > y[j]).astype(np.float32)


def part_shared_layers(args, rows, results):
    print("\n== 4. Shared layers: a Siamese LSTM ==")
    (x_train, y_train), (x_test, y_test) = load_digits_split(args.seed)
    rng = np.random.default_rng(args.seed)
    left_data, right_data, targets = digit_pairs(x_train, y_train, 2000 if args.quick else 4000, rng)
    test_left, test_right, test_targets = digit_pairs(x_test, y_test, 1000, rng)

    dl_layers.set_random_seed(args.seed)
    lstm = LSTM(32)  # instantiate a single LSTM layer, once
    left_input = Input(shape=(None, 8))  # a digit as a sequence of rows: (batch, rows, 8)
    left_output = lstm(left_input)
    right_input = Input(shape=(None, 8))
    right_output = lstm(right_input)  # the same layer, the same weights
    merged = layers.concatenate([left_output, right_output], axis=-1)  # (batch, 64)
    predictions = layers.Dense(1, activation="sigmoid")(merged)
    model = Model([left_input, right_input], predictions)
    model.summary()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    epochs = 8 if args.quick else 15
    model.fit([left_data, right_data], targets, epochs=epochs, batch_size=64, verbose=2)
    test_acc = accuracy(model.predict([test_left, test_right]), test_targets)
    lstm_params = lstm.count_params()
    print(f"test accuracy {test_acc:.3f} (chance 0.5); parameters: {model.count_params()} = one LSTM "
          f"({lstm_params}) + Dense ({model.count_params() - lstm_params})")
    results.update(siamese_acc=test_acc, siamese_params=model.count_params(), siamese_lstm_params=lstm_params)
    data = f"{DIGITS}: pairs of different digits ({len(targets)} train, {len(test_targets)} test); {epochs} epochs"
    rows += [
        Row("Siamese LSTM: parameters (one LSTM(32) for both inputs)", None, model.count_params(),
            f"LSTM {lstm_params} + Dense {model.count_params() - lstm_params}"),
        Row("Siamese LSTM: test accuracy, is the left digit the larger?", None, test_acc, f"{data}; chance 0.5"),
    ]


def image_pairs(labels, indices, n, rng):
    """``n`` pairs of images among ``indices``: half show the same digit, half different ones."""
    left = rng.choice(indices, size=n)
    same = np.arange(n) < n // 2
    right = np.empty(n, dtype=int)
    for k in range(n):
        pool = indices[(labels[indices] == labels[left[k]]) == same[k]]
        right[k] = rng.choice(pool[pool != left[k]])
    order = rng.permutation(n)
    return left[order], right[order], same[order].astype(np.float32)


def part_model_as_layer(args, rows, results):
    print("\n== 5. A model as a layer: one convolutional base, two images ==")
    _, (images, labels) = mnist_subset.load_data()  # the 2,000 digits MiniVGG was not trained on
    x = (images.astype(np.float32) / 255.0)[..., None]  # (2000, 28, 28) 0-255 -> (2000, 28, 28, 1) in [0, 1]
    rng = np.random.default_rng(args.seed)
    n_train, n_test = (400, 200) if args.quick else (2000, 500)
    train_left, train_right, train_same = image_pairs(labels, np.arange(1500), n_train, rng)
    test_left, test_right, test_same = image_pairs(labels, np.arange(1500, 2000), n_test, rng)

    dl_layers.set_random_seed(args.seed)
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))  # Xception in the book
    conv_base.trainable = False
    left_input = Input(shape=(28, 28, 1), name="left")
    right_input = Input(shape=(28, 28, 1), name="right")
    left_features = conv_base(left_input)  # (batch, 3, 3, 64): the same model, the same weights
    right_features = conv_base(right_input)
    merged_features = layers.concatenate([left_features, right_features], axis=-1)  # (batch, 3, 3, 128)
    flat = layers.Flatten()(merged_features)  # (batch, 3, 3, 128) -> (batch, 1152)
    hidden = layers.Dense(64, activation="relu")(flat)
    same_digit = layers.Dense(1, activation="sigmoid")(hidden)
    model = Model([left_input, right_input], same_digit)
    model.summary()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    epochs = 2 if args.quick else 5
    model.fit([x[train_left], x[train_right]], train_same, epochs=epochs, batch_size=32, verbose=2)
    test_acc = accuracy(model.predict([x[test_left], x[test_right]]), test_same)
    print(f"test accuracy {test_acc:.3f} (chance 0.5)")
    results.update(pair_acc=test_acc)
    rows.append(Row("MiniVGG base shared by two inputs: test accuracy, same digit?", None, test_acc,
                    f"MNIST (mnist_subset's 2,000 held-out digits): {n_train} train pairs, {n_test} test pairs of "
                    f"other images; frozen pretrained base; {epochs} epochs; chance 0.5"))


def part_callbacks(args, rows, results, out):
    print("\n== 6. Callbacks: early stopping, checkpoints, learning rate, logs ==")
    (x_train, y_train), (x_test, y_test) = load_digits_split(args.seed)
    x_val, y_val = x_train[-300:], y_train[-300:]
    x_train, y_train = x_train[:-300], y_train[:-300]
    dl_layers.set_random_seed(args.seed)
    model = models.Sequential()
    model.add(layers.Dense(512, activation="relu", input_shape=(64,)))
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["acc"])

    checkpoint = os.path.join(out, "my_model.keras")
    val_predictions = []  # each epoch's predictions on the validation data, to compare with the checkpoint
    callbacks_list = [
        # interrupt training when accuracy has stopped improving for more than one epoch: the book's patience=1
        # in Keras 2.0.8; Keras 2.0.9 (pull request 8100) and ours stop one epoch sooner, so 2 says the same here
        callbacks.EarlyStopping(monitor="acc", patience=2),
        callbacks.ModelCheckpoint(filepath=checkpoint, monitor="val_loss", save_best_only=True),
        callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=2),  # the book's patience: 10
        callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: val_predictions.append(model.predict(x_val))),
    ]
    try:
        callbacks_list.append(callbacks.TensorBoard(log_dir=os.path.join(out, "my_log_dir"), histogram_freq=1))
        logs = "TensorBoard event files"
    except ImportError:  # tensorboardX is an optional extra: pip install "dl-workflow[tensorboard]"
        callbacks_list.append(callbacks.JSONLinesLogger(os.path.join(out, "history.jsonl")))
        logs = "JSON lines (tensorboardX is not installed, TensorBoard's writer)"
    max_epochs = 50
    history = model.fit(x_train, y_train, epochs=max_epochs, batch_size=32, callbacks=callbacks_list,
                        validation_data=(x_val, y_val), verbose=2)
    epochs_run = len(history.history["loss"])
    stopper = callbacks_list[0]
    best = int(np.argmin(history.history["val_loss"]))
    reloaded = models.load_model(checkpoint)
    reloaded_predictions = reloaded.predict(x_val)
    difference = float(np.abs(reloaded_predictions - val_predictions[best]).max())
    from_last = float(np.abs(reloaded_predictions - model.predict(x_val)).max())  # the model after the last epoch
    learning_rates = history.history.get("learning_rate", history.history.get("lr", [float("nan")]))
    log_lines = (sum(1 for _ in open(os.path.join(out, "history.jsonl"), encoding="utf-8"))
                 if logs.startswith("JSON") else epochs_run)
    test_acc = float(reloaded.evaluate(x_test, y_test, verbose=0)[1])
    print(f"stopped after {epochs_run} of {max_epochs} epochs (training accuracy "
          f"{history.history['acc'][-1]:.3f}); lowest val_loss at epoch {best + 1}; learning rate "
          f"{learning_rates[0]:g} -> {learning_rates[-1]:g}; checkpoint reloaded: largest difference from epoch "
          f"{best + 1}'s predictions {difference:.1e} (from the last epoch's: {from_last:.1e}), test accuracy "
          f"{test_acc:.3f}; {log_lines} lines of {logs}")
    results.update(epochs_run=epochs_run, stopped_epoch=stopper.stopped_epoch + 1 if stopper.stopped_epoch else None,
                   best_epoch=best + 1, checkpoint_difference=difference, checkpoint_from_last=from_last,
                   final_learning_rate=float(learning_rates[-1]),
                   first_learning_rate=float(learning_rates[0]), checkpoint_test_acc=test_acc, log_lines=log_lines)
    data = "scikit-learn digits (8x8), 1,047 train / 300 validate / 450 test; Dense 512, 512, 10"
    rows += [
        Row("EarlyStopping(monitor='acc', the book's patience=1): epochs run", None, f"{epochs_run} of {max_epochs}",
            f"{data}; patience=2 in Keras 2.0.9+ and here"),
        Row("ModelCheckpoint(save_best_only=True): best epoch (val_loss)", None, best + 1, data),
        Row("ReduceLROnPlateau(factor=0.1, patience=2): learning rate at the end", None,
            f"{learning_rates[0]:g} -> {learning_rates[-1]:g}", data),
        Row("checkpoint reloaded: largest difference from the best epoch's predictions", None, f"{difference:.1e}",
            f"{data}; from the last epoch's model: {from_last:.1e}"),
        Row("checkpoint reloaded: test accuracy", None, test_acc, data),
        Row("logs written, one per epoch", None, log_lines, logs),
    ]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="folder for the checkpoint and the logs (default: a temporary folder)")
    parser.add_argument("--quick", action="store_true", help="shorter texts, fewer pairs and epochs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows, results = [], {}
    seconds = {}
    for part in (part_functional_api, part_multi_input, part_multi_output, part_shared_layers, part_model_as_layer,
                 part_callbacks):
        part_start = time.perf_counter()
        if part is not part_callbacks:
            part(args, rows, results)
        elif args.out:
            os.makedirs(args.out, exist_ok=True)
            part(args, rows, results, args.out)
        else:
            with tempfile.TemporaryDirectory() as out:
                part(args, rows, results, out)
        seconds[part.__name__] = time.perf_counter() - part_start
    print("\nseconds:", ", ".join(f"{name[5:]} {value:.1f}" for name, value in seconds.items()))
    results["seconds"] = seconds
    results["rows"] = rows
    print(f"\n{time.perf_counter() - start:.0f} s in all")
    print_beside_the_book(TITLE, rows)
    return results


if __name__ == "__main__":
    main()
