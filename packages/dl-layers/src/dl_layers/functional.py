"""The functional API: ``Input``, and the graph of layer calls a ``Model`` runs.

    inputs = Input(shape=(784,))                       # KerasTensor (None, 784)
    x = Dense(64, activation="relu")(inputs)          # records a Node, returns (None, 64)
    outputs = Dense(10, activation="softmax")(x)
    model = Model(inputs, outputs)

``Model(inputs, outputs)`` walks the recorded nodes back from ``outputs`` to ``inputs``
and sorts them so that each layer runs after the layers it depends on. Layers can be
shared (called several times, same weights), models can be called like layers, and
graphs can have several inputs and outputs (lists or dicts).

A graph saves as JSON (``get_config``): each layer's config, then every call in order,
its inputs given as references ``[layer name, call number, output index]``;
``from_config`` creates the layers and replays the calls.
"""

from __future__ import annotations

import json
from collections import defaultdict

from . import nest
from .layer import Layer
from .registry import deserialize_layer, serialize_layer
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

    # -- as JSON --------------------------------------------------------------------------
    def get_config(self) -> dict:
        """``{"layers", "nodes", "inputs", "outputs"}``: the layers and the calls between them."""
        node_ids, counts = {}, defaultdict(int)
        for kt in self.flat_inputs:
            node_ids[id(kt.node)] = (kt.node.layer.name, 0)
        nodes = []
        for node in self.nodes:
            try:
                json.dumps(node.kwargs)
            except TypeError:
                raise ValueError(f"the call of layer '{node.layer.name}' has arguments that cannot be saved as "
                                 f"JSON: {node.kwargs!r}") from None
            nodes.append({"layer": node.layer.name, "inputs": _refs(node.inputs, node_ids), "kwargs": node.kwargs})
            node_ids[id(node)] = (node.layer.name, counts[node.layer.name])
            counts[node.layer.name] += 1
        return {
            "layers": [serialize_layer(layer) for layer in self.layers],
            "nodes": nodes,
            "inputs": _refs(self.inputs, node_ids),
            "outputs": _refs(self.outputs, node_ids),
        }

    @staticmethod
    def from_config(config: dict) -> tuple:
        """Rebuild the layers and replay every call; return the graph's ``(inputs, outputs)``."""
        layers = {}
        for layer_config in config["layers"]:
            layer = deserialize_layer(layer_config)
            layers[layer.name] = layer
        produced, counts = {}, defaultdict(int)
        for layer in layers.values():
            if isinstance(layer, InputLayer):
                produced[(layer.name, 0)] = layer.output
        for node in config["nodes"]:
            layer = layers.get(node["layer"])
            if layer is None:
                raise ValueError(f"load_model: the graph calls an unknown layer {node['layer']!r}")
            outputs = layer(_resolve(node["inputs"], produced), **node.get("kwargs", {}))
            produced[(layer.name, counts[layer.name])] = outputs
            counts[layer.name] += 1
        return _resolve(config["inputs"], produced), _resolve(config["outputs"], produced)


def _refs(structure, node_ids: dict):
    """KerasTensors replaced by ``{"__keras_tensor__": [layer name, call number, output index]}``."""
    if isinstance(structure, KerasTensor):
        layer_name, k = node_ids[id(structure.node)]
        return {"__keras_tensor__": [layer_name, k, structure.index]}
    if isinstance(structure, list | tuple):
        return [_refs(s, node_ids) for s in structure]
    return {key: _refs(s, node_ids) for key, s in structure.items()}


def _resolve(structure, produced: dict):
    """The inverse of ``_refs``: references replaced by the KerasTensors replayed so far."""
    if isinstance(structure, dict) and "__keras_tensor__" in structure:
        layer_name, k, index = structure["__keras_tensor__"]
        return nest.flatten(produced[(layer_name, k)])[index]
    if isinstance(structure, list):
        return [_resolve(s, produced) for s in structure]
    return {key: _resolve(s, produced) for key, s in structure.items()}
