"""Reverse-mode automatic differentiation: the backward pass and grad mode.

``backward(root)`` walks the graph of ``Op``s that produced ``root`` once, in reverse
topological order, asks each op for the gradients of its inputs, undoes broadcasting in
one place (``unbroadcast``), and accumulates gradients: into ``.grad`` for leaf tensors,
into a dictionary for intermediate ones, which is emptied as soon as each op has used it.
"""

from __future__ import annotations

import contextlib

import numpy as np


class ShapeError(ValueError):
    """Shapes that do not fit an operation (the message names the op and the shapes)."""


class BackwardError(RuntimeError):
    """A backward pass that cannot run (non-scalar root without a gradient, freed graph...)."""


class _GradMode:
    """Global switch read by every op call: record the graph or not."""

    enabled = True


grad_mode = _GradMode()


class no_grad(contextlib.ContextDecorator):
    """Turn graph recording off, as a context manager or as a decorator.

    Examples:
        >>> from dl_tensor import Tensor, no_grad
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> with no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    def __init__(self):
        self._previous = []

    def __enter__(self):
        self._previous.append(grad_mode.enabled)
        grad_mode.enabled = False
        return self

    def __exit__(self, *exc):
        grad_mode.enabled = self._previous.pop()
        return False


def is_grad_enabled() -> bool:
    """True when ops record the graph (outside ``no_grad``)."""
    return grad_mode.enabled


def unbroadcast(grad: np.ndarray, shape: tuple, op_name: str = "op", index: int = 0) -> np.ndarray:
    """Sum ``grad`` back to ``shape``, undoing NumPy broadcasting.

    Broadcasting adds leading axes and stretches axes of size 1; the gradient of a
    stretched input is the sum over the stretched positions.

    Args:
        grad: gradient with the broadcast shape, e.g. (32, 10).
        shape: the input's shape, e.g. (10,) or (1, 10).
        op_name: the op whose backward produced ``grad`` (for the error message).
        index: which input of that op (for the error message).

    Returns:
        An array of exactly ``shape``.

    Examples:
        >>> import numpy as np
        >>> unbroadcast(np.ones((4, 3), np.float32), (1, 3))
        array([[4., 4., 4.]], dtype=float32)
    """
    if grad.shape == shape:
        return grad
    original = grad.shape
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))  # (extra..., *shape') -> shape'
    if extra >= 0:
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)  # (.., k, ..) -> (.., 1, ..)
    if grad.shape != shape:
        raise ShapeError(
            f"{op_name}.backward returned a gradient of shape {original} for input {index} "
            f"of shape {shape}; it cannot be summed back to the input's shape"
        )
    return grad


def _toposort(root_op) -> list:
    """Ops reachable from ``root_op``, each once, inputs' creators before their users.

    Iterative depth-first search (no recursion limit): a node is appended only after all
    the ops it depends on, so reversing the list gives a valid order for backward.
    """
    order, visited = [], set()
    stack = [(root_op, False)]
    while stack:
        op, expanded = stack.pop()
        if expanded:
            order.append(op)
            continue
        if op in visited:
            continue
        visited.add(op)
        stack.append((op, True))
        for t in op.inputs:
            parent = t._op
            if parent is not None and t.requires_grad and parent not in visited:
                stack.append((parent, False))
    return order


def _needed_inputs(order: list, target_ids: set) -> dict:
    """For each op (``order``: creators before users), one flag per input: does a target lie
    at or below that input? Only those input gradients are needed."""
    needed = {}
    for op in order:
        needed[op] = tuple(
            bool(t.requires_grad and (id(t) in target_ids or (t._op is not None and True in needed.get(t._op, ()))))
            for t in op.inputs
        )
    return needed


def _accumulate_leaf(t, g, handed_out: set, sink: dict | None) -> None:
    """Add ``g`` into ``t.grad`` (or into ``sink[id(t)]``); a stored gradient is always a
    private, writable array.

    Ops may hand the same array to several inputs (``Add``), return read-only broadcast
    views (``Sum``) or views of their upstream gradient (``Reshape``); those are copied
    the first time they are stored, so a gradient never aliases another array.
    """
    previous = t.grad if sink is None else sink.get(id(t))
    if previous is None:
        if not g.flags.writeable or g.base is not None or id(g) in handed_out:
            g = g.copy()
        handed_out.add(id(g))
    else:
        g = previous + g
    if sink is None:
        t.grad = g
    else:
        sink[id(t)] = g


def backward(root, grad=None, retain_graph: bool = False, sink: dict | None = None,
             targets: list | None = None) -> None:
    """Fill ``.grad`` of every leaf tensor that ``root`` depends on.

    Args:
        root: the Tensor to differentiate (usually a scalar loss).
        grad: d(something)/d(root), same shape as root; defaults to 1 for a scalar root.
        retain_graph: keep saved buffers so that backward can run through the graph again.
        sink: if given, a dict that receives ``{id(leaf): gradient}`` instead of ``.grad``
            (what ``grad`` and ``GradientTape`` use: they return gradients, they store none).
        targets: with ``sink``, the only tensors whose gradients are wanted: leaves, or
            tensors computed on the way (a layer's output, as Grad-CAM asks for). Backward
            then runs only the ops on a path from ``root`` to a target, and asks each op
            (through ``needs_input_grad``) for the input gradients those paths need: the
            gradient of a loss with respect to an image computes no weight gradient.
    """
    if not root.requires_grad:
        raise BackwardError(
            "backward: this tensor does not require grad (no input had requires_grad=True, "
            "or it was computed under no_grad())"
        )
    if grad is None:
        if root._data.size != 1:
            raise BackwardError(
                f"backward: the tensor has shape {root.shape}; pass grad= of that shape, "
                "or reduce it to a scalar first (e.g. .sum() or .mean())"
            )
        grad = np.ones(root._data.shape, dtype=root._data.dtype)
    else:
        grad = np.asarray(grad, dtype=root._data.dtype)  # Tensor.backward already unwrapped a Tensor
        if grad.shape != root._data.shape:
            raise ShapeError(f"backward: grad has shape {grad.shape}, but the tensor has shape {root.shape}")

    handed_out = {id(grad)}  # the seed belongs to the caller: copy it before storing it
    if root._op is None:  # a leaf: d root / d root = 1
        _accumulate_leaf(root, grad, handed_out, sink)
        return

    order = _toposort(root._op)
    wanted, needed = {}, None  # op -> [(output index, id)] of intermediates asked for; op -> input flags
    if targets is not None:
        for t in targets:
            if t._op is not None:
                wanted.setdefault(t._op, []).append((t._index, id(t)))
        needed = _needed_inputs(order, {id(t) for t in targets})
    pending = {}  # op -> list of output gradients (one per output), freed once used
    slot = [None] * root._op.n_outputs
    slot[root._index] = grad
    pending[root._op] = slot
    for op in reversed(order):
        out_grads = pending.pop(op, None)
        if out_grads is None:  # every path to this op returned None gradients
            continue
        for index, key in wanted.get(op, ()):  # every user of the output has added its part by now
            if out_grads[index] is not None:
                sink[key] = np.array(out_grads[index])
        flags = None if needed is None else needed[op]
        if flags is not None and True not in flags:  # no target lies below this op
            continue
        if op.released:
            raise BackwardError(
                f"backward: trying to go through {op.name} a second time, but its saved "
                "buffers were freed by the first backward; pass retain_graph=True to the "
                "first call if you need to backpropagate twice"
            )
        if op.watched:
            op.check_versions()
        if op.n_outputs > 1:
            for i, g in enumerate(out_grads):  # outputs nobody used get zero gradients
                if g is None:
                    shape, dtype = op.output_meta[i]
                    out_grads[i] = np.zeros(shape, dtype)
        if flags is None or flags == op.needs_input_grad:
            in_grads = op.backward(*out_grads)
        else:  # ask only for the input gradients that lead to a target
            recorded, op.needs_input_grad = op.needs_input_grad, flags
            try:
                in_grads = op.backward(*out_grads)
            finally:
                op.needs_input_grad = recorded
        if type(in_grads) is not tuple:
            in_grads = tuple(in_grads) if type(in_grads) is list else (in_grads,)
        if len(in_grads) != len(op.inputs):
            raise BackwardError(
                f"{op.name}.backward returned {len(in_grads)} gradients for {len(op.inputs)} inputs"
            )
        if not retain_graph:  # free the saved arrays; the tensors they came from are free to change
            op.saved = None
            op.released = True
            if op.watched:
                op._unwatch()
        for i, (t, g) in enumerate(zip(op.inputs, in_grads)):
            if g is None or not t.requires_grad or (flags is not None and not flags[i]):
                continue
            if not isinstance(g, np.ndarray | np.generic):
                raise TypeError(
                    f"{op.name}.backward returned a {type(g).__name__} for input {i}; "
                    "gradients must be NumPy arrays (or None)"
                )
            data = t._data
            if g.shape != data.shape:
                g = unbroadcast(g, data.shape, op.name, i)
            if g.dtype != data.dtype:
                raise TypeError(
                    f"{op.name}.backward returned a {g.dtype} gradient for input {i} of dtype "
                    f"{data.dtype}; gradients must keep the input's dtype"
                )
            parent = t._op
            if parent is None:
                _accumulate_leaf(t, g if type(g) is np.ndarray else np.asarray(g), handed_out, sink)
                continue
            slots = pending.get(parent)
            if slots is None:
                slots = pending[parent] = [None] * parent.n_outputs
            prev = slots[t._index]
            slots[t._index] = g if prev is None else prev + g

