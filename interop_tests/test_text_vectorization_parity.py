"""Keras parity for TextVectorization: the same texts adapted by Keras's layer and by ours give
the same vocabulary, in the same order, and the same outputs in every output mode.

Keras's TextVectorization runs on TensorFlow whatever the backend, so ``tox -e interop``
installs the CPU build of TensorFlow beside PyTorch for this file only.
"""

import os

import numpy as np
import pytest

assert os.environ["KERAS_BACKEND"] == "torch"
keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

import dl_sequence as S  # noqa: E402

# punctuation, case, repeated words, ties in frequency (ordered by token, descending, in both),
# a word seen only in the texts to encode (out of vocabulary), and an empty text
CORPUS = [
    "The cat sat on the mat.",
    "The dog ate my homework!",
    "I write, erase, rewrite; again I write.",
    "Cats and dogs: the cat, the dog.",
    "A mat, a hat, a cat, and a bat.",
    "Erase the dog's homework? No!",
]
TEXTS = ["the cat ate the homework", "a zebra on a mat", "", "WRITE, write, rewrite... erase"]


def both(**kwargs):
    """The layer adapted on CORPUS in Keras and in ours, built with the same arguments."""
    theirs, ours = keras.layers.TextVectorization(**kwargs), S.TextVectorization(**kwargs)
    theirs.adapt(CORPUS)
    ours.adapt(CORPUS)
    return theirs, ours


def vocabulary(layer):
    return [str(token) for token in layer.get_vocabulary()]


@pytest.mark.parametrize("kwargs", [
    {},
    {"max_tokens": 12},
    {"ngrams": 2},
    {"max_tokens": 15, "ngrams": 2},
    {"standardize": "lower", "split": "whitespace"},
    {"standardize": None},
], ids=repr)
def test_the_same_vocabulary_in_the_same_order(kwargs):
    theirs, ours = both(**kwargs)
    assert vocabulary(ours) == vocabulary(theirs)


@pytest.mark.parametrize("kwargs", [
    {"output_sequence_length": 6},
    {"max_tokens": 10, "output_sequence_length": 8},
    {"output_mode": "multi_hot"},
    {"output_mode": "count", "max_tokens": 12},
    {"output_mode": "multi_hot", "ngrams": 2},
    {"output_mode": "tf_idf"},
    {"output_mode": "tf_idf", "max_tokens": 12, "ngrams": 2},
], ids=repr)
def test_the_same_outputs(kwargs):
    theirs, ours = both(**kwargs)
    expected = np.asarray(keras.ops.convert_to_numpy(theirs(TEXTS)))
    got = np.asarray(ours(np.array(TEXTS, dtype=object)).numpy())
    assert got.shape == expected.shape
    if kwargs.get("output_mode", "int") == "int":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_a_vocabulary_moved_from_keras_encodes_as_keras_does():
    theirs, _ = both(output_sequence_length=7)
    ours = S.TextVectorization(output_sequence_length=7, vocabulary=vocabulary(theirs)[2:])  # past "" and [UNK]
    np.testing.assert_array_equal(ours(np.array(TEXTS, dtype=object)).numpy(),
                                  keras.ops.convert_to_numpy(theirs(TEXTS)))
