"""Activation functions: the element-wise non-linearities applied after a layer's affine map.

Without them a stack of ``Dense`` layers collapses into a single linear map (chapter 3).
Every function here takes a floating-point ``Tensor`` of any shape and returns a
``Tensor`` of the same shape and dtype (float32 stays float32, float64 stays float64).

Two kinds of implementation live side by side:

* ``relu``, ``sigmoid``, ``tanh``, ``softmax`` and ``exponential`` reuse dl-tensor's ops.
* ``elu``, ``selu``, ``gelu``, ``swish``, ``leaky_relu`` and ``softplus`` are *fused*
  ``Op``s: one NumPy forward and one hand-written backward each, instead of a chain of
  five or six small ops. Each is written to be safe for huge ``|x|``: only ``min(x, 0)``
  is exponentiated, ``softplus`` is ``max(x, 0) + log1p(exp(-|x|))``, and so on. Next to
  each fused op sits a readable *composed twin* (``_elu_composed``...), built from
  dl-tensor functions, that autodiff differentiates for us; the tests check that both
  agree, values and gradients.

Layers receive their activation by name; ``get`` turns a name into the function and
``serialize`` turns a built-in function back into its name for a layer's config.

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

__all__ = [
    "elu",
    "exponential",
    "gelu",
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

# Abramowitz & Stegun, Handbook of Mathematical Functions, formula 7.1.26:
# for z >= 0, erfc(z) ~= (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) exp(-z^2),
# with t = 1 / (1 + p z); the absolute error of erf is below 1.5e-7.
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_ERF_CLIP = 30.0  # erfc(30) < 1e-390: beyond it the result is 0 anyway


# -- helpers ----------------------------------------------------------------------------


def _float_tensor(fn_name: str, x) -> Tensor:
    """``x`` as a floating-point Tensor, or a TypeError naming ``fn_name``."""
    x = dt.as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{fn_name}: argument `x` must be a floating-point tensor, got dtype {x.dtype} "
            "(cast it first, e.g. x.astype('float32'))"
        )
    return x


def _real(fn_name: str, arg: str, value) -> float:
    """``value`` as a Python float, or a TypeError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{fn_name}: argument `{arg}` must be a real number, got {value!r}")
    return float(value)


def _erfc_nonneg(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z >= 0 by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7)."""
    z = np.minimum(z, _ERF_CLIP)  # keeps z * z finite for any input
    t = 1.0 / (1.0 + _AS_P * z)
    a1, a2, a3, a4, a5 = _AS_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))  # Horner's scheme
    return poly * np.exp(-z * z)


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function, element-wise, to within 1.5e-7 (NumPy has none).

    Uses Abramowitz & Stegun's formula 7.1.26 on ``|x|`` and erf's oddness,
    ``erf(-x) = -erf(x)``. The dtype of ``x`` is kept.

    Examples:
        >>> print(np.round(_erf(np.array([-1.0, 0.0, 0.5])), 4))
        [-0.8427  0.      0.5205]
    """
    q = _erfc_nonneg(np.abs(x))
    return np.where(x >= 0, 1.0 - q, q - 1.0)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) = P(N(0, 1) <= x) = (1 + erf(x / sqrt 2)) / 2, without cancellation for x < 0."""
    q = _erfc_nonneg(np.abs(x) * _INV_SQRT2)  # erfc(|x| / sqrt 2)
    return np.where(x >= 0, 1.0 - 0.5 * q, 0.5 * q)


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) that only ever exponentiates -|x| (no overflow)."""
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


# -- activations built from dl-tensor's ops ---------------------------------------------


def relu(x) -> Tensor:
    """Rectified linear unit, ``max(x, 0)``, element-wise (gradient 0 at 0).

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(relu(Tensor([-1.0, 0.0, 2.0])))
        Tensor([0., 0., 2.], dtype=float32)
    """
    return dt.relu(_float_tensor("relu", x))


def sigmoid(x) -> Tensor:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, in (0, 1); stable for any ``x``.

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(sigmoid(Tensor([-1000.0, 0.0, 1000.0])))
        Tensor([0. , 0.5, 1. ], dtype=float32)
    """
    return dt.sigmoid(_float_tensor("sigmoid", x))


def tanh(x) -> Tensor:
    """Hyperbolic tangent, in (-1, 1).

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(tanh(Tensor([-100.0, 0.0, 100.0])))
        Tensor([-1.,  0.,  1.], dtype=float32)
    """
    return dt.tanh(_float_tensor("tanh", x))


def softmax(x, axis: int = -1) -> Tensor:
    """Exponentials normalised to sum to 1 along ``axis``: a probability distribution.

    Args:
        x: floating-point tensor, e.g. logits of shape (batch, classes).
        axis: the axis that sums to 1 (the last one by default).

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(softmax(Tensor([[0.0, 0.0], [1000.0, 1000.0]])))
        Tensor([[0.5, 0.5],
                [0.5, 0.5]], dtype=float32)
    """
    return dt.softmax(_float_tensor("softmax", x), axis)


def linear(x) -> Tensor:
    """The identity: what a layer with ``activation=None`` applies.

    Args:
        x: tensor (or array-like) of any shape.

    Returns:
        ``x`` itself (converted to a Tensor if it was not one).

    Examples:
        >>> print(linear(Tensor([-1.0, 2.0])))
        Tensor([-1.,  2.], dtype=float32)
    """
    return dt.as_tensor(x)


def exponential(x) -> Tensor:
    """``exp(x)``, element-wise.

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(exponential(Tensor([0.0, 1.0])).data.round(4))
        [1.     2.7183]
    """
    return dt.exp(_float_tensor("exponential", x))


def hard_sigmoid(x) -> Tensor:
    """A piecewise-linear sigmoid: ``clip(x / 6 + 1/2, 0, 1)`` (0 below -3, 1 above 3).

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(hard_sigmoid(Tensor([-6.0, 0.0, 1.5, 6.0])))
        Tensor([0.  , 0.5 , 0.75, 1.  ], dtype=float32)
    """
    x = _float_tensor("hard_sigmoid", x)
    return dt.clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0)


# -- fused ops --------------------------------------------------------------------------


class Elu(Op):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise; derivative 1 or ``alpha * exp(x)``."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x):
        pos = x > 0
        neg = np.minimum(x, 0)  # only non-positive values are exponentiated
        if self.needs_grad:
            self.save_for_backward(pos, np.exp(neg))
        return np.where(pos, x, self.alpha * np.expm1(neg))

    def backward(self, grad):
        pos, exp_neg = self.saved
        return np.where(pos, grad, grad * (self.alpha * exp_neg))


class Selu(Op):
    """``scale * elu(x, alpha)`` with SELU's fixed ``alpha`` and ``scale``."""

    def forward(self, x):
        pos = x > 0
        neg = np.minimum(x, 0)
        if self.needs_grad:
            self.save_for_backward(pos, np.exp(neg))
        return SELU_SCALE * np.where(pos, x, SELU_ALPHA * np.expm1(neg))

    def backward(self, grad):
        pos, exp_neg = self.saved
        return np.where(pos, SELU_SCALE * grad, grad * ((SELU_SCALE * SELU_ALPHA) * exp_neg))


class Gelu(Op):
    """``x * Phi(x)`` (Phi: the standard normal CDF), exact or with the tanh approximation.

    Exact: derivative ``Phi(x) + x * phi(x)``, with ``phi`` the normal density.
    Approximate: ``x/2 * (1 + tanh(u))``, ``u = sqrt(2/pi) (x + 0.044715 x^3)``, derivative
    ``(1 + tanh(u))/2 + x/2 * (1 - tanh(u)^2) * du/dx``.
    """

    def __init__(self, approximate: bool = False):
        self.approximate = approximate

    def forward(self, x):
        if self.approximate:
            # tanh(u) is exactly +-1 once |x| > 10, so clipping changes nothing but
            # keeps x^3 from overflowing
            xc = np.clip(x, -20.0, 20.0)
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


class Swish(Op):
    """``x * sigmoid(x)``; derivative ``s + x s (1 - s)`` with ``s = sigmoid(x)``."""

    def forward(self, x):
        s = _stable_sigmoid(x)
        self.save_for_backward(x, s)
        return x * s

    def backward(self, grad):
        x, s = self.saved
        return grad * (s * (1.0 + x * (1.0 - s)))


class LeakyRelu(Op):
    """``x`` for x > 0, ``negative_slope * x`` otherwise; derivative 1 or ``negative_slope``."""

    def __init__(self, negative_slope: float = 0.2):
        self.negative_slope = negative_slope

    def forward(self, x):
        pos = x > 0
        self.save_for_backward(pos)
        return np.where(pos, x, self.negative_slope * x)

    def backward(self, grad):
        (pos,) = self.saved
        return np.where(pos, grad, self.negative_slope * grad)


class Softplus(Op):
    """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))``; derivative ``sigmoid(x)``."""

    def forward(self, x):
        e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
        if self.needs_grad:
            self.save_for_backward(np.where(x >= 0, 1.0, e) / (1.0 + e))  # sigmoid(x)
        return np.maximum(x, 0) + np.log1p(e)

    def backward(self, grad):
        (s,) = self.saved
        return grad * s


# -- the public fused activations -------------------------------------------------------


def elu(x, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: ``x`` if x > 0 else ``alpha * (exp(x) - 1)``.

    Smooth for ``alpha = 1``, and negative outputs (down to ``-alpha``) push mean
    activations towards 0.

    Args:
        x: floating-point tensor of any shape.
        alpha: the value approached for very negative ``x`` is ``-alpha``.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(elu(Tensor([-1.0, 0.0, 2.0])).data.round(4))
        [-0.6321  0.      2.    ]
    """
    return Elu(_real("elu", "alpha", alpha))(_float_tensor("elu", x))


def selu(x) -> Tensor:
    """Scaled ELU: ``scale * elu(x, alpha)`` with alpha ~1.6733 and scale ~1.0507.

    Pairs with ``lecun_normal`` initialisation to keep activations self-normalising.

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(selu(Tensor([-1.0, 0.0, 2.0])).data.round(4))
        [-1.1113  0.      2.1014]
    """
    return Selu()(_float_tensor("selu", x))


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit: ``x * Phi(x)``, Phi the standard normal CDF.

    ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``. NumPy has no ``erf``, so the exact form uses
    Abramowitz & Stegun's rational approximation 7.1.26 (absolute error below 1.5e-7,
    about float32's resolution); the gradient uses the exact normal density.

    Args:
        x: floating-point tensor of any shape.
        approximate: use ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))`` instead.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(gelu(Tensor([-1.0, 0.0, 1.0])).data.round(4))
        [-0.1587  0.      0.8413]
        >>> print(gelu(Tensor([-1.0, 0.0, 1.0]), approximate=True).data.round(4))
        [-0.1588  0.      0.8412]
    """
    if not isinstance(approximate, bool | np.bool_):
        raise TypeError(f"gelu: argument `approximate` must be True or False, got {approximate!r}")
    return Gelu(bool(approximate))(_float_tensor("gelu", x))


def swish(x) -> Tensor:
    """Swish, also called SiLU: ``x * sigmoid(x)``.

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(swish(Tensor([-1.0, 0.0, 2.0])).data.round(4))
        [-0.2689  0.      1.7616]
    """
    return Swish()(_float_tensor("swish", x))


silu = swish


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    """Leaky ReLU: ``x`` if x > 0 else ``negative_slope * x`` (a small gradient for x < 0).

    Args:
        x: floating-point tensor of any shape.
        negative_slope: slope for negative inputs.

    Returns:
        A tensor of the same shape and dtype.

    Examples:
        >>> print(leaky_relu(Tensor([-5.0, 0.0, 2.0])))
        Tensor([-1.,  0.,  2.], dtype=float32)
    """
    return LeakyRelu(_real("leaky_relu", "negative_slope", negative_slope))(_float_tensor("leaky_relu", x))


def softplus(x) -> Tensor:
    """Softplus, ``log(1 + exp(x))``: a smooth ReLU whose derivative is ``sigmoid(x)``.

    Args:
        x: floating-point tensor of any shape.

    Returns:
        A tensor of the same shape and dtype (finite for any finite ``x``).

    Examples:
        >>> print(softplus(Tensor([-30.0, 0.0, 30.0])).data.round(4))
        [ 0.      0.6931 30.    ]
    """
    return Softplus()(_float_tensor("softplus", x))


# -- composed twins: the same functions from dl-tensor ops (the tests' reference) -------


def _elu_composed(x, alpha: float = 1.0) -> Tensor:
    x = _float_tensor("elu", x)
    return dt.where(x > 0, x, alpha * (dt.exp(dt.minimum(x, 0.0)) - 1.0))


def _selu_composed(x) -> Tensor:
    return SELU_SCALE * _elu_composed(x, SELU_ALPHA)


def _gelu_composed(x, approximate: bool = False) -> Tensor:
    x = _float_tensor("gelu", x)
    if approximate:
        u = _SQRT_2_OVER_PI * (x + _GELU_CUBIC * (x * x * x))
        return 0.5 * x * (1.0 + dt.tanh(u))
    z = dt.abs(x) * _INV_SQRT2
    t = 1.0 / (1.0 + _AS_P * z)
    a1, a2, a3, a4, a5 = _AS_A
    q = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5)))) * dt.exp(-(z * z))  # erfc(|x| / sqrt 2)
    return x * dt.where(x >= 0, 1.0 - 0.5 * q, 0.5 * q)


