"""Model's training API as the book's own listings use it, and the errors a new user meets.

The listings are the book's (second edition, chapter 7; first edition, chapters 5-6),
with only the imports changed (and NumPy where the book calls TensorFlow ops).
"""

import numpy as np
import pytest

import dl_layers as keras
from dl_layers import Dense, Input, Model, Sequential, layers
from dl_layers.callbacks import Callback
from dl_tensor import GradientTape

RNG = np.random.default_rng(0)


def ticket_data(num_samples=64, vocabulary_size=50, num_tags=10, num_departments=4):
    title = RNG.integers(0, 2, size=(num_samples, vocabulary_size))
    text_body = RNG.integers(0, 2, size=(num_samples, vocabulary_size))
    tags = RNG.integers(0, 2, size=(num_samples, num_tags))
    priority = RNG.random(size=(num_samples, 1))
    department = np.eye(num_departments)[RNG.integers(0, num_departments, num_samples)]
    return {"title": title, "text_body": text_body, "tags": tags}, priority, department


class CustomerTicketModel(keras.Model):
    def __init__(self, num_departments):
        super().__init__()
        self.concat_layer = layers.Concatenate()
        self.mixing_layer = layers.Dense(64, activation="relu")
        self.priority_scorer = layers.Dense(1, activation="sigmoid")
        self.department_classifier = layers.Dense(num_departments, activation="softmax")

    def call(self, inputs):
        title = inputs["title"]
        text_body = inputs["text_body"]
        tags = inputs["tags"]
        features = self.concat_layer([title, text_body, tags])
        features = self.mixing_layer(features)
        priority = self.priority_scorer(features)
        department = self.department_classifier(features)
        return priority, department


def test_subclassed_model_called_on_a_dict_of_inputs():
    inputs, _, _ = ticket_data()
    model = CustomerTicketModel(num_departments=4)
    priority, department = model(inputs)
    assert priority.shape == (64, 1) and department.shape == (64, 4)
    assert [w.shape for w in model.weights] == [(110, 64), (64,), (64, 1), (1,), (64, 4), (4,)]


def test_subclassed_multi_output_model_compiles_with_a_list_of_losses_and_trains():
    inputs, priority, department = ticket_data()
    model = CustomerTicketModel(num_departments=4)
    model.compile(optimizer="rmsprop", loss=["mean_squared_error", "categorical_crossentropy"],
                  metrics=[["mean_absolute_error"], ["accuracy"]])
    history = model.fit(inputs, [priority, department], epochs=3, verbose=0)
    assert sorted(history.history) == ["loss", "output_1_loss", "output_1_mean_absolute_error", "output_2_accuracy",
                                       "output_2_loss"]
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(losses, np.add(history.history["output_1_loss"], history.history["output_2_loss"]),
                               rtol=1e-5)
    loss, *_ = model.evaluate(inputs, [priority, department], verbose=0)
    priority_preds, department_preds = model.predict(inputs)
    assert priority_preds.shape == (64, 1) and department_preds.shape == (64, 4)
    direct = np.mean((priority_preds - priority) ** 2) - np.mean(
        np.sum(department * np.log(np.clip(department_preds, 1e-7, 1)), axis=1))
    assert loss == pytest.approx(direct, rel=1e-4)
    assert model.output_names == ["output_1", "output_2"]


def test_subclassed_model_build_with_a_dict_of_shapes():
    model = CustomerTicketModel(num_departments=4)
    model.build({"title": (None, 50), "text_body": (None, 50), "tags": (None, 10)})
    assert model.count_params() == 110 * 64 + 64 + 65 + 64 * 4 + 4


def mnist_like(n=256):
    return RNG.random((n, 28 * 28)).astype("float32"), RNG.integers(0, 10, n)


def get_mnist_model(cls=keras.Model):
    inputs = keras.Input(shape=(28 * 28,))
    features = layers.Dense(64, activation="relu")(inputs)
    features = layers.Dropout(0.5)(features)
    outputs = layers.Dense(10, activation="softmax")(features)
    return cls(inputs, outputs)


