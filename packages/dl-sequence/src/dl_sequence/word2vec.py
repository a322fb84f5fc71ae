"""word2vec: learn word vectors from raw text by predicting which words appear together.

The skip-gram idea: a word is known by the company it keeps. Take every pair (target,
context) of words at most ``window`` positions apart in a sentence as a positive example
(label 1), and pair each target with a few words drawn at random as negative examples
(label 0). A model with two embedding tables (one for targets, one for contexts) scores a
pair by the dot product of the two vectors, through a sigmoid, and learns with binary
cross-entropy. Words met in the same contexts end up with vectors pointing the same way.

``skipgrams`` and ``make_sampling_table`` are Keras 2's ``keras.preprocessing.sequence``
functions (same arguments, same rules, vectorised). ``Word2Vec`` trains skip-gram with
negative sampling as a dl-layers model: two ``Embedding`` layers, a dot product, and
``fit``.
"""

from __future__ import annotations

import collections
import re

import numpy as np

import dl_layers
from dl_layers import initializers
from dl_layers.checks import check_bool, check_number
from dl_tensor import random as dl_random

from .embedding import Embedding
from .word_vectors import WordVectors

__all__ = ["Word2Vec", "make_sampling_table", "skipgrams"]


def make_sampling_table(size, sampling_factor=1e-5):
    """Keras 2's sampling table: the probability of keeping each word of rank ``i`` as a target.

    Word frequencies in text follow Zipf's law: the word of rank ``i`` has a frequency about
    ``1 / (i * (log(i) + gamma))``. word2vec keeps a word with probability
    ``min(1, sqrt(sampling_factor / frequency))``, so that the most frequent words ("the",
    "a") are mostly skipped. Index 0 is the padding and gets the same value as index 1.

    Args:
        size: number of ids (the vocabulary size).
        sampling_factor: word2vec's sample parameter.

    Returns:
        (size,) float64 array of probabilities, ``sampling_table[i]`` for the i-th most
        frequent word.

    Examples:
        >>> make_sampling_table(5, sampling_factor=1e-3)
        array([0.0315, 0.0315, 0.0548, 0.0742, 0.0913])
    """
    size = check_number("make_sampling_table", "size", size, minimum=1, integer=True)
    sampling_factor = check_number("make_sampling_table", "sampling_factor", sampling_factor, minimum=0)
    gamma = 0.577
    rank = np.arange(size, dtype=np.float64)
    rank[0] = 1
    inv_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_frequency
    return np.minimum(1.0, f / np.sqrt(f))


