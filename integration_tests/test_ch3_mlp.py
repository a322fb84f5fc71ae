"""Chapter 3 end to end: the book's first network, trained with compile/fit on real digits."""

import numpy as np

import dl_layers as L
from dl_layers import Dense, Dropout, Sequential


def test_book_mlp_learns_digits_and_survives_save_and_load(digits, tmp_path):
    x_train, y_train, x_test, y_test = digits
    L.set_random_seed(0)
    model = Sequential([Dense(512, activation="relu", input_shape=(64,)), Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=10, batch_size=128, validation_split=0.1, verbose=0)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    majority = np.bincount(y_test).max() / len(y_test)
    assert majority < 0.15
    assert test_acc > 0.95, f"test accuracy {test_acc:.3f}"
    assert history.history["val_accuracy"][-1] > 0.9
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]

    model.save(tmp_path / "digits_mlp.dlbook")
    reloaded = L.load_model(tmp_path / "digits_mlp.dlbook")
    np.testing.assert_allclose(reloaded.evaluate(x_test, y_test, verbose=0), [test_loss, test_acc], rtol=1e-6)


def test_one_hot_labels_dropout_and_l2_also_learn(digits):
    x_train, y_train, x_test, y_test = digits
    L.set_random_seed(1)
    model = Sequential([
        Dense(64, activation="relu", kernel_regularizer=L.regularizers.l2(0.001), input_shape=(64,)),
        Dropout(0.3),
        Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=L.optimizers.Adam(learning_rate=0.003), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, L.utils.to_categorical(y_train), epochs=30, batch_size=64, verbose=0)
    _, acc = model.evaluate(x_test, L.utils.to_categorical(y_test), verbose=0)
    assert acc > 0.93, f"test accuracy {acc:.3f}"
