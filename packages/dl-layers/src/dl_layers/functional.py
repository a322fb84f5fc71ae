"""The functional API: ``Input``, and the graph of layer calls a ``Model`` runs.

    inputs = Input(shape=(784,))                       # KerasTensor (None, 784)
    x = Dense(64, activation="relu")(inputs)          # records a Node, returns (None, 64)
    outputs = Dense(10, activation="softmax")(x)
    model = Model(inputs, outputs)

``Model(inputs, outputs)`` walks the recorded nodes back from ``outputs`` to ``inputs``
and sorts them so that each layer runs after the layers it depends on. Layers can be
shared (called several times, same weights), models can be called like layers, and
graphs can have several inputs and outputs (lists or dicts).
"""

from __future__ import annotations

from . import nest
from .layer import Layer
from .symbolic import KerasTensor, Node, TensorSpec


class InputLayer(Layer):
    """The layer behind ``Input``: it produces the graph's entry KerasTensor.

    Args:
        shape: shape of one sample, e.g. ``(28, 28, 1)``; ``None`` for unknown axes.
        batch_size: fixed batch size, if any.
        dtype: e.g. "int32" for token ids; float32 by default.
        batch_shape: the full shape instead of ``shape`` and ``batch_size``.
        name: layer name.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None, **kwargs):
        kwargs.pop("trainable", None)
        if batch_shape is None and "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if batch_shape is None:
            if shape is None:
                raise ValueError("Input: give shape= (the shape of one sample, e.g. (784,)) or batch_shape=")
            shape = tuple(shape) if isinstance(shape, tuple | list) else (shape,)
            batch_shape = (batch_size, *shape)
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.built = True
        node = Node(self, [])
        node.set_outputs(TensorSpec(self.batch_shape, self.dtype))
        node.outputs.name = self.name
        self._inbound_nodes.append(node)

    def get_config(self) -> dict:
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None) -> KerasTensor:  # noqa: N802
    """A symbolic input of a functional model.

    Args:
        shape: shape of one sample (no batch axis), e.g. ``(784,)`` or ``(None,)`` for
            sequences of any length.
        batch_size: optional fixed batch size.
        dtype: e.g. "int32" for token ids (float32 by default).
        name: name of the input (keys of dict inputs in ``fit``).
        batch_shape: full shape including the batch axis, instead of ``shape``.

    Returns:
        A ``KerasTensor`` of shape ``(batch_size, *shape)``.

    Examples:
        >>> Input(shape=(784,)).shape
        (None, 784)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name)
    return layer.output


class FunctionalGraph:
    """The layer calls between ``inputs`` and ``outputs``, in an order that can run.

    Args:
        inputs: KerasTensors from ``Input`` (one, or a list/dict of them).
        outputs: KerasTensors computed from them (one, or a list/dict of them).
        model_name: used in error messages.
    """

    def __init__(self, inputs, outputs, model_name: str = "model"):
        self.inputs, self.outputs = inputs, outputs
        self.flat_inputs = nest.flatten(inputs)
        self.flat_outputs = nest.flatten(outputs)
        for kt in self.flat_inputs + self.flat_outputs:
            if not isinstance(kt, KerasTensor):
                raise TypeError(f"Model '{model_name}': inputs and outputs must be KerasTensors (from Input "
                                f"and layer calls), got {kt!r}")
        for kt in self.flat_inputs:
            if not isinstance(kt.node.layer, InputLayer):
                raise ValueError(
                    f"Model '{model_name}': inputs must come from Input(...); {kt} is the output of layer "
                    f"'{kt.node.layer.name}'"
                )
        self.nodes = self._sorted_nodes(model_name)
        self.layers = []
        for kt in self.flat_inputs:  # input layers first, in input order
            self.layers.append(kt.node.layer)
        for node in self.nodes:
            if not any(node.layer is layer for layer in self.layers):
                self.layers.append(node.layer)

    def _sorted_nodes(self, model_name: str) -> list:
        """Nodes needed for the outputs, each after the nodes it reads from (iterative DFS)."""
        input_ids = {id(kt) for kt in self.flat_inputs}
        order, visited = [], set()
        stack = [(kt.node, False) for kt in reversed(self.flat_outputs)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            if isinstance(node.layer, InputLayer):
                if id(node.outputs) not in input_ids:
                    raise ValueError(
                        f"Model '{model_name}': the outputs depend on the input '{node.layer.name}' "
                        f"{node.outputs.shape}, which is not in the model's inputs"
                    )
                continue
            for kt in reversed(node.flat_inputs):
                if id(kt.node) not in visited:
                    stack.append((kt.node, False))
        return [n for n in order if not isinstance(n.layer, InputLayer)]

    def run(self, flat_input_values: list, training=None):
        """Run every node on real tensors; ``flat_input_values`` follow ``flat_inputs``."""
        values = {id(kt): v for kt, v in zip(self.flat_inputs, flat_input_values)}
        for node in self.nodes:
            args = nest.map_structure(lambda kt: values[id(kt)], node.inputs)
            out = node.layer(args, **{"training": training, **node.kwargs})  # an explicit training= wins
            for kt, value in zip(node.flat_outputs, nest.flatten(out)):
                values[id(kt)] = value
        return nest.map_structure(lambda kt: values[id(kt)], self.outputs)

    def output_names(self) -> list:
        """The name of each output: the name of the layer that produced it (dict keys for dicts)."""
        if isinstance(self.outputs, dict):
            return list(self.outputs)
        names = [kt.node.layer.name for kt in self.flat_outputs]
        return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]

    def input_names(self) -> list:
        """The name of each input (its Input's name, or dict keys for dicts)."""
        if isinstance(self.inputs, dict):
            return list(self.inputs)
        return [kt.node.layer.name for kt in self.flat_inputs]
