"""Shapes: a synthetic image classification data set, drawn on the spot, for examples and fast tests.

Grayscale images of one white shape on a black background (as MNIST's digits), in five classes
named by ``CLASS_NAMES``: a filled disk, a filled square, a filled triangle, a cross (two bars)
and a ring. Nothing is downloaded; the same ``seed`` gives the same images::

    from dl_convnet.datasets import shapes
    (train_images, train_labels), (test_images, test_labels) = shapes.load_data()
    shapes.CLASS_NAMES[train_labels[0]]

Only the outline tells the classes apart. Every image draws, whatever its class:

* a size, 30% to 70% of the image's width, and every class's shape of that size has the same
  area (that of a square of side 0.75 x size): the ring and the cross span about the size, the
  disk 0.85 of it, the square 0.75 and the triangle 1.14, so the amount of white does not
  tell the class;
* a centre, anywhere that leaves the whole shape inside the image (with a pixel to spare from
  28x28 up);
* a rotation, any angle (it shows on the square, the triangle and the cross);
* a brightness for the shape, 200 to 255, then Gaussian noise (standard deviation 10) on every
  pixel, clipped to 0-255.

Edges are anti-aliased (a pixel half inside is half lit), without any blur.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["CLASS_NAMES", "load_data"]

CLASS_NAMES = ("circle", "square", "triangle", "cross", "ring")
"""The name of each label: ``CLASS_NAMES[label]``."""

NUM_CLASSES = len(CLASS_NAMES)
SIZE_RANGE = (0.3, 0.7)  # the drawn size, as a fraction of the image's width
AREA = 0.75**2  # every shape has the area of a square of side 0.75 * size
BRIGHTNESS_RANGE = (200.0, 255.0)  # the shape's pixel value, before the noise
NOISE_SD = 10.0  # in pixel values 0-255

_OWNER = "shapes.load_data"
_CROSS_BAR = 1 / 3  # the width of each bar of the cross, as a fraction of its span
_RING_HOLE = 0.5  # the diameter of the ring's hole, as a fraction of the ring's

# For a shape of width 1 (the disk's and the ring's diameter, the side of the square and the
# triangle, the span of the cross): its area, and how far it reaches from its centre.
_UNIT_AREA = {
    "circle": math.pi / 4,
    "square": 1.0,
    "triangle": math.sqrt(3) / 4,
    "cross": 2 * _CROSS_BAR - _CROSS_BAR**2,
    "ring": math.pi / 4 * (1 - _RING_HOLE**2),
}
_UNIT_REACH = {
    "circle": 0.5,
    "square": 1 / math.sqrt(2),  # half the diagonal
    "triangle": 1 / math.sqrt(3),  # the circumradius of an equilateral triangle
    "cross": math.hypot(0.5, _CROSS_BAR / 2),  # a corner at an arm's end
    "ring": 0.5,
}
# each class's width as a multiple of the drawn size, for the same area: ring 0.98, cross 1.01,
# circle 0.85, square 0.75, triangle 1.14 (Python floats, so that the drawing stays in float32)
_WIDTH = {name: math.sqrt(AREA / area) for name, area in _UNIT_AREA.items()}


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{_OWNER}: argument `{name}` must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _signed_distance(name: str, u: np.ndarray, v: np.ndarray, cos: np.ndarray, sin: np.ndarray,
                     half: np.ndarray) -> np.ndarray:
    """About how many pixels each pixel lies outside the shape (negative inside): ``(m, size, size)``.

    ``u`` ``(m, 1, size)`` and ``v`` ``(m, size, 1)`` are the pixel centres relative to each
    shape's centre; ``cos``, ``sin`` (its rotation) and ``half`` (half its width) are ``(m, 1, 1)``.
    """
    if name in ("circle", "ring"):  # round: the rotation does not show
        radius = np.hypot(u, v)  # (m, 1, size) with (m, size, 1) -> (m, size, size)
        if name == "circle":
            return radius - half
        middle, thickness = (1 + _RING_HOLE) / 2 * half, (1 - _RING_HOLE) * half  # (m, 1, 1) each: radius, width
        return np.abs(radius - middle) - thickness / 2
    a = u * cos + v * sin  # (m, size, size): the coordinates along the shape's own axes
    b = v * cos - u * sin  # (m, size, size)
    if name == "square":
        return np.maximum(np.abs(a), np.abs(b)) - half
    if name == "cross":
        bar = _CROSS_BAR * half  # (m, 1, 1): half the width of a bar
        horizontal = np.maximum(np.abs(a) - half, np.abs(b) - bar)  # (m, size, size)
        vertical = np.maximum(np.abs(b) - half, np.abs(a) - bar)  # (m, size, size)
        return np.minimum(horizontal, vertical)
    # triangle: inside when on the inner side of its three edges, each at the inradius from the centre
    inradius = half / math.sqrt(3)  # (m, 1, 1): side / (2 sqrt 3)
    distance = np.full(a.shape, -np.inf, dtype=a.dtype)  # (m, size, size)
    for k in range(3):  # the three edges, whose outward normals are 120 degrees apart
        normal = math.pi / 2 + 2 * math.pi * k / 3  # a Python float: the arithmetic stays in float32
        np.maximum(distance, a * math.cos(normal) + b * math.sin(normal) - inradius, out=distance)
    return distance


def _draw(rng: np.random.Generator, n: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images ``(n, size, size)`` uint8 and their labels ``(n,)`` uint8, drawn from ``rng``."""
    labels = rng.permutation(np.arange(n) % NUM_CLASSES).astype(np.uint8)  # (n,): class counts differ by <= 1
    drawn = (rng.uniform(*SIZE_RANGE, n) * size).astype(np.float32)  # (n,): the drawn size, in pixels
    place = rng.uniform(0, 1, (n, 2)).astype(np.float32)  # (n, 2): where the centre lies in its allowed range
    angle = rng.uniform(0, 2 * np.pi, n)  # (n,)
    cos, sin = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)  # (n,) each
    brightness = rng.uniform(*BRIGHTNESS_RANGE, n).astype(np.float32)  # (n,)
    noise = rng.standard_normal((n, size, size), dtype=np.float32) * NOISE_SD  # (n, size, size)

    pixels = np.arange(size, dtype=np.float32) + 0.5  # (size,): the pixel centres
    coverage = np.empty((n, size, size), dtype=np.float32)  # how much of each pixel the shape covers, 0-1
    for label, name in enumerate(CLASS_NAMES):  # every sample of a class at once
        which = labels == label  # (n,) bool, m of them true
        width = _WIDTH[name] * drawn[which]  # (m,): the shape's width, in pixels
        reach = _UNIT_REACH[name] * width  # (m,): how far the shape reaches from its centre
        low = np.minimum(reach + 1, size / 2)[:, None]  # (m, 1): a pixel to spare around it, where it fits
        centre = low + place[which] * (size - 2 * low)  # (m, 2): x, y, each in [low, size - low]
        u = pixels[None, None, :] - centre[:, 0, None, None]  # (1, 1, size) - (m, 1, 1) -> (m, 1, size)
        v = pixels[None, :, None] - centre[:, 1, None, None]  # (1, size, 1) - (m, 1, 1) -> (m, size, 1)
        distance = _signed_distance(name, u, v, cos[which, None, None], sin[which, None, None],
                                    width[:, None, None] / 2)  # (m, size, size)
        coverage[which] = np.clip(0.5 - distance, 0, 1)  # anti-aliased: 1 inside, 0 outside, a ramp across the edge

    images = brightness[:, None, None] * coverage + noise  # (n, 1, 1) * (n, size, size) -> (n, size, size)
    return np.rint(np.clip(images, 0, 255)).astype(np.uint8), labels


