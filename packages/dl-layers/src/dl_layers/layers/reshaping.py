"""``Flatten`` and ``Reshape``: change the shape of each sample, keep the batch axis."""

from __future__ import annotations

import math

from ..layer import Layer


class Flatten(Layer):
    """Turn each sample into a vector: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...).

    Examples:
        >>> import numpy as np
        >>> Flatten()(np.zeros((2, 3, 3, 64))).shape
        (2, 576)
    """

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], -1)  # (batch, ...) -> (batch, features)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))


class Reshape(Layer):
    """Give each sample the shape ``target_shape`` (one axis may be -1).

    Args:
        target_shape: shape of one sample, without the batch axis.

    Examples:
        >>> import numpy as np
        >>> Reshape((4, 4))(np.zeros((2, 16))).shape
        (2, 4, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or any(d < -1 or d == 0 for d in self.target_shape):
            raise ValueError(f"Reshape: target_shape may hold positive sizes and at most one -1, got {target_shape}")

    def call(self, inputs):
        self.compute_output_shape((None, *inputs.shape[1:]))  # a clear error naming the layer if sizes differ
        return inputs.reshape(inputs.shape[0], *self.target_shape)  # (batch, ...) -> (batch, *target_shape)

    def compute_output_shape(self, input_shape):
        if -1 not in self.target_shape:
            size_in = None if None in input_shape[1:] else math.prod(input_shape[1:])
            if size_in is not None and size_in != math.prod(self.target_shape):
                raise ValueError(
                    f"Layer '{self.name}': cannot reshape samples of shape {input_shape[1:]} "
                    f"({size_in} values) into {self.target_shape}"
                )
            return (input_shape[0], *self.target_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        if None in input_shape[1:]:
            return (input_shape[0], *(None if d == -1 else d for d in self.target_shape))
        total = math.prod(input_shape[1:])
        if total % known:
            raise ValueError(
                f"Layer '{self.name}': cannot reshape samples of shape {input_shape[1:]} into {self.target_shape}"
            )
        return (input_shape[0], *(total // known if d == -1 else d for d in self.target_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
