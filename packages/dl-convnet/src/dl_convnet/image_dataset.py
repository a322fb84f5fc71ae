"""Image folders as training data: one sub-folder per class, decoded batch by batch.

The book's cats-vs-dogs layout::

    cats_vs_dogs_small/train/
        cat/cat.1.jpg, cat/cat.2.jpg, ...
        dog/dog.1.jpg, dog/dog.2.jpg, ...

``find_images`` lists such a folder; ``image_dataset_from_directory`` (Keras's function,
same arguments) turns it into a dataset that ``Model.fit``, ``evaluate`` and ``predict``
take directly::

    train_dataset = image_dataset_from_directory(new_base_dir / "train",
                                                 image_size=(180, 180), batch_size=32)
    model.fit(train_dataset, epochs=30, validation_data=validation_dataset)

Images are decoded (by Pillow, ``pip install "dl-convnet[images]"``) only when a batch is
asked for, so a folder of thousands of images costs no memory up front.
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import numpy as np

from dl_layers.checks import check_bool, check_choice, check_number
from dl_tensor import random as dl_random

from .image_utils import (
    COLOR_MODES,
    INTERPOLATIONS,
    check_size,
    convert_color,
    decode_image,
    img_to_array,
    resize_image,
)

__all__ = ["ALLOWED_EXTENSIONS", "ImageDataset", "find_images", "image_dataset_from_directory"]

ALLOWED_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
"""The file extensions taken as images (in any case: ``.JPG`` too); other files are skipped."""

LABEL_MODES = ("int", "categorical", "binary", None)


# ----------------------------------------------------------------------------- listing files


def _check_directory(owner: str, directory) -> Path:
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(f"{owner}: argument `directory` must be a folder path, got {directory!r}")
    folder = Path(directory).expanduser()
    if not folder.exists():
        raise FileNotFoundError(f"{owner}: the directory {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise NotADirectoryError(f"{owner}: argument `directory` must be a folder, got the file {str(folder)!r}")
    return folder


def _is_image_file(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(ALLOWED_EXTENSIONS)


def list_image_files(folder: Path, follow_links: bool = False) -> list[str]:
    """The image files under ``folder``, sub-folders included, sorted by their path in it.

    Hidden files and folders (``.DS_Store``, ``._cat.1.jpg``, ``.ipynb_checkpoints/``) are skipped.
    """
    found = []
    for root, dirs, files in os.walk(folder, followlinks=follow_links):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # in place: os.walk does not enter the others
        found += [os.path.join(root, name) for name in files if _is_image_file(name)]
    return sorted(found, key=lambda path: Path(path).relative_to(folder).parts)


def _check_classes(owner: str, argument: str, classes, folder: Path) -> list[str]:
    if not isinstance(classes, list | tuple) or not classes or not all(isinstance(c, str) for c in classes):
        raise TypeError(f"{owner}: argument `{argument}` must be a non-empty list of class folder names, "
                        f"got {classes!r}")
    repeated = sorted({c for c in classes if classes.count(c) > 1})
    if repeated:
        raise ValueError(f"{owner}: argument `{argument}` names {', '.join(map(repr, repeated))} more than once")
    missing = [c for c in classes if not (folder / c).is_dir()]
    if missing:
        raise FileNotFoundError(f"{owner}: argument `{argument}` names class folders that do not exist in "
                                f"{str(folder)!r}: {', '.join(map(repr, missing))}")
    return list(classes)


def find_images(directory, classes=None, follow_links: bool = False):
    """List the images of a folder holding one sub-folder per class.

    Args:
        directory: the folder, e.g. ``"cats_vs_dogs_small/train"`` holding ``cat/`` and ``dog/``.
        classes: the class folders to use, in the order of their labels; default: every
            sub-folder, sorted alphanumerically (hidden ones skipped).
        follow_links: also enter folders that are symbolic links inside the class folders.

    Returns:
        ``(paths, labels, class_names)``: the image files (strings) class by class, each class's
        files sorted by path (sub-folders of a class folder included); their int32 labels
        ``(n,)`` (indices into ``class_names``); the class names.

    Raises:
        FileNotFoundError: ``directory`` does not exist, or ``classes`` names a missing folder.
        ValueError: there is no class folder, or a class folder holds no image file.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from dl_convnet.image_utils import save_img
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     for name in ("dog/1.png", "cat/2.png", "cat/1.png"):
        ...         os.makedirs(os.path.join(folder, os.path.dirname(name)), exist_ok=True)
        ...         save_img(os.path.join(folder, name), np.zeros((4, 4, 3)))
        ...     paths, labels, class_names = find_images(folder)
        ...     [os.path.relpath(p, folder) for p in paths], labels, class_names
        (['cat/1.png', 'cat/2.png', 'dog/1.png'], array([0, 0, 1], dtype=int32), ['cat', 'dog'])
    """
    folder = _check_directory("find_images", directory)
    check_bool("find_images", "follow_links", follow_links)
    return _index_classes("find_images", "classes", folder, classes, follow_links)


def _index_classes(owner: str, argument: str, folder: Path, classes, follow_links: bool):
    """``find_images``'s work, with errors naming ``owner`` and its ``argument`` for the classes."""
    if classes is None:
        class_names = sorted(entry.name for entry in os.scandir(folder)
                             if entry.is_dir() and not entry.name.startswith("."))
        if not class_names:
            raise ValueError(f"{owner}: found no class folder in {str(folder)!r}; expected one sub-folder per "
                             f"class, e.g. {os.path.join(folder, 'cat')} and {os.path.join(folder, 'dog')}")
    else:
        class_names = _check_classes(owner, argument, classes, folder)
    paths, counts = [], []
    for name in class_names:
        files = list_image_files(folder / name, follow_links)
        if not files:
            raise ValueError(f"{owner}: the class folder {str(folder / name)!r} holds no image file "
                             f"(extensions {', '.join(ALLOWED_EXTENSIONS)})")
        paths += files
        counts.append(len(files))
    labels = np.repeat(np.arange(len(class_names), dtype=np.int32), counts)  # class k, counts[k] times
    return paths, labels, class_names


