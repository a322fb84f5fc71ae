"""``Conv2D``: the same small dense layer applied to every patch of an image.

A convolution learns ``filters`` patterns of ``kernel_size`` pixels over all ``channels``
and slides them over the image: output pixel ``(y, x)`` of filter ``f`` is

    out[n, y, x, f] = bias[f] + sum over i, j, c of
                      image[n, y * stride + i * dilation, x * stride + j * dilation, c] * kernel[i, j, c, f]

with the image zero-padded first for ``padding="same"``. Layouts are Keras's: images
``(batch, height, width, channels)``, kernels ``(kernel_height, kernel_width, channels,
filters)``.

``conv2d_composed`` writes that sum as it reads, one kernel position at a time, with
dl-tensor ops (autodiff differentiates it). ``Conv2DOp`` computes the same in one fused op:
it gathers every patch into one matrix (*im2col*: one row per output pixel, one column per
kernel tap and channel), so that the whole convolution is a single matrix product with the
kernel, and a relu activation is applied in place. Its backward is that product's two
gradients, the patches' gradient added back onto the image, tap by tap; when the images need
no gradient (a network's first layer), relu's derivative and the kernel's gradient are taken a
block of pixels at a time (``relu_kernel_gradient``). Tests hold the two equal.
"""

from __future__ import annotations

from functools import partial

import numpy as np

import dl_tensor as dt
from dl_layers import InputSpec, initializers, regularizers
from dl_layers.checks import check_choice, check_number
from dl_tensor import Op
from dl_tensor.elementwise import match_dtypes

from .base_conv import BaseConv
from .conv_utils import check_fits, effective_size, known_channels, same_padding, window_slice

__all__ = ["Conv2D", "Conv2DOp", "Convolution2D", "col2im", "conv2d_composed", "conv_padding", "im2col",
           "relu_kernel_gradient"]

#: ``relu_kernel_gradient`` works through this many output pixels at a time: a block's masked
#: gradient (2,048 x filters floats) stays in the CPU's cache until its product has used it.
BLOCK_PIXELS = 2048


def conv_padding(height: int, width: int, kernel: tuple, strides: tuple, dilation: tuple, padding: str) -> tuple:
    """``((top, bottom), (left, right))`` zeros added around an image for ``padding``."""
    if padding == "valid":
        return (0, 0), (0, 0)
    return (same_padding(height, kernel[0], strides[0], dilation[0]),
            same_padding(width, kernel[1], strides[1], dilation[1]))


def pad_images(x: np.ndarray, pads: tuple) -> np.ndarray:
    """``x`` (n, h, w, c) with zero rows and columns around it (``pads`` as ``conv_padding``)."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    out = np.zeros((n, h + top + bottom, w + left + right, c), x.dtype)
    out[:, top:top + h, left:left + w] = x
    return out


def conv2d_composed(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """The convolution as the sliding-window sum it is, one kernel position at a time.

    Shapes: x (n, h, w, c), kernel (kh, kw, c, f), bias (f,) -> (n, out_h, out_w, f).

    Examples:
        >>> import numpy as np
        >>> image = np.arange(16.0).reshape(1, 4, 4, 1)           # one 4x4 image, one channel
        >>> box = np.ones((2, 2, 1, 1))                            # sums each 2x2 patch
        >>> conv2d_composed(dt.Tensor(image), dt.Tensor(box)).numpy()[0, :, :, 0]
        array([[10., 14., 18.],
               [26., 30., 34.],
               [42., 46., 50.]], dtype=float32)
    """
    x, kernel = dt.as_tensor(x), dt.as_tensor(kernel)
    (sh, sw), (dh, dw) = strides, dilation_rate
    kh, kw = kernel.shape[:2]
    (top, bottom), (left, right) = conv_padding(x.shape[1], x.shape[2], (kh, kw), strides, dilation_rate, padding)
    x = dt.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))  # (n, h + pads, w + pads, c)
    out_h = (x.shape[1] - effective_size(kh, dh)) // sh + 1
    out_w = (x.shape[2] - effective_size(kw, dw)) // sw + 1
    out = None
    for i in range(kh):
        for j in range(kw):
            patch = x[:, window_slice(i * dh, out_h, sh), window_slice(j * dw, out_w, sw), :]  # (n, oh, ow, c)
            term = patch @ kernel[i, j]  # (n, oh, ow, c) @ (c, f) -> (n, oh, ow, f)
            out = term if out is None else out + term
    return out if bias is None else out + bias  # (f,) broadcasts over every pixel


def im2col(xp: np.ndarray, kernel: tuple, strides: tuple, dilation: tuple, out_hw: tuple,
           ones_column: bool = False) -> np.ndarray:
    """Every patch of the (padded) images as one row: (pixels, taps * channels [+ 1]).

    Row ``(n, y, x)`` holds the ``kh * kw * c`` values the kernel meets at output pixel
    ``(y, x)`` of image ``n``, tap by tap (the kernel's own order); with ``ones_column``
    a last column of ones lets the matrix product add the bias.

    Examples:
        >>> x = np.arange(9.0).reshape(1, 3, 3, 1)                      # one 3x3 image
        >>> im2col(x, (2, 2), (1, 1), (1, 1), (2, 2))                   # four 2x2 patches
        array([[0., 1., 3., 4.],
               [1., 2., 4., 5.],
               [3., 4., 6., 7.],
               [4., 5., 7., 8.]])
    """
    n, _, _, c = xp.shape
    (kh, kw), (sh, sw), (dh, dw), (out_h, out_w) = kernel, strides, dilation, out_hw
    taps = kh * kw * c
    rows = np.empty((n * out_h * out_w, taps + ones_column), xp.dtype)
    cols = rows[:, :taps].reshape(n, out_h, out_w, kh, kw, c)  # a view: (pixels, taps * c) -> 6 axes
    if c <= 2:  # few channels: one strided copy per tap is fastest
        for i in range(kh):
            for j in range(kw):
                cols[:, :, :, i, j, :] = xp[:, window_slice(i * dh, out_h, sh), window_slice(j * dw, out_w, sw), :]
    else:  # many channels: one copy of a sliding-window view (no data is copied to make the view)
        windows = np.lib.stride_tricks.sliding_window_view(
            xp, (effective_size(kh, dh), effective_size(kw, dw)), axis=(1, 2))  # (n, h', w', c, eh, ew)
        windows = windows[:, ::sh, ::sw, :, ::dh, ::dw][:, :out_h, :out_w]  # (n, out_h, out_w, c, kh, kw)
        np.copyto(cols, windows.transpose(0, 1, 2, 4, 5, 3))  # (n, out_h, out_w, kh, kw, c)
    if ones_column:
        rows[:, taps] = 1
    return rows


def col2im(grad: np.ndarray, kernel: np.ndarray, padded_shape: tuple, strides: tuple, dilation: tuple) -> np.ndarray:
    """The gradient of the padded images: each tap's patch gradient added back where it read.

    ``grad`` (n, out_h, out_w, f) times each tap's ``(c, f)`` kernel slice gives that tap's
    share, ``(n, out_h, out_w, c)``; it goes back to the pixels the tap read. Taps of one
    kernel column are summed first (whole rows of the image at a time), then each column's
    sum is added at its offset: fewer, longer additions than one per tap.
    """
    n, out_h, out_w, f = grad.shape
    kh, kw, c, _ = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    g = grad.reshape(-1, f)  # (pixels, f)
    dxp = np.zeros(padded_shape, grad.dtype)  # (n, hp, wp, c)
    column = np.empty((n, padded_shape[1], out_w, c), grad.dtype)  # one kernel column's share
    share = np.empty((n * out_h * out_w, c), grad.dtype)
    for j in range(kw):
        column.fill(0)
        for i in range(kh):
            np.matmul(g, kernel[i, j].T, out=share)  # (pixels, f) @ (f, c) -> (pixels, c)
            column[:, window_slice(i * dh, out_h, sh)] += share.reshape(n, out_h, out_w, c)
        dxp[:, :, window_slice(j * dw, out_w, sw)] += column
    return dxp


def relu_kernel_gradient(grad: np.ndarray, out: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The kernel's gradient through a relu, ``(rows.T @ (grad * (out > 0)))``, a block of pixels at a time.

    Shapes: grad and out (pixels, f), rows (pixels, taps * c [+ 1]) -> (taps * c [+ 1], f).

    When the images need no gradient (a network's first layer), the relu's masked gradient is
    used only by this product, so it is never made whole: each block of ``BLOCK_PIXELS`` is
    masked and multiplied while it is in the cache (measured on the book's first convolution,
    (64, 28, 28, 1) -> 32 filters: 2.68 -> 1.74 ms, medians of 60).

    Examples:
        >>> rows = np.ones((3, 2)); grad = np.ones((3, 1)); out = np.array([[1.0], [0.0], [2.0]])
        >>> relu_kernel_gradient(grad, out, rows)                   # the second pixel's relu was off
        array([[2.],
               [2.]])
    """
    pixels, f = grad.shape
    dtype = np.result_type(grad, rows)
    dweights_t = np.zeros((f, rows.shape[1]), dtype)  # (f, taps * c [+ 1]): BLAS's faster order here
    masked = np.empty((min(BLOCK_PIXELS, pixels), f), grad.dtype)
    for start in range(0, pixels, BLOCK_PIXELS):
        stop = min(start + BLOCK_PIXELS, pixels)
        block = masked[:stop - start]  # (r, f)
        np.multiply(grad[start:stop], out[start:stop] > 0, out=block)  # relu's derivative, from its output
        dweights_t += block.T @ rows[start:stop]  # (f, r) @ (r, taps * c [+ 1]) -> (f, taps * c [+ 1])
    return dweights_t.T


class Conv2DOp(Op):
    """``conv2d_composed`` (plus an optional relu) as one op: im2col, one matrix product.

    Inputs: x (n, h, w, c), kernel (kh, kw, c, f) and, with ``use_bias``, bias (f,).

    The bias is the kernel matrix's last row, met by a column of ones in the patch matrix:
    the product adds it, and the kernel's gradient product gives its gradient as its last
    row. The relu is applied to the output in place; its derivative is read from the output.

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

    def forward(self, x, kernel, bias=None):
        x, kernel = match_dtypes("conv2d", x, kernel)  # integer images take the kernel's dtype
        xp = pad_images(x, self.pads)  # (n, h + pads, w + pads, c)
        n, hp, wp, c = xp.shape
        kh, kw, _, f = kernel.shape
        (sh, sw), (dh, dw) = self.strides, self.dilation
        out_h = (hp - effective_size(kh, dh)) // sh + 1
        out_w = (wp - effective_size(kw, dw)) // sw + 1
        rows = im2col(xp, (kh, kw), self.strides, self.dilation, (out_h, out_w), ones_column=self.use_bias)
        weights = kernel.reshape(kh * kw * c, f)  # (taps * c, f)
        if self.use_bias:
            weights = np.concatenate([weights, bias.reshape(1, f).astype(weights.dtype)])  # (taps * c + 1, f)
        out = rows @ weights  # (pixels, f): a fresh array, changed in place below
        if self.relu:
            np.maximum(out, 0, out=out)
        need_x, need_kernel = self.needs_input_grad[:2] if self.needs_grad else (False, False)
        need_bias = self.use_bias and self.needs_grad and self.needs_input_grad[2]
        self.shapes = (x.shape, xp.shape, kernel.shape)
        self.save_for_backward(rows if need_kernel or need_bias else None, kernel if need_x else None,
                               out if self.relu else None)
        return out.reshape(n, out_h, out_w, f)  # (pixels, f) -> (n, out_h, out_w, f)

    def backward(self, grad):
        rows, kernel, out = self.saved
        x_shape, padded_shape, kernel_shape = self.shapes
        f = grad.shape[-1]
        g = grad.reshape(-1, f)  # (n, out_h, out_w, f) -> (pixels, f)
        need = self.needs_input_grad
        want_weights = need[1] or (self.use_bias and need[2])
        dx = dkernel = dbias = None
        if self.relu and not need[0]:  # the masked gradient serves the kernel's alone: made a block at a time
            dweights = relu_kernel_gradient(g, out, rows) if want_weights else None
        else:
            if self.relu:
                g = g * (out > 0)  # relu's derivative, from its output
            dweights = (g.T @ rows).T if want_weights else None  # ((f, pixels) @ (pixels, taps * c [+ 1])).T
        if dweights is not None:
            taps = dweights.shape[0] - self.use_bias  # kh * kw * c
            dkernel = dweights[:taps].reshape(kernel_shape)  # (taps * c, f) -> (kh, kw, c, f)
            dbias = dweights[taps] if self.use_bias else None  # the ones column's row: (f,)
        if need[0]:
            dxp = col2im(g.reshape(*grad.shape), kernel, padded_shape, self.strides, self.dilation)
            (top, _), (left, _) = self.pads
            dx = dxp[:, top:top + x_shape[1], left:left + x_shape[2]]  # the padding gets no gradient
        if not self.use_bias:
            return dx, dkernel
        return dx, dkernel, dbias

class Conv2D(BaseConv):
    """2D convolution: ``filters`` learned patterns slid over the image.

    Args:
        filters: number of output channels.
        kernel_size: ``(height, width)`` of the window, or one int for a square one.
        strides: steps between windows (an int or a pair).
        padding: ``"valid"`` (no padding) or ``"same"`` (output ``ceil(size / stride)``).
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        dilation_rate: spacing between kernel taps (an int or a pair).
        groups: only 1 is supported.
        activation: name or callable; ``"relu"`` is fused into the convolution.
        use_bias: add a learned bias per filter.
        kernel_initializer: initializer of the ``(kh, kw, channels, filters)`` kernel.
        bias_initializer: initializer of the ``(filters,)`` bias.
        kernel_regularizer: penalty on the kernel added to the loss.
        bias_regularizer: penalty on the bias.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, height, width, channels) -> (batch, out_height, out_width, filters)

    Examples:
        >>> import numpy as np
        >>> layer = Conv2D(32, (3, 3), activation="relu")
        >>> layer(np.zeros((2, 28, 28, 1))).shape
        (2, 26, 26, 32)
        >>> [w.shape for w in layer.get_weights()], layer.count_params()   # 3 * 3 * 1 * 32 + 32
        ([(3, 3, 1, 32), (32,)], 320)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        self.filters = check_number(type(self).__name__, "filters", filters, minimum=1, integer=True)
        check_choice(type(self).__name__, "groups", groups, (1,))
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        channels = known_channels(self.name, input_shape)
        check_fits(self.name, input_shape, self.kernel_size, self.dilation_rate, self.padding)
        self.kernel = self.add_weight((*self.kernel_size, channels, self.filters), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def call(self, inputs):
        check_fits(self.name, inputs.shape, self.kernel_size, self.dilation_rate, self.padding)
        pads = conv_padding(inputs.shape[1], inputs.shape[2], self.kernel_size, self.strides, self.dilation_rate,
                            self.padding)
        return self._run(partial(Conv2DOp, self.strides, self.dilation_rate, pads), inputs, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._output_size(input_shape), self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
        }


Convolution2D = Conv2D  # Keras's long name (the first edition's listings use it)
