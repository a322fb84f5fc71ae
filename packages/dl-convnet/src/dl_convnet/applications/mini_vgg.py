"""``MiniVGG``: a small VGG-style convnet pretrained on real MNIST digits, shipped with the package.

Chapter 5 reuses a network trained on ImageNet (VGG16) for cats and dogs. ImageNet weights
are hundreds of megabytes; this package ships a small convnet of the same design instead,
trained on digits, so that feature extraction and fine-tuning can be run and measured on
any laptop. Its architecture is VGG's, scaled down: blocks of two 3x3 convolutions
("same" padding, relu) and a 2x2 max pooling, with twice the filters in each next block,
then a classifier (Flatten, Dense, Dropout, Dense)::

    block1_conv1, block1_conv2 (16 filters), block1_pool    28x28x1 -> 14x14x16
    block2_conv1, block2_conv2 (32 filters), block2_pool    -> 7x7x32
    block3_conv1, block3_conv2 (64 filters), block3_pool    -> 3x3x64   (the convolutional base)
    flatten, fc1 (Dense 64, relu), dropout, predictions (Dense 10, softmax)   (the top)

The weights (``mini_vgg_digits.dlbook``, a model file of ``model.save``) were learned by
``packages/dl-convnet/scripts/pretrain_mini_vgg.py`` on the 10,000 MNIST digits of
``datasets.mnist_subset`` (8,000 to train, 2,000 held out); ``model_card()`` gives the
recipe and the measured accuracy. The file's SHA-256 is recorded in the card and checked
before the weights are used.

Inputs are images ``(batch, height, width, 1)`` with values in [0, 1]: ``preprocess_input``
turns 0-255 pixels into that.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path

import numpy as np

from dl_layers import Dense, Dropout, Flatten, Input, Model, load_model
from dl_layers.checks import check_choice

from ..convolution import Conv2D
from ..pooling import GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D

__all__ = ["BLOCKS", "CLASS_NAMES", "MiniVGG", "decode_predictions", "model_card", "preprocess_input"]

BLOCKS = ((16, 2), (32, 2), (64, 2))
"""``(filters, convolutions)`` of each block."""

CLASS_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
"""What each of the pretrained top's 10 outputs means: the digit of its index."""

PRETRAINED_FILE = "mini_vgg_digits.dlbook"
CARD_FILE = "mini_vgg_digits.json"
PRETRAINED_SHAPE = (28, 28, 1)
_NAME = "MiniVGG"


def model_card() -> dict:
    """What the shipped weights are: data, recipe, accuracy, file hash (``mini_vgg_digits.json``).

    Examples:
        >>> card = model_card()
        >>> card["data"]["name"], card["input_shape"]
        ('mnist_subset', [28, 28, 1])
    """
    return json.loads(resources.files(__package__).joinpath(CARD_FILE).read_text(encoding="utf-8"))


def preprocess_input(x) -> np.ndarray:
    """Pixels 0-255 (any shape, any real dtype) to float32 in [0, 1], as the weights were trained.

    Examples:
        >>> preprocess_input(np.array([0, 51, 255], np.uint8))
        array([0. , 0.2, 1. ], dtype=float32)
    """
    return np.asarray(x, dtype=np.float32) / np.float32(255.0)


def decode_predictions(preds, top: int = 5) -> list:
    """The ``top`` most likely digits of each row of ``preds`` (batch, 10), best first, as
    ``(index, name, probability)`` tuples (Keras's ``decode_predictions`` for digits).

    Examples:
        >>> decode_predictions(np.array([[0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0]]), top=2)
        [[(7, 'seven', 0.9), (0, 'zero', 0.1)]]
    """
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != len(CLASS_NAMES):
        raise ValueError(f"decode_predictions expects predictions of shape (batch, {len(CLASS_NAMES)}), "
                         f"got {preds.shape}")
    order = np.argsort(-preds, axis=1, kind="stable")[:, :top]  # (batch, top)
    return [[(int(i), CLASS_NAMES[i], float(row[i])) for i in best] for row, best in zip(preds, order)]


