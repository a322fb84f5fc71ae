"""Activation functions: the element-wise non-linearities applied after a layer's affine map.

Without them a stack of ``Dense`` layers collapses into a single linear map (chapter 3).
Every function here takes a floating-point ``Tensor`` (or array) of any shape and returns
a ``Tensor`` of the same shape and dtype (float32 stays float32, float64 stays float64);
``softmax`` alone mixes the values along one axis. All but ``exponential`` are safe for
huge ``|x|``: they never exponentiate a positive value.

They are written with dl-tensor's ops, and autodiff differentiates them; ``gelu``
alone, a chain of 24 small ops, is a *fused* op, ``GeluOp``: one NumPy forward
and one hand-written backward, which makes the book's first network train about 13 %
faster with ``activation="gelu"``. A fused op must earn its place that way (see
``benchmarks/fused_activations.py``: fusing elu, selu, swish, leaky_relu or softplus
gained under 3 %, so they stay composed). ``GeluOp`` is directly followed by its readable
composed twin, ``gelu_composed``, which the tests hold it equal to, values and gradients.

Layers take their activation by name; ``get`` turns a name into the function,
``serialize`` a built-in function back into its name (names go through ``ACTIVATIONS``).

Examples:
    >>> from dl_tensor import Tensor
    >>> relu_fn = get("relu")
    >>> print(relu_fn(Tensor([-2.0, 0.5])))
    Tensor([0. , 0.5], dtype=float32)
    >>> serialize(relu_fn)
    'relu'
"""

from __future__ import annotations

import math

import numpy as np

import dl_tensor as dt
from dl_tensor import Op, Tensor

from .checks import check_bool, check_number
from .registry import Registry

__all__ = [
    "ACTIVATIONS",
    "GeluOp",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "gelu_composed",
    "get",
    "hard_sigmoid",
    "leaky_relu",
    "linear",
    "relu",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "swish",
    "tanh",
]

# SELU's constants (Klambauer et al., 2017): with them, activations of a deep stack
# keep mean 0 and variance 1 when the weights are LeCun-normal.
SELU_ALPHA = 1.67326324235437728
SELU_SCALE = 1.05070098735548049

# Python floats (never NumPy float64 scalars) so that float32 arrays stay float32.
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715
_GELU_TANH_CLIP = 20.0  # tanh(u) is exactly +-1 beyond |x| = 10: clipping keeps x^3 finite

# Abramowitz & Stegun, Handbook of Mathematical Functions, formula 7.1.26:
# for z >= 0, erfc(z) ~= (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) exp(-z^2),
# with t = 1 / (1 + p z); the absolute error of erf is below 1.5e-7.
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_ERF_CLIP = 30.0  # erfc(30) < 1e-390: beyond it the result is 0 anyway, and z * z stays finite


def _float_tensor(fn_name: str, x) -> Tensor:
    """``x`` as a floating-point Tensor, or a TypeError naming ``fn_name``."""
    x = dt.as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{fn_name}: argument `x` must be a floating-point tensor, got dtype {x.dtype} "
            "(cast it first, e.g. x.astype('float32'))"
        )
    return x


# -- activations built from dl-tensor's ops -------------------------------------------------


def relu(x) -> Tensor:
    """Rectified linear unit: ``max(x, 0)`` (gradient 0 at 0).

    Examples:
        >>> print(relu(Tensor([-1.0, 0.0, 2.0])))
        Tensor([0., 0., 2.], dtype=float32)
    """
    return dt.relu(_float_tensor("relu", x))


def sigmoid(x) -> Tensor:
    """Logistic sigmoid: ``1 / (1 + exp(-x))``, in (0, 1).

    Examples:
        >>> print(sigmoid(Tensor([-1000.0, 0.0, 1000.0])))
        Tensor([0. , 0.5, 1. ], dtype=float32)
    """
    return dt.sigmoid(_float_tensor("sigmoid", x))


def tanh(x) -> Tensor:
    """Hyperbolic tangent, in (-1, 1).

    Examples:
        >>> print(tanh(Tensor([-100.0, 0.0, 100.0])))
        Tensor([-1.,  0.,  1.], dtype=float32)
    """
    return dt.tanh(_float_tensor("tanh", x))


