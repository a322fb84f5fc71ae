"""``Layer``: the unit a network is built from.

A layer is a tensor-in, tensor-out function with state: its *weights*. The weights are
created lazily, the first time the layer sees an input (``build(input_shape)``), because
only then is the input's size known: ``Dense(512)`` creates its (784, 512) kernel when it
first meets a batch of 784 features. Weights assigned as attributes (``self.kernel =
self.add_weight(...)``) and sub-layers assigned as attributes are found automatically,
so ``model.weights`` lists every weight of every layer inside.

Calling a layer on a real ``Tensor`` (or a NumPy array) computes its output; calling it on
a symbolic ``KerasTensor`` (from ``Input``) records the call for the functional API.
"""

from __future__ import annotations

import collections
import functools
import inspect

import numpy as np

from dl_tensor import Tensor, no_grad

from . import initializers, nest, regularizers
from .registry import LAYERS, Registrable, snake_case
from .symbolic import KerasTensor, Node, TensorSpec, dtype_name, is_symbolic
from .variable import Variable

_NAME_COUNTS: collections.Counter = collections.Counter()


def unique_name(base: str) -> str:
    """``dense``, then ``dense_1``, ``dense_2``... (reset by ``clear_session``)."""
    count = _NAME_COUNTS[base]
    _NAME_COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Restart automatic layer names from scratch (``dense``, ``dense_1``, ...)."""
    _NAME_COUNTS.clear()


class InputSpec:
    """What a built layer accepts: a rank and the sizes of some axes.

    Args:
        ndim: exact rank, e.g. 4 for images (batch, height, width, channels).
        min_ndim: smallest rank allowed.
        axes: ``{axis: size}``, e.g. ``{-1: 784}`` for a Dense layer built on 784 features.
    """

    def __init__(self, ndim: int | None = None, min_ndim: int | None = None, axes: dict | None = None):
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})

    def check(self, layer_name: str, shape: tuple) -> None:
        """Raise a ValueError naming the layer if ``shape`` does not fit."""
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(
                f"Layer '{layer_name}' expects inputs of rank {self.ndim}, got shape {shape} (rank {rank})"
            )
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(
                f"Layer '{layer_name}' expects inputs of rank >= {self.min_ndim}, got shape {shape} (rank {rank})"
            )
        for axis, size in self.axes.items():
            got = shape[axis] if -rank <= axis < rank else None
            if got is not None and got != size:
                raise ValueError(
                    f"Layer '{layer_name}' was built for inputs with {size} at axis {axis}, "
                    f"got shape {shape} ({got} at axis {axis})"
                )


def _is_shape(x) -> bool:
    return isinstance(x, tuple) and all(d is None or isinstance(d, int | np.integer) for d in x)


def _to_specs(shapes, dtype):
    """A shape or a list/dict of shapes -> the same nesting of TensorSpec."""
    if _is_shape(shapes):
        return TensorSpec(shapes, dtype)
    if isinstance(shapes, list | tuple):
        return [_to_specs(s, dtype) for s in shapes]
    if isinstance(shapes, dict):
        return {k: _to_specs(s, dtype) for k, s in shapes.items()}
    raise TypeError(f"compute_output_shape returned {shapes!r}; expected a shape tuple or a list/dict of them")


def _shapes_of(structure):
    """Input shapes with the batch axis as None, in the structure of the inputs."""
    if isinstance(structure, list | tuple):
        return [_shapes_of(s) for s in structure]
    if isinstance(structure, dict):
        return {k: _shapes_of(s) for k, s in structure.items()}
    shape = tuple(structure.shape)
    return (None, *shape[1:]) if shape else shape


def _as_tensor(x, dtype):
    """An input as a Tensor: floating arrays take the layer's dtype, integer ones stay, and
    strings stay a NumPy array (text for a preprocessing layer such as TextVectorization)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind in "USO":
        return arr
    return Tensor(arr, dtype=dtype) if arr.dtype.kind == "f" else Tensor(arr)


def _marking_built(build):
    """``build`` that also records the shape and sets ``built`` once it succeeded (as in Keras),
    so that ``layer.build(shape); layer.set_weights(...)`` keeps those weights at the first call."""

    @functools.wraps(build)
    def wrapper(self, input_shape, *args, **kwargs):
        build(self, input_shape, *args, **kwargs)
        if self._build_input_shape is None:
            self._build_input_shape = input_shape
        self.built = True

    wrapper._marks_built = True
    return wrapper


