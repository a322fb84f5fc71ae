"""Masks: which timesteps of a padded sequence are real.

A batch of sentences of different lengths is padded with 0s to one length. A layer that
knows where the padding is (``Embedding(..., mask_zero=True)``, ``Masking``) attaches a
boolean mask of shape (batch, time) to the tensor it returns, and a layer that can use it
(a recurrent layer) reads it from its input: padded steps leave the state unchanged. The
mask travels with the tensor itself, so it passes through ``Sequential`` and functional
models without either knowing about it, as ``_keras_mask`` does in Keras.

Examples:
    >>> import numpy as np
    >>> from dl_tensor import Tensor
    >>> t = Tensor(np.zeros((2, 3, 4)))
    >>> _ = set_mask(t, np.array([[True, True, False], [True, False, False]]))
    >>> get_mask(t).sum(axis=1)
    array([2, 1])
"""

from __future__ import annotations

import weakref

import numpy as np

from dl_tensor import Op, Tensor

from ..checks import check_number
from ..layer import Layer

__all__ = ["Masking", "get_mask", "set_mask"]

# id(tensor) -> (weak reference to the tensor, its mask). The entry goes away with the tensor.
_MASKS: dict = {}


def set_mask(tensor: Tensor, mask) -> Tensor:
    """Attach ``mask`` (bool, (batch, time)) to ``tensor`` and return the tensor; None removes it."""
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return tensor
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != tuple(tensor.shape[:mask.ndim]):
        raise ValueError(f"a mask of shape {mask.shape} does not fit a tensor of shape {tuple(tensor.shape)}: "
                         "expected (batch, time), the tensor's first two axes")
    _MASKS[key] = (weakref.ref(tensor, lambda _, key=key: _MASKS.pop(key, None)), mask)
    return tensor


def get_mask(tensor) -> np.ndarray | None:
    """The mask attached to ``tensor`` (bool, (batch, time)), or None."""
    entry = _MASKS.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return None
    return entry[1]


class _MaskOp(Op):
    """``x * keep[..., None]``: zero the masked steps (their gradient too)."""

    def __init__(self, keep):
        self.keep = keep  # (batch, time) bool

    def forward(self, x):
        return x * self.keep.reshape(*self.keep.shape, *[1] * (x.ndim - 2)).astype(x.dtype)  # (b, t) -> (b, t, 1..)

    def backward(self, grad):
        return grad * self.keep.reshape(*self.keep.shape, *[1] * (grad.ndim - 2)).astype(grad.dtype)


class Masking(Layer):
    """Mark as padding every timestep whose features all equal ``mask_value``.

    The masked steps are set to 0 and the mask (bool, (batch, time)) goes with the output,
    so a recurrent layer after it skips them.

    Shapes:
        (batch, time, features) -> the same.

    Examples:
        >>> import numpy as np
        >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
        >>> out = Masking()(x)
        >>> get_mask(out)
        array([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = check_number("Masking", "mask_value", mask_value)
        self.supports_masking = True

    def call(self, inputs):
        if inputs.ndim < 3:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank >= 3 (batch, time, features), "
                             f"got shape {tuple(inputs.shape)}")
        keep = np.any(inputs.data != self.mask_value, axis=tuple(range(2, inputs.ndim)))  # (batch, time)
        return set_mask(_MaskOp(keep)(inputs), keep)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
