"""The functional API: graphs of layers with several inputs and outputs, shared layers,
models used as layers, and subclassed models."""

import numpy as np
import pytest

import dl_layers as L
from dl_layers import Dense, Input, Layer, Model, layers


def test_symbolic_shapes_propagate():
    inputs = Input(shape=(784,))
    assert inputs.shape == (None, 784)
    hidden = Dense(64, activation="relu")(inputs)
    assert hidden.shape == (None, 64) and hidden.node.layer.name == "dense"
    outputs = Dense(10, activation="softmax")(hidden)
    model = Model(inputs, outputs)
    assert model.output_shape == (None, 10)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense"]
    assert model.count_params() == 784 * 64 + 64 + 64 * 10 + 10


def _question_answering_model():
    """The book's chapter-7 two-input model, at a small size."""
    text = Input(shape=(6,), name="text")
    question = Input(shape=(4,), name="question")
    merged = layers.concatenate([Dense(8, activation="relu")(text), Dense(4, activation="relu")(question)])
    answer = Dense(3, activation="softmax", name="answer")(merged)
    return Model([text, question], answer)


def test_two_inputs_as_list_or_dict_by_input_name():
    model = _question_answering_model()
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["acc"])
    rng = np.random.default_rng(0)
    text, question, answers = rng.random((50, 6)), rng.random((50, 4)), rng.integers(0, 3, 50)
    h1 = model.fit([text, question], answers, epochs=1, batch_size=10, verbose=0, shuffle=False)
    h2 = model.fit({"question": question, "text": text}, answers, epochs=1, batch_size=10, verbose=0, shuffle=False)
    assert set(h1.history) == {"loss", "acc"} and set(h2.history) == {"loss", "acc"}
    np.testing.assert_allclose(model.predict([text, question]), model.predict({"text": text, "question": question}))
    with pytest.raises(ValueError, match=r"inputs \['question'\] are missing"):
        model.predict({"text": text})
    with pytest.raises(ValueError, match="expects 2 input"):
        model.predict(text)


def _three_head_model():
    """The book's chapter-7 multi-output model (age regression, income class, gender), small."""
    posts = Input(shape=(10,), name="posts")
    x = Dense(16, activation="relu")(posts)
    age = Dense(1, name="age")(x)
    income = Dense(4, activation="softmax", name="income")(x)
    gender = Dense(1, activation="sigmoid", name="gender")(x)
    return Model(posts, [age, income, gender])


def test_several_outputs_with_loss_lists_dicts_and_weights():
    rng = np.random.default_rng(0)
    posts = rng.random((64, 10))
    age, income, gender = rng.random((64, 1)) * 3, rng.integers(0, 4, 64), rng.integers(0, 2, 64)
    model = _three_head_model()
    assert model.output_names == ["age", "income", "gender"]
    model.compile("rmsprop", loss=["mse", "sparse_categorical_crossentropy", "binary_crossentropy"],
                  loss_weights=[0.25, 1.0, 10.0], metrics={"income": ["accuracy"], "gender": ["accuracy"]})
    logs = model.evaluate(posts, [age, income, gender], verbose=0, return_dict=True)
    assert list(logs) == ["loss", "age_loss", "income_loss", "gender_loss", "income_accuracy", "gender_accuracy"]
    assert logs["loss"] == pytest.approx(0.25 * logs["age_loss"] + logs["income_loss"] + 10 * logs["gender_loss"],
                                         rel=1e-5)
    model.compile("rmsprop", loss={"age": "mse", "income": "sparse_categorical_crossentropy",
                                   "gender": "binary_crossentropy"},
                  loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0})
    history = model.fit(posts, {"age": age, "income": income, "gender": gender}, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    with pytest.raises(ValueError, match=r"loss has keys \['salary'\] that are not outputs"):
        model.compile("rmsprop", loss={"salary": "mse"})
    with pytest.raises(ValueError, match="the model has 3 outputs"):
        model.fit(posts, age, verbose=0)


def test_shared_layer_shares_weights_and_accumulates_gradients():
    left, right = Input(shape=(5,)), Input(shape=(5,))
    shared = Dense(3)
    merged = layers.add([shared(left), shared(right)])
    model = Model([left, right], merged)
    assert len(model.weights) == 2 and model.count_params() == 18
    a, b = np.ones((1, 5), np.float32), np.full((1, 5), 2.0, np.float32)
    out = model([a, b])
    out.sum().backward()
    # d/dkernel of sum(a @ K + b @ K) = (a + b)^T @ 1
    np.testing.assert_allclose(shared.kernel.grad, np.full((5, 3), 3.0))
    with pytest.raises(AttributeError, match="called 2 times"):
        _ = shared.output


def test_model_used_as_a_layer_and_nested_training():
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(3, activation="relu")(inner_in), name="inner")
    outer_in = Input(shape=(4,))
    outer = Model(outer_in, Dense(1)(inner(outer_in)))
    assert [layer.name for layer in outer.layers][1] == "inner"
    assert len(outer.trainable_weights) == 4
    outer.compile("adam", "mse")
    x = np.random.default_rng(0).random((32, 4))
    before = inner.get_weights()[0].copy()
    outer.fit(x, x.sum(axis=1), epochs=2, verbose=0)
    assert not np.array_equal(before, inner.get_weights()[0])  # the inner model trained too


