"""TextVectorization: the 2nd edition's usage, Keras's vocabulary rules and formulas (written out
in the test with re, Counter and np.lexsort as Keras writes them), as a first model layer, saving."""

import json
import re
import string
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_layers
from dl_layers import Dense, Input, Layer, Model, Sequential
from dl_sequence import TextVectorization
from dl_tensor import Tensor

KERAS_STRIP = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'  # Keras's regex for "strip_punctuation"
BOOK_DATASET = ["I write, erase, rewrite", "Erase again, and then", "A poppy blooms."]
word_texts = st.lists(st.lists(st.sampled_from(["the", "cat", "Sat", "on", "mat.", "dog!", "a", "é"]),
                               max_size=7).map(" ".join), min_size=1, max_size=6)


def keras_tokens(text, ngrams=None):
    tokens = re.sub(KERAS_STRIP, "", text.lower()).split()
    if ngrams is None:
        return tokens
    return [" ".join(tokens[i:i + n]) for n in ngrams for i in range(len(tokens) - n + 1)]


def keras_vocabulary(texts, max_tokens=None, reserved=("", "[UNK]"), ngrams=None):
    counts = Counter(t for text in texts for t in keras_tokens(text, ngrams))
    tokens, numbers = np.array(list(counts), dtype=str), np.array(list(counts.values()))
    order = np.lexsort((tokens, numbers))[::-1]  # as IndexLookup.finalize_state: count, then token, both reversed
    learned = tokens[order].tolist()
    if max_tokens is not None:
        learned = learned[:max_tokens - len(reserved)]
    return list(reserved) + learned


# -- the book's usage -----------------------------------------------------------------------------
def test_second_edition_example():
    text_vectorization = TextVectorization(output_mode="int")
    text_vectorization.adapt(BOOK_DATASET)
    vocabulary = text_vectorization.get_vocabulary()
    assert vocabulary == ["", "[UNK]", "erase", "write", "then", "rewrite", "poppy", "i", "blooms", "and", "again",
                          "a"]
    encoded_sentence = text_vectorization("I write, rewrite, and still rewrite again")
    assert isinstance(encoded_sentence, Tensor) and encoded_sentence.dtype == np.int64
    np.testing.assert_array_equal(encoded_sentence.numpy(), [7, 3, 5, 9, 1, 5, 10])
    inverse_vocab = dict(enumerate(vocabulary))
    decoded = " ".join(inverse_vocab[int(i)] for i in encoded_sentence.numpy())
    assert decoded == "i write rewrite and [UNK] rewrite again"
    assert text_vectorization.vocabulary_size() == 12
    assert text_vectorization.get_vocabulary(include_special_tokens=False) == vocabulary[2:]


def custom_standardization_fn(text):
    return re.sub(f"[{re.escape(string.punctuation)}]", "", text.lower())


def custom_split_fn(text):
    return text.split()


def test_second_edition_custom_standardize_and_split():
    default = TextVectorization()
    custom = TextVectorization(output_mode="int", standardize=custom_standardization_fn, split=custom_split_fn)
    default.adapt(BOOK_DATASET)
    custom.adapt(BOOK_DATASET)
    assert custom.get_vocabulary() == default.get_vocabulary()
    np.testing.assert_array_equal(custom(BOOK_DATASET).numpy(), default(BOOK_DATASET).numpy())


def test_keras_docstring_example_and_ids_padding():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    np.testing.assert_array_equal(layer([["foo qux bar"], ["qux baz"]]).numpy(), [[4, 1, 3, 0], [1, 2, 0, 0]])
    np.testing.assert_array_equal(layer(["foo bar baz bada boom foo"]).numpy(), [[4, 3, 2, 6]])  # cut at the end
    longest = TextVectorization(vocabulary=["earth", "wind", "and", "fire"])
    assert longest.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(longest(["earth and fire", "wind", ""]).numpy(),
                                  [[2, 4, 5], [3, 0, 0], [0, 0, 0]])  # padded at the end to the longest; "" is all 0


