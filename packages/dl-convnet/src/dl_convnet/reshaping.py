"""``UpSampling2D``, ``ZeroPadding2D``, ``Cropping2D``: change the height and width of feature maps.

None of them learns anything; they resize the maps between the layers that do:

* ``UpSampling2D((2, 2))`` doubles the height and the width. ``"nearest"`` repeats each
  row and column; ``"bilinear"`` blends the two nearest input pixels along each axis,
  with the half-pixel rule of Keras and TensorFlow: output pixel ``o`` samples the input
  at ``(o + 0.5) / size - 0.5`` (clamped to the image), so the output grid is centred on
  the input grid. Bilinear resizing is linear along each axis, so it is a matrix product:
  ``out = W_h @ image @ W_w.T`` for each image and channel, with ``W`` holding at most two
  weights per row. dl-tensor differentiates that product; nearest upsampling is a small op
  (its gradient: each input pixel collects the gradients of its copies).
* ``ZeroPadding2D(1)`` adds a border of zeros (dl-tensor's ``pad``).
* ``Cropping2D(((2, 2), (4, 4)))`` cuts rows and columns off the borders (a slice).

Paddings and croppings are an int (every side), a pair ``(height, width)`` (symmetric),
or ``((top, bottom), (left, right))``.
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_layers import Layer
from dl_layers.checks import check_choice, check_number
from dl_tensor import Op

from .conv_utils import check_images, normalize_tuple

__all__ = [
    "Cropping2D",
    "RepeatPixelsOp",
    "UpSampling2D",
    "ZeroPadding2D",
    "bilinear_weights",
    "normalize_borders",
]


def normalize_borders(owner: str, name: str, value) -> tuple:
    """``1`` -> ``((1, 1), (1, 1))``; ``(1, 2)`` -> ``((1, 1), (2, 2))``; ``((1, 2), (3, 4))`` stays.

    Examples:
        >>> normalize_borders("ZeroPadding2D", "padding", (1, 2))
        ((1, 1), (2, 2))
    """
    forms = ("an int, a pair of ints (height, width) or a pair of pairs ((top, bottom), (left, right))")
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValueError(f"{owner}: argument `{name}` must be {forms}, got {value!r}")
    pairs = []
    for side in value:
        if isinstance(side, tuple | list):
            if len(side) != 2:
                raise ValueError(f"{owner}: argument `{name}` must be {forms}, got {value!r}")
            pairs.append(tuple(check_number(owner, name, v, minimum=0, integer=True) for v in side))
        else:
            v = check_number(owner, name, side, minimum=0, integer=True)
            pairs.append((v, v))
    return tuple(pairs)


class RepeatPixelsOp(Op):
    """Nearest-neighbour upsampling: each pixel repeated ``sh`` times down and ``sw`` times across.

    Shapes: x (n, h, w, c) -> (n, h * sh, w * sw, c).
    """

    def __init__(self, size=(2, 2)):
        self.size = size

    def forward(self, x):
        (sh, sw), (n, h, w, c) = self.size, x.shape
        copies = np.broadcast_to(x[:, :, None, :, None], (n, h, sh, w, sw, c))  # (n, h, 1, w, 1, c) -> every copy
        return copies.reshape(n, h * sh, w * sw, c)  # (n, h, sh, w, sw, c) -> (n, h * sh, w * sw, c)

    def backward(self, grad):
        (sh, sw), (n, big_h, big_w, c) = self.size, grad.shape
        blocks = grad.reshape(n, big_h // sh, sh, big_w // sw, sw, c)  # (n, H, W, c) -> (n, h, sh, w, sw, c)
        return blocks.sum(axis=(2, 4))  # each pixel collects the gradients of its sh * sw copies


def bilinear_weights(length: int, scale: int) -> np.ndarray:
    """``(length * scale, length)`` matrix of bilinear upsampling along one axis (half-pixel centres).

    Row ``o`` blends the two input pixels around ``(o + 0.5) / scale - 0.5``, clamped to the image.

    Examples:
        >>> bilinear_weights(2, 2)
        array([[1.  , 0.  ],
               [0.75, 0.25],
               [0.25, 0.75],
               [0.  , 1.  ]])
    """
    source = (np.arange(length * scale) + 0.5) / scale - 0.5  # where each output pixel samples the input
    below = np.floor(source)
    frac = source - below  # weight of the pixel after
    below = below.astype(int)
    weights = np.zeros((length * scale, length))
    rows = np.arange(length * scale)
    np.add.at(weights, (rows, np.clip(below, 0, length - 1)), 1 - frac)  # at the borders both pixels are the same
    np.add.at(weights, (rows, np.clip(below + 1, 0, length - 1)), frac)
    return weights


class UpSampling2D(Layer):
    """Upsample images by ``size``: repeat rows and columns, or interpolate bilinearly.

    Args:
        size: upsampling factors ``(rows, columns)``, or one int for both.
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        interpolation: ``"nearest"`` or ``"bilinear"`` (half-pixel centres, as Keras and TensorFlow).
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, height, width, channels) -> (batch, height * size[0], width * size[1], channels)

    Examples:
        >>> import numpy as np
        >>> x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
        >>> UpSampling2D(2)(x).numpy()[0, :, :, 0]
        array([[1., 1., 2., 2.],
               [1., 1., 2., 2.],
               [3., 3., 4., 4.],
               [3., 3., 4., 4.]], dtype=float32)
        >>> UpSampling2D(2, interpolation="bilinear")(x).numpy()[0, :, :, 0]
        array([[1.  , 1.25, 1.75, 2.  ],
               [1.5 , 1.75, 2.25, 2.5 ],
               [2.5 , 2.75, 3.25, 3.5 ],
               [3.  , 3.25, 3.75, 4.  ]], dtype=float32)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.size = normalize_tuple(owner, "size", size)
        check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))
        self.interpolation = check_choice(owner, "interpolation", interpolation, ("nearest", "bilinear"))

    def build(self, input_shape):
        check_images(self.name, input_shape)

    def call(self, inputs):
        check_images(self.name, inputs.shape)
        if self.interpolation == "nearest":
            return RepeatPixelsOp(self.size)(inputs)
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(self.dtype)  # integer images: blending needs floats
        (n, h, w, c), (sh, sw) = inputs.shape, self.size
        rows = dt.matmul(bilinear_weights(h, sh), inputs.reshape(n, h, w * c))  # (H, h) @ (n, h, w*c) -> (n, H, w*c)
        rows = rows.reshape(n * h * sh, w, c)  # (n, H, w*c) -> (n * H, w, c)
        out = dt.matmul(bilinear_weights(w, sw), rows)  # (W, w) @ (n * H, w, c) -> (n * H, W, c)
        return out.reshape(n, h * sh, w * sw, c)  # (n * H, W, c) -> (n, H, W, c)

    def compute_output_shape(self, input_shape):
        check_images(self.name, input_shape)
        h, w = (None if size is None else size * s for size, s in zip(input_shape[1:3], self.size))
        return (input_shape[0], h, w, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "interpolation": self.interpolation}


