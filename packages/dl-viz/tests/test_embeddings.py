import io

import matplotlib.image
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_viz.embeddings import pca, plot_embeddings
from dl_viz.figure_utils import new_axes


def gaussian_data(n=60, scales=(5.0, 4.0, 3.0, 2.0, 1.0, 0.5), seed=0):
    """Points with well separated variances along random directions."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(len(scales), len(scales))))
    return rng.normal(size=(n, len(scales))) * np.array(scales) @ rotation + 3.0


def with_sign_convention(components):
    """Rows flipped so that each row's largest-magnitude entry is positive."""
    largest = components[np.arange(len(components)), np.abs(components).argmax(axis=1)]
    return components * np.sign(largest)[:, None]


# -- pca ----------------------------------------------------------------------------------------


def test_pca_matches_the_eigendecomposition_of_the_covariance():
    x = gaussian_data()
    centered = x - x.mean(axis=0)
    covariance = centered.T @ centered / (len(x) - 1)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # ascending
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]
    for k in (1, 2, 4, 6):
        projected, ratio = pca(x, n_components=k)
        expected = centered @ with_sign_convention(eigenvectors[:, :k].T).T
        np.testing.assert_allclose(projected, expected, atol=1e-10)
        np.testing.assert_allclose(ratio, eigenvalues[:k] / eigenvalues.sum(), rtol=1e-10)
        np.testing.assert_allclose(projected.var(axis=0, ddof=1), eigenvalues[:k], rtol=1e-10)


def test_pca_columns_are_uncorrelated_with_decreasing_variances():
    projected, ratio = pca(gaussian_data(), n_components=4)
    covariance = np.cov(projected, rowvar=False)
    np.testing.assert_allclose(covariance - np.diag(np.diag(covariance)), 0, atol=1e-10)
    variances = np.diag(covariance)
    assert np.all(np.diff(variances) < 0) and np.all(np.diff(ratio) < 0)
    np.testing.assert_allclose(projected.mean(axis=0), 0, atol=1e-12)


def test_pca_signs_are_deterministic():
    x = gaussian_data()
    projected, _ = pca(x, n_components=3)
    np.testing.assert_allclose(pca(-x, n_components=3)[0], -projected, atol=1e-10)  # same directions
    np.testing.assert_allclose(pca(x + 100.0, n_components=3)[0], projected, atol=1e-9)  # centering
    components = np.linalg.lstsq(x - x.mean(axis=0), projected, rcond=None)[0].T  # (3, 6): the directions
    largest = components[np.arange(3), np.abs(components).argmax(axis=1)]
    assert np.all(largest > 0)


def test_pca_ratios_sum_to_one_at_the_rank():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 3)) @ rng.normal(size=(3, 7))  # rank 3 in 7-D
    _, ratio = pca(x, n_components=3)
    assert ratio.sum() == pytest.approx(1.0, abs=1e-12)
    _, ratio = pca(x, n_components=2)
    assert ratio.sum() < 1.0
    _, ratio = pca(x, n_components=7)
    np.testing.assert_allclose(ratio[3:], 0, atol=1e-12)


def test_pca_of_points_on_a_line_in_5d_has_one_nonzero_component():
    t = np.linspace(-2.0, 3.0, 11)
    direction = np.array([1.0, -2.0, 0.5, 0.0, 3.0])
    x = t[:, None] * direction + np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # (11, 5)
    projected, ratio = pca(x, n_components=2)
    np.testing.assert_allclose(ratio, [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(projected[:, 1], 0, atol=1e-12)
    # the largest loading (3.0, the 5th coordinate) is positive: PC1 grows with t
    np.testing.assert_allclose(projected[:, 0], (t - t.mean()) * np.linalg.norm(direction), atol=1e-12)


def test_pca_of_identical_rows():
    projected, ratio = pca(np.ones((4, 3)), n_components=2)
    np.testing.assert_array_equal(projected, 0)
    np.testing.assert_array_equal(ratio, [0.0, 0.0])


@st.composite
def data_and_k(draw):
    n, d = draw(st.integers(2, 20)), draw(st.integers(1, 6))
    x = draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-100, 100, allow_subnormal=False)))
    return x, draw(st.integers(1, min(n, d)))