@given(word_texts, st.one_of(st.none(), st.integers(3, 8)), st.sampled_from([None, 2, (1, 3)]))
def test_vocabulary_order_is_keras(texts, max_tokens, ngrams):
    layer = TextVectorization(max_tokens=max_tokens, ngrams=ngrams)
    layer.adapt(texts)
    widths = None if ngrams is None else ((1, 2) if ngrams == 2 else ngrams)
    vocabulary = layer.get_vocabulary()
    assert vocabulary == keras_vocabulary(texts, max_tokens, ngrams=widths)
    assert len(set(vocabulary)) == len(vocabulary)
    unlimited = TextVectorization(ngrams=ngrams)
    unlimited.adapt(texts)
    assert unlimited.get_vocabulary()[:len(vocabulary)] == vocabulary  # max_tokens keeps a prefix
    counts = Counter(t for text in texts for t in keras_tokens(text, widths))
    ranks = [counts[t] for t in vocabulary[2:]]
    assert ranks == sorted(ranks, reverse=True)
    ids = layer(texts).numpy()
    index = {t: i for i, t in enumerate(vocabulary)}
    for row, text in zip(ids, texts):  # each token's id, [UNK] = 1 for the cut ones, then 0s
        tokens = keras_tokens(text, widths)
        assert row[:len(tokens)].tolist() == [index.get(t, 1) for t in tokens]
        assert not row[len(tokens):].any()


@given(word_texts, word_texts, st.sampled_from(["multi_hot", "count", "tf_idf"]), st.booleans())
def test_bag_of_words_modes_follow_keras_formulas(train, test, mode, pad):
    layer = TextVectorization(max_tokens=6, output_mode=mode, pad_to_max_tokens=pad)
    layer.adapt(train)
    vocabulary = layer.get_vocabulary()
    assert vocabulary == keras_vocabulary(train, 6, reserved=("[UNK]",))
    index = {t: i for i, t in enumerate(vocabulary)}
    counts = np.zeros((len(test), 6 if pad else len(vocabulary)), np.float32)
    for i, text in enumerate(test):
        for t in keras_tokens(text):
            counts[i, index.get(t, 0)] += 1
    got = layer(test).numpy()
    assert got.dtype == np.float32
    if mode == "multi_hot":
        np.testing.assert_array_equal(got, counts > 0)
    elif mode == "count":
        np.testing.assert_array_equal(got, counts)
    else:
        documents = [set(keras_tokens(text)) for text in train]
        learned = [np.log(1 + len(train) / (1 + sum(t in d for d in documents))) for t in vocabulary[1:]]
        idf = np.array([np.mean(learned) if learned else 0.0, *learned])  # [UNK]: the mean of the others
        want = counts.copy()
        want[:, :len(idf)] *= idf
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_second_edition_bigrams_and_tf_idf():
    layer = TextVectorization(ngrams=2, max_tokens=20000, output_mode="multi_hot")
    layer.adapt(["the cat sat on the mat", "the dog sat"])
    vocabulary = layer.get_vocabulary()
    assert vocabulary[:3] == ["[UNK]", "the", "sat"] and "the cat" in vocabulary and "cat sat" in vocabulary
    row = layer("the cat sat").numpy()
    assert row.shape == (len(vocabulary),)
    assert {vocabulary[i] for i in np.flatnonzero(row)} == {"the", "cat", "sat", "the cat", "cat sat"}
    tf_idf = TextVectorization(ngrams=2, output_mode="tf_idf")
    tf_idf.adapt(["the cat sat on the mat", "the dog sat"])
    values = tf_idf(["the the the"]).numpy()[0]
    the = tf_idf.get_vocabulary().index("the")
    np.testing.assert_allclose(values[the], 3 * np.log(1 + 2 / (1 + 2)), rtol=1e-6)  # count * idf


def test_character_split_and_no_split():
    chars = TextVectorization(split="character", standardize="lower")
    chars.adapt(["abba", "Cab"])
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "a", "c"]
    np.testing.assert_array_equal(chars(["a c!"]).numpy(), [[3, 1, 4, 1]])  # the space and "!" are unknown
    whole = TextVectorization(split=None, standardize=None, output_mode="count")
    whole.adapt(["New York", "Paris", "New York"])
    assert whole.get_vocabulary() == ["[UNK]", "New York", "Paris"]
    np.testing.assert_array_equal(whole(["Paris", "Rome"]).numpy(), [[0, 0, 1], [1, 0, 0]])


