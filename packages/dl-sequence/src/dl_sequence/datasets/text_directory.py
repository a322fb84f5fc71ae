"""Batches of texts read from a folder of class folders, as Keras's ``text_dataset_from_directory``.

The layout (one sub-folder per class, any depth of ``.txt`` files inside)::

    aclImdb/train/
        neg/0_3.txt, 1_1.txt, ...     -> label 0
        pos/0_9.txt, 1_7.txt, ...     -> label 1

Class folders are sorted alphabetically (label 0 = the first). The files are listed once; each
batch reads its own files when it is asked for, so memory holds one batch of texts, not the corpus.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from dl_tensor import random as dl_random

__all__ = ["MappedDataset", "TextFileDataset", "index_text_files", "text_dataset_from_directory"]

_LABEL_MODES = ("int", "categorical", "binary", None)


def _valid_files(folder: Path, follow_links: bool) -> list[Path]:
    """The ``.txt`` files under ``folder``, sorted by (folder, name) as Keras lists them."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0]):
        found += [Path(root, name) for name in sorted(files) if name.lower().endswith(".txt")]
    return found


def index_text_files(directory, labels="inferred", class_names=None, follow_links=False):
    """List the text files of a folder and their labels, in Keras's order (before any shuffle).

    Args:
        directory: the folder.
        labels: ``"inferred"`` (from the class folders), None, or a list of integer labels,
            one per ``.txt`` file found under ``directory`` (in sorted order).
        class_names: with ``"inferred"``: the class folders to use, in this label order.
        follow_links: follow symbolic links to folders.

    Returns:
        ``(file_paths, labels, class_names)``: a list of paths (str), an int32 array (or None),
        and the class names (or None).

    Examples:
        >>> import tempfile, pathlib
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("pos/a.txt", "neg/b.txt", "neg/deeper/c.txt", "neg/notes.md"):
        ...     (root / name).parent.mkdir(parents=True, exist_ok=True)
        ...     _ = (root / name).write_text("text")
        >>> paths, labels, classes = index_text_files(root)
        >>> [pathlib.Path(p).relative_to(root).as_posix() for p in paths], labels, classes
        (['neg/b.txt', 'neg/deeper/c.txt', 'pos/a.txt'], array([0, 0, 1], dtype=int32), ['neg', 'pos'])
    """
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(f"directory must be a folder path, got {directory!r}")
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"text_dataset_from_directory: directory {str(root)!r} is not an existing folder")
    if labels == "inferred":
        subdirs = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if class_names is not None:
            class_names = [str(c) for c in class_names]
            if not set(class_names) <= set(subdirs):
                raise ValueError(f"class_names must name sub-folders of {str(root)!r}: expected some of {subdirs}, "
                                 f"got class_names={class_names}")
            subdirs = class_names  # the given order makes the labels
        paths, label_list = [], []
        for index, name in enumerate(subdirs):
            files = _valid_files(root / name, follow_links)
            paths += files
            label_list += [index] * len(files)
        return [str(p) for p in paths], np.asarray(label_list, dtype=np.int32), list(subdirs)
    if class_names is not None:
        raise ValueError("class_names can only be given with labels='inferred' "
                         + ("(labels=None: no labels)" if labels is None else "(explicit labels name their classes)"))
    paths = [str(p) for p in _valid_files(root, follow_links)]
    if labels is None:
        return paths, None, None
    if not isinstance(labels, list | tuple | np.ndarray):
        raise ValueError("labels must be 'inferred', None, or a list of integer labels, one per text file, "
                         f"got {labels!r}")
    if len(labels) != len(paths):
        raise ValueError(f"labels has {len(labels)} entries but {len(paths)} .txt files were found in "
                         f"{str(root)!r}; give one label per file (in sorted path order)")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    return paths, labels.astype(np.int32), [str(c) for c in sorted(set(labels.tolist()))]


