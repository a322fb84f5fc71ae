"""Chapter 7's callbacks in real ``fit`` runs: when training stops, which weights remain, what is
saved and whether it loads, how the learning rate moves, what the log files hold after a resume
or a crash, and the TensorBoard event files read back record by record."""

import csv
import inspect
import json
import math
import os
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

import dl_layers
from dl_layers import Dense, Layer, Model, Sequential, load_model
from dl_layers.optimizers import SGD, schedules
from dl_tensor.testing import run_docstring_examples
from dl_workflow import callbacks as cb_module
from dl_workflow.callbacks import (
    CSVLogger,
    EarlyStopping,
    JSONLinesLogger,
    JSONLogger,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TensorBoard,
    TerminateOnNaN,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3)).astype(np.float32)
Y = (X @ np.float32([[1.0], [-2.0], [0.5]]) + 0.25).astype(np.float32)
LABELS = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.float32)


def regressor(learning_rate=0.05, metrics=None):
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer=SGD(learning_rate=learning_rate), loss="mse", metrics=metrics)
    return model


def classifier(metrics=("accuracy",)):
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=list(metrics))
    return model


class Script(dl_layers.callbacks.Callback):
    """Puts scripted values in the epoch's logs; placed before the callback under test, which
    then sees them (the logs dict is shared, History records them too)."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Snapshots(dl_layers.callbacks.Callback):
    """The model's weights, predictions and optimizer learning rate at the end of each epoch."""

    def __init__(self):
        super().__init__()
        self.weights, self.predictions, self.batch_rates, self.epochs_begun = [], [], [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs_begun.append(epoch)

    def on_train_batch_begin(self, batch, logs=None):
        self.batch_rates.append(self.model.optimizer.learning_rate)

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())
        self.predictions.append(self.model.predict(X, verbose=0))


def fit(model, callbacks, epochs, **kwargs):
    kwargs.setdefault("batch_size", 10)
    return model.fit(X, kwargs.pop("y", Y), epochs=epochs, verbose=0, callbacks=callbacks, **kwargs)


def assert_weights_equal(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)


def test_docstring_examples_run():
    with np.printoptions(precision=4, suppress=True):
        run_docstring_examples("dl_workflow.callbacks")


# -- EarlyStopping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "patience", "epochs_run", "stopped_epoch"),
    [
        ([1.0, 0.9, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9], 0, 3, 2),  # stops at the first epoch without improvement
        ([1.0, 0.9, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9], 1, 3, 2),  # like patience=0, as in Keras
        ([1.0, 0.9, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9], 2, 4, 3),
        ([1.0, 0.9, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9], 3, 5, 4),
        ([1.0, 1.1, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0], 2, 5, 4),  # the improvement at epoch 2 resets the count
        ([8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0], 0, 8, 0),  # always improving: never stops
        ([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 2, 3, 2),  # equal is not better
    ],
)
def test_early_stopping_counts_patience_in_epochs_without_improvement(values, patience, epochs_run, stopped_epoch):
    stop = EarlyStopping(monitor="val_loss", patience=patience)
    history = fit(regressor(), [Script("val_loss", values), stop], epochs=len(values))
    assert len(history.history["loss"]) == epochs_run
    assert stop.stopped_epoch == stopped_epoch
    assert stop.best == min(values[:epochs_run])
    assert stop.best_epoch == int(np.argmin(values[:epochs_run]))


def test_early_stopping_improvements_smaller_than_min_delta_do_not_count():
    values = [1.0, 0.97, 0.96, 0.5, 0.4, 0.3]
    stop = EarlyStopping(monitor="val_loss", patience=2, min_delta=0.05)
    history = fit(regressor(), [Script("val_loss", values), stop], epochs=6)
    assert len(history.history["loss"]) == 3  # 0.03 and 0.04 below 1.0 are not improvements
    assert (stop.best, stop.best_epoch, stop.wait) == (1.0, 0, 2)
    plain = EarlyStopping(monitor="val_loss", patience=2)
    assert len(fit(regressor(), [Script("val_loss", values), plain], epochs=6).history["loss"]) == 6


def test_early_stopping_on_a_metric_to_maximise():
    values = [0.5, 0.6, 0.6, 0.55, 0.7]
    stop = EarlyStopping(monitor="val_accuracy", patience=1)  # mode "auto": higher is better
    assert len(fit(regressor(), [Script("val_accuracy", values), stop], epochs=5).history["loss"]) == 3
    assert (stop.best, stop.best_epoch) == (0.6, 1)
    as_loss = EarlyStopping(monitor="val_accuracy", patience=1, mode="min")  # explicitly reversed
    assert len(fit(regressor(), [Script("val_accuracy", values), as_loss], epochs=5).history["loss"]) == 2


def test_early_stopping_baseline_must_be_beaten_within_patience():
    improving_but_short = [0.9, 0.8, 0.7, 0.6, 0.55]
    stop = EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)
    assert len(fit(regressor(), [Script("val_loss", improving_but_short), stop], epochs=5).history["loss"]) == 2
    assert (stop.stopped_epoch, stop.best) == (1, 0.8)
    beaten = [0.9, 0.4, 0.45, 0.44, 0.43, 0.42]
    stop = EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)
    assert len(fit(regressor(), [Script("val_loss", beaten), stop], epochs=6).history["loss"]) == 4
    assert (stop.stopped_epoch, stop.best_epoch) == (3, 1)


def test_early_stopping_start_from_epoch_ignores_the_warm_up():
    values = [1.0, 2.0, 3.0, 2.5, 2.6, 2.7, 2.8]
    stop = EarlyStopping(monitor="val_loss", patience=1, start_from_epoch=2)
    assert len(fit(regressor(), [Script("val_loss", values), stop], epochs=7).history["loss"]) == 5
    assert (stop.best, stop.best_epoch, stop.stopped_epoch) == (2.5, 3, 4)


@pytest.mark.parametrize("stops", [True, False])
def test_early_stopping_restores_the_weights_of_the_best_epoch(stops):
    values = [1.0, 0.5, 0.7, 0.8, 0.9, 0.95]
    snaps = Snapshots()
    stop = EarlyStopping(monitor="val_loss", patience=2 if stops else 10, restore_best_weights=True)
    model = regressor()
    history = fit(model, [Script("val_loss", values), snaps, stop], epochs=6)
    assert len(history.history["loss"]) == (4 if stops else 6)
    assert stop.best_epoch == 1
    assert_weights_equal(model.get_weights(), snaps.weights[1])
    np.testing.assert_array_equal(model.predict(X, verbose=0), snaps.predictions[1])
    assert not np.array_equal(snaps.weights[1][0], snaps.weights[-1][0])  # training did move them


def test_early_stopping_without_restore_keeps_the_last_weights():
    snaps = Snapshots()
    model = regressor()
    fit(model, [Script("val_loss", [1.0, 0.5, 0.7, 0.8]), snaps, EarlyStopping(patience=2)], epochs=4)
    assert_weights_equal(model.get_weights(), snaps.weights[-1])


def test_early_stopping_on_a_validation_set_that_gets_worse():
    # the model learns y, so its loss on -y grows from the first epoch on
    stop = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    snaps = Snapshots()
    model = regressor()
    history = fit(model, [snaps, stop], epochs=20, validation_data=(X, -Y))
    val = history.history["val_loss"]
    assert len(val) == 2 and val[1] > val[0]
    assert_weights_equal(model.get_weights(), snaps.weights[0])


def test_early_stopping_verbose_prints_the_stop_and_the_restore(capsys):
    stop = EarlyStopping(monitor="val_loss", patience=1, verbose=1, restore_best_weights=True)
    fit(regressor(), [Script("val_loss", [1.0, 0.5, 0.7, 0.8]), stop], epochs=4)
    out = capsys.readouterr().out
    assert "Epoch 3: early stopping" in out and "best epoch, 2" in out


def test_early_stopping_instance_is_reset_by_each_fit():
    stop = EarlyStopping(monitor="val_loss", patience=0)
    fit(regressor(), [Script("val_loss", [0.1, 0.2]), stop], epochs=2)
    assert stop.stopped_epoch == 1
    history = fit(regressor(), [Script("val_loss", [5.0, 4.0, 3.0]), stop], epochs=3)
    assert len(history.history["loss"]) == 3  # 5.0 is not compared with the previous run's 0.1
    assert (stop.best, stop.stopped_epoch) == (3.0, 0)


@pytest.mark.parametrize(
    ("monitor", "metrics"),
    [("acc", ["accuracy"]), ("accuracy", ["acc"]), ("val_acc", ["accuracy"]), ("val_accuracy", ["acc"]),
     ("mae", ["mean_absolute_error"]), ("val_mean_absolute_error", ["mae"])],
)
def test_early_stopping_reads_either_editions_metric_names(monitor, metrics):
    stop = EarlyStopping(monitor=monitor, patience=50)
    fit(classifier(metrics), [stop], epochs=2, y=LABELS, validation_split=0.25)
    assert math.isfinite(stop.best)


def test_early_stopping_on_a_metric_that_is_not_logged_fails_at_the_first_epoch():
    snaps = Snapshots()
    with pytest.raises(ValueError, match=r"EarlyStopping: the monitored metric 'val_loss' is not in the logs at "
                                         r"the end of epoch 1; logged keys: \['loss'\] \(a validation metric needs "
                                         r"validation_data"):
        fit(regressor(), [snaps, EarlyStopping()], epochs=5)
    assert snaps.epochs_begun == [0]
    with pytest.raises(ValueError, match=r"'val_los' is not in the logs .*logged keys: \['loss', 'val_loss'\]$"):
        fit(regressor(), [EarlyStopping(monitor="val_los")], epochs=5, validation_split=0.25)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"mode": "maximum"}, ValueError, r"EarlyStopping: argument `mode` must be one of 'auto', 'min', 'max'"),
        ({"patience": -1}, ValueError, r"EarlyStopping: argument `patience` must be an integer >= 0, got -1"),
        ({"patience": 1.5}, TypeError, r"argument `patience` must be an integer"),
        ({"min_delta": -0.1}, ValueError, r"argument `min_delta` must be a number >= 0"),
        ({"monitor": 3}, TypeError, r"EarlyStopping: argument `monitor` must be the name of a logged metric"),
        ({"monitor": ""}, TypeError, r"argument `monitor`"),
        ({"restore_best_weights": "yes"}, TypeError, r"argument `restore_best_weights` must be True or False"),
        ({"baseline": "low"}, TypeError, r"argument `baseline` must be a number or None"),
        ({"start_from_epoch": -2}, ValueError, r"argument `start_from_epoch`"),
        ({"verbose": -1}, ValueError, r"argument `verbose`"),
    ],
)
def test_early_stopping_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        EarlyStopping(**kwargs)


@pytest.mark.parametrize(
    ("name", "mode"),
    [("val_loss", "min"), ("loss", "min"), ("mae", "min"), ("val_mean_squared_error", "min"), ("acc", "max"),
     ("val_accuracy", "max"), ("binary_accuracy", "max"), ("val_auc", "max"), ("precision_1", "max"),
     ("recall", "max"), ("f1_score", "max"), ("true_positives", "max"), ("false_positives", "min"),
     ("my_metric", "min")],
)
def test_mode_auto_infers_the_direction_from_the_name(name, mode):
    assert cb_module._infer_mode(name) == mode


# -- ModelCheckpoint ------------------------------------------------------------------------------


def test_checkpoint_path_placeholders_are_formatted_from_the_logs(tmp_path):
    history = fit(regressor(), [ModelCheckpoint(str(tmp_path / "m_{epoch:02d}_{loss:.3f}.keras"))], epochs=3)
    expected = [f"m_{e + 1:02d}_{loss:.3f}.keras" for e, loss in enumerate(history.history["loss"])]
    assert sorted(os.listdir(tmp_path)) == sorted(expected)
    assert expected[0].startswith("m_01_")


def test_full_model_checkpoints_load_with_identical_predictions(tmp_path):
    snaps = Snapshots()
    fit(regressor(), [snaps, ModelCheckpoint(tmp_path / "epoch{epoch}.keras", monitor="loss")], epochs=3)
    for epoch in range(3):
        restored = load_model(tmp_path / f"epoch{epoch + 1}.keras")
        np.testing.assert_array_equal(restored.predict(X, verbose=0), snaps.predictions[epoch])
        assert restored.compiled  # compile settings come back too
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]  # atomic writes left no parts


def test_weights_only_checkpoints_load_into_a_fresh_model(tmp_path):
    model = regressor()
    path = tmp_path / "ckpt.weights.npz"
    fit(model, [ModelCheckpoint(path, save_weights_only=True)], epochs=2)
    fresh = regressor()
    assert not np.array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match="not a dl-book model file|not a complete dl-book model file"):
        load_model(path)  # weights only: not a model file


def test_save_best_only_writes_only_when_the_monitored_value_improves(tmp_path):
    values = [1.0, 0.8, 0.9, 0.7, 0.75]
    snaps = Snapshots()
    every = ModelCheckpoint(tmp_path / "best_{epoch}.keras", save_best_only=True)
    single = ModelCheckpoint(tmp_path / "best.keras", save_best_only=True)
    fit(regressor(), [Script("val_loss", values), snaps, every, single], epochs=5)
    assert sorted(os.listdir(tmp_path)) == ["best.keras", "best_1.keras", "best_2.keras", "best_4.keras"]
    assert every.best == single.best == 0.7
    np.testing.assert_array_equal(load_model(tmp_path / "best.keras").predict(X, verbose=0), snaps.predictions[3])


def test_save_best_only_on_accuracy_and_with_an_initial_threshold(tmp_path):
    accuracy = ModelCheckpoint(tmp_path / "acc_{epoch}.keras", monitor="val_acc", save_best_only=True)
    threshold = ModelCheckpoint(tmp_path / "thr_{epoch}.keras", save_best_only=True, initial_value_threshold=0.85)
    fit(regressor(), [Script("val_accuracy", [0.5, 0.7, 0.6, 0.8]), Script("val_loss", [1.0, 0.8, 0.9, 0.7]),
                      accuracy, threshold], epochs=4)
    names = sorted(os.listdir(tmp_path))
    assert [n for n in names if n.startswith("acc")] == ["acc_1.keras", "acc_2.keras", "acc_4.keras"]
    assert [n for n in names if n.startswith("thr")] == ["thr_2.keras", "thr_4.keras"]


def test_save_freq_in_batches_formats_the_batch(tmp_path):
    fit(regressor(), [ModelCheckpoint(tmp_path / "e{epoch}_b{batch}.weights.npz", save_freq=2,
                                      save_weights_only=True)], epochs=2)  # 4 batches per epoch
    assert sorted(os.listdir(tmp_path)) == ["e1_b2.weights.npz", "e1_b4.weights.npz", "e2_b2.weights.npz",
                                            "e2_b4.weights.npz"]


def test_checkpoint_verbose_lines(tmp_path, capsys):
    fit(regressor(), [Script("val_loss", [1.0, 2.0]), ModelCheckpoint(tmp_path / "m.keras", verbose=1,
                                                                      save_best_only=True)], epochs=2)
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from inf to 1" in out and "Epoch 2: val_loss did not improve on 1" in out


def test_checkpoint_missing_folder_fails_before_training(tmp_path):
    snaps = Snapshots()
    with pytest.raises(FileNotFoundError, match=r"ModelCheckpoint: the folder '.*missing' of filepath .* does not "
                                                r"exist; create it first"):
        fit(regressor(), [snaps, ModelCheckpoint(tmp_path / "missing" / "m_{epoch}.keras")], epochs=2)
    assert snaps.epochs_begun == []
    with pytest.raises(FileNotFoundError, match="ModelCheckpoint: the folder"):  # a folder named by placeholders
        fit(regressor(), [ModelCheckpoint(tmp_path / "run_{epoch}" / "m.keras")], epochs=2)
    (tmp_path / "a_folder").mkdir()
    with pytest.raises(IsADirectoryError, match="ModelCheckpoint: filepath .* is a folder"):
        fit(regressor(), [ModelCheckpoint(tmp_path / "a_folder")], epochs=1)


def test_checkpoint_placeholder_errors(tmp_path):
    with pytest.raises(ValueError, match=r"names \{val_loss\}, which is not logged; available: \['epoch', 'loss'\]"):
        fit(regressor(), [ModelCheckpoint(tmp_path / "m_{val_loss:.2f}.keras")], epochs=2)
    with pytest.raises(ValueError, match="cannot format argument `filepath`"):
        fit(regressor(), [ModelCheckpoint(tmp_path / "m_{loss:d}.keras")], epochs=1)
    with pytest.raises(ValueError, match="is not a valid format string"):
        ModelCheckpoint(tmp_path / "m_{epoch.keras")
    with pytest.raises(ValueError, match="positional placeholder"):
        ModelCheckpoint(tmp_path / "m_{}.keras")
    # either edition's spelling fills the placeholder
    fit(classifier(["accuracy"]), [ModelCheckpoint(tmp_path / "c_{val_acc:.2f}.keras")], epochs=1, y=LABELS,
        validation_split=0.25)
    assert any(name.startswith("c_0.") or name.startswith("c_1.") for name in os.listdir(tmp_path))


