"""``ImageDataGenerator``: the first edition's way to feed (and augment) images batch by batch.

The book's 5.2 listing reads images from class folders, rescales them to [0, 1] and trains::

    train_datagen = ImageDataGenerator(rescale=1./255)
    train_generator = train_datagen.flow_from_directory(
        train_dir, target_size=(150, 150), batch_size=20, class_mode="binary")
    model.fit_generator(train_generator, steps_per_epoch=100, epochs=30,
                        validation_data=validation_generator, validation_steps=50)

A generator holds a *recipe* (the random transforms and the normalisation); ``flow(x, y)``
and ``flow_from_directory(directory)`` apply it to data and return an iterator that yields
``(x, y)`` batches forever, each batch transformed afresh: the same image never comes out
twice the same, which is the point of data augmentation. Each batch goes through:

1. the random geometric transforms (rotation, shifts, shear, zoom: one matrix per image,
   applied to the whole batch at once by ``image_transform.affine_transform``), then flips;
2. ``preprocessing_function`` (on each image, as Keras calls it);
3. ``rescale`` (e.g. ``1./255``), then sample-wise, then feature-wise normalisation.

Random draws come from the iterator's ``seed``, or else from dl-tensor's seeded generator
(``set_random_seed`` makes runs repeatable).
"""

from __future__ import annotations

import math
import os

import numpy as np

from dl_layers.checks import check_bool, check_choice, check_dtype, check_number
from dl_tensor import random as dl_random

from .image_dataset import find_images
from .image_transform import (
    FILL_MODES,
    affine_transform,
    flip_images,
    rotation_matrix,
    shear_matrix,
    translation_matrix,
    zoom_matrix,
)
from .image_utils import COLOR_MODES, check_size, img_to_array, load_img
from .image_utils import INTERPOLATIONS as LOAD_INTERPOLATIONS

__all__ = ["DirectoryIterator", "ImageDataGenerator", "Iterator", "NumpyArrayIterator"]

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
SUBSETS = ("training", "validation", None)


def _check_range(owner: str, name: str, value):
    """A shift range: a number >= 0, or a list of numbers to pick from."""
    if isinstance(value, list | tuple | np.ndarray):
        values = [check_number(owner, f"{name}[{i}]", v) for i, v in enumerate(np.ravel(value))]
        if not values:
            raise ValueError(f"{owner}: argument `{name}` must be a number or a non-empty list of numbers, got []")
        return values
    integer = isinstance(value, int | np.integer) and not isinstance(value, bool)
    return check_number(owner, name, value, minimum=0, integer=integer)


def _check_zoom(owner: str, zoom_range) -> tuple[float, float]:
    """``zoom_range`` as (lower, upper) zoom factors: z means [1 - z, 1 + z]."""
    if isinstance(zoom_range, list | tuple):
        if len(zoom_range) != 2:
            raise ValueError(f"{owner}: argument `zoom_range` must be a number or [lower, upper], got {zoom_range!r}")
        lower = check_number(owner, "zoom_range[0]", zoom_range[0], minimum=0, min_inclusive=False)
        upper = check_number(owner, "zoom_range[1]", zoom_range[1], minimum=lower)
        return lower, upper
    z = check_number(owner, "zoom_range", zoom_range, minimum=0, maximum=1, max_inclusive=False)
    return 1 - z, 1 + z