class TextFileDataset:
    """Batches of ``(texts, labels)`` read from files on demand: what ``text_dataset_from_directory`` returns.

    A "Sequence" (``len``, ``ds[i]``, iteration; each new pass draws a new order when
    shuffling) that ``Model.fit`` takes directly, with Keras's ``class_names`` and
    ``file_paths`` attributes and a ``map(fn)`` like ``tf.data``'s.
    """

    def __init__(self, file_paths, labels, label_mode, class_names, batch_size, shuffle, seed, max_length):
        self.file_paths, self.labels = list(file_paths), labels
        self.label_mode, self.class_names = label_mode, class_names
        self.batch_size, self.shuffle, self.max_length = batch_size, shuffle, max_length
        self._rng = np.random.RandomState(seed) if shuffle else None  # noqa: NPY002 (Keras's generator)
        self._order = np.arange(len(self.file_paths))  # already shuffled once, globally, like Keras
        self._passes = 0

    def __len__(self) -> int:
        n = len(self.file_paths)
        return n if self.batch_size is None else math.ceil(n / self.batch_size)

    def _read(self, path: str) -> str:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        return text if self.max_length is None else text[: self.max_length]

    def _labels(self, index: np.ndarray) -> np.ndarray:
        labels = self.labels[index]  # (b,) int32
        if self.label_mode == "binary":
            return labels.astype(np.float32)[:, None]  # (b,) -> (b, 1)
        if self.label_mode == "categorical":
            return np.eye(len(self.class_names), dtype=np.float32)[labels]  # (b,) -> (b, num_classes)
        return labels

    def __getitem__(self, index: int):
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise TypeError(f"TextFileDataset: batch index must be an integer, got {index!r}")
        if not -n <= index < n:
            raise IndexError(f"TextFileDataset: batch index {index} out of range for {n} batches")
        index = int(index) % n
        size = 1 if self.batch_size is None else self.batch_size
        which = self._order[index * size:(index + 1) * size]  # (b,) file numbers
        texts = np.asarray([self._read(self.file_paths[i]) for i in which], dtype=str)  # (b,)
        if self.batch_size is None:
            return texts[0] if self.labels is None else (texts[0], self._labels(which)[0])
        return texts if self.labels is None else (texts, self._labels(which))

    def __iter__(self) -> Iterator:
        if self.shuffle and self._passes > 0:
            self._order = self._rng.permutation(len(self.file_paths))  # a new order at each new pass
        self._passes += 1
        for i in range(len(self)):
            yield self[i]

    def map(self, fn: Callable, num_parallel_calls=None) -> MappedDataset:
        """``fn`` applied to each batch (its items as arguments, as ``tf.data`` does):
        ``ds.map(lambda x, y: x)`` keeps the texts only (``num_parallel_calls`` is ignored)."""
        return MappedDataset(self, fn)

    def __repr__(self) -> str:
        return (f"TextFileDataset({len(self.file_paths)} files, {len(self)} batches of {self.batch_size}, "
                f"class_names={self.class_names})")


class MappedDataset:
    """A batch source with a function applied to each batch (``ds.map(fn)``)."""

    def __init__(self, source, fn: Callable):
        if not callable(fn):
            raise TypeError(f"map: fn must be callable, got {fn!r}")
        self.source, self.fn = source, fn
        self.class_names = getattr(source, "class_names", None)

    def _apply(self, batch):
        return self.fn(*batch) if isinstance(batch, tuple) else self.fn(batch)

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int):
        return self._apply(self.source[index])

    def __iter__(self) -> Iterator:
        return (self._apply(batch) for batch in self.source)

    def map(self, fn: Callable, num_parallel_calls=None) -> MappedDataset:
        return MappedDataset(self, fn)


