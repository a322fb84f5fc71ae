"""Word vectors: GloVe and word2vec text files the tests write themselves, the embedding
matrix rule (row 0 and unknown words zero), atomic saving, cosine similarity, nearest
neighbours and analogies against brute-force computations."""

import math
import os

import numpy as np
import pytest

from dl_sequence import (
    WordVectors,
    analogy,
    cosine_similarity,
    embedding_matrix,
    load_word_vectors,
    nearest_neighbors,
    save_word_vectors,
)

WORDS = ["the", "cat", "sat", "on", "mat", "dog"]


@pytest.fixture
def glove(tmp_path):
    """A small GloVe file: 6 words, 3 numbers each, written as GloVe writes them."""
    vectors = np.random.default_rng(0).standard_normal((len(WORDS), 3)).round(5)
    path = tmp_path / "glove.txt"
    path.write_text("".join(f"{w} {' '.join(str(v) for v in row)}\n" for w, row in zip(WORDS, vectors)))
    return path, vectors.astype(np.float32)


def test_load_without_vocabulary_returns_words_and_vectors(glove):
    path, vectors = glove
    words, loaded = load_word_vectors(path)
    assert words == WORDS
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, vectors)
    words, loaded = load_word_vectors(path, max_words=2, dtype="float64")
    assert words == ["the", "cat"] and loaded.dtype == np.float64 and loaded.shape == (2, 3)


def test_load_with_a_tokenizer_word_index_follows_the_books_rule(glove):
    path, vectors = glove
    word_index = {"cat": 1, "the": 2, "unicorn": 3, "dog": 4}  # Tokenizer.word_index: indices from 1
    matrix, found = load_word_vectors(path, vocabulary=word_index)
    expected = np.zeros((5, 3), np.float32)  # listing 6.10, written out
    for word, i in word_index.items():
        if word in WORDS:
            expected[i] = vectors[WORDS.index(word)]
    np.testing.assert_array_equal(matrix, expected)
    assert found == 3
    assert not matrix[0].any() and not matrix[3].any()  # the padding row and the unknown word
    matrix, found = load_word_vectors(path, vocabulary=word_index, max_words=3)  # the book's `if i < max_words`
    np.testing.assert_array_equal(matrix, expected[:3])
    assert found == 2


def test_load_with_a_text_vectorization_vocabulary(glove):
    path, vectors = glove
    vocabulary = ["", "[UNK]", "mat", "sat", "zebra"]  # TextVectorization.get_vocabulary()
    matrix, found = load_word_vectors(path, vocabulary=vocabulary)
    assert matrix.shape == (5, 3) and found == 2
    np.testing.assert_array_equal(matrix[2], vectors[WORDS.index("mat")])
    np.testing.assert_array_equal(matrix[3], vectors[WORDS.index("sat")])
    assert not matrix[[0, 1, 4]].any()


def test_embedding_matrix_from_memory_equals_the_streaming_one(glove):
    path, vectors = glove
    vocabulary = {"dog": 1, "on": 2, "bird": 3, "cat": 5}
    streamed, found = load_word_vectors(path, vocabulary=vocabulary)
    in_memory, found_in_memory = embedding_matrix(WORDS, vectors, vocabulary)
    np.testing.assert_array_equal(streamed, in_memory)
    assert found == found_in_memory == 3
    wv_matrix, _ = WordVectors(WORDS, vectors).embedding_matrix(vocabulary, max_words=3)
    np.testing.assert_array_equal(wv_matrix, streamed[:3])


def test_word2vec_text_format_with_header(tmp_path):
    path = tmp_path / "w2v.txt"
    path.write_text("2 3\nking 0.1 0.2 0.3\nqueen 0.4 0.5 0.6\n")
    words, vectors = load_word_vectors(path)
    assert words == ["king", "queen"]
    np.testing.assert_array_equal(vectors, np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], np.float32))