class ImageDataGenerator:
    """Random transforms and normalisation of image batches (Keras 2's ``ImageDataGenerator``).

    Args:
        featurewise_center: subtract the per-channel mean of the data given to ``fit``.
        samplewise_center: subtract each image's own mean.
        featurewise_std_normalization: divide by the per-channel std from ``fit`` (implies
            ``featurewise_center``, as in Keras).
        samplewise_std_normalization: divide each image by its own std (implies ``samplewise_center``).
        rotation_range: rotate by a random angle in ``[-r, r]`` degrees.
        width_shift_range: shift horizontally by a random amount in ``[-r, r]``: a fraction of
            the width if ``r < 1``, else pixels; an int shifts by whole pixels in ``(-r, r)``;
            a list shifts by one of its values, either way.
        height_shift_range: the same, vertically.
        shear_range: shear by a random angle in ``[-r, r]`` **degrees** (so the book's
            ``shear_range=0.2`` is a very light shear, as it was in Keras).
        zoom_range: zoom factors drawn in ``[1 - z, 1 + z]``, or in ``[lower, upper]``, one for
            each axis; above 1 zooms out.
        fill_mode: "nearest" (default), "constant" (with ``cval``), "reflect" or "wrap": what
            the uncovered borders show.
        cval: the value for ``fill_mode="constant"``.
        horizontal_flip: mirror each image left-right with probability 1/2.
        vertical_flip: mirror each image top-bottom with probability 1/2.
        rescale: multiply by this number (None or 0: no rescaling), e.g. ``1./255``.
        preprocessing_function: called on each image (height, width, channels) after the
            transforms; returns an array of the same shape.
        validation_split: the fraction of the data held out for ``subset="validation"``.
        dtype: of the batches, float32 by default.

    Examples:
        >>> import numpy as np
        >>> datagen = ImageDataGenerator(rescale=1.0 / 255, horizontal_flip=True)
        >>> images, labels = np.full((10, 8, 8, 3), 255, np.uint8), np.arange(10)
        >>> x, y = next(datagen.flow(images, labels, batch_size=4, shuffle=False))
        >>> x.shape, x.dtype, float(x.max()), y.tolist()
        ((4, 8, 8, 3), dtype('float32'), 1.0, [0, 1, 2, 3])
    """

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, rotation_range=0, width_shift_range=0.0, height_shift_range=0.0,
                 shear_range=0.0, zoom_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, validation_split=0.0,
                 dtype="float32"):
        owner = "ImageDataGenerator"
        self.featurewise_std_normalization = check_bool(owner, "featurewise_std_normalization",
                                                        featurewise_std_normalization)
        self.samplewise_std_normalization = check_bool(owner, "samplewise_std_normalization",
                                                       samplewise_std_normalization)
        # dividing by the std only makes sense around the mean: std normalisation implies centring
        self.featurewise_center = check_bool(owner, "featurewise_center", featurewise_center) or \
            self.featurewise_std_normalization
        self.samplewise_center = check_bool(owner, "samplewise_center", samplewise_center) or \
            self.samplewise_std_normalization
        self.rotation_range = check_number(owner, "rotation_range", rotation_range, minimum=0)
        self.width_shift_range = _check_range(owner, "width_shift_range", width_shift_range)
        self.height_shift_range = _check_range(owner, "height_shift_range", height_shift_range)
        self.shear_range = check_number(owner, "shear_range", shear_range, minimum=0)
        self.zoom_range = _check_zoom(owner, zoom_range)
        self.fill_mode = check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
        self.cval = check_number(owner, "cval", cval)
        self.horizontal_flip = check_bool(owner, "horizontal_flip", horizontal_flip)
        self.vertical_flip = check_bool(owner, "vertical_flip", vertical_flip)
        self.rescale = check_number(owner, "rescale", rescale, none_ok=True)
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise TypeError(f"{owner}: argument `preprocessing_function` must be a function or None, "
                            f"got {preprocessing_function!r}")
        self.preprocessing_function = preprocessing_function
        self.validation_split = check_number(owner, "validation_split", validation_split, minimum=0, maximum=1,
                                             max_inclusive=False)
        self.dtype = check_dtype(owner, "dtype", dtype)
        self.mean = None  # (1, 1, channels), set by fit
        self.std = None

    # -- random transforms ----------------------------------------------------------------------

    def _transforms_enabled(self) -> bool:
        return bool(self.rotation_range or np.any(self.width_shift_range) or np.any(self.height_shift_range)
                    or self.shear_range or self.zoom_range != (1.0, 1.0))

    @staticmethod
    def _draw_shifts(shift_range, size: int, n: int, rng) -> np.ndarray:
        """(n,) shifts in pixels, following Keras 2's rules for a shift range (see the class doc)."""
        if not np.any(shift_range):
            return np.zeros(n)
        if isinstance(shift_range, list):  # one of the values, either way
            shifts = rng.choice(shift_range, n) * rng.choice([-1, 1], n)
        elif isinstance(shift_range, int):  # whole pixels in (-r, r)
            return rng.integers(-shift_range + 1, shift_range, n).astype(np.float64)
        else:
            shifts = rng.uniform(-shift_range, shift_range, n)
        return shifts * size if np.max(shift_range) < 1 else shifts  # fractions of the size, or pixels

    def _random_params(self, n: int, height: int, width: int, rng) -> dict:
        """One set of transform parameters per image, as arrays (n,) (keys: see ``get_random_transform``)."""

        def symmetric(r):  # (n,) draws in [-r, r]
            return rng.uniform(-r, r, n) if r else np.zeros(n)

        def coins(enabled):  # (n,) True with probability 1/2
            return rng.random(n) < 0.5 if enabled else np.zeros(n, bool)

        return {
            "theta": symmetric(self.rotation_range),
            "tx": self._draw_shifts(self.width_shift_range, width, n, rng),
            "ty": self._draw_shifts(self.height_shift_range, height, n, rng),
            "shear": symmetric(self.shear_range),
            "zx": rng.uniform(*self.zoom_range, n),  # one zoom per axis, as Keras 2
            "zy": rng.uniform(*self.zoom_range, n),
            "flip_horizontal": coins(self.horizontal_flip),
            "flip_vertical": coins(self.vertical_flip),
        }

    def _apply_params(self, x: np.ndarray, params: dict) -> np.ndarray:
        """Transform a batch (n, h, w, c) by per-image parameters (arrays (n,) or numbers)."""
        n, h, w, _ = x.shape

        def per_image(key, default):
            return np.broadcast_to(np.asarray(params.get(key, default), dtype=np.float64), (n,))

        theta, tx, ty = per_image("theta", 0), per_image("tx", 0), per_image("ty", 0)
        shear, zx, zy = per_image("shear", 0), per_image("zx", 1), per_image("zy", 1)
        if np.any(theta) or np.any(tx) or np.any(ty) or np.any(shear) or np.any(zx != 1) or np.any(zy != 1):
            # Keras 2's order (each matrix maps output pixels to input pixels): rotation @ shift @ shear @ zoom;
            # Keras 2's shift: the output at (x, y) shows the input at (x + tx, y + ty)
            matrices = (rotation_matrix(np.deg2rad(theta), h, w) @ translation_matrix(-ty, -tx)
                        @ shear_matrix(np.deg2rad(shear), h, w) @ zoom_matrix(zy, zx, h, w))
            x = affine_transform(x, matrices, "bilinear", self.fill_mode, self.cval).astype(x.dtype, copy=False)
        flip_h = np.asarray(params.get("flip_horizontal", False), bool)
        flip_v = np.asarray(params.get("flip_vertical", False), bool)
        if flip_h.any() or flip_v.any():
            x = flip_images(x, flip_h, flip_v)
        return x

    def _augment(self, x: np.ndarray, rng) -> np.ndarray:
        """A batch (n, h, w, c), each image transformed by its own random draw."""
        if not (self._transforms_enabled() or self.horizontal_flip or self.vertical_flip):
            return x
        n, h, w, _ = x.shape
        return self._apply_params(x, self._random_params(n, h, w, rng))

    def get_random_transform(self, img_shape, seed=None) -> dict:
        """Random parameters for one image of shape (height, width, channels).

        Keys: ``theta`` (rotation, degrees, counter-clockwise), ``tx``, ``ty`` (shifts in pixels
        along the width and the height: as Keras 2's shift matrix, the output at ``(x, y)``
        shows the input at ``(x + tx, y + ty)``), ``shear`` (degrees), ``zx``, ``zy`` (zoom
        along the width and the height; above 1 zooms out), ``flip_horizontal``, ``flip_vertical``.
        """
        if len(img_shape) != 3:
            raise ValueError(f"ImageDataGenerator.get_random_transform: argument `img_shape` must be "
                             f"(height, width, channels), got {tuple(img_shape)!r}")
        rng = np.random.default_rng(seed) if seed is not None else dl_random.get_rng()
        params = self._random_params(1, img_shape[0], img_shape[1], rng)
        return {key: value[0].item() for key, value in params.items()}

    def apply_transform(self, x, transform_parameters: dict) -> np.ndarray:
        """One image (height, width, channels) transformed by ``transform_parameters``
        (keys of ``get_random_transform``; missing ones mean no change)."""
        x = self._image("apply_transform", x)
        return self._apply_params(x[None], transform_parameters)[0]

    def random_transform(self, x, seed=None) -> np.ndarray:
        """One image (height, width, channels) with a random transform (no normalisation).

        Examples:
            >>> import numpy as np
            >>> image = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
            >>> ImageDataGenerator(horizontal_flip=True).random_transform(image, seed=1)[0, :, 0]
            array([3., 2., 1., 0.], dtype=float32)
        """
        x = self._image("random_transform", x)
        rng = np.random.default_rng(seed) if seed is not None else dl_random.get_rng()
        return self._augment(x[None], rng)[0]

    def _image(self, what: str, x) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError(f"ImageDataGenerator.{what}: expected one image (height, width, channels), "
                             f"got shape {x.shape} (rank {x.ndim})")
        return x.astype(self.dtype)

    # -- normalisation --------------------------------------------------------------------------

    def standardize(self, x) -> np.ndarray:
        """Normalise one image (h, w, c) or a batch (n, h, w, c): ``preprocessing_function``,
        ``rescale``, then sample-wise and feature-wise centring and scaling. Returns a new array."""
        x = np.array(x, dtype=self.dtype)  # a copy: the caller's array is left alone
        single = x.ndim == 3
        if single:
            x = x[None]
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.standardize: expected an image (height, width, channels) or a "
                             f"batch (n, height, width, channels), got shape {x.shape}")
        if self.preprocessing_function is not None:  # Keras's contract: one image in, one image out
            x = np.stack([np.asarray(self.preprocessing_function(image), dtype=self.dtype) for image in x]) \
                if len(x) else x
        x = self._rescale_and_samplewise(x)
        if self.featurewise_center:
            if self.mean is None:
                raise ValueError("ImageDataGenerator: featurewise_center needs the mean of the training data: "
                                 "call datagen.fit(x_train) first")
            x -= self.mean
        if self.featurewise_std_normalization:
            x /= self.std + 1e-6
        return x[0] if single else x

    def _rescale_and_samplewise(self, x: np.ndarray) -> np.ndarray:
        if self.rescale:
            x *= self.dtype.type(self.rescale)
        if self.samplewise_center:
            x -= x.mean(axis=(1, 2, 3), keepdims=True)  # (n, 1, 1, 1): each image's own mean
        if self.samplewise_std_normalization:
            x /= x.std(axis=(1, 2, 3), keepdims=True) + 1e-6
        return x

    def fit(self, x, augment=False, rounds=1, seed=None) -> None:
        """Compute the per-channel mean and std used by ``featurewise_center`` and
        ``featurewise_std_normalization``, from training images ``x`` (n, h, w, c).

        The statistics are those of the data as ``standardize`` sees it just before the
        feature-wise step: rescaled and, if asked, sample-wise normalised
        (``preprocessing_function`` is not applied, as in Keras).

        Args:
            augment: compute them on ``rounds`` randomly transformed copies of ``x``.
            seed: for those transforms.

        Examples:
            >>> import numpy as np
            >>> datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
            >>> x = np.random.default_rng(0).normal(5.0, 2.0, (100, 4, 4, 3))
            >>> datagen.fit(x)
            >>> batch = next(datagen.flow(x, batch_size=100, shuffle=False))
            >>> np.abs(batch.mean(axis=(0, 1, 2))).max() < 1e-4, batch.std(axis=(0, 1, 2)).round(3)   # per channel
            (np.True_, array([1., 1., 1.], dtype=float32))
        """
        owner = "ImageDataGenerator.fit"
        x = np.array(x, dtype=self.dtype)
        if x.ndim != 4 or 0 in x.shape:
            raise ValueError(f"{owner}: argument `x` must be a non-empty batch of images (n, height, width, "
                             f"channels), got shape {x.shape}")
        check_bool(owner, "augment", augment)
        rounds = check_number(owner, "rounds", rounds, minimum=1, integer=True)
        if augment:
            rng = np.random.default_rng(seed) if seed is not None else dl_random.get_rng()
            x = np.concatenate([self._augment(x, rng) for _ in range(rounds)])  # (rounds * n, h, w, c)
        x = self._rescale_and_samplewise(x)
        self.mean = x.mean(axis=(0, 1, 2)).reshape(1, 1, -1)  # (1, 1, channels)
        self.std = x.std(axis=(0, 1, 2)).reshape(1, 1, -1)

    # -- iterators ------------------------------------------------------------------------------

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, subset=None):
        """Batches of the arrays ``x`` (n, h, w, c) (and ``y``), transformed and normalised, forever.

        Yields ``x_batch`` without ``y``, ``(x_batch, y_batch)`` with it, and
        ``(x_batch, y_batch, sample_weight_batch)`` with ``sample_weight``.
        ``subset="training"``/``"validation"`` takes the last/first ``validation_split``
        part of the data (as Keras 2 does).
        """
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, subset=subset)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None, interpolation="nearest",
                            subset=None, follow_links=False, keep_aspect_ratio=False):
        """Batches of the images found in ``directory`` (one sub-folder per class), forever.

        Args:
            directory: e.g. ``"cats_and_dogs_small/train"`` holding ``cats/`` and ``dogs/``.
            target_size: (height, width) every image is resized to when read.
            color_mode: "rgb", "rgba" or "grayscale" (3, 4 or 1 channels).
            classes: the class folders to use, in label order; default all, sorted.
            class_mode: the labels yielded: "categorical" (one-hot float), "binary" (float 0/1,
                exactly 2 classes), "sparse" (int ids), "input" (the images themselves), or
                None (images only, e.g. for ``predict``).
            batch_size: images per batch (the last batch of an epoch may be smaller).
            shuffle: a new order at each epoch.
            seed: for the shuffles and the random transforms; default dl-tensor's generator.
            interpolation: the resize filter when reading: "nearest" (default), "bilinear"...
            subset: "training" or "validation", with the generator's ``validation_split``
                (the first fraction of each class's files is the validation part).
            follow_links: enter symbolically linked folders.
            keep_aspect_ratio: crop to the aspect ratio of ``target_size`` before resizing.

        Returns:
            a ``DirectoryIterator``; it prints ``Found N images belonging to K classes.``
        """
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 interpolation=interpolation, subset=subset, follow_links=follow_links,
                                 keep_aspect_ratio=keep_aspect_ratio)


