"""What the convolution tests share: TensorFlow's "same" padding rule and the sliding windows of
an independent NumPy reference, and the geometry of a random small convolution problem."""

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st


def keras_same_padding(size, kernel, stride, dilation):
    """TensorFlow's rule, written independently: the extra zero goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def np_windows(x, kh, kw, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """Every window a ``(kh, kw)`` kernel meets in ``x`` (n, h, w, c): (n, out_h, out_w, c, kh, kw)."""
    (sh, sw), (dh, dw) = strides, dilation
    if padding == "same":
        x = np.pad(x, ((0, 0), keras_same_padding(x.shape[1], kh, sh, dh), keras_same_padding(x.shape[2], kw, sw, dw),
                       (0, 0)))
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(1, 2))  # (n, y, x, c, sh, sw)
    return windows[:, ::sh, ::sw, :, ::dh, ::dw]  # (n, out_h, out_w, c, kh, kw)


def window_geometry(draw, max_size=7):
    """Inside an ``@st.composite``: image size, kernel size, strides or dilation (not both), padding;
    "valid" only where the kernel fits. Returns ``(h, w, kh, kw, strides, padding, dilation)``."""
    h, w = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same"]))
    if draw(st.booleans()):
        strides, dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))), (1, 1)
    else:
        strides, dilation = (1, 1), (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    if padding == "valid":
        assume(h >= (kh - 1) * dilation[0] + 1 and w >= (kw - 1) * dilation[1] + 1)
    return h, w, kh, kw, strides, padding, dilation
