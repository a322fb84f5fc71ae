"""The first edition's text tools (Keras 2's ``keras.preprocessing.text``) and the book's one-hot encodings.

* ``one_hot_words`` and ``one_hot_characters``: listings 6.1 and 6.2 of the first edition, as
  functions. Each sample becomes a ``(max_length, vocabulary + 1)`` matrix with one 1 per row:
  the token at that position. Index 0 is never used by a token (Keras's convention, so that 0
  can mean "padding").
* ``Tokenizer``: learns a word index from texts (``fit_on_texts``: 1-based, the most frequent
  word first, ties in order of first appearance) and turns texts into lists of ids or into
  bag-of-words matrices. ``num_words`` keeps only the ids below it.
* ``hashing_trick`` and ``one_hot``: no word index at all; a word's id is a hash of the word,
  modulo the size of the hash space. Keras's default hash is Python's ``hash``, which is
  salted per process (``PYTHONHASHSEED``): the same word gets another id in the next run.
  Ours is **md5** (``hashlib``), Keras's own stable option, so ids never change between runs.

Strings are handled with Python's ``str`` methods (``lower``, ``translate``, ``split``) per
text; counts and matrices are built with ``collections.Counter`` and NumPy.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import string

import numpy as np

__all__ = [
    "Tokenizer",
    "hashing_trick",
    "one_hot",
    "one_hot_characters",
    "one_hot_words",
    "text_to_word_sequence",
    "tokenizer_from_json",
]

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'  # Keras's default: the ASCII punctuation but the apostrophe
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def _check_texts(owner: str, texts) -> None:
    if isinstance(texts, str | bytes):
        raise TypeError(f"{owner} expects a list of texts, got a single string; wrap it in a list: [text]")


def _check_int(owner: str, name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{owner}: argument `{name}` must be an integer >= {minimum}, got {value!r}")
    return int(value)


# -- the book's one-hot encodings (listings 6.1 and 6.2) ----------------------------------------
def _one_hot(owner: str, token_lists: list, token_index: dict, max_length) -> np.ndarray:
    """(samples, max_length, max id + 1) float32 with a 1 at (sample, position, id of the token)."""
    max_length = _check_int(owner, "max_length", max_length, 1)
    depth = max(token_index.values(), default=0) + 1
    triples = [(i, j, token_index[t]) for i, tokens in enumerate(token_lists)
               for j, t in enumerate(tokens[:max_length]) if t in token_index]  # unknown tokens leave a zero row
    results = np.zeros((len(token_lists), max_length, depth), dtype=np.float32)
    if triples:
        sample, position, index = np.array(triples).T  # (n, 3) -> (3, n): three (n,) arrays
        results[sample, position, index] = 1.0
    return results


def one_hot_words(samples, max_length=10, token_index=None):
    """Word-level one-hot encoding, as listing 6.1 of the first edition.

    Words are what ``str.split()`` gives (no lower-casing, punctuation kept: "The", "the" and
    "mat." are three tokens, as in the book). Each word gets an index from 1 in order of
    first appearance; words past ``max_length`` are dropped.

    Args:
        samples: list of texts.
        max_length: number of words kept per text.
        token_index: ``{word: index}`` to encode with (e.g. the one returned for the
            training texts); None builds it from ``samples``. Unknown words give zero rows.

    Returns:
        ``(results, token_index)``: a float32 array ``(samples, max_length, max index + 1)``
        and the index used.

    Shapes:
        n texts -> (n, max_length, max index + 1)

    Examples:
        >>> results, token_index = one_hot_words(['The cat sat on the mat.', 'The dog ate my homework.'])
        >>> results.shape, len(token_index)
        ((2, 10, 11), 10)
        >>> results[0, 1].argmax(), token_index["cat"]
        (np.int64(2), 2)
    """
    _check_texts("one_hot_words", samples)
    words = [sample.split() for sample in samples]
    if token_index is None:
        first_seen = dict.fromkeys(itertools.chain.from_iterable(words))  # the words, in order of first appearance
        token_index = {word: i for i, word in enumerate(first_seen, start=1)}  # 0 is never a word
    return _one_hot("one_hot_words", words, token_index, max_length), token_index


def one_hot_characters(samples, max_length=50):
    """Character-level one-hot encoding, as listing 6.2 of the first edition.

    The characters are the 100 of ``string.printable``, indices 1 to 100; any other
    character leaves a zero row. (The book's listing maps index -> character instead of
    character -> index, so its lookup always returns None; this is what it meant.)

    Args:
        samples: list of texts.
        max_length: number of characters kept per text.

    Returns:
        ``(results, token_index)``: a float32 array ``(samples, max_length, 101)`` and
        ``{character: index}``.

    Shapes:
        n texts -> (n, max_length, 101)

    Examples:
        >>> results, token_index = one_hot_characters(['The cat sat on the mat.', 'The dog ate my homework.'])
        >>> results.shape, token_index["T"]
        ((2, 50, 101), 56)
        >>> results[0, :3].argmax(axis=-1), results[0, 23:].sum()   # "The"; nothing past the text
        (array([56, 18, 15]), np.float32(0.0))
    """
    _check_texts("one_hot_characters", samples)
    token_index = {character: i for i, character in enumerate(string.printable, start=1)}
    return _one_hot("one_hot_characters", [list(sample) for sample in samples], token_index, max_length), token_index


# -- Keras 2's keras.preprocessing.text ---------------------------------------------------------
def text_to_word_sequence(input_text, filters=FILTERS, lower=True, split=" "):
    """Split a text into words, as Keras 2: lower-case it, turn each character of ``filters``
    into ``split``, split on ``split`` and drop the empty pieces.

    Examples:
        >>> text_to_word_sequence("The cat sat on the mat. Don't!")
        ['the', 'cat', 'sat', 'on', 'the', 'mat', "don't"]
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def _md5(word: str) -> int:
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


