"""Data augmentation layers (the book's second edition): random flips, turns, zooms, shifts, contrast.

Put them at the start of a model, and each training step sees a slightly different version
of every image, so the model cannot learn the training images by heart::

    data_augmentation = Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)])

They are active **only while training** (``fit`` calls layers with ``training=True``): at
inference (``predict``, ``evaluate``, a plain call) they return their input unchanged. Each
image of a batch gets its own random draw, new at every call. The draws come from
dl-tensor's seeded generator (``set_random_seed`` makes runs repeatable), or from the
layer's own ``seed``.

They work on the arrays, outside the autodiff graph (no gradient flows back through them:
they sit at the input of a model). The geometry is in ``image_transform``.
"""

from __future__ import annotations

import numpy as np

from dl_layers import InputSpec, Layer
from dl_layers.checks import check_choice, check_number
from dl_tensor import Tensor
from dl_tensor import random as dl_random

from .image_transform import (
    FILL_MODES,
    INTERPOLATIONS,
    affine_transform,
    flip_images,
    rotation_matrix,
    translation_matrix,
    zoom_matrix,
)

__all__ = [
    "BaseImageAugmentationLayer",
    "RandomContrast",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
]


def _factor_range(owner: str, name: str, factor, bound: float | None = None) -> tuple[float, float]:
    """``(lower, upper)`` from a number ``f`` (meaning ``(-f, f)``) or a pair, each in [-bound, bound]."""
    limits = {} if bound is None else {"minimum": -bound, "maximum": bound}
    if isinstance(factor, list | tuple):
        if len(factor) != 2:
            raise ValueError(f"{owner}: argument `{name}` must be a number or a pair (lower, upper), got {factor!r}")
        lower = check_number(owner, f"{name}[0]", factor[0], **limits)
        upper = check_number(owner, f"{name}[1]", factor[1], **limits)
        if lower > upper:
            raise ValueError(f"{owner}: argument `{name}` must be (lower, upper) with lower <= upper, got {factor!r}")
        return lower, upper
    f = abs(check_number(owner, name, factor, **limits))
    return -f, f


def _plain(factor):
    """A factor as JSON can hold it: a number, or a list for a pair."""
    return list(factor) if isinstance(factor, list | tuple) else factor