def _window_pairs(ids: np.ndarray, window: int, group: np.ndarray | None = None, targets: np.ndarray | None = None):
    """Positions ``(i, j)``, ordered by i then j, with ``0 < |i - j| <= window``, both ids
    non-zero, (with ``group``) in the same sentence and (with ``targets``, bool) i a target."""
    n = len(ids)
    offsets = np.arange(-window, window + 1)  # (2w + 1,)
    j = np.arange(n)[:, None] + offsets  # (n, 1) + (2w + 1,) -> (n, 2w + 1)
    inside = (j >= 0) & (j < n) & (offsets != 0)
    j = np.clip(j, 0, max(n - 1, 0))
    valid = inside & (ids[:, None] != 0) & (ids[j] != 0)  # (n, 2w + 1)
    if targets is not None:
        valid &= targets[:, None]
    if group is not None:
        valid &= group[:, None] == group[j]
    rows, cols = np.nonzero(valid)  # row-major order: by target position, then context position
    return rows, j[rows, cols]


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True, categorical=False,
              sampling_table=None, seed=None):
    """Keras 2's skip-gram pairs of one sequence of word ids, with negative samples.

    Positive pairs: ``(sequence[i], sequence[j])`` for every ``j != i`` at most
    ``window_size`` positions away, label 1. Id 0 is padding: it is never a target or a
    context. Negative pairs: ``negative_samples`` times as many, each a target of the
    positive pairs (shuffled) with a random id from [1, vocabulary_size), label 0. With a
    ``sampling_table``, a word of id ``w`` is kept as a target with probability
    ``sampling_table[w]``.

    Unlike Keras 2, the results are NumPy arrays rather than lists of lists (``zip(*couples)``
    and ``np.array(couples)`` work the same), and the random draws come from dl-tensor's
    generator (``dl_layers.set_random_seed``), or from ``seed`` if given.

    Args:
        sequence: 1-D sequence of word ids (ids from 1; 0 is skipped).
        vocabulary_size: ids of negative samples are drawn from [1, vocabulary_size).
        window_size: largest distance between a target and a context.
        negative_samples: negatives per positive (a float >= 0).
        shuffle: shuffle the pairs (positives come first otherwise).
        categorical: labels one-hot, ``[0, 1]`` for positives and ``[1, 0]`` for negatives.
        sampling_table: (vocabulary_size,) probabilities of keeping each id as a target
            (``make_sampling_table``).
        seed: makes the random draws repeatable.

    Returns:
        ``(couples, labels)``: (n, 2) int64 ``[target, context]`` pairs and (n,) int64 labels
        ((n, 2) if categorical).

    Examples:
        >>> couples, labels = skipgrams([1, 2, 3], vocabulary_size=4, window_size=1, negative_samples=0,
        ...                             shuffle=False)
        >>> couples.tolist(), labels.tolist()
        ([[1, 2], [2, 1], [2, 3], [3, 2]], [1, 1, 1, 1])
    """
    owner = "skipgrams"
    seq = np.asarray(sequence)
    if seq.ndim != 1 or (seq.size and seq.dtype.kind not in "iu"):
        raise ValueError(f"{owner}: expected a 1-D sequence of integer word ids, got an array of shape {seq.shape} "
                         f"and dtype {seq.dtype}")
    seq = seq.astype(np.int64)
    if seq.size and seq.min() < 0:
        raise ValueError(f"{owner}: word ids must be >= 0, got {int(seq.min())}")
    vocabulary_size = check_number(owner, "vocabulary_size", vocabulary_size, minimum=1, integer=True)
    window_size = check_number(owner, "window_size", window_size, minimum=0, integer=True)
    negative_samples = check_number(owner, "negative_samples", negative_samples, minimum=0)
    shuffle, categorical = check_bool(owner, "shuffle", shuffle), check_bool(owner, "categorical", categorical)
    if negative_samples > 0 and vocabulary_size < 2:
        raise ValueError(f"{owner}: negative samples are drawn from [1, vocabulary_size), so vocabulary_size must be "
                         f">= 2, got {vocabulary_size}")
    rng = np.random.default_rng(seed) if seed is not None else dl_random.get_rng()

    targets = None
    if sampling_table is not None:
        table = np.asarray(sampling_table)
        if seq.size and seq.max() >= len(table):
            raise ValueError(f"{owner}: word id {int(seq.max())} has no entry in the sampling table of "
                             f"{len(table)} entries")
        targets = table[seq] >= rng.random(len(seq))  # (n,) kept as a target (Keras skips it if table < draw)
    i, j = _window_pairs(seq, window_size, targets=targets)
    couples = np.stack([seq[i], seq[j]], axis=1)  # (pairs, 2)
    labels = np.ones(len(couples), np.int64)
    n_negative = int(len(labels) * negative_samples)
    if n_negative:
        words = rng.permutation(couples[:, 0])  # the targets, shuffled
        negatives = np.stack([words[np.arange(n_negative) % len(words)],  # (n_negative, 2)
                              rng.integers(1, vocabulary_size, size=n_negative)], axis=1)
        couples = np.concatenate([couples, negatives])
        labels = np.concatenate([labels, np.zeros(n_negative, np.int64)])
    if categorical:
        labels = np.stack([1 - labels, labels], axis=1)  # (n,) -> (n, 2): [0, 1] positive, [1, 0] negative
    if shuffle:
        order = rng.permutation(len(couples))
        couples, labels = couples[order], labels[order]
    return couples, labels


def _tokens(text) -> list[str]:
    """A text's words: lower case runs of letters, digits and underscores; a list of tokens as it is."""
    if isinstance(text, str):
        return re.findall(r"\w+", text.lower())
    return [str(t) for t in text]


def _dot(vectors):
    """Score of each (target, context) pair: the dot product of their vectors."""
    target, contexts = vectors  # (batch, 1, dim), (batch, 1 + negative, dim)
    return (contexts * target).sum(axis=-1)  # (batch, 1 + negative, dim) -> (batch, 1 + negative)