class Iterator:
    """Endless batches of sample indices, in a new order each epoch (Keras 2's ``Iterator``).

    ``next(iterator)`` (or a ``for`` loop) gives batch after batch forever, starting a new
    epoch (and a new shuffle) after ``len(iterator)`` batches; ``iterator[i]`` gives batch
    ``i`` of the current epoch. Subclasses turn indices into data with
    ``_get_batches_of_transformed_samples(index_array)``.

    Give ``fit`` the number of batches per epoch: ``fit(iterator, steps_per_epoch=len(iterator))``
    (Keras 2's listings always pass ``steps_per_epoch``).
    """

    def __init__(self, n: int, batch_size, shuffle, seed, owner: str):
        self.n = n
        self.batch_size = check_number(owner, "batch_size", batch_size, minimum=1, integer=True)
        self.shuffle = check_bool(owner, "shuffle", shuffle)
        self.seed = check_number(owner, "seed", seed, minimum=0, integer=True, none_ok=True)
        self._own_rng = np.random.default_rng(self.seed) if self.seed is not None else None
        self.batch_index = 0  # the next batch of the current epoch
        self.total_batches_seen = 0
        self.index_array = None  # the order of the current epoch

    @property
    def rng(self) -> np.random.Generator:
        """The generator of the shuffles and transforms: the iterator's own, or dl-tensor's."""
        return self._own_rng or dl_random.get_rng()

    def _set_index_array(self) -> None:
        self.index_array = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __len__(self) -> int:
        """Batches per epoch (the last one may be smaller)."""
        return math.ceil(self.n / self.batch_size)

    def on_epoch_end(self) -> None:
        """Draw a new order for the next epoch."""
        self._set_index_array()

    def reset(self) -> None:
        """Start the next epoch from its first batch."""
        self.batch_index = 0

    def _indices(self, idx: int) -> np.ndarray:
        return self.index_array[idx * self.batch_size:(idx + 1) * self.batch_size]

    def __getitem__(self, idx):
        if isinstance(idx, bool) or not isinstance(idx, int | np.integer):
            raise TypeError(f"{type(self).__name__}: a batch index must be an integer, got {idx!r}")
        if not 0 <= idx < len(self):
            raise IndexError(f"{type(self).__name__}: batch index {idx} is out of range for {len(self)} batches")
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(self._indices(idx))

    def __iter__(self):
        return self

    def __next__(self):
        if self.batch_index == 0:  # a new epoch: a new order
            self._set_index_array()
        index_array = self._indices(self.batch_index)
        self.batch_index = (self.batch_index + 1) % len(self)
        self.total_batches_seen += 1
        return self._get_batches_of_transformed_samples(index_array)

    next = __next__  # Keras 2's spelling: iterator.next()

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray):
        raise NotImplementedError


