"""Normalization layers: keep activations centred and scaled while a network trains.

``BatchNormalization`` (chapter 7) standardises each feature with the mean and variance
of the current *batch* while training, and keeps moving averages of them to use at
inference. ``LayerNormalization`` standardises each *sample* over its features, the same
way in training and inference.

Each training-mode normalization is one fused op with a hand-written backward; the
composed versions built from dl-tensor ops are the reference the tests compare them to.
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_tensor import Op

from .. import initializers, regularizers
from ..layer import InputSpec, Layer


class NormalizeOp(Op):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with statistics over ``axes``.

    Inputs: x, gamma, beta (gamma and beta broadcast against x). After forward, ``mean``
    and ``var`` hold the batch statistics (for BatchNormalization's moving averages).
    """

    def __init__(self, axes: tuple, epsilon: float):
        self.axes, self.epsilon = axes, epsilon

    def forward(self, x, gamma, beta):
        mean = x.mean(axis=self.axes, keepdims=True)
        centred = x - mean
        var = np.mean(centred * centred, axis=self.axes, keepdims=True)  # biased variance
        inv_std = 1.0 / np.sqrt(var + np.asarray(self.epsilon, x.dtype))
        x_hat = centred * inv_std
        self.mean, self.var = mean, var
        self.save_for_backward(x_hat, inv_std, gamma)
        return x_hat * gamma + beta

    def backward(self, grad):
        x_hat, inv_std, gamma = self.saved
        n = x_hat.size // inv_std.size  # values per statistic
        g_hat = grad * gamma  # d loss / d x_hat
        # d x: inv_std / n * (n g_hat - sum(g_hat) - x_hat sum(g_hat x_hat)), sums over the axes
        sum_g = g_hat.sum(axis=self.axes, keepdims=True)
        sum_gx = (g_hat * x_hat).sum(axis=self.axes, keepdims=True)
        dx = (inv_std / n) * (n * g_hat - sum_g - x_hat * sum_gx)
        need_x, need_gamma, need_beta = self.needs_input_grad
        dgamma = grad * x_hat if need_gamma else None  # summed to gamma's shape by the engine
        return (dx if need_x else None), dgamma, (grad if need_beta else None)


def normalize_composed(x, gamma, beta, axes, epsilon):
    """The same normalization from dl-tensor ops (the readable reference)."""
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / dt.sqrt(var + epsilon) * gamma + beta