def test_input_forms():
    layer = TextVectorization(output_sequence_length=3)
    layer.adapt(np.array(["a b", "b c"]))
    want = layer(["a b", "c"]).numpy()
    for same in (np.array(["a b", "c"]), np.array([["a b"], ["c"]]), [b"a b", b"c"], np.array([b"a b", b"c"]),
                 np.array(["a b", "c"], dtype=object), ("a b", "c")):
        np.testing.assert_array_equal(layer(same).numpy(), want)
    assert layer("a b").shape == (3,)  # one text: no batch axis
    assert layer([]).shape == (0, 3)


def test_adapt_from_batches_equals_adapt_from_a_list():
    texts = ["the cat sat", "on the mat", "the dog", "sat sat"]
    whole = TextVectorization(output_mode="tf_idf")
    whole.adapt(texts)

    def batches():  # what a dataset of texts yields
        for i in range(0, len(texts), 3):
            yield np.array(texts[i:i + 3])

    for data in (batches(), [np.array(texts[:3]), np.array(texts[3:])], [texts[:1], texts[1:]]):
        layer = TextVectorization(output_mode="tf_idf")
        layer.adapt(data)
        assert layer.get_vocabulary() == whole.get_vocabulary()
        np.testing.assert_array_equal(layer(texts).numpy(), whole(texts).numpy())
    first = TextVectorization()
    first.adapt(batches(), steps=1)
    assert first.get_vocabulary() == keras_vocabulary(texts[:3])
    some = TextVectorization()
    some.adapt(texts, batch_size=2, steps=1)
    assert some.get_vocabulary() == keras_vocabulary(texts[:2])
    again = TextVectorization(vocabulary=["zebra"])
    again.adapt(texts)  # adapt replaces any earlier vocabulary
    assert again.get_vocabulary() == keras_vocabulary(texts)


def test_set_vocabulary_and_vocabulary_files(tmp_path):
    layer = TextVectorization()
    layer.set_vocabulary(["", "[UNK]", "cat", "dog"])  # reserved tokens first are recognised
    assert layer.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    path = tmp_path / "vocab.txt"
    path.write_text("cat\ndog\nlazy fox\n", encoding="utf-8")
    from_file = TextVectorization(vocabulary=str(path), split=None, standardize=None)
    assert from_file.get_vocabulary() == ["", "[UNK]", "cat", "dog", "lazy fox"]
    np.testing.assert_array_equal(from_file(["lazy fox", "cow"]).numpy(), [[4], [1]])
    tf_idf = TextVectorization(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0, 3.0])
    np.testing.assert_allclose(tf_idf(["a b b z"]).numpy(), [[2.0, 1.0, 6.0]])  # [UNK] weight: the mean, 2
    with_unk = TextVectorization(output_mode="tf_idf", vocabulary=["[UNK]", "a"], idf_weights=[0.5, 1.0])
    np.testing.assert_allclose(with_unk(["a z z"]).numpy(), [[1.0, 1.0]])


# -- as the first layer of a model ----------------------------------------------------------------
class MeanOfRows(Layer):
    """Average of learned rows picked by the token ids (a tiny bag-of-embeddings)."""

    def __init__(self, input_dim, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = input_dim, output_dim

    def build(self, input_shape):
        self.table = self.add_weight((self.input_dim, self.output_dim), "glorot_uniform", name="table")

    def call(self, inputs):
        return self.table[inputs.data].mean(axis=1)  # (batch, time, dim) -> (batch, dim)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim}


def word_presence_data(n=240, seed=0):
    """Texts of filler words; label 1 if "great" is among them."""
    rng = np.random.default_rng(seed)
    filler = ["movie", "plot", "actor", "scene", "film", "the", "a", "story"]
    labels = rng.integers(0, 2, size=n)
    texts = []
    for label in labels:
        words = list(rng.choice(filler, size=rng.integers(3, 8)))
        words.insert(int(rng.integers(0, len(words) + 1)), "great" if label else "boring")
        texts.append(" ".join(words))
    return np.array(texts), labels.astype("float32")


@pytest.mark.parametrize("mode", ["int", "multi_hot"])
def test_first_layer_of_a_sequential_model_trained_on_raw_strings(mode, tmp_path):
    texts, labels = word_presence_data()
    vectorizer = TextVectorization(output_mode=mode, output_sequence_length=10 if mode == "int" else None)
    vectorizer.adapt(texts)
    middle = MeanOfRows(vectorizer.vocabulary_size(), 8) if mode == "int" else Dense(8, activation="relu")
    model = Sequential([vectorizer, middle, Dense(1, activation="sigmoid")])
    model.compile(optimizer=dl_layers.optimizers.RMSprop(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(texts, labels, epochs=15, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    width = 10 if mode == "int" else vectorizer.vocabulary_size()
    assert model.layers[0].output.shape == (None, width)
    assert model.layers[0].output.dtype == ("int64" if mode == "int" else "float32")
    probabilities = model.predict(np.array(["a great movie", "a boring movie"]))
    assert probabilities[0, 0] > 0.8 and probabilities[1, 0] < 0.2
    model.save(tmp_path / "model.keras")
    loaded = dl_layers.load_model(tmp_path / "model.keras")
    assert loaded.layers[0].get_vocabulary() == vectorizer.get_vocabulary()
    np.testing.assert_array_equal(loaded.predict(texts[:20]), model.predict(texts[:20]))


def test_functional_model_on_string_input():
    texts, labels = word_presence_data(seed=1)
    vectorizer = TextVectorization(output_mode="count")
    vectorizer.adapt(texts)
    inputs = Input(shape=(1,), dtype="string")
    x = vectorizer(inputs)
    assert x.shape == (None, vectorizer.vocabulary_size()) and x.dtype == "float32"
    outputs = Dense(1, activation="sigmoid")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer=dl_layers.optimizers.RMSprop(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(texts, labels, epochs=10, batch_size=32, verbose=0)
    assert model.evaluate(texts, labels, verbose=0)[1] > 0.95
    assert model.predict(np.array([["great"], ["boring"]])).ravel().tolist() == pytest.approx(
        model.predict(np.array(["great", "boring"])).ravel().tolist())
    ids = TextVectorization(output_sequence_length=7)(Input(shape=(1,), dtype="string"))
    assert ids.shape == (None, 7) and ids.dtype == "int64"
    assert TextVectorization()(Input(shape=(1,), dtype="string")).shape == (None, None)


def test_output_is_not_differentiable():
    layer = TextVectorization(output_mode="count", vocabulary=["a"])
    assert not layer(["a a"]).requires_grad and layer.weights == []


# -- configs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    dict(max_tokens=10, output_sequence_length=4),
    dict(output_mode="tf_idf", ngrams=(1, 3), max_tokens=12, pad_to_max_tokens=True),
    dict(output_mode="binary", standardize="lower", split="character"),
    dict(standardize=None, split=None, output_mode="count"),
])
def test_config_round_trip_through_json(kwargs):
    texts = ["The cat sat on the mat!", "The dog ate my homework.", "a b c"]
    layer = TextVectorization(**kwargs)
    layer.adapt(texts)
    config = json.loads(json.dumps(layer.get_config()))
    again = TextVectorization.from_config(config)
    assert again.get_config() == layer.get_config()
    np.testing.assert_array_equal(again(texts).numpy(), layer(texts).numpy())
    assert layer.get_config()["output_mode"] in ("int", "multi_hot", "count", "tf_idf")


def test_custom_functions_are_saved_by_name(tmp_path):
    texts, labels = word_presence_data(n=40)
    vectorizer = TextVectorization(standardize=custom_standardization_fn, split=custom_split_fn,
                                   output_mode="multi_hot")
    vectorizer.adapt(texts)
    model = Sequential([vectorizer, Dense(1, activation="sigmoid")])
    model(texts[:2])
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="custom_objects=\\{'custom_standardization_fn'"):
        dl_layers.load_model(tmp_path / "m.keras")
    loaded = dl_layers.load_model(tmp_path / "m.keras", custom_objects={
        "custom_standardization_fn": custom_standardization_fn, "custom_split_fn": custom_split_fn})
    np.testing.assert_array_equal(loaded.predict(texts), model.predict(texts))
    with pytest.raises(ValueError, match="cannot save the `standardize` function"):
        TextVectorization(standardize=lambda s: s).get_config()


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(max_tokens=1), ValueError, "`max_tokens` must be an integer >= 2"),
    (dict(max_tokens=2), ValueError,
     r"`max_tokens`=2 is too small: in 'int' mode the reserved tokens \['', '\[UNK\]'\] take 2 places"),
    (dict(max_tokens=2.5), TypeError, "`max_tokens` must be an integer"),
    (dict(output_mode="one_hot"), ValueError, "`output_mode` must be one of 'int', 'multi_hot', 'count', 'tf_idf'"),
    (dict(standardize="upper"), ValueError, "`standardize` must be None, a function, or one of "
                                            "'lower_and_strip_punctuation', 'lower', 'strip_punctuation'"),
    (dict(split="comma"), ValueError, "`split` must be None, a function, or one of 'whitespace', 'character'"),
    (dict(ngrams=0), ValueError, "`ngrams` must be None, an integer >= 1"),
    (dict(ngrams=(1, "2")), ValueError, "`ngrams` must be None"),
    (dict(output_mode="count", output_sequence_length=5), ValueError,
     "`output_sequence_length` only applies to output_mode='int'"),
    (dict(output_sequence_length=0), ValueError, "`output_sequence_length` must be an integer >= 1"),
    (dict(pad_to_max_tokens=True, output_mode="count"), ValueError, "pad_to_max_tokens=True needs max_tokens"),
    (dict(sparse=True), ValueError, "sparse=True is not supported"),
    (dict(ragged=True), ValueError, "ragged=True is not supported"),
    (dict(encoding="no-such-codec"), ValueError, "`encoding` must be a text encoding"),
    (dict(vocabulary=["a", "a"]), ValueError, r"repeats tokens \['a'\]"),
    (dict(vocabulary=["a", "[UNK]"]), ValueError, "reserved token '\\[UNK\\]' at index 1"),
    (dict(vocabulary=[]), ValueError, "cannot set an empty vocabulary"),
    (dict(vocabulary=["a", 3]), TypeError, "must hold str tokens, got 3"),
    (dict(vocabulary=["a", "b"], max_tokens=3), ValueError, "4 entries .* more than max_tokens=3"),
    (dict(vocabulary=["a"], output_mode="tf_idf"), ValueError, "needs idf_weights"),
    (dict(vocabulary=["a"], idf_weights=[1.0]), ValueError, "idf_weights only apply to output_mode='tf_idf'"),
    (dict(vocabulary=["a"], idf_weights=[1.0, 2.0], output_mode="tf_idf"), ValueError, "one weight per vocabulary"),
    (dict(bogus=1), TypeError, "unexpected keyword"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TextVectorization(**kwargs)


def test_bad_data():
    layer = TextVectorization(name="tv")
    with pytest.raises(ValueError, match="Layer 'tv': adapt got no texts"):
        layer.adapt([])
    with pytest.raises(ValueError, match="Layer 'tv': adapt got no texts"):
        layer.adapt(iter([]))
    with pytest.raises(ValueError, match="Layer 'tv': adapt got no texts"):
        layer.adapt(None)
    with pytest.raises(TypeError, match=r"Layer 'tv' \(adapt\) expects texts \(str\), got an array of int64"):
        layer.adapt(np.arange(3))
    with pytest.raises(TypeError, match=r"expects texts \(str\), got int 5 at index 1"):
        layer.adapt(["a", 5])
    with pytest.raises(ValueError, match="give it the texts only"):
        layer.adapt([(np.array(["a b"]), np.array([1]))])
    with pytest.raises(ValueError, match="Layer 'tv' has no vocabulary yet: call adapt"):
        layer(["a b"])
    layer.adapt(["", "   ", "a"])  # empty texts are fine
    np.testing.assert_array_equal(layer(["", "a"]).numpy(), [[0], [2]])
    with pytest.raises(ValueError, match=r"texts of shape \(batch,\) or \(batch, 1\), got shape \(1, 2\)"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="got a Tensor"):
        layer(Tensor(np.ones(2)))
    with pytest.raises(TypeError, match="`split` function must return a list of str"):
        TextVectorization(split=lambda s: [1, 2]).adapt(["a"])
    with pytest.raises(TypeError, match="`standardize` function must return a str"):
        TextVectorization(standardize=lambda s: None).adapt(["a"])
    bag = TextVectorization(output_mode="multi_hot")
    with pytest.raises(ValueError, match="has no vocabulary yet, so its output width is unknown"):
        bag(Input(shape=(1,), dtype="string"))
