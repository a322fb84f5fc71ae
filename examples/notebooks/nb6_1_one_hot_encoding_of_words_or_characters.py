"""One-hot encoding of words or characters

The book's section 6.1 (first edition) turns two toy sentences into numbers four ways: a
word-level one-hot encoding written by hand (listing 6.1), a character-level one (listing
6.2), Keras's ``Tokenizer`` (listing 6.3: ``texts_to_sequences``, ``texts_to_matrix`` in
``mode='binary'``, ``word_index``; the book prints "Found 9 unique tokens.") and the hashing
trick (listing 6.4). No data set and no training: the two sentences are the data, in the book
as here.

Each listing is written out by hand as the book does, then done again with dl-sequence's
functions (``one_hot_words``, ``one_hot_characters``, ``Tokenizer``, ``hashing_trick``), and
the two are checked equal. One change in the hashing trick: the book hashes with Python's
``hash``, which is salted per process (the same word gets another index in the next run);
ours hashes with md5, as ``dl_sequence.hashing_trick`` does, so the indices are the same on
every run, and (as Keras's ``hashing_trick``) into 1..999, leaving index 0 to no word; the words
are lower-cased and stripped of their full stops first, as ``hashing_trick`` splits them.

    python examples/notebooks/nb6_1_one_hot_encoding_of_words_or_characters.py [--quick] [--seed 0]

(``--quick`` and ``--seed`` are accepted for uniformity with the other notebook scripts; the
run is instantaneous and has no randomness.)
"""

from __future__ import annotations

import argparse
import hashlib
import string

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_sequence import Tokenizer, hashing_trick, one_hot_characters, one_hot_words

TITLE = "6.1 One-hot encoding of words or characters"
SAMPLES = ["The cat sat on the mat.", "The dog ate my homework."]
DATA = "the book's two toy sentences"


def word_level_by_hand(samples, max_length=10):
    """Listing 6.1: an index of the words split on spaces (from 1), then one 1 per (sample, word)."""
    token_index = {}
    for sample in samples:
        for word in sample.split():  # no lower-casing, punctuation kept: "The", "the" and "mat." are 3 tokens
            if word not in token_index:
                token_index[word] = len(token_index) + 1  # index 0 belongs to no word
    results = np.zeros((len(samples), max_length, max(token_index.values()) + 1))
    for i, sample in enumerate(samples):
        for j, word in list(enumerate(sample.split()))[:max_length]:
            results[i, j, token_index[word]] = 1.0
    return results, token_index


def character_level_by_hand(samples, max_length=50):
    """Listing 6.2: the 100 printable ASCII characters, indices 1..100, one 1 per (sample, character)."""
    characters = string.printable
    token_index = dict(zip(characters, range(1, len(characters) + 1)))
    results = np.zeros((len(samples), max_length, max(token_index.values()) + 1))
    for i, sample in enumerate(samples):
        for j, character in enumerate(sample[:max_length]):
            results[i, j, token_index[character]] = 1.0
    return results


def md5_index(word: str, dimensionality: int) -> int:
    """A stable hash of a word in [1, dimensionality - 1] (Python's ``hash`` changes at every run)."""
    return int(hashlib.md5(word.encode()).hexdigest(), 16) % (dimensionality - 1) + 1