class Layer(Registrable):
    """Base class of all layers.

    Subclasses override ``build(input_shape)`` to create weights with ``add_weight`` and
    ``call(inputs)`` to compute outputs (accept ``training=None`` to behave differently
    while training). ``get_config`` lists the constructor arguments so that the layer can
    be saved and rebuilt.

    Args:
        name: unique name; by default the class name in snake_case, numbered.
        trainable: False freezes the layer's weights (no gradients, no updates).
        dtype: dtype of the weights and computations, float32 by default.
        input_shape: shape of one sample, e.g. ``(784,)``; lets a ``Sequential`` model
            build at once (the first edition's style).
        input_dim: shorthand for ``input_shape=(input_dim,)``.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Layer
        >>> class Scale(Layer):
        ...     def build(self, input_shape):
        ...         self.factor = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="factor")
        ...     def call(self, inputs):
        ...         return inputs * self.factor
        >>> layer = Scale()
        >>> layer(np.ones((2, 3))).shape
        (2, 3)
        >>> [w.shape for w in layer.weights]
        [(3,)]
    """

    registry = LAYERS  # every subclass registers here when defined: load_model finds it by class name
    _accepts_training_cache: dict = {}
    #: Whether ``call`` may receive text (NumPy arrays of strings, which are not Tensors): models
    #: (their first layer decides), Lambda, and preprocessing layers such as TextVectorization.
    accepts_text: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_marks_built", False):
            cls.build = _marking_built(build)  # layer.build(shape) by hand also makes the layer built


    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}")
        object.__setattr__(self, "_tracked", [])
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = dtype_name(dtype or "float32")
        self.built = False
        self.input_spec = None
        self._inbound_nodes = []
        self._losses = []
        self._build_input_shape = None
        if input_shape is None and input_dim is not None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            shape = input_shape if isinstance(input_shape, tuple | list) else (input_shape,)
            self._batch_input_shape = (None, *shape)
        else:
            self._batch_input_shape = None

    # -- tracking weights and sub-layers ----------------------------------------------
    def __setattr__(self, name, value):
        tracked = self.__dict__.get("_tracked")
        if tracked is not None:
            old = self.__dict__.get(name)
            if old is not None and old is not value and _trackable(old):  # replaced (or set to None): forget it
                tracked[:] = [t for t in tracked if t is not old]
            if _trackable(value) and not any(t is value for t in tracked):
                tracked.append(value)
        object.__setattr__(self, name, value)

    def _sublayers(self) -> list:
        """Direct sub-layers, in the order they were assigned."""
        out, seen = [], set()
        for item in self._tracked:
            for candidate in item if isinstance(item, list | tuple) else (item,):
                if isinstance(candidate, Layer) and id(candidate) not in seen:
                    seen.add(id(candidate))
                    out.append(candidate)
        return out

    def _flatten_layers(self, include_self: bool = True) -> list:
        """This layer and every layer inside it, each once (depth first)."""
        seen, out, stack = set(), [], [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            if include_self or layer is not self:
                out.append(layer)
            stack.extend(reversed(layer._sublayers()))
        return out

    def add_weight(self, shape=(), initializer=None, dtype=None, trainable=True, regularizer=None, name=None):
        """Create a weight, track it, and return it.

        Args:
            shape: e.g. ``(input_dim, units)``.
            initializer: name, instance or callable ``(shape, dtype) -> array``; default
                "glorot_uniform" for floats.
            dtype: defaults to the layer's dtype.
            trainable: False for statistics such as BatchNormalization's moving mean.
            regularizer: name or callable adding a penalty on this weight to the loss.
            name: the weight's name inside the layer, e.g. "kernel".
        """
        dtype = np.dtype(dtype or self.dtype)
        init = initializers.get(initializer if initializer is not None else
                                ("glorot_uniform" if dtype.kind == "f" else "zeros"))
        shape = tuple(int(d) for d in shape)
        value = np.asarray(init(shape, dtype=dtype), dtype=dtype)
        if value.shape != shape:
            raise ValueError(f"Layer '{self.name}': initializer of '{name}' returned shape {value.shape}, "
                             f"expected {shape}")
        name = name or f"variable_{len(self._own_variables())}"
        var = Variable(value, name=name, trainable=trainable, regularizer=regularizers.get(regularizer), dtype=dtype)
        var.path = f"{self.name}/{name}"
        var.requires_grad = bool(trainable and self._trainable and dtype.kind == "f")
        self._tracked.append(var)
        return var

    def _own_variables(self) -> list:
        return [t for t in self._tracked if isinstance(t, Variable)]

    @property
    def weights(self) -> list:
        """Every weight of this layer and its sub-layers (trainable ones first, per layer)."""
        out, seen = [], set()
        for layer in self._flatten_layers():
            for v in layer._own_variables():
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self) -> list:
        """The weights an optimizer updates (none if the layer is frozen)."""
        out, seen, stack = [], set(), [self]
        while stack:  # depth first, each layer's own weights before its sub-layers'
            layer = stack.pop()
            if not layer._trainable or id(layer) in seen:
                continue
            seen.add(id(layer))
            for v in layer._own_variables():
                if v.trainable and id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            stack.extend(reversed(layer._sublayers()))
        return out

    @property
    def non_trainable_weights(self) -> list:
        """Frozen weights and statistics (e.g. BatchNormalization's moving averages)."""
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    @property
    def trainable(self) -> bool:
        """Setting it sets it on every sub-layer too (freezing or unfreezing a whole model)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in self._flatten_layers():
            layer._trainable = bool(value)
            for v in layer._own_variables():
                v.requires_grad = bool(v.trainable and value and v.data.dtype.kind == "f")

    def get_weights(self) -> list:
        """Copies of the weights' values, in ``weights`` order (Keras layouts)."""
        return [v.data.copy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Overwrite the weights with arrays in ``get_weights()`` order and shapes."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}': set_weights got {len(weights)} arrays, but the layer has "
                f"{len(own)} weights ({', '.join(v.path for v in own) or 'none yet: call or build it first'})"
            )
        for v, w in zip(own, weights):
            w = np.asarray(w)
            if w.shape != v.shape:
                raise ValueError(f"Layer '{self.name}': weight '{v.path}' has shape {v.shape}, got an array "
                                 f"of shape {w.shape}")
        for v, w in zip(own, weights):
            v.assign(w)

    def count_params(self) -> int:
        """Number of scalars in all weights."""
        if not self.built:
            raise ValueError(f"Layer '{self.name}' is not built yet: call it on data or build it first")
        return int(sum(v.data.size for v in self.weights))

    # -- losses added by layers -----------------------------------------------------
    def add_loss(self, loss) -> None:
        """Add a scalar tensor to the loss of the current training step."""
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        """Weight-regularization penalties, plus losses added by ``add_loss`` in the last call."""
        out = []
        for layer in self._flatten_layers():
            out.extend(v.regularizer(v) for v in layer._own_variables() if v.regularizer is not None)
            out.extend(layer._losses)
        return out

    # -- building and calling -------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis None)."""
        self.built = True

    def _maybe_build(self, input_shape) -> None:
        if not self.built:
            self._build_input_shape = input_shape
            self.build(input_shape)
            self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's computation on Tensors."""
        return inputs

    def _check_input(self, shapes) -> None:
        spec = self.input_spec
        if spec is None:
            return
        if type(shapes) is tuple and isinstance(spec, InputSpec):  # the common case: one tensor
            spec.check(self.name, shapes)
            return
        specs = self.input_spec if isinstance(self.input_spec, list) else [self.input_spec]
        flat = [leaf.shape for leaf in nest.flatten(wrap_shapes(shapes))]
        for spec, shape in zip(specs, flat):
            spec.check(self.name, shape)

    @classmethod
    def _accepts_training(cls) -> bool:
        flag = Layer._accepts_training_cache.get(cls)
        if flag is None:
            params = inspect.signature(cls.call).parameters
            flag = "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
            Layer._accepts_training_cache[cls] = flag
        return flag

    def __call__(self, inputs, *args, **kwargs):
        if "training" in kwargs and not self._accepts_training():
            del kwargs["training"]
        if is_symbolic(inputs):
            return self._call_symbolic(inputs, args, kwargs)
        if isinstance(inputs, Tensor):
            shape = inputs.data.shape
            if not self.built:
                self._maybe_build((None, *shape[1:]) if shape else shape)
            if self.input_spec is not None:
                self._check_input(shape)
            return self.call(inputs, *args, **kwargs)
        inputs = nest.map_structure(lambda x: _as_tensor(x, self.dtype), inputs)
        if not self.accepts_text and any(isinstance(x, np.ndarray) for x in nest.flatten(inputs)):
            raise TypeError(f"Layer '{self.name}' computes on numbers and got text (an array of strings); turn text "
                            "into numbers first, e.g. with a TextVectorization layer (dl_sequence) before it")
        if not self.built:
            self._maybe_build(_shapes_of(inputs))
        if self.input_spec is not None:
            self._check_input(nest.map_structure(lambda t: tuple(t.shape), inputs))  # the real shapes, batch included
        return self.call(inputs, *args, **kwargs)

    def _call_symbolic(self, inputs, args, kwargs):
        if args:
            raise TypeError(f"Layer '{self.name}': extra positional arguments are not supported on symbolic inputs")
        shapes = _symbolic_shapes(inputs)
        self._maybe_build(shapes)
        self._check_input(shapes)
        node = Node(self, inputs, kwargs)
        outputs = node.set_outputs(self.compute_output_spec(inputs, **kwargs))
        self._inbound_nodes.append(node)
        return outputs

    def compute_output_shape(self, input_shape):
        """Output shape(s) for ``input_shape`` (batch axis None). Optional: by default the
        layer is run once on zeros to find out."""
        raise NotImplementedError

    def compute_output_spec(self, inputs, **kwargs):
        """Shapes and dtypes of the outputs for symbolic ``inputs``."""
        try:
            shapes = self.compute_output_shape(_symbolic_shapes(inputs))
        except NotImplementedError:
            return self._spec_by_running(inputs, kwargs)
        return _to_specs(shapes, self.dtype)

    def _spec_by_running(self, inputs, kwargs):
        """Run ``call`` on zeros (batch 1; unknown axes of sizes 2 then 3) and read the shapes."""
        def zeros(kt, fill):
            shape = tuple((1 if i == 0 else fill) if d is None else d for i, d in enumerate(kt.shape))
            return Tensor(np.zeros(shape, dtype=kt.dtype), dtype=kt.dtype)

        unknown = any(d is None for kt in nest.flatten(inputs) for d in kt.shape[1:])
        with no_grad():
            out_a = self.call(nest.map_structure(lambda kt: zeros(kt, 2), inputs), **kwargs)
            out_b = self.call(nest.map_structure(lambda kt: zeros(kt, 3), inputs), **kwargs) if unknown else out_a
        flat_b = nest.flatten(out_b)

        def spec(pair):
            a, b = pair
            sa, sb = a.shape, b.shape
            shape = tuple(x if x == y else None for x, y in zip(sa, sb))
            return TensorSpec((None, *shape[1:]) if shape else shape, a.dtype)

        return nest.pack_as(out_a, [spec(p) for p in zip(nest.flatten(out_a), flat_b)])

    # -- symbolic inputs/outputs of the functional API --------------------------------
    def _single_node(self, what: str):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input, so it has no {what}; "
                "build the model with Input(...) or an input_shape first"
            )
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has been called {len(self._inbound_nodes)} times (a shared layer), "
                f"so its {what} is ambiguous"
            )
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The symbolic input of the layer's (only) call in a functional graph."""
        return self._single_node("input").inputs

    @property
    def output(self):
        """The symbolic output of the layer's (only) call in a functional graph."""
        return self._single_node("output").outputs

    @property
    def input_shape(self):
        """Shape of the inputs the layer was built for (batch axis None)."""
        if not self.built:
            raise AttributeError(f"Layer '{self.name}' is not built yet, so it has no input_shape")
        return self._build_input_shape

    @property
    def output_shape(self):
        """Shape of the outputs for the inputs the layer was built for (batch axis None)."""
        if self._inbound_nodes:
            return nest.map_structure(lambda kt: kt.shape, self._inbound_nodes[0].outputs)
        if not self.built:
            raise AttributeError(f"Layer '{self.name}' is not built yet, so it has no output_shape")
        shape = self._build_input_shape
        fake = nest.map_structure(lambda leaf: KerasTensor(leaf.shape, self.dtype), wrap_shapes(shape))
        return nest.map_structure(lambda spec: spec.shape, self.compute_output_spec(fake))

    # -- saving ---------------------------------------------------------------------
    def get_config(self) -> dict:
        """Constructor arguments, enough to rebuild the layer (without weights)."""
        config = {"name": self.name, "trainable": self._trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a layer from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name='{self.name}' built={self.built}>"


def _trackable(value) -> bool:
    if isinstance(value, Variable | Layer):
        return True
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, Layer) for v in value)


class _ShapeLeaf:
    """Wraps a shape tuple so that nest helpers treat it as one leaf."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = tuple(shape)


def wrap_shapes(shapes):
    """A shape, or a list/dict of shapes, with each shape wrapped as one leaf for ``nest``."""
    if _is_shape(shapes):
        return _ShapeLeaf(shapes)
    if isinstance(shapes, list | tuple):
        return [wrap_shapes(s) for s in shapes]
    if isinstance(shapes, dict):
        return {k: wrap_shapes(s) for k, s in shapes.items()}
    return shapes


def _symbolic_shapes(inputs):
    if isinstance(inputs, KerasTensor):
        return inputs.shape
    if isinstance(inputs, list | tuple):
        return [_symbolic_shapes(s) for s in inputs]
    if isinstance(inputs, dict):
        return {k: _symbolic_shapes(s) for k, s in inputs.items()}
    raise TypeError(f"expected KerasTensors, got {inputs!r}")
