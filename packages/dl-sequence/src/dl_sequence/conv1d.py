"""``Conv1D``: a small dense layer slid along the time axis of a sequence.

A 1D convolution learns ``filters`` patterns, each ``kernel_size`` steps long over all the
input's channels, and slides them along time: output step ``t`` of filter ``f`` is

    out[b, t, f] = bias[f] + sum over j, c of x[b, t * stride + j * dilation, c] * kernel[j, c, f]

with the sequence zero-padded first for ``padding="same"`` (both ends) or ``"causal"``
(the start only, so that output ``t`` sees only inputs up to ``t``). Layouts are Keras's:
sequences ``(batch, time, channels)``, kernels ``(kernel_size, channels, filters)``.

``conv1d_composed`` writes that sum as it reads with dl-tensor ops: the ``kernel_size``
slices of the sequence that the taps meet, stacked side by side, times the kernel.
``Conv1DOp`` computes the same in one op. It lays the samples of the batch end to end, as
one long sequence of ``batch * time`` rows, so that the slice a tap meets is a plain
(strided) block of rows: the forward pass is one matrix product per kernel tap, added up,
with no copy of the input; the outputs whose window would straddle two samples are
computed too and dropped. The backward pass spreads the output gradient into one matrix
holding, for every input row, the gradients of the ``kernel_size`` outputs that read it
(a copy of a sliding-window view), and gets the kernel's and the input's gradients from two
matrix products with it. Both passes work through the rows in blocks of ``BLOCK_ROWS``, so
that each block's sums and copies stay in the CPU's cache. Tests hold the two versions equal.
"""

from __future__ import annotations

import math

import numpy as np

import dl_tensor as dt
from dl_layers import InputSpec, Layer, activations, initializers, regularizers
from dl_layers.checks import check_choice, check_number
from dl_tensor import Op
from dl_tensor.elementwise import match_dtypes

__all__ = ["Conv1D", "Conv1DOp", "Convolution1D", "conv1d_composed"]

PADDINGS = ("valid", "same", "causal")
# Conv1DOp works through the rows in blocks of this many: a block's sums and copies (4,096 rows
# of 32 to 224 floats) stay in the CPU's cache instead of streaming through memory once per tap.
BLOCK_ROWS = 4096


def span(kernel_size: int, dilation: int = 1) -> int:
    """How many steps a dilated window covers: ``(kernel_size - 1) * dilation + 1``."""
    return (kernel_size - 1) * dilation + 1


def conv1d_output_length(length, kernel_size: int, strides: int = 1, padding: str = "valid", dilation: int = 1):
    """Output steps of a window sliding over ``length`` steps (None stays None; may be <= 0 for "valid").

    Examples:
        >>> conv1d_output_length(500, 7), conv1d_output_length(500, 7, padding="causal")
        (494, 500)
        >>> conv1d_output_length(10, 3, strides=4, padding="same")
        3
    """
    if length is None:
        return None
    if padding == "valid":
        return (length - span(kernel_size, dilation)) // strides + 1
    return math.ceil(length / strides)  # "same" and "causal": ceil(length / strides)


def conv1d_padding(length: int, kernel_size: int, strides: int = 1, padding: str = "valid",
                   dilation: int = 1) -> tuple[int, int]:
    """Zero steps ``(before, after)`` added to a sequence for ``padding``.

    "same" pads as TensorFlow: just enough for ``ceil(length / strides)`` outputs, half before
    and the rest (one more when odd) after. "causal" pads ``(kernel_size - 1) * dilation``
    steps before and none after.

    Examples:
        >>> conv1d_padding(10, 4, padding="same"), conv1d_padding(10, 3, padding="causal", dilation=2)
        ((1, 2), (4, 0))
    """
    if padding == "causal":
        return span(kernel_size, dilation) - 1, 0
    if padding == "same":
        out = math.ceil(length / strides)
        total = max((out - 1) * strides + span(kernel_size, dilation) - length, 0)
        return total // 2, total - total // 2
    return 0, 0


