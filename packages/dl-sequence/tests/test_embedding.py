"""Embedding: the fused op against NumPy, finite differences and its one-hot twin (repeated ids
included); the layer's Keras behaviour (defaults, masks, errors, the book's models, saving,
freezing)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_layers as L
from dl_layers.layers.masking import get_mask
from dl_sequence import Embedding, EmbeddingOp, embedding_composed
from dl_tensor import Tensor, gradcheck


@st.composite
def lookup_cases(draw):
    """ids of rank 1 to 3 drawn from a small table, so that ids repeat often."""
    input_dim, output_dim = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    ids = rng.integers(0, input_dim, size=shape)
    table = rng.standard_normal((input_dim, output_dim))
    return ids, table


@given(lookup_cases())
def test_fused_op_forward_is_a_row_lookup(case):
    ids, table = case
    out = EmbeddingOp()(ids, Tensor(table, dtype="float64"))
    expected = np.array([table[i] for i in ids.ravel()]).reshape(*ids.shape, table.shape[1])  # row by row
    np.testing.assert_array_equal(out.numpy(), expected)


@given(lookup_cases())
def test_fused_op_gradient_matches_finite_differences(case):
    ids, table = case
    assert gradcheck(lambda t: EmbeddingOp()(ids, t), [table])


@given(lookup_cases())
def test_fused_op_equals_its_one_hot_twin_values_and_gradients(case):
    ids, table = case
    direction = np.random.default_rng(1).standard_normal((*ids.shape, table.shape[1]))
    results = []
    for fused in (True, False):
        t = Tensor(table, requires_grad=True, dtype="float64")
        out = EmbeddingOp()(ids, t) if fused else embedding_composed(ids, t)
        (out * direction).sum().backward()
        results.append((out.numpy(), t.grad))
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-12)


def test_repeated_ids_accumulate_their_gradients():
    ids = np.array([[3, 3, 3], [0, 3, 1]])
    grad = np.arange(1.0, 1.0 + ids.size * 2).reshape(2, 3, 2)
    t = Tensor(np.zeros((5, 2)), requires_grad=True, dtype="float64")
    (EmbeddingOp()(ids, t) * grad).sum().backward()
    expected = np.zeros((5, 2))
    for i, g in zip(ids.ravel(), grad.reshape(-1, 2)):  # one row at a time: every repeat counts
        expected[i] += g
    np.testing.assert_array_equal(t.grad, expected)
    assert t.grad[3].tolist() == [1 + 3 + 5 + 9, 2 + 4 + 6 + 10]


def test_fused_op_keeps_float32_and_gives_ids_no_gradient():
    table = Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    ids = Tensor(np.array([[1, 2]]))
    out = EmbeddingOp()(ids, table)
    out.sum().backward()
    assert out.dtype == np.float32 and table.grad.dtype == np.float32
    assert ids.grad is None


# -- the layer ----------------------------------------------------------------------------


def test_layer_output_shape_dtype_and_weights():
    layer = Embedding(10, 4)
    ids = np.array([[1, 2, 3], [4, 5, 9]])
    out = layer(ids)
    assert out.shape == (2, 3, 4) and out.dtype == np.float32
    table = layer.get_weights()[0]
    assert table.shape == (10, 4) and layer.weights[0].path == "embedding/embeddings"
    np.testing.assert_array_equal(out.numpy(), table[ids])
    assert layer(np.array([7, 8])).shape == (2, 4)  # (batch,) ids -> (batch, output_dim)
    assert layer(np.zeros((2, 2, 3), np.int32)).shape == (2, 2, 3, 4)


def test_default_initializer_is_keras_uniform_within_0_05():
    layer = Embedding(1000, 16)
    layer.build((None, None))
    table = layer.get_weights()[0]
    assert np.abs(table).max() <= 0.05 and np.abs(table).max() > 0.045
    assert layer.get_config()["embeddings_initializer"] == {
        "class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}}


def test_float_ids_holding_whole_numbers_are_accepted():
    layer = Embedding(10, 3)
    np.testing.assert_array_equal(layer(np.array([[1.0, 9.0]], np.float32)).numpy(),
                                  layer(np.array([[1, 9]])).numpy())


def test_mask_zero_attaches_the_padding_mask():
    layer = Embedding(5, 2, mask_zero=True)
    out = layer(np.array([[3, 1, 0, 0], [2, 0, 0, 0]]))
    np.testing.assert_array_equal(get_mask(out), [[True, True, False, False], [True, False, False, False]])
    assert get_mask(Embedding(5, 2)(np.array([[1, 0]]))) is None


def test_regularizer_adds_its_penalty():
    layer = Embedding(4, 2, embeddings_regularizer=L.regularizers.l2(0.5))
    layer(np.array([[1]]))
    table = layer.get_weights()[0]
    np.testing.assert_allclose(float(layer.losses[0].numpy()), 0.5 * (table.astype(np.float64) ** 2).sum(), rtol=1e-6)


@pytest.mark.parametrize("ids, bad", [(np.array([[1, 10003]]), "10003"), (np.array([[-1, 2]]), "-1")])
def test_out_of_range_ids_name_the_layer_the_id_and_the_limit(ids, bad):
    with pytest.raises(ValueError, match=rf"Layer 'embedding': token id {bad} is out of range; input_dim is 10000, "
                                         r"so ids must be in \[0, 9999\]"):
        Embedding(10000, 8)(ids)


def test_bad_inputs_give_clear_errors():
    layer = Embedding(10, 2)
    with pytest.raises(ValueError, match=r"'embedding' expects integer token ids, got the non-integral value 1.5"):
        layer(np.array([[1.5, 2.0]]))
    with pytest.raises(ValueError, match="non-integral value nan"):
        layer(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="different lengths .* pad_sequences"):
        layer([[1, 2, 3], [4]])
    with pytest.raises(TypeError, match="expects integer token ids, got an array of dtype bool"):
        layer(np.array([[True]]))
    with pytest.raises(ValueError, match="embeddings_constraint must be None"):
        Embedding(10, 2, embeddings_constraint="non_neg")
    with pytest.raises(TypeError, match="`input_dim` must be an integer"):
        Embedding(10.5, 2)
    with pytest.raises(ValueError, match="`output_dim` must be an integer >= 1"):
        Embedding(10, 0)
    with pytest.raises(ValueError, match=r"weights must be a list of one array of shape \(10, 2\)"):
        Embedding(10, 2, weights=[np.zeros((3, 2))])


def test_empty_batch():
    assert Embedding(10, 2)(np.zeros((0, 5), np.int64)).shape == (0, 5, 2)


def test_config_round_trip():
    layer = Embedding(20, 3, mask_zero=True, input_length=7, embeddings_regularizer="l2", name="words")
    config = layer.get_config()
    assert config["input_length"] == 7 and config["mask_zero"] is True
    clone = Embedding.from_config(config)
    assert clone.get_config() == config


# -- the book's models ----------------------------------------------------------------------


def test_book_listing_6_6_flatten_dense_model_counts_and_trains_on_integer_arrays():
    model = L.Sequential([Embedding(10000, 8, input_length=20), L.Flatten(), L.Dense(1, activation="sigmoid")])
    assert model.count_params() == 80_161  # 10,000 * 8 + (20 * 8 + 1)
    assert model.layers[0].output_shape == (None, 20, 8)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 10000, size=(200, 20))
    x[:, 0] = rng.integers(1, 11, size=200)  # the label is told by the first word
    y = (x[:, 0] <= 5).astype(np.float32)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["acc"][-1] > 0.95
    assert history.history["loss"][-1] < 0.75 * history.history["loss"][0]


def test_functional_model_from_an_int64_input():
    inputs = L.Input(shape=(500,), dtype="int64")
    embedded = Embedding(10000, 32)(inputs)
    assert embedded.shape == (None, 500, 32) and embedded.dtype == "float32"
    outputs = L.Dense(1, activation="sigmoid")(L.Flatten()(embedded))
    model = L.Model(inputs, outputs)
    assert model.predict(np.ones((3, 500), np.int64), verbose=0).shape == (3, 1)


def test_without_input_length_the_sequence_axis_is_unknown():
    model = L.Sequential([Embedding(10000, 32)])
    assert model.layers[0].output_shape == (None, None, 32)
    assert model.count_params() == 320_000  # the book's summary of listing 6.22
    lines = []
    model.summary(print_fn=lines.append)
    assert any("(None, None, 32)" in line for line in lines)


def test_save_and_load_model_round_trip(tmp_path):
    model = L.Sequential([Embedding(50, 4, mask_zero=True, input_length=6), L.Flatten(), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).integers(0, 50, size=(5, 6))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = L.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].get_config() == model.layers[0].get_config()


def _frozen_model_check(model, matrix):
    x = np.random.default_rng(0).integers(0, 100, size=(64, 10))
    y = (x[:, 0] > 50).astype(np.float32)
    dense_before = model.layers[-1].get_weights()[0].copy()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], matrix)  # the pretrained vectors stay
    assert not np.array_equal(model.layers[-1].get_weights()[0], dense_before)  # the rest trains
    assert model.layers[0].trainable_weights == [] and len(model.layers[0].non_trainable_weights) == 1


def test_freezing_pretrained_vectors_first_edition_style():
    matrix = np.random.default_rng(2).standard_normal((100, 8)).astype(np.float32)
    model = L.Sequential([Embedding(100, 8, input_length=10), L.Flatten(), L.Dense(1, activation="sigmoid")])
    model.layers[0].set_weights([matrix])  # listing 6.11
    model.layers[0].trainable = False
    _frozen_model_check(model, matrix)


def test_freezing_pretrained_vectors_given_to_the_constructor():
    matrix = np.random.default_rng(2).standard_normal((100, 8)).astype(np.float32)
    model = L.Sequential([Embedding(100, 8, input_length=10, weights=[matrix], trainable=False), L.Flatten(),
                          L.Dense(1, activation="sigmoid")])
    _frozen_model_check(model, matrix)


@pytest.mark.parametrize("output_dim", [33, 48, 64, 70])
def test_wide_tables_sum_repeated_ids(output_dim):
    """Wide tables with many repeated ids: the one bincount over (id, feature) cells gives the plain sums."""
    rng = np.random.default_rng(output_dim)
    ids = rng.integers(0, 12, (5, 40))  # many repeats
    table = Tensor(rng.standard_normal((12, output_dim)), requires_grad=True, dtype="float64")
    upstream = rng.standard_normal((5, 40, output_dim))
    (EmbeddingOp()(ids, table) * upstream).sum().backward()
    expected = np.zeros((12, output_dim))
    np.add.at(expected, ids.ravel(), upstream.reshape(-1, output_dim))  # the plain, slow reference
    np.testing.assert_allclose(table.grad, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layout", [(0, 1, 2), (1, 2, 0), (2, 0, 1), (1, 0, 2), "strided"])
def test_the_table_gradient_is_the_same_whatever_the_memory_layout_of_the_output_gradient(layout):
    """A recurrent layer hands back a transposed (time, features, batch) array: the backward
    reads it in its own memory order, and must add each value into the right (id, feature)."""
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 7, (5, 6))  # (batch, time), repeats guaranteed
    grad = rng.standard_normal((5, 6, 4)).astype(np.float32)  # (batch, time, features)
    if layout == "strided":
        view = np.repeat(grad, 2, axis=2)[:, :, ::2]  # the same values, a non-contiguous view
    else:
        stored = np.ascontiguousarray(grad.transpose(layout))  # held in another axis order...
        view = stored.transpose(np.argsort(layout))  # ...and seen as (batch, time, features)
    np.testing.assert_array_equal(view, grad)
    expected = np.zeros((7, 4))
    np.add.at(expected, ids, grad.astype(np.float64))  # the plain-NumPy reference
    op = EmbeddingOp()
    op(ids, Tensor(np.zeros((7, 4), np.float32), requires_grad=True))  # the forward pass saves the ids
    _, dtable = op.backward(view)  # the output gradient handed over in that layout
    np.testing.assert_allclose(dtable, expected, rtol=1e-6, atol=1e-6)
