"""word2vec: Keras 2's skipgrams and make_sampling_table against transcriptions of their loops,
and the Word2Vec trainer on text whose words fall in two groups by the contexts they share."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_sequence import Word2Vec, cosine_similarity, make_sampling_table, skipgrams


def keras_positive_pairs(sequence, window_size):
    """Keras 2's loop, without the random parts."""
    couples = []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
    return couples


@given(st.lists(st.integers(0, 6), max_size=20), st.integers(0, 4))
def test_positive_pairs_follow_keras_order_and_rules(sequence, window_size):
    couples, labels = skipgrams(sequence, 7, window_size=window_size, negative_samples=0, shuffle=False)
    expected = keras_positive_pairs(sequence, window_size)
    assert couples.reshape(-1, 2).tolist() == expected
    assert labels.tolist() == [1] * len(expected)


def test_negative_samples():
    sequence = [1, 2, 3, 4, 5, 0, 6]
    couples, labels = skipgrams(sequence, 10, window_size=2, negative_samples=1.5, shuffle=False, seed=0)
    positives = keras_positive_pairs(sequence, 2)
    n_negative = int(len(positives) * 1.5)
    assert len(couples) == len(positives) + n_negative
    assert couples[:len(positives)].tolist() == positives
    negatives = couples[len(positives):]
    assert labels.tolist() == [1] * len(positives) + [0] * n_negative
    assert negatives[:, 1].min() >= 1 and negatives[:, 1].max() <= 9  # random ids in [1, vocabulary_size)
    # the targets of the negatives are the positives' targets, shuffled, then cycled
    first_round = sorted(negatives[:len(positives), 0].tolist())
    assert first_round == sorted(p[0] for p in positives)
    np.testing.assert_array_equal(negatives[len(positives):, 0], negatives[:n_negative - len(positives), 0])


def test_shuffle_keeps_pairs_with_their_labels_and_seed_repeats():
    sequence = np.arange(1, 30)
    plain = skipgrams(sequence, 30, seed=3, shuffle=False)
    shuffled = skipgrams(sequence, 30, seed=3)
    assert sorted(map(tuple, np.column_stack(plain).tolist())) == sorted(map(tuple, np.column_stack(shuffled).tolist()))
    again = skipgrams(sequence, 30, seed=3)
    np.testing.assert_array_equal(again[0], shuffled[0])
    np.testing.assert_array_equal(again[1], shuffled[1])


def test_categorical_labels():
    couples, labels = skipgrams([1, 2, 3], 4, window_size=1, categorical=True, shuffle=False, seed=0)
    assert labels.tolist() == [[0, 1]] * 4 + [[1, 0]] * 4


def test_sampling_table_keeps_targets_with_its_probability():
    sequence = np.arange(1, 10)
    everything = skipgrams(sequence, 10, negative_samples=0, shuffle=False)[0]
    kept = skipgrams(sequence, 10, negative_samples=0, shuffle=False, sampling_table=np.ones(10))[0]
    np.testing.assert_array_equal(kept, everything)
    assert len(skipgrams(sequence, 10, negative_samples=0, sampling_table=np.zeros(10))[0]) == 0
    table = np.where(np.arange(10) % 2 == 0, 1.0, 0.0)  # even ids always kept as targets, odd never
    couples = skipgrams(sequence, 10, negative_samples=0, shuffle=False, sampling_table=table)[0]
    assert set(couples[:, 0].tolist()) == {2, 4, 6, 8}
    assert 1 in couples[:, 1]  # odd words are still contexts
    probabilities = np.full(3, 0.3)
    many = skipgrams(np.ones(20000, np.int64), 3, window_size=1, negative_samples=0, sampling_table=probabilities,
                     seed=0)[0]
    assert abs(len(many) / (2 * 20000) - 0.3) < 0.02  # each target kept with probability 0.3