def _subset_slice(owner: str, generator: ImageDataGenerator, subset, n: int) -> slice:
    """Which part of ``n`` samples ``subset`` takes: validation the first ``validation_split``, training the rest."""
    check_choice(owner, "subset", subset, SUBSETS)
    if subset is None:
        return slice(0, n)
    if not generator.validation_split:
        raise ValueError(f"{owner}: subset={subset!r} needs a validation_split in the ImageDataGenerator, "
                         f"e.g. ImageDataGenerator(validation_split=0.2)")
    split = int(n * generator.validation_split)
    return slice(0, split) if subset == "validation" else slice(split, n)


class NumpyArrayIterator(Iterator):
    """Batches of arrays, transformed and normalised by an ``ImageDataGenerator`` (see ``flow``).

    Attributes:
        x, y, sample_weight: the arrays (of the subset); ``samples``/``n``: their number.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None, seed=None,
                 subset=None):
        owner = "ImageDataGenerator.flow"
        x = np.asarray(x)
        if x.dtype.kind not in "fiub" or x.ndim != 4:
            raise ValueError(f"{owner}: argument `x` must be images (n, height, width, channels) of numbers, "
                             f"got shape {x.shape}, dtype {x.dtype}")
        for name, other in (("y", y), ("sample_weight", sample_weight)):
            if other is not None and len(other) != len(x):
                raise ValueError(f"{owner}: x has {len(x)} samples but {name} has {len(other)}; they must match")
        part = _subset_slice(owner, image_data_generator, subset, len(x))
        self.x = x[part]
        self.y = None if y is None else np.asarray(y)[part]
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight, np.float32)[part]
        if len(self.x) == 0:
            raise ValueError(f"{owner}: no samples to draw batches from (x has {len(x)} samples"
                             f"{f', subset {subset!r} none of them' if subset else ''})")
        self.image_data_generator = image_data_generator
        self.dtype = image_data_generator.dtype
        self.samples = len(self.x)
        super().__init__(self.samples, batch_size, shuffle, seed, owner)

    def _get_batches_of_transformed_samples(self, index_array):
        gen = self.image_data_generator
        x = self.x[index_array].astype(self.dtype)  # (b, h, w, c), a copy
        x = gen.standardize(gen._augment(x, self.rng))
        if self.y is None:
            return x
        if self.sample_weight is None:
            return x, self.y[index_array]
        return x, self.y[index_array], self.sample_weight[index_array]


class DirectoryIterator(Iterator):
    """Batches of image files read from class folders (see ``ImageDataGenerator.flow_from_directory``).

    Attributes:
        class_indices: ``{class name: label}``, e.g. ``{"cats": 0, "dogs": 1}``.
        classes: the label of every file, int32 (samples,).
        filenames: the files, relative to ``directory``; ``filepaths``: full paths.
        samples: the number of files; ``num_classes``; ``image_shape``: (height, width, channels).
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None, interpolation="nearest",
                 subset=None, follow_links=False, keep_aspect_ratio=False):
        owner = "flow_from_directory"
        self.target_size = check_size(owner, "target_size", target_size)
        self.color_mode = check_choice(owner, "color_mode", color_mode, tuple(COLOR_MODES))
        self.class_mode = check_choice(owner, "class_mode", class_mode, CLASS_MODES)
        self.interpolation = check_choice(owner, "interpolation", interpolation, LOAD_INTERPOLATIONS)
        self.keep_aspect_ratio = check_bool(owner, "keep_aspect_ratio", keep_aspect_ratio)
        self.directory = os.fspath(directory)
        paths, labels, class_names = find_images(directory, classes=classes, follow_links=follow_links)
        if self.class_mode == "binary" and len(class_names) != 2:
            raise ValueError(f"{owner}: class_mode='binary' needs exactly 2 class folders, found "
                             f"{len(class_names)} in {self.directory!r}: {class_names}")
        keep = self._subset(owner, image_data_generator, subset, labels, len(class_names))  # (samples,) indices
        self.filepaths = [paths[i] for i in keep]
        self.filenames = [os.path.relpath(p, self.directory) for p in self.filepaths]
        self.classes = labels[keep]
        self.class_indices = {name: i for i, name in enumerate(class_names)}
        self.num_classes = len(class_names)
        self.samples = len(self.filepaths)
        self.image_shape = (*self.target_size, COLOR_MODES[self.color_mode])
        self.image_data_generator = image_data_generator
        self.dtype = image_data_generator.dtype
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        if self.samples == 0:
            raise ValueError(f"{owner}: subset {subset!r} of {self.directory!r} holds no image; lower or raise "
                             f"the generator's validation_split ({image_data_generator.validation_split})")
        super().__init__(self.samples, batch_size, shuffle, seed, owner)

    @staticmethod
    def _subset(owner, generator, subset, labels, num_classes) -> np.ndarray:
        """Indices of the files in ``subset``: the split is made in each class (as Keras 2 does)."""
        keep = []
        for label in range(num_classes):  # a loop over the few classes, not over files
            in_class = np.flatnonzero(labels == label)
            keep.append(in_class[_subset_slice(owner, generator, subset, len(in_class))])
        return np.concatenate(keep) if keep else np.zeros(0, np.int64)

    @property
    def labels(self) -> np.ndarray:
        """The label of every file (Keras's other name for ``classes``)."""
        return self.classes

    def _load(self, path: str) -> np.ndarray:
        img = load_img(path, color_mode=self.color_mode, target_size=self.target_size,
                       interpolation=self.interpolation, keep_aspect_ratio=self.keep_aspect_ratio)
        return img_to_array(img, dtype=self.dtype)  # (height, width, channels)

    def _get_batches_of_transformed_samples(self, index_array):
        gen = self.image_data_generator
        x = np.stack([self._load(self.filepaths[i]) for i in index_array])  # one file at a time: (b, h, w, c)
        x = gen.standardize(gen._augment(x, self.rng))
        ids = self.classes[index_array]
        if self.class_mode is None:
            return x
        if self.class_mode == "input":
            return x, x.copy()
        if self.class_mode == "categorical":
            return x, np.eye(self.num_classes, dtype=self.dtype)[ids]  # (b,) -> (b, num_classes), one-hot
        if self.class_mode == "binary":
            return x, ids.astype(self.dtype)
        return x, ids  # sparse: int32 ids
