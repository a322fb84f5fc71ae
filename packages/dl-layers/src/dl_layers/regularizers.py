"""Weight regularizers: penalties on large weights, added to the loss (chapter 5).

A model that fits its training data too closely often does so with large weights.
Adding a *weight penalty* to the loss makes every step also pull the weights towards 0:

* L1: ``l1 * sum(|w|)``, whose gradient ``l1 * sign(w)`` drives small weights to exactly 0;
* L2 ("weight decay"): ``l2 * sum(w ** 2)``, whose gradient ``2 * l2 * w`` shrinks every
  weight in proportion to its size.

A regularizer is a callable object ``reg(weight) -> scalar Tensor``; a layer created with
``kernel_regularizer=regularizers.l2(0.001)`` adds ``reg(kernel)`` to the loss at every
training step. Both penalties are one fused op, ``WeightPenaltyOp`` (one pass over the
weight, forward and backward), directly followed by its readable twin
``weight_penalty_composed``, which the tests hold it equal to; the gradient is exact
everywhere except at ``w = 0``, where L1 uses 0.

Names and configs go through ``REGULARIZERS``: ``"l1"``, ``"l2"``, ``"l1_l2"``, the class
names, and your own subclasses of ``Regularizer`` by their class name.

Examples:
    >>> from dl_tensor import Tensor
    >>> w = Tensor([[1.0, -2.0], [0.5, 0.0]], requires_grad=True)
    >>> penalty = l2(0.001)(w)          # 0.001 * (1 + 4 + 0.25)
    >>> print(round(penalty.item(), 6))
    0.00525
    >>> penalty.backward()
    >>> print(w.grad)                   # 2 * 0.001 * w
    [[ 0.002 -0.004]
     [ 0.001  0.   ]]
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_tensor import Op, Tensor

from .checks import check_number
from .registry import Configurable, Registrable, Registry

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "REGULARIZERS",
    "Regularizer",
    "WeightPenaltyOp",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "serialize",
    "weight_penalty_composed",
]


class WeightPenaltyOp(Op):
    """``l1 * sum(|w|) + l2 * sum(w ** 2)`` as a scalar; gradient ``l1 sign(w) + 2 l2 w``."""

    def __init__(self, l1: float, l2: float):
        self.l1, self.l2 = l1, l2

    def forward(self, w):
        self.save_for_backward(w)
        total = np.zeros((), w.dtype)
        if self.l1:
            total = total + self.l1 * np.abs(w).sum()
        if self.l2:
            total = total + self.l2 * np.square(w).sum()
        return np.asarray(total, w.dtype)  # shape ()

    def backward(self, grad):
        (w,) = self.saved
        g = np.zeros_like(w)
        if self.l1:
            g += self.l1 * np.sign(w)
        if self.l2:
            g += (2.0 * self.l2) * w
        return grad * g  # () * w.shape


def weight_penalty_composed(w: Tensor, l1: float, l2: float) -> Tensor:
    """``l1 * sum(|w|) + l2 * sum(w ** 2)`` from dl-tensor ops (the reference of ``WeightPenaltyOp``)."""
    return l1 * dt.abs(w).sum() + l2 * (w * w).sum()


class Regularizer(Configurable, Registrable):
    """Base class: a callable ``(weight: Tensor) -> scalar Tensor`` with a config.

    Subclasses implement ``__call__`` and list their constructor arguments in
    ``get_config``; defining one registers it, so a saved model finds it by class name.
    """


    def __call__(self, weight) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(weight)")


class _RegularizerRegistry(Registry):
    """As tf.keras, the name ``"l1_l2"`` gives the function's factors (0.01 each), not ``L1L2()``'s (0)."""

    def get(self, identifier, custom_objects=None):
        if isinstance(identifier, str) and identifier == "l1_l2":
            return l1_l2()
        return super().get(identifier, custom_objects)


REGULARIZERS = _RegularizerRegistry("regularizer", base=Regularizer)


class L1L2(Regularizer):
    """The sum of an L1 and an L2 penalty: ``l1 * sum(|w|) + l2 * sum(w ** 2)``.

    Args:
        l1: L1 factor (>= 0).
        l2: L2 factor (>= 0).

    Examples:
        >>> from dl_tensor import Tensor
        >>> penalty = L1L2(l1=0.1, l2=0.01)(Tensor([3.0, -4.0]))   # 0.1 * 7 + 0.01 * 25
        >>> print(round(penalty.item(), 4))
        0.95
    """

    def __init__(self, l1=0.0, l2=0.0):
        name = type(self).__name__
        self.l1 = check_number(name, "l1", l1, minimum=0)
        self.l2 = check_number(name, "l2", l2, minimum=0)

    def __call__(self, weight) -> Tensor:
        """The penalty on ``weight`` (a Tensor of any shape), as a scalar Tensor of its dtype."""
        weight = dt.as_tensor(weight)
        if weight.dtype.kind != "f":
            raise TypeError(
                f"{type(self).__name__}: argument `weight` must be a floating-point tensor, got dtype {weight.dtype}"
            )
        return WeightPenaltyOp(self.l1, self.l2)(weight)

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """L1 penalty ``l1 * sum(|w|)``: pushes weights to exactly 0 (sparse weights).

    Args:
        l1: factor (>= 0).

    Examples:
        >>> from dl_tensor import Tensor
        >>> print(L1(0.5)(Tensor([1.0, -2.0])))
        Tensor(1.5, dtype=float32)
    """

    def __init__(self, l1=0.01):
        super().__init__(l1=l1, l2=0.0)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """L2 penalty ``l2 * sum(w ** 2)`` ("weight decay"): shrinks every weight.

    Args:
        l2: factor (>= 0).

    Examples:
        >>> from dl_tensor import Tensor
        >>> print(L2(0.5)(Tensor([1.0, -2.0])))
        Tensor(2.5, dtype=float32)
    """

    def __init__(self, l2=0.01):
        super().__init__(l1=0.0, l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


def l1(l1=0.01) -> L1:
    """An L1 penalty with factor ``l1``, as the book writes it: ``regularizers.l1(0.001)``.

    Examples:
        >>> l1(0.001)
        L1(l1=0.001)
    """
    return L1(l1)


def l2(l2=0.01) -> L2:
    """An L2 penalty with factor ``l2``, as the book writes it: ``regularizers.l2(0.001)``.

    Examples:
        >>> l2(0.001)
        L2(l2=0.001)
    """
    return L2(l2)


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    """Both penalties at once: ``regularizers.l1_l2(l1=0.001, l2=0.001)``.

    Examples:
        >>> l1_l2(l1=0.001, l2=0.002)
        L1L2(l1=0.001, l2=0.002)
    """
    return L1L2(l1=l1, l2=l2)


# -- names: one-line facades over REGULARIZERS ----------------------------------------------


def get(identifier):
    """The regularizer for a layer's ``kernel_regularizer=`` (or ``bias_regularizer=``).

    None gives None; ``"l1"``, ``"l2"``, ``"l1_l2"`` the book's functions with their
    factors (0.01); a class name (``"L1L2"``) the class with its defaults; a ``serialize``
    dict the regularizer it describes; a ``Regularizer`` or a function ``weight -> scalar
    Tensor`` is returned as it is.

    Examples:
        >>> get("l2"), get({"class_name": "L1", "config": {"l1": 0.5}}), get(None)
        (L2(l2=0.01), L1(l1=0.5), None)
    """
    return REGULARIZERS.get(identifier)


def serialize(regularizer):
    """A regularizer as ``{"class_name": ..., "config": {...}}`` (None stays None).

    Examples:
        >>> serialize(l2(0.001))
        {'class_name': 'L2', 'config': {'l2': 0.001}}
    """
    return REGULARIZERS.serialize(regularizer)


def deserialize(config, custom_objects: dict | None = None):
    """The regularizer ``serialize`` described (your own classes are found by name, or in ``custom_objects``)."""
    return REGULARIZERS.deserialize(config, custom_objects)
