"""``Dense``: every output unit is a weighted sum of every input feature.

``output = activation(inputs @ kernel + bias)`` with ``kernel`` of shape (input_dim, units)
and ``bias`` of shape (units,) -- Keras's layout. On inputs of rank > 2, such as
(batch, time, features), the same kernel applies to every position of the leading axes.

The readable version is ``dense_composed``: a matmul, a bias add and an activation, three
ops of dl-tensor. ``DenseOp`` does the matmul and the bias add, and a relu if that is the
activation (the book's hidden layers), in one fused op: the bias and the relu are applied
in place on the product, and the backward is written out by hand. Any other activation
(softmax, sigmoid...) runs after it. Tests hold the two versions equal.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Op
from dl_tensor.elementwise import match_dtypes

from .. import activations, initializers, regularizers
from ..checks import check_number
from ..layer import InputSpec, Layer


def dense_composed(inputs, kernel, bias, activation):
    """``activation(inputs @ kernel + bias)`` from dl-tensor ops (the reference)."""
    out = inputs @ kernel  # (batch, ..., in) @ (in, units) -> (batch, ..., units)
    if bias is not None:
        out = out + bias  # (units,) broadcasts over the leading axes
    return activation(out)


class DenseOp(Op):
    """``inputs @ kernel + bias``, optionally followed by relu, as one op.

    Inputs: x (batch, ..., in), kernel (in, units) and, if ``use_bias``, bias (units,).
    """

    def __init__(self, relu: bool, use_bias: bool):
        self.relu, self.use_bias = relu, use_bias

    def forward(self, x, kernel, bias=None):
        x, kernel = match_dtypes("dense", x, kernel)  # integer inputs take the kernel's dtype
        rows = x.reshape(-1, x.shape[-1])  # (batch, ..., in) -> (rows, in)
        out = rows @ kernel  # (rows, units), a fresh array: safe to change in place
        if self.use_bias:
            out += bias
        if self.relu:
            np.maximum(out, 0, out=out)
        self.save_for_backward(rows, kernel, out if self.relu else None)
        return out.reshape(*x.shape[:-1], kernel.shape[1])  # (rows, units) -> (batch, ..., units)

    def backward(self, grad):
        rows, kernel, out = self.saved
        g = grad.reshape(-1, kernel.shape[1])  # (batch, ..., units) -> (rows, units)
        if self.relu:
            g = g * (out > 0)  # relu's derivative, from its output
        need = self.needs_input_grad
        dx = (g @ kernel.T).reshape(self.inputs[0].shape) if need[0] else None  # (rows, in) -> x's shape
        dkernel = rows.T @ g if need[1] else None  # (in, rows) @ (rows, units) -> (in, units)
        if not self.use_bias:
            return dx, dkernel
        return dx, dkernel, (g.sum(axis=0) if need[2] else None)  # (units,)


class Dense(Layer):
    """A densely connected layer.

    Args:
        units: number of output features.
        activation: name ("relu", "softmax", ...) or callable; None means linear.
        use_bias: add a learned bias vector.
        kernel_initializer: initializer of the (input_dim, units) kernel.
        bias_initializer: initializer of the (units,) bias.
        kernel_regularizer: penalty on the kernel added to the loss, e.g. ``regularizers.l2(0.001)``.
        bias_regularizer: penalty on the bias.
        **kwargs: ``name``, ``input_shape``, ``input_dim``, ``trainable``, ``dtype``.

    Shapes:
        (batch, ..., input_dim) -> (batch, ..., units)

    Examples:
        >>> import numpy as np
        >>> layer = Dense(4, activation="relu")
        >>> layer(np.ones((2, 3))).shape
        (2, 4)
        >>> [w.shape for w in layer.get_weights()]
        [(3, 4), (4,)]
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.units = check_number("Dense", "units", units, minimum=1, integer=True)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape):
        if len(input_shape) < 2:  # the first axis is the batch: no feature axis is left
            raise ValueError(
                f"Layer '{self.name}' expects inputs of rank >= 2 (batch, ..., features), "
                f"got shape {input_shape} (rank {len(input_shape)})"
            )
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}': the last axis of the input must be known to build a Dense layer, "
                f"got input shape {input_shape}"
            )
        self.kernel = self.add_weight((input_dim, self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        self.bias = (self.add_weight((self.units,), self.bias_initializer, regularizer=self.bias_regularizer,
                                     name="bias") if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs):
        relu = self.activation is activations.relu
        weights = (self.kernel,) if self.bias is None else (self.kernel, self.bias)
        out = DenseOp(relu=relu, use_bias=self.bias is not None)(inputs, *weights)  # relu(x @ W + b) or x @ W + b
        return out if relu else self.activation(out)  # other activations (softmax...) come after

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer) if self.kernel_regularizer else None,
            "bias_regularizer": regularizers.serialize(self.bias_regularizer) if self.bias_regularizer else None,
        }