class Word2Vec:
    """Skip-gram with negative sampling, trained with ``fit`` on a dl-layers model.

    Each training example is a target word, its true context word and ``negative`` noise
    words drawn from the unigram distribution raised to the power 3/4 (word2vec's choice),
    with labels ``[1, 0, ..., 0]``. The model: ``Embedding`` of the target (the word vectors
    you keep), ``Embedding`` of the contexts, their dot products as logits, binary
    cross-entropy. Noise words are drawn again at every epoch.

    Args:
        vector_size: length of the word vectors.
        window: largest distance between a target and a context word.
        negative: noise words per true pair.
        epochs: passes over the pairs.
        learning_rate: Adam's learning rate.
        batch_size: pairs per step.
        min_count: words seen fewer times are dropped from the text.
        seed: makes the initial vectors, the noise words and the shuffling repeatable.

    Attributes (after ``fit``):
        vocabulary: the words, most frequent first; row ``i`` of ``vectors`` is word ``i``.
        vectors: (len(vocabulary), vector_size) float32 word vectors (the target table).
        word_vectors: the same as a ``WordVectors`` (``nearest_neighbors``, ``analogy``).
        history: the mean loss of each epoch.

    Examples:
        >>> texts = ["the cat eats", "the dog eats", "a car drives", "a truck drives"] * 50
        >>> w2v = Word2Vec(vector_size=8, epochs=3, seed=0).fit(texts)
        >>> w2v.vocabulary
        ['the', 'eats', 'a', 'drives', 'cat', 'dog', 'car', 'truck']
        >>> w2v.vectors.shape
        (8, 8)
    """

    def __init__(self, vector_size=50, window=4, negative=5, epochs=5, learning_rate=0.01, batch_size=256,
                 min_count=1, seed=0):
        owner = "Word2Vec"
        self.vector_size = check_number(owner, "vector_size", vector_size, minimum=1, integer=True)
        self.window = check_number(owner, "window", window, minimum=1, integer=True)
        self.negative = check_number(owner, "negative", negative, minimum=1, integer=True)
        self.epochs = check_number(owner, "epochs", epochs, minimum=1, integer=True)
        self.learning_rate = check_number(owner, "learning_rate", learning_rate, minimum=0, min_inclusive=False)
        self.batch_size = check_number(owner, "batch_size", batch_size, minimum=1, integer=True)
        self.min_count = check_number(owner, "min_count", min_count, minimum=1, integer=True)
        self.seed = check_number(owner, "seed", seed, minimum=0, integer=True, none_ok=True)
        self.vocabulary, self.vectors, self.model, self.history = None, None, None, []

    def _build(self, n_words: int):
        """Two Embedding tables, a dot product per pair: logits (batch, 1 + negative)."""
        target = dl_layers.Input(shape=(1,), dtype="int64", name="target")
        contexts = dl_layers.Input(shape=(1 + self.negative,), dtype="int64", name="contexts")
        spread = 0.5 / self.vector_size  # word2vec's initial vectors: uniform in +-0.5 / vector_size
        target_vectors = Embedding(n_words, self.vector_size, name="target_embedding",
                                   embeddings_initializer=initializers.RandomUniform(-spread, spread, seed=self.seed))
        context_vectors = Embedding(n_words, self.vector_size, name="context_embedding",
                                    embeddings_initializer="zeros")  # word2vec starts them at 0
        pair = [target_vectors(target), context_vectors(contexts)]  # (batch, 1, dim), (batch, 1 + k, dim)
        logits = dl_layers.Lambda(_dot, output_shape=(1 + self.negative,), name="dot")(pair)  # (batch, 1 + k)
        model = dl_layers.Model([target, contexts], logits, name="word2vec")
        model.compile(optimizer=dl_layers.optimizers.Adam(self.learning_rate),
                      loss=dl_layers.losses.BinaryCrossentropy(from_logits=True))
        return model

    def fit(self, texts, verbose=0) -> Word2Vec:
        """Learn vectors from texts (strings, split into lower-case words) or lists of tokens.

        Returns:
            self.
        """
        sentences = [_tokens(t) for t in texts]
        counts = collections.Counter(w for s in sentences for w in s)
        self.vocabulary = [w for w, c in counts.most_common() if c >= self.min_count]  # ties: first seen first
        if len(self.vocabulary) < 2:
            raise ValueError(f"Word2Vec: the texts hold {len(self.vocabulary)} word(s) seen at least min_count="
                             f"{self.min_count} times; at least 2 are needed")
        index = {w: i + 1 for i, w in enumerate(self.vocabulary)}  # 0 marks dropped words
        ids = np.array([index.get(w, 0) for s in sentences for w in s], dtype=np.int64)  # all sentences, end to end
        sentence_of = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
        kept = ids != 0  # words under min_count are removed before the windows are taken, as in word2vec
        ids, sentence_of = ids[kept] - 1, sentence_of[kept]
        i, j = _window_pairs(ids + 1, self.window, group=sentence_of)
        if len(i) == 0:
            raise ValueError("Word2Vec: no two words share a sentence, so there are no (target, context) pairs")
        targets, contexts = ids[i], ids[j]  # (pairs,)
        frequency = np.array([counts[w] for w in self.vocabulary], dtype=np.float64)
        noise = frequency ** 0.75 / np.sum(frequency ** 0.75)  # word2vec's noise distribution

        rng = np.random.default_rng(self.seed)
        self.model = self._build(len(self.vocabulary))
        labels = np.zeros((len(targets), 1 + self.negative), np.float32)
        labels[:, 0] = 1  # (pairs, 1 + negative): the true context first, then the noise words
        self.history = []
        for _ in range(self.epochs):
            noise_words = rng.choice(len(noise), size=(len(targets), self.negative), p=noise)  # (pairs, negative)
            order = rng.permutation(len(targets))
            x = [targets[order, None], np.concatenate([contexts[order, None], noise_words], axis=1)]  # (p, 1), (p, 1+k)
            h = self.model.fit(x, labels, batch_size=self.batch_size, epochs=1, shuffle=False, verbose=verbose)
            self.history.append(h.history["loss"][0])
        self.vectors = self.model.get_layer("target_embedding").get_weights()[0]
        return self

    def _check_fitted(self):
        if self.vectors is None:
            raise ValueError("Word2Vec: call fit(texts) first")

    @property
    def word_vectors(self) -> WordVectors:
        """The learned vectors with their vocabulary."""
        self._check_fitted()
        return WordVectors(self.vocabulary, self.vectors)

    def most_similar(self, word, k=5) -> list:
        """The ``k`` words nearest to ``word`` by cosine similarity, as ``(word, similarity)``."""
        return self.word_vectors.nearest_neighbors(word, k=k)