def conv1d_composed(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """The 1D convolution from dl-tensor ops (the reference ``Conv1DOp`` is tested against).

    Shapes: x (batch, time, channels), kernel (kernel_size, channels, filters), bias (filters,)
    -> (batch, new_time, filters).

    Examples:
        >>> x = dt.Tensor(np.arange(6.0).reshape(1, 6, 1))      # one sequence 0, 1, ..., 5
        >>> diff = dt.Tensor(np.array([-1.0, 1.0]).reshape(2, 1, 1))  # x[t + 1] - x[t]
        >>> conv1d_composed(x, diff).numpy()[0, :, 0]
        array([1., 1., 1., 1., 1.], dtype=float32)
    """
    x, kernel = dt.as_tensor(x), dt.as_tensor(kernel)
    k, channels, filters = kernel.shape
    left, right = conv1d_padding(x.shape[1], k, strides, padding, dilation_rate)
    x = dt.pad(x, ((0, 0), (left, right), (0, 0)))  # (batch, left + time + right, channels)
    steps = (x.shape[1] - span(k, dilation_rate)) // strides + 1
    # tap j meets steps j*d, j*d + s, j*d + 2s, ...: one slice of the sequence per tap
    taps = [x[:, j * dilation_rate: j * dilation_rate + (steps - 1) * strides + 1: strides] for j in range(k)]
    windows = dt.stack(taps, axis=2)  # k x (batch, steps, channels) -> (batch, steps, k, channels)
    windows = windows.reshape(x.shape[0], steps, k * channels)  # (batch, steps, k * channels): one window per row
    out = windows @ kernel.reshape(k * channels, filters)  # (batch, steps, k*c) @ (k*c, filters) -> (batch, steps, f)
    return out if bias is None else out + bias  # (filters,) broadcasts over every step


class Conv1DOp(Op):
    """``conv1d_composed`` (plus an optional relu) as one op with a hand-written backward.

    Inputs: x (batch, time, channels), kernel (kernel_size, channels, filters) and, with
    ``use_bias``, bias (filters,). The padding is given in steps, ``(before, after)``
    (``conv1d_padding`` computes it); the output must have at least one step.

    The batch is laid end to end as one sequence of rows (each sample's padded length
    rounded up to a multiple of the stride), so that every output row ``m`` reads input
    rows ``m * strides + j * dilation``: for tap ``j``, the strided block ``rows[j * d::s]``.

    Args:
        strides: step between windows.
        dilation: spacing between kernel taps.
        pads: ``(before, after)`` zero steps around each sequence.
        relu: apply ``max(., 0)`` in place (its derivative is read from the output).
        use_bias: whether a bias input follows the kernel.
    """

    def __init__(self, strides: int = 1, dilation: int = 1, pads: tuple = (0, 0), relu: bool = False,
                 use_bias: bool = True):
        self.strides, self.dilation, self.pads = strides, dilation, tuple(pads)
        self.relu, self.use_bias = relu, use_bias

    def _geometry(self, length: int, k: int) -> tuple[int, int, int]:
        """``(out_len, per, steps)``: output steps, flat output rows per sample (the first
        ``out_len`` are real) and each sample's padded length, ``per * strides``."""
        padded = length + self.pads[0] + self.pads[1]
        out_len = (padded - span(k, self.dilation)) // self.strides + 1
        if out_len < 1:
            raise ValueError(f"a {k}-tap kernel (dilation {self.dilation}) needs {span(k, self.dilation)} steps, "
                             f"the padded sequence has {padded}")
        per = -(-padded // self.strides)  # ceil(padded / strides)
        return out_len, per, per * self.strides

    def forward(self, x, kernel, bias=None):
        x, kernel = match_dtypes("conv1d", x, kernel)  # integer inputs take the kernel's dtype
        batch, length, channels = x.shape
        k, _, filters = kernel.shape
        s, d, (left, _) = self.strides, self.dilation, self.pads
        out_len, per, steps = self._geometry(length, k)
        padded = x
        if steps != length:  # padding, or a length rounded up to a multiple of the stride: a zeroed copy
            padded = np.zeros((batch, steps, channels), x.dtype)
            padded[:, left:left + length] = x
        rows = padded.reshape(batch * steps, channels)  # the samples end to end: (batch * steps, channels)
        out = np.empty((batch * per, filters), x.dtype)  # one row per window start, real or straddling two samples
        part = np.empty((min(BLOCK_ROWS, len(out)), filters), x.dtype) if k > 1 else None
        for m0 in range(0, len(out), BLOCK_ROWS):  # blocks of output rows: the sums stay in the CPU's cache
            block = out[m0:m0 + BLOCK_ROWS]  # (r, f)
            r = len(block)
            np.matmul(rows[m0 * s:(m0 + r) * s:s], kernel[0], out=block)  # tap 0: (r, c) @ (c, f) -> (r, f)
            for j in range(1, k):
                tap = rows[m0 * s + j * d:(m0 + r) * s + j * d:s]  # (n, c): the rows the windows meet at tap j
                n = len(tap)  # the last windows run out of rows: past every sample's end, dropped anyway
                np.matmul(tap, kernel[j], out=part[:n])  # (n, c) @ (c, f) -> (n, f)
                block[:n] += part[:n]
            if self.use_bias:
                block += bias
            if self.relu:
                np.maximum(block, 0, out=block)
        need_x, need_kernel = self.needs_input_grad[:2] if self.needs_grad else (False, False)
        self.shapes = (x.shape, kernel.shape, out_len, per, steps)
        self.save_for_backward(rows if need_kernel else None, kernel if need_x else None,
                               out if self.relu else None)
        return out.reshape(batch, per, filters)[:, :out_len]  # (batch, per, f) -> the real steps (batch, out_len, f)

    def backward(self, grad):
        rows, kernel, out = self.saved
        (batch, length, channels), (k, _, filters), out_len, per, steps = self.shapes
        s, d, (left, _) = self.strides, self.dilation, self.pads
        reach = span(k, d) - 1
        # upsampled[reach + m * s] = gradient of flat output row m; every other row stays 0
        upsampled = np.zeros((reach + batch * steps, filters), grad.dtype)
        real = upsampled[reach:].reshape(batch, per, s, filters)[:, :out_len, 0]  # (batch, out_len, f) view
        if self.relu:
            np.multiply(grad, out.reshape(batch, per, filters)[:, :out_len] > 0, out=real)  # relu's derivative
        else:
            real[...] = grad
        # row r of taps: the gradients of the k outputs that read input row r, last tap first
        windows = np.lib.stride_tricks.sliding_window_view(upsampled.reshape(-1), (reach + 1) * filters)[::filters]
        windows = windows.reshape(batch * steps, reach + 1, filters)[:, ::d]  # (rows, k, f) view: no copy yet
        need = self.needs_input_grad
        n_rows = batch * steps
        dkT = np.zeros((k * filters, channels), grad.dtype) if need[1] else None  # taps in reverse order
        drows = np.empty((n_rows, channels), grad.dtype) if need[0] else None
        flipped = kernel[::-1].transpose(0, 2, 1).reshape(k * filters, channels) if need[0] else None  # last tap first
        for r0 in range(0, n_rows, BLOCK_ROWS):  # blocks of input rows: each block's copy stays in the cache
            taps = np.ascontiguousarray(windows[r0:r0 + BLOCK_ROWS]).reshape(-1, k * filters)  # (r, k * f)
            if need[1]:
                dkT += taps.T @ rows[r0:r0 + len(taps)]  # (k * f, r) @ (r, c) -> (k * f, c): BLAS's faster order here
            if need[0]:
                np.matmul(taps, flipped, out=drows[r0:r0 + len(taps)])  # (r, k * f) @ (k * f, c) -> (r, c)
        dx = dkernel = None
        if need[1]:
            dkernel = np.ascontiguousarray(dkT.reshape(k, filters, channels)[::-1].transpose(0, 2, 1))  # (k, c, f)
        if need[0]:
            dx = drows.reshape(batch, steps, channels)[:, left:left + length]  # the padding gets no gradient
        if not self.use_bias:
            return dx, dkernel
        return dx, dkernel, (upsampled.sum(axis=0) if need[2] else None)  # (f,)


def single_int(owner: str, name: str, value) -> int:
    """``3`` or ``(3,)`` -> 3 (an int >= 1)."""
    if isinstance(value, tuple | list):
        if len(value) != 1:
            raise ValueError(f"{owner}: argument `{name}` must be an int or a tuple of 1 int, got {value!r}")
        value = value[0]
    return check_number(owner, name, value, minimum=1, integer=True)


def check_sequences(layer_name: str, shape) -> None:
    """Raise a ValueError naming the layer unless ``shape`` is ``(batch, time, channels)``."""
    if len(shape) != 3:
        raise ValueError(f"Layer '{layer_name}' expects sequences of rank 3 (batch, time, channels), "
                         f"got shape {tuple(shape)} (rank {len(shape)})")


class Conv1D(Layer):
    """1D convolution: ``filters`` learned patterns of ``kernel_size`` steps slid along time.

    Args:
        filters: number of output channels.
        kernel_size: length of the window (an int or a 1-tuple).
        strides: step between windows (an int or a 1-tuple).
        padding: ``"valid"`` (no padding), ``"same"`` (output ``ceil(time / strides)``) or
            ``"causal"`` (zeros before the sequence only: output ``t`` sees inputs up to ``t``).
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        dilation_rate: spacing between kernel taps (an int or a 1-tuple; not with strides > 1).
        groups: only 1 is supported.
        activation: name or callable; ``"relu"`` is fused into the convolution.
        use_bias: add a learned bias per filter.
        kernel_initializer: initializer of the ``(kernel_size, channels, filters)`` kernel.
        bias_initializer: initializer of the ``(filters,)`` bias.
        kernel_regularizer: penalty on the kernel added to the loss.
        bias_regularizer: penalty on the bias.
        **kwargs: ``name``, ``input_shape`` (e.g. ``(None, 14)``: any length), ``trainable``, ``dtype``.

    Shapes:
        (batch, time, channels) -> (batch, new_time, filters), ``new_time = (time - span) // strides + 1``
        for "valid" (``span = (kernel_size - 1) * dilation_rate + 1``), ``ceil(time / strides)`` otherwise.

    Examples:
        >>> import numpy as np
        >>> layer = Conv1D(32, 7, activation="relu")
        >>> layer(np.zeros((2, 500, 128))).shape
        (2, 494, 32)
        >>> [w.shape for w in layer.get_weights()], layer.count_params()   # 7 * 128 * 32 + 32
        ([(7, 128, 32), (32,)], 28704)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.filters = check_number(owner, "filters", filters, minimum=1, integer=True)
        self.kernel_size = (single_int(owner, "kernel_size", kernel_size),)
        self.strides = (single_int(owner, "strides", strides),)
        self.padding = check_choice(owner, "padding", padding.lower() if isinstance(padding, str) else padding,
                                    PADDINGS)
        self.data_format = check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))
        self.dilation_rate = (single_int(owner, "dilation_rate", dilation_rate),)
        if self.strides[0] > 1 and self.dilation_rate[0] > 1:
            raise ValueError(f"{owner}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), got "
                             f"strides={self.strides}, dilation_rate={self.dilation_rate}")
        self.groups = check_choice(owner, "groups", groups, (1,))
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def _output_length(self, length):
        """Output steps for ``length`` input steps; a clear error if the kernel does not fit."""
        out = conv1d_output_length(length, self.kernel_size[0], self.strides[0], self.padding, self.dilation_rate[0])
        if out is not None and out < 1:
            need = span(self.kernel_size[0], self.dilation_rate[0])
            raise ValueError(
                f"Layer '{self.name}': an input of length {length} is too short: its kernel of {self.kernel_size[0]} "
                f"taps (dilation_rate {self.dilation_rate[0]}) needs at least {need} steps with "
                f"padding='{self.padding}' (output length {out}); use a longer input, padding='same' or 'causal', "
                "or a smaller kernel"
            )
        return out

    def build(self, input_shape):
        check_sequences(self.name, input_shape)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"Layer '{self.name}': the channel axis of the input must be known, got {input_shape}")
        self._output_length(input_shape[1])
        self.kernel = self.add_weight((self.kernel_size[0], channels, self.filters), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        self.bias = (self.add_weight((self.filters,), self.bias_initializer, regularizer=self.bias_regularizer,
                                     name="bias") if self.use_bias else None)
        self.input_spec = InputSpec(ndim=3, axes={-1: channels})

    def call(self, inputs):
        length = inputs.shape[1]
        self._output_length(length)
        (k,), (s,), (d,) = self.kernel_size, self.strides, self.dilation_rate
        pads = conv1d_padding(length, k, s, self.padding, d)
        relu = self.activation is activations.relu
        weights = (self.kernel,) if self.bias is None else (self.kernel, self.bias)
        out = Conv1DOp(s, d, pads, relu=relu, use_bias=self.bias is not None)(inputs, *weights)
        return out if relu else self.activation(out)  # other activations come after the op

    def compute_output_shape(self, input_shape):
        check_sequences(self.name, input_shape)
        return (input_shape[0], self._output_length(input_shape[1]), self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer) if self.kernel_regularizer else None,
            "bias_regularizer": regularizers.serialize(self.bias_regularizer) if self.bias_regularizer else None,
        }


Convolution1D = Conv1D  # Keras's long name
