"""Image geometry shared by the augmentation layers, ``Resizing`` and ``ImageDataGenerator``.

One idea does all the work: to rotate, zoom, shift or shear an image, ask, for every pixel
of the *output*, where it comes from in the *input*, then read the input there. That
question is answered by a 3x3 matrix acting on pixel coordinates ``(x, y, 1)``, ``x`` the
column and ``y`` the row (pointing down), pixel centres at whole numbers::

    (x_in, y_in, 1) = M @ (x_out, y_out, 1)

The answer is rarely a whole pixel, so the input is *interpolated* there ("nearest": the
closest pixel; "bilinear": a weighted mean of the 4 pixels around), and it may fall
outside the image, where ``fill_mode`` says what the image looks like (Keras's meanings,
for the row ``a b c d``):

| fill_mode    | beyond the edges     | index -1, -2 read |
|--------------|----------------------|-------------------|
| "constant"   | `k k [a b c d] k k`  | fill_value        |
| "nearest"    | `a a [a b c d] d d`  | a, a              |
| "reflect"    | `b a [a b c d] d c`  | a, b              |
| "wrap"       | `c d [a b c d] a b`  | d, c              |

Every function works on a whole batch ``(n, height, width, channels)`` at once, one matrix
per image: the coordinates of all output pixels of all images are computed with one
matrix product and read with one fancy-indexing gather (no loop over pixels or images).

The matrix helpers build the usual transforms *about the image centre*, one matrix per
value, so that a batch of random angles gives a batch of matrices; compose them with ``@``:

    >>> import numpy as np
    >>> image = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)   # (n, h, w, c)
    >>> turned = affine_transform(image, rotation_matrix([np.pi / 2], 3, 3), interpolation="nearest")
    >>> turned[0, :, :, 0]                                           # a quarter turn, counter-clockwise
    array([[2., 5., 8.],
           [1., 4., 7.],
           [0., 3., 6.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from dl_layers.checks import check_choice, check_number, check_shape
from dl_tensor import Tensor

__all__ = [
    "FILL_MODES",
    "INTERPOLATIONS",
    "affine_transform",
    "check_images",
    "flip_images",
    "resize_images",
    "rotation_matrix",
    "sample_images",
    "shear_matrix",
    "translation_matrix",
    "zoom_matrix",
]

FILL_MODES = ("constant", "nearest", "reflect", "wrap")
INTERPOLATIONS = ("bilinear", "nearest")


# -- checking inputs ----------------------------------------------------------------------------


def check_images(owner: str, images, name: str = "images") -> np.ndarray:
    """``images`` as a float array ``(n, height, width, channels)``, or a clear error.

    Floating-point arrays keep their dtype; integer ones (e.g. uint8 pixels) become float32.
    """
    arr = images.data if isinstance(images, Tensor) else np.asarray(images)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{owner}: argument `{name}` must hold numbers, got dtype {arr.dtype}")
    if arr.ndim != 4:
        raise ValueError(f"{owner}: argument `{name}` must be a batch of images (n, height, width, channels), "
                         f"got shape {arr.shape} (rank {arr.ndim})")
    if arr.shape[1] == 0 or arr.shape[2] == 0 or arr.shape[3] == 0:
        raise ValueError(f"{owner}: argument `{name}` must have at least 1 row, column and channel, "
                         f"got shape {arr.shape}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float32)


def _check_matrices(owner: str, transforms, n: int) -> np.ndarray:
    """One 3x3 float64 matrix per image: (n, 3, 3), from (2, 3)/(3, 3) or (n, 2, 3)/(n, 3, 3)."""
    m = np.asarray(transforms, dtype=np.float64)
    if m.ndim not in (2, 3) or m.shape[-2:] not in ((2, 3), (3, 3)):
        raise ValueError(f"{owner}: argument `transforms` must be one 2x3 or 3x3 matrix per image, shape (n, 2, 3) "
                         f"or (n, 3, 3), got shape {m.shape}")
    if m.ndim == 2:
        m = m[None]  # one matrix for every image
    if m.shape[0] not in (1, n):
        raise ValueError(f"{owner}: argument `transforms` has {m.shape[0]} matrices for {n} images")
    if not np.isfinite(m).all():
        raise ValueError(f"{owner}: argument `transforms` contains NaN or infinite values")
    if m.shape[1] == 2:
        bottom = np.broadcast_to(np.array([0.0, 0.0, 1.0]), (m.shape[0], 1, 3))
        m = np.concatenate([m, bottom], axis=1)  # (n, 2, 3) -> (n, 3, 3)
    return np.broadcast_to(m, (n, 3, 3))


def _check_interpolation(owner: str, interpolation: str) -> str:
    return check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)


def _check_fill(owner: str, fill_mode: str, fill_value) -> tuple[str, float]:
    check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
    return fill_mode, check_number(owner, "fill_value", fill_value)


# -- reading an image at arbitrary coordinates ----------------------------------------------------


def _fold(index: np.ndarray, size: int, fill_mode: str) -> np.ndarray:
    """Integer indices outside ``[0, size)`` brought back inside, as ``fill_mode`` extends the image."""
    if fill_mode == "wrap":  # a b c d | a b c d
        return np.mod(index, size)
    if fill_mode == "reflect":  # d c b a | a b c d | d c b a: a mirror every `size` pixels
        index = np.mod(index, 2 * size)
        return np.where(index < size, index, 2 * size - 1 - index)
    return np.clip(index, 0, size - 1)  # "nearest" (and "constant", whose outside is masked later)


def _gather(images: np.ndarray, rows: np.ndarray, cols: np.ndarray, fill_mode: str, fill_value: float):
    """``images[b, rows[b, p], cols[b, p]]`` for integer index arrays (n, p): values (n, p, channels)."""
    n, h, w, _ = images.shape
    if fill_mode == "constant":
        inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)  # (n, p)
    rows, cols = _fold(rows, h, fill_mode), _fold(cols, w, fill_mode)
    batch = np.arange(n)[:, None]  # (n, 1): broadcasts against (n, p), picks each image's own pixels
    values = images[batch, rows, cols]  # (n, p, channels)
    if fill_mode == "constant":
        values = np.where(inside[..., None], values, images.dtype.type(fill_value))
    return values


def sample_images(images: np.ndarray, x: np.ndarray, y: np.ndarray, interpolation: str = "bilinear",
                  fill_mode: str = "constant", fill_value: float = 0.0) -> np.ndarray:
    """Read each image at its own points: ``x``, ``y`` (n, p) float coordinates -> (n, p, channels).

    Bilinear interpolation weighs the 4 pixels around each point; with ``fill_mode="constant"``
    the corners outside the image count as ``fill_value``, so edges blend smoothly into it.
    """
    if interpolation == "nearest":
        rows = np.floor(y + 0.5).astype(np.int64)  # round halves up, the same way everywhere
        cols = np.floor(x + 0.5).astype(np.int64)
        return _gather(images, rows, cols, fill_mode, fill_value)
    top, left = np.floor(y), np.floor(x)
    fy = (y - top).astype(images.dtype)[..., None]  # (n, p, 1): distance below the top row
    fx = (x - left).astype(images.dtype)[..., None]  # (n, p, 1): distance right of the left column
    top, left = top.astype(np.int64), left.astype(np.int64)
    out = np.zeros((*x.shape, images.shape[-1]), dtype=images.dtype)
    for dy, wy in ((0, 1 - fy), (1, fy)):  # the 4 corners around each point
        for dx, wx in ((0, 1 - fx), (1, fx)):
            out += wy * wx * _gather(images, top + dy, left + dx, fill_mode, fill_value)
    return out


def affine_transform(images, transforms, interpolation: str = "bilinear", fill_mode: str = "constant",
                     fill_value: float = 0.0) -> np.ndarray:
    """Transform each image of a batch by its own matrix (mapping output pixels to input pixels).

    Args:
        images: array (n, height, width, channels).
        transforms: one matrix per image, (n, 2, 3) or (n, 3, 3), or a single (2, 3)/(3, 3)
            matrix for all; ``(x_in, y_in, 1) = M @ (x_out, y_out, 1)``, x the column, y the
            row. A 3x3 matrix whose last row is not (0, 0, 1) is a projective transform.
        interpolation: "bilinear" or "nearest".
        fill_mode: "constant", "nearest", "reflect" or "wrap" (see the module's table).
        fill_value: the value outside the image with ``fill_mode="constant"``.

    Returns:
        array (n, height, width, channels), float (the input's float dtype, else float32).

    Examples:
        >>> import numpy as np
        >>> row = np.array([1, 2, 3, 4], np.float32).reshape(1, 1, 4, 1)   # one image, 1 x 4
        >>> shift = translation_matrix([0.0], [2.0])                      # move the content 2 pixels right
        >>> [affine_transform(row, shift, fill_mode=mode)[0, 0, :, 0].tolist()
        ...  for mode in ("constant", "nearest", "reflect", "wrap")]
        [[0.0, 0.0, 1.0, 2.0], [1.0, 1.0, 1.0, 2.0], [2.0, 1.0, 1.0, 2.0], [3.0, 4.0, 1.0, 2.0]]
    """
    owner = "affine_transform"
    images = check_images(owner, images)
    _check_interpolation(owner, interpolation)
    fill_mode, fill_value = _check_fill(owner, fill_mode, fill_value)
    n, h, w, c = images.shape
    matrices = _check_matrices(owner, transforms, n)  # (n, 3, 3)
    rows, cols = np.mgrid[0:h, 0:w]  # each (h, w)
    grid = np.stack([cols.ravel(), rows.ravel(), np.ones(h * w)]).astype(np.float64)  # (3, h*w): x, y, 1
    source = matrices @ grid  # (n, 3, h*w): where each output pixel comes from
    x = source[:, 0] / source[:, 2]  # (n, h*w); the division is by 1 for affine matrices
    y = source[:, 1] / source[:, 2]
    values = sample_images(images, x, y, interpolation, fill_mode, fill_value)  # (n, h*w, c)
    return values.reshape(n, h, w, c)


def flip_images(images, horizontal=False, vertical=False) -> np.ndarray:
    """Mirror the images whose flag is set: ``horizontal``, ``vertical`` are bools or (n,) bools.

    Examples:
        >>> import numpy as np
        >>> images = np.array([[1, 2, 3], [4, 5, 6]], np.float32).reshape(2, 1, 3, 1)
        >>> flip_images(images, horizontal=[True, False])[:, 0, :, 0]    # only the first one is flipped
        array([[3., 2., 1.],
               [4., 5., 6.]], dtype=float32)
    """
    images = check_images("flip_images", images)
    n = len(images)
    horizontal = np.broadcast_to(np.asarray(horizontal, bool), (n,))[:, None, None, None]  # (n, 1, 1, 1)
    vertical = np.broadcast_to(np.asarray(vertical, bool), (n,))[:, None, None, None]
    images = np.where(horizontal, images[:, :, ::-1], images)  # columns reversed
    return np.where(vertical, images[:, ::-1], images)  # rows reversed


# -- building matrices about the image centre -----------------------------------------------------


def _per_image(*values) -> list[np.ndarray]:
    """Each value as a float64 array (n,); scalars become (1,)."""
    arrays = [np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values]
    n = max(len(a) for a in arrays)
    return [np.broadcast_to(a, (n,)) for a in arrays]


def _matrices(a, b, c, d, e, f) -> np.ndarray:
    """(n, 3, 3) matrices ``[[a, b, c], [d, e, f], [0, 0, 1]]`` from (n,) arrays."""
    zeros, ones = np.zeros_like(a), np.ones_like(a)
    return np.stack([np.stack([a, b, c], -1), np.stack([d, e, f], -1), np.stack([zeros, zeros, ones], -1)], 1)


def _about_centre(linear: np.ndarray, height: int, width: int) -> np.ndarray:
    """``C @ linear @ C^-1`` with C the shift to the image centre: the transform keeps the centre fixed."""
    cx, cy = (width - 1) / 2, (height - 1) / 2  # the centre, between pixels for even sizes
    to_centre = np.array([[1.0, 0.0, cx], [0.0, 1.0, cy], [0.0, 0.0, 1.0]])
    from_centre = np.array([[1.0, 0.0, -cx], [0.0, 1.0, -cy], [0.0, 0.0, 1.0]])
    return to_centre @ linear @ from_centre


def rotation_matrix(angles, height: int, width: int) -> np.ndarray:
    """Matrices (n, 3, 3) turning images by ``angles`` (radians, (n,)) counter-clockwise about their centre.

    Examples:
        >>> rotation_matrix([0.0], 5, 5).round(6)
        array([[[1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.]]])
    """
    (angles,) = _per_image(angles)
    cos, sin, zeros = np.cos(angles), np.sin(angles), np.zeros_like(angles)
    # an output pixel shows the input pixel found by turning it back, clockwise (y points down)
    return _about_centre(_matrices(cos, -sin, zeros, sin, cos, zeros), height, width)


def zoom_matrix(zoom_height, zoom_width, height: int, width: int) -> np.ndarray:
    """Matrices (n, 3, 3) scaling the sampled region about the centre: a zoom above 1 zooms *out*
    (the output sees more of the input, so the content shrinks), below 1 zooms in (Keras's meaning)."""
    zy, zx = _per_image(zoom_height, zoom_width)
    zeros = np.zeros_like(zx)
    return _about_centre(_matrices(zx, zeros, zeros, zeros, zy, zeros), height, width)


def translation_matrix(dy, dx) -> np.ndarray:
    """Matrices (n, 3, 3) moving the content ``dy`` pixels down and ``dx`` pixels right."""
    dy, dx = _per_image(dy, dx)
    zeros, ones = np.zeros_like(dx), np.ones_like(dx)
    return _matrices(ones, zeros, -dx, zeros, ones, -dy)  # the output at x shows the input at x - dx


def shear_matrix(angles, height: int, width: int) -> np.ndarray:
    """Matrices (n, 3, 3) shearing by ``angles`` (radians) about the centre, as Keras 2 does: the
    output's vertical axis is turned by the angle, its horizontal axis stays; lengths along both
    are kept (``x_in = x - sin(a) y``, ``y_in = cos(a) y``)."""
    (angles,) = _per_image(angles)
    zeros, ones = np.zeros_like(angles), np.ones_like(angles)
    return _about_centre(_matrices(ones, -np.sin(angles), zeros, zeros, np.cos(angles), zeros), height, width)


# -- resizing -------------------------------------------------------------------------------------


def _resize_axis(images: np.ndarray, axis: int, size: int, interpolation: str) -> np.ndarray:
    """Resize one axis (1: rows, 2: columns) to ``size``, with half-pixel centres (as TF and PIL)."""
    old = images.shape[axis]
    if old == size:
        return images
    # the centre of output pixel j sits at input coordinate (j + 0.5) * old / size - 0.5
    position = (np.arange(size) + 0.5) * (old / size) - 0.5  # (size,)
    if interpolation == "nearest":
        index = np.clip(np.floor(position + 0.5).astype(np.int64), 0, old - 1)
        return np.take(images, index, axis=axis)
    position = np.clip(position, 0, old - 1)  # beyond the outer pixel centres: the edge pixel
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, old - 1)
    weight = (position - low).astype(images.dtype)
    weight = weight.reshape([size if a == axis else 1 for a in range(images.ndim)])  # broadcast along `axis`
    return np.take(images, low, axis=axis) * (1 - weight) + np.take(images, high, axis=axis) * weight


def resize_images(images, size, interpolation: str = "bilinear") -> np.ndarray:
    """Resize a batch of images to ``size = (height, width)``: (n, h, w, c) -> (n, height, width, c).

    Pixel centres are aligned as in ``tf.image.resize`` (``antialias=False``): upscaling by 2
    turns ``[a, b]`` into ``[a, .75a+.25b, .25a+.75b, b]`` (bilinear). Rows, then columns are
    resized, each with one gather.

    Examples:
        >>> import numpy as np
        >>> image = np.array([[0.0, 4.0]], np.float32).reshape(1, 1, 2, 1)
        >>> resize_images(image, (1, 4))[0, 0, :, 0]
        array([0., 1., 3., 4.], dtype=float32)
        >>> resize_images(image, (1, 4), interpolation="nearest")[0, 0, :, 0]
        array([0., 0., 4., 4.], dtype=float32)
    """
    owner = "resize_images"
    images = check_images(owner, images)
    _check_interpolation(owner, interpolation)
    size = check_shape(owner, "size", size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"{owner}: argument `size` must be (height, width) with both at least 1, got {size}")
    out = _resize_axis(images, 1, size[0], interpolation)
    return _resize_axis(out, 2, size[1], interpolation)