def test_checkpoint_save_best_only_needs_a_logged_monitor(tmp_path):
    with pytest.raises(ValueError, match=r"ModelCheckpoint: the monitored metric 'val_loss' is not in the logs"):
        fit(regressor(), [ModelCheckpoint(tmp_path / "m_{epoch}.keras", save_best_only=True)], epochs=1)
    assert os.listdir(tmp_path) == []


def test_checkpoint_of_a_subclassed_model_needs_weights_only(tmp_path):
    class Linear(Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(1)

        def call(self, inputs, training=None):
            return self.dense(inputs)

    model = Linear()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="ModelCheckpoint: cannot save the whole model: .*save_weights_only=True"):
        fit(model, [ModelCheckpoint(tmp_path / "m.keras")], epochs=1)
    fit(model, [ModelCheckpoint(tmp_path / "m.weights.npz", save_weights_only=True)], epochs=1)
    assert os.path.exists(tmp_path / "m.weights.npz")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"filepath": 3}, TypeError, r"ModelCheckpoint: argument `filepath` must be a file path"),
        ({"save_freq": "batch"}, ValueError, r"argument `save_freq` must be 'epoch' or an integer >= 1"),
        ({"save_freq": 0}, ValueError, r"argument `save_freq` must be an integer >= 1"),
        ({"mode": "best"}, ValueError, r"ModelCheckpoint: argument `mode` must be one of"),
        ({"save_best_only": 1}, TypeError, r"argument `save_best_only` must be True or False"),
        ({"initial_value_threshold": "0.5"}, TypeError, r"argument `initial_value_threshold`"),
        ({"save_best_only": True, "save_freq": 5}, ValueError, r"the logs of a batch hold no validation metrics"),
    ],
)
def test_checkpoint_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ModelCheckpoint(**{"filepath": "m.keras", **kwargs})


# -- ReduceLROnPlateau --------------------------------------------------------------------------


def test_reduce_lr_on_plateau_lowers_the_rate_after_patience_epochs():
    snaps = Snapshots()
    model = regressor(learning_rate=0.1)
    reduce = ReduceLROnPlateau(factor=0.5, patience=2)
    history = fit(model, [Script("val_loss", [1.0] * 7), snaps, reduce], epochs=7)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    assert model.optimizer.learning_rate == pytest.approx(0.0125)
    # the optimizer used the reduced rates in its steps (4 batches per epoch)
    assert snaps.batch_rates[::4] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def test_reduce_lr_cooldown_and_min_lr():
    model = regressor(learning_rate=0.1)
    history = fit(model, [Script("val_loss", [1.0] * 7), ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2)],
                  epochs=7)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
    model = regressor(learning_rate=0.1)
    history = fit(model, [Script("val_loss", [1.0] * 5), ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.005)],
                  epochs=5)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.01, 0.005, 0.005])
    assert model.optimizer.learning_rate == pytest.approx(0.005)


def test_reduce_lr_counts_only_improvements_larger_than_min_delta():
    slow = [1.0 - 1e-5 * e for e in range(4)]
    history = fit(regressor(0.1), [Script("val_loss", slow), ReduceLROnPlateau(factor=0.5, patience=1)], epochs=4)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025])
    fast = [1.0 - 0.1 * e for e in range(4)]
    history = fit(regressor(0.1), [Script("val_loss", fast), ReduceLROnPlateau(factor=0.5, patience=1)], epochs=4)
    assert history.history["learning_rate"] == pytest.approx([0.1] * 4)
    rising = [0.5, 0.6, 0.7, 0.8]  # an accuracy that improves: mode "auto" maximises it
    history = fit(regressor(0.1), [Script("val_acc", rising), ReduceLROnPlateau("val_acc", factor=0.5, patience=1)],
                  epochs=4)
    assert history.history["learning_rate"] == pytest.approx([0.1] * 4)


def test_reduce_lr_verbose(capsys):
    fit(regressor(0.1), [Script("val_loss", [1.0] * 2), ReduceLROnPlateau(factor=0.5, patience=1, verbose=1)],
        epochs=2)
    assert "Epoch 2: ReduceLROnPlateau lowers the learning rate to 0.05" in capsys.readouterr().out


def test_reduce_lr_errors():
    for factor in (1.0, 2.0, 0.0, -0.5):
        with pytest.raises(ValueError, match=r"ReduceLROnPlateau: argument `factor` must be in \(0, 1\)"):
            ReduceLROnPlateau(factor=factor)
    with pytest.raises(ValueError, match="argument `min_lr` must be a number >= 0"):
        ReduceLROnPlateau(min_lr=-1e-3)
    with pytest.raises(ValueError, match="argument `patience`"):
        ReduceLROnPlateau(patience=-1)
    with pytest.raises(ValueError, match="argument `cooldown`"):
        ReduceLROnPlateau(cooldown=-1)
    with pytest.raises(ValueError, match="argument `mode`"):
        ReduceLROnPlateau(mode="down")
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer=SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5)), loss="mse")
    snaps = Snapshots()
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: the optimizer's learning rate is a schedule "
                                         r"\(ExponentialDecay\)"):
        fit(model, [snaps, ReduceLROnPlateau(monitor="loss")], epochs=2)
    assert snaps.epochs_begun == []
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: the monitored metric 'val_loss' is not in the logs"):
        fit(regressor(), [ReduceLROnPlateau()], epochs=2)


# -- LearningRateScheduler ----------------------------------------------------------------------


def test_scheduler_of_the_epoch_alone():
    snaps = Snapshots()
    model = regressor()
    history = fit(model, [snaps, LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))], epochs=4)
    expected = [0.1, 0.05, 0.1 / 3, 0.025]
    assert history.history["learning_rate"] == pytest.approx(expected)
    assert snaps.batch_rates[::4] == pytest.approx(expected)  # used in the steps of that epoch
    assert model.optimizer.learning_rate == pytest.approx(0.025)