def test_the_books_train_step_with_its_own_loss_tracker_runs_under_fit():
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    loss_tracker = keras.metrics.Mean(name="loss")
    step_losses = []

    class CustomModel(keras.Model):
        def train_step(self, data):
            inputs, targets = data
            with GradientTape() as tape:
                predictions = self(inputs, training=True)
                loss = loss_fn(targets, predictions)
            step_losses.append(loss.item())
            gradients = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
            loss_tracker.update_state(loss)
            return {"loss": loss_tracker.result()}

        @property
        def metrics(self):
            return [loss_tracker]

    x, y = mnist_like()
    model = get_mnist_model(CustomModel)
    model.compile(optimizer=keras.optimizers.RMSprop())
    batch_losses = []

    class Record(Callback):
        def on_train_batch_end(self, batch, logs=None):
            batch_losses.append(logs["loss"])

    history = model.fit(x, y, epochs=3, batch_size=64, verbose=0, callbacks=[Record()])
    assert len(history.history["loss"]) == 3 and len(batch_losses) == 12
    # the epoch's log is what the last train_step returned: the tracker's mean over that epoch
    assert history.history["loss"][0] == pytest.approx(np.mean(step_losses[:4]), rel=1e-6)
    assert batch_losses[4] == pytest.approx(step_losses[4], rel=1e-6)  # fit reset the tracker at epoch 2
    assert step_losses[-1] < step_losses[0]


def test_the_books_train_step_with_compiled_loss_and_compiled_metrics():
    class CustomModel(keras.Model):
        def train_step(self, data):
            inputs, targets = data
            with GradientTape() as tape:
                predictions = self(inputs, training=True)
                loss = self.compiled_loss(targets, predictions)
            gradients = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
            self.compiled_metrics.update_state(targets, predictions)
            return {m.name: m.result() for m in self.metrics}

    x, y = mnist_like()
    model = get_mnist_model(CustomModel)
    model.compile(optimizer=keras.optimizers.RMSprop(), loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25)
    assert sorted(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                       "val_sparse_categorical_accuracy"]
    loss, accuracy = model.evaluate(x, y, verbose=0)
    predictions = model.predict(x)
    assert accuracy == pytest.approx(np.mean(predictions.argmax(axis=1) == y))
    assert loss == pytest.approx(-np.mean(np.log(predictions[np.arange(len(y)), y])), rel=1e-4)


def test_a_test_step_override_drives_evaluate_and_validation():
    class Scored(keras.Model):
        def test_step(self, data):
            x, y = data
            return {"score": float(np.mean(self(x).data.argmax(axis=1) == y))}

    x, y = mnist_like(64)
    model = get_mnist_model(Scored)
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    assert sorted(model.fit(x, y, validation_data=(x, y), verbose=0).history) == ["loss", "val_score"]
    assert model.evaluate(x, y, batch_size=64, verbose=0) == pytest.approx(
        np.mean(model.predict(x).argmax(axis=1) == y))


def test_train_step_gets_the_sample_weights_as_a_third_item():
    seen = []

    class Spy(keras.Model):
        def train_step(self, data):
            seen.append(len(data))
            return super().train_step(data)

    x, y = mnist_like(32)
    model = get_mnist_model(Spy)
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    model.fit(x, y, verbose=0)
    model.fit(x, y, sample_weight=np.ones(32), verbose=0)
    assert seen == [2, 3]


def test_a_train_step_must_return_a_dict():
    class Broken(keras.Model):
        def train_step(self, data):
            return 1.0

    model = get_mnist_model(Broken)
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match="train_step must return a dict of logs"):
        model.fit(*mnist_like(8), verbose=0)


