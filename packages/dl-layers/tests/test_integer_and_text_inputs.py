"""Token ids and raw strings as model inputs: integer data stay integer from the first build
(an Embedding needs ids, not floats), and text reaches a preprocessing layer as strings."""

import numpy as np
import pytest

import dl_layers as L
from dl_tensor import Tensor


class TableLookup(L.Layer):
    """A tiny embedding: rows of a learned table picked by integer ids, (batch, t) -> (batch, t, 3)."""

    def build(self, input_shape):
        self.table = self.add_weight((20, 3), "random_uniform", name="table")

    def call(self, ids):
        if ids.dtype.kind not in "iu":
            raise TypeError(f"TableLookup got {ids.dtype}, expected integer ids")
        return self.table[ids.data]


class Lengths(L.Layer):
    """A preprocessing layer on text: (batch,) or (batch, 1) strings -> (batch, 2) int64."""

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, Tensor) and not L.symbolic.is_symbolic(inputs):
            texts = np.asarray(inputs).reshape(-1)
            assert texts.dtype.kind in "UO", texts.dtype
            return Tensor(np.array([[len(t), t.count(" ")] for t in texts], dtype=np.int64))
        return super().__call__(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 2)


def _ids_and_labels(n=64):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, (n, 5))
    return x, (x[:, 0] > 9).astype(np.float32)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_a_sequential_built_from_integer_data_keeps_them_integer(dtype):
    x, y = _ids_and_labels()
    model = L.Sequential([TableLookup(), L.layers.Flatten(), L.layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy")
    model.fit(x.astype(dtype), y, epochs=1, verbose=0)
    assert model.inputs[0].dtype == np.dtype(dtype).name
    assert model.predict(x[:3].astype(dtype), verbose=0).shape == (3, 1)


def test_float_data_still_build_a_float32_input():
    model = L.Sequential([L.layers.Dense(2)])
    model(np.ones((4, 3), dtype=np.float64))
    assert model.inputs[0].dtype == "float32"


def test_an_integer_input_of_a_functional_model_learns_and_round_trips(tmp_path):
    x, y = _ids_and_labels(256)
    inputs = L.Input(shape=(5,), dtype="int64")
    outputs = L.layers.Dense(1, activation="sigmoid")(L.layers.Flatten()(TableLookup()(inputs)))
    model = L.Model(inputs, outputs)
    model.compile(L.optimizers.RMSprop(0.01), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9  # the label is "the first id is above 9"
    model.save(tmp_path / "m.keras")
    again = L.load_model(tmp_path / "m.keras", custom_objects={"TableLookup": TableLookup})
    assert again.inputs[0].dtype == "int64"
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_strings_reach_a_preprocessing_first_layer_of_a_sequential():
    texts = np.array(["a b c", "dd", "e f", "gggg hh"] * 8)
    y = (np.char.count(texts, " ") > 0).astype(np.float32)
    model = L.Sequential([Lengths(), L.layers.Dense(1, activation="sigmoid")])
    model.compile(L.optimizers.RMSprop(0.05), "binary_crossentropy", metrics=["accuracy"])
    model.fit(texts, y, epochs=40, verbose=0)
    assert model.inputs[0].dtype == "string"
    assert model.evaluate(texts, y, verbose=0)[1] == 1.0  # the count of spaces separates the two classes


def test_a_string_input_takes_texts_of_shape_batch_or_batch_by_one():
    inputs = L.Input(shape=(1,), dtype="string")
    model = L.Model(inputs, L.layers.Dense(1)(Lengths()(inputs)))
    texts = np.array(["a b", "ccc", "d e f"])
    np.testing.assert_array_equal(model.predict(texts, verbose=0), model.predict(texts[:, None], verbose=0))
    assert repr(inputs) == "<KerasTensor shape=(None, 1) dtype=string, produced by 'input_layer'>"


def test_a_python_list_of_texts_is_one_input():
    model = L.Sequential([Lengths(), L.layers.Dense(1)])
    texts = ["a b", "ccc", "d e f"]
    np.testing.assert_array_equal(model.predict(texts, verbose=0), model.predict(np.array(texts), verbose=0))
    model.compile("rmsprop", "mse")
    model.fit(texts, [1.0, 0.0, 1.0], verbose=0)


def test_texts_of_very_different_lengths_are_not_padded_to_the_longest():
    from dl_layers.data_adapter import to_arrays

    texts = ["short", "x" * 100_000] + ["a b"] * 1000
    arr = to_arrays(texts)
    assert arr.dtype == object and arr.shape == (1002,)  # not a '<U100000' array of 400 MB
    assert arr[1] == "x" * 100_000


def test_text_given_to_a_numeric_layer_names_the_layer():
    model = L.Sequential([L.Input(shape=(2,)), L.layers.Dense(1)])
    with pytest.raises(TypeError, match=r"Layer 'dense' computes on numbers and got text"):
        model.predict(np.array([["a", "b"]]), verbose=0)


def test_ragged_lists_get_a_clear_error():
    model = L.Sequential([L.Input(shape=(2,)), L.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"ragged: nested lists of different lengths \(\[1, 2\]\).*pad_sequences"):
        model.predict([[1, 2], [3]], verbose=0)
