"""Sequential models: building, layers, weights, freezing, training end to end."""

import numpy as np
import pytest

import dl_layers as L
from dl_layers import Dense, Dropout, Input, Sequential


def test_builds_from_the_first_layers_input_shape():
    model = Sequential([Dense(512, activation="relu", input_shape=(784,)), Dense(10, activation="softmax")])
    assert model.built
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert model.output_shape == (None, 10)
    assert model.input_shape == (None, 784)
    assert model.count_params() == 784 * 512 + 512 + 512 * 10 + 10  # 407,050 as in the book
    assert [w.shape for w in model.get_weights()] == [(784, 512), (512,), (512, 10), (10,)]


def test_add_and_input_first_and_input_dim():
    model = Sequential()
    model.add(Input(shape=(3,)))
    model.add(Dense(4))
    assert model.output_shape == (None, 4)
    other = Sequential()
    other.add(Dense(5, input_dim=7))
    assert other.input_shape == (None, 7)


def test_builds_lazily_on_first_call_or_build():
    model = Sequential([Dense(8), Dense(2)])
    assert not model.built and model.weights == []
    with pytest.raises(ValueError, match="not built yet"):
        model.summary()
    model(np.zeros((4, 3)))
    assert model.built and model.input_shape == (None, 3)
    model2 = Sequential([Dense(8), Dense(2)])
    model2.build((None, 5))
    assert [w.shape for w in model2.weights] == [(5, 8), (8,), (8, 2), (2,)]


def test_layer_output_and_input_are_symbolic_tensors():
    model = Sequential([Dense(4, input_shape=(3,), name="a"), Dense(2, name="b")])
    assert model.get_layer("b").output.shape == (None, 2)
    assert model.get_layer("a").input is model.input
    sub = L.Model(model.input, model.get_layer("a").output)  # reuse part of a model (chapter 5)
    assert sub.predict(np.ones((2, 3))).shape == (2, 4)


def test_pop_and_rebuild():
    model = Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    removed = model.pop()
    assert removed.name == "dense_1" and model.output_shape == (None, 4)
    model.add(Dense(6))
    assert model.output_shape == (None, 6)
    assert model.layers[0].output.shape == (None, 4)  # one node per layer, no ambiguity


def test_errors():
    with pytest.raises(TypeError, match="can only add layers"):
        Sequential(["dense"])
    model = Sequential([Dense(2, name="same")])
    with pytest.raises(ValueError, match="already in the model"):
        model.add(Dense(3, name="same"))
    with pytest.raises(ValueError, match="has no layers yet"):
        Sequential()(np.zeros((1, 2)))
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        Dense(3, activaton="relu")


def test_wrong_input_feature_size_names_the_layer():
    model = Sequential([Dense(4, input_shape=(3,))])
    with pytest.raises(ValueError, match=r"Layer 'dense' was built for inputs with 3 at axis -1, got shape \(2, 5\)"):
        model.predict(np.zeros((2, 5)))


def test_get_layer_by_name_and_index():
    model = Sequential([Dense(4, input_shape=(3,), name="first"), Dense(2, name="second")])
    assert model.get_layer("second") is model.layers[1]
    assert model.get_layer(index=0).name == "first"
    with pytest.raises(ValueError, match="no layer named 'third'; layers: \\['first', 'second'\\]"):
        model.get_layer("third")


def test_freezing_a_model_and_its_layers():
    base = Sequential([Dense(4, input_shape=(3,)), Dense(4)])
    model = Sequential([base, Dense(1)])
    assert len(model.trainable_weights) == 6
    base.trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4
    assert all(not w.requires_grad for w in base.weights)
    model.compile("rmsprop", "mse")
    before = [w.copy() for w in base.get_weights()]
    model.fit(np.random.rand(16, 3), np.random.rand(16), epochs=2, verbose=0)
    for a, b in zip(before, base.get_weights()):
        np.testing.assert_array_equal(a, b)  # frozen weights did not move
    base.trainable = True
    base.layers[0].trainable = False  # fine-tuning: unfreeze all but the first layer
    assert len(model.trainable_weights) == 4


def test_fit_learns_a_separable_problem_and_history_is_complete():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32)
    model = Sequential([Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 40 for v in history.history.values())
    assert history.history["val_acc"] is history.history["val_accuracy"]  # the first edition's name
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.9
    assert model.predict(x[:5]).shape == (5, 1)


def test_dropout_only_in_training():
    model = Sequential([Dropout(0.5, input_shape=(100,))])
    x = np.ones((4, 100), np.float32)
    np.testing.assert_array_equal(model.predict(x), x)
    assert (model(x, training=True).numpy() == 0).any()


def test_same_seed_same_training():
    def run():
        L.clear_session()
        L.set_random_seed(7)
        model = Sequential([Dense(8, activation="relu", input_shape=(3,)), Dropout(0.2), Dense(1)])
        model.compile("adam", "mse")
        x = np.random.default_rng(1).random((64, 3))
        history = model.fit(x, x.sum(axis=1), epochs=3, batch_size=16, verbose=0)
        return history.history["loss"], model.get_weights()

    (loss_a, w_a), (loss_b, w_b) = run(), run()
    assert loss_a == loss_b
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)


def test_plain_python_lists_are_one_array():
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    history = model.fit([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0], verbose=0)
    assert len(history.history["loss"]) == 1
    assert model.predict([[1, 2]]).shape == (1, 1)
