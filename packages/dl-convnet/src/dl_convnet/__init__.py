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

from . import applications, datasets, image_transform
from .applications import MiniVGG
from .augmentation import RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom
from .conv_transpose import Conv2DTranspose, Conv2DTransposeOp, Convolution2DTranspose, conv2d_transpose_composed
from .convolution import Conv2D, Conv2DOp, Convolution2D, conv2d_composed
from .depthwise_conv import DepthwiseConv2D, DepthwiseConv2DOp, depthwise_conv2d_composed
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
from .reshaping import Cropping2D, UpSampling2D, ZeroPadding2D
from .separable_conv import SeparableConv2D, SeparableConvolution2D

__version__ = "0.1.0"

__all__ = [
    "AveragePooling2D",
    "AvgPool2D",
    "Conv2D",
    "Conv2DOp",
    "Conv2DTranspose",
    "Conv2DTransposeOp",
    "Convolution2D",
    "Convolution2DTranspose",
    "Cropping2D",
    "DepthwiseConv2D",
    "DepthwiseConv2DOp",
    "DirectoryIterator",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling2D",
    "ImageDataGenerator",
    "ImageDataset",
    "MaxPool2D",
    "MaxPooling2D",
    "MiniVGG",
    "NumpyArrayIterator",
    "Pool2DOp",
    "RandomContrast",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "SeparableConv2D",
    "SeparableConvolution2D",
    "UpSampling2D",
    "ZeroPadding2D",
    "applications",
    "array_to_img",
    "conv2d_composed",
    "conv2d_transpose_composed",
    "datasets",
    "depthwise_conv2d_composed",
    "find_images",
    "image_dataset_from_directory",
    "image_transform",
    "img_to_array",
    "load_img",
    "pool2d_composed",
    "save_img",
]
