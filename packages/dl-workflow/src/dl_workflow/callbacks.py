"""Chapter 7's callbacks: let training watch itself and act, instead of being launched blind.

A long ``fit`` is like a paper plane thrown once: nothing can be corrected in flight. A callback
is code that ``fit`` calls at the end of every epoch (or batch) with the epoch's logs, so it
can keep the model of the best epoch (``ModelCheckpoint``), stop when the validation loss no
longer improves (``EarlyStopping``), lower the learning rate on a plateau
(``ReduceLROnPlateau``), follow a schedule (``LearningRateScheduler``), abandon a run whose
loss became NaN (``TerminateOnNaN``), or write the curves somewhere they survive the process:
a CSV file, a JSON-lines file that ``dl_viz.read_history`` plots, or TensorBoard's event files.

Keras's names, arguments and defaults, so that the book's lists of callbacks port by changing
the import. Where we differ from Keras, we are stricter: a monitored metric that the model does
not log is an error at the end of the first epoch (Keras only warns and then does nothing).
Both editions' metric names are understood: ``monitor="acc"`` finds ``"accuracy"`` in the logs
and the other way round (likewise ``val_acc``, ``mae``/``mean_absolute_error``,
``mse``/``mean_squared_error``).
"""

from __future__ import annotations

import inspect
import math
import os
import string
from collections.abc import Callable

import numpy as np

from dl_layers.callbacks import Callback, History, ProgbarLogger, other_spellings
from dl_layers.callbacks import LambdaCallback as _HookCallback
from dl_layers.checks import check_bool, check_choice, check_number
from dl_layers.metrics import lower_is_better
from dl_layers.optimizers import LearningRateSchedule

from .file_paths import check_path, require_folder
from .loggers import CSVLogger, JSONLinesLogger, JSONLogger  # Keras's keras.callbacks holds them all
from .tensorboard import TensorBoard

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "JSONLinesLogger",
    "JSONLogger",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]

MODES = ("auto", "min", "max")

# -- monitoring a logged metric ------------------------------------------------------------


def _infer_mode(monitor: str) -> str:
    """The direction of mode "auto" (``dl_layers.metrics.lower_is_better``): "max" for accuracies,
    AUC, precision, recall, F1, IoU, R2, "min" for everything else."""
    return "min" if lower_is_better(monitor) else "max"


def _find_key(logs: dict, name: str) -> str | None:
    """The key of ``logs`` that holds ``name`` (under either edition's spelling), or None."""
    if name in logs:
        return name
    return next((alt for alt in other_spellings(name) if alt in logs), None)


class _Logs(dict):
    """The logs for ``str.format_map``: ``{val_acc}`` also finds ``val_accuracy``."""

    def __missing__(self, key):
        alt = _find_key(self, key)
        if alt is None:
            raise KeyError(key)
        return self[alt]


def _check_monitor(owner: str, monitor) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise TypeError(f"{owner}: argument `monitor` must be the name of a logged metric such as 'val_loss', "
                        f"got {monitor!r}")
    return monitor


class _Monitoring:
    """What EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share: reading the monitored
    value from the logs (or failing clearly) and comparing it to the best so far."""

    def _set_monitor(self, monitor, mode) -> None:
        owner = type(self).__name__
        self.monitor = _check_monitor(owner, monitor)
        self.mode = check_choice(owner, "mode", mode, MODES)
        self._lower_is_better = (_infer_mode(self.monitor) if mode == "auto" else mode) == "min"
        self._seen_validation = False

    @property
    def _worst(self) -> float:
        return math.inf if self._lower_is_better else -math.inf

    def _better(self, current: float, reference: float, delta: float = 0.0) -> bool:
        """True if ``current`` beats ``reference`` by more than ``delta``."""
        return current < reference - delta if self._lower_is_better else current > reference + delta

    def _monitor_value(self, logs, when: str) -> float | None:
        """The monitored value in ``logs``; None for an epoch without validation (``validation_freq``).

        Raises:
            ValueError: the metric is not logged; the message lists the logged keys.
        """
        logs = logs or {}
        validation = any(k.startswith("val_") for k in logs)
        key = _find_key(logs, self.monitor)
        if key is None:
            params = getattr(self, "params", None) or {}
            later = params.get("do_validation") and params.get("validation_freq", 1) > 1
            if self.monitor.startswith("val_") and not validation and (self._seen_validation or later):
                return None  # fit(validation_freq=k): this epoch was not validated
            hint = ""
            if self.monitor.startswith("val_") and not validation:
                hint = (" (a validation metric needs validation_data= or validation_split= in fit, and "
                        "validation at every epoch: validation_freq=1)")
            raise ValueError(f"{type(self).__name__}: the monitored metric {self.monitor!r} is not in the logs "
                             f"{when}; logged keys: {sorted(logs)}{hint}")
        self._seen_validation = self._seen_validation or validation
        value = logs[key]
        try:
            return float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{type(self).__name__}: the monitored metric {self.monitor!r} must be a number, got "
                            f"{value!r}") from None


