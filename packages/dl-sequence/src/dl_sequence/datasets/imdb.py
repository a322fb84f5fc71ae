"""IMDB movie reviews: 50,000 reviews labelled negative (0) or positive (1), half to train, half to test.

Two forms, as in the book:

* the raw texts (``load_texts``), read from Stanford's ``aclImdb`` folders
  (``aclImdb/{train,test}/{neg,pos}/*.txt``; the unlabelled ``unsup`` folder is ignored):
  section 6.1 of the first edition and chapter 11 of the second;
* Keras's integer form (``load_data``, ``get_word_index``): each review as a list of word
  ranks. Keras downloads a ready-made ``imdb.npz``; here it is built from the raw texts with a
  plain tokenizer (``tokenize``: lower case, ``<br />`` and punctuation to spaces, split on
  white space), and a word's rank is its place by frequency over the training texts (1 = the
  most frequent). The ranks are therefore close to Keras's word index, not identical.

Without ``path``, the archive ``aclImdb_v1.tar.gz`` (84 MB) is downloaded once into the cache
(``dl_layers.file_utils.get_file``: ``~/.cache/dl-book/datasets`` unless ``DL_BOOK_CACHE_DIR``
says otherwise), checked against its published SHA-256 and extracted safely. Offline, put the
archive or the extracted folder anywhere and pass its path.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import numpy as np

from dl_layers.file_utils import extract_archive, get_file

from ._word_ranks import check_positive, keras_form

__all__ = ["FILE_HASH", "ORIGIN", "decode_review", "get_word_index", "load_data", "load_texts", "tokenize"]

ORIGIN = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
"""Where the raw reviews are downloaded from (Andrew Maas's page at Stanford)."""

FILE_HASH = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
"""The SHA-256 of ``aclImdb_v1.tar.gz`` (as published by TensorFlow Datasets and others); a download
that does not match is refused."""

_LABELS = ("neg", "pos")  # label 0, label 1
_SUBSETS = ("train", "test", "both")


def _acl_folder(path, cache_dir=None) -> Path:
    """The ``aclImdb`` folder (holding ``train/`` and ``test/``): from ``path`` or the cache."""
    if path is None:
        extracted = get_file("aclImdb_v1.tar.gz", ORIGIN, file_hash=FILE_HASH, cache_subdir="datasets",
                             cache_dir=cache_dir, extract=True)
        folder = Path(extracted)
    else:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"imdb: path must be a folder or archive path, got {path!r}")
        folder = Path(path).expanduser()
        if folder.is_file():  # the archive itself: unpack it once, next to it
            target = Path(str(folder)[: -len(".tar.gz")] if folder.name.endswith(".tar.gz") else str(folder) + ".d")
            folder = target if target.is_dir() else Path(extract_archive(folder, target))
    for candidate in (folder, folder / "aclImdb"):
        if (candidate / "train").is_dir() and (candidate / "test").is_dir():
            return candidate
    raise FileNotFoundError(f"imdb: {str(folder)!r} does not hold the aclImdb folders: expected "
                            f"train/{{neg,pos}}/*.txt and test/{{neg,pos}}/*.txt in it or in its aclImdb/ folder")


def _read_split(folder: Path, split: str) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for label, name in enumerate(_LABELS):
        class_folder = folder / split / name
        if not class_folder.is_dir():
            raise FileNotFoundError(f"imdb: missing folder {str(class_folder)!r}")
        for file in sorted(class_folder.glob("*.txt")):  # sorted: the same order on every system
            texts.append(file.read_text(encoding="utf-8", errors="replace"))
            labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64)


def load_texts(path=None, subset="train", shuffle=False, seed=None, cache_dir=None):
    """The raw reviews and their labels (0 = negative, 1 = positive), read in sorted file order.

    Args:
        path: the ``aclImdb`` folder, the folder holding it, or ``aclImdb_v1.tar.gz`` (unpacked
            next to it once). None: download the archive into the cache (once).
        subset: ``"train"``, ``"test"`` or ``"both"``.
        shuffle: shuffle each subset (``np.random.RandomState(seed)``); default: negatives
            first, then positives, each in file-name order.
        seed: for the shuffle.
        cache_dir: the cache folder for the download (see ``get_file``).

    Returns:
        ``(texts, labels)``: a list of str and an int64 array ``(n,)``; with ``"both"``,
        ``((train_texts, train_labels), (test_texts, test_labels))``.

    Examples:
        >>> import tempfile, pathlib
        >>> root = pathlib.Path(tempfile.mkdtemp()) / "aclImdb"
        >>> for split in ("train", "test"):
        ...     for label, text in (("neg", "A dull film."), ("pos", "Loved it!<br /><br />Great.")):
        ...         (root / split / label).mkdir(parents=True)
        ...         _ = (root / split / label / "0_1.txt").write_text(text)
        >>> texts, labels = load_texts(root)
        >>> texts, labels
        (['A dull film.', 'Loved it!<br /><br />Great.'], array([0, 1]))
    """
    if subset not in _SUBSETS:
        raise ValueError(f"imdb.load_texts: subset must be 'train', 'test' or 'both', got {subset!r}")
    folder = _acl_folder(path, cache_dir)

    def one(split):
        texts, labels = _read_split(folder, split)
        if shuffle:
            order = np.random.RandomState(seed).permutation(len(texts))  # noqa: NPY002
            texts, labels = [texts[i] for i in order], labels[order]
        return texts, labels

    if subset == "both":
        return one("train"), one("test")
    return one(subset)


