"""Looking inside a trained model by layer name: a functional sub-model under the hood.

Every technique of the chapter starts the same way: take a trained model, name one of its
layers, and build a second model with the same inputs whose outputs are that layer's
outputs (Keras: ``Model(model.inputs, model.get_layer(name).output)``). The sub-model
shares the trained weights; running it is one forward pass. This module does that, with
errors that list the layer names when a name is wrong, and checks the images given.
"""

from __future__ import annotations

import numpy as np

from dl_layers import InputLayer, Model


def model_inputs(model, what: str) -> list:
    """The model's symbolic inputs, or a clear error for a model that has none yet."""
    if not isinstance(model, Model):
        raise TypeError(f"{what}: expected a dl_layers Model (Sequential or functional), got {type(model).__name__}")
    try:
        return model.inputs
    except AttributeError:
        raise ValueError(
            f"{what}: model '{model.name}' has no input graph yet; build it first (give the first layer an "
            "input_shape, start with Input(...), or call it on data); a subclassed Model has no layer graph"
        ) from None


def layer_names(model) -> list:
    """Names of the model's layers, InputLayers left out.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> layer_names(Sequential([Dense(4, input_shape=(3,), name="hidden"), Dense(1, name="out")]))
        ['hidden', 'out']
    """
    return [layer.name for layer in model.layers if not isinstance(layer, InputLayer)]


def find_layer(model, name: str, what: str):
    """``model``'s layer called ``name``; a ValueError listing the names if there is none."""
    model_inputs(model, what)
    if not isinstance(name, str):
        raise TypeError(f"{what}: layer names are strings, got {name!r}")
    for layer in model.layers:
        if layer.name == name:
            return layer
    raise ValueError(f"{what}: model '{model.name}' has no layer named {name!r}; its layers: {layer_names(model)}")


def output_shape(layer) -> tuple:
    """The (single) output shape of a layer in its model's graph, batch axis None."""
    shape = layer.output_shape
    if isinstance(shape, list | dict):
        raise ValueError(f"layer '{layer.name}' has several outputs; dl-viz looks at layers with one output")
    return tuple(shape)


def layer_output_model(model, names, what: str) -> Model:
    """``Model(model.inputs, outputs of the named layers)``: the same weights, new outputs
    (one output for a name, a list of outputs for a list of names).

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(4, input_shape=(3,), name="hidden"), Dense(1, name="out")])
        >>> sub = layer_output_model(model, ["hidden"], "example")
        >>> [y.shape for y in sub.predict(np.ones((2, 3)))]
        [(2, 4)]
    """
    inputs = model_inputs(model, what)
    if isinstance(names, str):
        outputs = find_layer(model, names, what).output
    else:
        outputs = [find_layer(model, name, what).output for name in names]
    return Model(inputs if len(inputs) > 1 else inputs[0], outputs, name=f"{model.name}_viz")


def as_batch(model, x, what: str, name: str = "image") -> np.ndarray:
    """``x`` as a float32 batch for ``model``'s (single) input: one sample gets a batch axis.

    The shape is checked against the model's input shape (None axes accept any size), so
    that a wrong image gives an error naming what was expected.

    Examples:
        >>> from dl_layers import Dense, Input, Model
        >>> inputs = Input(shape=(8, 8, 3))
        >>> model = Model(inputs, Dense(2)(inputs))
        >>> as_batch(model, np.zeros((8, 8, 3)), "example").shape
        (1, 8, 8, 3)
    """
    inputs = model_inputs(model, what)
    if len(inputs) != 1:
        raise ValueError(f"{what}: model '{model.name}' has {len(inputs)} inputs; dl-viz handles one-input models")
    expected = tuple(inputs[0].shape)  # (None, h, w, c) for images
    x = np.asarray(x)
    given = x.shape
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{what}: {name} must hold numbers, got dtype {x.dtype}")
    if x.ndim == len(expected) - 1:
        x = x[None]  # one sample -> a batch of one
    fits = x.ndim == len(expected) and all(e is None or e == g for e, g in zip(expected[1:], x.shape[1:]))
    if not fits:
        wanted = ", ".join("any" if d is None else str(d) for d in expected[1:])
        raise ValueError(f"{what}: {name} of shape {given} does not fit model '{model.name}', whose input is "
                         f"{expected}: give ({wanted}) for one sample or a batch of them")
    if x.shape[0] == 0:
        raise ValueError(f"{what}: {name} is an empty batch")
    return x.astype(np.float32, copy=False)
