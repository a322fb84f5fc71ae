"""Word vectors: read and write GloVe-format files, build an embedding matrix, and do vector
arithmetic (nearest neighbours, analogies) by cosine similarity.

A GloVe text file holds one word per line, followed by its d numbers, all separated by
spaces (``the 0.418 0.24968 -0.41242 ...``). word2vec's text format is the same with a first
line ``count d``; both are read here. The book (listing 6.10) reads such a file into a
dict, then copies the vector of each word of its tokenizer's vocabulary into row
``word_index[word]`` of a zero matrix, which becomes the weights of a frozen ``Embedding``.
``load_word_vectors(path, vocabulary)`` does that in one pass over the file, keeping only
the words of the vocabulary, so that the 400,000 lines of GloVe 6B are never all in memory.

Similarities are cosines: ``a . b / (|a| |b|)``, 1 for vectors pointing the same way, 0 for
orthogonal ones, whatever their lengths.
"""

from __future__ import annotations

import os

import numpy as np

from dl_layers.atomic import atomic_write

__all__ = [
    "WordVectors",
    "analogy",
    "cosine_similarity",
    "embedding_matrix",
    "load_word_vectors",
    "nearest_neighbors",
    "save_word_vectors",
]


# -- reading and writing ---------------------------------------------------------------------


def _vocabulary_index(vocabulary, max_words):
    """A vocabulary (dict word -> index, or list of words in index order) as a dict, and the
    number of rows of its matrix (``max_words`` if given, else the largest index + 1)."""
    if isinstance(vocabulary, dict):
        index = {w: int(i) for w, i in vocabulary.items()}
    elif isinstance(vocabulary, list | tuple | np.ndarray):
        index = {}
        for i, w in enumerate(vocabulary):
            index.setdefault(str(w), i)  # a repeated word keeps its first index
    else:
        raise TypeError(f"vocabulary must be a dict word -> index (Tokenizer.word_index) or a list of words "
                        f"(TextVectorization.get_vocabulary()), got {type(vocabulary).__name__}")
    if any(i < 0 for i in index.values()):
        raise ValueError("vocabulary: indices must be >= 0")
    rows = max_words if max_words is not None else max(index.values(), default=0) + 1
    return {w: i for w, i in index.items() if 0 < i < rows}, rows  # row 0 (padding) is never filled


def _check_max_words(max_words):
    if max_words is not None and (isinstance(max_words, bool) or not isinstance(max_words, int | np.integer)
                                  or max_words < 1):
        raise ValueError(f"max_words must be a positive integer or None, got {max_words!r}")


def _parse(values: str, line_number: int, path, dim: int | None, dtype) -> np.ndarray:
    """The numbers after the word on one line, checked."""
    tokens = values.split()
    if dim is not None and len(tokens) != dim:
        raise ValueError(f"{path}, line {line_number}: expected {dim} numbers after the word (the dimension of "
                         f"the first vector), found {len(tokens)}")
    try:
        return np.array(tokens, dtype=dtype)
    except ValueError:
        bad = next(t for t in tokens if not _is_number(t))
        raise ValueError(f"{path}, line {line_number}: {bad!r} is not a number") from None


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _read_lines(path, encoding):
    """``(line_number, word, rest of the line)`` for each vector line; the header of word2vec's
    text format ("count dim") is reported as word None and rest the dimension."""
    with open(path, encoding=encoding) as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue  # blank lines (a trailing newline)
            word, _, rest = line.partition(" ")
            if number == 1:
                parts = line.split()
                if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
                    yield number, None, int(parts[1])  # word2vec's "count dim" header
                    continue
            if not rest.strip():
                raise ValueError(f"{path}, line {number}: expected a word followed by numbers, got {line[:50]!r}")
            yield number, word, rest


