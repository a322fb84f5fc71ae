import io

import matplotlib.image
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dl_viz.confusion import MAX_ANNOTATED_CLASSES, confusion_matrix, plot_confusion_matrix
from dl_viz.figure_utils import new_axes


def reference_confusion(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        matrix[t, p] += 1
    return matrix


@st.composite
def labelled(draw):
    classes = draw(st.integers(1, 6))
    n = draw(st.integers(1, 40))
    label = st.integers(0, classes - 1)
    y_true = draw(st.lists(label, min_size=n, max_size=n))
    y_pred = draw(st.lists(label, min_size=n, max_size=n))
    return np.array(y_true), np.array(y_pred), classes


def texts_of(ax):
    return [t.get_text() for t in ax.texts]


# -- confusion_matrix ---------------------------------------------------------------------------


@given(labelled())
def test_confusion_matrix_matches_a_loop(case):
    y_true, y_pred, classes = case
    matrix = confusion_matrix(y_true, y_pred, num_classes=classes)
    assert matrix.dtype == np.int64 and matrix.shape == (classes, classes)
    np.testing.assert_array_equal(matrix, reference_confusion(y_true, y_pred, classes))
    inferred = confusion_matrix(y_true, y_pred)  # C = largest label + 1
    c = max(y_true.max(), y_pred.max()) + 1
    np.testing.assert_array_equal(inferred, matrix[:c, :c])
    assert matrix.sum() == len(y_true) and np.trace(matrix) == (y_true == y_pred).sum()


@given(labelled(), st.randoms(use_true_random=False))
def test_confusion_matrix_from_one_hot_and_scores(case, random):
    y_true, y_pred, classes = case
    assume(classes >= 2)  # an (n, 1) array is a column of labels, not one-hot rows
    one_hot = np.eye(classes)[y_true]  # (n, C)
    rng = np.random.default_rng(random.randint(0, 2**32 - 1))
    scores = rng.normal(size=(len(y_pred), classes))  # (n, C) logits whose argmax is y_pred
    scores[np.arange(len(y_pred)), y_pred] = scores.max(axis=1) + 1.0
    expected = reference_confusion(y_true, y_pred, classes)
    np.testing.assert_array_equal(confusion_matrix(one_hot, scores), expected)
    np.testing.assert_array_equal(confusion_matrix(y_true, scores), expected)
    np.testing.assert_array_equal(confusion_matrix(one_hot, y_pred), expected)


def test_confusion_matrix_known_values():
    np.testing.assert_array_equal(confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2]), [[1, 0, 0], [0, 0, 1], [0, 0, 2]])
    # the width of a 2-D input gives C even when the last class never appears
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    assert confusion_matrix([0, 0], probabilities).shape == (3, 3)
    assert confusion_matrix([0, 1], [1, 0], num_classes=4).shape == (4, 4)


def test_confusion_matrix_accepts_whole_floats_bools_and_columns():
    np.testing.assert_array_equal(confusion_matrix([0.0, 1.0, 1.0], np.array([[0], [1], [0]])), [[1, 0], [1, 1]])
    np.testing.assert_array_equal(confusion_matrix([True, False], [True, True]), [[0, 1], [0, 1]])


@pytest.mark.parametrize(("y_true", "y_pred", "kwargs", "message"), [
    ([0, 1, 2], [0, 1], {}, r"one entry per sample, the same length; got 3 and 2"),
    ([], [], {}, r"are empty \(no sample\)"),
    ([0, -1], [0, 0], {}, r"argument `y_true` must hold class labels >= 0, got -1"),
    ([0, 1], [0, -2], {}, r"argument `y_pred` must hold class labels >= 0, got -2"),
    ([0, 1], [0.2, 0.8], {}, r"argument `y_pred` holds float labels that are not whole numbers \(e\.g\. "
                             r"\[0\.2, 0\.8\]\)"),
    ([0, 1.5], [0, 1], {}, r"argument `y_true` holds float labels that are not whole numbers"),
    ([0, 3], [0, 1], {"num_classes": 3}, r"argument `y_true` holds the label 3, but there are only 3 classes"),
    ([0, 1], [0, 5], {"num_classes": 3}, r"argument `y_pred` holds the label 5, but there are only 3 classes"),
    (np.eye(3)[[0, 1]], np.eye(4)[[0, 1]], {}, r"the numbers of classes disagree: y_true has 3 columns, "
                                               r"y_pred has 4 columns"),
    (np.eye(3)[[0, 1]], [0, 1], {"num_classes": 5}, r"y_true has 3 columns, num_classes=5"),
    ([0, 1], [np.nan, 1.0], {}, r"argument `y_pred` has non-finite values"),
    (["cat", "dog"], [0, 1], {}, r"argument `y_true` must hold numbers .* got dtype <U3"),
    (np.zeros((2, 2, 2)), [0, 1], {}, r"argument `y_true` must be labels \(n,\) or .* got shape \(2, 2, 2\)"),
    (0, [0], {}, r"argument `y_true` must be labels \(n,\) or .* got shape \(\)"),
    ([0, 1], [0, 1], {"num_classes": 0}, r"argument `num_classes` must be an integer >= 1, got 0"),
])
def test_confusion_matrix_errors(y_true, y_pred, kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        confusion_matrix(y_true, y_pred, **kwargs)
    assert str(err.value).startswith("confusion_matrix: ")


# -- plot_confusion_matrix ----------------------------------------------------------------------


Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
Y_PRED = np.array([0, 0, 1, 1, 2, 2, 2, 2, 0, 2])
COUNTS = np.array([[2, 1, 0], [0, 1, 1], [1, 0, 4]])


def test_plot_confusion_matrix_cells_are_the_counts():
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED, class_names=["cat", "dog", "bird"])
    (ax,) = fig.axes
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED), COUNTS)
    assert len(ax.images) == 1
    np.testing.assert_array_equal(ax.images[0].get_array(), COUNTS)
    assert len(ax.texts) == 9
    assert texts_of(ax) == [str(c) for c in COUNTS.ravel()]  # row by row
    assert [t.get_position() for t in ax.texts[:4]] == [(0, 0), (1, 0), (2, 0), (0, 1)]  # (column, row)
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "bird"]
    assert ax.get_title() == "accuracy 70.00% (7/10)"


