"""The first edition's text tools: Tokenizer, text_to_word_sequence, hashing_trick/one_hot, and the
book's manual one-hot encodings (listings 6.1-6.3), against Keras 2's rules written out as loops."""

import hashlib
import math
import os
import string
import subprocess
import sys
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_sequence import (
    Tokenizer,
    hashing_trick,
    one_hot,
    one_hot_characters,
    one_hot_words,
    text_to_word_sequence,
    tokenizer_from_json,
)

SAMPLES = ["The cat sat on the mat.", "The dog ate my homework."]
words_strategy = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "Fg", "h!"]), max_size=8).map(" ".join)
texts_strategy = st.lists(words_strategy, min_size=1, max_size=6)


# -- the book's listings ------------------------------------------------------------------------
def test_book_listing_6_3_tokenizer():
    tokenizer = Tokenizer(num_words=1000)
    tokenizer.fit_on_texts(SAMPLES)
    sequences = tokenizer.texts_to_sequences(SAMPLES)
    one_hot_results = tokenizer.texts_to_matrix(SAMPLES, mode="binary")
    assert len(tokenizer.word_index) == 9  # "Found 9 unique tokens."
    assert tokenizer.word_index == {"the": 1, "cat": 2, "sat": 3, "on": 4, "mat": 5, "dog": 6, "ate": 7, "my": 8,
                                    "homework": 9}
    assert sequences == [[1, 2, 3, 4, 1, 5], [1, 6, 7, 8, 9]]
    assert one_hot_results.shape == (2, 1000) and one_hot_results.dtype == np.float32
    np.testing.assert_array_equal(np.flatnonzero(one_hot_results[0]), [1, 2, 3, 4, 5])
    assert tokenizer.document_count == 2 and tokenizer.word_counts["the"] == 3 and tokenizer.word_docs["the"] == 2


def book_listing_6_1(samples, max_length=10):
    token_index = {}
    for sample in samples:
        for word in sample.split():
            if word not in token_index:
                token_index[word] = len(token_index) + 1
    results = np.zeros(shape=(len(samples), max_length, max(token_index.values()) + 1))
    for i, sample in enumerate(samples):
        for j, word in list(enumerate(sample.split()))[:max_length]:
            results[i, j, token_index.get(word)] = 1.0
    return results, token_index


def book_listing_6_2_fixed(samples, max_length=50):
    token_index = dict(zip(string.printable, range(1, len(string.printable) + 1)))  # character -> index
    results = np.zeros((len(samples), max_length, max(token_index.values()) + 1))
    for i, sample in enumerate(samples):
        for j, character in enumerate(sample[:max_length]):
            if character in token_index:
                results[i, j, token_index[character]] = 1.0
    return results, token_index


@pytest.mark.parametrize("samples, max_length", [(SAMPLES, 10), (SAMPLES, 3), (["a b a", "c a b d e f g"], 5)])
def test_one_hot_words_is_listing_6_1(samples, max_length):
    got, index = one_hot_words(samples, max_length=max_length)
    want, want_index = book_listing_6_1(samples, max_length)
    assert index == want_index and got.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    assert got[:, :, 0].sum() == 0  # index 0 is never a word


def test_one_hot_words_book_shape_and_known_index():
    results, index = one_hot_words(SAMPLES)
    assert results.shape == (2, 10, 11)  # "The", "the" and "mat." are three different tokens
    test, _ = one_hot_words(["the cat chased a dog"], token_index=index)
    assert test.shape == (1, 10, 11)
    np.testing.assert_array_equal(test[0].sum(axis=1), [1, 1, 0, 0, 1, 0, 0, 0, 0, 0])  # unknown words: zero rows


@given(st.lists(st.text(alphabet=string.printable + "éλ", max_size=60), min_size=1, max_size=4), st.integers(1, 60))
def test_one_hot_characters_is_listing_6_2_with_its_lookup_fixed(samples, max_length):
    got, index = one_hot_characters(samples, max_length=max_length)
    want, want_index = book_listing_6_2_fixed(samples, max_length)
    assert index == want_index and got.shape == (len(samples), max_length, 101)
    np.testing.assert_array_equal(got, want)


def test_one_hot_characters_book_example():
    results, index = one_hot_characters(SAMPLES)
    assert results.shape == (2, 50, 101) and len(index) == 100
    np.testing.assert_array_equal(results.sum(axis=(1, 2)), [len(s) for s in SAMPLES])  # one 1 per character


def test_one_hot_encodings_bad_input():
    with pytest.raises(TypeError, match="got a single string"):
        one_hot_words("The cat sat")
    with pytest.raises(ValueError, match="`max_length` must be an integer >= 1"):
        one_hot_characters(SAMPLES, max_length=0)