@given(data_and_k())
def test_pca_properties_on_any_shape(case):
    x, k = case
    projected, ratio = pca(x, n_components=k)
    assert projected.shape == (len(x), k) and ratio.shape == (k,)
    scale = 1e-9 * (1.0 + ((x - x.mean(axis=0)) ** 2).sum())
    assert np.all(ratio >= 0) and ratio.sum() <= 1 + 1e-9
    assert np.all(np.diff(ratio) <= 1e-9)
    gram = projected.T @ projected  # (k, k): uncorrelated columns, decreasing variances
    np.testing.assert_allclose(gram - np.diag(np.diag(gram)), 0, atol=scale)
    assert np.all(np.diff(np.diag(gram)) <= scale)
    # the projection keeps the variance it claims
    np.testing.assert_allclose(np.diag(gram).sum(), ratio.sum() * ((x - x.mean(axis=0)) ** 2).sum(), atol=scale)


@pytest.mark.parametrize(("x", "message"), [
    (np.zeros(5), r"pca: argument `x` must be 2-D, \(n_samples, n_features\), got shape \(5,\)"),
    (np.zeros((2, 3, 4)), r"must be 2-D.*got shape \(2, 3, 4\)"),
    (np.zeros((1, 3)), r"pca: argument `x` needs at least 2 rows .* got shape \(1, 3\)"),
    (np.array([[1.0, np.nan], [2.0, 3.0]]), r"pca: argument `x` has 1 non-finite value"),
    (np.array([[1.0, np.inf], [2.0, -np.inf]]), r"pca: argument `x` has 2 non-finite value"),
    ([["a", "b"], ["c", "d"]], r"pca: argument `x` must be an \(n, d\) array of numbers"),
])
def test_pca_bad_data(x, message):
    with pytest.raises(ValueError, match=message):
        pca(x)


@pytest.mark.parametrize(("k", "message"), [
    (0, r"pca: argument `n_components` must be an integer in \[1, 3\], got 0"),
    (4, r"pca: argument `n_components` must be an integer in \[1, 3\], got 4"),
])
def test_pca_bad_n_components(k, message):
    with pytest.raises(ValueError, match=message):
        pca(np.zeros((5, 3)), n_components=k)
    with pytest.raises(TypeError, match=r"pca: argument `n_components` must be an integer"):
        pca(np.zeros((5, 3)), n_components=1.5)


# -- plot_embeddings ----------------------------------------------------------------------------


def test_plot_embeddings_scatter_is_the_projection_with_labels():
    x = gaussian_data(n=12)
    labels = [f"word{i}" for i in range(12)]
    fig = plot_embeddings(x, labels=labels)
    (ax,) = fig.axes
    assert len(ax.collections) == 1
    projected, ratio = pca(x, 2)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), projected)
    assert [t.get_text() for t in ax.texts] == labels
    np.testing.assert_allclose([t.xy for t in ax.texts], projected)  # each label at its point
    assert ax.get_xlabel() == f"PC1 ({round(100 * ratio[0])}% of variance)"
    assert ax.get_ylabel() == f"PC2 ({round(100 * ratio[1])}% of variance)"


def test_plot_embeddings_dict_labels_come_from_the_keys():
    words = {"king": [0.9, 0.8, 0.1], "queen": [0.9, 0.1, 0.8], "man": [0.2, 0.9, 0.1], "woman": [0.1, 0.2, 0.9]}
    (ax,) = plot_embeddings(words).axes
    assert [t.get_text() for t in ax.texts] == list(words)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), pca(np.array(list(words.values())))[0])


