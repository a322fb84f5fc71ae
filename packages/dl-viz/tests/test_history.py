import io
import json
import math

import matplotlib.image
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_layers.callbacks import History
from dl_viz.figure_utils import new_axes
from dl_viz.history import plot_history, read_history, smooth_curve

HISTORY = {
    "loss": [0.9, 0.6, 0.45, 0.35, 0.3],
    "accuracy": [0.5, 0.7, 0.8, 0.85, 0.9],
    "val_loss": [1.0, 0.7, 0.6, 0.65, 0.8],
    "val_accuracy": [0.4, 0.6, 0.75, 0.72, 0.7],
}


def write_lines(tmp_path, lines, name="log.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def labels_of(ax):
    return ax.get_legend_handles_labels()[1]


def marker_of(ax):
    """The best-epoch marker: the last line, a single point."""
    line = ax.lines[-1]
    assert line.get_label().startswith("best epoch")
    return line.get_xdata()[0], line.get_ydata()[0]


# -- read_history -------------------------------------------------------------------------------


def test_read_history_from_a_dict_keeps_names_order_and_values():
    history = read_history(HISTORY)
    assert history == HISTORY
    assert list(history) == list(HISTORY)
    assert all(isinstance(v, float) for values in history.values() for v in values)


def test_read_history_from_a_dl_layers_history():
    history = History()
    history.on_epoch_end(0, {"loss": 0.5, "acc": np.float32(0.25)})
    history.on_epoch_end(1, {"loss": 0.25, "acc": np.float32(0.5)})
    assert read_history(history) == {"loss": [0.5, 0.25], "acc": [0.25, 0.5]}


def test_read_history_accepts_anything_with_a_history_dict():
    class Logged:
        history = {"loss": [3, 2, 1]}

    assert read_history(Logged()) == {"loss": [3.0, 2.0, 1.0]}


def test_read_history_dict_with_epoch_key_orders_by_it_and_drops_it():
    assert read_history({"epoch": [2, 0, 1], "loss": [0.1, 0.3, 0.2]}) == {"loss": [0.3, 0.2, 0.1]}


def test_read_history_from_json_lines(tmp_path):
    path = write_lines(tmp_path, [
        '{"epoch": 1, "loss": 0.6, "val_loss": 0.7, "accuracy": 0.6, "note": "lr halved"}',
        "",
        "   ",
        '{"epoch": 0, "loss": 0.71, "val_loss": 0.80, "accuracy": 0.5, "note": "start"}',
        '{"epoch": 2, "loss": 0.5, "accuracy": "n/a", "lr": 0.001}',
    ])
    history = read_history(path)
    assert list(history) == ["loss", "val_loss", "accuracy", "lr"]  # "note" never holds a number
    assert history["loss"] == [0.71, 0.6, 0.5]  # ordered by epoch
    np.testing.assert_array_equal(history["val_loss"], [0.8, 0.7, np.nan])  # missing key -> NaN
    np.testing.assert_array_equal(history["accuracy"], [0.5, 0.6, np.nan])  # a string -> NaN
    np.testing.assert_array_equal(history["lr"], [np.nan, np.nan, 0.001])
    from_str = read_history(str(path))  # a str path works the same
    assert list(from_str) == list(history)
    assert all(np.array_equal(from_str[k], history[k], equal_nan=True) for k in history)


def test_read_history_json_lines_without_epochs_keeps_file_order(tmp_path):
    path = write_lines(tmp_path, ['{"loss": 3}', '{"epoch": 0, "loss": 2}', '{"loss": 1, "ok": true}'])
    assert read_history(path) == {"loss": [3.0, 2.0, 1.0]}  # booleans are not metrics


def test_read_history_malformed_json_names_file_and_line(tmp_path):
    path = write_lines(tmp_path, ['{"epoch": 0, "loss": 0.7}', "", '{"epoch": 1, "loss": }'], name="bad.jsonl")
    with pytest.raises(ValueError, match=r"read_history: '.*bad\.jsonl' line 3 is not valid JSON"):
        read_history(path)


def test_read_history_line_that_is_not_an_object(tmp_path):
    path = write_lines(tmp_path, ['{"loss": 0.7}', "[0.5, 0.6]"])
    with pytest.raises(ValueError, match=r"line 2 must be a JSON object"):
        read_history(path)


@pytest.mark.parametrize("lines", [[], [""], ['{"epoch": 0, "note": "x"}']])
def test_read_history_empty_file(tmp_path, lines):
    with pytest.raises(ValueError, match=r"read_history: the history in .* is empty"):
        read_history(write_lines(tmp_path, lines))


def test_read_history_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"read_history: no history file at .*nothing\.jsonl"):
        read_history(tmp_path / "nothing.jsonl")