def test_scheduler_of_the_epoch_and_the_rate():
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return np.float32(lr * 0.5) if epoch >= 2 else lr

    history = fit(regressor(0.2), [LearningRateScheduler(schedule)], epochs=4)
    assert history.history["learning_rate"] == pytest.approx([0.2, 0.2, 0.1, 0.05])
    assert [e for e, _ in seen] == [0, 1, 2, 3] and seen[3][1] == pytest.approx(0.1)


def test_scheduler_arity_from_the_signature():
    class Halving:
        def __call__(self, epoch, lr=None):  # binds two arguments: called with the rate
            return 0.1 if lr is None else lr / 2

    assert cb_module._schedule_arity(Halving()) == 2
    assert cb_module._schedule_arity(lambda epoch: 0.1) == 1
    assert cb_module._schedule_arity(lambda *args: 0.1) == 2
    with pytest.raises(TypeError, match=r"LearningRateScheduler: argument `schedule` must take \(epoch\) or "
                                        r"\(epoch, lr\)"):
        LearningRateScheduler(lambda a, b, c: 0.1)


def test_scheduler_without_a_signature_tries_two_arguments_then_one():
    class Opaque:  # a callable whose signature cannot be read
        __signature__ = "not a signature"

        def __call__(self, *args):
            if len(args) == 2:
                raise TypeError("takes 1 positional argument but 2 were given")
            return 0.01 * (args[0] + 1)

    with pytest.raises(TypeError):
        inspect.signature(Opaque())
    scheduler = LearningRateScheduler(Opaque())
    assert scheduler._arity is None
    history = fit(regressor(), [scheduler], epochs=2)
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.02])


def test_scheduler_errors(capsys):
    with pytest.raises(TypeError, match=r"LearningRateScheduler: schedule\(0\) must return a float, got 1 \(int\)"):
        fit(regressor(), [LearningRateScheduler(lambda epoch: 1)], epochs=1)
    with pytest.raises(TypeError, match=r"must return a float, got '0.1'"):
        fit(regressor(), [LearningRateScheduler(lambda epoch, lr: "0.1")], epochs=1)
    with pytest.raises(ValueError, match=r"LearningRateScheduler: cannot set the learning rate to 0.0: .*> 0"):
        fit(regressor(), [LearningRateScheduler(lambda epoch: 0.0)], epochs=1)
    with pytest.raises(TypeError, match="argument `schedule` must be a function"):
        LearningRateScheduler(0.01)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer=SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5)), loss="mse")
    with pytest.raises(ValueError, match="LearningRateScheduler: the optimizer's learning rate is a schedule"):
        fit(model, [LearningRateScheduler(lambda epoch: 0.1)], epochs=1)
    fit(regressor(), [LearningRateScheduler(lambda epoch: 0.02, verbose=1)], epochs=1)
    assert "Epoch 1: LearningRateScheduler sets the learning rate to 0.02" in capsys.readouterr().out


# -- TerminateOnNaN -----------------------------------------------------------------------------


def test_terminate_on_nan_ends_a_diverging_fit_with_its_history(capsys):
    losses = []
    record = LambdaCallback(on_batch_end=lambda batch, logs: losses.append(logs["loss"]))
    terminate = TerminateOnNaN()
    with np.errstate(all="ignore"):  # the divergence overflows on purpose
        history = fit(regressor(learning_rate=1e6), [record, terminate], epochs=5, batch_size=4)
    assert isinstance(history, dl_layers.callbacks.History)
    assert len(history.history["loss"]) == 1 and not math.isfinite(history.history["loss"][0])
    assert not math.isfinite(losses[-1]) and all(math.isfinite(v) for v in losses[:-1])
    assert len(losses) < 10  # the epoch was cut short at the first non-finite loss
    assert terminate.terminated_batch == (0, len(losses) - 1)
    assert f"Epoch 1, batch {len(losses)}: the loss is" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_terminate_on_nan_stops_at_the_batch_of_the_bad_loss(bad):
    class Poison(dl_layers.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if (self.epoch, batch) == (1, 2):
                logs["loss"] = bad

    terminate = TerminateOnNaN()
    snaps = Snapshots()
    history = fit(regressor(), [Poison(), terminate, snaps], epochs=4)
    assert terminate.terminated_batch == (1, 2)
    assert len(history.history["loss"]) == 2 and snaps.epochs_begun == [0, 1]


def test_terminate_on_nan_leaves_a_healthy_fit_alone():
    terminate = TerminateOnNaN()
    assert len(fit(regressor(), [terminate], epochs=3).history["loss"]) == 3
    assert terminate.terminated_batch is None


# -- CSVLogger ----------------------------------------------------------------------------------


def read_csv(path, separator=","):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter=separator))


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    history = fit(regressor(metrics=["mae"]), [CSVLogger(path)], epochs=3, validation_split=0.25)
    rows = read_csv(path)
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    for i, name in enumerate(rows[0][1:], start=1):
        assert [float(r[i]) for r in rows[1:]] == pytest.approx(history.history[name])


def test_csv_logger_resumes_with_one_header_and_continuing_epochs(tmp_path):
    path = tmp_path / "log.csv"
    model = regressor()
    first = fit(model, [CSVLogger(path)], epochs=3)
    second = fit(model, [CSVLogger(path, append=True)], epochs=6, initial_epoch=3)
    rows = read_csv(path)
    assert rows[0] == ["epoch", "loss"] and sum(r == ["epoch", "loss"] for r in rows) == 1
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2, 3, 4, 5]
    assert [float(r[1]) for r in rows[1:]] == pytest.approx(first.history["loss"] + second.history["loss"])
    fit(model, [CSVLogger(path)], epochs=1)  # append=False starts over
    assert [r[0] for r in read_csv(path)] == ["epoch", "0"]


