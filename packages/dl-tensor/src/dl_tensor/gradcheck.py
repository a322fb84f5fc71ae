"""Gradient checking: compare backward with finite differences, in float64.

For each input element, the central difference ``(f(x + eps) - f(x - eps)) / (2 eps)``
approximates the derivative with an error of order ``eps**2``; float64 keeps rounding
errors far below that. A non-scalar output is first projected on a fixed random
direction ``v`` (``f = sum(out * v)``), which checks every output at once.
"""

from __future__ import annotations

import numpy as np

from .autodiff import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree (the message shows the worst element)."""


def _projected(fn, inputs, directions=None, seed=0):
    out = fn(*inputs)
    outs = out if isinstance(out, tuple | list) else (out,)
    if directions is None:
        rng = np.random.default_rng(seed)
        directions = [rng.standard_normal(o.shape) for o in outs]
    return outs, directions


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4, seed: int = 0,
              params=()) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences.

    Args:
        fn: function of Tensors returning a Tensor (or a tuple of Tensors).
        inputs: arrays or Tensors; floating ones are copied to float64 and checked,
            integer ones (indices, labels) are passed through as constants.
        eps: finite-difference step.
        atol: absolute tolerance: an element passes if
            ``|analytic - numeric| <= atol + rtol * |numeric|``.
        rtol: relative tolerance (see ``atol``).
        seed: seed of the random projection of non-scalar outputs.
        params: float64 leaf Tensors that ``fn`` uses without taking them as arguments
            (a layer's weights); they are checked too, perturbed in place and restored.

    Returns:
        True if every element passes.

    Raises:
        GradcheckError: naming the input, the element and both values of the worst mismatch.

    Examples:
        >>> import numpy as np
        >>> from dl_tensor import gradcheck, tanh
        >>> gradcheck(lambda x: tanh(x) * x, [np.array([0.5, -1.0, 2.0])])
        True
    """
    xs, checked = [], []
    for x in inputs:
        arr = x.data if isinstance(x, Tensor) else np.asarray(x)
        if arr.dtype.kind == "f":
            xs.append(Tensor(np.array(arr, dtype=np.float64), requires_grad=True, dtype=np.float64))
            checked.append(True)
        else:
            xs.append(Tensor(arr, dtype=arr.dtype))
            checked.append(False)

    params = list(params)
    for i, p in enumerate(params):
        if p.dtype != np.float64 or not p.requires_grad or not p.is_leaf:
            raise GradcheckError(f"gradcheck: params[{i}] must be a float64 leaf tensor with requires_grad=True")
        p.grad = None
    outs, directions = _projected(fn, xs, seed=seed)
    for o in outs:
        if o.dtype != np.float64:
            raise GradcheckError(f"gradcheck: fn returned a {o.dtype} output from float64 inputs (float64 was lost)")
    loss = None
    for o, v in zip(outs, directions):
        term = (o * Tensor(v, dtype=np.float64)).sum()
        loss = term if loss is None else loss + term
    if loss.requires_grad:
        loss.backward()

    def f() -> float:
        with no_grad():
            o2 = fn(*xs)
        o2 = o2 if isinstance(o2, tuple | list) else (o2,)
        return float(sum((np.asarray(o.data, np.float64) * v).sum() for o, v in zip(o2, directions)))

    worst = None  # (excess over tolerance, input, index, analytic, numeric)
    for i, (x, check) in enumerate(zip(xs + params, checked + [True] * len(params))):
        if not check:
            continue
        analytic = x.grad if x.grad is not None else np.zeros_like(x.data)
        if analytic.shape != x.shape or analytic.dtype != np.float64:
            raise GradcheckError(
                f"gradcheck: gradient of input {i} has shape {analytic.shape} and dtype "
                f"{analytic.dtype}; expected {x.shape} and float64"
            )
        for idx in np.ndindex(x.shape):  # works for any memory layout
            old = x.data[idx]
            x.data[idx] = old + eps
            f_plus = f()
            x.data[idx] = old - eps
            f_minus = f()
            x.data[idx] = old
            numeric = (f_plus - f_minus) / (2 * eps)
            a = analytic[idx]
            excess = abs(a - numeric) - (atol + rtol * abs(numeric))
            if not np.isfinite(excess):  # a NaN or infinite gradient is always the worst
                excess = np.inf
            if worst is None or excess > worst[0]:
                worst = (excess, i, idx, a, numeric)
    if worst is not None and worst[0] > 0:
        _, i, idx, a, n = worst
        which = f"input {i}" if i < len(xs) else f"params[{i - len(xs)}]"
        raise GradcheckError(
            f"gradcheck: {which} (shape {(xs + params)[i].shape}) at index {tuple(int(k) for k in idx)}: "
            f"analytic gradient {a:.8g}, numeric {n:.8g}, difference {abs(a - n):.3g} "
            f"(allowed {atol + rtol * abs(n):.3g})"
        )
    return True