@given(labelled())
def test_plot_confusion_matrix_texts_match_the_loop(case):
    y_true, y_pred, _ = case
    (ax,) = plot_confusion_matrix(y_true, y_pred).axes
    c = max(y_true.max(), y_pred.max()) + 1
    expected = reference_confusion(y_true, y_pred, c)
    assert texts_of(ax) == [str(v) for v in expected.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(i) for i in range(c)]


@pytest.mark.parametrize(("normalize", "axis"), [("true", 1), ("pred", 0), ("all", None)])
def test_plot_confusion_matrix_normalization_sums_to_one(normalize, axis):
    (ax,) = plot_confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize).axes
    values = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(values.sum(axis=axis), 1.0)
    divisor = COUNTS.sum(axis=axis, keepdims=True) if axis is not None else COUNTS.sum()
    np.testing.assert_allclose(values, COUNTS / divisor)
    assert texts_of(ax) == [f"{v:.2f}" for v in (COUNTS / divisor).ravel()]
    assert ax.get_title() == "accuracy 70.00% (7/10)"


def test_plot_confusion_matrix_normalization_of_an_absent_class_is_zero():
    (ax,) = plot_confusion_matrix([0, 0, 2], [0, 1, 2], normalize="true").axes  # class 1 never true
    values = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(values, [[0.5, 0.5, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert texts_of(ax)[3:6] == ["0.00", "0.00", "0.00"]


@pytest.mark.parametrize("cmap", ["Blues", "Blues_r", "viridis"])
def test_plot_confusion_matrix_text_is_readable_on_dark_cells(cmap):
    (ax,) = plot_confusion_matrix([0] * 9 + [1], [0] * 9 + [1], cmap=cmap).axes  # counts [[9, 0], [0, 1]]
    image = ax.images[0]
    for text in ax.texts:
        col, row = text.get_position()
        r, g, b, _ = image.to_rgba(np.asarray(image.get_array())[row, col])
        luminance = 0.299 * r + 0.587 * g + 0.114 * b
        assert text.get_color() == ("white" if luminance < 0.5 else "black")
    colors = {t.get_text(): t.get_color() for t in ax.texts}
    assert len(set(colors.values())) == 2  # the extreme cells (9 and 0) get different colours


def test_plot_confusion_matrix_many_classes_are_not_written_in():
    y = np.arange(MAX_ANNOTATED_CLASSES + 1)
    (ax,) = plot_confusion_matrix(y, y).axes
    assert len(ax.texts) == 0 and ax.images[0].get_array().shape == (len(y), len(y))
    (ax,) = plot_confusion_matrix(y[:-1], y[:-1]).axes
    assert len(ax.texts) == MAX_ANNOTATED_CLASSES**2


def test_plot_confusion_matrix_draws_into_a_given_axes_and_figsize():
    fig, ax = new_axes()
    assert plot_confusion_matrix(Y_TRUE, Y_PRED, ax=ax) is fig
    assert len(fig.axes) == 1 and len(ax.images) == 1
    assert tuple(plot_confusion_matrix(Y_TRUE, Y_PRED, figsize=(3, 3)).get_size_inches()) == (3.0, 3.0)


def test_plot_confusion_matrix_from_one_hot_and_probabilities():
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.1  # (10, 3)
    (ax,) = plot_confusion_matrix(np.eye(3)[Y_TRUE], probabilities).axes
    assert texts_of(ax) == [str(c) for c in COUNTS.ravel()]


def test_plot_confusion_matrix_renders_a_non_blank_png():
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED, class_names=["cat", "dog", "bird"], normalize="true")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    image = matplotlib.image.imread(buf)
    assert image.ndim == 3 and image.std() > 0


def test_plot_confusion_matrix_class_names_must_match():
    with pytest.raises(ValueError, match=r"plot_confusion_matrix: argument `class_names` must have one name per "
                                         r"class \(3\), got 2: \['cat', 'dog'\]"):
        plot_confusion_matrix(Y_TRUE, Y_PRED, class_names=["cat", "dog"])


def test_plot_confusion_matrix_bad_normalize():
    with pytest.raises(ValueError, match=r"plot_confusion_matrix: argument `normalize` must be one of None, 'true', "
                                         r"'pred', 'all', got 'rows'"):
        plot_confusion_matrix(Y_TRUE, Y_PRED, normalize="rows")


def test_plot_confusion_matrix_bad_labels_name_the_plot():
    with pytest.raises(ValueError, match=r"plot_confusion_matrix: arguments `y_true` and `y_pred` must have one"):
        plot_confusion_matrix([0, 1], [0])


def test_plot_confusion_matrix_keeps_the_rows_of_named_classes_absent_from_the_sample():
    fig = plot_confusion_matrix([0, 1, 1], [0, 1, 0], class_names=["cat", "dog", "bird"])
    assert fig.axes[0].images[0].get_array().shape == (3, 3)
    assert [t.get_text() for t in fig.axes[0].texts][6:] == ["0", "0", "0"]  # bird: never seen, never predicted
    fig = plot_confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=4)
    assert fig.axes[0].images[0].get_array().shape == (4, 4)
