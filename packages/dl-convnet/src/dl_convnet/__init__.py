"""dl-convnet: chapter 5 of *Deep Learning with Python* (plus the depthwise-separable
convolutions of chapter 7), rebuilt on NumPy with dl-layers.

Keras's names and layouts, so that the book's listings port by changing imports:

    >>> import numpy as np
    >>> from dl_layers import Dense, Flatten, Sequential
    >>> from dl_convnet import Conv2D, MaxPooling2D
    >>> model = Sequential([Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)),
    ...                     MaxPooling2D((2, 2)), Flatten(), Dense(10, activation="softmax")])
    >>> model.output_shape
    (None, 10)
"""

from . import datasets, image_transform
from .augmentation import RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom
from .convolution import Conv2D, Conv2DOp, conv2d_composed
from .image_data_generator import DirectoryIterator, ImageDataGenerator, NumpyArrayIterator
from .image_dataset import ImageDataset, find_images, image_dataset_from_directory
from .image_utils import array_to_img, img_to_array, load_img, save_img
from .pooling import (
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
    Pool2DOp,
    pool2d_composed,
)
from .preprocessing import Rescaling, Resizing

__version__ = "0.1.0"

__all__ = [
    "AveragePooling2D",
    "DirectoryIterator",
    "ImageDataGenerator",
    "NumpyArrayIterator",
    "RandomContrast",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "AvgPool2D",
    "Conv2D",
    "Conv2DOp",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling2D",
    "ImageDataset",
    "MaxPool2D",
    "MaxPooling2D",
    "Pool2DOp",
    "array_to_img",
    "conv2d_composed",
    "datasets",
    "find_images",
    "image_dataset_from_directory",
    "image_transform",
    "img_to_array",
    "load_img",
    "pool2d_composed",
    "save_img",
]
