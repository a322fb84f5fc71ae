"""``Conv2DTranspose``: the convolution run backwards, to grow feature maps instead of shrinking them.

A convolution with stride 2 maps a 2x larger image to a smaller one; its *transpose*
maps the small one back to the large size (not inverting it: it is the adjoint, the
map whose matrix is the transpose of the convolution's). Each input pixel spreads a copy of
the kernel, weighted by its values, over the output, ``stride`` pixels from its neighbour's:

    full[n, y * stride + i * dilation, x * stride + j * dilation, f] += sum over c of
                                                                       image[n, y, x, c] * kernel[i, j, f, c]

``full`` is ``(size - 1) * stride + effective_kernel`` pixels high and wide; the output is
the window of it that Keras keeps (``deconv_output_length``):

* ``padding="valid"``: ``size * stride + max(kernel - stride, 0)``, from the first pixel;
* ``padding="same"``: ``size * stride``, centred (the extra pixel cut from the end);
* with ``output_padding`` (less than the stride): ``(size - 1) * stride + kernel + output_padding``
  for "valid", ``(size - 1) * stride + kernel % 2 + output_padding`` for "same".

Pixels past the end of ``full`` are zeros (before the bias). When a ``Conv2D`` with the
same kernel, strides and padding maps this output size back to the input size, the layer
computes exactly that convolution's adjoint: ``<conv2d(x, K), y> == <x, conv2d_transpose(y, K)>``.

The kernel layout is Keras's: ``(kernel_height, kernel_width, filters, input_channels)``,
outputs and inputs swapped relative to ``Conv2D``, so that the same array serves a
``Conv2D`` (from ``filters`` channels to ``input_channels``) and its transpose.

``conv2d_transpose_composed`` builds it the textbook way, from ``conv2d_composed``: put
``stride - 1`` zeros between the input pixels, pad, and convolve with the kernel flipped in
space (channels swapped). ``Conv2DTransposeOp`` computes it as what it is, the input
gradient of ``Conv2DOp``: one matrix product gives every pixel's contribution to every
kernel position, added onto the output position by position; its backward is
``Conv2DOp``'s forward (im2col and one product). Tests hold the two equal.
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
from .conv_utils import check_images, effective_size, known_channels, normalize_tuple
from .convolution import col2im, conv2d_composed, im2col

__all__ = [
    "Conv2DTranspose",
    "Conv2DTransposeOp",
    "Convolution2DTranspose",
    "conv2d_transpose_composed",
    "deconv_output_length",
    "transpose_crop",
]


def deconv_output_length(length, kernel: int, stride: int = 1, padding: str = "valid", output_padding=None,
                         dilation: int = 1):
    """Output size of a transposed convolution along one axis, as Keras computes it (None stays None).

    Examples:
        >>> deconv_output_length(7, kernel=3, stride=2, padding="valid"), deconv_output_length(7, 3, 2, "same")
        (15, 14)
        >>> deconv_output_length(7, kernel=3, stride=2, padding="same", output_padding=1)
        14
    """
    if length is None:
        return None
    kernel = effective_size(kernel, dilation)
    if output_padding is None:
        return length * stride + (max(kernel - stride, 0) if padding == "valid" else 0)
    if padding == "valid":
        return (length - 1) * stride + kernel + output_padding
    return (length - 1) * stride + kernel % 2 + output_padding  # "same": kernel - 2 * (kernel // 2) + output_padding


def transpose_crop(length: int, out_length: int, kernel: int, stride: int = 1, padding: str = "valid",
                   dilation: int = 1) -> int:
    """How many leading pixels of the full transposed convolution are cut off along one axis.

    "valid" keeps the start; "same" cuts ``full - out_length`` pixels, the smaller half at the
    start: the zeros ``Conv2D(padding="same")`` adds before an image of ``out_length`` pixels.
    """
    if padding == "valid":
        return 0
    full = (length - 1) * stride + effective_size(kernel, dilation)
    return max(full - out_length, 0) // 2


def _geometry(x_shape: tuple, kernel_hw: tuple, strides, padding, output_padding, dilation):
    """``(out_h, out_w), (crop_top, crop_left)`` of a transposed convolution of images ``x_shape``
    (None for an unknown size)."""
    outs, crops = [], []
    for size, k, s, p, d in zip(x_shape[1:3], kernel_hw, strides, output_padding or (None, None), dilation):
        out = deconv_output_length(size, k, s, padding, p, d)
        outs.append(out)
        crops.append(None if size is None else transpose_crop(size, out, k, s, padding, d))
    return tuple(outs), tuple(crops)


def insert_zeros(x, strides):
    """``stride - 1`` zero rows (columns) between the pixels of ``x``.

    Shapes: (n, h, w, c) -> (n, (h - 1) * sh + 1, (w - 1) * sw + 1, c).
    """
    (sh, sw), (n, h, w, c) = strides, x.shape
    if (sh, sw) == (1, 1):
        return x
    x = x.reshape(n, h, 1, w, 1, c)  # a row and a column axis of size 1 after each pixel
    x = dt.pad(x, ((0, 0), (0, 0), (0, sh - 1), (0, 0), (0, sw - 1), (0, 0)))  # (n, h, sh, w, sw, c)
    x = x.reshape(n, h * sh, w * sw, c)  # each pixel followed by its zeros
    return x[:, :(h - 1) * sh + 1, :(w - 1) * sw + 1]  # no zeros after the last pixel


def conv2d_transpose_composed(x, kernel, bias=None, strides=(1, 1), padding="valid", output_padding=None,
                              dilation_rate=(1, 1)):
    """The transposed convolution as a convolution: zeros between the pixels, padding, flipped kernel.

    Shapes: x (n, h, w, c), kernel (kh, kw, f, c), bias (f,) -> (n, out_h, out_w, f)
    (sizes from ``deconv_output_length``).

    Examples:
        >>> import numpy as np
        >>> image = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
        >>> stamp = np.ones((2, 2, 1, 1))                        # each pixel stamps a 2x2 copy of itself
        >>> conv2d_transpose_composed(dt.Tensor(image), dt.Tensor(stamp), strides=(2, 2)).numpy()[0, :, :, 0]
        array([[1., 1., 2., 2.],
               [1., 1., 2., 2.],
               [3., 3., 4., 4.],
               [3., 3., 4., 4.]], dtype=float32)
    """
    x, kernel = dt.as_tensor(x), dt.as_tensor(kernel)
    kh, kw = kernel.shape[:2]
    (out_h, out_w), (crop_top, crop_left) = _geometry(x.shape, (kh, kw), strides, padding, output_padding,
                                                      dilation_rate)
    spread = insert_zeros(x, strides)  # (n, (h - 1) * sh + 1, (w - 1) * sw + 1, c)
    # pad so that the kernel's last tap meets the first pixel (minus what is cropped), and the output ends at out_h
    span_h, span_w = effective_size(kh, dilation_rate[0]), effective_size(kw, dilation_rate[1])
    top, left = span_h - 1 - crop_top, span_w - 1 - crop_left
    bottom, right = out_h + span_h - 1 - spread.shape[1] - top, out_w + span_w - 1 - spread.shape[2] - left
    spread = dt.pad(spread, ((0, 0), (top, bottom), (left, right), (0, 0)))  # (n, out_h + span_h - 1, ..., c)
    flipped = dt.transpose(kernel[::-1, ::-1], (0, 1, 3, 2))  # (kh, kw, f, c) -> (kh, kw, c, f), upside down
    return conv2d_composed(spread, flipped, bias, dilation_rate=dilation_rate)


class Conv2DTransposeOp(Op):
    """The transposed convolution (plus an optional relu) as one op: ``Conv2DOp``'s backward, run forward.

    Inputs: x (n, h, w, c), kernel (kh, kw, f, c) and, with ``use_bias``, bias (f,).

    Args:
        out_size: ``(out_h, out_w)`` (``deconv_output_length``).
        crops: ``(top, left)`` pixels cut from the start of the full output (``transpose_crop``).
        strides: ``(sh, sw)``.
        dilation: ``(dh, dw)``.
        relu: apply ``max(., 0)`` to the output in place.
        use_bias: whether a bias input follows the kernel.
    """

    def __init__(self, out_size, crops=(0, 0), strides=(1, 1), dilation=(1, 1), relu=False, use_bias=True):
        self.out_size, self.crops, self.strides, self.dilation = out_size, crops, strides, dilation
        self.relu, self.use_bias = relu, use_bias

    def _canvas_shape(self, n, h, w, kernel_shape) -> tuple:
        """The full output, grown if needed so that the kept window fits: (n, H, W, f)."""
        kh, kw, f, _ = kernel_shape
        (sh, sw), (dh, dw), (top, left) = self.strides, self.dilation, self.crops
        full_h, full_w = (h - 1) * sh + effective_size(kh, dh), (w - 1) * sw + effective_size(kw, dw)
        return n, max(full_h, top + self.out_size[0]), max(full_w, left + self.out_size[1]), f

    def forward(self, x, kernel, bias=None):
        x, kernel = match_dtypes("conv2d_transpose", x, kernel)  # integer images take the kernel's dtype
        n, h, w, c = x.shape
        kh, kw, f, _ = kernel.shape
        (top, left), (out_h, out_w) = self.crops, self.out_size
        # every pixel times each kernel position's (f, c) slice, added at the position's offset:
        # the input gradient of Conv2DOp (col2im), with this op's filters as its channels
        canvas = col2im(x, kernel, self._canvas_shape(n, h, w, kernel.shape), self.strides, self.dilation)
        out = canvas[:, top:top + out_h, left:left + out_w]  # the window Keras keeps: (n, out_h, out_w, f)
        out = out + bias if self.use_bias else np.ascontiguousarray(out)
        if self.relu:
            np.maximum(out, 0, out=out)
        need_x, need_kernel = self.needs_input_grad[:2] if self.needs_grad else (False, False)
        self.shapes = (x.shape, canvas.shape, kernel.shape)
        self.save_for_backward(x if need_kernel else None, kernel if need_x else None, out if self.relu else None)
        return out

    def backward(self, grad):
        x, kernel, out = self.saved
        (n, h, w, c), canvas_shape, (kh, kw, f, _) = self.shapes
        if self.relu:
            grad = grad * (out > 0)  # relu's derivative, from its output
        (top, left), (out_h, out_w) = self.crops, self.out_size
        canvas = np.zeros(canvas_shape, grad.dtype)  # the gradient of the full output: zero where it was cut
        canvas[:, top:top + out_h, left:left + out_w] = grad
        # what each pixel's contributions received: Conv2DOp's forward patches, (pixels, taps * f)
        rows = im2col(canvas, (kh, kw), self.strides, self.dilation, (h, w))
        need = self.needs_input_grad
        dx = (rows @ kernel.reshape(kh * kw * f, c)).reshape(n, h, w, c) if need[0] else None  # (pixels, c)
        dkernel = None
        if need[1]:  # (taps * f, pixels) @ (pixels, c) -> (taps * f, c)
            dkernel = (rows.T @ x.reshape(n * h * w, c)).reshape(kh, kw, f, c)
        if not self.use_bias:
            return dx, dkernel
        return dx, dkernel, (grad.sum(axis=(0, 1, 2)) if need[2] else None)  # (f,)


class Conv2DTranspose(BaseConv):
    """Transposed 2D convolution ("deconvolution"): upsample by ``strides`` with a learned kernel.

    Args:
        filters: number of output channels.
        kernel_size: ``(height, width)`` of the window, or one int for a square one.
        strides: upsampling factors (an int or a pair).
        padding: ``"valid"`` or ``"same"`` (output ``size * stride``).
        output_padding: extra rows and columns at the end of the output (an int or a pair, each
            less than its stride), or None to let the padding decide.
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        dilation_rate: spacing between kernel taps (an int or a pair; not with strides > 1).
        activation: name or callable; ``"relu"`` is fused into the op.
        use_bias: add a learned bias per filter.
        kernel_initializer: initializer of the ``(kh, kw, filters, channels)`` kernel.
        bias_initializer: initializer of the ``(filters,)`` bias.
        kernel_regularizer: penalty on the kernel added to the loss.
        bias_regularizer: penalty on the bias.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, height, width, channels) -> (batch, out_height, out_width, filters), sizes from
        ``deconv_output_length``.

    Examples:
        >>> import numpy as np
        >>> layer = Conv2DTranspose(16, 3, strides=2, padding="same")
        >>> layer(np.zeros((2, 7, 7, 32))).shape
        (2, 14, 14, 16)
        >>> [w.shape for w in layer.get_weights()], layer.count_params()   # 3 * 3 * 16 * 32 + 16
        ([(3, 3, 16, 32), (16,)], 4624)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        owner = type(self).__name__
        self.filters = check_number(owner, "filters", filters, minimum=1, integer=True)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(owner, "output_padding", output_padding, minimum=0)
            for axis, p, s in zip(("height", "width"), self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(f"{owner}: argument `output_padding` must be less than the stride along each "
                                     f"axis, got output_padding={self.output_padding} with strides={self.strides} "
                                     f"({axis}: {p} >= {s})")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        channels = known_channels(self.name, input_shape)
        self.kernel = self.add_weight((*self.kernel_size, self.filters, channels), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def _output_geometry(self, shape):
        """``(out_h, out_w), (crop_top, crop_left)`` for inputs of ``shape``; an empty output is an error."""
        out_size, crops = _geometry(shape, self.kernel_size, self.strides, self.padding, self.output_padding,
                                    self.dilation_rate)
        for axis, size in zip(("height", "width"), out_size):
            if size is not None and size < 1:
                raise ValueError(f"Layer '{self.name}': input shape {tuple(shape)} gives an output {axis} of {size} "
                                 f"(kernel_size={self.kernel_size}, strides={self.strides}, padding='{self.padding}', "
                                 f"output_padding={self.output_padding}); the output must have at least one pixel")
        return out_size, crops

    def call(self, inputs):
        out_size, crops = self._output_geometry(inputs.shape)
        return self._run(partial(Conv2DTransposeOp, out_size, crops, self.strides, self.dilation_rate), inputs,
                         self.kernel)

    def compute_output_shape(self, input_shape):
        check_images(self.name, input_shape)
        (h, w), _ = self._output_geometry(input_shape)
        return (input_shape[0], h, w, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "output_padding": None if self.output_padding is None else list(self.output_padding),
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
        }


# Keras's longer name for the same layer
Convolution2DTranspose = Conv2DTranspose
