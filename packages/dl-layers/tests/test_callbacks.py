"""Callbacks during ``fit``: hook order, stopping, History and its key aliases, progress output."""

import re

import numpy as np
import pytest

from dl_layers import Dense, Sequential
from dl_layers.callbacks import Callback, CallbackList, History, HistoryDict, LambdaCallback, ProgbarLogger

X = np.linspace(-1, 1, 30, dtype=np.float32).reshape(10, 3)
Y = (X @ np.float32([[1.0], [-2.0], [0.5]]) + 0.25).astype(np.float32)


def tiny_model(metrics=None):
    model = Sequential([Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=metrics)
    return model


class Recorder(Callback):
    """Records every hook it receives (the train-batch hooks under their current names)."""

    def __init__(self):
        super().__init__()
        self.events = []
        self.logs = {}

    def _record(self, name, *args, logs=None):
        self.events.append((name, *args))
        self.logs.setdefault(name, []).append(dict(logs) if logs is not None else None)

    def on_train_begin(self, logs=None):
        self._record("train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._record("train_end", logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("batch_end", batch, logs=logs)

    def on_test_begin(self, logs=None):
        self._record("test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._record("test_end", logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._record("test_batch_end", batch, logs=logs)

    def on_predict_begin(self, logs=None):
        self._record("predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._record("predict_end", logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._record("predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._record("predict_batch_end", batch, logs=logs)


class FirstEdition(Callback):
    """Overrides only the first edition's batch hooks."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_batch_begin(self, batch, logs=None):
        self.events.append(("batch_begin", batch))

    def on_batch_end(self, batch, logs=None):
        self.events.append(("batch_end", batch, sorted(logs)))


# -- hook order -----------------------------------------------------------------------------

def test_hook_order_during_fit():
    rec = Recorder()
    tiny_model().fit(X, Y, batch_size=4, epochs=2, verbose=0, callbacks=[rec])
    expected = [("train_begin",)]
    for epoch in range(2):
        expected.append(("epoch_begin", epoch))
        for batch in range(3):  # 10 samples, batches of 4, 4, 2
            expected += [("batch_begin", batch), ("batch_end", batch)]
        expected.append(("epoch_end", epoch))
    expected.append(("train_end",))
    assert rec.events == expected


def test_validation_in_fit_calls_no_test_hooks():
    rec = Recorder()
    history = tiny_model().fit(X, Y, batch_size=4, epochs=2, verbose=0, callbacks=[rec],
                               validation_data=(X[:4], Y[:4]))
    names = [e[0] for e in rec.events]
    assert not [n for n in names if n.startswith("test")]  # validation runs without callbacks
    assert names.count("batch_end") == 6
    assert "val_loss" in rec.logs["epoch_end"][0]
    assert history.history["val_loss"][1] == rec.logs["epoch_end"][1]["val_loss"]


def test_logs_passed_to_hooks():
    rec = Recorder()
    tiny_model(metrics=["mae"]).fit(X, Y, batch_size=5, epochs=2, verbose=0, callbacks=[rec],
                                    validation_data=(X, Y))
    batch_logs = rec.logs["batch_end"]
    assert all(set(logs) == {"loss", "mae"} for logs in batch_logs)
    assert rec.logs["batch_begin"] == [None] * 4
    epoch_logs = rec.logs["epoch_end"]
    assert [sorted(logs) for logs in epoch_logs] == [["loss", "mae", "val_loss", "val_mae"]] * 2
    # the epoch's loss is the running mean at its last batch
    assert epoch_logs[0]["loss"] == pytest.approx(batch_logs[1]["loss"], rel=1e-12)
    assert rec.logs["train_end"] == [epoch_logs[-1]]


def test_first_edition_batch_hooks_are_called():
    old = FirstEdition()
    tiny_model().fit(X, Y, batch_size=5, epochs=2, verbose=0, callbacks=[old])
    assert old.events == [("batch_begin", 0), ("batch_end", 0, ["loss"]), ("batch_begin", 1),
                          ("batch_end", 1, ["loss"])] * 2


def test_evaluate_and_predict_hooks():
    model = tiny_model()
    rec = Recorder()
    model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[rec])
    assert rec.events == [("test_begin",), ("test_batch_begin", 0), ("test_batch_end", 0), ("test_batch_begin", 1),
                          ("test_batch_end", 1), ("test_batch_begin", 2), ("test_batch_end", 2), ("test_end",)]
    assert set(rec.logs["test_end"][0]) == {"loss"}
    rec = Recorder()
    model.predict(X, batch_size=6, callbacks=[rec])
    assert [e[0] for e in rec.events] == ["predict_begin", "predict_batch_begin", "predict_batch_end",
                                         "predict_batch_begin", "predict_batch_end", "predict_end"]
    assert rec.logs["predict_batch_end"][1]["outputs"].shape == (4, 1)


def test_model_and_params_are_set():
    seen = {}

    class Peek(Callback):
        def on_train_begin(self, logs=None):
            seen["model"] = self.model
            seen["params"] = dict(self.params)

    model = tiny_model()
    model.fit(X, Y, batch_size=3, epochs=5, initial_epoch=2, verbose=0, callbacks=[Peek()])
    assert seen["model"] is model
    assert seen["params"]["epochs"] == 5
    assert seen["params"]["steps"] == 4  # ceil(10 / 3)
    assert seen["params"]["verbose"] == 0
    peek = Peek()
    model.fit(X, Y, batch_size=3, epochs=1, steps_per_epoch=2, verbose=0, callbacks=[peek])
    assert seen["params"]["steps"] == 2
    assert peek.model is model


def test_initial_epoch_numbers_the_epochs():
    rec = Recorder()
    history = tiny_model().fit(X, Y, epochs=4, initial_epoch=2, verbose=0, callbacks=[rec])
    assert [e[1] for e in rec.events if e[0] == "epoch_begin"] == [2, 3]
    assert history.epoch == [2, 3]


def test_callbacks_run_in_the_given_order():
    calls = []
    cbs = [LambdaCallback(on_epoch_end=lambda epoch, logs, i=i: calls.append(i)) for i in range(3)]
    tiny_model().fit(X, Y, epochs=2, verbose=0, callbacks=cbs)
    assert calls == [0, 1, 2, 0, 1, 2]


# -- stopping ---------------------------------------------------------------------------------

def test_stop_training_from_a_batch_hook_stops_after_that_batch():
    rec = Recorder()

    class StopAtBatch1(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    history = tiny_model().fit(X, Y, batch_size=2, epochs=5, verbose=0, callbacks=[StopAtBatch1(), rec])
    names = [e[0] for e in rec.events]
    assert names == ["train_begin", "epoch_begin", "batch_begin", "batch_end", "batch_begin", "batch_end",
                     "epoch_end", "train_end"]
    assert history.epoch == [0]
    assert len(history.history["loss"]) == 1


def test_stop_training_from_an_epoch_hook_stops_after_that_epoch():
    class StopAtEpoch1(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    rec = Recorder()
    model = tiny_model()
    history = model.fit(X, Y, batch_size=5, epochs=10, verbose=0, callbacks=[StopAtEpoch1(), rec])
    assert history.epoch == [0, 1]
    assert [e[0] for e in rec.events].count("batch_end") == 4
    assert rec.events[-1] == ("train_end",)
    # a new fit starts again (stop_training is reset)
    assert model.fit(X, Y, batch_size=5, epochs=3, verbose=0).epoch == [0, 1, 2]


# -- History ----------------------------------------------------------------------------------

def test_history_has_one_value_per_epoch():
    model = tiny_model(metrics=["mae"])
    history = model.fit(X, Y, batch_size=4, epochs=3, verbose=0, validation_split=0.2)
    assert isinstance(history, History)
    assert model.history is history
    assert history.model is model
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(len(v) == 3 for v in history.history.values())
    assert all(isinstance(x, float) for v in history.history.values() for x in v)
    assert history.epoch == [0, 1, 2]
    assert history.history["loss"][0] > history.history["loss"][-1]  # SGD on a linear problem


def test_history_aliases_between_editions():
    h = HistoryDict({"accuracy": [0.5], "val_accuracy": [0.25], "mae": [1.0], "val_mae": [2.0],
                     "mean_squared_error": [3.0], "loss": [0.1]})
    assert h["acc"] == [0.5] and h["val_acc"] == [0.25]
    assert h["mean_absolute_error"] == [1.0] and h["val_mean_absolute_error"] == [2.0]
    assert h["mse"] == [3.0]
    assert "acc" in h and "val_acc" in h and "val_mean_absolute_error" in h and "mse" in h
    assert "val_mse" not in h and "val_loss" not in h and "accuracy_x" not in h
    assert h.get("acc") == [0.5] and h.get("val_loss") is None and h.get("val_loss", 7) == 7
    assert sorted(h) == ["accuracy", "loss", "mae", "mean_squared_error", "val_accuracy", "val_mae"]  # no new keys


def test_history_aliases_the_other_way():
    h = HistoryDict({"acc": [0.5], "val_acc": [0.25], "mean_absolute_error": [1.0]})
    assert h["accuracy"] == [0.5] and h["val_accuracy"] == [0.25] and h["mae"] == [1.0]


def test_history_from_fit_answers_to_first_edition_names():
    history = tiny_model(metrics=["mae"]).fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y))
    assert history.history["mean_absolute_error"] is history.history["mae"]
    assert history.history["val_mean_absolute_error"] == history.history["val_mae"]


def test_history_missing_key_lists_recorded_keys():
    h = HistoryDict({"loss": [1.0], "val_loss": [2.0]})
    with pytest.raises(KeyError, match=r"'accuracy'; recorded keys: \['loss', 'val_loss'\]"):
        h["accuracy"]
    with pytest.raises(KeyError, match="recorded keys"):
        h["val_acc"]


def test_history_dict_with_non_string_keys_behaves_like_a_dict():
    h = HistoryDict({"loss": [1.0]})
    assert 0 not in h
    assert h.get(0) is None
    with pytest.raises(KeyError):
        h[0]


# -- ProgbarLogger --------------------------------------------------------------------------

def test_verbose_2_prints_one_line_per_epoch(capsys):
    history = tiny_model(metrics=["mae"]).fit(X, Y, batch_size=4, epochs=3, verbose=2, validation_data=(X, Y))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines):
        assert line.startswith(f"Epoch {epoch + 1}/3 - ")
        assert re.search(r" - \d+\.\ds - ", line)
        for key in ("loss", "mae", "val_loss", "val_mae"):
            assert f"{key}: {history.history[key][epoch]:.4f}" in line
        assert line.index("loss:") < line.index("mae:") < line.index("val_loss:") < line.index("val_mae:")


def test_verbose_1_shows_a_bar_that_ends_with_the_epoch_logs(capsys):
    history = tiny_model().fit(X, Y, batch_size=4, epochs=2, verbose=1, validation_data=(X, Y))
    out = capsys.readouterr().out
    lines = out.strip("\n").split("\n")
    assert len(lines) == 2  # one finished bar per epoch
    for epoch, line in enumerate(lines):
        final = line.split("\r")[-1]  # what stays on screen
        assert final.startswith(f"Epoch {epoch + 1}/2")
        assert "3/3" in final
        logs = f"loss: {history.history['loss'][epoch]:.4f} - val_loss: {history.history['val_loss'][epoch]:.4f}"
        assert final.rstrip().endswith(logs + "]")


def test_verbose_auto_is_the_bar(capsys):
    tiny_model().fit(X, Y, epochs=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "\r" in out


def test_verbose_0_prints_nothing(capsys):
    tiny_model(metrics=["mae"]).fit(X, Y, epochs=2, verbose=0, validation_split=0.3)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progbar_writes_to_the_given_file(capsys):
    import io

    buf = io.StringIO()
    bar = ProgbarLogger(verbose=2, file=buf)
    tiny_model().fit(X, Y, epochs=2, verbose=0, callbacks=[bar])
    assert capsys.readouterr().out == ""
    assert [line.split(" - ")[0] for line in buf.getvalue().splitlines()] == ["Epoch 1/2", "Epoch 2/2"]


# -- LambdaCallback and argument checks ----------------------------------------------------

def test_lambda_callback_hooks():
    seen = []
    cb = LambdaCallback(on_train_begin=lambda logs: seen.append("begin"),
                        on_epoch_end=lambda epoch, logs: seen.append((epoch, round(logs["loss"], 9))),
                        on_batch_end=lambda batch, logs: seen.append(("batch", batch)),
                        on_train_end=lambda logs: seen.append("end"))
    history = tiny_model().fit(X, Y, batch_size=5, epochs=2, verbose=0, callbacks=[cb])
    losses = [round(v, 9) for v in history.history["loss"]]
    assert seen == ["begin", ("batch", 0), ("batch", 1), (0, losses[0]), ("batch", 0), ("batch", 1), (1, losses[1]),
                    "end"]


def test_lambda_callback_functions_get_logs_positionally_as_in_keras():
    # Keras documents on_epoch_begin(epoch, logs), on_train_batch_begin(batch, logs),
    # on_train_begin(logs), on_test_begin(logs): hooks fit calls without logs must still get them.
    seen = []
    cb = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(("epoch", epoch, logs)),
                        on_train_batch_begin=lambda batch, logs: seen.append(("batch", batch, logs)),
                        on_test_begin=lambda logs: seen.append(("test", logs)),
                        on_test_batch_begin=lambda batch, logs: seen.append(("test_batch", batch, logs)),
                        on_predict_begin=lambda logs: seen.append(("predict", logs)))
    model = tiny_model()
    model.fit(X, Y, batch_size=10, epochs=2, verbose=0, callbacks=[cb])
    assert seen == [("epoch", 0, None), ("batch", 0, None), ("epoch", 1, None), ("batch", 0, None)]
    seen.clear()
    model.evaluate(X, Y, batch_size=10, verbose=0, callbacks=[cb])
    model.predict(X, callbacks=[cb])
    assert seen == [("test", None), ("test_batch", 0, None), ("predict", None)]


@pytest.mark.parametrize("name", ["on_epoch_finish", "set_model", "model", "on_", "epoch_end"])
def test_lambda_callback_unknown_hook(name):
    with pytest.raises(ValueError, match=f"LambdaCallback: unknown hook '{name}'"):
        LambdaCallback(**{name: lambda *a: None})


@pytest.mark.parametrize("bad", [lambda epoch, logs: None, "history", History])
def test_non_callback_is_a_type_error(bad):
    with pytest.raises(TypeError, match="callbacks: expected Callback instances, got"):
        tiny_model().fit(X, Y, verbose=0, callbacks=[bad])


def test_callback_list_rejects_non_callbacks_and_unknown_attributes():
    with pytest.raises(TypeError, match="expected Callback instances"):
        CallbackList([object()], None, {})
    cbs = CallbackList([Callback()], "model", {"epochs": 1})
    assert cbs.callbacks[0].model == "model" and cbs.callbacks[0].params == {"epochs": 1}
    with pytest.raises(AttributeError):
        cbs.set_model  # noqa: B018


def test_other_spellings_keep_prefixes_and_both_directions():
    from dl_layers.callbacks import other_spellings

    assert other_spellings("val_acc") == ["val_accuracy"]
    assert other_spellings("val_accuracy") == ["val_acc"]
    assert other_spellings("mse") == ["mean_squared_error"]
    assert other_spellings("lr") == ["learning_rate"]
    assert other_spellings("loss") == [] and other_spellings(3) == []
