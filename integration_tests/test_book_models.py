"""The book's models across the packages, end to end on real data: a functional model with two
inputs and two outputs (chapter 7), a convnet trained with data augmentation (chapter 5), each
saved and loaded with identical predictions, and bit-identical re-runs under the same seed."""

import numpy as np
import pytest

import dl_layers as L
from dl_convnet import Conv2D, MaxPooling2D, RandomRotation, RandomTranslation
from dl_sequence import GRU, Conv1D, Embedding, MaxPooling1D, TextVectorization
from dl_sequence.datasets import synthetic


def two_halves_model():
    """Inputs: the left and the right half of an 8x8 digit; outputs: the digit, and whether it is even."""
    left = L.Input(shape=(32,), name="left")
    right = L.Input(shape=(32,), name="right")
    features = L.layers.concatenate([L.Dense(32, activation="relu")(left), L.Dense(32, activation="relu")(right)])
    hidden = L.Dense(64, activation="relu")(features)
    digit = L.Dense(10, activation="softmax", name="digit")(hidden)
    even = L.Dense(1, activation="sigmoid", name="even")(hidden)
    return L.Model(inputs=[left, right], outputs=[digit, even])


def halves(x):
    images = x.reshape(-1, 8, 8)
    return {"left": images[:, :, :4].reshape(-1, 32), "right": images[:, :, 4:].reshape(-1, 32)}


def test_a_functional_model_with_two_inputs_and_two_outputs_learns_both_and_round_trips(digits, tmp_path):
    x_train, y_train, x_test, y_test = digits
    L.set_random_seed(0)
    model = two_halves_model()
    model.compile(optimizer="rmsprop", loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
                  loss_weights={"digit": 1.0, "even": 0.5}, metrics={"digit": ["accuracy"], "even": ["accuracy"]})
    targets = {"digit": y_train, "even": (y_train % 2 == 0).astype(np.float32)}
    model.fit(halves(x_train), targets, epochs=25, batch_size=32, verbose=0)

    digit_probs, even_probs = model.predict(halves(x_test), verbose=0)
    digit_acc = float((digit_probs.argmax(axis=1) == y_test).mean())
    even_acc = float(((even_probs[:, 0] > 0.5) == (y_test % 2 == 0)).mean())
    assert digit_acc > 0.9, digit_acc  # 10 balanced classes: the majority baseline is about 0.1
    assert even_acc > 0.9, even_acc  # about 0.5

    model.save(tmp_path / "halves.keras")
    again = L.load_model(tmp_path / "halves.keras")
    for mine, theirs in zip(again.predict(halves(x_test), verbose=0), (digit_probs, even_probs)):
        np.testing.assert_array_equal(mine, theirs)


def augmented_convnet():
    return L.Sequential([
        L.Input(shape=(8, 8, 1)),
        RandomRotation(0.05),
        RandomTranslation(0.1, 0.1),
        Conv2D(32, 3, activation="relu", padding="same"),
        MaxPooling2D(2),
        Conv2D(32, 3, activation="relu", padding="same"),
        L.Flatten(),
        L.Dropout(0.3),
        L.Dense(10, activation="softmax"),
    ])


def test_a_convnet_trained_with_augmentation_learns_and_round_trips(digits, tmp_path):
    x_train, y_train, x_test, y_test = digits
    images, test_images = x_train.reshape(-1, 8, 8, 1), x_test.reshape(-1, 8, 8, 1)
    L.set_random_seed(0)
    model = augmented_convnet()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(images, y_train, epochs=20, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(test_images, y_test, verbose=0)
    assert accuracy > 0.9, accuracy  # augmentation and dropout are off at inference: the test images as they are

    model.save(tmp_path / "augmented.keras")
    again = L.load_model(tmp_path / "augmented.keras")
    np.testing.assert_array_equal(again.predict(test_images, verbose=0), model.predict(test_images, verbose=0))


def train_twice(build_and_fit):
    runs = []
    for _ in range(2):
        L.clear_session()
        L.set_random_seed(7)
        runs.append(build_and_fit())
    return runs


@pytest.mark.parametrize("which", ["augmented convnet", "conv + GRU from raw strings"])
def test_the_same_seed_gives_bit_identical_training(which, digits):
    x_train, y_train, _, _ = digits
    texts, labels = synthetic.order_texts(300, length=60, vocab_size=30, min_gap=10, seed=3)

    def build_and_fit():
        if which == "augmented convnet":
            model = augmented_convnet()
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            history = model.fit(x_train[:400].reshape(-1, 8, 8, 1), y_train[:400], epochs=2, batch_size=32,
                                validation_split=0.2, verbose=0)
        else:
            vectorizer = TextVectorization(max_tokens=50, output_sequence_length=60)
            vectorizer.adapt(texts)
            model = L.Sequential([vectorizer, Embedding(50, 8), Conv1D(8, 5, activation="relu"), MaxPooling1D(2),
                                  GRU(8, dropout=0.2, recurrent_dropout=0.2), L.Dense(1, activation="sigmoid")])
            model.compile(optimizer="rmsprop", loss="binary_crossentropy")
            history = model.fit(texts, labels, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
        return model.get_weights(), history.history

    (weights_a, history_a), (weights_b, history_b) = train_twice(build_and_fit)
    assert history_a == history_b  # every logged number, to the last bit
    assert all(np.array_equal(a, b) for a, b in zip(weights_a, weights_b, strict=True))
