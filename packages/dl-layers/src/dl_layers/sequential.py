"""``Sequential``: a plain stack of layers, each feeding the next.

    model = Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])

The model builds itself as soon as it knows the input shape: from the first layer's
``input_shape`` (the first edition's style), from ``Input(shape=...)`` as first element,
from ``model.build(input_shape)``, or from the first batch it sees.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Tensor

from .functional import FunctionalGraph, Input, InputLayer
from .layer import Layer
from .model import Model
from .registry import deserialize_layer, serialize_layer
from .symbolic import KerasTensor, dtype_name, is_symbolic


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: list of layers (optionally starting with ``Input(shape=...)``).
        name: the model's name.
        trainable: False freezes every layer.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(16, activation="relu", input_shape=(8,)), Dense(1)])
        >>> model.output_shape
        (None, 1)
        >>> model.count_params()
        161
    """

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stack = []
        self._tracked.append(self._stack)  # the list is tracked even while empty
        self._input_tensor = None
        self._data_dtype = None  # an integer dtype seen in the first data (token ids): the Input takes it
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list:
        """The stacked layers (without an InputLayer)."""
        return list(self._stack)

    def add(self, layer) -> None:
        """Append a layer (or, first, an ``Input``) to the stack."""
        if isinstance(layer, KerasTensor):
            if self._stack or not isinstance(layer.node.layer, InputLayer):
                raise ValueError(f"Sequential '{self.name}': an Input can only be the first element")
            self._input_tensor = layer
            return
        if isinstance(layer, InputLayer):
            self._input_tensor = layer.output
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential '{self.name}': can only add layers, got {layer!r}")
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(f"Sequential '{self.name}': a layer named '{layer.name}' is already in the model; "
                             "layer names must be unique")
        self._stack.append(layer)
        self._drop_graph()
        if self._input_tensor is not None or self._first_input_shape() is not None:
            self._build_graph()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise ValueError(f"Sequential '{self.name}' has no layers to pop")
        layer = self._stack.pop()
        self._drop_graph()
        if self._stack and (self._input_tensor is not None or self._first_input_shape() is not None):
            self._build_graph()
        return layer

    def _first_input_shape(self):
        """The input shape the first layer declares (``input_shape=``, or a built model's input)."""
        first = self._stack[0]
        if first._batch_input_shape is not None:
            return first._batch_input_shape
        if isinstance(first, Model) and first._graph is not None and len(first._graph.flat_inputs) == 1:
            return first._graph.flat_inputs[0].shape
        return None

    def _drop_graph(self) -> None:
        if self._graph is not None:
            for node in self._graph.nodes:  # forget the old symbolic calls (keeps layer.output unambiguous)
                if node in node.layer._inbound_nodes:
                    node.layer._inbound_nodes.remove(node)
        self._graph = None
        self.built = False

    def _build_graph(self) -> None:
        if self._input_tensor is None:
            self._input_tensor = Input(batch_shape=self._first_input_shape(), dtype=self._input_dtype())
        x = self._input_tensor
        for layer in self._stack:
            x = layer(x)
        self._set_graph(FunctionalGraph(self._input_tensor, x, self.name))

    def build(self, input_shape=None):
        """Build every layer for inputs of ``input_shape`` (with the batch axis, e.g. ``(None, 784)``)."""
        if input_shape is None:
            if self._input_tensor is None:
                raise ValueError(f"Sequential '{self.name}': build needs an input_shape")
        else:
            self._drop_graph()
            self._input_tensor = Input(batch_shape=tuple(input_shape), dtype=self._input_dtype())
        if self._stack:
            self._build_graph()
        self.built = True

    def _input_dtype(self) -> str:
        """The dtype of the Input built for this stack: the integer dtype of the data the model
        was first called on (token ids), "string" for raw text, else float32."""
        return self._data_dtype or "float32"

    def __call__(self, inputs, *args, **kwargs):
        if not self.built and self._input_tensor is None and not is_symbolic(inputs):
            # built from data: integer data (token ids for an Embedding) and strings (for a
            # TextVectorization) keep their dtype in the Input, as in Keras; floating data are cast
            # to the layers' float dtype as before
            dtype = inputs.dtype if isinstance(inputs, Tensor) else getattr(inputs, "dtype", None)
            if dtype is None and not isinstance(inputs, dict | list | tuple):
                dtype = np.asarray(inputs).dtype
            if dtype is not None and np.dtype(dtype).kind in "iuUSO":
                self._data_dtype = dtype_name(dtype)
        return super().__call__(inputs, *args, **kwargs)

    def _maybe_build(self, input_shape) -> None:
        if not self.built:
            self._check_one_input(input_shape)
            self.build((None, *input_shape[1:]))

    def _check_one_input(self, inputs) -> None:
        if isinstance(inputs, dict | list):
            what = f"a dict with keys {sorted(inputs)}" if isinstance(inputs, dict) else f"a list of {len(inputs)}"
            raise ValueError(f"Sequential '{self.name}' takes one input array, got {what}; for several inputs "
                             "build a functional Model(inputs, outputs)")

    def call(self, inputs, training=None):
        self._check_one_input(inputs)
        if not self._stack:
            raise ValueError(f"Sequential '{self.name}' has no layers yet")
        for layer in self._stack:
            inputs = layer(inputs, training=training)
        return inputs

    def _known_output_names(self) -> list | None:
        return [self._stack[-1].name] if self._stack else None

    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self._trainable, "layers": [serialize_layer(l) for l in self._stack]}
        if self._input_tensor is not None:
            config["input"] = {"batch_shape": list(self._input_tensor.shape), "dtype": self._input_tensor.dtype}
        return config

    @classmethod
    def from_config(cls, config: dict):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        if config.get("input"):
            model.add(Input(batch_shape=tuple(config["input"]["batch_shape"]), dtype=config["input"]["dtype"]))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config))
        return model