@pytest.mark.parametrize("source", [{}, {"loss": []}, {"epoch": [0, 1]}])
def test_read_history_empty_dict(source):
    with pytest.raises(ValueError, match=r"read_history: the history is empty"):
        read_history(source)


def test_read_history_lists_of_different_lengths():
    with pytest.raises(ValueError, match=r"same length; got lengths \{'loss': 3, 'val_loss': 2\}"):
        read_history({"loss": [1, 2, 3], "val_loss": [1, 2]})
    with pytest.raises(ValueError, match=r"got lengths \{'epoch': 2, 'loss': 3\}"):
        read_history({"epoch": [0, 1], "loss": [1, 2, 3]})


@pytest.mark.parametrize("values", [["a", "b"], 0.5, [[1, 2], [3, 4]]])
def test_read_history_values_must_be_flat_lists_of_numbers(values):
    with pytest.raises(ValueError, match=r"read_history: history\['loss'\] must be a (flat )?list of numbers"):
        read_history({"loss": values})


@pytest.mark.parametrize("source", [42, [0.5, 0.4], None])
def test_read_history_unknown_source(source):
    with pytest.raises(TypeError, match=r"read_history: argument `source` must be a History, a dict"):
        read_history(source)


# -- smooth_curve -------------------------------------------------------------------------------


def book_smooth_curve(points, factor):
    """The book's listing (first edition, section 5.4), as printed."""
    smoothed_points = []
    for point in points:
        if smoothed_points:
            previous = smoothed_points[-1]
            smoothed_points.append(previous * factor + point * (1 - factor))
        else:
            smoothed_points.append(point)
    return smoothed_points


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=40), st.floats(0, 0.99))
def test_smooth_curve_is_the_books_moving_average(values, factor):
    smoothed = smooth_curve(values, factor)
    assert smoothed.shape == (len(values),) and smoothed.dtype == np.float64
    np.testing.assert_allclose(smoothed, book_smooth_curve(values, factor), rtol=1e-12, atol=1e-9)
    assert smoothed[0] == values[0]


def test_smooth_curve_known_values_and_identity():
    np.testing.assert_allclose(smooth_curve([1.0, 0.0, 0.0, 1.0], 0.5), [1.0, 0.5, 0.25, 0.625])
    np.testing.assert_array_equal(smooth_curve([3.0, 1.0, 2.0], 0.0), [3.0, 1.0, 2.0])
    np.testing.assert_allclose(smooth_curve([1.0, 1.0, 1.0]), [1.0, 1.0, 1.0])  # default factor 0.8


def test_smooth_curve_skips_nan_points():
    smoothed = smooth_curve([np.nan, 1.0, np.nan, 0.0], 0.5)
    np.testing.assert_array_equal(smoothed, [np.nan, 1.0, np.nan, 0.5])


@pytest.mark.parametrize("factor", [1.0, -0.1, 1.5])
def test_smooth_curve_factor_out_of_range(factor):
    with pytest.raises(ValueError, match=r"smooth_curve: argument `factor` must be a number in \[0, 1\)"):
        smooth_curve([1.0, 2.0], factor)


