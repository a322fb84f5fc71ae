"""Symbolic tensors: the placeholders the functional API wires layers with.

``Input(shape=(784,))`` returns a ``KerasTensor``: it holds no numbers, only a shape such
as ``(None, 784)`` (``None`` = any batch size) and a dtype. Calling a layer on it records a
``Node`` -- "this layer was applied to these symbolic tensors and produced those" -- and
returns new symbolic tensors. ``Model(inputs, outputs)`` later walks these nodes back from
the outputs to know which layers to run, in which order, on real data.
"""

from __future__ import annotations

import numpy as np

from . import nest


class KerasTensor:
    """A symbolic tensor: a shape (``None`` for unknown axes), a dtype, and where it came from.

    Attributes:
        shape: e.g. ``(None, 28, 28, 1)``.
        dtype: NumPy dtype name, e.g. ``"float32"``.
        node: the ``Node`` that produced it.
        index: which output of that node it is.
    """

    def __init__(self, shape, dtype="float32", node=None, index: int = 0, name: str | None = None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype_name(dtype)
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        source = f", produced by '{self.node.layer.name}'" if self.node is not None else ""
        return f"<KerasTensor shape={self.shape} dtype={self.dtype}{source}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A KerasTensor is a symbolic placeholder of the functional API and holds no values; "
            "build a Model(inputs, outputs) and call it (or predict) on real data"
        )

    def _no_math(self, *args):
        raise TypeError(
            f"{self!r} is symbolic: compute on it with layers, e.g. wrap the expression in a Lambda "
            "layer, Lambda(lambda t: t * 2)(x), or use Add/Concatenate"
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_math
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __neg__ = __getitem__ = _no_math


class Node:
    """One call of a layer on symbolic inputs.

    Attributes:
        layer: the layer that was called.
        inputs: the symbolic inputs as passed (a KerasTensor or a list/dict of them).
        outputs: the symbolic outputs (same nesting as what the layer returns).
        kwargs: extra keyword arguments of the call (replayed when the model runs).
    """

    def __init__(self, layer, inputs, kwargs=None):
        self.layer = layer
        self.inputs = inputs
        self.flat_inputs = nest.flatten(inputs)
        self.kwargs = dict(kwargs or {})
        self.outputs = None
        self.flat_outputs = []

    def set_outputs(self, output_specs):
        """Create the output KerasTensors from a structure of ``TensorSpec`` leaves."""
        flat_specs = nest.flatten(output_specs)
        tensors = [KerasTensor(spec.shape, spec.dtype, node=self, index=i) for i, spec in enumerate(flat_specs)]
        self.flat_outputs = tensors
        self.outputs = nest.pack_as(output_specs, tensors)
        return self.outputs


def dtype_name(dtype) -> str:
    """A dtype's name as tensors carry it: "float32", "int64"..., or "string" for text
    (``Input(shape=(1,), dtype="string")`` feeds raw strings to a TextVectorization layer)."""
    if isinstance(dtype, str) and dtype in ("string", "str", "object"):
        return "string"
    dtype = np.dtype(dtype)
    return "string" if dtype.kind in "USO" else dtype.name


class TensorSpec:
    """The shape and dtype of a tensor, without values (what ``compute_output_spec`` returns)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype="float32"):
        self.shape = tuple(shape)
        self.dtype = dtype_name(dtype)

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype})"


def is_symbolic(structure) -> bool:
    """True if any leaf of ``structure`` is a KerasTensor."""
    if isinstance(structure, KerasTensor):
        return True
    if isinstance(structure, list | tuple | dict):
        return any(isinstance(leaf, KerasTensor) for leaf in nest.flatten(structure))
    return False
