"""1D pooling: shorten a sequence by keeping the largest (or the mean) value of each window.

``MaxPooling1D(5)`` keeps, channel by channel, the maximum of every 5 consecutive steps:
a (batch, 494, 32) sequence becomes (batch, 98, 32) (the last 4 steps, too few for a
window, are dropped with ``padding="valid"``). The book puts it between two ``Conv1D``
layers, so that the second one sees a longer stretch of the original sequence. The
global poolings reduce the whole time axis to one value per channel: after the last
convolution, "is this pattern anywhere in the sequence?" (max) or "how much of it is
there?" (average).

``pool1d_composed`` computes a pooling as it reads, with dl-tensor ops: the ``pool_size``
slices of the sequence that the window positions meet, stacked, then reduced. ``Pool1DOp``
does it in one op on arrays: one strided pass per window position (the i-th step of every
window is every ``strides``-th step of the sequence from ``i``); when the windows tile the
sequence (``strides == pool_size``, the usual case), the backward compares every window with
its maximum in one pass over a ``(batch, steps, pool, channels)`` view. The backward gives
each window's gradient to its first maximum, as Keras and PyTorch do (the composed version
shares it between tied maxima, so the two agree when no window has a tie).
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_layers import Layer
from dl_layers.checks import check_bool, check_choice
from dl_layers.layers.masking import get_mask
from dl_tensor import Op

from .conv1d import check_sequences, conv1d_output_length, conv1d_padding, single_int

__all__ = [
    "AveragePooling1D",
    "AvgPool1D",
    "GlobalAveragePooling1D",
    "GlobalAvgPool1D",
    "GlobalMaxPool1D",
    "GlobalMaxPooling1D",
    "MaxPool1D",
    "MaxPooling1D",
    "Pool1DOp",
    "pool1d_composed",
]


def _real_counts(length: int, pool: int, strides: int, pads: tuple, steps: int) -> np.ndarray:
    """How many real (not padded) steps each of ``steps`` windows covers: (steps, 1)."""
    start = np.arange(steps) * strides - pads[0]  # each window's first step, in the unpadded sequence
    return (np.minimum(start + pool, length) - np.maximum(start, 0)).reshape(steps, 1)


def pool1d_composed(x, pool_size=2, strides=None, padding="valid", mode="max"):
    """Max (or average) pooling from dl-tensor ops: the windows, stacked, then reduced.

    Shapes: x (batch, time, channels) -> (batch, new_time, channels). With ``padding="same"``
    the padded steps never win a max and are not counted in an average (Keras's rule).

    Examples:
        >>> x = dt.Tensor(np.array([3.0, 1.0, 4.0, 1.0, 5.0]).reshape(1, 5, 1))
        >>> pool1d_composed(x, 2).numpy()[0, :, 0]            # the last step has no window
        array([3., 4.], dtype=float32)
        >>> pool1d_composed(x, 2, padding="same", mode="average").numpy()[0, :, 0]
        array([2. , 2.5, 5. ], dtype=float32)
    """
    x = dt.as_tensor(x)
    strides = strides or pool_size
    length = x.shape[1]
    left, right = conv1d_padding(length, pool_size, strides, padding)
    fill = -np.inf if mode == "max" else 0.0  # never the max; adds nothing to a sum
    x = dt.pad(x, ((0, 0), (left, right), (0, 0)), constant_values=fill)  # (batch, left + time + right, channels)
    steps = (x.shape[1] - pool_size) // strides + 1
    taps = [x[:, i: i + (steps - 1) * strides + 1: strides] for i in range(pool_size)]  # each (batch, steps, c)
    stacked = dt.stack(taps, axis=2)  # (batch, steps, pool_size, channels)
    if mode == "max":
        return stacked.max(axis=2)
    counts = _real_counts(length, pool_size, strides, (left, right), steps).astype(x.dtype)  # (steps, 1)
    return stacked.sum(axis=2) / counts


class Pool1DOp(Op):
    """Max or average pooling over time as one op (``pool1d_composed`` is the readable form).

    Input: x (batch, time, channels); output (batch, steps, channels). Max pooling's
    gradient goes to the first maximum of each window; average pooling's is shared by the
    window's real steps.

    Args:
        pool_size: window length.
        strides: step between windows.
        pads: ``(before, after)`` padded steps (``conv1d_padding`` with the pool as kernel).
        mode: ``"max"`` or ``"average"``.
    """

    def __init__(self, pool_size: int = 2, strides: int = 2, pads: tuple = (0, 0), mode: str = "max"):
        self.pool, self.strides, self.pads, self.mode = pool_size, strides, tuple(pads), mode

    def _windows(self, a: np.ndarray, steps: int) -> np.ndarray:
        """The tiled windows of ``a`` (batch, time, c) as a view (batch, steps, pool, c)."""
        return a[:, :steps * self.pool].reshape(a.shape[0], steps, self.pool, a.shape[2])  # splits time: no copy

    def _slice(self, i: int, steps: int) -> slice:
        """The steps that window position ``i`` meets: every ``strides``-th step from ``i``."""
        return slice(i, i + (steps - 1) * self.strides + 1, self.strides)

    def forward(self, x):
        if x.dtype.kind != "f":
            x = x.astype(np.float32)  # integer sequences: the -inf padding needs a float
        batch, length, channels = x.shape
        left, right = self.pads
        padded = x
        if left or right:  # padded steps never win a max and add 0 to a sum
            padded = np.full((batch, left + length + right, channels), -np.inf if self.mode == "max" else 0, x.dtype)
            padded[:, left:left + length] = x
        steps = (padded.shape[1] - self.pool) // self.strides + 1
        if steps < 1:
            raise ValueError(f"a pool of {self.pool} needs {self.pool} steps, the sequence has {padded.shape[1]}")
        # one pass per window position: the i-th step of every window is a strided slice of the
        # sequence (a reduction over a (batch, steps, pool, c) view's pool axis is 15x slower in NumPy)
        combine = np.maximum if self.mode == "max" else np.add
        out = padded[:, self._slice(0, steps)].copy()  # (batch, steps, c)
        for i in range(1, self.pool):
            combine(out, padded[:, self._slice(i, steps)], out=out)
        if self.mode == "average":
            self.counts = _real_counts(length, self.pool, self.strides, self.pads, steps).astype(x.dtype)
            out /= self.counts  # (steps, 1) broadcasts over batch and channels
        self.shapes = (x.shape, padded.shape, steps)
        self.save_for_backward(padded if self.mode == "max" else None, out if self.mode == "max" else None)
        return out

    def backward(self, grad):
        padded, out = self.saved
        (_, length, _), padded_shape, steps = self.shapes
        tiled = self.strides == self.pool  # windows side by side: each step in one window at most
        dpadded = np.empty(padded_shape, grad.dtype) if tiled else np.zeros(padded_shape, grad.dtype)
        if tiled:
            dpadded[:, steps * self.pool:] = 0  # the steps after the last window (written below: all the others)
        if self.mode == "average":
            share = grad / self.counts  # each real step of a window gets an equal share
            if tiled:
                self._windows(dpadded, steps)[...] = share[:, :, None]  # broadcast over the pool axis
            else:
                for i in range(self.pool):
                    dpadded[:, self._slice(i, steps)] += share
        elif tiled:
            wins = self._windows(padded, steps) == out[:, :, None]  # (batch, steps, pool, c): every maximum
            taken = np.zeros(out.shape, bool)  # windows whose first maximum is found: later ties get nothing
            for i in range(self.pool):
                position = wins[:, :, i]  # a view: (batch, steps, c)
                np.greater(position, taken, out=position)  # True > False: a maximum not preceded by another
                taken |= position
            np.multiply(grad[:, :, None], wins, out=self._windows(dpadded, steps))  # (b, s, 1, c) * (b, s, pool, c)
        else:
            taken = np.zeros(out.shape, bool)  # (batch, steps, c)
            for i in range(self.pool):  # in order: the first position holding the maximum takes the gradient
                hit = padded[:, self._slice(i, steps)] == out  # (batch, steps, c)
                np.greater(hit, taken, out=hit)  # a maximum not preceded by another
                taken |= hit
                dpadded[:, self._slice(i, steps)] += grad * hit
        left = self.pads[0]
        return dpadded[:, left:left + length]  # the padding gets no gradient


class _Pooling1D(Layer, register=False):
    """What MaxPooling1D and AveragePooling1D share: sizes, padding, shape checks, config."""

    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = (single_int(owner, "pool_size", pool_size),)
        self.strides = (single_int(owner, "strides", strides),) if strides is not None else self.pool_size
        self.padding = check_choice(owner, "padding", padding.lower() if isinstance(padding, str) else padding,
                                    ("valid", "same"))
        self.data_format = check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))

    def _output_length(self, length):
        out = conv1d_output_length(length, self.pool_size[0], self.strides[0], self.padding)
        if out is not None and out < 1:
            raise ValueError(f"Layer '{self.name}': an input of length {length} is too short for its pool of "
                             f"{self.pool_size[0]} steps with padding='{self.padding}' (output length {out}); "
                             "use padding='same' or a smaller pool")
        return out

    def build(self, input_shape):
        check_sequences(self.name, input_shape)
        self._output_length(input_shape[1])

    def call(self, inputs):
        check_sequences(self.name, inputs.shape)
        length = inputs.shape[1]
        self._output_length(length)
        pads = conv1d_padding(length, self.pool_size[0], self.strides[0], self.padding)
        return Pool1DOp(self.pool_size[0], self.strides[0], pads, self.mode)(inputs)

    def compute_output_shape(self, input_shape):
        check_sequences(self.name, input_shape)
        return (input_shape[0], self._output_length(input_shape[1]), input_shape[2])

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling1D(_Pooling1D):
    """The maximum of each window of ``pool_size`` steps, channel by channel.

    Args:
        pool_size: window length (an int or a 1-tuple).
        strides: step between windows; ``pool_size`` by default (windows side by side).
        padding: ``"valid"`` (a tail too short for a window is dropped) or ``"same"``.
        data_format: only ``"channels_last"`` is supported.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, time, c) -> (batch, new_time, c); ``new_time = (time - pool_size) // strides + 1``
        for "valid", ``ceil(time / strides)`` for "same".

    Examples:
        >>> import numpy as np
        >>> MaxPooling1D(5)(np.zeros((2, 494, 32))).shape     # 494 = 5 * 98 + 4: the tail is dropped
        (2, 98, 32)
    """

    mode = "max"


class AveragePooling1D(_Pooling1D):
    """The mean of each window, channel by channel (padded steps are not counted).

    Arguments and shapes as for ``MaxPooling1D``.

    Examples:
        >>> import numpy as np
        >>> AveragePooling1D(2)(np.arange(6.0).reshape(1, 6, 1)).numpy()[0, :, 0]
        array([0.5, 2.5, 4.5], dtype=float32)
    """

    mode = "average"


class _GlobalPooling1D(Layer, register=False):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.data_format = check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))
        self.keepdims = check_bool(owner, "keepdims", keepdims)

    def build(self, input_shape):
        check_sequences(self.name, input_shape)

    def compute_output_shape(self, input_shape):
        check_sequences(self.name, input_shape)
        return (input_shape[0], 1, input_shape[2]) if self.keepdims else (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling1D):
    """The maximum of each channel over all steps: (batch, time, c) -> (batch, c).

    Args:
        data_format: only ``"channels_last"`` is supported.
        keepdims: keep the time axis, of length 1: (batch, 1, c).
        **kwargs: ``name``, ``trainable``, ``dtype``.

    Shapes:
        (batch, time, c) -> (batch, c), or (batch, 1, c) with ``keepdims``.

    Examples:
        >>> import numpy as np
        >>> GlobalMaxPooling1D()(np.array([[[1.0, -2.0], [3.0, -1.0]]])).numpy()
        array([[ 3., -1.]], dtype=float32)
    """

    def call(self, inputs):
        check_sequences(self.name, inputs.shape)
        return inputs.max(axis=1, keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """The mean of each channel over all steps: (batch, time, c) -> (batch, c).

    With a mask (attached to the input by ``Embedding(..., mask_zero=True)`` or ``Masking``,
    or given as ``mask=``), the mean is over the real steps only, as in Keras; a sample
    whose steps are all masked gives zeros (Keras gives NaN).

    Args:
        data_format: only ``"channels_last"`` is supported.
        keepdims: keep the time axis, of length 1: (batch, 1, c).
        **kwargs: ``name``, ``trainable``, ``dtype``.

    Shapes:
        (batch, time, c) -> (batch, c), or (batch, 1, c) with ``keepdims``; mask (batch, time).

    Examples:
        >>> import numpy as np
        >>> x = np.array([[[1.0], [3.0], [0.0]]])
        >>> GlobalAveragePooling1D()(x).numpy()
        array([[1.3333]], dtype=float32)
        >>> GlobalAveragePooling1D()(x, mask=np.array([[True, True, False]])).numpy()
        array([[2.]], dtype=float32)
    """

    def call(self, inputs, mask=None):
        check_sequences(self.name, inputs.shape)
        mask = get_mask(inputs) if mask is None else mask
        if mask is None:
            return inputs.mean(axis=1, keepdims=self.keepdims)
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != tuple(inputs.shape[:2]):
            raise ValueError(f"Layer '{self.name}': the mask must have shape (batch, time) = {tuple(inputs.shape[:2])},"
                             f" got {mask.shape}")
        weights = mask.astype(inputs.dtype)[:, :, None]  # (batch, time, 1): 1 for real steps, 0 for padding
        counts = np.maximum(weights.sum(axis=1, keepdims=self.keepdims), 1)  # real steps per sample (at least 1)
        return (inputs * weights).sum(axis=1, keepdims=self.keepdims) / counts


# Keras's shorter names for the same layers
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalAvgPool1D = GlobalAveragePooling1D