# ----------------------------------------------------------------------------- the dataset


class ImageDataset:
    """Batches of images decoded from files, for ``fit``, ``evaluate`` and ``predict``.

    Made by ``image_dataset_from_directory``. ``dataset[i]`` is batch ``i`` of the files in
    the order of ``file_paths``; iterating (``for images, labels in dataset``) goes over
    every batch, in a new order each time when ``shuffle`` is on (drawn from ``seed``: the
    same seed gives the same sequence of orders).

    Each batch is ``(images, labels)``, or ``images`` alone without labels: images float32
    ``(batch, height, width, channels)`` with values 0..255; labels int32 ``(batch,)``
    (``"int"``), float32 ``(batch, num_classes)`` (``"categorical"``) or float32
    ``(batch, 1)`` (``"binary"``). The last batch may be smaller. With ``batch_size=None``
    each item is a single image and its label.

    Attributes:
        file_paths: the image files, in the dataset's order.
        class_names: the class names (label ``k`` is ``class_names[k]``), or None without labels.
        label_mode, color_mode, batch_size, image_size: as given.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from dl_convnet.image_utils import save_img
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     for i in range(5):
        ...         os.makedirs(os.path.join(folder, f"class_{i % 2}"), exist_ok=True)
        ...         save_img(os.path.join(folder, f"class_{i % 2}", f"{i}.png"), np.full((3, 3, 1), i * 50.0),
        ...                  scale=False)
        ...     dataset = image_dataset_from_directory(folder, color_mode="grayscale", image_size=(2, 2),
        ...                                            batch_size=2, label_mode="categorical", seed=0, verbose=False)
        ...     [(images.shape, labels.shape) for images, labels in dataset]
        [((2, 2, 2, 1), (2, 2)), ((2, 2, 2, 1), (2, 2)), ((1, 2, 2, 1), (1, 2))]
    """

    def __init__(self, file_paths, label_ids, class_names, label_mode, color_mode="rgb", batch_size=32,
                 image_size=(256, 256), shuffle=True, seed=None, interpolation="bilinear",
                 crop_to_aspect_ratio=False):
        self.file_paths = list(file_paths)
        self._label_ids = None if label_ids is None else np.asarray(label_ids, dtype=np.int32)
        self.class_names = class_names
        self.label_mode = label_mode
        self.color_mode = color_mode
        self.batch_size = batch_size
        self.image_size = image_size
        self.shuffle = shuffle
        self.seed = seed
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self._rng = np.random.default_rng(seed)  # the order of each pass over the data

    def __len__(self) -> int:
        """The number of batches (of items with ``batch_size=None``)."""
        return math.ceil(len(self.file_paths) / (self.batch_size or 1))

    def __repr__(self) -> str:
        classes = "no labels" if self.class_names is None else f"{len(self.class_names)} classes"
        return (f"<ImageDataset: {len(self.file_paths)} files, {classes}, {len(self)} batches of "
                f"{self.batch_size}, images {self.image_size + (COLOR_MODES[self.color_mode],)}>")

    def _load_image(self, path: str) -> np.ndarray:
        owner = "image_dataset_from_directory"
        img = convert_color(decode_image(owner, path), self.color_mode)
        img = resize_image(owner, img, self.image_size, self.interpolation, self.crop_to_aspect_ratio)
        return img_to_array(img, dtype="float32")  # (height, width, channels)

    def _encode_labels(self, ids: np.ndarray) -> np.ndarray:
        if self.label_mode == "int":
            return ids
        if self.label_mode == "categorical":  # (b,) -> (b, num_classes), one-hot
            return np.eye(len(self.class_names), dtype=np.float32)[ids]
        return ids.astype(np.float32)[:, np.newaxis]  # binary: (b,) -> (b, 1)

    def _batch(self, indices: np.ndarray):
        images = np.stack([self._load_image(self.file_paths[i]) for i in indices])  # (b, h, w, c)
        if self.label_mode is None:
            return images
        return images, self._encode_labels(self._label_ids[indices])

    def _item(self, indices: np.ndarray):
        batch = self._batch(indices)
        if self.batch_size is not None:
            return batch
        if isinstance(batch, tuple):  # unbatched: drop the batch axis of 1
            return batch[0][0], batch[1][0]
        return batch[0]

    def __getitem__(self, index):
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise TypeError(f"ImageDataset: a batch index must be an integer, got {index!r}")
        count = len(self)
        position = index + count if index < 0 else index
        if not 0 <= position < count:
            raise IndexError(f"ImageDataset: batch index {index} is out of range for {count} batches")
        step = self.batch_size or 1
        return self._item(np.arange(position * step, min((position + 1) * step, len(self.file_paths))))

    def __iter__(self):
        n, step = len(self.file_paths), self.batch_size or 1
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, step):
            yield self._item(order[start:start + step])