def _check_split(validation_split, subset, shuffle, seed) -> None:
    if validation_split is not None and (isinstance(validation_split, bool) or
                                         not isinstance(validation_split, int | float) or
                                         not 0 <= validation_split < 1):
        raise ValueError(f"validation_split must be a fraction between 0 and 1, got {validation_split!r}")
    if bool(validation_split) != bool(subset):
        raise ValueError(f"validation_split and subset go together: give both or neither, got "
                         f"validation_split={validation_split!r}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"subset must be 'training', 'validation' or 'both', got {subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError("with validation_split and shuffle=True, give a seed: the training and validation subsets "
                         "are made by two calls, which must shuffle the files the same way so as not to overlap")


def _split(paths, labels, validation_split, subset, verbose):
    if not validation_split:
        return paths, labels
    num_val = int(validation_split * len(paths))
    cut = len(paths) - num_val
    if subset == "training":
        if verbose:
            print(f"Using {cut} files for training.")
        return paths[:cut], None if labels is None else labels[:cut]
    if verbose:
        print(f"Using {num_val} files for validation.")
    return paths[cut:], None if labels is None else labels[cut:]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """Batches of ``(texts, labels)`` from a folder of class folders, as Keras's ``text_dataset_from_directory``.

    The files are listed in sorted order, then (``shuffle=True``) shuffled once with
    ``np.random.RandomState(seed)`` as Keras does, then split (the last ``validation_split``
    fraction is the validation subset). Each new pass over a shuffled data set visits the
    files in a new order. Files are decoded as UTF-8 (undecodable bytes replaced).

    Args:
        directory: the folder; with ``labels="inferred"``, one sub-folder per class.
        labels: ``"inferred"``, None (texts only), or a list of integer labels, one per ``.txt``
            file in sorted path order.
        label_mode: ``"int"`` (int32 ``(batch,)``), ``"categorical"`` (float32 one-hot
            ``(batch, num_classes)``), ``"binary"`` (float32 ``(batch, 1)``, exactly two
            classes), or None (texts only).
        class_names: with ``"inferred"``: which class folders, in label order (default: all, sorted).
        batch_size: texts per batch; None yields single texts.
        max_length: keep at most this many characters of each text (Keras counts bytes).
        shuffle: shuffle the files (default True, as in Keras).
        seed: for the shuffle; needed with ``validation_split``. None draws one from
            dl-tensor's generator.
        validation_split: fraction of the files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns the two).
        follow_links: follow symbolic links to folders.
        verbose: print how many files and classes were found, as Keras does.

    Returns:
        A ``TextFileDataset`` (two with ``subset="both"``) yielding ``(texts, labels)``, or
        ``texts`` alone without labels; ``texts`` is a NumPy string array.

    Shapes:
        texts: ``(batch,)``; labels: ``(batch,)``, ``(batch, 1)`` or ``(batch, num_classes)``.

    Examples:
        >>> import tempfile, pathlib
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for i, (name, text) in enumerate([("neg", "dull"), ("pos", "great fun"), ("neg", "boring"),
        ...                                   ("pos", "loved it")]):
        ...     (root / name).mkdir(exist_ok=True)
        ...     _ = (root / name / f"{i}.txt").write_text(text)
        >>> train_ds = text_dataset_from_directory(root, batch_size=3, shuffle=False)
        Found 4 files belonging to 2 classes.
        >>> train_ds.class_names, len(train_ds)
        (['neg', 'pos'], 2)
        >>> for inputs, targets in train_ds:
        ...     print(inputs.shape, inputs.dtype.kind, targets.shape, targets.dtype)
        ...     print(inputs[0], targets)
        ...     break
        (3,) U (3,) int32
        dull [0 0 1]
    """
    if labels not in ("inferred", None) and not isinstance(labels, list | tuple | np.ndarray):
        raise ValueError("labels must be 'inferred', None, or a list of integer labels, one per text file, "
                         f"got {labels!r}")
    if label_mode not in _LABEL_MODES:
        raise ValueError(f"label_mode must be one of 'int', 'categorical', 'binary' or None, got {label_mode!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer)
                                   or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int | np.integer)
                                   or max_length < 1):
        raise ValueError(f"max_length must be a positive integer or None, got {max_length!r}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    _check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(dl_random.get_rng().integers(1_000_000))

    paths, label_array, names = index_text_files(directory, labels, class_names, follow_links)
    if verbose:
        print(f"Found {len(paths)} files." if label_array is None
              else f"Found {len(paths)} files belonging to {len(names)} classes.")
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(f"label_mode='binary' needs exactly 2 classes, got class_names={names}")
    if shuffle:  # once, globally, with the same seed for the files and their labels
        np.random.RandomState(seed).shuffle(paths)  # noqa: NPY002 (Keras's generator)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)  # noqa: NPY002

    def make(which: str):
        sub_paths, sub_labels = _split(paths, label_array, validation_split, which, verbose)
        if not sub_paths:
            kind = {"training": "training ", "validation": "validation "}.get(which if validation_split else "", "")
            raise ValueError(f"text_dataset_from_directory: no {kind}text files (.txt) found in {str(directory)!r}")
        return TextFileDataset(sub_paths, sub_labels, label_mode, names, batch_size, bool(shuffle), seed, max_length)

    if subset == "both":
        return make("training"), make("validation")
    return make(subset)