def test_skipgrams_errors():
    with pytest.raises(ValueError, match="1-D sequence of integer word ids"):
        skipgrams([[1, 2]], 5)
    with pytest.raises(ValueError, match="1-D sequence of integer word ids"):
        skipgrams([1.5, 2.0], 5)
    with pytest.raises(ValueError, match="word ids must be >= 0"):
        skipgrams([1, -2], 5)
    with pytest.raises(ValueError, match="vocabulary_size must be >= 2"):
        skipgrams([1, 1], 1)
    with pytest.raises(ValueError, match="word id 7 has no entry in the sampling table of 5"):
        skipgrams([1, 7], 8, sampling_table=np.ones(5))
    assert [len(a) for a in skipgrams([], 5)] == [0, 0]


def test_make_sampling_table_is_keras_formula():
    table = make_sampling_table(1000, sampling_factor=1e-4)
    for i in (0, 1, 2, 10, 999):
        rank = max(i, 1)
        f = 1e-4 * (rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank))
        assert table[i] == pytest.approx(min(1.0, np.sqrt(f) if f > 0 else 0), rel=1e-12)
    assert table.shape == (1000,) and np.all(np.diff(table[1:]) >= 0)  # rarer words kept more often


# -- the trainer ----------------------------------------------------------------------------

ANIMALS, VEHICLES = ["cat", "dog", "mouse", "horse"], ["car", "truck", "bus", "van"]


def two_topic_texts(n, seed=0):
    """Animals eat and sleep after "the"; vehicles drive and park after "a"."""
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(n):
        if rng.random() < 0.5:
            texts.append(f"the {rng.choice(ANIMALS)} {rng.choice(['eats', 'sleeps', 'runs'])} then "
                         f"the {rng.choice(ANIMALS)} {rng.choice(['eats', 'sleeps', 'runs'])}")
        else:
            texts.append(f"a {rng.choice(VEHICLES)} {rng.choice(['drives', 'parks', 'honks'])} then "
                         f"a {rng.choice(VEHICLES)} {rng.choice(['drives', 'parks', 'honks'])}")
    return texts


def test_words_sharing_contexts_end_up_nearer():
    w2v = Word2Vec(vector_size=16, window=3, negative=5, epochs=2, seed=0).fit(two_topic_texts(1500))
    wv = w2v.word_vectors
    for group, other in ((ANIMALS, VEHICLES), (VEHICLES, ANIMALS)):
        for word in group:
            same = [cosine_similarity(wv[word], wv[w]) for w in group if w != word]
            different = [cosine_similarity(wv[word], wv[w]) for w in other]
            assert min(same) > max(different), (word, same, different)
            assert {w for w, _ in w2v.most_similar(word, k=3)} == set(group) - {word}


def test_vocabulary_min_count_and_shapes():
    texts = ["b a b c", ["a", "b", "d"], "B, A!"]
    w2v = Word2Vec(vector_size=4, epochs=1, min_count=2).fit(texts)
    assert w2v.vocabulary == ["b", "a"]  # most frequent first; "c" and "d" dropped
    assert w2v.vectors.shape == (2, 4) and w2v.vectors.dtype == np.float32
    assert len(w2v.history) == 1


def test_same_seed_same_vectors():
    texts = two_topic_texts(50)
    a = Word2Vec(vector_size=4, epochs=2, seed=1).fit(texts).vectors
    b = Word2Vec(vector_size=4, epochs=2, seed=1).fit(texts).vectors
    np.testing.assert_array_equal(a, b)


def test_training_lowers_the_loss():
    w2v = Word2Vec(vector_size=8, epochs=4, seed=0).fit(two_topic_texts(300))
    assert all(later < earlier for earlier, later in itertools.pairwise(w2v.history[:3]))


def test_word2vec_errors():
    with pytest.raises(ValueError, match="call fit"):
        Word2Vec().most_similar("a")
    with pytest.raises(ValueError, match="at least 2 are needed"):
        Word2Vec().fit(["a a a"], )
    with pytest.raises(ValueError, match="no two words share a sentence"):
        Word2Vec().fit(["a", "b"])
    with pytest.raises(ValueError, match="`vector_size` must be an integer >= 1"):
        Word2Vec(vector_size=0)
