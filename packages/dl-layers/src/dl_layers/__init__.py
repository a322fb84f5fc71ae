"""dl-layers: chapter 3 of *Deep Learning with Python* (plus the functional API and
BatchNormalization of chapter 7), rebuilt on NumPy with dl-tensor.

Keras's names, so that the book's listings port by changing imports:

    >>> import numpy as np
    >>> from dl_layers import Dense, Sequential
    >>> model = Sequential([Dense(16, activation="relu"), Dense(3, activation="softmax")])
    >>> model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(np.random.rand(64, 4), np.random.randint(0, 3, 64), epochs=2, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
"""

from dl_tensor import set_random_seed

from . import (
    activations,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from .functional import Input, InputLayer
from .layer import InputSpec, Layer, clear_session
from .layers import (
    Activation,
    Add,
    BatchNormalization,
    Concatenate,
    Dense,
    Dropout,
    Flatten,
    Lambda,
    LayerNormalization,
    LeakyReLU,
    Reshape,
)
from .model import Model
from .saving import load_model
from .sequential import Sequential
from .variable import Variable

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "Add",
    "BatchNormalization",
    "Concatenate",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "InputLayer",
    "InputSpec",
    "Lambda",
    "Layer",
    "LayerNormalization",
    "LeakyReLU",
    "Model",
    "Reshape",
    "Sequential",
    "Variable",
    "activations",
    "callbacks",
    "clear_session",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "set_random_seed",
    "utils",
]