def test_smooth_curve_bad_values():
    with pytest.raises(ValueError, match=r"smooth_curve: argument `values` must be a flat list .* shape \(2, 2\)"):
        smooth_curve([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match=r"smooth_curve: argument `values` must be a list of numbers"):
        smooth_curve(["a", "b"])


# -- plot_history -------------------------------------------------------------------------------


def test_plot_history_one_panel_per_metric_loss_first():
    fig = plot_history({"accuracy": [0.5, 0.6], "loss": [0.9, 0.8], "val_loss": [1.0, 0.9], "mae": [3, 2]})
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy", "mae"]
    assert len(fig.axes) == 3
    lefts = [ax.get_position().x0 for ax in fig.axes]
    assert lefts == sorted(lefts)  # a row of panels, left to right


def test_plot_history_lines_hold_the_data():
    fig = plot_history(HISTORY)
    loss, accuracy = fig.axes
    for ax, name in ((loss, "loss"), (accuracy, "accuracy")):
        assert len(ax.lines) == 4  # training, validation, dotted line, marker
        train, val, vline, _ = ax.lines
        np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3, 4, 5])
        np.testing.assert_array_equal(train.get_ydata(), HISTORY[name])
        np.testing.assert_array_equal(val.get_ydata(), HISTORY[f"val_{name}"])
        assert vline.get_linestyle() == ":"
        assert ax.get_xlabel() == "epoch"
        assert ax.get_legend() is not None


def test_plot_history_marks_the_best_validation_epoch():
    loss, accuracy = plot_history(HISTORY).axes
    assert marker_of(loss) == (3, 0.6)  # lowest val_loss, at epoch 3
    assert loss.lines[2].get_xdata()[0] == 3  # the dotted vertical line too
    assert labels_of(loss) == ["training", "validation", "best epoch 3"]
    assert marker_of(accuracy) == (3, 0.75)  # highest val_accuracy
    assert labels_of(accuracy)[-1] == "best epoch 3"


@given(st.lists(st.floats(0, 10), min_size=1, max_size=30))
def test_plot_history_best_epoch_is_argmin_of_val_loss_and_argmax_of_val_accuracy(values):
    n = len(values)
    fig = plot_history({"loss": [1.0] * n, "val_loss": values, "val_accuracy": values})
    loss, accuracy = fig.axes
    assert marker_of(loss) == (int(np.argmin(values)) + 1, min(values))
    assert marker_of(accuracy) == (int(np.argmax(values)) + 1, max(values))


def test_plot_history_without_validation_marks_the_training_curve():
    (ax,) = plot_history({"loss": [3.0, 1.0, 2.0]}).axes
    assert len(ax.lines) == 3
    assert marker_of(ax) == (2, 1.0)
    assert labels_of(ax) == ["training", "best epoch 2"]


def test_plot_history_validation_only_metric_forms_a_panel():
    fig = plot_history({"loss": [1.0, 0.5], "val_auc": [0.6, 0.8]})
    assert [ax.get_title() for ax in fig.axes] == ["loss", "auc"]
    auc = fig.axes[1]
    assert labels_of(auc) == ["validation", "best epoch 2"]
    np.testing.assert_array_equal(auc.lines[0].get_ydata(), [0.6, 0.8])


def test_plot_history_chosen_metrics_str_list_and_alias():
    (ax,) = plot_history(HISTORY, metrics="accuracy").axes
    assert ax.get_title() == "accuracy"
    fig = plot_history(HISTORY, metrics=["accuracy", "loss"])
    assert [ax.get_title() for ax in fig.axes] == ["accuracy", "loss"]
    (ax,) = plot_history({"loss": [1, 0.5], "acc": [0.5, 0.6]}, metrics="accuracy").axes
    assert ax.get_title() == "acc"  # the logged spelling
    (ax,) = plot_history(HISTORY, metrics="acc").axes
    assert ax.get_title() == "accuracy"


def test_plot_history_unknown_metric():
    with pytest.raises(ValueError) as err:
        plot_history(HISTORY, metrics=["loss", "foo"])
    assert str(err.value) == "plot_history: metrics=['foo'] not in the history; logged: ['accuracy', 'loss']"


@pytest.mark.parametrize("metrics", [[], 3, ["loss", 3]])
def test_plot_history_bad_metrics_argument(metrics):
    with pytest.raises(ValueError, match=r"plot_history: argument `metrics` must be None, a metric name"):
        plot_history(HISTORY, metrics=metrics)


