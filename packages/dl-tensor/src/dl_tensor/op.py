"""The one extension door: every differentiable operation is an ``Op``.

An op has two halves that only ever see plain NumPy arrays:

* ``forward(*arrays)`` computes the output (one array, or a tuple of arrays for ops
  with several outputs, such as a recurrent layer returning sequences and final states);
* ``backward(grad)`` (or ``backward(*grads)`` for several outputs) returns one gradient
  per input, in input order, or ``None`` for an input that needs none.

Calling an op instance on tensors runs ``forward``, wraps the result in ``Tensor``s and,
when gradients are needed, records the op as their creator. Broadcasting is undone by the
engine (``autodiff.backward``), never by an op: ``backward`` may return a gradient with
the broadcast shape of the output and the engine sums it back to the input's shape.

Examples:
    >>> import numpy as np
    >>> from dl_tensor import Op, Tensor
    >>> class Cube(Op):
    ...     def forward(self, x):
    ...         self.save_for_backward(x)
    ...         return x ** 3
    ...     def backward(self, grad):
    ...         (x,) = self.saved
    ...         return grad * 3 * x ** 2
    >>> t = Tensor([1.0, 2.0], requires_grad=True)
    >>> Cube()(t).sum().backward()
    >>> print(t.grad)
    [ 3. 12.]
"""

from __future__ import annotations

import weakref

import numpy as np

from . import autodiff
from .tensor import Tensor, as_tensor


class Op:
    """Base class of all differentiable operations.

    Subclasses implement ``forward`` and ``backward`` on NumPy arrays. Hyper-parameters
    (axes, shapes, constants) go to ``__init__``; arrays that ``backward`` needs go
    through ``save_for_backward`` so the engine can free them once they are used.

    Attributes set by the engine before ``forward`` runs:
        needs_grad: True if any input requires a gradient (skip caching otherwise).
        needs_input_grad: one bool per input (skip work for inputs that need no grad).

    Attributes set after ``forward`` when a graph is recorded:
        inputs: the input ``Tensor``s, in call order.
    """

    #: Set by the engine: does any input need a gradient?
    needs_grad: bool = False
    #: Set by the engine: one flag per input.
    needs_input_grad: tuple = ()
    #: Arrays stored by ``save_for_backward`` (freed after backward).
    saved: tuple | None = None
    #: The input tensors, recorded only when a graph is built.
    inputs: tuple = ()
    #: Number of outputs (set from what ``forward`` returned).
    n_outputs: int = 1
    #: True once backward has run and freed the saved buffers.
    released: bool = False
    #: ``(weakref to tensor, its version)`` for each input or output whose values were
    #: saved for backward; backward refuses to run if one was written to since.
    watched: tuple = ()

    # -- the two halves an op author writes -------------------------------------------
    def forward(self, *arrays: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...]:
        """Compute the output(s) from input arrays."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, *grads: np.ndarray):
        """Return one gradient per input (or None) given the gradient of each output."""
        raise NotImplementedError(f"{type(self).__name__} does not implement backward()")

    # -- helpers ----------------------------------------------------------------------
    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` for ``backward``; skipped when no gradient is needed."""
        if self.needs_grad:
            self.saved = arrays

    @property
    def name(self) -> str:
        """The op's name as used in error messages."""
        return type(self).__name__

    # -- the engine's side ------------------------------------------------------------
    def __call__(self, *inputs):
        """Run the op on tensors (or array-likes) and record it for backward.

        Returns a ``Tensor``, or a tuple of ``Tensor``s when ``forward`` returns a tuple.
        """
        if self.inputs or self.released:
            raise RuntimeError(
                f"{self.name}: this op instance was already applied; create a new instance for each "
                f"call (e.g. {self.name}(...)(x) every time), since it keeps what its backward needs"
            )
        # one plain loop: this runs for every op, thousands of times per training step
        arrays, flags = [], []
        for t in inputs:
            if not isinstance(t, Tensor):
                inputs = tuple(x if isinstance(x, Tensor) else as_tensor(x) for x in inputs)
                return self(*inputs)
            arrays.append(t._data)
            flags.append(t.requires_grad)
        needs = self.needs_grad = autodiff.grad_mode.enabled and True in flags
        if needs:
            self.needs_input_grad = tuple(flags)
        try:
            out = self.forward(*arrays)
        except ValueError as err:
            if isinstance(err, autodiff.ShapeError):
                raise
            shapes = ", ".join(str(t.shape) for t in inputs)
            raise autodiff.ShapeError(f"{self.name}: {err} (input shapes: {shapes})") from err
        if needs:
            self.inputs = inputs
        else:
            self.saved = None
        if type(out) is tuple:
            outs = tuple(Tensor._from_op(o, self, i, needs) for i, o in enumerate(out))
            self.n_outputs = len(outs)
            # shapes and dtypes let the engine fill in zeros for unused outputs
            self.output_meta = tuple((o._data.shape, o._data.dtype) for o in outs)
            if needs and self.saved:
                self._watch(inputs, outs)
            return outs
        result = Tensor._from_op(out, self, 0, needs)
        if needs and self.saved:
            self._watch(inputs, (result,))
        return result

    # -- guarding the saved values against in-place writes ------------------------------
    def _watch(self, inputs, outputs) -> None:
        """Remember the version of every input or output whose values (or a view of them)
        were saved, and keep it watched: its ``.data`` counts writes until backward has run."""
        saved = set()  # ids of the saved arrays and of the arrays owning their memory
        for a in self.saved:
            if type(a) is np.ndarray:
                saved.add(id(a))
                if a.base is not None:
                    saved.add(id(a.base))
        watched = []
        for group in (inputs, outputs):
            for t in group:
                data = t._data
                if id(data) in saved or (data.base is not None and id(data.base) in saved):
                    t._watchers += 1
                    # a weak reference: an output refers to this op, which must not keep it alive
                    watched.append((weakref.ref(t), t._version))
        if watched:
            self.watched = tuple(watched)

    def check_versions(self) -> None:
        """Raise if a tensor whose values this op saved was written to after the forward pass."""
        for ref, version in self.watched:
            t = ref()
            if t is not None and t._version != version:
                raise autodiff.BackwardError(
                    f"backward: {self.name} saved the values of a tensor of shape {t.shape} for its backward, but "
                    f"they were modified in place afterwards (version {version} -> {t._version}), so the "
                    f"gradients would be wrong; run the forward pass again after changing the tensor, or change "
                    "a copy instead (x.data.copy())"
                )

    def _unwatch(self) -> None:
        """Forget the watched tensors (after backward, or when the graph is dropped)."""
        for ref, _ in self.watched:
            t = ref()
            if t is not None:
                t._watchers -= 1
        self.watched = ()

    def __del__(self):
        if self.watched:  # a graph dropped without backward
            self._unwatch()

    def __repr__(self) -> str:
        return f"<{self.name} op>"