def test_plot_embeddings_without_labels_and_with_max_labels():
    x = gaussian_data(n=10)
    (ax,) = plot_embeddings(x).axes
    assert len(ax.texts) == 0 and len(ax.collections[0].get_offsets()) == 10
    (ax,) = plot_embeddings(x, labels=range(10), max_labels=3).axes
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2"]  # the first ones
    assert len(ax.collections[0].get_offsets()) == 10  # every point is drawn
    (ax,) = plot_embeddings(x, labels=range(10), max_labels=0).axes
    assert len(ax.texts) == 0


def test_plot_embeddings_two_dimensional_vectors_are_still_projected():
    x = np.array([[0.0, 0.0], [1.0, 0.1], [2.0, -0.1], [3.0, 0.0]])
    (ax,) = plot_embeddings(x).axes
    np.testing.assert_allclose(ax.collections[0].get_offsets(), pca(x)[0])
    assert not np.allclose(ax.collections[0].get_offsets(), x)  # centered, not the raw coordinates


def test_plot_embeddings_draws_into_a_given_axes_and_figsize():
    fig, ax = new_axes()
    assert plot_embeddings(gaussian_data(n=5), ax=ax) is fig
    assert len(fig.axes) == 1 and len(ax.collections) == 1
    assert tuple(plot_embeddings(gaussian_data(n=5)).get_size_inches()) == (7.0, 6.0)
    assert tuple(plot_embeddings(gaussian_data(n=5), figsize=(4, 3)).get_size_inches()) == (4.0, 3.0)


def test_plot_embeddings_renders_a_non_blank_png():
    fig = plot_embeddings(gaussian_data(n=20), labels=[f"w{i}" for i in range(20)])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    image = matplotlib.image.imread(buf)
    assert image.shape[:2] == (600, 700)  # 7 x 6 inches at 100 dpi
    assert image.std() > 0


def test_plot_embeddings_unknown_method():
    with pytest.raises(ValueError, match=r"plot_embeddings: argument `method` must be one of 'pca', got 'tsne'"):
        plot_embeddings(gaussian_data(n=5), method="tsne")


def test_plot_embeddings_label_count_must_match():
    with pytest.raises(ValueError, match=r"plot_embeddings: argument `labels` must have one label per vector "
                                         r"\(5\), got 4"):
        plot_embeddings(gaussian_data(n=5), labels=["a", "b", "c", "d"])


def test_plot_embeddings_dict_and_labels_together():
    with pytest.raises(ValueError, match=r"plot_embeddings: `vectors` is a dict, so its keys are the labels"):
        plot_embeddings({"a": [1, 2], "b": [3, 4], "c": [5, 7]}, labels=["x", "y", "z"])


@pytest.mark.parametrize(("vectors", "message"), [
    ({"a": [1.0, 2.0], "b": [3.0]}, r"argument `vectors` must be an \(n, d\) array of numbers"),
    (np.zeros(4), r"argument `vectors` must be 2-D"),
    (np.zeros((4, 1)), r"must hold at least 2 vectors of at least 2 dimensions .* got shape \(4, 1\)"),
    (np.zeros((1, 4)), r"must hold at least 2 vectors of at least 2 dimensions .* got shape \(1, 4\)"),
    (np.array([[0.0, np.nan], [1.0, 2.0]]), r"argument `vectors` has 1 non-finite value"),
])
def test_plot_embeddings_bad_vectors(vectors, message):
    with pytest.raises(ValueError, match=message) as err:
        plot_embeddings(vectors)
    assert str(err.value).startswith("plot_embeddings: argument `vectors` ")


def test_plot_embeddings_bad_max_labels():
    with pytest.raises(ValueError, match=r"plot_embeddings: argument `max_labels` must be an integer >= 0"):
        plot_embeddings(gaussian_data(n=5), max_labels=-1)