def test_plot_history_smoothing_draws_raw_faint_and_finds_best_on_smoothed():
    val_loss = [1.0, 0.2, 0.9, 0.5, 0.45, 0.4]  # raw minimum at epoch 2, a single dip
    fig = plot_history({"loss": [1.0] * 6, "val_loss": val_loss}, smooth=0.6)
    (ax,) = fig.axes
    assert len(ax.lines) == 6  # raw + smoothed for each curve, dotted line, marker
    raw_val, smoothed_val = ax.lines[2], ax.lines[3]
    assert raw_val.get_alpha() == pytest.approx(0.3) and ax.lines[0].get_alpha() == pytest.approx(0.3)
    assert smoothed_val.get_alpha() is None
    np.testing.assert_array_equal(raw_val.get_ydata(), val_loss)
    smoothed = smooth_curve(val_loss, 0.6)
    np.testing.assert_allclose(smoothed_val.get_ydata(), smoothed)
    best = int(np.argmin(smoothed))
    assert best + 1 != 2  # the smoothed curve disagrees with the raw one here
    assert marker_of(ax) == (best + 1, smoothed[best])
    assert labels_of(ax) == ["training (smoothed)", "validation (smoothed)", f"best epoch {best + 1}"]


def test_plot_history_bad_smooth():
    with pytest.raises(ValueError, match=r"plot_history: argument `smooth` must be a number in \[0, 1\)"):
        plot_history(HISTORY, smooth=1.0)


def test_plot_history_nan_values_are_fine():
    (ax,) = plot_history({"loss": [0.9, np.nan, 0.5], "val_loss": [np.nan, 0.4, 0.7]}).axes
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [np.nan, 0.4, 0.7])
    assert marker_of(ax) == (2, 0.4)
    (ax,) = plot_history({"loss": [0.9, 0.5], "val_loss": [np.nan, np.nan]}).axes
    assert marker_of(ax) == (2, 0.5)  # no validation value: the training curve decides


def test_plot_history_draws_into_a_given_axes():
    fig, ax = new_axes()
    assert plot_history(HISTORY, metrics="loss", ax=ax) is fig
    assert len(fig.axes) == 1 and ax.get_title() == "loss"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), HISTORY["loss"])
    fig, ax = new_axes()
    assert plot_history({"loss": [1.0, 0.5]}, ax=ax) is fig  # one metric logged: metrics may be left out


def test_plot_history_axes_with_several_metrics():
    _, ax = new_axes()
    with pytest.raises(ValueError, match=r"plot_history: argument `ax` draws one metric, but 2 would be plotted"):
        plot_history(HISTORY, ax=ax)


def test_plot_history_figsize():
    assert tuple(plot_history(HISTORY).get_size_inches()) == (8.0, 4.0)
    assert tuple(plot_history(HISTORY, figsize=(10, 3)).get_size_inches()) == (10.0, 3.0)
    assert tuple(plot_history(HISTORY, metrics="loss").get_size_inches()) == (6.0, 4.0)
    assert tuple(plot_history(HISTORY, metrics="loss", figsize=(5, 5)).get_size_inches()) == (5.0, 5.0)


def test_plot_history_from_a_json_lines_file(tmp_path):
    rows = [{"epoch": e, "loss": 1 / (e + 1), "val_loss": 1 / (e + 1) + 0.1 * e} for e in range(4)]
    path = write_lines(tmp_path, [json.dumps(row) for row in rows])
    (ax,) = plot_history(path).axes
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1 / (e + 1) for e in range(4)])
    x, y = marker_of(ax)
    val = [1 / (e + 1) + 0.1 * e for e in range(4)]
    assert x == int(np.argmin(val)) + 1 and math.isclose(y, min(val))


def test_plot_history_renders_a_non_blank_png():
    fig = plot_history(HISTORY, smooth=0.5)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    image = matplotlib.image.imread(buf)
    assert image.ndim == 3 and image.shape[0] > 100
    assert image.std() > 0
    assert len(fig.axes[0].get_yticks()) > 0 and len(fig.axes[0].get_xticks()) > 0  # a grid panel gets ticks back
