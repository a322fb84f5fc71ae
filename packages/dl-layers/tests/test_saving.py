"""Saving and loading weights and whole models: round trips, atomic writes, clear errors."""

import json
import zipfile

import numpy as np
import pytest

import dl_layers as L
from dl_layers import BatchNormalization, Dense, Dropout, Input, Lambda, Layer, Model, Sequential, layers


def _mlp():
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dropout(0.1), Dense(3, activation="softmax")])
    model.compile(optimizer=L.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.random((n, 4)).astype(np.float32), rng.integers(0, 3, n)


def test_weights_round_trip(tmp_path):
    model = _mlp()
    x, y = _data()
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "weights.npz"
    model.save_weights(path)
    fresh = _mlp()
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))
    with np.load(path, allow_pickle=False) as data:  # a plain .npz: readable without dl-book
        assert list(data["paths"]) == [w.path for w in model.weights]


def test_load_weights_checks_everything_before_changing_the_model(tmp_path):
    model = _mlp()
    model.save_weights(tmp_path / "w.npz")
    other = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(5)])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"layer 'dense_3' expects 'dense_3/kernel' of shape \(8, 5\), but .* has "
                                         r"'dense_1/kernel' of shape \(8, 3\)"):
        other.load_weights(tmp_path / "w.npz")
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)  # all or nothing: the first layer was not overwritten either
    with pytest.raises(ValueError, match="holds 4 weights but model .* has 2"):
        Sequential([Dense(3, input_shape=(4,))]).load_weights(tmp_path / "w.npz")


@pytest.mark.parametrize("content", [b"", b"not a weights file at all", b"PK\x03\x04truncated"])
def test_load_weights_refuses_foreign_or_broken_files(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a readable dl-book weights file"):
        _mlp().load_weights(path)


def test_load_weights_refuses_truncated_and_pickled_files(tmp_path):
    model = _mlp()
    model.save_weights(tmp_path / "w.npz")
    data = (tmp_path / "w.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable dl-book weights file"):
        _mlp().load_weights(tmp_path / "cut.npz")
    np.save(tmp_path / "pickled.npy", np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="not a readable dl-book weights file"):
        _mlp().load_weights(tmp_path / "pickled.npy")
    np.savez(tmp_path / "plain.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="no weight paths"):
        _mlp().load_weights(tmp_path / "plain.npz")


def test_save_weights_is_atomic(tmp_path, monkeypatch):
    model = _mlp()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    good = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]  # no temporary file left behind


def test_whole_sequential_model_round_trip_with_compile(tmp_path):
    model = _mlp()
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "model.dlbook")
    loaded = L.load_model(tmp_path / "model.dlbook")
    assert type(loaded) is Sequential and [layer.name for layer in loaded.layers] == ["dense", "dropout", "dense_1"]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert isinstance(loaded.optimizer, L.optimizers.Adam) and loaded.optimizer.learning_rate == pytest.approx(0.01)
    history = loaded.fit(x, y, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    with zipfile.ZipFile(tmp_path / "model.dlbook") as archive:
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert config["config"]["layers"][0]["config"]["units"] == 8


def test_functional_model_with_shared_and_nested_parts_round_trip(tmp_path):
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(2, activation="tanh")(inner_in), name="inner")
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    shared = Dense(3, name="shared")
    merged = layers.concatenate([inner(shared(a)), inner(shared(b))])
    normed = BatchNormalization()(merged)
    out1 = Dense(1, name="out1")(normed)
    out2 = Dense(2, activation="softmax", name="out2")(normed)
    model = Model({"a": a, "b": b}, [out1, out2])
    model.compile("rmsprop", ["mse", "sparse_categorical_crossentropy"])
    rng = np.random.default_rng(0)
    xs = {"a": rng.random((16, 3)), "b": rng.random((16, 3))}
    model.fit(xs, [rng.random((16, 1)), rng.integers(0, 2, 16)], epochs=2, verbose=0)
    model.save(tmp_path / "m.zip")
    loaded = L.load_model(tmp_path / "m.zip")
    for p, q in zip(model.predict(xs), loaded.predict(xs)):
        np.testing.assert_allclose(p, q, rtol=1e-6)
    assert loaded.get_layer("shared") is not None and len(loaded.weights) == len(model.weights)
    assert loaded.output_names == ["out1", "out2"]