def softmax(x, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``: a probability distribution (the last axis by default).

    Examples:
        >>> print(softmax(Tensor([[0.0, 0.0], [1000.0, 1000.0]])))
        Tensor([[0.5, 0.5],
                [0.5, 0.5]], dtype=float32)
    """
    return dt.softmax(_float_tensor("softmax", x), axis)


def linear(x) -> Tensor:
    """The identity: what a layer with ``activation=None`` applies (``x`` itself, as a Tensor).

    Examples:
        >>> print(linear(Tensor([-1.0, 2.0])))
        Tensor([-1.,  2.], dtype=float32)
    """
    return dt.as_tensor(x)


def exponential(x) -> Tensor:
    """``exp(x)``.

    Examples:
        >>> print(exponential(Tensor([0.0, 1.0])).data.round(4))
        [1.     2.7183]
    """
    return dt.exp(_float_tensor("exponential", x))


def hard_sigmoid(x) -> Tensor:
    """A piecewise-linear sigmoid: ``clip(x / 6 + 1/2, 0, 1)`` (0 below -3, 1 above 3).

    Examples:
        >>> print(hard_sigmoid(Tensor([-6.0, 0.0, 1.5, 6.0])))
        Tensor([0.  , 0.5 , 0.75, 1.  ], dtype=float32)
    """
    x = _float_tensor("hard_sigmoid", x)
    return dt.clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0)


def elu(x, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: ``x`` if x > 0 else ``alpha * (exp(x) - 1)`` (down to ``-alpha``).

    Examples:
        >>> print(elu(Tensor([-1.0, 0.0, 2.0])).data.round(4))
        [-0.6321  0.      2.    ]
    """
    alpha = check_number("elu", "alpha", alpha)
    x = _float_tensor("elu", x)
    negative = dt.where(x > 0, 0.0, x)  # min(x, 0): exp never sees a positive value
    return dt.where(x > 0, x, alpha * (dt.exp(negative) - 1.0))


def selu(x) -> Tensor:
    """Scaled ELU: ``scale * elu(x, alpha)``, alpha ~1.6733 and scale ~1.0507, which keep
    activations self-normalising with ``lecun_normal`` weights.

    Examples:
        >>> print(selu(Tensor([-1.0, 0.0, 2.0])).data.round(4))
        [-1.1113  0.      2.1014]
    """
    return SELU_SCALE * elu(_float_tensor("selu", x), SELU_ALPHA)


def swish(x) -> Tensor:
    """Swish, also called SiLU: ``x * sigmoid(x)``.

    Examples:
        >>> print(swish(Tensor([-1.0, 0.0, 2.0])).data.round(4))
        [-0.2689  0.      1.7616]
    """
    x = _float_tensor("swish", x)
    return x * dt.sigmoid(x)


silu = swish


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    """Leaky ReLU: ``x`` if x > 0 else ``negative_slope * x`` (a small gradient for x < 0).

    Examples:
        >>> print(leaky_relu(Tensor([-5.0, 0.0, 2.0])))
        Tensor([-1.,  0.,  2.], dtype=float32)
    """
    negative_slope = check_number("leaky_relu", "negative_slope", negative_slope)
    x = _float_tensor("leaky_relu", x)
    return dt.where(x > 0, x, negative_slope * x)


def softplus(x) -> Tensor:
    """Softplus: ``log(1 + exp(x))``, a smooth ReLU whose derivative is ``sigmoid(x)``.

    Computed as ``log(exp(0) + exp(x))`` with the log-sum-exp shift ``m = max(x, 0)``, so
    that no exponent is positive.

    Examples:
        >>> print(softplus(Tensor([-30.0, 0.0, 30.0])).data.round(4))
        [ 0.      0.6931 30.    ]
    """
    x = _float_tensor("softplus", x)
    m = dt.maximum(x, 0.0)
    return m + dt.log(dt.exp(-m) + dt.exp(x - m))


# -- gelu: a fused op, followed by its composed twin ----------------------------------------


def _erfc_nonneg(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z >= 0 by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7); NumPy has no erf."""
    z = np.minimum(z, _ERF_CLIP)
    t = 1.0 / (1.0 + _AS_P * z)
    a1, a2, a3, a4, a5 = _AS_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))  # Horner's scheme
    return poly * np.exp(-z * z)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) = P(N(0, 1) <= x) = (1 + erf(x / sqrt 2)) / 2, without cancellation for x < 0.

    Examples:
        >>> print(np.round(_normal_cdf(np.array([-1.0, 0.0, 1.0])), 4))
        [0.1587 0.5    0.8413]
    """
    q = _erfc_nonneg(np.abs(x) * _INV_SQRT2)  # erfc(|x| / sqrt 2)
    return np.where(x >= 0, 1.0 - 0.5 * q, 0.5 * q)


class GeluOp(Op):
    """``x * Phi(x)``, exact (derivative ``Phi(x) + x * phi(x)``, phi the normal density) or
    with the tanh approximation ``x/2 * (1 + tanh(u))``, ``u = sqrt(2/pi) (x + 0.044715 x^3)``.
    """

    def __init__(self, approximate: bool = False):
        self.approximate = approximate

    def forward(self, x):
        if self.approximate:
            xc = np.clip(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
            t = np.tanh(_SQRT_2_OVER_PI * (xc + _GELU_CUBIC * xc * xc * xc))
            self.save_for_backward(x, xc, t)
            return 0.5 * x * (1.0 + t)
        cdf = _normal_cdf(x)
        self.save_for_backward(x, cdf)
        return x * cdf

    def backward(self, grad):
        if self.approximate:
            x, xc, t = self.saved
            du = _SQRT_2_OVER_PI * (1.0 + (3.0 * _GELU_CUBIC) * xc * xc)
            return grad * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du)
        x, cdf = self.saved
        xc = np.minimum(np.abs(x), 40.0)  # the density is exactly 0 beyond (exp(-800))
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * xc * xc)
        return grad * (cdf + x * pdf)


