"""Every layer of dl-layers, as ``keras.layers`` offers them: ``from dl_layers import layers``."""

from ..functional import Input, InputLayer
from ..layer import InputSpec, Layer
from ..registry import deserialize_layer as deserialize
from ..registry import serialize_layer as serialize
from .activation import Activation, LeakyReLU
from .dense import Dense
from .dropout import Dropout
from .lambda_layer import Lambda
from .masking import Masking
from .merging import Add, Concatenate, add, concatenate
from .normalization import BatchNormalization, LayerNormalization
from .reshaping import Flatten, Reshape

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
    "Masking",
    "Reshape",
    "add",
    "concatenate",
    "deserialize",
    "serialize",
]