def test_duplicate_words_keep_their_first_vector(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("a 1 2\nb 3 4\na 5 6\n")
    words, vectors = load_word_vectors(path)
    assert words == ["a", "b"] and vectors.tolist() == [[1, 2], [3, 4]]
    matrix, found = load_word_vectors(path, vocabulary={"a": 1})
    assert matrix.tolist() == [[0, 0], [1, 2]] and found == 1


def test_file_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("a 1 2 3\nb 4 5\n")
    with pytest.raises(ValueError, match=r"line 2: expected 3 numbers after the word .*, found 2"):
        load_word_vectors(path)
    path.write_text("a 1 2\nb 4 x5\n")
    with pytest.raises(ValueError, match=r"line 2: 'x5' is not a number"):
        load_word_vectors(path)
    with pytest.raises(ValueError, match=r"line 2: 'x5' is not a number"):
        load_word_vectors(path, vocabulary={"b": 1})
    path.write_text("4 2\nb 4 5 6\n")  # the header says 2
    with pytest.raises(ValueError, match=r"line 2: expected 2 numbers .*, found 3"):
        load_word_vectors(path)
    path.write_text("lonely\n")
    with pytest.raises(ValueError, match=r"line 1: expected a word followed by numbers"):
        load_word_vectors(path)
    for text in ("", "\n\n", "3 50\n"):
        path.write_text(text)
        with pytest.raises(ValueError, match="holds no word vectors"):
            load_word_vectors(path)
    with pytest.raises(TypeError, match="vocabulary must be a dict"):
        load_word_vectors(tmp_path / "bad.txt", vocabulary="the cat")
    with pytest.raises(ValueError, match="max_words must be a positive integer"):
        load_word_vectors(tmp_path / "bad.txt", max_words=0)


def test_lines_of_other_words_must_still_match_the_first_dimension(tmp_path):
    path = tmp_path / "dims.txt"
    path.write_text("a 1 2 3\nb 4 5\n")
    with pytest.raises(ValueError, match=r"line 2: expected 3 numbers"):
        load_word_vectors(path, vocabulary={"b": 1})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_then_load_gives_the_same_values(tmp_path, dtype):
    vectors = np.random.default_rng(0).standard_normal((4, 5)).astype(dtype)
    path = tmp_path / "vectors.txt"
    save_word_vectors(path, ["a", "b", "c", "d"], vectors)
    words, loaded = load_word_vectors(path, dtype=dtype)
    assert words == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(loaded, vectors)
    save_word_vectors(path, ["a", "b", "c", "d"], vectors, header=True)
    assert path.read_text().splitlines()[0] == "4 5"
    np.testing.assert_array_equal(WordVectors.load(path, dtype=dtype).vectors, vectors)


def test_save_is_atomic(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("old 1 2\n")
    rows = np.array([[0.5, 0.25], ["not a number", 1.0]], dtype=object)  # fails on the second line
    with pytest.raises(TypeError):
        save_word_vectors(path, ["a", "b"], rows)
    assert path.read_text() == "old 1 2\n"
    assert os.listdir(tmp_path) == ["vectors.txt"]  # no half-written part left behind
    with pytest.raises(ValueError, match="hold no spaces"):
        save_word_vectors(path, ["new york"], np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"expected 2 vectors as an \(2, d\) array"):
        save_word_vectors(path, ["a", "b"], np.zeros((3, 2)))


# -- similarity -----------------------------------------------------------------------------


def test_cosine_similarity_against_the_formula():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    expected = np.array([[x @ y / math.sqrt((x @ x) * (y @ y)) for y in b] for x in a])
    np.testing.assert_allclose(cosine_similarity(a, b), expected, rtol=1e-12)
    np.testing.assert_allclose(cosine_similarity(a[0], b), expected[0], rtol=1e-12)
    np.testing.assert_allclose(cosine_similarity(a, b[1]), expected[:, 1], rtol=1e-12)
    assert cosine_similarity(np.zeros(4), b[0]) == 0
    with pytest.raises(ValueError, match="of the same d"):
        cosine_similarity(a, np.ones(3))


def brute_force_neighbors(query, vectors, words, k, exclude):
    scores = []
    for word, v in zip(words, vectors):
        if word in exclude or not v.any():
            continue
        scores.append((float(v @ query / (np.linalg.norm(v) * np.linalg.norm(query))), word))
    scores.sort(key=lambda s: -s[0])
    return [w for _, w in scores[:k]]


def test_nearest_neighbors_against_brute_force():
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    vectors = rng.standard_normal((40, 6))
    vectors[7] = 0  # a row without a vector (an unknown word of an embedding matrix)
    for query in ("w0", "w13"):
        got = nearest_neighbors(query, vectors, words, k=6)
        assert [w for w, _ in got] == brute_force_neighbors(vectors[words.index(query)], vectors, words, 6, {query})
        sims = [s for _, s in got]
        assert sims == sorted(sims, reverse=True)
        np.testing.assert_allclose(sims[0], cosine_similarity(vectors[words.index(query)],
                                                              vectors[words.index(got[0][0])]), rtol=1e-12)
    vector = rng.standard_normal(6)
    got = nearest_neighbors(vector, vectors, words, k=3, exclude=["w1"])
    assert [w for w, _ in got] == brute_force_neighbors(vector, vectors, words, 3, {"w1"})
    index = {w: i for i, w in enumerate(words)}
    assert nearest_neighbors("w0", vectors, index, k=6) == nearest_neighbors("w0", vectors, words, k=6)
    assert "w7" not in [w for w, _ in nearest_neighbors("w0", vectors, words, k=39)]
    assert len(nearest_neighbors("w0", vectors, words, k=100)) == 38  # all but itself and the zero row


def test_nearest_neighbors_errors():
    wv = WordVectors(["a", "b"], np.eye(2))
    with pytest.raises(KeyError, match="'zzz' is not in the vocabulary"):
        wv.nearest_neighbors("zzz")
    with pytest.raises(ValueError, match="k must be a positive integer"):
        wv.nearest_neighbors("a", k=0)
    with pytest.raises(ValueError, match=r"query vector of shape \(2,\)"):
        wv.nearest_neighbors(np.ones(3))


def test_analogy_on_vectors_where_it_is_exact():
    # royalty on the first axis, maleness on the second, every vector of length 1
    words = ["king", "queen", "man", "woman", "apple"]
    vectors = np.array([[0.6, 0.8], [0.6, -0.8], [-0.6, 0.8], [-0.6, -0.8], [-1.0, 0.0]])
    (word, similarity), = analogy("man", "king", "woman", vectors, words)
    assert word == "queen" and similarity == pytest.approx(1.0, abs=1e-12)
    assert analogy("king", "man", "queen", vectors, words)[0][0] == "woman"
    answers = WordVectors(words, vectors).analogy("man", "king", "woman", k=5)
    assert [w for w, _ in answers] == ["queen", "apple"]  # the three inputs are never answers


def test_analogy_against_brute_force_on_random_vectors():
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(30)]
    vectors = rng.standard_normal((30, 5))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    query = unit[2] - unit[1] + unit[3]  # w1 is to w2 as w3 is to ?
    got = analogy("w1", "w2", "w3", vectors, words, k=4)
    assert [w for w, _ in got] == brute_force_neighbors(query, vectors, words, 4, {"w1", "w2", "w3"})


def test_word_vectors_container():
    wv = WordVectors({"b": 1, "a": 0}, np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert wv.words == ["a", "b"] and len(wv) == 2 and wv.dim == 2 and "a" in wv and "c" not in wv
    np.testing.assert_array_equal(wv["b"], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"expected an \(3, d\) array"):
        WordVectors(["a", "b", "c"], np.zeros((2, 2)))