def hashing_by_hand(samples, dimensionality=1000, max_length=10):
    """Listing 6.4: each word's index is its hash modulo the size of the space; no word index is kept.

    The words are those of ``Tokenizer``/``hashing_trick`` (lower case, punctuation removed), so that
    the result can be checked against ``dl_sequence.hashing_trick``.
    """
    results = np.zeros((len(samples), max_length, dimensionality))
    for i, sample in enumerate(samples):
        words = sample.lower().replace(".", " ").split()
        for j, word in list(enumerate(words))[:max_length]:
            results[i, j, md5_index(word, dimensionality)] = 1.0
    return results


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted; the run is the same (it is instantaneous)")
    parser.add_argument("--seed", type=int, default=0, help="accepted; nothing here is random")
    args = parser.parse_args(argv)
    dl_layers.set_random_seed(args.seed)
    samples = SAMPLES
    print("samples:", samples)

    # Listing 6.1: word-level one-hot encoding
    results, token_index = word_level_by_hand(samples, max_length=10)
    ours, ours_index = one_hot_words(samples, max_length=10)
    word_equal = bool(np.array_equal(results, ours)) and ours_index == token_index
    print(f"\nword level: {len(token_index)} tokens {token_index}")
    print(f"word level: results {results.shape} (samples, max_length, max index + 1); "
          f"one_hot_words gives the same: {word_equal}")

    # Listing 6.2: character-level one-hot encoding
    char_results = character_level_by_hand(samples, max_length=50)
    char_ours, _ = one_hot_characters(samples, max_length=50)
    char_equal = bool(np.array_equal(char_results, char_ours))
    print(f"\ncharacter level: results {char_results.shape} (samples, max_length, 100 characters + 1); "
          f"one_hot_characters gives the same: {char_equal}")

    # Listing 6.3: Keras's Tokenizer, top 1,000 words
    tokenizer = Tokenizer(num_words=1000)
    tokenizer.fit_on_texts(samples)  # builds the word index
    sequences = tokenizer.texts_to_sequences(samples)  # strings -> lists of integer indices
    one_hot_results = tokenizer.texts_to_matrix(samples, mode="binary")  # (2, 1000): one row per sample
    word_index = tokenizer.word_index
    print(f"\nFound {len(word_index)} unique tokens.")
    print(f"Tokenizer: word_index {word_index}")
    print(f"Tokenizer: sequences {sequences}; binary matrix {one_hot_results.shape}, "
          f"{int(one_hot_results.sum())} ones")

    # Listing 6.4: the hashing trick, vectors of size 1,000
    dimensionality, max_length = 1000, 10
    hashed = hashing_by_hand(samples, dimensionality, max_length)
    hashed_ids = [hashing_trick(sample, dimensionality) for sample in samples]
    from_library = np.zeros_like(hashed)
    for i, ids in enumerate(hashed_ids):
        from_library[i, np.arange(len(ids[:max_length])), ids[:max_length]] = 1.0
    hash_equal = bool(np.array_equal(hashed, from_library))
    words = {w for sample in samples for w in sample.lower().replace(".", " ").split()}
    collisions = len(words) - len({md5_index(w, dimensionality) for w in words})
    print(f"\nhashing trick: results {hashed.shape} (samples, max_length, dimensionality); ids {hashed_ids}; "
          f"hashing_trick gives the same: {hash_equal}; {collisions} collision(s) among {len(words)} words")

    rows = [
        Row("Tokenizer: unique tokens found (word_index)", 9, len(word_index), DATA),
        Row("word-level one-hot (6.1): results shape", None, str(results.shape), DATA),
        Row("word-level one-hot (6.1): tokens in the hand-made index", None, len(token_index), DATA),
        Row("character-level one-hot (6.2): results shape", None, str(char_results.shape), DATA),
        Row("Tokenizer: texts_to_sequences", None, str(sequences), DATA),
        Row("Tokenizer: texts_to_matrix(mode='binary') shape", None, str(one_hot_results.shape), DATA),
        Row("hashing trick (6.4, md5 for Python's hash): results shape", None, str(hashed.shape), DATA),
        Row("by hand == dl_sequence (words, characters, hashing)", None,
            f"{word_equal}, {char_equal}, {hash_equal}", DATA),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "unique_tokens": len(word_index), "word_shape": results.shape,
            "char_shape": char_results.shape, "matrix_shape": one_hot_results.shape, "hash_shape": hashed.shape,
            "sequences": sequences, "by_hand_equal": word_equal and char_equal and hash_equal,
            "hash_collisions": collisions}


if __name__ == "__main__":
    main()
