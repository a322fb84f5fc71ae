"""Callbacks: code that ``fit`` runs at fixed moments of training.

``fit`` calls ``on_train_begin``, then for each epoch ``on_epoch_begin``, for each batch
``on_train_batch_begin``/``on_train_batch_end``, then ``on_epoch_end`` with the epoch's
logs (``{"loss": ..., "accuracy": ..., "val_loss": ...}``), and finally ``on_train_end``.
A callback can stop training by setting ``self.model.stop_training = True``.

This module holds the protocol, ``History`` (which ``fit`` returns) and the progress
display; the book's chapter-7 callbacks (EarlyStopping, ModelCheckpoint, ...) live in
dl-workflow.
"""

from __future__ import annotations

import sys
import time

from tqdm.auto import tqdm


class Callback:
    """Base class: override the hooks you need. ``self.model`` and ``self.params``
    (``epochs``, ``steps``, ``verbose``; in ``fit`` also ``do_validation`` and
    ``validation_freq``) are set before training starts."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None): ...  # first-edition names of the train-batch hooks
    def on_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


class CallbackList:
    """Calls a hook on every callback in order."""

    def __init__(self, callbacks, model, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks: expected Callback instances, got {cb!r}")
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        # Always pass logs positionally, as Keras does, so that plain functions with the
        # documented signatures (``lambda logs: ...``, ``lambda epoch, logs: ...``) work.
        arity = 2 if "epoch" in hook or "batch" in hook else 1

        def call(*args, logs=None):
            args = (*args, logs) if len(args) < arity else args
            for cb in self.callbacks:
                getattr(cb, hook)(*args)

        return call


EDITION_SPELLINGS = (("acc", "accuracy"), ("mae", "mean_absolute_error"), ("mse", "mean_squared_error"),
                     ("lr", "learning_rate"))
"""The two editions' names of the same logged value (the first edition logs ``acc`` and ``lr``)."""


def other_spellings(name) -> list:
    """``"val_acc"`` -> ``["val_accuracy"]``: the same logged value under the other edition's name
    (prefixes such as ``val_`` kept); an empty list when there is none.

    Examples:
        >>> other_spellings("val_acc"), other_spellings("mean_absolute_error"), other_spellings("loss")
        (['val_accuracy'], ['mae'], [])
    """
    if not isinstance(name, str):
        return []
    out = []
    for a, b in EDITION_SPELLINGS:
        for src, dst in ((a, b), (b, a)):
            if name == src or name.endswith("_" + src):
                out.append(name[: len(name) - len(src)] + dst)  # keeps prefixes such as "val_"
    return out


class HistoryDict(dict):
    """The ``history.history`` dict; it also answers to the other edition's key names
    (``acc``/``accuracy``, ``val_acc``/``val_accuracy``, ``mae``/``mean_absolute_error``...)."""

    def _alias(self, key):
        return next((alt for alt in other_spellings(key) if dict.__contains__(self, alt)), None)

    def __missing__(self, key):
        alt = self._alias(key)
        if alt is None:
            raise KeyError(f"{key!r}; recorded keys: {sorted(self)}")
        return dict.__getitem__(self, alt)

    def __contains__(self, key):
        return dict.__contains__(self, key) or self._alias(key) is not None

    def get(self, key, default=None):
        return self[key] if key in self else default


class History(Callback):
    """Records each epoch's logs: ``history.history["val_loss"][epoch]``.

    Attributes:
        history: dict from metric name to a list with one value per epoch.
        epoch: the epoch numbers recorded.
    """

    def __init__(self):
        super().__init__()
        self.history = HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = HistoryDict()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def format_logs(logs: dict) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


class ProgbarLogger(Callback):
    """Shows progress: ``verbose=1`` a live bar per epoch, ``verbose=2`` one line per epoch."""

    def __init__(self, verbose: int = 1, file=None):
        super().__init__()
        self.verbose = verbose
        self.file = file or sys.stdout
        self._bar = None
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        epochs = self.params.get("epochs", "?")
        if self.verbose == 1:
            self._bar = tqdm(total=self.params.get("steps"), desc=f"Epoch {epoch + 1}/{epochs}", unit="batch",
                             file=self.file, leave=True, dynamic_ncols=True, mininterval=0.1)

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(1)
            if logs and (self._bar.n == self._bar.total or time.perf_counter() - self._bar.last_print_t > 0.1):
                self._bar.set_postfix_str(format_logs(logs), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=True)
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            epochs = self.params.get("epochs", "?")
            line = f"Epoch {epoch + 1}/{epochs} - {elapsed:.1f}s - {format_logs(logs or {})}"
            print(line, file=self.file, flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)
