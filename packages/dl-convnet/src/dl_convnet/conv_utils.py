"""The arithmetic every convolution and pooling layer shares: sizes, padding, windows.

A window of ``kernel`` taps, ``dilation`` apart, slides over an axis of ``length`` values
in steps of ``stride``. Its *effective* size is ``(kernel - 1) * dilation + 1``.

* ``padding="valid"``: no padding; the window must fit, so there are
  ``(length - effective) // stride + 1`` outputs.
* ``padding="same"``: ``ceil(length / stride)`` outputs, whatever the kernel; zeros are
  added so that the last window fits, half before and the rest (one more when odd) after,
  which is what Keras (and TensorFlow) do for every stride.

Examples:
    >>> output_length(28, kernel=3, stride=1, padding="valid")
    26
    >>> output_length(28, kernel=3, stride=2, padding="same"), same_padding(28, kernel=3, stride=2)
    (14, (0, 1))
"""

from __future__ import annotations

import math

import numpy as np

from dl_layers.checks import check_choice, check_number

__all__ = ["check_fits", "check_images", "known_channels", "normalize_tuple", "output_length", "same_padding",
           "window_slice"]


def normalize_tuple(owner: str, name: str, value, n: int = 2, minimum: int = 1) -> tuple:
    """``3`` -> ``(3, 3)``; ``(3, 2)`` stays; each an int >= ``minimum`` (a clear error otherwise)."""
    values = (value,) * n if isinstance(value, int | np.integer) and not isinstance(value, bool) else value
    if not isinstance(values, tuple | list) or len(values) != n:
        raise ValueError(f"{owner}: argument `{name}` must be an int or a tuple of {n} ints, got {value!r}")
    return tuple(check_number(owner, name, v, minimum=minimum, integer=True) for v in values)


def check_padding(owner: str, padding) -> str:
    """``"valid"`` or ``"same"`` (any case), lower-cased."""
    return check_choice(owner, "padding", padding.lower() if isinstance(padding, str) else padding,
                        ("valid", "same"))


def effective_size(kernel: int, dilation: int = 1) -> int:
    """The span of a dilated window: ``(kernel - 1) * dilation + 1``."""
    return (kernel - 1) * dilation + 1


def output_length(length, kernel: int, stride: int = 1, padding: str = "valid", dilation: int = 1):
    """Outputs along one axis (None stays None: an unknown size)."""
    if length is None:
        return None
    if padding == "same":
        return math.ceil(length / stride)
    return max((length - effective_size(kernel, dilation)) // stride + 1, 0)


def same_padding(length: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Zeros ``(before, after)`` that ``padding="same"`` adds along one axis."""
    out = math.ceil(length / stride)
    total = max((out - 1) * stride + effective_size(kernel, dilation) - length, 0)
    return total // 2, total - total // 2


def window_slice(offset: int, count: int, stride: int) -> slice:
    """The positions that kernel tap ``offset`` meets over ``count`` outputs: every
    ``stride``-th value from ``offset``."""
    return slice(offset, offset + (count - 1) * stride + 1, stride)


def check_images(layer_name: str, shape: tuple, channels: int | None = None) -> None:
    """Raise a ValueError naming the layer unless ``shape`` is ``(batch, height, width, channels)``."""
    if len(shape) != 4:
        raise ValueError(f"Layer '{layer_name}' expects images of rank 4 (batch, height, width, channels), "
                         f"got shape {tuple(shape)} (rank {len(shape)})")
    if channels is not None and shape[-1] is not None and shape[-1] != channels:
        raise ValueError(f"Layer '{layer_name}' was built for images with {channels} channels, got shape "
                         f"{tuple(shape)} ({shape[-1]} channels)")


def check_fits(layer_name: str, shape, kernel_size: tuple, dilation_rate: tuple, padding: str) -> None:
    """With ``padding="valid"`` the (dilated) kernel must fit inside the image (an error naming the layer)."""
    if padding != "valid":
        return
    for axis, size, k, d in zip(("height", "width"), shape[1:3], kernel_size, dilation_rate):
        if size is not None and size < effective_size(k, d):
            raise ValueError(
                f"Layer '{layer_name}': its {k}-tap kernel (dilation {d}: {effective_size(k, d)} pixels) is larger "
                f"than the input's {axis} of {size} (input shape {tuple(shape)}); use padding='same' or a "
                "smaller kernel"
            )


def known_channels(layer_name: str, input_shape) -> int:
    """The channel count of ``input_shape`` (images), which a layer with weights must know."""
    check_images(layer_name, input_shape)
    if input_shape[-1] is None:
        raise ValueError(f"Layer '{layer_name}': the channel axis of the input must be known, got {input_shape}")
    return input_shape[-1]