class ZeroPadding2D(Layer):
    """Add rows and columns of zeros around each image.

    Args:
        padding: an int (all four sides), a pair ``(height, width)`` (symmetric: that many
            rows above and below, columns left and right), or ``((top, bottom), (left, right))``.
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, height, width, channels) -> (batch, top + height + bottom, left + width + right, channels)

    Examples:
        >>> import numpy as np
        >>> ZeroPadding2D(((1, 0), (0, 2)))(np.ones((1, 2, 2, 1))).numpy()[0, :, :, 0]
        array([[0., 0., 0., 0.],
               [1., 1., 0., 0.],
               [1., 1., 0., 0.]], dtype=float32)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.padding = normalize_borders(owner, "padding", padding)
        check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))

    def build(self, input_shape):
        check_images(self.name, input_shape)

    def call(self, inputs):
        check_images(self.name, inputs.shape)
        return dt.pad(inputs, ((0, 0), *self.padding, (0, 0)))  # (n, t + h + b, l + w + r, c)

    def compute_output_shape(self, input_shape):
        check_images(self.name, input_shape)
        h, w = (None if size is None else before + size + after
                for size, (before, after) in zip(input_shape[1:3], self.padding))
        return (input_shape[0], h, w, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": [list(pair) for pair in self.padding]}


class Cropping2D(Layer):
    """Cut rows and columns off the borders of each image.

    Args:
        cropping: an int (all four sides), a pair ``(height, width)`` (symmetric), or
            ``((top, bottom), (left, right))``.
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, height, width, channels) -> (batch, height - top - bottom, width - left - right, channels)

    Examples:
        >>> import numpy as np
        >>> Cropping2D(((1, 0), (1, 1)))(np.arange(12.0).reshape(1, 3, 4, 1)).numpy()[0, :, :, 0]
        array([[ 5.,  6.],
               [ 9., 10.]], dtype=float32)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.cropping = normalize_borders(owner, "cropping", cropping)
        check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))

    def build(self, input_shape):
        check_images(self.name, input_shape)

    def _check_fits(self, shape) -> None:
        """Images of ``shape`` must keep at least one row and one column."""
        check_images(self.name, shape)
        for axis, size, (before, after) in zip(("height", "width"), shape[1:3], self.cropping):
            if size is not None and before + after >= size:
                raise ValueError(f"Layer '{self.name}': cropping {before} + {after} pixels leaves nothing of the "
                                 f"input's {axis} of {size} (input shape {tuple(shape)}, cropping {self.cropping})")

    def call(self, inputs):
        self._check_fits(inputs.shape)
        (top, bottom), (left, right) = self.cropping
        _, h, w, _ = inputs.shape
        return inputs[:, top:h - bottom, left:w - right]  # (n, h - top - bottom, w - left - right, c)

    def compute_output_shape(self, input_shape):
        self._check_fits(input_shape)
        h, w = (None if size is None else size - before - after
                for size, (before, after) in zip(input_shape[1:3], self.cropping))
        return (input_shape[0], h, w, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "cropping": [list(pair) for pair in self.cropping]}
