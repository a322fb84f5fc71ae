"""``DepthwiseConv2D``: every input channel convolved on its own, with its own filters.

A ``Conv2D`` mixes all the channels of a window into each output; a *depthwise*
convolution keeps them apart: channel ``c`` is convolved with its own ``depth_multiplier``
small filters and nothing else, so output channel ``c * depth_multiplier + m`` is

    out[n, y, x, c * M + m] = bias[c * M + m] + sum over i, j of
                              image[n, y * stride + i * dilation, x * stride + j * dilation, c] * kernel[i, j, c, m]

(``M`` = ``depth_multiplier``), with the image zero-padded first for ``padding="same"``.
Layouts are Keras's: kernel ``(kernel_height, kernel_width, channels, depth_multiplier)``,
output channels in channel-major order (the ``M`` outputs of channel 0, then those of
channel 1...). A 3x3 depthwise convolution of 32 channels has 3 * 3 * 32 = 288 weights
where a ``Conv2D`` with 32 filters has 9,216: chapter 7's ``SeparableConv2D`` follows one
with a 1x1 convolution that mixes the channels.

``depthwise_conv2d_composed`` writes the sum with dl-tensor ops, one kernel position at a
time. ``DepthwiseConv2DOp`` computes the same on arrays: there is no matrix product to
gather the work into (each channel has only ``kh * kw`` weights per filter), so it visits
the kernel positions, filter by filter, and multiplies each shifted view of the image by
that position's channel weights, with no copy of the patches. Its backward visits them
again. Tests hold the two equal.
"""

from __future__ import annotations

from functools import partial

import numpy as np

import dl_tensor as dt
from dl_layers import InputSpec, initializers, regularizers
from dl_layers.checks import check_number
from dl_tensor import Op
from dl_tensor.elementwise import match_dtypes

from .base_conv import BaseConv
from .conv_utils import (
    check_fits,
    effective_size,
    known_channels,
    window_slice,
)
from .convolution import conv_padding, pad_images

__all__ = ["DepthwiseConv2D", "DepthwiseConv2DOp", "depthwise_conv2d_composed"]


def depthwise_conv2d_composed(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """The depthwise convolution as it reads: each channel times its own filters, position by position.

    Shapes: x (n, h, w, c), kernel (kh, kw, c, m), bias (c * m,) -> (n, out_h, out_w, c * m).

    Examples:
        >>> import numpy as np
        >>> image = np.stack([np.ones((3, 3)), 10 * np.ones((3, 3))], axis=-1)[None]   # (1, 3, 3, 2)
        >>> kernel = np.ones((2, 2, 2, 2)) * [1.0, -1.0]      # per channel: sum of a 2x2 patch, and minus it
        >>> depthwise_conv2d_composed(dt.Tensor(image), dt.Tensor(kernel)).numpy()[0, 0, 0]  # c0m0 c0m1 c1m0 c1m1
        array([  4.,  -4.,  40., -40.], dtype=float32)
    """
    x, kernel = dt.as_tensor(x), dt.as_tensor(kernel)
    (sh, sw), (dh, dw) = strides, dilation_rate
    kh, kw, c, m = kernel.shape
    (top, bottom), (left, right) = conv_padding(x.shape[1], x.shape[2], (kh, kw), strides, dilation_rate, padding)
    x = dt.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))  # (n, h + pads, w + pads, c)
    out_h = (x.shape[1] - effective_size(kh, dh)) // sh + 1
    out_w = (x.shape[2] - effective_size(kw, dw)) // sw + 1
    out = None
    for i in range(kh):
        for j in range(kw):
            patch = x[:, window_slice(i * dh, out_h, sh), window_slice(j * dw, out_w, sw), :]  # (n, oh, ow, c)
            term = dt.expand_dims(patch, -1) * kernel[i, j]  # (n, oh, ow, c, 1) * (c, m) -> (n, oh, ow, c, m)
            out = term if out is None else out + term
    out = out.reshape(x.shape[0], out_h, out_w, c * m)  # (n, oh, ow, c, m) -> (n, oh, ow, c * m), channel-major
    return out if bias is None else out + bias  # (c * m,) broadcasts over every pixel