def test_csv_logger_resume_drops_a_line_cut_by_a_killed_run(tmp_path):
    path = tmp_path / "log.csv"
    model = regressor()
    fit(model, [CSVLogger(path)], epochs=2)
    with open(path, "a", encoding="utf-8") as f:
        f.write("2,0.12")  # killed in the middle of writing epoch 2
    fit(model, [CSVLogger(path, append=True)], epochs=4, initial_epoch=2)
    rows = read_csv(path)
    assert [r[0] for r in rows] == ["epoch", "0", "1", "2", "3"] and all(len(r) == 2 for r in rows)
    assert "0.12" not in [r[1] for r in rows]
    path.write_text("epo")  # killed while writing the header itself
    fit(model, [CSVLogger(path, append=True)], epochs=1)
    assert [r[0] for r in read_csv(path)] == ["epoch", "0"]


def test_csv_logger_widens_the_header_when_new_names_appear(tmp_path):
    path = tmp_path / "log.csv"
    model = regressor()
    fit(model, [CSVLogger(path)], epochs=2)  # no validation
    fit(model, [CSVLogger(path, append=True)], epochs=4, initial_epoch=2, validation_split=0.25)
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == ["epoch", "loss", "val_loss"]
    assert [r["epoch"] for r in rows] == ["0", "1", "2", "3"]
    assert [r["val_loss"] for r in rows[:2]] == ["NA", "NA"] and all(float(r["val_loss"]) > 0 for r in rows[2:])
    assert path.read_text().count("epoch") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]  # the rewrite left no temporary file


def test_csv_logger_writes_na_for_a_missing_value_and_other_separators(tmp_path):
    class OnlyFirst(dl_layers.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                logs["extra"] = 1.5

    path = tmp_path / "log.tsv"
    fit(regressor(), [OnlyFirst(), CSVLogger(path, separator="\t")], epochs=2)
    rows = read_csv(path, "\t")
    assert rows[0] == ["epoch", "extra", "loss"] and rows[1][1] == "1.5" and rows[2][1] == "NA"
    with pytest.raises(ValueError, match=r"CSVLogger: cannot append to .*does not start with 'epoch' .*','"):
        fit(regressor(), [CSVLogger(path, append=True)], epochs=1)  # written with tabs, read with commas


def test_csv_logger_rows_are_on_disk_at_the_end_of_each_epoch(tmp_path):
    path = tmp_path / "log.csv"
    sizes = []

    def crash(epoch, logs):
        sizes.append(len(read_csv(path)))
        if epoch == 1:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        fit(regressor(), [CSVLogger(path), LambdaCallback(on_epoch_end=crash)], epochs=5)
    assert sizes == [2, 3] and len(read_csv(path)) == 3  # header + the two finished epochs, without on_train_end


def test_csv_logger_errors(tmp_path):
    for separator in ("ab", "", '"', "\n", 3):
        with pytest.raises(ValueError, match="CSVLogger: argument `separator` must be one character"):
            CSVLogger(tmp_path / "log.csv", separator=separator)
    with pytest.raises(TypeError, match="CSVLogger: argument `filename` must be a file path"):
        CSVLogger(None)
    with pytest.raises(TypeError, match="argument `append` must be True or False"):
        CSVLogger(tmp_path / "log.csv", append="yes")
    snaps = Snapshots()
    with pytest.raises(FileNotFoundError, match=r"CSVLogger: the folder .*nowhere' of filename"):
        fit(regressor(), [snaps, CSVLogger(tmp_path / "nowhere" / "log.csv")], epochs=1)
    assert snaps.epochs_begun == []
    (tmp_path / "notes.csv").write_text("name,value\na,1\n")
    with pytest.raises(ValueError, match="CSVLogger: cannot append to .*notes.csv.*not a CSVLogger log"):
        fit(regressor(), [CSVLogger(tmp_path / "notes.csv", append=True)], epochs=1)
    assert (tmp_path / "notes.csv").read_text() == "name,value\na,1\n"


# -- JSONLinesLogger ----------------------------------------------------------------------------


def read_json_lines(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_json_lines_logger_writes_one_object_per_epoch(tmp_path):
    path = tmp_path / "history.jsonl"
    history = fit(regressor(metrics=["mae"]), [JSONLinesLogger(path)], epochs=3, validation_split=0.25)
    rows = read_json_lines(path)
    assert [row["epoch"] for row in rows] == [0, 1, 2]
    assert list(rows[0]) == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    for name, values in history.history.items():
        assert [row[name] for row in rows] == values
    assert JSONLogger is JSONLinesLogger


def test_json_lines_logger_writes_null_for_non_finite_values(tmp_path):
    path = tmp_path / "history.jsonl"
    fit(regressor(), [Script("val_loss", [math.nan, math.inf, 0.5]), JSONLinesLogger(path)], epochs=3)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    rows = [json.loads(line, parse_constant=lambda name: pytest.fail(f"invalid JSON constant {name}"))
            for line in text.splitlines()]
    assert [row["val_loss"] for row in rows] == [None, None, 0.5]


def test_json_lines_logger_resumes_and_drops_a_cut_line(tmp_path):
    path = tmp_path / "history.jsonl"
    model = regressor()
    fit(model, [JSONLogger(path)], epochs=2)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"epoch": 2, "loss": 0.')
    fit(model, [JSONLogger(path, append=True)], epochs=4, initial_epoch=2)
    assert [row["epoch"] for row in read_json_lines(path)] == [0, 1, 2, 3]
    fit(model, [JSONLogger(path)], epochs=1)  # append=False starts over
    assert [row["epoch"] for row in read_json_lines(path)] == [0]


def test_json_lines_logger_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="JSONLinesLogger: the folder"):
        fit(regressor(), [JSONLinesLogger(tmp_path / "nowhere" / "h.jsonl")], epochs=1)
    with pytest.raises(TypeError, match="JSONLinesLogger: argument `filename`"):
        JSONLinesLogger(b"h.jsonl")
    with pytest.raises(TypeError, match="argument `append`"):
        JSONLinesLogger(tmp_path / "h.jsonl", append=1)


# -- TensorBoard ----------------------------------------------------------------------------------


def read_events(folder):
    """Every event of the TFRecord files in ``folder``, their checksums verified."""
    from tensorboardX.proto import event_pb2
    from tensorboardX.record_writer import masked_crc32c

    events = []
    for path in sorted(Path(folder).glob("events.out.tfevents.*")):
        data, pos = path.read_bytes(), 0
        while pos < len(data):  # each record: length, its crc, the event, its crc
            header = data[pos:pos + 8]
            (length,) = struct.unpack("<Q", header)
            assert struct.unpack("<I", data[pos + 8:pos + 12])[0] == masked_crc32c(header)
            body = data[pos + 12:pos + 12 + length]
            assert struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])[0] == masked_crc32c(body)
            events.append(event_pb2.Event.FromString(body))
            pos += 16 + length
    return events