def hashing_trick(text, n, hash_function=None, filters=FILTERS, lower=True, split=" ", analyzer=None):
    """Words -> ids in ``1 .. n-1`` by hashing: ``hash_function(word) % (n - 1) + 1`` (index 0 is
    never used). Different words may share an id (a *collision*); fewer the larger ``n`` is.

    Args:
        text: one text.
        n: size of the hash space (ids go up to n - 1).
        hash_function: None or "md5" (md5 from hashlib, stable across runs: our default,
            where Keras's is Python's salted ``hash``), or a function ``str -> int``.
        filters: characters turned into ``split`` (as ``text_to_word_sequence``).
        lower: lower-case the text first.
        split: the separator between words.
        analyzer: a function ``text -> list of words`` used instead of ``filters``, ``lower``
            and ``split``.

    Examples:
        >>> hashing_trick("The cat sat on the mat", 1000)
        [132, 759, 622, 379, 132, 962]
    """
    n = _check_int("hashing_trick", "n", n, 2)
    if hash_function is None or hash_function == "md5":
        hash_function = _md5
    elif not callable(hash_function):
        raise ValueError(f"hashing_trick: argument `hash_function` must be None, 'md5' or a function str -> int, "
                         f"got {hash_function!r}")
    words = analyzer(text) if analyzer is not None else text_to_word_sequence(text, filters, lower, split)
    return [hash_function(word) % (n - 1) + 1 for word in words]


def one_hot(input_text, n, filters=FILTERS, lower=True, split=" ", analyzer=None):
    """Keras 2's ``one_hot``: despite its name, the ids of ``hashing_trick`` (md5 here, so stable).

    Examples:
        >>> one_hot("The cat sat on the mat", 1000) == hashing_trick("The cat sat on the mat", 1000)
        True
    """
    return hashing_trick(input_text, n, filters=filters, lower=lower, split=split, analyzer=analyzer)