def _print(message: str) -> None:
    print(message, flush=True)


# -- EarlyStopping ----------------------------------------------------------------------------


class EarlyStopping(_Monitoring, Callback):
    """Stop training when a monitored metric has stopped improving.

    At the end of each epoch (from ``start_from_epoch`` on) the monitored value is compared
    with the best so far: it improves when it beats it by more than ``min_delta``. ``wait``
    counts the epochs since the last improvement; training stops at the end of an epoch
    without improvement once ``wait >= patience`` (``patience=0`` stops at the first such
    epoch, like ``patience=1``, as in Keras; never at epoch 0). With a ``baseline``, an epoch
    counts as an improvement only if it also beats the baseline, so training stops after
    ``patience`` epochs that do not reach it.

    Args:
        monitor: the logged metric to watch, e.g. "val_loss", "val_accuracy", "acc".
        min_delta: the smallest change, >= 0, that counts as an improvement.
        patience: epochs without improvement before stopping (an integer >= 0).
        verbose: 1 prints a line when stopping and when restoring weights.
        mode: "min" (lower is better), "max", or "auto": "max" for accuracy, acc, AUC,
            precision, recall, F1, IoU, R2; "min" for everything else.
        baseline: a value to reach within ``patience`` epochs, or None.
        restore_best_weights: at the end of training (whether stopped or not), set the
            model's weights back to those of the best epoch.
        start_from_epoch: epochs to let pass before watching (warm-up).

    Attributes:
        best: the best monitored value so far. ``best_epoch``: its epoch (0-based).
        wait: epochs since the last improvement. ``stopped_epoch``: the epoch at which
            training was stopped (0 if it was not).

    Raises:
        ValueError: at the end of the first epoch, if ``monitor`` is not in the logs.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> stop = EarlyStopping(monitor="loss", min_delta=10.0)   # nothing improves by 10
        >>> history = model.fit(x, x[:, :1], epochs=5, verbose=0, callbacks=[stop])
        >>> len(history.history["loss"]), stop.stopped_epoch, stop.best_epoch
        (2, 1, 0)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        owner = "EarlyStopping"
        self._set_monitor(monitor, mode)
        self.min_delta = check_number(owner, "min_delta", min_delta, minimum=0)
        self.patience = check_number(owner, "patience", patience, minimum=0, integer=True)
        self.verbose = check_number(owner, "verbose", verbose, minimum=0, integer=True)
        self.baseline = check_number(owner, "baseline", baseline, none_ok=True)
        self.restore_best_weights = check_bool(owner, "restore_best_weights", restore_best_weights)
        self.start_from_epoch = check_number(owner, "start_from_epoch", start_from_epoch, minimum=0, integer=True)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self._worst
        self.best_epoch = 0
        self.best_weights = None
        self._seen_validation = False

    def on_train_begin(self, logs=None):
        self._reset()  # an instance can serve several fits

    def on_epoch_end(self, epoch, logs=None):
        current = self._monitor_value(logs, f"at the end of epoch {epoch + 1}")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch  # so far the only ones seen
        self.wait += 1
        improved = self._better(current, self.best, self.min_delta)
        if improved:
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()  # copies
        if improved and (self.baseline is None or self._better(current, self.baseline, self.min_delta)):
            self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping ({self.monitor} did not improve for "
                   f"{self.wait} epoch(s))")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print(f"Restoring the weights of the best epoch, {self.best_epoch + 1} "
                       f"({self.monitor}={self.best:.5g})")
            self.model.set_weights(self.best_weights)


# -- ModelCheckpoint ------------------------------------------------------------------------






class ModelCheckpoint(_Monitoring, Callback):
    """Save the model (or its weights) during training: every epoch, or only when it improves.

    ``filepath`` may hold placeholders filled with ``str.format`` from the logs: ``{epoch}``
    (1-based, as in Keras; ``{epoch:02d}``), ``{batch}`` with an integer ``save_freq``, and
    any logged metric (``{val_loss:.2f}``; either edition's spelling). The file is written
    by ``model.save`` (architecture, weights, compile settings: ``dl_layers.load_model``
    reads it) or, with ``save_weights_only``, by ``model.save_weights`` (``load_weights``
    reads it). Both write atomically: a crash mid-save leaves the previous checkpoint intact.

    Any suffix is accepted: the native ones are ``.keras`` for ``save`` and
    ``.weights.npz`` for ``save_weights``. The first edition's ``"my_model.h5"`` works too,
    but holds dl-book's format (a zip file), not HDF5.

    Args:
        filepath: where to save (str or os.PathLike); its folder must exist.
        monitor: the logged metric that decides which epoch is best (with ``save_best_only``).
        verbose: 1 prints a line at each save (or skipped save).
        save_best_only: save only when ``monitor`` beats the best value so far.
        save_weights_only: save only the weights (``save_weights``), not the whole model.
        mode: "min", "max" or "auto" (as in ``EarlyStopping``).
        save_freq: "epoch", or an integer: save every that many batches.
        initial_value_threshold: with ``save_best_only``, a value to beat before the first save.

    Attributes:
        best: the best monitored value saved so far.

    Raises:
        FileNotFoundError: at the start of training, if the folder of ``filepath`` is missing.
        ValueError: ``filepath`` names a value that is not logged; with ``save_best_only``,
            ``monitor`` is not logged.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential, load_model
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> folder = tempfile.mkdtemp()
        >>> checkpoint = ModelCheckpoint(os.path.join(folder, "model_{epoch:02d}.keras"))
        >>> _ = model.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[checkpoint])
        >>> sorted(os.listdir(folder))
        ['model_01.keras', 'model_02.keras']
        >>> bool(np.allclose(load_model(os.path.join(folder, "model_02.keras")).predict(x), model.predict(x)))
        True
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        owner = "ModelCheckpoint"
        self.filepath = check_path(owner, "filepath", filepath)
        self._check_placeholders()
        self._set_monitor(monitor, mode)
        self.verbose = check_number(owner, "verbose", verbose, minimum=0, integer=True)
        self.save_best_only = check_bool(owner, "save_best_only", save_best_only)
        self.save_weights_only = check_bool(owner, "save_weights_only", save_weights_only)
        if save_freq != "epoch":
            if isinstance(save_freq, str):
                raise ValueError(f"ModelCheckpoint: argument `save_freq` must be 'epoch' or an integer >= 1, "
                                 f"got {save_freq!r}")
            save_freq = check_number(owner, "save_freq", save_freq, minimum=1, integer=True)
        self.save_freq = save_freq
        self.initial_value_threshold = check_number(owner, "initial_value_threshold", initial_value_threshold,
                                                    none_ok=True)
        if self.save_best_only and self.save_freq != "epoch" and self.monitor.startswith("val_"):
            raise ValueError(f"ModelCheckpoint: monitor={self.monitor!r} with save_freq={self.save_freq}: the logs of "
                             "a batch hold no validation metrics; monitor a training metric such as 'loss', or use "
                             "save_freq='epoch'")
        self.best = self._initial_best()
        self._current_epoch = 0
        self._batches_since_save = 0

    def _check_placeholders(self) -> None:
        try:
            fields = [field for _, field, _, _ in string.Formatter().parse(self.filepath) if field is not None]
        except ValueError as err:
            raise ValueError(f"ModelCheckpoint: argument `filepath` {self.filepath!r} is not a valid format string "
                             f"({err}); write a literal brace as {{{{ or }}}}") from None
        positional = [f for f in fields if f == "" or f.isdigit()]
        if positional:
            raise ValueError(f"ModelCheckpoint: argument `filepath` {self.filepath!r} has a positional placeholder "
                             "{}; name the value instead, e.g. {epoch:02d} or {val_loss:.2f}")

    def _initial_best(self) -> float:
        return self._worst if self.initial_value_threshold is None else self.initial_value_threshold

    def on_train_begin(self, logs=None):
        self.best = self._initial_best()
        self._seen_validation = False
        self._batches_since_save = 0
        if "{" not in os.path.dirname(self.filepath):  # a folder named by placeholders is checked at each save
            require_folder("ModelCheckpoint", "filepath", self.filepath, is_file="{" not in self.filepath)
        if not self.save_weights_only:
            try:
                self.model.get_config()
            except NotImplementedError as err:
                raise ValueError(f"ModelCheckpoint: cannot save the whole model: {err}; pass "
                                 "save_weights_only=True") from None

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        values = _Logs(logs)
        values["epoch"] = epoch + 1
        if batch is not None:
            values["batch"] = batch + 1
        try:
            return self.filepath.format_map(values)
        except KeyError as err:
            raise ValueError(f"ModelCheckpoint: argument `filepath` {self.filepath!r} names {{{err.args[0]}}}, "
                             f"which is not logged; available: {sorted(values)}") from None
        except (ValueError, TypeError, AttributeError, IndexError) as err:
            raise ValueError(f"ModelCheckpoint: cannot format argument `filepath` {self.filepath!r} with the "
                             f"logs {dict(values)}: {err}") from None

    def _save(self, epoch: int, batch: int | None, logs: dict) -> None:
        path = self._file_path(epoch, batch, logs)
        where = f"Epoch {epoch + 1}" + ("" if batch is None else f", batch {batch + 1}")
        if self.save_best_only:
            when = f"at the end of epoch {epoch + 1}" if batch is None else f"of batch {batch + 1}, epoch {epoch + 1}"
            current = self._monitor_value(logs, when)
            if current is None:
                return
            if not self._better(current, self.best):
                if self.verbose > 0:
                    _print(f"{where}: {self.monitor} did not improve on {self.best:.5g}; not saved")
                return
            if self.verbose > 0:
                _print(f"{where}: {self.monitor} improved from {self.best:.5g} to {current:.5g}; saving to {path}")
            self.best = current
        elif self.verbose > 0:
            _print(f"{where}: saving the model to {path}")
        require_folder("ModelCheckpoint", "filepath", path)
        if self.save_weights_only:
            self.model.save_weights(path)  # atomic (dl_layers.atomic.atomic_write)
        else:
            self.model.save(path)  # atomic too


