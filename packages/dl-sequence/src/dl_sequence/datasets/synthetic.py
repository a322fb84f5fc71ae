"""Generated text tasks with a known answer: one where word order decides the label, one where it does not.

Chapter 6 claims that a bag of words (or a 1D convnet) does as well as an RNN when order does
not matter, and that it cannot when it does. These two generators make each kind of task from
random filler words, so the claim can be measured rather than believed:

* ``order_texts``: every text holds the same two marker words, "alpha" and "omega", far apart;
  the label is 1 when "alpha" comes first. Both classes have exactly the same words, so a bag
  of words sees no difference between them, while a model that reads in order can learn it.
* ``keyword_texts``: a few "good" and "bad" words are sprinkled among the fillers; the label is
  1 when the good ones outnumber the bad ones. Where they stand does not matter.

Examples:
    >>> texts, labels = order_texts(4, length=12, min_gap=4, seed=0)
    >>> [t.split().index("alpha") < t.split().index("omega") for t in texts] == list(labels == 1)
    True
    >>> [t.split().count("alpha") + t.split().count("omega") for t in texts]
    [2, 2, 2, 2]
"""

from __future__ import annotations

import numpy as np

__all__ = ["keyword_texts", "order_texts"]

GOOD = ("good", "great", "fine", "superb", "lovely")
BAD = ("bad", "awful", "poor", "dull", "boring")


def _fillers(rng, n: int, length: int, vocab_size: int) -> np.ndarray:
    """(n, length) filler words "w0" ... "w{vocab_size-1}", drawn with a Zipf-like frequency (as real words)."""
    p = 1.0 / np.arange(1, vocab_size + 1)
    ids = rng.choice(vocab_size, size=(n, length), p=p / p.sum())  # (n, length)
    return np.char.add("w", ids.astype(str))


def order_texts(n: int, length: int = 200, vocab_size: int = 500, min_gap: int = 50, seed: int = 0):
    """``n`` texts of ``length`` words whose label says whether "alpha" comes before "omega".

    The two markers stand at least ``min_gap`` words apart, anywhere in the text, and every text
    holds each marker once: a bag of words cannot tell the classes apart (labels are balanced).
    Where one marker stands gives part of the answer (the first of the two tends to stand early:
    a rule that reads one marker's position is right about 9 times in 10 with the defaults of
    the integration tests); only their order gives all of it.

    Returns:
        texts: NumPy array of ``n`` strings; labels: (n,) int64, 1 when "alpha" comes first.
    """
    if not 0 < min_gap < length:
        raise ValueError(f"order_texts: min_gap must be in [1, length - 1] = [1, {length - 1}], got {min_gap}")
    rng = np.random.default_rng(seed)
    words = _fillers(rng, n, length, vocab_size)
    first = rng.integers(0, length - min_gap, n)  # (n,) where the earlier marker stands
    second = first + min_gap + (rng.random(n) * (length - min_gap - first)).astype(int)  # (n,) >= first + min_gap
    labels = rng.integers(0, 2, n)
    rows = np.arange(n)
    words[rows, first] = np.where(labels == 1, "alpha", "omega")
    words[rows, second] = np.where(labels == 1, "omega", "alpha")
    return np.array([" ".join(row) for row in words]), labels.astype(np.int64)


def keyword_texts(n: int, length: int = 200, vocab_size: int = 500, keywords: int = 9, seed: int = 0):
    """``n`` texts whose label is 1 when good words outnumber bad ones (order plays no part).

    Each text holds ``keywords`` (odd, so there is no tie) words from ``GOOD`` and ``BAD`` at
    random places among ``length`` filler words.

    Returns:
        texts: NumPy array of ``n`` strings; labels: (n,) int64.
    """
    if keywords % 2 == 0 or not 0 < keywords <= length:
        raise ValueError(f"keyword_texts: keywords must be odd and in [1, length], got {keywords}")
    rng = np.random.default_rng(seed)
    words = _fillers(rng, n, length, vocab_size)
    good = rng.random((n, keywords)) < 0.5  # (n, keywords) which of the sprinkled words are good
    picks = rng.integers(0, len(GOOD), (n, keywords))
    sprinkled = np.where(good, np.array(GOOD)[picks], np.array(BAD)[picks])  # (n, keywords)
    places = np.argsort(rng.random((n, length)), axis=1)[:, :keywords]  # (n, keywords) distinct positions
    np.put_along_axis(words, places, sprinkled, axis=1)
    labels = (good.sum(axis=1) * 2 > keywords).astype(np.int64)
    return np.array([" ".join(row) for row in words]), labels