# -- text_to_word_sequence ------------------------------------------------------------------------
def test_text_to_word_sequence_keeps_apostrophes_as_keras():
    assert text_to_word_sequence("Don't  panic,\tTHE end!") == ["don't", "panic", "the", "end"]
    assert text_to_word_sequence("A-B c", filters="", lower=False) == ["A-B", "c"]
    assert text_to_word_sequence("a,b;c", split=",") == ["a", "b", "c"]


# -- Tokenizer: Keras's rules as loops ----------------------------------------------------------
def keras_sequences(word_index, num_words, oov_token, texts):
    oov_index = word_index.get(oov_token)
    out = []
    for text in texts:
        vect = []
        for w in text_to_word_sequence(text):
            i = word_index.get(w)
            if i is not None:
                if num_words and i >= num_words:
                    if oov_index is not None:
                        vect.append(oov_index)
                else:
                    vect.append(i)
            elif oov_token is not None:
                vect.append(oov_index)
        out.append(vect)
    return out


def keras_matrix(tokenizer, sequences, mode):
    num_words = tokenizer.num_words or len(tokenizer.word_index) + 1
    x = np.zeros((len(sequences), num_words))
    for i, seq in enumerate(sequences):
        if not seq:
            continue
        counts = defaultdict(int)
        for j in seq:
            if j < num_words:
                counts[j] += 1
        for j, c in counts.items():
            if mode == "count":
                x[i][j] = c
            elif mode == "freq":
                x[i][j] = c / len(seq)
            elif mode == "binary":
                x[i][j] = 1
            else:
                x[i][j] = (1 + np.log(c)) * np.log(1 + tokenizer.document_count / (1 + tokenizer.index_docs.get(j, 0)))
    return x


@given(texts_strategy, texts_strategy, st.one_of(st.none(), st.integers(1, 6)), st.sampled_from([None, "<OOV>"]))
def test_tokenizer_follows_keras_rules(train, test, num_words, oov_token):
    tokenizer = Tokenizer(num_words=num_words, oov_token=oov_token)
    tokenizer.fit_on_texts(train)
    words = [w for text in train for w in text_to_word_sequence(text)]
    counts = {w: words.count(w) for w in dict.fromkeys(words)}
    ranked = sorted(counts, key=lambda w: -counts[w])  # stable: ties in order of first appearance
    expected_index = {w: i for i, w in enumerate(([oov_token] if oov_token else []) + ranked, start=1)}
    assert tokenizer.word_index == expected_index
    assert tokenizer.index_word == {i: w for w, i in expected_index.items()}
    sequences = tokenizer.texts_to_sequences(test)
    assert sequences == keras_sequences(expected_index, num_words, oov_token, test)
    if not num_words and not expected_index:  # no width to give the matrix: Keras refuses too
        with pytest.raises(ValueError, match="give num_words"):
            tokenizer.texts_to_matrix(test)
        return
    for mode in ("binary", "count", "freq", "tfidf"):
        got = tokenizer.texts_to_matrix(test, mode=mode)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, keras_matrix(tokenizer, sequences, mode), rtol=1e-6, atol=1e-6)


def test_num_words_keeps_only_ids_below_it():
    tokenizer = Tokenizer(num_words=3)
    tokenizer.fit_on_texts(["a a a b b c", "c d"])
    assert len(tokenizer.word_index) == 4  # the index holds every word
    assert tokenizer.texts_to_sequences(["a b c d e"]) == [[1, 2]]
    assert tokenizer.texts_to_matrix(["a b c d e"], mode="count").tolist() == [[0, 1, 1]]
    assert tokenizer.sequences_to_texts([[1, 2, 3, 4]]) == ["a b"]
    with_oov = Tokenizer(num_words=3, oov_token="<OOV>")
    with_oov.fit_on_texts(["a a a b b c", "c d"])
    assert with_oov.word_index["<OOV>"] == 1
    assert with_oov.texts_to_sequences(["a b c e"]) == [[2, 1, 1, 1]]
    assert with_oov.sequences_to_texts([[2, 3, 4, 99]]) == ["a <OOV> <OOV> <OOV>"]


def test_char_level_lists_of_words_and_sequences_to_texts():
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["Abba!", "ab"])
    assert chars.word_index == {"a": 1, "b": 2, "!": 3}  # filters do not apply at character level
    assert chars.texts_to_sequences(["bad"]) == [[2, 1]]
    words = Tokenizer()
    words.fit_on_texts([["The", "cat"], ["the", "hat"]])  # already split texts are only lower-cased
    assert words.word_index == {"the": 1, "cat": 2, "hat": 3}
    assert words.sequences_to_texts(words.texts_to_sequences(["The hat, the cat!"])) == ["the hat the cat"]


