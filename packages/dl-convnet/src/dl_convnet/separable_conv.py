"""``SeparableConv2D``: a depthwise convolution, then a 1x1 convolution that mixes the channels.

A ``Conv2D`` learns, for every filter, one ``kh * kw * channels`` pattern: space and
channels at once. Chapter 7's depthwise separable convolution splits the two jobs:

1. *depthwise*: each input channel is convolved on its own with ``depth_multiplier``
   spatial filters (``DepthwiseConv2D``, no bias);
2. *pointwise*: a 1x1 convolution mixes the ``channels * depth_multiplier`` results into
   ``filters`` outputs (plus the bias, then the activation).

The assumption is that spatial patterns and cross-channel correlations can be learned
separately. It pays in weights and in work: with 32 input channels and 64 filters of 3x3,
a ``Conv2D`` has 3 * 3 * 32 * 64 + 64 = 18,496 parameters; a ``SeparableConv2D`` has
3 * 3 * 32 + 32 * 64 + 64 = 2,400, and about as many times fewer multiplications.

Here the two steps are two fused ops: ``DepthwiseConv2DOp`` then ``Conv2DOp`` with a 1x1
kernel (a relu is fused into the second). Weights come in Keras's ``get_weights()``
order: depthwise kernel ``(kh, kw, channels, depth_multiplier)``, pointwise kernel
``(1, 1, channels * depth_multiplier, filters)``, bias ``(filters,)``.
"""

from __future__ import annotations

from dl_layers import InputSpec, initializers, regularizers
from dl_layers.checks import check_number

from .base_conv import BaseConv
from .conv_utils import check_fits, known_channels
from .convolution import Conv2DOp, conv_padding
from .depthwise_conv import DepthwiseConv2DOp

__all__ = ["SeparableConv2D", "SeparableConvolution2D"]


class SeparableConv2D(BaseConv):
    """Depthwise separable 2D convolution: per-channel spatial filters, then a 1x1 convolution.

    Args:
        filters: number of output channels.
        kernel_size: ``(height, width)`` of the depthwise window, or one int for a square one.
        strides: steps between windows (an int or a pair).
        padding: ``"valid"`` (no padding) or ``"same"`` (output ``ceil(size / stride)``).
        data_format: only ``"channels_last"`` (Keras's default) is supported.
        dilation_rate: spacing between kernel taps (an int or a pair).
        depth_multiplier: depthwise filters per input channel.
        activation: name or callable; ``"relu"`` is fused into the pointwise convolution.
        use_bias: add a learned bias per filter (after the pointwise step).
        depthwise_initializer: initializer of the ``(kh, kw, channels, depth_multiplier)`` kernel.
        pointwise_initializer: initializer of the ``(1, 1, channels * depth_multiplier, filters)`` kernel.
        bias_initializer: initializer of the ``(filters,)`` bias.
        depthwise_regularizer: penalty on the depthwise kernel added to the loss.
        pointwise_regularizer: penalty on the pointwise kernel.
        bias_regularizer: penalty on the bias.
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``.

    Shapes:
        (batch, height, width, channels) -> (batch, out_height, out_width, filters)

    Examples:
        >>> import numpy as np
        >>> layer = SeparableConv2D(64, 3, activation="relu")
        >>> layer(np.zeros((2, 32, 32, 32))).shape
        (2, 30, 30, 64)
        >>> [w.shape for w in layer.get_weights()], layer.count_params()   # 3*3*32 + 32*64 + 64
        ([(3, 3, 32, 1), (1, 1, 32, 64), (64,)], 2400)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        owner = type(self).__name__
        self.filters = check_number(owner, "filters", filters, minimum=1, integer=True)
        self.depth_multiplier = check_number(owner, "depth_multiplier", depth_multiplier, minimum=1, integer=True)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)

    def build(self, input_shape):
        channels = known_channels(self.name, input_shape)
        check_fits(self.name, input_shape, self.kernel_size, self.dilation_rate, self.padding)
        middle = channels * self.depth_multiplier  # channels between the two steps
        self.depthwise_kernel = self.add_weight((*self.kernel_size, channels, self.depth_multiplier),
                                                self.depthwise_initializer, regularizer=self.depthwise_regularizer,
                                                name="depthwise_kernel")
        self.pointwise_kernel = self.add_weight((1, 1, middle, self.filters), self.pointwise_initializer,
                                                regularizer=self.pointwise_regularizer, name="pointwise_kernel")
        self._add_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def call(self, inputs):
        check_fits(self.name, inputs.shape, self.kernel_size, self.dilation_rate, self.padding)
        pads = conv_padding(inputs.shape[1], inputs.shape[2], self.kernel_size, self.strides, self.dilation_rate,
                            self.padding)
        # 1. depthwise: (n, h, w, c) -> (n, out_h, out_w, c * depth_multiplier), no bias
        middle = DepthwiseConv2DOp(self.strides, self.dilation_rate, pads, use_bias=False)(
            inputs, self.depthwise_kernel)
        # 2. pointwise: a 1x1 convolution (n, out_h, out_w, c * depth_multiplier) -> (n, out_h, out_w, filters)
        return self._run(Conv2DOp, middle, self.pointwise_kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._output_size(input_shape), self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
        }


# Keras's longer name for the same layer
SeparableConvolution2D = SeparableConv2D