def load_word_vectors(path, vocabulary=None, dtype="float32", encoding="utf-8", max_words=None):
    """Read word vectors from a GloVe (or word2vec text) file, streaming it line by line.

    With a ``vocabulary``, returns the embedding matrix of the book's listing 6.10: row ``i``
    holds the vector of the word of index ``i``; rows of words the file does not have, and
    row 0 (the padding index, which no word owns), are zeros. Only the lines of words in the
    vocabulary are parsed and kept (so errors on other lines go unnoticed), which makes reading
    GloVe 6B (400,000 lines) fast and light. Without a vocabulary, every vector is kept.

    When a word appears twice in the file, its first vector is kept and later ones ignored
    (GloVe files list words from the most frequent).

    Args:
        path: the text file.
        vocabulary: None, a dict word -> index (``Tokenizer.word_index``, indices from 1), or a
            list of words in index order (``TextVectorization.get_vocabulary()``, "" at 0).
        dtype: dtype of the vectors.
        encoding: text encoding of the file (GloVe's is UTF-8).
        max_words: with a vocabulary, the number of rows of the matrix: words of index
            >= max_words are left out (the book's ``if i < max_words``); without one, read
            only the first max_words vectors of the file (the most frequent words).

    Returns:
        With a vocabulary: ``(matrix, found)``, the (rows, d) matrix and how many words of
        the vocabulary got a vector. Without: ``(words, vectors)``, a list of n words and
        their (n, d) matrix.

    Raises:
        ValueError: an empty file, a line with another number of values than the first
            (with its line number, the expected and found counts), or a value that is not a
            number (with its line number and the token).

    Examples:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> path = os.path.join(folder, "tiny.txt")
        >>> with open(path, "w") as f:
        ...     _ = f.write("the 0.5 0.1\\ncat 0.2 0.9\\nmat -0.3 0.4\\n")
        >>> words, vectors = load_word_vectors(path)
        >>> words, vectors.shape
        (['the', 'cat', 'mat'], (3, 2))
        >>> matrix, found = load_word_vectors(path, vocabulary={"cat": 1, "dog": 2, "the": 3})
        >>> matrix
        array([[0. , 0. ],
               [0.2, 0.9],
               [0. , 0. ],
               [0.5, 0.1]], dtype=float32)
        >>> found
        2
    """
    _check_max_words(max_words)
    dtype = np.dtype(dtype)
    path = os.fspath(path)
    keep = None
    if vocabulary is not None:
        keep, rows = _vocabulary_index(vocabulary, max_words)
        matrix, found, filled = None, 0, set()
    else:
        words, vectors, seen = [], [], set()
    dim = None
    any_line = False
    for number, word, rest in _read_lines(path, encoding):
        if word is None:  # the header gives the dimension
            dim = rest
            continue
        any_line = True
        if keep is not None:
            if word not in keep or word in filled:
                if dim is None:  # the first line still sets the dimension every other line must have
                    dim = len(_parse(rest, number, path, None, dtype))
                continue
            vector = _parse(rest, number, path, dim, dtype)
            dim = len(vector)
            if matrix is None:
                matrix = np.zeros((rows, dim), dtype)
            matrix[keep[word]] = vector
            filled.add(word)
            found += 1
            if found == len(keep):
                break  # every word of the vocabulary has its vector: the rest of the file is not needed
        else:
            if word in seen:
                continue
            vector = _parse(rest, number, path, dim, dtype)
            dim = len(vector)
            seen.add(word)
            words.append(word)
            vectors.append(vector)
            if max_words is not None and len(words) == max_words:
                break
    if not any_line:
        raise ValueError(f"{path}: the file holds no word vectors (it is empty)")
    if keep is not None:
        return (matrix if matrix is not None else np.zeros((rows, dim), dtype)), found
    return words, np.stack(vectors)  # n vectors of (d,) -> (n, d)


def save_word_vectors(path, words, vectors, header=False, encoding="utf-8"):
    """Write word vectors as a GloVe text file (atomically: the old file or the new one).

    Numbers are written with enough digits to read back the same float32 (or float64) values.

    Args:
        path: the file to write.
        words: n words (no spaces or newlines in them).
        vectors: (n, d) array.
        header: also write word2vec's first line "n d".
        encoding: text encoding.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
        >>> save_word_vectors(path, ["king", "queen"], np.array([[0.6, 0.8], [0.6, -0.8]], dtype="float32"))
        >>> print(open(path).read())
        king 0.600000024 0.800000012
        queen 0.600000024 -0.800000012
        <BLANKLINE>
    """
    vectors = np.asarray(vectors)
    words = [str(w) for w in words]
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError(f"save_word_vectors: expected {len(words)} vectors as an ({len(words)}, d) array, got "
                         f"shape {vectors.shape}")
    bad = [w for w in words if not w or any(c.isspace() for c in w)]
    if bad:
        raise ValueError(f"save_word_vectors: words must be non-empty and hold no spaces or newlines, got {bad[0]!r}")
    digits = 9 if vectors.dtype.itemsize <= 4 else 17  # enough to read the same float back
    row_format = " ".join([f"%.{digits}g"] * vectors.shape[1])
    with atomic_write(path, "w", encoding=encoding) as f:
        if header:
            f.write(f"{vectors.shape[0]} {vectors.shape[1]}\n")
        for word, row in zip(words, vectors.tolist()):  # one line per word
            f.write(f"{word} {row_format % tuple(row)}\n")


def embedding_matrix(words, vectors, vocabulary, max_words=None):
    """The embedding matrix of ``vocabulary`` from vectors already in memory.

    Row ``i`` is the vector of the word of index ``i``; unknown words and row 0 are zeros (the
    book's rule). ``load_word_vectors(path, vocabulary)`` does the same while reading a file.

    Args:
        words: n words, in the order of the rows of ``vectors``.
        vectors: (n, d) array.
        vocabulary: dict word -> index, or list of words in index order.
        max_words: number of rows (words of larger index are left out); default largest index + 1.

    Returns:
        ``(matrix, found)``: the (rows, d) matrix and how many words got a vector.

    Examples:
        >>> m, found = embedding_matrix(["cat", "dog"], np.eye(2), ["", "[UNK]", "dog", "bird"])
        >>> m, found
        (array([[0., 0.],
               [0., 0.],
               [0., 1.],
               [0., 0.]]), 1)
    """
    _check_max_words(max_words)
    vectors = np.asarray(vectors)
    keep, rows = _vocabulary_index(vocabulary, max_words)
    position = {}
    for i, w in enumerate(words):
        position.setdefault(w, i)  # first occurrence wins, as in load_word_vectors
    pairs = np.array([(i, position[w]) for w, i in keep.items() if w in position], dtype=np.intp).reshape(-1, 2)
    matrix = np.zeros((rows, vectors.shape[1]), vectors.dtype)
    matrix[pairs[:, 0]] = vectors[pairs[:, 1]]  # (found, d) rows copied to their indices
    return matrix, len(pairs)


# -- similarity ------------------------------------------------------------------------------


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its length; all-zero rows stay zero."""
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)  # (n, 1)
    return matrix / np.where(norms == 0, 1, norms)


def cosine_similarity(a, b):
    """Cosine similarity of vectors: ``a . b / (|a| |b|)``, 0 where a vector is all zeros.

    Args:
        a: (d,) or (n, d).
        b: (d,) or (m, d).

    Shapes:
        (d,), (d,) -> (); (n, d), (d,) -> (n,); (d,), (m, d) -> (m,); (n, d), (m, d) -> (n, m).

    Examples:
        >>> float(cosine_similarity([1.0, 0.0], [1.0, 1.0]))
        0.7071067811865475
        >>> cosine_similarity(np.eye(2), [3.0, 0.0])
        array([1., 0.])
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape[-1] != b.shape[-1] or a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"cosine_similarity: expected vectors (d,) or matrices (n, d) of the same d, got shapes "
                         f"{a.shape} and {b.shape}")
    return _unit_rows(a) @ _unit_rows(b).T  # (n, d) @ (d, m) -> (n, m), or fewer axes for vectors


def _as_table(vectors, vocabulary):
    """(words, matrix, index) from a WordVectors or from a matrix and its vocabulary."""
    if isinstance(vectors, WordVectors):
        return vectors
    return WordVectors(vocabulary, vectors)


def nearest_neighbors(word_or_vector, vectors, vocabulary=None, k=5, exclude=None):
    """The ``k`` words whose vectors have the largest cosine similarity with a word or a vector.

    One matrix-vector product over the row-normalised matrix. All-zero rows (padding,
    words without a vector) are never returned.

    Args:
        word_or_vector: a word of the vocabulary, or a (d,) vector.
        vectors: (n, d) matrix, or a ``WordVectors`` (then leave ``vocabulary`` out).
        vocabulary: the words of the rows: a list in row order, or a dict word -> row.
        k: how many neighbours.
        exclude: words not to return; by default the query word itself.

    Returns:
        A list of ``(word, similarity)``, most similar first.

    Examples:
        >>> words = ["king", "queen", "man", "woman"]
        >>> vectors = np.array([[0.6, 0.8], [0.6, -0.8], [-0.6, 0.8], [-0.6, -0.8]])
        >>> [(word, round(similarity, 2)) for word, similarity in nearest_neighbors("king", vectors, words, k=2)]
        [('man', 0.28), ('queen', -0.28)]
    """
    return _as_table(vectors, vocabulary).nearest_neighbors(word_or_vector, k=k, exclude=exclude)


def analogy(a, b, c, vectors, vocabulary=None, k=1):
    """``a`` is to ``b`` as ``c`` is to ?: the words nearest to ``b - a + c``.

    "man is to king as woman is to ?" is ``analogy("man", "king", "woman", ...)``, answered by
    the words nearest to king - man + woman. As in word2vec's and gensim's evaluations, the
    three vectors are first scaled to length 1, and the three input words are excluded from
    the answers (else the answer is often ``b`` itself).

    Args:
        a: a word of the vocabulary (``man``).
        b: a word of the vocabulary (``king``).
        c: a word of the vocabulary (``woman``).
        vectors: (n, d) matrix, or a ``WordVectors`` (then leave ``vocabulary`` out).
        vocabulary: the words of the rows (list in row order, or dict word -> row).
        k: how many answers.

    Returns:
        A list of ``(word, similarity)``, best first.

    Examples:
        >>> words = ["king", "queen", "man", "woman"]
        >>> vectors = np.array([[0.6, 0.8], [0.6, -0.8], [-0.6, 0.8], [-0.6, -0.8]])
        >>> analogy("man", "king", "woman", vectors, words)
        [('queen', 1.0)]
    """
    return _as_table(vectors, vocabulary).analogy(a, b, c, k=k)