_PUNCTUATION = str.maketrans({c: " " for c in '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'})  # Keras Tokenizer's filters
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def tokenize(text: str) -> list[str]:
    """The words of a review: lower case, ``<br />`` and punctuation (Keras's ``Tokenizer``
    filters; the apostrophe is kept) turned into spaces, split on white space.

    Examples:
        >>> tokenize("Don't miss it!<br /><br />A GREAT film.")
        ["don't", 'miss', 'it', 'a', 'great', 'film']
    """
    return _BREAK.sub(" ", text).lower().translate(_PUNCTUATION).split()


def _ranks(tokenized: list[list[str]]) -> dict[str, int]:
    counts = Counter()
    for words in tokenized:
        counts.update(words)
    # most frequent first; ties keep the order of first appearance (Counter keeps it, sorted is stable)
    return {word: rank for rank, (word, _) in enumerate(sorted(counts.items(), key=lambda kv: -kv[1]), start=1)}


def get_word_index(path=None, cache_dir=None) -> dict[str, int]:
    """Word -> rank (1 = the most frequent) over the training reviews, as ``imdb.get_word_index``.

    Computed from the raw texts (see the module's note): close to Keras's index, not identical.

    Args:
        path: as in ``load_texts``.
        cache_dir: the cache folder for the download.

    Examples:
        >>> import tempfile, pathlib
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for split in ("train", "test"):
        ...     for label, text in (("neg", "a bad film"), ("pos", "a good film, a fine film")):
        ...         (root / split / label).mkdir(parents=True)
        ...         _ = (root / split / label / "0_1.txt").write_text(text)
        >>> get_word_index(root)
        {'a': 1, 'film': 2, 'bad': 3, 'good': 4, 'fine': 5}
    """
    texts, _ = load_texts(path, "train", cache_dir=cache_dir)
    return _ranks([tokenize(t) for t in texts])


def load_data(path=None, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3,
              cache_dir=None):
    """The reviews as lists of word ranks, as Keras's ``imdb.load_data`` (built from the raw texts).

    Each review becomes ``[start_char] + [rank + index_from for each word]`` (0 is left for
    padding, 1 starts a review, 2 marks a word out of the vocabulary); test words never seen in
    training are skipped. As in Keras: train and test are shuffled with one
    ``np.random.RandomState(seed)`` (train first); with ``maxlen``, reviews of ``maxlen`` ids or
    more are dropped; ids ``>= num_words`` or ``< skip_top`` become ``oov_char`` (or are dropped
    when ``oov_char`` is None). One difference: without ``num_words`` every id is kept (Keras's
    code turns its largest id into ``oov_char``).

    Args:
        path: as in ``load_texts``.
        num_words: keep the ids below this (the ``num_words - index_from`` most frequent words).
        skip_top: turn the ids below this into ``oov_char`` too.
        maxlen: drop reviews with ``maxlen`` ids or more.
        seed: for the shuffle (Keras's default 113).
        start_char: the id that starts every review (1).
        oov_char: the id of the words out of the vocabulary (2); None drops them.
        index_from: added to every word's rank (3), so that the ids below it stay free.
        cache_dir: the cache folder for the download.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of int lists ``(n,)`` and int64
        label arrays ``(n,)``.

    Examples:
        >>> import tempfile, pathlib
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for split in ("train", "test"):
        ...     for label, text in (("neg", "a bad film"), ("pos", "a good film, a fine film")):
        ...         (root / split / label).mkdir(parents=True)
        ...         _ = (root / split / label / "0_1.txt").write_text(text)
        >>> (x_train, y_train), (x_test, y_test) = load_data(root, seed=0)
        >>> x_train, y_train
        (array([list([1, 4, 7, 5, 4, 8, 5]), list([1, 4, 6, 5])], dtype=object), array([1, 0]))
        >>> word_index = get_word_index(root)
        >>> decode_review(x_train[0], word_index)
        '? a good film a fine film'
    """
    check_positive("imdb.load_data", "num_words", num_words)
    check_positive("imdb.load_data", "maxlen", maxlen)
    (train_texts, labels_train), (test_texts, labels_test) = load_texts(path, "both", cache_dir=cache_dir)
    train_words = [tokenize(t) for t in train_texts]
    word_index = _ranks(train_words)
    x_train = [[word_index[w] for w in words] for words in train_words]
    x_test = [[word_index[w] for w in tokenize(t) if w in word_index] for t in test_texts]
    # Keras's rules: shuffle (one RandomState(seed), train first), start_char, index_from, maxlen, num_words
    return keras_form("imdb.load_data", x_train, labels_train, x_test, labels_test, num_words=num_words,
                      skip_top=skip_top, maxlen=maxlen, seed=seed, start_char=start_char, oov_char=oov_char,
                      index_from=index_from)


def decode_review(ids, word_index: dict[str, int], index_from: int = 3) -> str:
    """Words back from ids, as the book decodes a review (``'?'`` for padding, start and unknown ids).

    Args:
        ids: a review as a list (or array) of ids.
        word_index: word -> rank, as ``get_word_index`` returns.
        index_from: the offset ``load_data`` added to the ranks.

    Examples:
        >>> decode_review([1, 4, 5, 2], {"great": 1, "film": 2})
        '? great film ?'
    """
    reverse_word_index = {rank: word for word, rank in word_index.items()}
    return " ".join(reverse_word_index.get(int(i) - index_from, "?") for i in ids)