def summaries(folder, kind="simple_value"):
    """{tag: [(step, value)]} of the scalar (or histogram, text) summaries in ``folder``."""
    out = {}
    for event in read_events(folder):
        for value in event.summary.value:
            if value.HasField(kind) or (kind == "tensor" and value.HasField("tensor")):
                out.setdefault(value.tag, []).append((event.step, getattr(value, kind)))
    return out


def test_tensorboard_writes_train_and_validation_scalars_per_epoch(tmp_path):
    history = fit(regressor(metrics=["mae"]), [TensorBoard(log_dir=tmp_path)], epochs=3, validation_split=0.25)
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = summaries(tmp_path / "train"), summaries(tmp_path / "validation")
    assert sorted(train) == ["epoch_loss", "epoch_mae"] and sorted(val) == ["epoch_loss", "epoch_mae"]
    assert [step for step, _ in train["epoch_loss"]] == [0, 1, 2]
    assert [v for _, v in train["epoch_loss"]] == pytest.approx(history.history["loss"], rel=1e-6)
    assert [v for _, v in val["epoch_mae"]] == pytest.approx(history.history["val_mae"], rel=1e-6)


def test_tensorboard_histograms_every_n_epochs(tmp_path):
    model = regressor()
    fit(model, [TensorBoard(tmp_path, histogram_freq=2)], epochs=3)
    histograms = summaries(tmp_path / "train", "histo")
    assert sorted(histograms) == ["dense/bias/histogram", "dense/kernel/histogram"]
    assert [step for step, _ in histograms["dense/kernel/histogram"]] == [0, 2]
    last = histograms["dense/kernel/histogram"][-1][1]
    kernel = model.get_weights()[0]
    assert (last.num, last.min, last.max) == (3, pytest.approx(kernel.min()), pytest.approx(kernel.max()))


def test_tensorboard_batch_updates_learning_rate_and_steps_per_second(tmp_path):
    callbacks = [ReduceLROnPlateau(monitor="loss", patience=10),
                 TensorBoard(tmp_path, update_freq=2, write_steps_per_second=True)]
    fit(regressor(), callbacks, epochs=2)  # 4 batches per epoch
    train = summaries(tmp_path / "train")
    assert [step for step, _ in train["batch_loss"]] == [2, 4, 6, 8]
    assert [v for _, v in train["epoch_learning_rate"]] == pytest.approx([0.05, 0.05])
    assert all(v > 0 for _, v in train["epoch_steps_per_second"])
    fit(regressor(), [TensorBoard(tmp_path / "b", update_freq="batch")], epochs=1)
    assert [step for step, _ in summaries(tmp_path / "b" / "train")["batch_loss"]] == [1, 2, 3, 4]


def test_tensorboard_files_grow_every_epoch_and_writers_close(tmp_path):
    board = TensorBoard(tmp_path)
    sizes = []

    def measure(epoch, logs):
        sizes.append(sum(p.stat().st_size for p in (tmp_path / "train").glob("events.out.tfevents.*")))

    fit(regressor(), [board, LambdaCallback(on_epoch_end=measure)], epochs=3)
    assert sizes[0] > 0 and sizes[0] < sizes[1] < sizes[2]
    assert board._writers == {}


def test_tensorboard_runs_in_one_folder_add_files_and_never_overwrite(tmp_path):
    model = regressor()
    fit(model, [TensorBoard(tmp_path)], epochs=2)
    fit(model, [TensorBoard(tmp_path)], epochs=3, initial_epoch=2)  # in the same second: a name of its own
    assert len(list((tmp_path / "train").glob("events.out.tfevents.*"))) == 2
    assert sorted(step for step, _ in summaries(tmp_path / "train")["epoch_loss"]) == [0, 1, 2]


def test_tensorboard_write_graph_writes_the_summary_as_text(tmp_path):
    fit(regressor(), [TensorBoard(tmp_path, write_graph=True)], epochs=1)
    texts = [value for event in read_events(tmp_path / "train") for value in event.summary.value
             if value.tag.startswith("keras")]
    assert texts and b"dense" in texts[0].tensor.string_val[0]


