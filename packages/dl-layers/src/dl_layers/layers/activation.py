"""Activation layers: a non-linearity as a layer of its own.

``Activation("relu")`` applies any activation by name; ``LeakyReLU`` lets a little of the
negative side through (``negative_slope * x`` instead of 0), as in the book's GAN.
"""

from __future__ import annotations

from .. import activations
from ..checks import check_number
from ..layer import Layer


class Activation(Layer):
    """Apply an activation function element-wise.

    Args:
        activation: name ("relu", "sigmoid", "softmax", ...) or callable.

    Examples:
        >>> import numpy as np
        >>> print(Activation("relu")(np.array([[-1.0, 2.0]])))
        Tensor([[0., 2.]], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class LeakyReLU(Layer):
    """``x`` for x > 0, ``negative_slope * x`` otherwise.

    Args:
        negative_slope: slope for negative inputs (Keras's default 0.3).
        alpha: the older name of ``negative_slope``.
    """

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        slope = alpha if alpha is not None else negative_slope
        self.negative_slope = check_number("LeakyReLU", "negative_slope", slope, minimum=0)

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