# -- the learning rate ------------------------------------------------------------------------


def _base_learning_rate(owner: str, model) -> float:
    """The optimizer's learning rate as a float (before any legacy ``decay``), or a clear error."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(f"{owner}: the model has no optimizer; compile it first")
    rate = getattr(optimizer, "_learning_rate", None)
    if rate is None:
        rate = optimizer.learning_rate
    if isinstance(rate, LearningRateSchedule):
        raise ValueError(f"{owner}: the optimizer's learning rate is a schedule ({type(rate).__name__}), which "
                         "already sets it at every step; give the optimizer a float learning rate to let this "
                         "callback change it")
    return float(rate)


def _set_learning_rate(owner: str, model, value: float) -> None:
    try:
        model.optimizer.learning_rate = value
    except (TypeError, ValueError) as err:
        raise ValueError(f"{owner}: cannot set the learning rate to {value!r}: {err}") from None


class ReduceLROnPlateau(_Monitoring, Callback):
    """Multiply the learning rate by ``factor`` when a metric has stopped improving.

    At the end of each epoch the monitored value improves when it beats the best so far by
    more than ``min_delta``. After ``patience`` epochs without improvement the optimizer's
    learning rate becomes ``max(lr * factor, min_lr)`` (unless it is already at ``min_lr``),
    and the count starts again. ``cooldown``: as in Keras, the epoch of the reduction counts
    as the first of the cooldown epochs, so the ``cooldown - 1`` epochs after it are not
    counted. Each epoch's logs get the learning rate used during that epoch, under
    "learning_rate" (Keras 3's key; the first edition's ``history.history["lr"]`` is now
    ``history.history["learning_rate"]``).

    Args:
        monitor: the logged metric to watch.
        factor: the multiplier, in (0, 1).
        patience: epochs without improvement before reducing (an integer >= 0).
        verbose: 1 prints a line at each reduction.
        mode: "min", "max" or "auto" (as in ``EarlyStopping``).
        min_delta: the smallest change, >= 0, that counts as an improvement.
        cooldown: epochs after a reduction during which nothing is counted (see above).
        min_lr: the learning rate never goes below this (>= 0).

    Raises:
        ValueError: ``factor`` not in (0, 1); at the start of training, an optimizer whose
            learning rate is a ``LearningRateSchedule``; ``monitor`` not logged.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> from dl_layers.optimizers import SGD
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
        >>> history = model.fit(x, x[:, :1], epochs=4, verbose=0, callbacks=[reduce])
        >>> history.history["learning_rate"], model.optimizer.learning_rate
        ([0.1, 0.1, 0.05, 0.025], 0.0125)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0):
        super().__init__()
        owner = "ReduceLROnPlateau"
        self._set_monitor(monitor, mode)
        factor = check_number(owner, "factor", factor)
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: argument `factor` must be in (0, 1): the learning rate is "
                             f"multiplied by it to reduce it; got {factor!r}")
        self.factor = factor
        self.patience = check_number(owner, "patience", patience, minimum=0, integer=True)
        self.verbose = check_number(owner, "verbose", verbose, minimum=0, integer=True)
        self.min_delta = check_number(owner, "min_delta", min_delta, minimum=0)
        self.cooldown = check_number(owner, "cooldown", cooldown, minimum=0, integer=True)
        self.min_lr = check_number(owner, "min_lr", min_lr, minimum=0)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.cooldown_counter = 0
        self.best = self._worst
        self._seen_validation = False

    def in_cooldown(self) -> bool:
        """True while the epochs after a reduction are not counted."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()
        _base_learning_rate("ReduceLROnPlateau", self.model)  # a schedule: fail now, not after an epoch

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        lr = _base_learning_rate("ReduceLROnPlateau", self.model)
        logs["learning_rate"] = lr  # the logs dict is shared: History (the last callback) records it
        current = self._monitor_value(logs, f"at the end of epoch {epoch + 1}")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current, self.best, self.min_delta):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and lr > self.min_lr:
                new_lr = max(lr * self.factor, self.min_lr)
                _set_learning_rate("ReduceLROnPlateau", self.model, new_lr)
                if self.verbose > 0:
                    _print(f"Epoch {epoch + 1}: ReduceLROnPlateau lowers the learning rate to {new_lr:.5g}")
                self.cooldown_counter = self.cooldown
                self.wait = 0


def _schedule_arity(schedule) -> int | None:
    """2 if ``schedule`` takes ``(epoch, lr)``, 1 if ``(epoch)``, None if its signature is unknown."""
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):
        return None
    for arity, args in ((2, (0, 0.1)), (1, (0,))):
        try:
            signature.bind(*args)
            return arity
        except TypeError:
            continue
    raise TypeError(f"LearningRateScheduler: argument `schedule` must take (epoch) or (epoch, lr), got a function "
                    f"with signature {signature}")


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from ``schedule``.

    ``schedule(epoch, lr)`` gets the epoch (0-based) and the current learning rate and
    returns the new one; a function of the epoch alone, ``schedule(epoch)``, works too
    (the signature decides, as Keras does by trying two arguments first). Each epoch's logs
    get the learning rate under "learning_rate".

    Args:
        schedule: a function ``(epoch, lr) -> float`` or ``(epoch) -> float``.
        verbose: 1 prints the learning rate at each epoch.

    Raises:
        TypeError: ``schedule`` is not callable, or returns something that is not a float.
        ValueError: it returns a float that is not > 0; the optimizer's learning rate is a
            ``LearningRateSchedule``.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> from dl_layers.optimizers import SGD
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr / 2)
        >>> model.fit(x, x[:, :1], epochs=3, verbose=0, callbacks=[halve]).history["learning_rate"]
        [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule: Callable, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: argument `schedule` must be a function (epoch, lr) -> float, "
                            f"got {schedule!r}")
        self.schedule = schedule
        self.verbose = check_number("LearningRateScheduler", "verbose", verbose, minimum=0, integer=True)
        self._arity = _schedule_arity(schedule)

    def on_train_begin(self, logs=None):
        _base_learning_rate("LearningRateScheduler", self.model)  # a schedule: fail before training

    def _call_schedule(self, epoch: int, lr: float):
        if self._arity == 2:
            return self.schedule(epoch, lr)
        if self._arity == 1:
            return self.schedule(epoch)
        try:  # a callable without a signature: Keras's way, two arguments then one
            return self.schedule(epoch, lr)
        except TypeError:
            return self.schedule(epoch)

    def on_epoch_begin(self, epoch, logs=None):
        lr = _base_learning_rate("LearningRateScheduler", self.model)
        new_lr = self._call_schedule(epoch, lr)
        if not isinstance(new_lr, float | np.floating):
            raise TypeError(f"LearningRateScheduler: schedule({epoch}{', lr' if self._arity != 1 else ''}) must "
                            f"return a float, got {new_lr!r} ({type(new_lr).__name__})")
        _set_learning_rate("LearningRateScheduler", self.model, float(new_lr))
        if self.verbose > 0:
            _print(f"Epoch {epoch + 1}: LearningRateScheduler sets the learning rate to {float(new_lr):.5g}")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _base_learning_rate("LearningRateScheduler", self.model)


# -- stopping on NaN ------------------------------------------------------------------------


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite.

    Once the loss has diverged every later step is wasted (the weights are NaN too). The
    epoch is cut short; ``fit`` then ends normally and returns its ``History`` (whose last
    loss is the non-finite one). A line names the batch.

    Attributes:
        terminated_batch: (epoch, batch), both 0-based, at which training stopped, or None.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> from dl_layers.optimizers import SGD
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer=SGD(learning_rate=1e6), loss="mse")   # diverges
        >>> x = np.arange(80, dtype="float32").reshape(40, 2)
        >>> with np.errstate(all="ignore"):
        ...     history = model.fit(x, x[:, :1], epochs=3, batch_size=4, verbose=0, callbacks=[TerminateOnNaN()])
        Epoch 1, batch ...: the loss is ... terminating training
        >>> len(history.history["loss"]), bool(np.isfinite(history.history["loss"][-1]))
        (1, False)
    """

    def __init__(self):
        super().__init__()
        self.terminated_batch = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.terminated_batch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(float(loss)):
            _print(f"Epoch {self._epoch + 1}, batch {batch + 1}: the loss is {float(loss)}, terminating training")
            self.terminated_batch = (self._epoch, batch)
            self.model.stop_training = True