def test_the_first_editions_generator_methods():
    # 5.2 and 6.3: fit_generator(gen, steps_per_epoch, epochs, validation_data=gen, validation_steps)
    x, y = mnist_like(128)

    def generator(batch_size=16):
        while True:
            rows = RNG.integers(0, len(x), batch_size)
            yield x[rows], y[rows]

    model = Sequential([Dense(10, activation="softmax", input_shape=(784,))])
    model.compile(optimizer=keras.optimizers.RMSprop(lr=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["acc"])
    history = model.fit_generator(generator(), steps_per_epoch=5, epochs=2, validation_data=generator(),
                                  validation_steps=3, verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    loss, acc = model.evaluate_generator(generator(), steps=4)
    assert 0 <= acc <= 1 and loss > 0
    predictions = model.predict_generator((x[i:i + 32] for i in range(0, 128, 32)), steps=4)
    np.testing.assert_allclose(predictions, model.predict(x), rtol=1e-6)


# -- what a new user got wrong (defects 6 and 7 of issue 6) --------------------------------------


def test_calling_a_model_on_python_lists_reads_them_as_predict_does():
    model = Sequential([Dense(1, input_shape=(2,), kernel_initializer="ones")])
    expected = model.predict(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(model([[1.0, 2.0]]).numpy(), expected)  # a list of rows is one array
    np.testing.assert_array_equal(model([np.array([[1.0, 2.0]])]).numpy(), expected)  # a one-input list
    unbuilt = Sequential([Dense(1, kernel_initializer="ones")])
    assert unbuilt([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 1)
    with pytest.raises(ValueError, match=r"Layer 'dense\w*' expects inputs of rank >= 2"):
        model([1.0, 2.0])  # one sample without its batch axis: a clear error, not a wrong answer


def test_a_dict_given_to_a_sequential_model_is_a_clear_error():
    model = Sequential([Dense(1)], name="stack")
    with pytest.raises(ValueError, match=r"Sequential 'stack' takes one input array, got a dict with keys \['a'\]"):
        model({"a": np.ones((2, 3))})


def test_messages_name_the_right_method_and_argument():
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("rmsprop", "mse")
    with pytest.raises(ValueError, match="evaluate: no targets given for output 'dense'"):
        model.evaluate(np.ones((4, 2)), verbose=0)
    with pytest.raises(TypeError, match="fit: argument `epochs` must be an integer >= 0, got 1.5"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1.5, verbose=0)
    with pytest.raises(ValueError, match="fit: batch_size must be a positive integer, got True"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), batch_size=True, verbose=0)


def test_class_weight_for_a_class_that_does_not_exist_is_refused():
    model = Sequential([Dense(3, activation="softmax", input_shape=(2,))])
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"class_weight has the key 7, but the classes are the ids 0..2"):
        model.fit(np.ones((4, 2)), np.array([0, 1, 2, 1]), class_weight={0: 1.0, 7: 2.0}, verbose=0)
    binary = Sequential([Dense(1, activation="sigmoid", input_shape=(2,))])
    binary.compile("rmsprop", "binary_crossentropy")
    binary.fit(np.ones((4, 2)), np.array([0, 1, 1, 0]), class_weight={0: 1.0, 1: 3.0}, verbose=0)
    with pytest.raises(ValueError, match="class ids 0..1|the ids 0..1"):
        binary.fit(np.ones((4, 2)), np.array([0, 1, 1, 0]), class_weight={2: 1.0}, verbose=0)


def test_nan_in_a_generator_batch_is_caught_naming_the_batch():
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("rmsprop", "mse")

    def batches():
        yield np.ones((4, 2)), np.ones((4, 1))
        yield np.full((4, 2), np.nan), np.ones((4, 1))

    with pytest.raises(ValueError, match=r"fit: x of batch 1 contains NaN at index \(0, 0\)"):
        model.fit(batches(), verbose=0)


def test_functional_model_length_mismatch_names_both_inputs():
    a, b = Input((2,), name="a"), Input((3,), name="b")
    model = Model([a, b], Dense(1)(layers.Concatenate()([a, b])))
    model.compile("rmsprop", "mse")
    with pytest.raises(ValueError, match=r"fit: x\[0\] has 4 samples but x\[1\] has 5"):
        model.fit([np.ones((4, 2)), np.ones((5, 3))], np.ones((4, 1)), verbose=0)


def test_training_steps_leave_the_models_structure_as_it_was():
    # a list of layers kept for one step once got tracked as sub-layers, growing every step
    model = Sequential([Dense(4, input_shape=(3,)), Dense(1)])
    model.compile("rmsprop", "mse")
    tracked, layers = len(model._tracked), model._flatten_layers()
    for _ in range(3):
        model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, verbose=0)
        model.evaluate(np.ones((8, 3)), np.ones((8, 1)), verbose=0)
    assert len(model._tracked) == tracked
    assert model._flatten_layers() == layers


def test_get_compile_config_gives_what_compile_got():
    from dl_layers import Dense, Sequential

    model = Sequential([Dense(2, input_shape=(3,))])
    assert model.get_compile_config() is None
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], loss_weights=None)
    config = model.get_compile_config()
    assert config == {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "loss_weights": None}
    config["loss"] = "mse"  # a copy: the model's own is untouched
    assert model.get_compile_config()["loss"] == "sparse_categorical_crossentropy"


def test_fit_flushes_denormals_while_training_and_restores_the_setting():
    """As TensorFlow under Keras: denormal numbers read as zero during ``fit`` (also in a
    callback, which runs on the training thread), and the previous setting comes back after."""
    from dl_tensor import flush_denormal_enabled, set_flush_denormal

    if not set_flush_denormal(False):
        pytest.skip("flushing denormals is not supported here")
    tiny = np.array([1e-39], np.float32)
    seen = []

    class Probe(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((flush_denormal_enabled(), float((tiny * 1)[0])))

    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[Probe()])
    assert seen == [(True, 0.0), (True, 0.0)]
    assert not flush_denormal_enabled() and float((tiny * 1)[0]) != 0.0  # computed with again
    set_flush_denormal(True)
    try:
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        assert flush_denormal_enabled()  # left on: it was on before fit
    finally:
        set_flush_denormal(False)
