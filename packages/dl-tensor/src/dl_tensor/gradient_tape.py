"""Gradients returned rather than stored: ``grad`` and the book's ``GradientTape``.

``backward()`` accumulates into ``.grad`` of every leaf, which is what a training loop
wants. Sometimes you want the gradient of one thing with respect to a few tensors, as a
value, leaving every ``.grad`` alone: the second edition of the book does this with
TensorFlow's ``GradientTape``, and ``grad``/``GradientTape`` here do the same on
dl-tensor's engine.
"""

from __future__ import annotations

import numpy as np

from .autodiff import BackwardError, backward, grad_mode
from .tensor import Tensor


def grad(output, inputs, grad_output=None, retain_graph: bool = False) -> list:
    """Gradients of ``output`` with respect to each tensor of ``inputs``, returned, not stored.

    Unlike ``output.backward()``, nothing is written into any ``.grad``. An input that
    ``output`` does not depend on gets None. Inputs may be leaves or tensors computed
    on the way (a layer's output, for Grad-CAM).

    Examples:
        >>> from dl_tensor import Tensor
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> (dx,) = grad((x * x).sum(), [x])
        >>> print(dx, x.grad)
        Tensor([2., 4.], dtype=float32) None
    """
    inputs = list(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{i}] must be a Tensor, got {type(t).__name__}")
    if not output.requires_grad:
        return [None] * len(inputs)
    sink: dict = {}
    backward(output, None if grad_output is None else np.asarray(getattr(grad_output, "data", grad_output)),
             retain_graph, sink, [t for t in inputs if t.requires_grad])
    return [None if id(t) not in sink else Tensor._from_op(sink[id(t)], None, 0, False) for t in inputs]


class GradientTape:
    """The book's second edition asks for gradients with a tape; here is one, on dl-tensor.

    dl-tensor records every op on tensors that require gradients anyway, so the tape
    only turns recording on inside its ``with`` block (even under ``no_grad``), lets you
    ``watch`` constants, and returns gradients with ``gradient`` instead of storing them
    in ``.grad``.

    Args:
        persistent: allow several ``gradient`` calls on the same recording.

    Examples:
        >>> from dl_tensor import Tensor
        >>> x = Tensor(0.0, requires_grad=True)           # the book: tf.Variable(0.)
        >>> with GradientTape() as tape:
        ...     y = 2 * x + 3
        >>> print(tape.gradient(y, x))
        Tensor(2., dtype=float32)
        >>> c = Tensor(3.0)                                # a constant: watch it first
        >>> with GradientTape() as tape:
        ...     tape.watch(c)
        ...     result = c * c
        >>> print(tape.gradient(result, c))
        Tensor(6., dtype=float32)
    """

    def __init__(self, persistent: bool = False):
        self.persistent = persistent
        self._previous = []
        self._used = False

    def __enter__(self):
        self._previous.append(grad_mode.enabled)
        grad_mode.enabled = True
        return self

    def __exit__(self, *exc):
        grad_mode.enabled = self._previous.pop()
        return False

    def watch(self, tensor) -> None:
        """Track a constant (a leaf that does not require gradients) from now on."""
        for t in tensor if isinstance(tensor, list | tuple) else [tensor]:
            if not t.requires_grad:
                if not t.is_leaf or t.dtype.kind != "f":
                    raise TypeError(f"GradientTape.watch: only floating-point leaf tensors can be watched, got {t!r}")
                t.requires_grad = True

    def gradient(self, target, sources, output_gradients=None):
        """d target / d source for one source (a Tensor) or each of a list of them (None where
        target does not depend on a source)."""
        if self._used and not self.persistent:
            raise BackwardError("GradientTape.gradient: a non-persistent tape can only be used once; "
                                "create it with GradientTape(persistent=True) to call gradient several times")
        self._used = True
        single = not isinstance(sources, list | tuple)
        grads = grad(target, [sources] if single else sources, output_gradients, retain_graph=self.persistent)
        return grads[0] if single else grads
