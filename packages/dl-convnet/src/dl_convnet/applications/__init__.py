"""Pretrained convnets, as Keras's ``keras.applications``: build the architecture, optionally
with weights learned on a large data set, with or without its classifier on top.

* ``MiniVGG``: a small VGG-style convnet (three blocks of two 3x3 convolutions and a max
  pooling) pretrained on 8,000 real MNIST digits; its weights ship with the package.

The book's listing ``conv_base = VGG16(weights="imagenet", include_top=False, input_shape=(180, 180, 3))``
becomes ``conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))``.
"""

from . import mini_vgg
from .mini_vgg import MiniVGG, decode_predictions, model_card, preprocess_input

__all__ = ["MiniVGG", "decode_predictions", "mini_vgg", "model_card", "preprocess_input"]
