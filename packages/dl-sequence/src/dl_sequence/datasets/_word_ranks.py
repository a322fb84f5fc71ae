"""What the word-rank loaders share (``imdb``, ``reuters``, ``sotu``): Keras's integer form.

Keras's ``reuters.load_data`` and ``imdb.load_data`` give each text as a list of word ids: a
word's rank by frequency (1 = the most frequent) plus ``index_from``, after a ``start_char``;
ids from ``num_words`` up (or below ``skip_top``) become ``oov_char``. Here the ranks come from
``dl_sequence.Tokenizer`` fitted on the training texts only (the test texts' words that never
occur in training are dropped), and ``keras_form`` applies Keras's rules to them (those of
``imdb.load_data``).
"""

from __future__ import annotations

import numpy as np

from ..tokenizer import Tokenizer

__all__ = ["check_positive", "keras_form", "object_array", "word_ranks"]


def check_positive(owner: str, name: str, value):
    """``value`` if it is None or an integer >= 1, else a ValueError naming ``owner`` and ``name``."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1):
        raise ValueError(f"{owner}: {name} must be a positive integer or None, got {value!r}")
    return value


def object_array(sequences: list[list[int]]) -> np.ndarray:
    """``(n,)`` object array of int lists (even when every list has the same length).

    Examples:
        >>> object_array([[1, 2], [3, 4]])
        array([list([1, 2]), list([3, 4])], dtype=object)
    """
    out = np.empty(len(sequences), dtype=object)
    out[:] = sequences
    return out


def word_ranks(train_texts: list[str], test_texts: list[str], filters=None):
    """Each text as a list of word ranks, ranked over ``train_texts`` by ``Tokenizer``.

    Args:
        train_texts: the texts the ranks are counted on.
        test_texts: texts turned into ranks with the same index (unknown words dropped).
        filters: the characters the tokenizer turns into spaces (default: Keras's).

    Returns:
        ``(train_ranks, test_ranks, word_index)``: two lists of int lists, and word -> rank.

    Examples:
        >>> train, test, index = word_ranks(["the cat, the mat"], ["the dog"])
        >>> train, test, index
        ([[1, 2, 1, 3]], [[1]], {'the': 1, 'cat': 2, 'mat': 3})
    """
    tokenizer = Tokenizer() if filters is None else Tokenizer(filters=filters)
    tokenizer.fit_on_texts(train_texts)
    return tokenizer.texts_to_sequences(train_texts), tokenizer.texts_to_sequences(test_texts), tokenizer.word_index


def keras_form(owner, x_train, y_train, x_test, y_test, num_words=None, skip_top=0, maxlen=None, seed=113,
               start_char=1, oov_char=2, index_from=3, shuffle=True):
    """Keras's rules, applied to rank lists: shuffle, shift, cut long texts, cap the vocabulary.

    Train and test are shuffled with one ``np.random.RandomState(seed)`` (train first); each text
    becomes ``[start_char] + [rank + index_from ...]``; with ``maxlen``, texts of ``maxlen`` ids or
    more are dropped; ids ``>= num_words`` or ``< skip_top`` become ``oov_char`` (dropped when
    ``oov_char`` is None). Without ``num_words`` every id is kept.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: object arrays ``(n,)`` of int lists and
        int64 label arrays ``(n,)``.

    Examples:
        >>> (x, y), (xt, yt) = keras_form("demo", [[1, 2], [5]], [0, 1], [[3]], [1], num_words=6, shuffle=False)
        >>> x.tolist(), y.tolist(), xt.tolist()
        ([[1, 4, 5], [1, 2]], [0, 1], [[1, 2]])
    """
    check_positive(owner, "num_words", num_words)
    check_positive(owner, "maxlen", maxlen)
    y_train, y_test = np.asarray(y_train, dtype=np.int64), np.asarray(y_test, dtype=np.int64)
    x_train, x_test = list(x_train), list(x_test)
    if shuffle:
        rng = np.random.RandomState(seed)  # noqa: NPY002 (Keras's generator, so the order is Keras's)
        order = rng.permutation(len(x_train))
        x_train, y_train = [x_train[i] for i in order], y_train[order]
        order = rng.permutation(len(x_test))
        x_test, y_test = [x_test[i] for i in order], y_test[order]
    start = [] if start_char is None else [start_char]
    x_train = [start + [w + index_from for w in x] for x in x_train]
    x_test = [start + [w + index_from for w in x] for x in x_test]
    if maxlen:
        keep_train = [i for i, x in enumerate(x_train) if len(x) < maxlen]
        keep_test = [i for i, x in enumerate(x_test) if len(x) < maxlen]
        if not keep_train or not keep_test:
            raise ValueError(f"{owner}: after dropping the texts of maxlen={maxlen} ids or more, no text is left in "
                             f"the {'training' if not keep_train else 'test'} set; increase maxlen")
        x_train, y_train = [x_train[i] for i in keep_train], y_train[keep_train]
        x_test, y_test = [x_test[i] for i in keep_test], y_test[keep_test]
    xs = x_train + x_test
    if not num_words:
        num_words = max((max(x) for x in xs if x), default=0) + 1
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    cut = len(x_train)
    return (object_array(xs[:cut]), y_train), (object_array(xs[cut:]), y_test)