def _swish_composed(x) -> Tensor:
    x = _float_tensor("swish", x)
    return x * dt.sigmoid(x)


def _leaky_relu_composed(x, negative_slope: float = 0.2) -> Tensor:
    x = _float_tensor("leaky_relu", x)
    return dt.where(x > 0, x, negative_slope * x)


def _softplus_composed(x) -> Tensor:
    x = _float_tensor("softplus", x)
    return dt.relu(x) + dt.log(1.0 + dt.exp(-dt.abs(x)))


# -- names ------------------------------------------------------------------------------

_BY_NAME = {
    "elu": elu,
    "exponential": exponential,
    "gelu": gelu,
    "hard_sigmoid": hard_sigmoid,
    "leaky_relu": leaky_relu,
    "linear": linear,
    "relu": relu,
    "selu": selu,
    "sigmoid": sigmoid,
    "silu": swish,
    "softmax": softmax,
    "softplus": softplus,
    "swish": swish,
    "tanh": tanh,
}
# function -> the name it is saved under (``swish`` rather than its alias ``silu``)
_NAME_OF = {fn: name for name, fn in _BY_NAME.items() if name != "silu"}


def _valid_names() -> str:
    return ", ".join(repr(n) for n in sorted(_BY_NAME))


def get(identifier):
    """Resolve a layer's ``activation=`` argument to a function.

    Args:
        identifier: None (no activation: ``linear``), a name such as ``"relu"`` (``"silu"``
            is another name of ``"swish"``), or any callable (returned as is).

    Returns:
        A function from Tensor to Tensor.

    Raises:
        ValueError: for an unknown name or a value that is neither None, str nor callable;
            the message lists the valid names.

    Examples:
        >>> get("relu") is relu, get(None) is linear, get("silu") is swish
        (True, True, True)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise ValueError(
                f"activations.get: argument `identifier` is not a known activation: got "
                f"{identifier!r}; expected None, a callable, or one of {_valid_names()}"
            )
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(
        f"activations.get: argument `identifier` must be None, a string or a callable, got "
        f"{identifier!r} of type {type(identifier).__name__}; valid names: {_valid_names()}"
    )


def serialize(activation) -> str:
    """The name a built-in activation is saved under in a layer's config.

    Args:
        activation: a built-in activation function (or its name).

    Returns:
        Its name, e.g. ``"relu"``; ``get`` turns it back into the function.

    Raises:
        ValueError: for a lambda or any other function that is not built in: such a
            function has no name that ``get`` could resolve when the config is loaded.

    Examples:
        >>> serialize(relu), serialize(silu), get(serialize(gelu)) is gelu
        ('relu', 'swish', True)
    """
    if isinstance(activation, str):
        return _NAME_OF[get(activation)]
    name = _NAME_OF.get(activation) if callable(activation) else None
    if name is None:
        what = getattr(activation, "__name__", type(activation).__name__)
        raise ValueError(
            f"activations.serialize: argument `activation` is not a built-in activation, got "
            f"{what!r}; only built-in activations can be saved by name (a lambda or custom "
            f"function cannot be: pass the layer a name instead). Built-in names: {_valid_names()}"
        )
    return name