# -- functions as callbacks -------------------------------------------------------------------


class LambdaCallback(_HookCallback):
    """A callback made of plain functions, for small jobs that need no class.

    Each hook gets what the method of the same name gets: ``on_epoch_begin(epoch, logs)``,
    ``on_epoch_end(epoch, logs)``, ``on_batch_begin(batch, logs)``, ``on_batch_end(batch,
    logs)``, ``on_train_begin(logs)``, ``on_train_end(logs)``. Other hooks of ``Callback``
    (``on_train_batch_end``, ``on_test_begin``, ...) can be given by keyword too.

    Every hook argument is a function, or None to do nothing.

    Args:
        on_epoch_begin: called as ``on_epoch_begin(epoch, logs)``.
        on_epoch_end: called as ``on_epoch_end(epoch, logs)``.
        on_batch_begin: called as ``on_batch_begin(batch, logs)``.
        on_batch_end: called as ``on_batch_end(batch, logs)``.
        on_train_begin: called as ``on_train_begin(logs)``.
        on_train_end: called as ``on_train_end(logs)``.
        **hooks: other ``Callback`` hooks by name.

    Raises:
        TypeError: a hook that is not callable. ValueError: an unknown hook name.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> seen = []
        >>> log = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, sorted(logs))))
        >>> _ = model.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[log])
        >>> seen
        [(0, ['loss']), (1, ['loss'])]
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **hooks):
        given = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_batch_begin": on_batch_begin,
                 "on_batch_end": on_batch_end, "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 **hooks}
        for name, fn in given.items():
            if fn is not None and not callable(fn):
                raise TypeError(f"LambdaCallback: argument `{name}` must be a function or None, got {fn!r}")
        super().__init__(**{name: fn for name, fn in given.items() if fn is not None})
