"""The notebooks of sections 6.3, 6.4 and 7.1 (first edition) run with our packages and learn.

Each script's ``main(["--quick"])`` runs on its offline stand-ins (Seattle's daily weather from
vega_datasets for Jena; SpamAssassin emails and mnist_subset, fetched into the cache by
tools/fetch_data.py before the tests; scikit-learn's digits; generated data) and must learn well
past the baselines it reports, and print its table beside the book.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "notebooks"))

import nb6_3_advanced_usage_of_recurrent_neural_networks as recurrent  # noqa: E402
import nb6_4_sequence_processing_with_convnets as convnets  # noqa: E402
import nb7_1_beyond_the_sequential_model as functional  # noqa: E402


def test_recurrent_forecasters_learn_the_temperature(capsys):
    results = recurrent.main(["--quick"])
    naive, mean = results["naive_mae"], results["mean_baseline_mae"]
    assert naive < 0.5 * mean  # tomorrow as today: the strong common-sense baseline of the book
    for name in ("gru", "gru_dropout", "stacked_gru", "bidirectional_gru"):
        assert results[name] < 0.6 * mean, name  # learned far past always predicting the mean
    assert min(results[name] for name in ("gru", "gru_dropout", "stacked_gru", "bidirectional_gru")) < 1.15 * naive
    assert results["gru"] < results["dense"]  # reading the window in order beats flattening it
    assert results["gru"] < results["reversed_gru"]  # and in chronological order
    out = capsys.readouterr().out
    assert "6.3 Advanced usage of recurrent neural networks: ours beside the book" in out


def test_convnets_classify_text_and_forecast_worse_than_the_baseline(capsys):
    results = convnets.main(["--quick"])
    assert results["text_best_val_acc"] > results["text_majority"] + 0.15
    assert results["text_test_acc"] > results["text_majority"] + 0.15
    mean, naive = results["mean_baseline_mae"], results["naive_mae"]
    assert results["conv"] < 0.75 * mean and results["conv_gru"] < 0.75 * mean  # they learn something
    assert results["conv"] > naive  # the book's point: a convnet cannot tell yesterday from last month
    out = capsys.readouterr().out
    assert "6.4 Sequence processing with convnets: ours beside the book" in out


def test_functional_api_models_learn_and_callbacks_act(capsys):
    results = functional.main(["--quick"])
    assert results["functional_vs_sequential"] < 1e-6  # the same network, written two ways
    assert results["functional_acc"] > results["functional_majority"] + 0.5
    assert results["qa_acc"] > results["qa_chance"] + 0.2  # both inputs read: 50 answers
    assert results["qa_questions_shuffled"] < 0.6 * results["qa_acc"]
    assert results["value_mae"] < 0.7 * results["value_mean_mae"]
    assert results["digit_acc"] > results["digit_majority"] + 0.5
    assert results["parity_acc"] > results["parity_majority"] + 0.2
    assert results["siamese_params"] == results["siamese_lstm_params"] + 65  # one LSTM for both inputs
    assert results["siamese_acc"] > 0.6 and results["pair_acc"] > 0.6  # chance: 0.5
    assert results["epochs_run"] < 50 and results["stopped_epoch"] == results["epochs_run"]
    assert results["checkpoint_difference"] < 1e-6  # the checkpoint is the best epoch's model
    assert results["final_learning_rate"] <= results["first_learning_rate"]
    assert results["log_lines"] == results["epochs_run"]
    out = capsys.readouterr().out
    assert "7.1 Going beyond the Sequential model: the Keras functional API: ours beside the book" in out