def load_data(n_train: int = 1000, n_test: int = 500, image_size: int = 28, seed: int = 0) -> tuple[
        tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Draw a training and a test set of shape images, as ``mnist.load_data()`` returns digits.

    The classes are balanced (their counts differ by at most one) and shuffled. Both sets come
    from one generator seeded with ``seed``, the test images after the training ones, so they
    are different draws; the same arguments always give the same arrays.

    Args:
        n_train: how many training images, at least 1.
        n_test: how many test images, at least 1.
        image_size: the height and width of each image in pixels, at least 8.
        seed: the seed of ``np.random.default_rng``, a non-negative integer.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images ``(n, image_size, image_size)``
        with values 0-255 (white shapes on black) and uint8 labels ``(n,)`` with values 0-4,
        indices into ``CLASS_NAMES``.

    Raises:
        ValueError: an argument is not an integer, or is below its minimum.

    Examples:
        >>> import numpy as np
        >>> from dl_convnet.datasets import shapes
        >>> (x_train, y_train), (x_test, y_test) = shapes.load_data(n_train=10, n_test=5)
        >>> x_train.shape, y_train.shape, x_test.shape, y_test.shape
        ((10, 28, 28), (10,), (5, 28, 28), (5,))
        >>> x_train.dtype, y_train
        (dtype('uint8'), array([4, 1, 2, 2, 3, 0, 4, 0, 3, 1], dtype=uint8))
        >>> np.bincount(y_train), sorted(y_test.tolist())      # balanced
        (array([2, 2, 2, 2, 2]), [0, 1, 2, 3, 4])
        >>> [shapes.CLASS_NAMES[label] for label in y_test]
        ['circle', 'triangle', 'ring', 'square', 'cross']
    """
    n_train = _check_int("n_train", n_train, 1)
    n_test = _check_int("n_test", n_test, 1)
    image_size = _check_int("image_size", image_size, 8)
    seed = _check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    return _draw(rng, n_train, image_size), _draw(rng, n_test, image_size)