# ----------------------------------------------------------------------------- the Keras function


def _check_labels(owner: str, labels, count: int, folder: Path) -> np.ndarray:
    ids = np.asarray(labels)
    if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
        raise TypeError(f"{owner}: argument `labels` must be 'inferred', None, or a list of integer labels, "
                        f"one per image file, got {labels!r}")
    if len(ids) != count:
        raise ValueError(f"{owner}: argument `labels` has {len(ids)} labels but {str(folder)!r} holds {count} "
                         f"image files; give one label per file, in the sorted order of their paths")
    if ids.size and ids.min() < 0:
        raise ValueError(f"{owner}: argument `labels` must hold labels >= 0, got {int(ids.min())}")
    return ids.astype(np.int32)


def _check_split(owner: str, validation_split, subset, shuffle: bool, seed):
    if validation_split is not None:
        validation_split = check_number(owner, "validation_split", validation_split, minimum=0, maximum=1,
                                        max_inclusive=False)
        if validation_split == 0:  # as in Keras, 0 means no split
            validation_split = None
    check_choice(owner, "subset", subset, ("training", "validation", "both", None))
    if validation_split is not None and subset is None:
        raise ValueError(f"{owner}: argument `subset` must be 'training', 'validation' or 'both' "
                         f"when validation_split is set, got None")
    if subset is not None and validation_split is None:
        raise ValueError(f"{owner}: argument `validation_split` must be set (a fraction in (0, 1)) "
                         f"when subset is {subset!r}")
    if validation_split is not None and shuffle and seed is None:
        raise ValueError(f"{owner}: argument `seed` must be set when shuffling with validation_split, so that "
                         f"the training and validation subsets split the same shuffled list and do not overlap")
    return validation_split


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, verbose=True):
    """A dataset of image batches from a folder with one sub-folder per class (Keras's function).

    Args:
        directory: the folder. With ``labels="inferred"`` it holds one sub-folder per class;
            otherwise every image under it is used (sub-folders included).
        labels: ``"inferred"`` (from the folders), None (no labels), or a list of integer
            labels, one per image file under ``directory``, in the sorted order of their paths.
        label_mode: ``"int"`` (int32 ids, for ``sparse_categorical_crossentropy``),
            ``"categorical"`` (one-hot float32, for ``categorical_crossentropy``), ``"binary"``
            (float32 ``(batch, 1)``, exactly 2 classes, for ``binary_crossentropy``) or None.
        class_names: with ``labels="inferred"``: the class folders to use, in label order;
            default: every sub-folder, sorted alphanumerically.
        color_mode: ``"rgb"`` (3 channels), ``"rgba"`` (4) or ``"grayscale"`` (1).
        batch_size: images per batch, or None for single images.
        image_size: ``(height, width)`` every image is resized to.
        shuffle: shuffle the files (from ``seed``), and again at each pass over the dataset.
        seed: the random seed; default: drawn from dl-tensor's generator (``set_random_seed``).
        validation_split: the fraction of the files kept for validation, in (0, 1).
        subset: with ``validation_split``: ``"training"`` (the first files of the shuffled list),
            ``"validation"`` (the last ones) or ``"both"`` (both datasets, as a tuple). Call it
            twice with the same ``seed`` for complementary subsets; ``seed`` is required when
            shuffling. Without shuffling the split takes the last files in sorted order.
        interpolation: the resize filter: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"``,
            ``"hamming"``, ``"box"`` or ``"lanczos"``.
        follow_links: also enter folders that are symbolic links inside the class folders.
        crop_to_aspect_ratio: crop the largest centred box with the aspect ratio of
            ``image_size`` before resizing, so images are not stretched.
        verbose: print how many files and classes were found, as Keras does.

    Returns:
        An ``ImageDataset`` (a tuple of two with ``subset="both"``). Files with other
        extensions than ``ALLOWED_EXTENSIONS`` are skipped; a file with an image extension
        that Pillow cannot decode raises a ValueError naming it when its batch is read.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from dl_convnet.image_utils import save_img
        >>> folder = tempfile.mkdtemp()
        >>> for label, colour in (("cat", [200, 30, 30]), ("dog", [30, 30, 200])):
        ...     os.makedirs(os.path.join(folder, label))
        ...     for i in range(5):
        ...         save_img(os.path.join(folder, label, f"{i}.png"), np.full((12, 16, 3), colour), scale=False)
        >>> dataset = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=4, seed=1)
        Found 10 files belonging to 2 classes.
        >>> len(dataset), dataset.class_names
        (3, ['cat', 'dog'])
        >>> images, labels = dataset[0]
        >>> images.shape, images.dtype, labels.dtype
        ((4, 8, 8, 3), dtype('float32'), dtype('int32'))
        >>> bool(np.all((images[:, 0, 0, 0] == 200) == (labels == 0)))   # red cats, blue dogs
        True
        >>> train, val = image_dataset_from_directory(folder, image_size=(8, 8), validation_split=0.2,
        ...                                           subset="both", seed=1, verbose=False)
        >>> len(train.file_paths), len(val.file_paths), set(train.file_paths) & set(val.file_paths)
        (8, 2, set())
        >>> import shutil; shutil.rmtree(folder)
    """
    owner = "image_dataset_from_directory"
    folder = _check_directory(owner, directory)
    inferred = isinstance(labels, str) and labels == "inferred"
    if isinstance(labels, str) and not inferred:
        raise ValueError(f"{owner}: argument `labels` must be 'inferred', None, or a list of integer labels, "
                         f"got {labels!r}")
    check_choice(owner, "label_mode", label_mode, LABEL_MODES)
    if class_names is not None and not (inferred and label_mode is not None):
        raise ValueError(f"{owner}: argument `class_names` can only be given with labels='inferred' and a "
                         f"label_mode, got labels={labels!r}, label_mode={label_mode!r}")
    if labels is None or label_mode is None:  # as in Keras: either one means no labels
        labels, label_mode, inferred = None, None, False
    check_choice(owner, "color_mode", color_mode, tuple(COLOR_MODES))
    if batch_size is not None:
        batch_size = check_number(owner, "batch_size", batch_size, minimum=1, integer=True)
    image_size = check_size(owner, "image_size", image_size)
    shuffle = check_bool(owner, "shuffle", shuffle)
    seed = check_number(owner, "seed", seed, minimum=0, integer=True, none_ok=True)
    validation_split = _check_split(owner, validation_split, subset, shuffle, seed)
    check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
    follow_links = check_bool(owner, "follow_links", follow_links)
    crop_to_aspect_ratio = check_bool(owner, "crop_to_aspect_ratio", crop_to_aspect_ratio)
    verbose = check_bool(owner, "verbose", verbose)

    if inferred:
        paths, ids, class_names = _index_classes(owner, "class_names", folder, class_names, follow_links)
    else:
        paths = list_image_files(folder, follow_links)
        if not paths:
            raise ValueError(f"{owner}: found no image file under {str(folder)!r} "
                             f"(extensions {', '.join(ALLOWED_EXTENSIONS)})")
        ids = None if labels is None else _check_labels(owner, labels, len(paths), folder)
        if ids is not None:  # explicit labels name their classes by number
            class_names = [str(k) for k in range(int(ids.max()) + 1)]
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{owner}: argument `label_mode` is 'binary', which needs exactly 2 classes, "
                         f"got {len(class_names)}: {class_names}; use 'int' or 'categorical'")
    if verbose:
        print(f"Found {len(paths)} files." if ids is None else
              f"Found {len(paths)} files belonging to {len(class_names)} classes.")

    if shuffle:
        if seed is None:
            seed = int(dl_random.get_rng().integers(2**31))
        order = np.random.default_rng(seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        ids = None if ids is None else ids[order]

    def make(part: slice) -> ImageDataset:
        return ImageDataset(paths[part], None if ids is None else ids[part], class_names, label_mode,
                            color_mode=color_mode, batch_size=batch_size, image_size=image_size, shuffle=shuffle,
                            seed=seed, interpolation=interpolation, crop_to_aspect_ratio=crop_to_aspect_ratio)

    if validation_split is None:
        return make(slice(None))

    if not shuffle:
        warnings.warn(f"{owner}: validation_split with shuffle=False keeps the last files in sorted order for "
                      f"validation, likely all from the last class; pass shuffle=True and a seed",
                      UserWarning, stacklevel=2)
    num_validation = int(validation_split * len(paths))
    num_training = len(paths) - num_validation
    for name, count in (("training", num_training), ("validation", num_validation)):
        if count == 0 and subset in (name, "both"):
            raise ValueError(f"{owner}: argument `validation_split`={validation_split} leaves no file for the "
                             f"{name} subset ({len(paths)} files in all)")
    training, validation = slice(0, num_training), slice(num_training, None)
    if verbose and subset in ("training", "both"):
        print(f"Using {num_training} files for training.")
    if verbose and subset in ("validation", "both"):
        print(f"Using {num_validation} files for validation.")
    if subset == "training":
        return make(training)
    if subset == "validation":
        return make(validation)
    return make(training), make(validation)
