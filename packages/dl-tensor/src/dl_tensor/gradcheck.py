"""Gradient checking: compare backward with finite differences, in float64.

For each input element, the central difference ``(f(x + eps) - f(x - eps)) / (2 eps)``
approximates the derivative with an error of order ``eps**2``; float64 keeps rounding
errors far below that. A non-scalar output is first projected on a fixed random
direction ``v`` (``f = sum(out * v)``), which checks every output at once.

Perturbing every element costs two forward passes per element: fine for a (3, 4) input,
too slow for a convolution kernel or an LSTM's weights. ``mode="directional"`` checks
instead the derivative along a few random directions ``u`` of all inputs at once: the
gradient must satisfy ``sum(grad * u) == (f(x + eps u) - f(x - eps u)) / (2 eps)``, two
passes per direction whatever the size.
"""

from __future__ import annotations

import numpy as np

from .autodiff import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree (the message shows the worst element or direction)."""


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4, seed: int = 0,
              params=(), mode: str = "elements", n_directions: int = 4) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences.

    Which mode: ``"elements"`` (the default) perturbs one element at a time and, on
    failure, names the element whose gradient is wrong; use it for small shapes (up to a
    few hundred elements). ``"directional"`` compares directional derivatives along
    ``n_directions`` random directions (a wrong gradient passes only if its error is
    orthogonal to every direction drawn); use it for Conv2D- or LSTM-sized weights, where
    perturbing every element would take thousands of forward passes.

    Args:
        fn: function of Tensors returning a Tensor (or a tuple of Tensors).
        inputs: arrays or Tensors; floating ones are copied to float64 and checked,
            integer ones (indices, labels) are passed through as constants.
        eps: finite-difference step.
        atol: absolute tolerance: a value passes if
            ``|analytic - numeric| <= atol + rtol * |numeric|``.
        rtol: relative tolerance (see ``atol``).
        seed: seed of the random projection of non-scalar outputs (and of the directions).
        params: float64 leaf Tensors that ``fn`` uses without taking them as arguments
            (a layer's weights); they are checked too, perturbed in place and restored.
        mode: ``"elements"`` or ``"directional"``.
        n_directions: how many random directions ``"directional"`` tries.

    Returns:
        True if every element (or direction) passes.

    Raises:
        GradcheckError: naming the input and element (or the direction) of the worst mismatch.

    Examples:
        >>> from dl_tensor import gradcheck, tanh
        >>> gradcheck(lambda x: tanh(x) * x, [np.array([0.5, -1.0, 2.0])])
        True
        >>> w = np.random.default_rng(0).standard_normal((64, 32))   # 2,048 weights: 8 passes, not 4,096
        >>> gradcheck(lambda w: tanh(w).sum(axis=0), [w], mode="directional")
        True
    """
    if mode not in ("elements", "directional"):
        raise ValueError(f"gradcheck: mode must be 'elements' or 'directional', got {mode!r}")
    if isinstance(n_directions, bool) or not isinstance(n_directions, int) or n_directions < 1:
        raise ValueError(f"gradcheck: n_directions must be a positive integer, got {n_directions!r}")
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
    out = fn(*xs)
    outs = out if isinstance(out, tuple | list) else (out,)
    rng = np.random.default_rng(seed)
    directions = [rng.standard_normal(o.shape) for o in outs]  # projects the outputs on one number
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

    tensors = [x for x, check in zip(xs, checked) if check] + params
    labels = [f"input {i}" for i, check in enumerate(checked) if check] + [f"params[{i}]" for i in range(len(params))]
    grads = []
    for x, label in zip(tensors, labels):
        g = x.grad if x.grad is not None else np.zeros_like(x.data)
        if g.shape != x.shape or g.dtype != np.float64:
            raise GradcheckError(f"gradcheck: gradient of {label} has shape {g.shape} and dtype {g.dtype}; "
                                 f"expected {x.shape} and float64")
        grads.append(g)
    if mode == "directional":
        return _check_directions(f, tensors, grads, eps, atol, rtol, rng, n_directions)

    worst = None  # (excess over tolerance, label, shape, index, analytic, numeric)
    for x, label, analytic in zip(tensors, labels, grads):
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
                worst = (excess, label, x.shape, idx, a, numeric)
    if worst is not None and worst[0] > 0:
        _, label, shape, idx, a, n = worst
        raise GradcheckError(
            f"gradcheck: {label} (shape {shape}) at index {tuple(int(k) for k in idx)}: "
            f"analytic gradient {a:.8g}, numeric {n:.8g}, difference {abs(a - n):.3g} "
            f"(allowed {atol + rtol * abs(n):.3g})"
        )
    return True


def _check_directions(f, tensors, grads, eps, atol, rtol, rng, n_directions) -> bool:
    """Directional derivatives along random unit directions against central differences."""
    originals = [x.data.copy() for x in tensors]
    for k in range(n_directions):
        u = [rng.standard_normal(x.shape) for x in tensors]
        norm = np.sqrt(sum(float((d * d).sum()) for d in u)) or 1.0
        u = [d / norm for d in u]  # one unit direction in the space of all checked values
        analytic = float(sum((g * d).sum() for g, d in zip(grads, u)))
        for x, x0, d in zip(tensors, originals, u):
            x.data[...] = x0 + eps * d
        f_plus = f()
        for x, x0, d in zip(tensors, originals, u):
            x.data[...] = x0 - eps * d
        f_minus = f()
        for x, x0 in zip(tensors, originals):
            x.data[...] = x0
        numeric = (f_plus - f_minus) / (2 * eps)
        allowed = atol + rtol * abs(numeric)
        if not abs(analytic - numeric) <= allowed:  # also catches NaN
            raise GradcheckError(
                f"gradcheck (directional): along random direction {k}, analytic directional derivative "
                f"{analytic:.8g}, numeric {numeric:.8g}, difference {abs(analytic - numeric):.3g} (allowed "
                f"{allowed:.3g}); use mode='elements' on smaller shapes to find the wrong element"
            )
    return True
