"""lower_is_better: one rule for which way a logged metric is better, used by dl-workflow's
callbacks and searches and by dl-viz's best epoch."""

import pytest

from dl_layers.metrics import lower_is_better


@pytest.mark.parametrize("name", ["loss", "val_loss", "mae", "val_mae", "mse", "mean_absolute_error",
                                  "mean_squared_error", "binary_crossentropy", "val_categorical_crossentropy",
                                  "error_rate", "reconstruction_loss", "Loss", "kl_divergence", "huber",
                                  "false_positives", "val_false_negatives", "hinge", "logcosh"])
def test_losses_and_errors_are_better_lower(name):
    assert lower_is_better(name) is True


@pytest.mark.parametrize("name", ["accuracy", "acc", "val_acc", "val_accuracy", "auc", "precision", "recall",
                                  "binary_accuracy", "top_k_categorical_accuracy", "val_sparse_categorical_accuracy",
                                  "true_positives", "f1_score", "r2"])
def test_scores_are_better_higher(name):
    assert lower_is_better(name) is False


def test_a_loss_word_wins_over_an_accuracy_word():
    assert lower_is_better("accuracy_loss") is True


def test_lower_is_better_wants_a_name():
    with pytest.raises(TypeError, match=r"lower_is_better: a metric name \(str\) was expected"):
        lower_is_better(3)
