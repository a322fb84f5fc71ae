"""Where dl-workflow's callbacks meet dl-viz: a run stopped early, checkpointed, resumed from its
checkpoint, its logs plotted by dl-viz from the JSON-lines file, on scikit-learn's real digits."""

import json

import matplotlib
import numpy as np

import dl_layers as L
import dl_viz
from dl_workflow import CSVLogger, EarlyStopping, JSONLinesLogger, ModelCheckpoint

matplotlib.use("Agg")


def build_model():
    model = L.Sequential([L.Dense(256, activation="relu", input_shape=(64,)), L.Dense(10, activation="softmax")])
    model.compile(optimizer=L.optimizers.RMSprop(0.003), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_stop_checkpoint_resume_and_plot_the_logs(digits, tmp_path):
    x_train, y_train, x_test, y_test = digits
    L.set_random_seed(0)
    model = build_model()
    best = tmp_path / "best.keras"
    log = tmp_path / "log.jsonl"
    csv_log = tmp_path / "log.csv"
    history = model.fit(x_train, y_train, epochs=40, batch_size=32, validation_split=0.25, verbose=0,
                        callbacks=[EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
                                   ModelCheckpoint(str(best), monitor="val_loss", save_best_only=True),
                                   JSONLinesLogger(str(log)), CSVLogger(str(csv_log))])
    epochs = len(history.history["loss"])
    assert epochs < 40  # stopped early
    best_epoch = int(np.argmin(history.history["val_loss"]))
    restored = L.load_model(best)
    np.testing.assert_allclose(restored.predict(x_test), model.predict(x_test), rtol=1e-5, atol=1e-6)
    accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    assert accuracy > 0.9  # 10 classes: chance is 0.1

    # resume from the checkpoint for a few more epochs, appending to the same logs
    restored.fit(x_train, y_train, epochs=best_epoch + 1 + 3, initial_epoch=best_epoch + 1, batch_size=32,
                 validation_split=0.25, verbose=0,
                 callbacks=[JSONLinesLogger(str(log), append=True), CSVLogger(str(csv_log), append=True)])
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [row["epoch"] for row in lines] == list(range(epochs)) + [best_epoch + 1, best_epoch + 2, best_epoch + 3]
    assert csv_log.read_text().count("epoch") == 1  # one header after the resume

    # dl-viz reads the JSON lines as they are and marks the best epoch where the run found it
    read = dl_viz.read_history(log)
    assert len(read["loss"]) == epochs + 3
    fig = dl_viz.plot_history({k: v[:epochs] for k, v in read.items()}, metrics=["loss"])
    assert any(f"best epoch {best_epoch + 1}" in label for label in fig.axes[0].get_legend_handles_labels()[1])