class BatchNormalization(Layer):
    """Normalize each feature with batch statistics in training, moving averages at inference.

    Args:
        axis: the feature axis (-1: channels last).
        momentum: weight of the old value in the moving averages.
        epsilon: added to the variance before the square root.
        center: learn an offset ``beta``.
        scale: learn a factor ``gamma``.
        beta_initializer: initializer of ``beta``.
        gamma_initializer: initializer of ``gamma``.
        moving_mean_initializer: initializer of the moving mean.
        moving_variance_initializer: initializer of the moving variance.
        beta_regularizer: penalty on ``beta``.
        gamma_regularizer: penalty on ``gamma``.

    A frozen BatchNormalization (``trainable=False``) always runs in inference mode, which
    is what fine-tuning needs (chapter 5).

    Shapes:
        any shape; statistics over every axis but ``axis``. Weights: gamma, beta,
        moving_mean, moving_variance, each (features,).

    Examples:
        >>> import numpy as np
        >>> bn = BatchNormalization()
        >>> out = bn(np.array([[1.0], [3.0]]), training=True).numpy()
        >>> print(np.round(out.ravel(), 4))
        [-0.9995  0.9995]
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def build(self, input_shape):
        rank = len(input_shape)
        axis = self.axis % rank if rank else 0
        dim = input_shape[axis] if rank else None
        if rank < 2 or axis == 0 or dim is None:
            raise ValueError(f"Layer '{self.name}': needs a known feature axis {self.axis} besides the batch axis, "
                             f"got input shape {input_shape}")
        self._feature_axis = axis
        self._reduction_axes = tuple(i for i in range(rank) if i != axis)
        self._broadcast = tuple(dim if i == axis else 1 for i in range(rank))
        self.gamma = (self.add_weight((dim,), self.gamma_initializer, regularizer=self.gamma_regularizer, name="gamma")
                      if self.scale else None)
        self.beta = (self.add_weight((dim,), self.beta_initializer, regularizer=self.beta_regularizer, name="beta")
                     if self.center else None)
        self.moving_mean = self.add_weight((dim,), self.moving_mean_initializer, trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight((dim,), self.moving_variance_initializer, trainable=False,
                                               name="moving_variance")
        self.input_spec = InputSpec(ndim=rank, axes={axis: dim})

    def _gamma_beta(self, dtype):
        dim = self._broadcast
        gamma = self.gamma.reshape(dim) if self.gamma is not None else dt.Tensor(np.ones(dim, dtype), dtype=dtype)
        beta = self.beta.reshape(dim) if self.beta is not None else dt.Tensor(np.zeros(dim, dtype), dtype=dtype)
        return gamma, beta

    def call(self, inputs, training=None):
        gamma, beta = self._gamma_beta(inputs.dtype)
        if training and self.trainable:
            op = NormalizeOp(self._reduction_axes, self.epsilon)
            out = op(inputs, gamma, beta)
            m = self.momentum  # moving = m * moving + (1 - m) * batch statistic
            self.moving_mean.data *= m
            self.moving_mean.data += (1 - m) * op.mean.reshape(-1)
            self.moving_variance.data *= m
            self.moving_variance.data += (1 - m) * op.var.reshape(-1)
            return out
        inv_std = 1.0 / np.sqrt(self.moving_variance.data + self.epsilon)  # (features,)
        factor = gamma * inv_std.reshape(self._broadcast)  # gamma / sqrt(moving_var + eps)
        offset = beta - self.moving_mean.data.reshape(self._broadcast) * factor
        return inputs * factor + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        ser = initializers.serialize
        return {
            **super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": ser(self.beta_initializer), "gamma_initializer": ser(self.gamma_initializer),
            "moving_mean_initializer": ser(self.moving_mean_initializer),
            "moving_variance_initializer": ser(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer) if self.beta_regularizer else None,
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer) if self.gamma_regularizer else None,
        }


class LayerNormalization(Layer):
    """Normalize each sample over its features (``axis``), then scale and shift.

    Args:
        axis: axis or axes to normalize over (-1: the features).
        epsilon: added to the variance before the square root.
        center: learn an offset ``beta``.
        scale: learn a factor ``gamma``.
        beta_initializer: initializer of ``beta``.
        gamma_initializer: initializer of ``gamma``.

    Examples:
        >>> import numpy as np
        >>> out = LayerNormalization()(np.array([[1.0, 3.0]])).numpy()
        >>> print(np.round(out, 4))
        [[-0.9995  0.9995]]
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, list | tuple) else int(axis)
        self.epsilon, self.center, self.scale = float(epsilon), center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, tuple) else (self.axis,)
        axes = tuple(sorted(a % rank for a in axes))
        if 0 in axes or any(input_shape[a] is None for a in axes):
            raise ValueError(f"Layer '{self.name}': cannot normalize over axes {self.axis} of input shape "
                             f"{input_shape}")
        self._axes = axes
        param_shape = tuple(input_shape[a] for a in axes)
        self._broadcast = tuple(input_shape[i] if i in axes else 1 for i in range(rank))
        self.gamma = self.add_weight(param_shape, self.gamma_initializer, name="gamma") if self.scale else None
        self.beta = self.add_weight(param_shape, self.beta_initializer, name="beta") if self.center else None
        self.input_spec = InputSpec(ndim=rank, axes={a: input_shape[a] for a in axes})

    def call(self, inputs):
        dim, dtype = self._broadcast, inputs.dtype
        gamma = self.gamma.reshape(dim) if self.gamma is not None else dt.Tensor(np.ones(dim, dtype), dtype=dtype)
        beta = self.beta.reshape(dim) if self.beta is not None else dt.Tensor(np.zeros(dim, dtype), dtype=dtype)
        return NormalizeOp(self._axes, self.epsilon)(inputs, gamma, beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(), "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis,
            "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
        }