def test_fit_on_texts_adds_to_earlier_fits_and_fit_on_sequences():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["x y"])
    tokenizer.fit_on_texts(["y z"])
    assert tokenizer.word_index == {"y": 1, "x": 2, "z": 3} and tokenizer.document_count == 2
    seqs = Tokenizer(num_words=4)
    seqs.fit_on_sequences([[1, 2, 2], [2, 3]])
    assert seqs.document_count == 2 and seqs.index_docs == {1: 1, 2: 2, 3: 1}
    tfidf = seqs.sequences_to_matrix([[2, 2, 1]], mode="tfidf")
    np.testing.assert_allclose(tfidf, [[0, np.log(1 + 2 / 2), (1 + np.log(2)) * np.log(1 + 2 / 3), 0]], rtol=1e-6)


def test_tokenizer_json_round_trip():
    tokenizer = Tokenizer(num_words=5, oov_token="<OOV>", filters="!.", lower=False)
    tokenizer.fit_on_texts(SAMPLES + ["The end!"])
    text = tokenizer.to_json(indent=1)
    again = tokenizer_from_json(text)
    assert again.word_index == tokenizer.word_index and again.index_word == tokenizer.index_word
    assert again.index_docs == tokenizer.index_docs and again.word_counts == tokenizer.word_counts
    assert (again.num_words, again.oov_token, again.filters, again.lower) == (5, "<OOV>", "!.", False)
    assert again.texts_to_sequences(SAMPLES) == tokenizer.texts_to_sequences(SAMPLES)
    np.testing.assert_array_equal(again.texts_to_matrix(SAMPLES, "tfidf"), tokenizer.texts_to_matrix(SAMPLES, "tfidf"))
    again.fit_on_texts(["more cat"])  # a loaded tokenizer can keep fitting
    assert again.word_counts["cat"] == 2
    with pytest.raises(ValueError, match="not a Tokenizer's JSON"):
        tokenizer_from_json('{"config": {}}')


def test_tokenizer_bad_input():
    tokenizer = Tokenizer()
    with pytest.raises(TypeError, match="got a single string"):
        tokenizer.fit_on_texts("The cat sat on the mat.")
    with pytest.raises(ValueError, match="give num_words"):
        tokenizer.texts_to_matrix(["a"])
    with pytest.raises(ValueError, match="fit on some texts before using mode='tfidf'"):
        Tokenizer(num_words=10).texts_to_matrix(["a"], mode="tfidf")
    tokenizer.fit_on_texts(["a"])
    with pytest.raises(ValueError, match="`mode` must be one of 'binary', 'count', 'tfidf', 'freq', got 'tf-idf'"):
        tokenizer.texts_to_matrix(["a"], mode="tf-idf")
    with pytest.raises(ValueError, match="`num_words` must be an integer >= 1"):
        Tokenizer(num_words=0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        Tokenizer(words=3)
    assert Tokenizer(nb_words=7).num_words == 7  # Keras 1's name


# -- hashing ------------------------------------------------------------------------------------
@given(words_strategy, st.integers(2, 50))
def test_hashing_trick_is_md5_modulo_n_minus_1_plus_1(text, n):
    words = text_to_word_sequence(text)
    want = [int(hashlib.md5(w.encode()).hexdigest(), 16) % (n - 1) + 1 for w in words]
    assert hashing_trick(text, n) == want == hashing_trick(text, n, hash_function="md5") == one_hot(text, n)
    assert all(1 <= i <= n - 1 for i in want)


def test_hashing_trick_custom_function_and_bad_arguments():
    assert hashing_trick("a bb ccc", 10, hash_function=len) == [2, 3, 4]
    assert hashing_trick("A b", 10, hash_function=len, analyzer=str.split) == [2, 2]
    with pytest.raises(ValueError, match="`n` must be an integer >= 2"):
        hashing_trick("a", 1)
    with pytest.raises(ValueError, match="`hash_function` must be None, 'md5' or a function"):
        hashing_trick("a", 10, hash_function="sha1")


def test_hashing_is_stable_across_processes():
    """Python's str hash changes with PYTHONHASHSEED; ours must not."""
    code = "from dl_sequence import one_hot; print(one_hot('the cat sat on the mat of words', 97), hash('cat'))"
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.append(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                      check=True).stdout.rsplit(" ", 1))
    (ids_1, salted_1), (ids_2, salted_2) = outputs
    assert salted_1 != salted_2  # the salted hash did change
    assert ids_1 == ids_2 == str(one_hot("the cat sat on the mat of words", 97))


def test_collisions_shrink_as_the_hash_space_grows():
    words = " ".join(f"w{i}" for i in range(1000))
    distinct = [len(set(hashing_trick(words, n))) for n in (500, 2000, 100_000)]
    assert distinct[0] <= 499 < distinct[1] < distinct[2]
    expected_2000 = 1999 * (1 - (1 - 1 / 1999) ** 1000)  # distinct values of 1000 uniform draws among 1999
    assert math.isclose(distinct[1], expected_2000, rel_tol=0.05)