class BaseImageAugmentationLayer(Layer):
    """Base class of the random image layers: identity unless ``training`` is true.

    Subclasses implement ``augment(images, rng)``: a float array (batch, height, width,
    channels) and a NumPy generator in, the augmented array (same shape) out, drawing one
    set of random parameters per image.

    Args:
        seed: the layer's own seed; by default draws come from dl-tensor's seeded generator.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = check_number(type(self).__name__, "seed", seed, minimum=0, integer=True, none_ok=True)
        self._own_rng = np.random.default_rng(self.seed) if self.seed is not None else None
        self.input_spec = InputSpec(ndim=4)  # (batch, height, width, channels)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        rng = self._own_rng or dl_random.get_rng()  # asked each time: set_random_seed replaces it
        return Tensor(self.augment(inputs.data.astype(self.dtype, copy=False), rng))

    def augment(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class _GeometricLayer(BaseImageAugmentationLayer):
    """A random affine transform per image: subclasses build the matrices (batch, 3, 3)."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        owner = type(self).__name__
        self.fill_mode = check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_value = check_number(owner, "fill_value", fill_value)

    def matrices(self, n: int, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def augment(self, images, rng):
        n, h, w, _ = images.shape
        return affine_transform(images, self.matrices(n, h, w, rng), self.interpolation, self.fill_mode,
                                self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


class RandomFlip(BaseImageAugmentationLayer):
    """Mirror each image with probability 1/2, left-right and/or top-bottom (each drawn on its own).

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or "horizontal_and_vertical".
        seed: the layer's own seed (optional).

    Examples:
        >>> import numpy as np
        >>> images = np.arange(6, dtype=np.float32).reshape(2, 1, 3, 1)   # two images of one row
        >>> layer = RandomFlip("horizontal", seed=8)
        >>> layer(images)[:, 0, :, 0].numpy()                              # inference: unchanged
        array([[0., 1., 2.],
               [3., 4., 5.]], dtype=float32)
        >>> layer(images, training=True)[:, 0, :, 0].numpy()               # each image: flipped or not
        array([[2., 1., 0.],
               [3., 4., 5.]], dtype=float32)
    """

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.mode = check_choice("RandomFlip", "mode", mode, self.MODES)

    def augment(self, images, rng):
        n = len(images)
        horizontal = rng.random(n) < 0.5 if self.mode != "vertical" else False  # (n,) one coin per image
        vertical = rng.random(n) < 0.5 if self.mode != "horizontal" else False
        return flip_images(images, horizontal, vertical)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomRotation(_GeometricLayer):
    """Turn each image by a random angle about its centre; positive angles turn counter-clockwise.

    Args:
        factor: a fraction of a full turn (2π): a number ``f`` draws angles in
            ``[-f * 2π, f * 2π]``, a pair ``(lower, upper)`` in ``[lower * 2π, upper * 2π]``.
            ``RandomRotation(0.1)`` turns by up to 36 degrees either way.
        fill_mode: how the corners uncovered by the turn are filled: "reflect", "wrap",
            "constant" (with ``fill_value``) or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: the layer's own seed (optional).
        fill_value: the value for ``fill_mode="constant"``.

    Examples:
        >>> import numpy as np
        >>> layer = RandomRotation((0.25, 0.25), interpolation="nearest")   # always a quarter turn
        >>> image = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
        >>> layer(image, training=True).numpy()[0, :, :, 0]
        array([[1., 3.],
               [0., 2.]], dtype=float32)
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value, **kwargs)
        self.lower, self.upper = _factor_range("RandomRotation", "factor", factor)
        self.factor = _plain(factor)

    def matrices(self, n, height, width, rng):
        angles = rng.uniform(self.lower, self.upper, n) * 2 * np.pi  # (n,) radians
        return rotation_matrix(angles, height, width)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_GeometricLayer):
    """Zoom each image in or out by a random amount about its centre.

    Keras's sign convention: a positive factor zooms **out** (the content shrinks, the
    borders are filled by ``fill_mode``), a negative one zooms in: ``height_factor=(0.2, 0.3)``
    zooms out by 20 to 30%, ``RandomZoom(0.2)`` by up to 20% either way.

    Args:
        height_factor: a number ``f`` in [0, 1] (zoom in ``[-f, f]``) or a pair
            ``(lower, upper)`` in [-1, 1]: the vertical zoom is ``1 + a draw``.
        width_factor: the same for the width; None (default) zooms both axes by the same
            amount, keeping the aspect ratio.
        fill_mode: "reflect" (default), "wrap", "constant" or "nearest", as for ``RandomRotation``.
        interpolation: "bilinear" or "nearest".
        seed: the layer's own seed (optional).
        fill_value: the value for ``fill_mode="constant"``.

    Examples:
        >>> import numpy as np
        >>> image = np.zeros((1, 5, 5, 1), np.float32)
        >>> image[0, 1, 1, 0] = 1.0                                     # a bright pixel, 1 up and left of the centre
        >>> layer = RandomZoom((-0.5, -0.5), interpolation="nearest")  # always zoom in 2x
        >>> np.argwhere(layer(image, training=True).numpy()[0, :, :, 0] > 0).tolist()   # now 2 away
        [[0, 0]]
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value, **kwargs)
        self.height_range = _factor_range("RandomZoom", "height_factor", height_factor, bound=1)
        self.width_range = (None if width_factor is None
                            else _factor_range("RandomZoom", "width_factor", width_factor, bound=1))
        self.height_factor, self.width_factor = _plain(height_factor), _plain(width_factor)

    def matrices(self, n, height, width, rng):
        zoom_height = 1 + rng.uniform(*self.height_range, n)  # (n,): above 1 zooms out
        zoom_width = zoom_height if self.width_range is None else 1 + rng.uniform(*self.width_range, n)
        return zoom_matrix(zoom_height, zoom_width, height, width)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_GeometricLayer):
    """Shift each image by a random fraction of its height and width (positive: down and right).

    Args:
        height_factor: a number ``f`` in [0, 1] (shift in ``[-f, f] * height``) or a pair
            ``(lower, upper)`` in [-1, 1].
        width_factor: the same, as a fraction of the width.
        fill_mode: "reflect" (default), "wrap", "constant" or "nearest", as for ``RandomRotation``.
        interpolation: "bilinear" or "nearest".
        seed: the layer's own seed (optional).
        fill_value: the value for ``fill_mode="constant"``.

    Examples:
        >>> import numpy as np
        >>> image = np.zeros((1, 4, 4, 1), np.float32)
        >>> image[0, 0, 0, 0] = 1.0
        >>> layer = RandomTranslation((0.5, 0.5), (0.25, 0.25), fill_mode="constant")  # 2 down, 1 right
        >>> np.argwhere(layer(image, training=True).numpy()[0, :, :, 0] > 0).tolist()
        [[2, 1]]
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value, **kwargs)
        self.height_range = _factor_range("RandomTranslation", "height_factor", height_factor, bound=1)
        self.width_range = _factor_range("RandomTranslation", "width_factor", width_factor, bound=1)
        self.height_factor, self.width_factor = _plain(height_factor), _plain(width_factor)

    def matrices(self, n, height, width, rng):
        dy = rng.uniform(*self.height_range, n) * height  # (n,) pixels down
        dx = rng.uniform(*self.width_range, n) * width  # (n,) pixels right
        return translation_matrix(dy, dx)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomContrast(BaseImageAugmentationLayer):
    """Scale each image's deviations from its mean by a random contrast factor.

    For each image, a factor ``c`` is drawn in ``[1 - lower, 1 + upper]``, and each channel
    becomes ``(x - mean) * c + mean`` (mean over the pixels of that image and channel, which
    is kept). Values are then clipped, as Keras 3 does to [0, 255]: to ``value_range`` if
    given, else to the range of the input batch (its min and max), so that more contrast
    never creates pixels darker or brighter than the data holds, whatever its scale
    ([0, 255] or [0, 1]).

    Args:
        factor: a number ``f`` in [0, 1] (factors in ``[1 - f, 1 + f]``), or a pair
            ``(lower, upper)`` (factors in ``[1 - lower, 1 + upper]``).
        seed: the layer's own seed (optional).
        value_range: ``(low, high)`` to clip to, e.g. ``(0, 255)`` as Keras 3's default;
            None clips to the input's own range.

    Examples:
        >>> import numpy as np
        >>> image = np.array([0.0, 2.0, 4.0, 6.0], np.float32).reshape(1, 2, 2, 1)   # mean 3
        >>> layer = RandomContrast((0.5, -0.5))                        # always halve the contrast
        >>> layer(image, training=True).numpy().ravel()
        array([1.5, 2.5, 3.5, 4.5], dtype=float32)
    """

    def __init__(self, factor, seed=None, value_range=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(factor, list | tuple) and len(factor) == 2:
            lower = check_number("RandomContrast", "factor[0]", factor[0], minimum=0, maximum=1)
            upper = check_number("RandomContrast", "factor[1]", factor[1], minimum=-lower)
        elif isinstance(factor, list | tuple):
            raise ValueError(f"RandomContrast: argument `factor` must be a number or a pair (lower, upper), "
                             f"got {factor!r}")
        else:
            lower = upper = check_number("RandomContrast", "factor", factor, minimum=0, maximum=1)
        self.lower, self.upper = lower, upper  # contrast factors are drawn in [1 - lower, 1 + upper]
        self.factor = _plain(factor)
        if value_range is not None:
            if not isinstance(value_range, list | tuple) or len(value_range) != 2:
                raise ValueError(f"RandomContrast: argument `value_range` must be a pair (low, high) or None, "
                                 f"got {value_range!r}")
            low = check_number("RandomContrast", "value_range[0]", value_range[0])
            high = check_number("RandomContrast", "value_range[1]", value_range[1], minimum=low)
            value_range = (low, high)
        self.value_range = value_range

    def augment(self, images, rng):
        n = len(images)
        if n == 0:
            return images
        contrast = rng.uniform(1 - self.lower, 1 + self.upper, n).astype(images.dtype)[:, None, None, None]
        mean = images.mean(axis=(1, 2), keepdims=True)  # (n, 1, 1, channels): one mean per image and channel
        out = (images - mean) * contrast + mean
        low, high = self.value_range if self.value_range is not None else (images.min(), images.max())
        return np.clip(out, low, high)

    def get_config(self):
        value_range = list(self.value_range) if self.value_range is not None else None
        return {**super().get_config(), "factor": self.factor, "value_range": value_range}