def test_tensorboard_embeddings_for_the_projector(tmp_path):
    class Lookup(Layer):
        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=(5, 2), name="embeddings")

        def call(self, inputs):
            return inputs @ self.embeddings

    model = Sequential([Lookup(input_shape=(5,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    labels = tmp_path / "labels.tsv"
    labels.write_text("a\nb\nc\nd\ne\n")
    x = np.eye(5, dtype=np.float32)
    model.fit(x, x[:, :1], epochs=2, verbose=0,
              callbacks=[TensorBoard(tmp_path / "logs", embeddings_freq=1, embeddings_metadata=str(labels))])
    projector = tmp_path / "logs" / "train"
    assert (projector / "projector_config.pbtxt").exists()
    tensors = sorted(projector.glob("*/*/tensors.tsv"))
    assert len(tensors) == 2 and len(tensors[-1].read_text().splitlines()) == 5
    assert sorted(projector.glob("*/*/metadata.tsv"))[0].read_text().split() == ["a", "b", "c", "d", "e"]
    labels.write_text("a\nb\n")
    with pytest.raises(ValueError, match="TensorBoard: embeddings_metadata .* has 2 lines, but layer 'lookup' has 5"):
        model.fit(x, x[:, :1], epochs=1, verbose=0,
                  callbacks=[TensorBoard(tmp_path / "logs2", embeddings_freq=1, embeddings_metadata=str(labels))])


def test_tensorboard_without_tensorboardx_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import tensorboardX now raises ImportError
    with pytest.raises(ImportError, match=r"TensorBoard needs tensorboardX: pip install dl-workflow\[tensorboard\]"):
        TensorBoard("logs")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"write_images": True}, ValueError, "`write_images=True` is not supported"),
        ({"profile_batch": 2}, ValueError, "argument `profile_batch` must be 0"),
        ({"update_freq": "sometimes"}, ValueError, "argument `update_freq` must be 'epoch', 'batch' or an integer"),
        ({"update_freq": 0}, ValueError, "argument `update_freq` must be an integer >= 1"),
        ({"histogram_freq": -1}, ValueError, "argument `histogram_freq`"),
        ({"write_graph": "no"}, TypeError, "argument `write_graph` must be True or False"),
        ({"log_dir": 5}, TypeError, "TensorBoard: argument `log_dir` must be a file path"),
    ],
)
def test_tensorboard_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TensorBoard(**kwargs)


# -- LambdaCallback -----------------------------------------------------------------------------


def test_lambda_callback_calls_each_hook_with_its_arguments():
    events = []
    hooks = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch)),
        on_batch_begin=lambda batch, logs: events.append(("batch_begin", batch)),
        on_batch_end=lambda batch, logs: events.append(("batch_end", batch, sorted(logs))),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: events.append("train_end"),
    )
    fit(regressor(), [hooks], epochs=1, batch_size=20)
    assert events == ["train_begin", ("epoch_begin", 0), ("batch_begin", 0), ("batch_end", 0, ["loss"]),
                      ("batch_begin", 1), ("batch_end", 1, ["loss"]), ("epoch_end", 0, ["loss"]), "train_end"]


def test_lambda_callback_other_hooks_and_errors():
    seen = []
    fit(regressor(), [LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))], epochs=1)
    assert seen == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="LambdaCallback: argument `on_epoch_end` must be a function or None"):
        LambdaCallback(on_epoch_end="print")
    with pytest.raises(ValueError, match="LambdaCallback: unknown hook 'on_epoch_ends'"):
        LambdaCallback(on_epoch_ends=print)


# -- the book's lists of callbacks --------------------------------------------------------------


def test_the_first_editions_callbacks_list(tmp_path):
    # Listing 7.x of the first edition, with dl-book's native suffix for the whole-model file
    # (".keras"; the book's "my_model.h5" works too, and holds the same zip format).
    x_train, y_train, x_val, y_val = X[:30], LABELS[:30], X[30:], LABELS[30:]
    callbacks_list = [
        EarlyStopping(monitor="acc", patience=1),
        ModelCheckpoint(filepath=str(tmp_path / "my_model.h5"), monitor="val_loss", save_best_only=True),
        ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10),
        CSVLogger(tmp_path / "training.csv"),
    ]
    model = classifier(["acc"])
    history = model.fit(x_train, y_train, epochs=10, batch_size=32, callbacks=callbacks_list,
                        validation_data=(x_val, y_val), verbose=0)
    acc = history.history["acc"]
    # patience=1: stop at the first epoch whose accuracy does not beat every earlier one
    expected = next((e + 1 for e in range(1, 10) if e < len(acc) and acc[e] <= max(acc[:e])), 10)
    epochs_run = len(acc)
    assert epochs_run == expected
    assert callbacks_list[0].stopped_epoch == (epochs_run - 1 if epochs_run < 10 else 0)
    best = int(np.argmin(history.history["val_loss"]))
    restored = load_model(tmp_path / "my_model.h5")
    assert restored.evaluate(x_val, y_val, verbose=0)[0] == pytest.approx(history.history["val_loss"][best], rel=1e-5)
    assert len(read_csv(tmp_path / "training.csv")) == epochs_run + 1


def test_the_second_editions_callbacks_list(tmp_path):
    callbacks_list = [
        EarlyStopping(monitor="val_accuracy", patience=2),
        ModelCheckpoint(filepath=tmp_path / "checkpoint_path.keras", monitor="val_loss", save_best_only=True),
        TensorBoard(log_dir=tmp_path / "logs"),
    ]
    model = classifier(["accuracy"])
    history = model.fit(X, LABELS, epochs=10, callbacks=callbacks_list, validation_split=0.25, verbose=0)
    assert os.path.exists(tmp_path / "checkpoint_path.keras")
    assert len(summaries(tmp_path / "logs" / "validation")["epoch_accuracy"]) == len(history.history["loss"])


def test_monitoring_a_validation_metric_with_validation_every_other_epoch():
    """fit(validation_freq=2) validates on epochs 2, 4...: the others are skipped, not an error."""
    import dl_layers

    model = dl_layers.Sequential([dl_layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    stop = EarlyStopping(monitor="val_loss", patience=10)
    lower = ReduceLROnPlateau(monitor="val_loss", patience=10)
    history = model.fit(x, x[:, :1], epochs=4, validation_data=(x, x[:, :1]), validation_freq=2, verbose=0,
                        callbacks=[stop, lower])
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    assert stop.best == pytest.approx(min(history.history["val_loss"]))
    assert stop.params["validation_freq"] == 2 and stop.params["do_validation"] is True
