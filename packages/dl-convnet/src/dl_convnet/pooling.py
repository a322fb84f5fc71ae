"""Pooling: downsample feature maps by keeping the largest (or the mean) value of each window.

``MaxPooling2D((2, 2))`` halves the height and the width: each output pixel is the maximum
of a 2x2 window, channel by channel, and the windows do not overlap (``strides`` defaults
to ``pool_size``). Chapter 5 uses it after each convolution, both to shrink the maps (so
the parameter count of what follows stays small) and to let later layers see a larger
part of the image (a growing receptive field).

``pool2d_composed`` computes a pooling as it reads, with dl-tensor ops: stack the values
each window covers, then take their max or mean. ``Pool2DOp`` does the same in one op on
arrays without the stacked copy (windows side by side are a free reshape of the map);
max-pooling's gradient goes to the first maximum of each window, as in Keras and PyTorch
(the composed version shares it between tied maxima, so the two agree when no window has
a tie).
The global poolings reduce the whole map to one value per channel with dl-tensor's
``mean`` and ``max``.
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_layers import Layer
from dl_layers.checks import check_bool, check_choice
from dl_tensor import Op

from .conv_utils import check_images, check_padding, normalize_tuple, output_length, same_padding, window_slice

__all__ = [
    "AveragePooling2D",
    "AvgPool2D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling2D",
    "MaxPool2D",
    "MaxPooling2D",
    "Pool2DOp",
    "pool2d_composed",
]


def pool_padding(height: int, width: int, pool: tuple, strides: tuple, padding: str) -> tuple:
    """``((top, bottom), (left, right))`` cells added around the map for ``padding``."""
    if padding == "valid":
        return (0, 0), (0, 0)
    return same_padding(height, pool[0], strides[0]), same_padding(width, pool[1], strides[1])


def pool2d_composed(x, pool_size=(2, 2), strides=None, padding="valid", mode="max"):
    """Max (or average) pooling from dl-tensor ops: the windows, stacked, then reduced.

    Shapes: x (n, h, w, c) -> (n, out_h, out_w, c). With ``padding="same"`` the padded cells
    never win a max and are not counted in an average (Keras's rule).

    Examples:
        >>> import numpy as np
        >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
        >>> pool2d_composed(dt.Tensor(x)).numpy()[0, :, :, 0]      # the max of each 2x2 block
        array([[ 5.,  7.],
               [13., 15.]], dtype=float32)
    """
    x = dt.as_tensor(x)
    strides = strides or pool_size
    (top, bottom), (left, right) = pool_padding(x.shape[1], x.shape[2], pool_size, strides, padding)
    fill = -np.inf if mode == "max" else 0.0
    x = dt.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    out_h = (x.shape[1] - pool_size[0]) // strides[0] + 1
    out_w = (x.shape[2] - pool_size[1]) // strides[1] + 1
    taps = [x[:, window_slice(i, out_h, strides[0]), window_slice(j, out_w, strides[1])]  # each (n, oh, ow, c)
            for i in range(pool_size[0]) for j in range(pool_size[1])]
    stacked = dt.stack(taps, axis=3)  # (n, out_h, out_w, taps, c)
    if mode == "max":
        return stacked.max(axis=3)
    counts = _valid_counts(x.shape[1:3], (top, bottom, left, right), pool_size, strides, out_h, out_w)
    return stacked.sum(axis=3) / counts.astype(x.dtype)


def _valid_counts(padded_hw, pads, pool, strides, out_h, out_w) -> np.ndarray:
    """How many real (not padded) cells each window covers: (1, out_h, out_w, 1)."""
    top, bottom, left, right = pads
    real = np.zeros((1, *padded_hw, 1))
    real[:, top:padded_hw[0] - bottom, left:padded_hw[1] - right] = 1
    counts = np.zeros((1, out_h, out_w, 1))
    for i in range(pool[0]):  # a loop over the few positions of a window, not over pixels
        for j in range(pool[1]):
            counts += real[:, window_slice(i, out_h, strides[0]), window_slice(j, out_w, strides[1])]
    return counts


class Pool2DOp(Op):
    """Max or average pooling as one op on arrays (see ``pool2d_composed`` for the readable form).

    No stacked copy of the windows is made. When the windows tile the map (``strides ==
    pool``, the usual case), the map is viewed as ``(n, out_h, pool_h, out_w, pool_w, c)``
    without copying, and each pass over it streams through memory once: the maximum (or
    sum) over the window axes, and in backward one comparison with the broadcast maximum and
    one product with the broadcast gradient. Otherwise the window positions are visited one
    at a time (a 3x3 pool: nine strided views of the map). Max pooling's gradient goes to the
    first maximum of each window in row-major order (as in Keras and PyTorch), average
    pooling's is shared by the window's real cells.

    Args:
        pool: ``(pool_h, pool_w)``.
        strides: ``(sh, sw)``.
        pads: ``((top, bottom), (left, right))`` cells around the map (``pool_padding``).
        mode: ``"max"`` or ``"average"``.
    """

    def __init__(self, pool=(2, 2), strides=(2, 2), pads=((0, 0), (0, 0)), mode="max"):
        self.pool, self.strides, self.pads, self.mode = tuple(pool), tuple(strides), pads, mode
        self.tiled = self.strides == self.pool  # windows side by side: each cell in at most one

    def _taps(self, padded_shape: tuple):
        """``(out_h, out_w, [(row slice, column slice) of each window position])``."""
        (ph, pw), (sh, sw) = self.pool, self.strides
        out_h, out_w = (padded_shape[1] - ph) // sh + 1, (padded_shape[2] - pw) // sw + 1
        taps = [(window_slice(i, out_h, sh), window_slice(j, out_w, sw)) for i in range(ph) for j in range(pw)]
        return out_h, out_w, taps

    def _tiles(self, a: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
        """The windows of ``a`` (n, h, w, c) as a view (n, out_h, pool_h, out_w, pool_w, c) (tiled case)."""
        (ph, pw), (n, c) = self.pool, (a.shape[0], a.shape[3])
        return a[:, :out_h * ph, :out_w * pw].reshape(n, out_h, ph, out_w, pw, c)  # splits h and w: no copy

    def forward(self, x):
        if x.dtype.kind != "f":
            x = x.astype(np.float32)  # integer images: the -inf padding needs a float
        n, h, w, c = x.shape
        (top, bottom), (left, right) = self.pads
        padded = x
        if top or bottom or left or right:  # padded cells never win a max, and add 0 to a sum
            padded = np.full((n, h + top + bottom, w + left + right, c), -np.inf if self.mode == "max" else 0, x.dtype)
            padded[:, top:top + h, left:left + w] = x
        out_h, out_w, taps = self._taps(padded.shape)
        combine = np.maximum if self.mode == "max" else np.add
        if self.tiled:
            windows = self._tiles(padded, out_h, out_w)  # (n, out_h, ph, out_w, pw, c)
            rows = windows[:, :, 0]  # combine the window's rows, then its columns: (n, out_h, out_w, pw, c)
            rows = combine(rows, windows[:, :, 1]) if self.pool[0] > 1 else rows.copy()
            for i in range(2, self.pool[0]):
                combine(rows, windows[:, :, i], out=rows)
            out = rows[:, :, :, 0].copy()  # (n, out_h, out_w, c)
            for j in range(1, self.pool[1]):
                combine(out, rows[:, :, :, j], out=out)
        else:
            rows, cols = taps[0]
            out = padded[:, rows, cols].copy()  # (n, out_h, out_w, c), then combined with every other position
            for rows, cols in taps[1:]:
                combine(out, padded[:, rows, cols], out=out)
        if self.mode == "average":
            hp, wp = padded.shape[1:3]
            self.counts = _valid_counts((hp, wp), (top, bottom, left, right), self.pool, self.strides, out_h,
                                        out_w).astype(x.dtype)  # (1, out_h, out_w, 1)
            out /= self.counts
        self.shapes = (x.shape, padded.shape)
        self.save_for_backward(padded if self.mode == "max" else None, out if self.mode == "max" else None)
        return out

    def backward(self, grad):
        padded, out = self.saved
        x_shape, padded_shape = self.shapes
        out_h, out_w, taps = self._taps(padded_shape)
        covered = (out_h * self.pool[0], out_w * self.pool[1]) == tuple(padded_shape[1:3])
        if self.tiled and self.mode == "max":
            dxp = np.empty(padded_shape, grad.dtype) if covered else np.zeros(padded_shape, grad.dtype)
            wins = self._tiles(padded, out_h, out_w) == out[:, :, None, :, None, :]  # (n, oh, ph, ow, pw, c)
            taken = np.zeros(out.shape, bool)  # windows whose first maximum is found: later ties get nothing
            for i in range(self.pool[0]):
                for j in range(self.pool[1]):
                    position = wins[:, :, i, :, j]  # a view: (n, out_h, out_w, c)
                    np.greater(position, taken, out=position)  # True > False: a maximum not preceded by another
                    taken |= position
            np.multiply(grad[:, :, None, :, None, :], wins, out=self._tiles(dxp, out_h, out_w))
        elif self.tiled:
            dxp = np.empty(padded_shape, grad.dtype) if covered else np.zeros(padded_shape, grad.dtype)
            share = (grad / self.counts)[:, :, None, :, None, :]  # every real cell of a window: an equal share
            np.copyto(self._tiles(dxp, out_h, out_w), share)  # broadcast over (ph, pw)
        else:  # overlapping windows: each position adds its part
            dxp = np.zeros(padded_shape, grad.dtype)
            if self.mode == "max":
                remaining = grad.copy()  # the gradient of windows whose maximum has not been met yet
                hit = np.empty(out.shape, bool)  # (n, out_h, out_w, c): where this position holds the maximum
                share = np.empty_like(remaining)
                for rows, cols in taps:  # in order: the first position holding the maximum wins
                    np.equal(padded[:, rows, cols], out, out=hit)
                    np.multiply(remaining, hit, out=share)
                    dxp[:, rows, cols] += share
                    remaining -= share  # the winners' windows are done: 0 left (x - x is exactly 0)
            else:
                share = grad / self.counts
                for rows, cols in taps:
                    dxp[:, rows, cols] += share
        (top, _), (left, _) = self.pads
        return dxp[:, top:top + x_shape[1], left:left + x_shape[2]]  # padding cells get no gradient


class _Pooling2D(Layer, register=False):
    """What MaxPooling2D and AveragePooling2D share: sizes, padding, shape checks, config."""

    mode = "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = normalize_tuple(owner, "pool_size", pool_size)
        self.strides = normalize_tuple(owner, "strides", strides) if strides is not None else self.pool_size
        self.padding = check_padding(owner, padding)
        check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))

    def build(self, input_shape):
        check_images(self.name, input_shape)

    def _check_fits(self, shape) -> None:
        if self.padding == "valid":
            for axis, size, p in zip(("height", "width"), shape[1:3], self.pool_size):
                if size is not None and size < p:
                    raise ValueError(f"Layer '{self.name}': its pool of {p} is larger than the input's {axis} of "
                                     f"{size} (input shape {tuple(shape)}); use padding='same' or a smaller pool")

    def call(self, inputs):
        check_images(self.name, inputs.shape)
        self._check_fits(inputs.shape)
        pads = pool_padding(inputs.shape[1], inputs.shape[2], self.pool_size, self.strides, self.padding)
        return Pool2DOp(self.pool_size, self.strides, pads, self.mode)(inputs)

    def compute_output_shape(self, input_shape):
        check_images(self.name, input_shape)
        self._check_fits(input_shape)
        h, w = (output_length(size, p, s, self.padding) for size, p, s in
                zip(input_shape[1:3], self.pool_size, self.strides))
        return (input_shape[0], h, w, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """The maximum of each window, channel by channel.

    Args:
        pool_size: window ``(height, width)``, or one int.
        strides: steps between windows; ``pool_size`` by default (non-overlapping windows).
        padding: ``"valid"`` or ``"same"``.

    Shapes:
        (batch, h, w, c) -> (batch, out_h, out_w, c); ``out = floor((size - pool) / stride) + 1``
        for "valid", ``ceil(size / stride)`` for "same".

    Examples:
        >>> import numpy as np
        >>> MaxPooling2D((2, 2))(np.zeros((1, 26, 26, 32))).shape
        (1, 13, 13, 32)
    """

    mode = "max"


class AveragePooling2D(_Pooling2D):
    """The mean of each window, channel by channel (padded cells are not counted).

    Arguments and shapes as for ``MaxPooling2D``.

    Examples:
        >>> import numpy as np
        >>> AveragePooling2D(2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, :, :, 0]
        array([[ 2.5,  4.5],
               [10.5, 12.5]], dtype=float32)
    """

    mode = "average"


class _GlobalPooling2D(Layer, register=False):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        check_choice(type(self).__name__, "data_format", data_format or "channels_last", ("channels_last",))
        self.keepdims = check_bool(type(self).__name__, "keepdims", keepdims)

    def build(self, input_shape):
        check_images(self.name, input_shape)

    def call(self, inputs):
        check_images(self.name, inputs.shape)
        return self._reduce(inputs)

    def compute_output_shape(self, input_shape):
        check_images(self.name, input_shape)
        return (input_shape[0], 1, 1, input_shape[3]) if self.keepdims else (input_shape[0], input_shape[3])

    def get_config(self):
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling2D):
    """The mean of each channel over the whole map: (batch, h, w, c) -> (batch, c)
    (``(batch, 1, 1, c)`` with ``keepdims=True``).

    Examples:
        >>> import numpy as np
        >>> GlobalAveragePooling2D()(np.ones((2, 5, 5, 8))).shape
        (2, 8)
    """

    def _reduce(self, inputs):
        return inputs.mean(axis=(1, 2), keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling2D):
    """The maximum of each channel over the whole map: (batch, h, w, c) -> (batch, c).

    Examples:
        >>> import numpy as np
        >>> GlobalMaxPooling2D(keepdims=True)(np.ones((2, 5, 5, 8))).shape
        (2, 1, 1, 8)
    """

    def _reduce(self, inputs):
        return inputs.max(axis=(1, 2), keepdims=self.keepdims)


# Keras's shorter names for the same layers
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