def gelu_composed(x: Tensor, approximate: bool = False) -> Tensor:
    """``gelu`` from dl-tensor ops: the readable reference of ``GeluOp`` (24 ops instead of one)."""
    if approximate:
        xc = dt.clip(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
        return 0.5 * x * (1.0 + dt.tanh(_SQRT_2_OVER_PI * (xc + _GELU_CUBIC * (xc * xc * xc))))
    z = dt.minimum(dt.abs(x) * _INV_SQRT2, _ERF_CLIP)
    t = 1.0 / (1.0 + _AS_P * z)
    a1, a2, a3, a4, a5 = _AS_A
    q = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5)))) * dt.exp(-(z * z))  # erfc(|x| / sqrt 2)
    return x * dt.where(x >= 0, 1.0 - 0.5 * q, 0.5 * q)  # x * Phi(x)


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit: ``x * Phi(x)``, Phi the standard normal CDF, computed
    to within 1.5e-7 (Abramowitz & Stegun 7.1.26); ``approximate=True`` uses
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))``.

    Examples:
        >>> print(gelu(Tensor([-1.0, 0.0, 1.0])).data.round(4))
        [-0.1587  0.      0.8413]
        >>> print(gelu(Tensor([-1.0, 0.0, 1.0]), approximate=True).data.round(4))
        [-0.1588  0.      0.8412]
    """
    return GeluOp(check_bool("gelu", "approximate", approximate))(_float_tensor("gelu", x))


# -- names: one-line facades over ACTIVATIONS -----------------------------------------------

ACTIVATIONS = Registry("activation", default=linear)
for _fn in (elu, exponential, gelu, hard_sigmoid, leaky_relu, linear, relu, selu, sigmoid, softmax, softplus, tanh):
    ACTIVATIONS.register(_fn)
ACTIVATIONS.register(swish, aliases=("silu",))  # saved as "swish"


def get(identifier):
    """The function for a layer's ``activation=``: None gives ``linear``, a name such as
    ``"relu"`` its function, and any callable is returned as it is.

    Examples:
        >>> get("relu") is relu, get(None) is linear, get("silu") is swish
        (True, True, True)
    """
    return ACTIVATIONS.get(identifier)


def serialize(activation) -> str:
    """The name a built-in activation is saved under (a lambda or your own function raises
    ValueError: it could not be found again by name).

    Examples:
        >>> serialize(relu), serialize(silu), get(serialize(gelu)) is gelu
        ('relu', 'swish', True)
    """
    return ACTIVATIONS.serialize(activation)


def deserialize(config, custom_objects: dict | None = None):
    """The activation ``serialize`` named (``custom_objects`` maps your own names to functions)."""
    return ACTIVATIONS.deserialize(config, custom_objects)