class DepthwiseConv2DOp(Op):
    """``depthwise_conv2d_composed`` (plus an optional relu) as one op on arrays.

    Inputs: x (n, h, w, c), kernel (kh, kw, c, m) and, with ``use_bias``, bias (c * m,).

    Args:
        strides: ``(sh, sw)``.
        dilation: ``(dh, dw)``.
        pads: ``((top, bottom), (left, right))`` zeros around the image (``conv_padding``).
        relu: apply ``max(., 0)`` to the output in place.
        use_bias: whether a bias input follows the kernel.
    """

    def __init__(self, strides=(1, 1), dilation=(1, 1), pads=((0, 0), (0, 0)), relu=False, use_bias=True):
        self.strides, self.dilation, self.pads = strides, dilation, pads
        self.relu, self.use_bias = relu, use_bias

    def _taps(self, padded_shape: tuple, kernel_hw: tuple):
        """``(out_h, out_w, [(i, j, row slice, column slice) of each kernel position])``."""
        (kh, kw), (sh, sw), (dh, dw) = kernel_hw, self.strides, self.dilation
        out_h = (padded_shape[1] - effective_size(kh, dh)) // sh + 1
        out_w = (padded_shape[2] - effective_size(kw, dw)) // sw + 1
        taps = [(i, j, window_slice(i * dh, out_h, sh), window_slice(j * dw, out_w, sw))
                for i in range(kh) for j in range(kw)]
        return out_h, out_w, taps

    @staticmethod
    def _row_weights(kernel: np.ndarray, out_w: int) -> np.ndarray:
        """Each (position, filter)'s channel weights repeated along an output row: (kh, kw, m, out_w, c).

        Multiplying a (n, out_h, out_w, c) view by a (out_w, c) array lets NumPy run its inner
        loop over whole rows instead of runs of c values: about 1.6x faster than by a (c,) vector.
        """
        kh, kw, c, m = kernel.shape
        per_filter = kernel.transpose(0, 1, 3, 2)[:, :, :, None, :]  # (kh, kw, c, m) -> (kh, kw, m, 1, c)
        return np.ascontiguousarray(np.broadcast_to(per_filter, (kh, kw, m, out_w, c)))

    def forward(self, x, kernel, bias=None):
        x, kernel = match_dtypes("depthwise_conv2d", x, kernel)  # integer images take the kernel's dtype
        xp = pad_images(x, self.pads)  # (n, h + pads, w + pads, c)
        n, _, _, c = xp.shape
        kh, kw, _, m = kernel.shape
        out_h, out_w, taps = self._taps(xp.shape, (kh, kw))
        weights = self._row_weights(kernel, out_w)  # (kh, kw, m, out_w, c)
        out = np.empty((m, n, out_h, out_w, c), xp.dtype)  # filter by filter, then put in Keras's order
        term = np.empty((n, out_h, out_w, c), xp.dtype)  # one buffer for every other position's product
        for f in range(m):  # a loop over the few filters per channel and the kernel positions, not over pixels
            for t, (i, j, rows, cols) in enumerate(taps):
                # (n, oh, ow, c) * (ow, c): each channel times its own weight for this position and filter
                np.multiply(xp[:, rows, cols], weights[i, j, f], out=out[f] if t == 0 else term)
                if t > 0:
                    out[f] += term
        out = out.transpose(1, 2, 3, 4, 0)  # (m, n, oh, ow, c) -> (n, oh, ow, c, m): a view (a copy below if m > 1)
        out = out.reshape(n, out_h, out_w, c * m)  # (n, oh, ow, c, m) -> (n, oh, ow, c * m), channel-major
        if self.use_bias:
            out += bias
        if self.relu:
            np.maximum(out, 0, out=out)
        need_x, need_kernel = self.needs_input_grad[:2] if self.needs_grad else (False, False)
        self.shapes = (x.shape, xp.shape, kernel.shape)
        self.save_for_backward(xp if need_kernel else None, kernel if need_x else None, out if self.relu else None)
        return out

    def backward(self, grad):
        xp, kernel, out = self.saved
        x_shape, padded_shape, (kh, kw, c, m) = self.shapes
        if self.relu:
            grad = grad * (out > 0)  # relu's derivative, from its output
        out_h, out_w, taps = self._taps(padded_shape, (kh, kw))
        weights = self._row_weights(kernel, out_w) if kernel is not None else None  # (kh, kw, m, out_w, c)
        g = grad.reshape(-1, out_h, out_w, c, m)  # (n, oh, ow, c * m) -> (n, oh, ow, c, m)
        g = np.ascontiguousarray(g.transpose(4, 0, 1, 2, 3))  # (n, oh, ow, c, m) -> (m, n, oh, ow, c)
        need = self.needs_input_grad
        dkernel = np.empty((kh, kw, c, m), grad.dtype) if need[1] else None
        dxp = np.zeros(padded_shape, grad.dtype) if need[0] else None
        share = np.empty(g.shape[1:], grad.dtype) if need[0] else None  # (n, oh, ow, c)
        for f in range(m):
            for i, j, rows, cols in taps:  # each position: the pixels it read, the weights it used
                if need[1]:
                    dkernel[i, j, :, f] = np.einsum("nyxc,nyxc->c", xp[:, rows, cols], g[f])  # sum over the pixels
                if need[0]:
                    np.multiply(g[f], weights[i, j, f], out=share)  # (n, oh, ow, c) * (ow, c)
                    dxp[:, rows, cols] += share
        dx = None
        if need[0]:
            (top, _), (left, _) = self.pads
            dx = dxp[:, top:top + x_shape[1], left:left + x_shape[2]]  # the padding gets no gradient
        if not self.use_bias:
            return dx, dkernel
        return dx, dkernel, (grad.sum(axis=(0, 1, 2)) if need[2] else None)  # (c * m,)