def test_graph_errors():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = Dense(1)(layers.add([a, b]))
    with pytest.raises(ValueError, match="depend on the input .* not in the model's inputs"):
        Model(a, out)
    hidden = Dense(2)(a)
    with pytest.raises(ValueError, match="inputs must come from Input"):
        Model(hidden, Dense(1)(hidden))
    with pytest.raises(TypeError, match="must be KerasTensors"):
        Model(a, np.zeros(2))
    model = Model(a, Dense(1)(a))
    with pytest.raises(ValueError, match=r"input .* expects shape \(None, 2\), got \(4, 3\)"):
        model.predict(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="holds no values"):
        np.asarray(a)
    with pytest.raises(TypeError, match="is symbolic: compute on it with layers.*Lambda"):
        a * 2


def test_subclassed_model():
    class TwoLayers(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(8, activation="relu")
            self.out = Dense(1)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

    model = TwoLayers()
    model.compile("adam", "mse")
    x = np.random.default_rng(0).random((64, 3))
    history = model.fit(x, x.sum(axis=1), epochs=5, verbose=0)
    assert len(model.weights) == 4
    assert history.history["loss"][-1] < history.history["loss"][0]
    with pytest.raises(NotImplementedError, match="subclassed model"):
        model.save("unused.dlbook")


def test_add_loss_from_a_custom_layer_is_minimised():
    class ActivityPenalty(Layer):
        def call(self, inputs):
            self.add_loss((inputs**2).mean() * 10.0)
            return inputs

    inputs = Input(shape=(3,))
    outputs = ActivityPenalty()(Dense(3)(inputs))
    model = Model(inputs, outputs)
    model.compile("sgd")  # no loss: only the layer's own loss is trained
    history = model.fit(np.random.default_rng(0).random((32, 3)), epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_kernel_regularizer_is_added_to_the_loss():
    inputs = Input(shape=(2,))
    dense = Dense(1, use_bias=False, kernel_regularizer=L.regularizers.l2(0.5))
    model = Model(inputs, dense(inputs))
    model.compile("sgd", "mse")
    dense.set_weights([np.array([[1.0], [2.0]])])
    x, y = np.zeros((4, 2)), np.zeros(4)
    loss = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(0.5 * (1.0 + 4.0))  # mse 0 + 0.5 * sum(w^2)


def test_metrics_names_are_known_after_compile_and_weights_may_be_column_vectors():
    model = _three_head_model()
    model.compile("rmsprop", ["mse", "sparse_categorical_crossentropy", "binary_crossentropy"],
                  metrics=[["mae"], ["accuracy"], []])
    assert model.metrics_names == ["loss", "age_loss", "income_loss", "gender_loss", "age_mae", "income_accuracy"]
    rng = np.random.default_rng(0)
    targets = [rng.random((8, 1)), rng.integers(0, 4, 8), rng.integers(0, 2, 8)]
    flat = model.evaluate(rng.random((8, 10)), targets, sample_weight=np.ones(8), verbose=0)
    column = model.evaluate(rng.random((8, 10)), targets, sample_weight=np.ones((8, 1)), verbose=0)
    assert len(flat) == len(column) == 6


def test_train_and_test_on_batch():
    model = _question_answering_model()
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    batch = ([rng.random((8, 6)), rng.random((8, 4))], rng.integers(0, 3, 8))
    loss, acc = model.train_on_batch(*batch)
    assert loss > 0 and 0 <= acc <= 1
    logs = model.test_on_batch(*batch, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    assert model.predict_on_batch(batch[0]).shape == (8, 3)


def test_compile_errors_list_valid_names():
    model = _question_answering_model()
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprp'; valid names: .*'adam'"):
        model.compile("rmsprp", "mse")
    with pytest.raises(ValueError, match="unknown loss 'msee'; valid names"):
        model.compile("rmsprop", "msee")
    with pytest.raises(ValueError, match="metrics"):
        model.compile("rmsprop", "mse", metrics=["acuracy"])
    with pytest.raises(RuntimeError, match="call compile"):
        _three_head_model().fit(np.zeros((2, 10)), [np.zeros((2, 1))] * 3)


def test_an_explicit_training_argument_in_the_graph_wins():
    inputs = Input(shape=(200,))
    always = L.Dropout(0.5)(inputs, training=True)  # Monte-Carlo dropout: also at inference
    model = Model(inputs, always)
    out = model.predict(np.ones((4, 200), np.float32))
    assert (out == 0).any() and (out == 2).any()