class Tokenizer:
    """Keras 2's text tokenizer: a word index learned from texts.

    Args:
        num_words: keep only the ids below ``num_words`` (the ``num_words - 1`` most
            frequent words) in sequences and matrices; None keeps every word. The word
            index always holds every word.
        filters: characters turned into ``split`` (Keras's default: ASCII punctuation but
            the apostrophe, plus tab and newline).
        lower: lower-case the texts.
        split: the word separator.
        char_level: every character is a token (filters are then not applied).
        oov_token: if given, it takes index 1 and replaces unknown (and cut) words in
            ``texts_to_sequences``; otherwise they are dropped.
        analyzer: a function ``text -> list of words`` used instead of filters/lower/split.

    Attributes:
        word_index: ``{word: index}``, 1-based, the most frequent first (ties: first seen).
        index_word: the reverse map.
        word_counts: occurrences of each word (in order of first appearance).
        word_docs: number of texts each word occurs in.
        index_docs: the same, by index.
        document_count: number of texts fitted.

    Examples:
        >>> tokenizer = Tokenizer(num_words=1000)
        >>> samples = ['The cat sat on the mat.', 'The dog ate my homework.']
        >>> tokenizer.fit_on_texts(samples)
        >>> tokenizer.texts_to_sequences(samples)
        [[1, 2, 3, 4, 1, 5], [1, 6, 7, 8, 9]]
        >>> tokenizer.texts_to_matrix(samples, mode="binary").shape
        (2, 1000)
        >>> len(tokenizer.word_index)
        9
    """

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ", char_level=False, oov_token=None,
                 analyzer=None, **kwargs):
        if "nb_words" in kwargs:  # Keras 1's name
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)  # tokenizer_from_json passes it
        if kwargs:
            raise TypeError(f"Tokenizer: unexpected keyword argument(s) {sorted(kwargs)}")
        self.num_words = None if num_words is None else _check_int("Tokenizer", "num_words", num_words, 1)
        self.filters, self.lower, self.split = filters, bool(lower), split
        self.char_level, self.oov_token, self.analyzer = bool(char_level), oov_token, analyzer
        self.document_count = int(document_count)
        self.word_counts = collections.Counter()  # a dict in order of first appearance
        self.word_docs = collections.Counter()
        self.index_docs = {}
        self.word_index = {}
        self.index_word = {}

    def _words(self, text) -> list:
        """The tokens of one text (or of a list of words, which is lower-cased only)."""
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return list(text)
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count the words of ``texts`` (adding to earlier fits) and rebuild the word index."""
        _check_texts("Tokenizer.fit_on_texts", texts)
        for text in texts:
            self.document_count += 1
            words = self._words(text)
            self.word_counts.update(words)
            self.word_docs.update(iter(dict.fromkeys(words)))  # each word once per text (ordered, unlike a set)
        ranked = sorted(self.word_counts.items(), key=lambda kv: kv[1], reverse=True)  # stable: ties stay first-seen
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in ranked]
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}  # 0 is never a word
        self.index_word = {i: word for word, i in self.word_index.items()}
        self.index_docs = {self.word_index[w]: c for w, c in self.word_docs.items()}

    def fit_on_sequences(self, sequences):
        """Count document frequencies from sequences of ids (for "tfidf" matrices of sequences)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] = self.index_docs.get(i, 0) + 1

    def _ids(self, words) -> list:
        """Keras's rules: unknown words and ids >= num_words become the oov id, or are dropped."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        get = self.word_index.get
        ids = [get(w, oov) for w in words]
        if self.num_words:
            ids = [i if i is None or i < self.num_words else oov for i in ids]
        return [i for i in ids if i is not None]

    def texts_to_sequences(self, texts):
        """Each text as a list of word ids."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """``texts_to_sequences``, one text at a time."""
        _check_texts("Tokenizer.texts_to_sequences", texts)
        for text in texts:
            yield self._ids(self._words(text))

    def sequences_to_texts(self, sequences):
        """Each list of ids back to words joined by spaces (unknown ids: the oov token, or dropped)."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """``sequences_to_texts``, one sequence at a time."""
        oov_word = self.oov_token if self.oov_token in self.word_index else None
        for seq in sequences:
            words = [self.index_word.get(int(i), oov_word) for i in seq]
            if self.num_words:
                words = [w if w is None or int(i) < self.num_words else oov_word for i, w in zip(seq, words)]
            yield " ".join(w for w in words if w is not None)

    def texts_to_matrix(self, texts, mode="binary"):
        """``(len(texts), num_words)`` bag-of-words matrix (see ``sequences_to_matrix``)."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Bag-of-words rows from sequences of ids, as Keras 2 computes them.

        Args:
            sequences: lists of ids; ids >= the matrix width are ignored.
            mode: "binary" (1 if the word occurs), "count", "freq" (count / length of the
                sequence) or "tfidf" (``(1 + log(count)) * log(1 + document_count / (1 +
                documents with the word))``, 0 where the count is 0).

        Returns:
            float32 array ``(len(sequences), num_words)``; without ``num_words``,
            ``len(word_index) + 1`` wide. (Keras 2 returns float64; the values agree to float32's
            precision.)
        """
        if mode not in MATRIX_MODES:
            raise ValueError(f"Tokenizer: argument `mode` must be one of {', '.join(map(repr, MATRIX_MODES))}, "
                             f"got {mode!r}")
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError("Tokenizer: give num_words (the matrix width) or fit on some texts first")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer: fit on some texts before using mode='tfidf' (it needs document counts)")
        lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))  # (n,)
        ids = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int64, count=int(lengths.sum()))
        if (ids < 0).any():
            raise ValueError(f"Tokenizer: sequences must hold ids >= 0, got {int(ids.min())}")
        rows = np.repeat(np.arange(len(lengths)), lengths)  # (total,) the sequence of each id
        keep = ids < width
        counts = np.zeros((len(lengths), width), dtype=np.float32)
        np.add.at(counts, (rows[keep], ids[keep]), 1.0)  # (n, width) occurrences
        if mode == "binary":
            x = (counts > 0).astype(np.float32)
        elif mode == "count":
            x = counts
        elif mode == "freq":
            per_sequence = np.maximum(lengths, 1).astype(np.float32)[:, None]  # (n, 1) the whole sequence's length
            x = counts / per_sequence  # (n, width) / (n, 1)
        else:
            docs = np.zeros(width, dtype=np.float32)  # (width,) texts that hold each id
            known = [(i, c) for i, c in self.index_docs.items() if 0 <= i < width]
            if known:
                index, number = np.array(known).T  # (k, 2) -> (2, k): ids and their document counts
                docs[index] = number
            idf = np.log(1 + np.float32(self.document_count) / (1 + docs))  # (width,) float32
            with np.errstate(divide="ignore"):
                x = np.where(counts > 0, (1 + np.log(counts)) * idf, np.float32(0))  # (n, width) * (width,)
        return x

    # -- saving -------------------------------------------------------------------------------
    def get_config(self):
        """Keras 2's config: the arguments, plus the learned dicts each as a JSON string."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """The tokenizer as a JSON string (``tokenizer_from_json`` reads it back; so does Keras 2)."""
        if self.analyzer is not None:
            raise ValueError("Tokenizer: a tokenizer with an analyzer function cannot be saved as JSON "
                             "(code is never serialized); recreate it with the same analyzer instead")
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """Rebuild a ``Tokenizer`` from ``to_json``'s string (or from Keras 2's).

    Examples:
        >>> tokenizer = Tokenizer(oov_token="<OOV>")
        >>> tokenizer.fit_on_texts(["a b b", "c"])
        >>> tokenizer_from_json(tokenizer.to_json()).texts_to_sequences(["b a d"])
        [[2, 3, 1]]
    """
    try:
        config = dict(json.loads(json_string)["config"])
        learned = {key: json.loads(config.pop(key))
                   for key in ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"tokenizer_from_json: not a Tokenizer's JSON ({error})") from None
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.Counter(learned["word_counts"])
    tokenizer.word_docs = collections.Counter(learned["word_docs"])
    tokenizer.index_docs = {int(k): v for k, v in learned["index_docs"].items()}  # JSON keys are strings
    tokenizer.index_word = {int(k): v for k, v in learned["index_word"].items()}
    tokenizer.word_index = learned["word_index"]
    return tokenizer
