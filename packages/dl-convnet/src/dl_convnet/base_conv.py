"""``BaseConv``: what the 2D convolution layers share (Keras's ``BaseConv``).

``Conv2D``, ``DepthwiseConv2D``, ``SeparableConv2D`` and ``Conv2DTranspose`` take the same
window arguments (``kernel_size``, ``strides``, ``padding``, ``dilation_rate``), an
activation and an optional bias, and run one fused op with a relu folded in. This class
checks those arguments once, runs the op with the activation, and writes their part of
the config; each layer adds its own weights (and their initializers and regularizers).
"""

from __future__ import annotations

from dl_layers import Layer, activations, initializers, regularizers
from dl_layers.checks import check_choice

from .conv_utils import check_fits, check_images, check_padding, normalize_tuple, output_length

__all__ = ["BaseConv"]


class BaseConv(Layer, register=False):
    """The window, activation and bias of a 2D convolution layer (not a layer to use by itself).

    Args:
        kernel_size: ``(height, width)`` of the window, or one int for a square one.
        strides: steps between windows (an int or a pair).
        padding: ``"valid"`` or ``"same"``.
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        dilation_rate: spacing between kernel taps (an int or a pair; not with strides > 1).
        activation: name or callable; ``"relu"`` is fused into the layer's op.
        use_bias: add a learned bias per output channel.
        bias_initializer: initializer of the bias.
        bias_regularizer: penalty on the bias added to the loss.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 activation=None, use_bias=True, bias_initializer="zeros", bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.kernel_size = normalize_tuple(owner, "kernel_size", kernel_size)
        self.strides = normalize_tuple(owner, "strides", strides)
        self.padding = check_padding(owner, padding)
        check_choice(owner, "data_format", data_format or "channels_last", ("channels_last",))
        self.dilation_rate = normalize_tuple(owner, "dilation_rate", dilation_rate)
        if self.strides != (1, 1) and self.dilation_rate != (1, 1):
            raise ValueError(f"{owner}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), got "
                             f"strides={self.strides}, dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def _add_bias(self, size: int) -> None:
        """Create ``self.bias`` of shape ``(size,)``, or set it to None without ``use_bias``."""
        self.bias = (self.add_weight((size,), self.bias_initializer, regularizer=self.bias_regularizer, name="bias")
                     if self.use_bias else None)

    def _run(self, make_op, inputs, *kernels):
        """``make_op(relu=..., use_bias=...)`` on the inputs, kernels and bias, then the activation
        (a relu is applied inside the op, in place; any other one after it)."""
        relu = self.activation is activations.relu
        weights = kernels if self.bias is None else (*kernels, self.bias)
        out = make_op(relu=relu, use_bias=self.bias is not None)(inputs, *weights)
        return out if relu else self.activation(out)

    def _output_size(self, input_shape) -> tuple:
        """``(out_height, out_width)`` of a sliding window over ``input_shape`` (None stays None)."""
        check_images(self.name, input_shape)
        check_fits(self.name, input_shape, self.kernel_size, self.dilation_rate, self.padding)
        return tuple(output_length(size, k, s, self.padding, d) for size, k, s, d in
                     zip(input_shape[1:3], self.kernel_size, self.strides, self.dilation_rate))

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }
