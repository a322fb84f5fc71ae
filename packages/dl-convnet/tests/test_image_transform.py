"""image_transform: affine transforms of image batches, the fill modes, the matrix helpers, resizing."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_convnet.image_transform import (
    affine_transform,
    flip_images,
    resize_images,
    rotation_matrix,
    shear_matrix,
    translation_matrix,
    zoom_matrix,
)
from dl_tensor import Tensor

INTERPOLATIONS = ["nearest", "bilinear"]
FILL_MODES = ["constant", "nearest", "reflect", "wrap"]


def images(n=2, h=5, w=5, c=3, seed=0):
    return np.random.default_rng(seed).random((n, h, w, c)).astype(np.float32)


def bright(h, w, row, col):
    """One image (1, h, w, 1), zero but for a 1 at (row, col)."""
    x = np.zeros((1, h, w, 1), np.float32)
    x[0, row, col, 0] = 1.0
    return x


def where_bright(x):
    return [tuple(p) for p in np.argwhere(x[0, :, :, 0] > 0.5).tolist()]


# -- rotations --------------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("k", [1, 2, 3, -1])
def test_quarter_turns_of_a_square_image_equal_rot90(k, interpolation):
    x = images(h=6, w=6)
    out = affine_transform(x, rotation_matrix([k * np.pi / 2] * 2, 6, 6), interpolation, fill_mode="nearest")
    np.testing.assert_allclose(out, np.rot90(x, k, axes=(1, 2)), atol=1e-6)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_half_turn_of_a_rectangular_image_reverses_rows_and_columns(interpolation):
    x = images(h=3, w=5)
    out = affine_transform(x, rotation_matrix(np.pi, 3, 5), interpolation)
    np.testing.assert_allclose(out, x[:, ::-1, ::-1], atol=1e-6)


def test_each_image_gets_its_own_matrix():
    x = images(n=3, h=4, w=4)
    out = affine_transform(x, rotation_matrix([0.0, np.pi / 2, np.pi], 4, 4), "nearest")
    for i, k in enumerate([0, 1, 2]):
        np.testing.assert_array_equal(out[i], np.rot90(x[i], k))


def test_rotations_compose_by_matrix_product():
    a, b = rotation_matrix(0.3, 7, 9), rotation_matrix(0.5, 7, 9)
    np.testing.assert_allclose(a @ b, rotation_matrix(0.8, 7, 9), atol=1e-12)


def test_rotation_keeps_the_centre_fixed():
    m = rotation_matrix(1.234, 5, 9)[0]
    np.testing.assert_allclose(m @ [4.0, 2.0, 1.0], [4.0, 2.0, 1.0], atol=1e-12)


def test_a_2x3_matrix_is_the_top_of_its_3x3():
    x = images()
    m = rotation_matrix([0.4, -0.7], 5, 5)
    np.testing.assert_array_equal(affine_transform(x, m[:, :2]), affine_transform(x, m))


# -- translations and the fill modes ----------------------------------------------------------


ROW = np.array([1, 2, 3, 4], np.float32).reshape(1, 1, 4, 1)


@pytest.mark.parametrize("shift, mode, expected", [
    (2, "constant", [0, 0, 1, 2]),
    (2, "nearest", [1, 1, 1, 2]),
    (2, "reflect", [2, 1, 1, 2]),   # d c b a | a b c d
    (2, "wrap", [3, 4, 1, 2]),      # a b c d | a b c d
    (-3, "reflect", [4, 4, 3, 2]),
    (-3, "wrap", [4, 1, 2, 3]),
    (6, "reflect", [3, 4, 4, 3]),   # more than one image away: the mirror repeats
    (9, "wrap", [4, 1, 2, 3]),
])
def test_fill_modes_extend_the_image_as_keras_documents(shift, mode, expected):
    out = affine_transform(ROW, translation_matrix(0.0, float(shift)), "nearest", fill_mode=mode)
    assert out[0, 0, :, 0].tolist() == expected


def test_constant_fill_uses_fill_value():
    out = affine_transform(ROW, translation_matrix(0.0, 2.0), fill_mode="constant", fill_value=-5.0)
    assert out[0, 0, :, 0].tolist() == [-5, -5, 1, 2]


def test_bilinear_half_pixel_shift_averages_neighbours_and_blends_into_the_fill():
    out = affine_transform(ROW, translation_matrix(0.0, 0.5), "bilinear", fill_mode="constant", fill_value=10.0)
    np.testing.assert_allclose(out[0, 0, :, 0], [5.5, 1.5, 2.5, 3.5])  # (10 + 1) / 2 at the left edge


def test_translation_moves_a_bright_pixel_down_and_right():
    out = affine_transform(bright(6, 6, 1, 2), translation_matrix(3.0, -2.0), "bilinear")
    assert where_bright(out) == [(4, 0)]


@given(h=st.integers(1, 6), w=st.integers(1, 6), dy=st.integers(-9, 9), dx=st.integers(-9, 9),
       interpolation=st.sampled_from(INTERPOLATIONS))
def test_whole_pixel_shifts_with_wrap_equal_np_roll(h, w, dy, dx, interpolation):
    x = images(n=2, h=h, w=w, c=2)
    out = affine_transform(x, translation_matrix(dy, dx), interpolation, fill_mode="wrap")
    np.testing.assert_allclose(out, np.roll(x, (dy, dx), axis=(1, 2)), atol=1e-6)


@given(h=st.integers(1, 6), w=st.integers(1, 6), mode=st.sampled_from(FILL_MODES),
       interpolation=st.sampled_from(INTERPOLATIONS))
def test_the_identity_matrix_changes_nothing(h, w, mode, interpolation):
    x = images(h=h, w=w)
    np.testing.assert_array_equal(affine_transform(x, np.eye(3), interpolation, mode), x)


# -- zoom and shear -------------------------------------------------------------------------------


def test_zoom_above_1_zooms_out_towards_the_centre():
    # 5 x 5, centre (2, 2): with a zoom of 2 the output at (1, 1) reads the input at (0, 0)
    out = affine_transform(bright(5, 5, 0, 0), zoom_matrix(2.0, 2.0, 5, 5), "nearest")
    assert where_bright(out) == [(1, 1)]


def test_zoom_below_1_zooms_in_away_from_the_centre():
    out = affine_transform(bright(5, 5, 1, 1), zoom_matrix(0.5, 0.5, 5, 5), "nearest")
    assert where_bright(out) == [(0, 0)]


def test_zoom_each_axis_on_its_own():
    out = affine_transform(bright(5, 5, 0, 0), zoom_matrix(2.0, 1.0, 5, 5), "nearest")
    assert where_bright(out) == [(1, 0)]


def test_shear_keeps_the_centre_row_and_slides_the_others():
    x = images(n=1, h=5, w=7, c=1)
    a = np.pi / 2  # cos 0: every output row reads the centre row, sin 1: shifted by its distance to it
    out = affine_transform(x, shear_matrix(a, 5, 7), "nearest", fill_mode="wrap")
    rows, cols = np.mgrid[0:5, 0:7]
    expected = x[0, 2, (cols - (rows - 2)) % 7]  # x_in = x - (y - cy), y_in = cy
    np.testing.assert_array_equal(out[0], expected)


def test_shear_of_0_is_the_identity():
    np.testing.assert_allclose(shear_matrix(0.0, 4, 6)[0], np.eye(3))


def test_projective_matrices_are_divided_by_their_last_row():
    x = images(h=4, w=4)
    halve = np.diag([1.0, 1.0, 2.0])  # (x, y, 2): reads the input at (x/2, y/2)
    np.testing.assert_array_equal(affine_transform(x, halve, "nearest"),
                                  affine_transform(x, zoom_matrix(0.5, 0.5, 1, 1), "nearest"))


# -- dtypes and errors ----------------------------------------------------------------------------


def test_dtypes_float_kept_integers_become_float32():
    assert affine_transform(images().astype(np.float64), np.eye(3)).dtype == np.float64
    assert affine_transform(np.ones((1, 2, 2, 1), np.uint8), np.eye(3)).dtype == np.float32
    assert affine_transform(Tensor(images()), np.eye(3)).dtype == np.float32


@pytest.mark.parametrize("kwargs, error, match", [
    ({"images": np.zeros((4, 4, 3))}, ValueError, r"affine_transform: argument `images` must be a batch"),
    ({"images": np.zeros((1, 0, 4, 3))}, ValueError, r"at least 1 row"),
    ({"transforms": np.eye(2)}, ValueError, r"`transforms` must be one 2x3 or 3x3 matrix.*got shape \(2, 2\)"),
    ({"transforms": np.stack([np.eye(3)] * 3)}, ValueError, r"3 matrices for 2 images"),
    ({"transforms": np.full((3, 3), np.nan)}, ValueError, r"NaN"),
    ({"interpolation": "cubic"}, ValueError, r"argument `interpolation` must be one of 'bilinear', 'nearest'"),
    ({"fill_mode": "mirror"}, ValueError, r"argument `fill_mode` must be one of"),
    ({"fill_value": "black"}, TypeError, r"argument `fill_value` must be a number"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    args = {"images": images(), "transforms": np.eye(3), **kwargs}
    with pytest.raises(error, match=match):
        affine_transform(**args)


# -- flips and resizing -------------------------------------------------------------------------


def test_flip_images_per_image_flags():
    x = images(n=4)
    out = flip_images(x, horizontal=[True, False, True, False], vertical=[False, False, True, True])
    for i, expected in enumerate([x[0, :, ::-1], x[1], x[2, ::-1, ::-1], x[3, ::-1]]):
        np.testing.assert_array_equal(out[i], expected)


def test_resize_bilinear_upscale_uses_half_pixel_centres():
    x = np.array([[0.0, 4.0], [8.0, 12.0]], np.float32).reshape(1, 2, 2, 1)
    out = resize_images(x, (4, 4))[0, :, :, 0]
    np.testing.assert_allclose(out[0], [0, 1, 3, 4])
    np.testing.assert_allclose(out[:, 0], [0, 2, 6, 8])
    assert out.dtype == np.float32


def test_resize_downscale_by_2_averages_pairs_and_nearest_picks_pixels():
    x = np.arange(8, dtype=np.float32).reshape(1, 1, 8, 1)
    np.testing.assert_allclose(resize_images(x, (1, 4))[0, 0, :, 0], [0.5, 2.5, 4.5, 6.5])
    np.testing.assert_array_equal(resize_images(x, (1, 4), "nearest")[0, 0, :, 0], [1, 3, 5, 7])


def test_resize_shapes_and_identity():
    x = images(n=3, h=6, w=4, c=2)
    assert resize_images(x, (9, 2)).shape == (3, 9, 2, 2)
    np.testing.assert_array_equal(resize_images(x, (6, 4)), x)


def test_resize_a_constant_image_stays_constant():
    x = np.full((2, 7, 5, 3), 0.25, np.float32)
    for size in [(3, 11), (14, 2), (1, 1)]:
        np.testing.assert_allclose(resize_images(x, size), 0.25)


@pytest.mark.parametrize("size, match", [
    ((0, 4), r"resize_images: argument `size` must be \(height, width\) with both at least 1"),
    ((4,), r"argument `size` must be \(height, width\)"),
    ((2.5, 4), r"argument `size` must be a tuple of ints"),
])
def test_resize_bad_sizes(size, match):
    with pytest.raises((ValueError, TypeError), match=match):
        resize_images(images(), size)