class TimesGain(Layer):
    """A custom layer: it registers itself, so models using it can be loaded."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, inputs):
        return inputs * self.gain * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_layers_register_themselves(tmp_path):
    model = Sequential([TimesGain(3.0, input_shape=(2,)), Dense(1)])
    model.save(tmp_path / "custom.zip")
    loaded = L.load_model(tmp_path / "custom.zip")
    assert isinstance(loaded.layers[0], TimesGain) and loaded.layers[0].factor == 3.0
    x = np.ones((2, 2))
    np.testing.assert_allclose(loaded.predict(x), model.predict(x))


def test_unknown_class_and_custom_objects(tmp_path):
    model = Sequential([TimesGain(input_shape=(2,))])
    model.save(tmp_path / "m.zip")
    with zipfile.ZipFile(tmp_path / "m.zip") as src, zipfile.ZipFile(tmp_path / "renamed.zip", "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            dst.writestr(item, data.replace(b'"TimesGain"', b'"Renamed"') if item == "config.json" else data)
    with pytest.raises(ValueError, match="unknown layer 'Renamed'.*custom_objects"):
        L.load_model(tmp_path / "renamed.zip")
    loaded = L.load_model(tmp_path / "renamed.zip", custom_objects={"Renamed": TimesGain})
    assert isinstance(loaded.layers[0], TimesGain)


def test_lambda_layers_are_never_saved():
    model = Sequential([Lambda(lambda x: x * 2, input_shape=(2,))])
    with pytest.raises(NotImplementedError, match="never saves code"):
        model.save("never_written.zip")


def test_load_model_refuses_broken_files(tmp_path):
    (tmp_path / "text.zip").write_text("hello")
    with pytest.raises(ValueError, match="not a dl-book model file"):
        L.load_model(tmp_path / "text.zip")
    model = _mlp()
    model.save(tmp_path / "m.zip")
    data = (tmp_path / "m.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a (complete )?dl-book model file"):
        L.load_model(tmp_path / "cut.zip")
    with zipfile.ZipFile(tmp_path / "foreign.zip", "w") as archive:
        archive.writestr("metadata.json", json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a complete dl-book model file"):
        L.load_model(tmp_path / "foreign.zip")
    with pytest.raises(ValueError, match="not a readable dl-book weights file|no weight paths"):
        model.load_weights(tmp_path / "m.zip")


def test_uncompiled_and_custom_loss_models_save_without_compile(tmp_path):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("sgd", loss=lambda y_true, y_pred: (y_pred - y_true) ** 2)
    model.save(tmp_path / "m.zip")
    loaded = L.load_model(tmp_path / "m.zip")
    assert not loaded.compiled


# -- defects 1 and 4 of issue 6, and compile settings given as objects -----------------------------


@pytest.mark.parametrize("bad", [np.array(["a", "b", "c"]), np.zeros(3, complex) + 1j, np.array([None] * 3)],
                         ids=["strings", "complex", "objects"])
def test_load_weights_checks_every_value_before_assigning_any(tmp_path, bad):
    model = _mlp()
    model.save_weights(tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as data:
        arrays = dict(data)
    arrays["weight_0003"] = bad.astype(bad.dtype)  # the last bias, shape (3,): right shape, wrong values
    np.savez(tmp_path / "bad.npz", **arrays)  # (objects are stored pickled: refused as unreadable)
    fresh = _mlp()
    before = fresh.get_weights()
    with pytest.raises(ValueError, match=r"dense_\d/bias|not a readable"):
        fresh.load_weights(tmp_path / "bad.npz")
    for a, b in zip(before, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)  # the kernels before it were not overwritten


def test_load_weights_of_a_plain_npy_file_is_the_documented_error(tmp_path):
    np.save(tmp_path / "plain.npy", np.ones(3))
    with pytest.raises(ValueError, match=r"'.*plain.npy' is not a readable dl-book weights file.*not an \.npz"):
        _mlp().load_weights(tmp_path / "plain.npy")


def test_compile_settings_given_as_objects_survive_save_and_load(tmp_path):
    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=0.01),
                  loss=L.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[L.metrics.BinaryAccuracy(threshold=0.0), "mae"])
    x, _ = _data()
    y = (x.sum(axis=1) > 2).astype(np.float32)
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "logits.keras")
    loaded = L.load_model(tmp_path / "logits.keras")
    assert type(loaded.compiled_loss.losses[0]).__name__ == "BinaryCrossentropy"
    assert loaded.compiled_loss.losses[0].from_logits is True
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-6)


def test_per_output_compile_dicts_survive_save_and_load(tmp_path):
    a = Input((4,), name="a")
    hidden = Dense(4, activation="relu")(a)
    model = Model(a, {"score": Dense(1, name="score")(hidden), "kind": Dense(3, activation="softmax")(hidden)})
    model.compile("adam", loss={"score": "mse", "kind": L.losses.SparseCategoricalCrossentropy()},
                  metrics={"kind": ["accuracy"]}, loss_weights={"score": 0.5, "kind": 1.0})
    x, y = _data()
    targets = {"score": x.sum(axis=1), "kind": y}
    model.fit(x, targets, verbose=0)
    model.save(tmp_path / "two_heads.keras")
    loaded = L.load_model(tmp_path / "two_heads.keras")
    assert loaded.evaluate(x, targets, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(x, targets, verbose=0, return_dict=True), rel=1e-6)