class DepthwiseConv2D(BaseConv):
    """Depthwise 2D convolution: each channel convolved with its own ``depth_multiplier`` filters.

    Args:
        kernel_size: ``(height, width)`` of the window, or one int for a square one.
        strides: steps between windows (an int or a pair).
        padding: ``"valid"`` (no padding) or ``"same"`` (output ``ceil(size / stride)``).
        depth_multiplier: filters per input channel.
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        dilation_rate: spacing between kernel taps (an int or a pair).
        activation: name or callable; ``"relu"`` is fused into the convolution.
        use_bias: add a learned bias per output channel.
        depthwise_initializer: initializer of the ``(kh, kw, channels, depth_multiplier)`` kernel.
        bias_initializer: initializer of the ``(channels * depth_multiplier,)`` bias.
        depthwise_regularizer: penalty on the kernel added to the loss.
        bias_regularizer: penalty on the bias.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, height, width, channels) -> (batch, out_height, out_width, channels * depth_multiplier),
        output channel ``c * depth_multiplier + m`` from channel ``c`` and filter ``m``.

    Examples:
        >>> import numpy as np
        >>> layer = DepthwiseConv2D(3, depth_multiplier=2)
        >>> layer(np.zeros((2, 28, 28, 8))).shape
        (2, 26, 26, 16)
        >>> [w.shape for w in layer.get_weights()], layer.count_params()   # 3 * 3 * 8 * 2 + 16
        ([(3, 3, 8, 2), (16,)], 160)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        self.depth_multiplier = check_number(type(self).__name__, "depth_multiplier", depth_multiplier, minimum=1,
                                             integer=True)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)

    def build(self, input_shape):
        channels = known_channels(self.name, input_shape)
        check_fits(self.name, input_shape, self.kernel_size, self.dilation_rate, self.padding)
        # Keras 3 names this weight "kernel" (Keras 2: "depthwise_kernel"); the layout is the same
        self.kernel = self.add_weight((*self.kernel_size, channels, self.depth_multiplier),
                                      self.depthwise_initializer, regularizer=self.depthwise_regularizer,
                                      name="kernel")
        self._add_bias(channels * self.depth_multiplier)
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def call(self, inputs):
        check_fits(self.name, inputs.shape, self.kernel_size, self.dilation_rate, self.padding)
        pads = conv_padding(inputs.shape[1], inputs.shape[2], self.kernel_size, self.strides, self.dilation_rate,
                            self.padding)
        return self._run(partial(DepthwiseConv2DOp, self.strides, self.dilation_rate, pads), inputs, self.kernel)

    def compute_output_shape(self, input_shape):
        channels = input_shape[3]
        return (input_shape[0], *self._output_size(input_shape),
                None if channels is None else channels * self.depth_multiplier)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
        }
