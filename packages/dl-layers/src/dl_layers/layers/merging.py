"""Merging layers: combine several branches of a graph into one.

``Add`` sums tensors of the same shape (residual connections); ``Concatenate`` joins
them along an axis (multi-input models, Inception-style blocks).
"""

from __future__ import annotations

import dl_tensor as dt

from ..layer import Layer


class Add(Layer):
    """Element-wise sum of a list of tensors of the same shape.

    Examples:
        >>> import numpy as np
        >>> print(Add()([np.ones((1, 2)), np.full((1, 2), 2.0)]))
        Tensor([[3., 3.]], dtype=float32)
    """

    def build(self, input_shape):
        self._check_shapes(input_shape)

    def _check_shapes(self, shapes):
        """Same rank and sizes (None matches anything); run on every call, not only the first."""
        if not isinstance(shapes, list) or len(shapes) < 2:
            raise ValueError(f"Layer '{self.name}' expects a list of at least 2 inputs, got input shape {shapes}")
        first = shapes[0]
        for shape in shapes[1:]:
            if len(shape) != len(first) or any(a is not None and b is not None and a != b
                                               for a, b in zip(first, shape)):
                raise ValueError(f"Layer '{self.name}': inputs must have the same shape, got {shapes}")

    def call(self, inputs):
        self._check_shapes([tuple(x.shape) for x in inputs])
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out

    def compute_output_shape(self, input_shape):
        return input_shape[0]


class Concatenate(Layer):
    """Join a list of tensors along ``axis`` (the other axes must match).

    Args:
        axis: the axis to join along; -1 (features) by default.

    Examples:
        >>> import numpy as np
        >>> Concatenate()([np.ones((2, 3)), np.ones((2, 5))]).shape
        (2, 8)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        self._check_shapes(input_shape)

    def _check_shapes(self, shapes):
        """Same rank, same sizes off ``axis`` (None matches anything); run on every call."""
        if not isinstance(shapes, list) or len(shapes) < 2:
            raise ValueError(f"Layer '{self.name}' expects a list of at least 2 inputs, got input shape {shapes}")
        rank = len(shapes[0])
        axis = self.axis % rank
        for shape in shapes:
            if len(shape) != rank or any(i != axis and a is not None and b is not None and a != b
                                         for i, (a, b) in enumerate(zip(shapes[0], shape))):
                raise ValueError(
                    f"Layer '{self.name}': inputs must match on every axis except {self.axis}, got {shapes}"
                )

    def call(self, inputs):
        self._check_shapes([tuple(x.shape) for x in inputs])
        return dt.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        axis = self.axis % len(input_shape[0])
        sizes = [s[axis] for s in input_shape]
        out = list(input_shape[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    """Functional form of ``Add``: ``add([x, y])``."""
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of ``Concatenate``: ``concatenate([x, y], axis=-1)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