def MiniVGG(include_top: bool = True, weights="pretrained", input_shape=None, pooling=None, classes: int = 10,
            classifier_activation="softmax", name: str = "mini_vgg") -> Model:
    """Build the small VGG-style convnet, optionally with its pretrained weights.

    Args:
        include_top: keep the classifier (Flatten, fc1, dropout, predictions). Without it the
            model is the convolutional base, ending with ``block3_pool``.
        weights: ``"pretrained"`` (the shipped weights learned on MNIST digits), ``None``
            (random initialization), or the path of a weights file written by
            ``save_weights`` for this same architecture.
        input_shape: ``(height, width, channels)``. Default ``(28, 28, 1)`` with the top,
            ``(None, None, 1)`` (any size) without it. The pretrained weights need 1 channel;
            the top needs 28x28 (its Dense layer was sized for it); any size from 8x8 works
            without it.
        pooling: without the top, ``None`` (the base's 4D output), ``"avg"`` or ``"max"``
            (a global pooling to ``(batch, 64)``).
        classes: outputs of the top; must be 10 with the pretrained top.
        classifier_activation: activation of ``predictions`` (``None`` for logits).
        name: the model's name.

    Returns:
        A functional ``Model``.

    Examples:
        >>> conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
        >>> conv_base.output_shape, conv_base.layers[-1].name
        ((None, 3, 3, 64), 'block3_pool')
        >>> MiniVGG(weights=None).count_params()
        109370
    """
    include_top = bool(include_top)
    pretrained = isinstance(weights, str) and weights == "pretrained"
    if not (weights is None or pretrained or isinstance(weights, str | os.PathLike)):
        raise ValueError(f"{_NAME}: argument `weights` must be 'pretrained', None or the path of a weights file, "
                         f"got {weights!r}")
    if isinstance(weights, str | os.PathLike) and not pretrained and not Path(weights).is_file():
        raise ValueError(f"{_NAME}: argument `weights` must be 'pretrained', None or the path of an existing weights "
                         f"file, got {str(weights)!r} (no such file)")
    if pretrained and include_top and classes != len(CLASS_NAMES):
        raise ValueError(f"{_NAME}: the pretrained top has {len(CLASS_NAMES)} classes, got classes={classes}; "
                         "use include_top=False and add your own classifier")
    if include_top and pooling is not None:
        raise ValueError(f"{_NAME}: argument `pooling` applies only with include_top=False, got pooling={pooling!r}")
    check_choice(_NAME, "pooling", pooling, (None, "avg", "max"))
    input_shape = _check_input_shape(input_shape, include_top, pretrained)

    inputs = Input(shape=input_shape, name="input_image")
    x = inputs
    for block, (filters, convolutions) in enumerate(BLOCKS, start=1):
        for conv in range(1, convolutions + 1):
            x = Conv2D(filters, (3, 3), padding="same", activation="relu", name=f"block{block}_conv{conv}")(x)
        x = MaxPooling2D((2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = Flatten(name="flatten")(x)
        x = Dense(64, activation="relu", name="fc1")(x)
        x = Dropout(0.5, name="dropout")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(inputs, x, name=name)
    if pretrained:
        _load_pretrained(model)
    elif weights is not None:
        model.load_weights(weights)
    return model


def _check_input_shape(input_shape, include_top: bool, pretrained: bool) -> tuple:
    if input_shape is None:
        return PRETRAINED_SHAPE if include_top else (None, None, PRETRAINED_SHAPE[2])
    shape = tuple(input_shape) if isinstance(input_shape, tuple | list) else None
    if shape is None or len(shape) != 3 or not all(s is None or (isinstance(s, int) and s > 0) for s in shape):
        raise ValueError(f"{_NAME}: argument `input_shape` must be (height, width, channels), got {input_shape!r}")
    height, width, channels = shape
    if channels is None:
        raise ValueError(f"{_NAME}: the channel count of `input_shape` must be known, got {shape}")
    if pretrained and channels != PRETRAINED_SHAPE[2]:
        raise ValueError(f"{_NAME}: the pretrained weights are for grayscale images (1 channel), got input_shape "
                         f"{shape}; use weights=None for {channels} channels")
    if include_top and shape[:2] != PRETRAINED_SHAPE[:2]:
        raise ValueError(f"{_NAME}: with include_top=True the input must be 28x28 (the top's Dense layer is sized "
                         f"for it), got input_shape {shape}; use include_top=False for other sizes")
    for axis, size in (("height", height), ("width", width)):
        if size is not None and size < 8:
            raise ValueError(f"{_NAME}: the input's {axis} must be at least 8 (three 2x2 poolings), got input_shape "
                             f"{shape}")
    return shape


def _load_pretrained(model: Model) -> None:
    """Copy the shipped weights into ``model``, layer by layer (by name), after checking the
    file's hash and every shape: all or nothing."""
    card = model_card()
    with resources.as_file(resources.files(__package__).joinpath(PRETRAINED_FILE)) as path:
        if not path.is_file():
            raise FileNotFoundError(f"{_NAME}: the pretrained weights file {str(path)!r} is missing from the "
                                    "installed package; reinstall dl-convnet")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != card["sha256"]:
            raise ValueError(f"{_NAME}: the pretrained weights file {str(path)!r} does not match its model card "
                             f"(SHA-256 {digest}, expected {card['sha256']}): it is corrupted or was replaced; "
                             "reinstall dl-convnet or retrain it with scripts/pretrain_mini_vgg.py")
        source = load_model(path, compile=False)
    found = {layer.name: layer for layer in source.layers}
    updates = []
    for layer in model.layers:
        if not layer.weights:
            continue
        if layer.name not in found:
            raise ValueError(f"{_NAME}: the pretrained weights file has no layer '{layer.name}' "
                             f"(it has {sorted(found)})")
        values = found[layer.name].get_weights()
        expected = [tuple(w.shape) for w in layer.get_weights()]
        got = [tuple(v.shape) for v in values]
        if expected != got:
            raise ValueError(f"{_NAME}: layer '{layer.name}' has weights of shapes {expected}, but the pretrained "
                             f"weights file has {got}")
        updates.append((layer, values))
    for layer, values in updates:
        layer.set_weights(values)
