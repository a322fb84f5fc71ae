"""Weight regularizers: penalties on large weights, added to the loss (chapter 5).

A model that fits its training data too closely often does so with large weights.
Adding a *weight penalty* to the loss makes every step also pull the weights towards 0:

* L1: ``l1 * sum(|w|)``, whose gradient ``l1 * sign(w)`` drives small weights to exactly 0;
* L2 ("weight decay"): ``l2 * sum(w ** 2)``, whose gradient ``2 * l2 * w`` shrinks every
  weight in proportion to its size.

A regularizer is a callable object ``reg(weight) -> scalar Tensor``; a layer created with
``kernel_regularizer=regularizers.l2(0.001)`` adds ``reg(kernel)`` to the loss at every
training step. Both penalties are one fused ``Op`` (one pass over the weight, forward and
backward); the gradient is exact everywhere except at ``w = 0``, where L1 uses 0.

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

import math

import numpy as np

import dl_tensor as dt
from dl_tensor import Op, Tensor

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2", "serialize"]


def _check_factor(owner: str, name: str, value) -> float:
    """A penalty factor: a finite number >= 0, as a Python float."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{owner}: argument `{name}` must be a non-negative number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{owner}: argument `{name}` must be a finite number >= 0, got {value!r}")
    return value


class WeightPenalty(Op):
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


class Regularizer:
    """Base class: a callable ``(weight: Tensor) -> scalar Tensor`` with a config.

    Subclasses implement ``__call__`` and list their constructor arguments in
    ``get_config``, so that ``type(reg).from_config(reg.get_config())`` rebuilds them.
    """

    def __call__(self, weight) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(weight)")

    def get_config(self) -> dict:
        """The constructor arguments, as a dict of Python floats."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a regularizer from ``get_config()``'s dict."""
        if not isinstance(config, dict):
            raise TypeError(f"{cls.__name__}.from_config: argument `config` must be a dict, got {config!r}")
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


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
        self.l1 = _check_factor(name, "l1", l1)
        self.l2 = _check_factor(name, "l2", l2)

    def __call__(self, weight) -> Tensor:
        """The penalty on ``weight`` (a Tensor of any shape), as a scalar Tensor of its dtype."""
        weight = dt.as_tensor(weight)
        if weight.dtype.kind != "f":
            raise TypeError(
                f"{type(self).__name__}: argument `weight` must be a floating-point tensor, got dtype {weight.dtype}"
            )
        return WeightPenalty(self.l1, self.l2)(weight)

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


# -- names ------------------------------------------------------------------------------

# snake-case strings name the functions above, called with their defaults;
# class names (in strings or ``serialize``'s dicts) name the classes
_FUNCTIONS = {"l1": l1, "l2": l2, "l1_l2": l1_l2}
_CLASSES = {cls.__name__: cls for cls in (L1, L2, L1L2)}
_BY_NAME = {**_FUNCTIONS, **_CLASSES}
_CLASSES.update({"l1": L1, "l2": L2, "l1_l2": L1L2})


def _valid_names() -> str:
    return ", ".join(repr(n) for n in sorted(_BY_NAME))


def get(identifier):
    """Resolve a layer's ``kernel_regularizer=`` (or ``bias_regularizer=``) argument.

    Args:
        identifier: None (no penalty), ``"l1"``, ``"l2"`` or ``"l1_l2"`` (factors 0.01),
            a class name ``"L1"``, ``"L2"``, ``"L1L2"`` (the class's defaults), a dict
            ``{"class_name": "L2", "config": {"l2": 0.001}}`` as made by ``serialize``,
            a ``Regularizer``, or any callable ``weight -> scalar Tensor``.

    Returns:
        A regularizer (a new one for names and dicts), or None.

    Raises:
        ValueError: for an unknown name or an unsupported value; the message lists the
            valid names.

    Examples:
        >>> get("l2"), get({"class_name": "L1", "config": {"l1": 0.5}}), get(None)
        (L2(l2=0.01), L1(l1=0.5), None)
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        make = _BY_NAME.get(identifier)
        if make is None:
            raise ValueError(f"regularizers.get: unknown regularizer {identifier!r}; valid names: {_valid_names()}")
        return make()
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        cls = _CLASSES.get(name) if isinstance(name, str) else None
        if cls is None or set(identifier) - {"class_name", "config"}:
            raise ValueError(
                "regularizers.get: a dict identifier must look like {'class_name': 'L2', 'config': "
                f"{{'l2': 0.001}}}} with class_name one of {', '.join(repr(n) for n in sorted(_CLASSES))}; "
                f"got {identifier!r}"
            )
        return cls.from_config(identifier.get("config") or {})
    if callable(identifier):
        return identifier
    raise ValueError(
        f"regularizers.get: argument `identifier` must be None, a name, a dict, a Regularizer or a "
        f"callable, got {identifier!r} of type {type(identifier).__name__}; valid names: {_valid_names()}"
    )


def serialize(regularizer):
    """A regularizer as ``{"class_name": ..., "config": {...}}`` (None stays None).

    Args:
        regularizer: None or a built-in ``Regularizer``.

    Returns:
        A dict that ``get`` turns back into an equal regularizer, or None.

    Raises:
        ValueError: for a plain function or other object (it cannot be saved in a config).

    Examples:
        >>> serialize(l2(0.001))
        {'class_name': 'L2', 'config': {'l2': 0.001}}
    """
    if regularizer is None:
        return None
    if isinstance(regularizer, str):
        regularizer = get(regularizer)
    if not isinstance(regularizer, Regularizer) or type(regularizer).__name__ not in _CLASSES:
        raise ValueError(
            f"regularizers.serialize: argument `regularizer` must be None or a built-in Regularizer "
            f"(L1, L1L2, L2), got {regularizer!r}; a plain function cannot be saved in a config"
        )
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