class WordVectors:
    """Word vectors with their vocabulary: ``wv["king"]``, ``wv.nearest_neighbors("king")``.

    Args:
        words: the words of the rows, a list in row order (or a dict word -> row).
        vectors: (n, d) array.

    Examples:
        >>> wv = WordVectors(["king", "queen", "man", "woman"],
        ...                  np.array([[0.6, 0.8], [0.6, -0.8], [-0.6, 0.8], [-0.6, -0.8]]))
        >>> len(wv), wv.dim, "queen" in wv, wv["queen"]
        (4, 2, True, array([ 0.6, -0.8]))
        >>> wv.analogy("man", "king", "woman")
        [('queen', 1.0)]
    """

    def __init__(self, words, vectors):
        vectors = np.asarray(vectors)
        if isinstance(words, dict):
            order = sorted(words.items(), key=lambda item: item[1])
            words = [w for w, _ in order]
            vectors = vectors[[i for _, i in order]]
        words = [str(w) for w in words]
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError(f"WordVectors: expected an ({len(words)}, d) array for {len(words)} words, got shape "
                             f"{vectors.shape}")
        self.words, self.vectors = words, vectors
        self.index = {}
        for i, w in enumerate(words):
            self.index.setdefault(w, i)
        self._unit = None

    @classmethod
    def load(cls, path, dtype="float32", encoding="utf-8", max_words=None) -> WordVectors:
        """Every vector of a GloVe (or word2vec text) file; see ``load_word_vectors``."""
        return cls(*load_word_vectors(path, dtype=dtype, encoding=encoding, max_words=max_words))

    def save(self, path, header=False) -> None:
        """Write a GloVe text file (atomically); see ``save_word_vectors``."""
        save_word_vectors(path, self.words, self.vectors, header=header)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self.index

    def __getitem__(self, word) -> np.ndarray:
        return self.vectors[self._row(word)]

    @property
    def dim(self) -> int:
        """Length of the vectors."""
        return self.vectors.shape[1]

    def _row(self, word) -> int:
        row = self.index.get(word)
        if row is None:
            raise KeyError(f"the word {word!r} is not in the vocabulary ({len(self)} words)")
        return row

    @property
    def unit_vectors(self) -> np.ndarray:
        """The vectors scaled to length 1 (computed once)."""
        if self._unit is None:
            self._unit = _unit_rows(self.vectors)
            self._zero_rows = ~self._unit.any(axis=1)  # (n,) rows without a direction
        return self._unit

    def embedding_matrix(self, vocabulary, max_words=None):
        """``(matrix, found)`` for a tokenizer's vocabulary; see ``embedding_matrix``."""
        return embedding_matrix(self.words, self.vectors, vocabulary, max_words=max_words)

    def _top(self, query: np.ndarray, k: int, exclude) -> list:
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        unit = self.unit_vectors
        query = np.asarray(query, dtype=unit.dtype)
        if query.shape != (self.dim,):
            raise ValueError(f"expected a query vector of shape ({self.dim},), got {query.shape}")
        norm = np.linalg.norm(query)
        sims = unit @ (query / norm if norm else query)  # (n, d) @ (d,) -> (n,)
        sims[self._zero_rows] = -np.inf  # all-zero rows have no direction
        sims[[self.index[w] for w in exclude if w in self.index]] = -np.inf
        k = min(int(k), int(np.isfinite(sims).sum()))
        best = np.argpartition(-sims, k - 1)[:k] if k else np.array([], dtype=np.intp)
        best = best[np.lexsort((best, -sims[best]))]  # most similar first, ties by row
        return [(self.words[i], float(sims[i])) for i in best]

    def nearest_neighbors(self, word_or_vector, k=5, exclude=None) -> list:
        """``(word, similarity)`` of the ``k`` nearest words; see ``nearest_neighbors``."""
        if isinstance(word_or_vector, str):
            query = self.vectors[self._row(word_or_vector)]
            exclude = (word_or_vector,) if exclude is None else tuple(exclude)
        else:
            query = np.asarray(word_or_vector)
            exclude = () if exclude is None else tuple(exclude)
        return self._top(query, k, exclude)

    def analogy(self, a, b, c, k=1) -> list:
        """Words nearest to ``b - a + c`` (unit vectors), the inputs excluded; see ``analogy``."""
        unit = self.unit_vectors
        query = unit[self._row(b)] - unit[self._row(a)] + unit[self._row(c)]  # (d,)
        return self._top(query, k, (a, b, c))
