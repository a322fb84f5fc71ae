"""Preprocessing layers that are part of the model: ``Rescaling`` and ``Resizing``.

Unlike the augmentation layers, they are always active, while training and at inference:
a model that starts with ``Rescaling(1./255)`` takes raw [0, 255] pixels everywhere
(the book's second edition puts it right after ``Input``).
"""

from __future__ import annotations

import numpy as np

from dl_layers import InputSpec, Layer
from dl_layers.checks import check_bool, check_choice, check_number
from dl_tensor import Tensor

from .image_transform import INTERPOLATIONS, resize_images

__all__ = ["Rescaling", "Resizing"]


def _check_factor(owner: str, name: str, value):
    """A number, or a list of numbers (one per channel), as a float or a float32 array."""
    if isinstance(value, list | tuple | np.ndarray):
        values = [check_number(owner, f"{name}[{i}]", v) for i, v in enumerate(np.ravel(value))]
        if not values:
            raise ValueError(f"{owner}: argument `{name}` must be a number or a non-empty list of numbers, got []")
        return np.asarray(values, np.float32).reshape(np.shape(value))
    return check_number(owner, name, value)


def _plain(value):
    """A float or an array as something JSON can hold (float or list)."""
    return value.tolist() if isinstance(value, np.ndarray) else value


class Rescaling(Layer):
    """Multiply by ``scale`` and add ``offset``: ``x * scale + offset``, e.g. pixels [0, 255] -> [0, 1].

    Differentiable (it is a product and a sum of Tensors). Integer inputs (uint8 pixels)
    become floats first.

    Args:
        scale: a number, or one per channel (a list broadcast against the last axis).
        offset: a number, or one per channel; ``Rescaling(1/127.5, offset=-1)`` maps [0, 255]
            to [-1, 1].

    Examples:
        >>> import numpy as np
        >>> Rescaling(1.0 / 255)(np.array([[0, 51, 255]], np.uint8)).numpy()
        array([[0. , 0.2, 1. ]], dtype=float32)
        >>> Rescaling(1 / 127.5, offset=-1.0)(np.array([[0.0, 127.5, 255.0]])).numpy()
        array([[-1.,  0.,  1.]], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _check_factor("Rescaling", "scale", scale)
        self.offset = _check_factor("Rescaling", "offset", offset)

    def call(self, inputs):
        if inputs.dtype.kind != "f":  # uint8 pixels: compute in the layer's float dtype
            inputs = Tensor(inputs.data.astype(self.dtype))
        dtype = inputs.dtype
        return inputs * np.asarray(self.scale, dtype) + np.asarray(self.offset, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": _plain(self.scale), "offset": _plain(self.offset)}


class Resizing(Layer):
    """Resize a batch of images to ``(height, width)``: (batch, h, w, c) -> (batch, height, width, c).

    Works on the arrays, outside the autodiff graph: no gradient flows back through it
    (it sits at the input of a model, where no gradient is needed).

    Args:
        height: output height in pixels.
        width: output width in pixels.
        interpolation: "bilinear" or "nearest" (see ``image_transform.resize_images``).
        crop_to_aspect_ratio: first crop the largest centred window with the aspect ratio
            of the output, so that images are not distorted.

    Examples:
        >>> import numpy as np
        >>> Resizing(150, 150)(np.zeros((2, 300, 200, 3), np.float32)).shape
        (2, 150, 150, 3)
        >>> wide = np.arange(8, dtype=np.float32).reshape(1, 2, 4, 1)   # 2 x 4: columns 1 and 2 are the centre
        >>> Resizing(2, 2, crop_to_aspect_ratio=True)(wide).numpy()[0, :, :, 0]
        array([[1., 2.],
               [5., 6.]], dtype=float32)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, **kwargs):
        super().__init__(**kwargs)
        self.height = check_number("Resizing", "height", height, minimum=1, integer=True)
        self.width = check_number("Resizing", "width", width, minimum=1, integer=True)
        self.interpolation = check_choice("Resizing", "interpolation", interpolation, INTERPOLATIONS)
        self.crop_to_aspect_ratio = check_bool("Resizing", "crop_to_aspect_ratio", crop_to_aspect_ratio)
        self.input_spec = InputSpec(ndim=4)

    def _crop(self, images: np.ndarray) -> np.ndarray:
        """The largest centred window of ``images`` with the output's aspect ratio (as Keras computes it)."""
        _, h, w, _ = images.shape
        crop_h = max(min(h, int(w * self.height / self.width)), 1)
        crop_w = max(min(w, int(h * self.width / self.height)), 1)
        top, left = (h - crop_h) // 2, (w - crop_w) // 2
        return images[:, top:top + crop_h, left:left + crop_w]

    def call(self, inputs):
        images = inputs.data if inputs.dtype.kind == "f" else inputs.data.astype(self.dtype)
        if self.crop_to_aspect_ratio:
            images = self._crop(images)
        return Tensor(resize_images(images, (self.height, self.width), self.interpolation))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.height, self.width, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio}
