"""Reuters newswires by topic, read from the Reuters-21578 distribution (the book's section 3.6).

Keras's ``reuters.load_data`` downloads a ready-made ``reuters.npz`` (11,228 newswires, 46
topics) whose making is not documented. Here the newswires come from the original collection,
"Reuters-21578, Distribution 1.0" (David D. Lewis; 21,578 Reuters newswires of 1987): 22 SGML
files ``reut2-000.sgm`` ... ``reut2-021.sgm``. Get ``reuters21578.tar.gz`` (8 MB) from the UCI KDD
archive (https://kdd.ics.uci.edu/databases/reuters21578/reuters21578.html) or David Lewis's page
(http://www.daviddlewis.com/resources/testcollections/reuters21578/), unpack it
(``mkdir reuters21578 && tar -xzf reuters21578.tar.gz -C reuters21578``) and pass the folder::

    from dl_sequence.datasets import reuters
    (train_data, train_labels), (test_data, test_labels) = reuters.load_data("reuters21578", num_words=10000)

Which newswires, which split: the standard "ModApte" split of the collection. A newswire is
used if its ``<REUTERS>`` tag says ``TOPICS="YES"`` and it has exactly one topic (a
single-label task, as Keras's); ``LEWISSPLIT="TRAIN"`` ones are the training set,
``LEWISSPLIT="TEST"`` ones the test set (``NOT-USED`` ones are left out), and test newswires
whose topic has no training example are dropped. Labels number the topics in order of first
appearance in the files (``cocoa`` is 0, as in Keras). With ``test_split=0.2`` instead, the same
newswires are pooled and split at random as Keras does. A newswire's text is its title and
body (``<TITLE>``, ``<BODY>``; the whole ``<TEXT>`` for the few unprocessed ones), with SGML
entities decoded and control characters removed.

Word ranks are counted on the training newswires with ``dl_sequence.Tokenizer`` (Keras's
filters, lower case), then shifted as Keras does (``start_char``, ``oov_char``, ``index_from``):
close to Keras's word index, not identical.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._word_ranks import keras_form, word_ranks

__all__ = ["Newswire", "get_label_names", "get_word_index", "load_data", "read_newswires"]

_FILES = "reut2-*.sgm"
_SPLITS = ("TRAIN", "TEST", "NOT-USED")
_TOPICS = ("YES", "NO", "BYPASS")
_OPEN = re.compile(r"<REUTERS\b")
_DOCUMENT = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL)
_ATTRIBUTE = re.compile(r'([A-Z]+)="([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps tab and newline
_TAG = re.compile(r"<[^>]*>")


class Newswire(NamedTuple):
    """One ``<REUTERS>`` document of the collection.

    Attributes:
        newid: its ``NEWID`` (1 to 21,578 in the real collection).
        lewis_split: ``"TRAIN"``, ``"TEST"`` or ``"NOT-USED"`` (the ``LEWISSPLIT`` attribute).
        topics_attr: ``"YES"``, ``"NO"`` or ``"BYPASS"`` (the ``TOPICS`` attribute: whether it was
            indexed for topics).
        topics: the topics listed in ``<TOPICS>``, in order.
        text: title and body, entities decoded, control characters removed.
        file: the ``.sgm`` file it comes from.
    """

    newid: int
    lewis_split: str
    topics_attr: str
    topics: tuple
    text: str
    file: str


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", html.unescape(text)).strip()


def _inner(tag: str, content: str):
    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", content, re.DOTALL)
    return None if found is None else found.group(1)


def _problem(attributes: dict) -> str | None:
    """What is wrong with a <REUTERS> tag's attributes, or None."""
    for name in ("NEWID", "LEWISSPLIT", "TOPICS"):
        if name not in attributes:
            return f"the <REUTERS> tag has no {name} attribute"
    if not attributes["NEWID"].isdigit():
        return f"NEWID must be a number, got {attributes['NEWID']!r}"
    if attributes["LEWISSPLIT"] not in _SPLITS:
        return f"LEWISSPLIT must be one of {_SPLITS}, got {attributes['LEWISSPLIT']!r}"
    if attributes["TOPICS"] not in _TOPICS:
        return f"TOPICS must be one of {_TOPICS}, got {attributes['TOPICS']!r}"
    return None


def _parse_file(file: Path) -> list[Newswire]:
    raw = file.read_bytes().decode("latin-1")  # the collection is ASCII plus a few stray bytes: never fails
    found = list(_DOCUMENT.finditer(raw))
    closed = {m.start() for m in found if not _OPEN.search(m.group(2))}  # a match holding a 2nd <REUTERS: unclosed
    unclosed = [m.start() for m in _OPEN.finditer(raw) if m.start() not in closed]
    if unclosed:
        raise ValueError(f"reuters: {str(file)!r}: line {raw.count(chr(10), 0, unclosed[0]) + 1}: a <REUTERS> "
                         f"document is not closed by </REUTERS> before the next one or the end of the file "
                         f"(the file is truncated or corrupted)")
    newswires = []
    for match in found:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        problem = _problem(attributes)
        content = match.group(2)
        text = _inner("TEXT", content)
        if problem is None and text is None:
            problem = f"document NEWID={attributes['NEWID']} has no <TEXT>...</TEXT>"
        if problem is not None:  # the line is counted only then
            raise ValueError(f"reuters: {str(file)!r}: line {raw.count(chr(10), 0, match.start()) + 1}: {problem}")
        title, body = _inner("TITLE", text), _inner("BODY", text)
        if title is None and body is None:  # TYPE="UNPROC": raw text without markup
            words = _TAG.sub(" ", text)
        else:
            words = "\n".join(part for part in (title, body) if part)
        topics = re.findall(r"<D>(.*?)</D>", _inner("TOPICS", content) or "")
        newswires.append(Newswire(int(attributes["NEWID"]), attributes["LEWISSPLIT"], attributes["TOPICS"],
                                  tuple(t.strip() for t in topics), _clean(words), file.name))
    return newswires


def _folder(path) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"reuters: path must be the folder holding the reut2-*.sgm files, got {path!r}")
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"reuters: {str(folder)!r} is not a folder; pass the folder where "
                                f"reuters21578.tar.gz was unpacked (it holds reut2-000.sgm ... reut2-021.sgm)")
    return folder


def read_newswires(path) -> list[Newswire]:
    """Every ``<REUTERS>`` document of the ``reut2-*.sgm`` files in ``path``, in file order.

    Args:
        path: the folder holding ``reut2-000.sgm`` ... ``reut2-021.sgm`` (the unpacked
            ``reuters21578.tar.gz``).

    Returns:
        A list of ``Newswire`` (21,578 for the real collection).

    Raises:
        FileNotFoundError: ``path`` is not a folder or holds no ``reut2-*.sgm`` file.
        ValueError: a file is truncated or corrupted (the message names the file and line), or two
            documents share a NEWID.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "reut2-000.sgm").write_text(
        ...     '<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" NEWID="1"><TOPICS><D>cocoa</D></TOPICS>'
        ...     '<TEXT><TITLE>COCOA REVIEW</TITLE><BODY>Showers continued &lt;all week>.\\n Reuter\\n&#3;</BODY>'
        ...     '</TEXT></REUTERS>')
        >>> read_newswires(folder)[0]
        Newswire(newid=1, lewis_split='TRAIN', topics_attr='YES', topics=('cocoa',), text='COCOA REVIEW\\nShowers continued <all week>.\\n Reuter', file='reut2-000.sgm')
    """  # noqa: E501 (the printed record is one line)
    folder = _folder(path)
    files = sorted(folder.glob(_FILES))
    if not files:
        raise FileNotFoundError(f"reuters: no reut2-*.sgm file in {str(folder)!r}; pass the folder where "
                                f"reuters21578.tar.gz was unpacked")
    newswires, seen = [], {}
    for file in files:
        for newswire in _parse_file(file):
            if newswire.newid in seen:
                raise ValueError(f"reuters: {str(file)!r}: NEWID={newswire.newid} was already used in "
                                 f"{seen[newswire.newid]!r}: the files are not one collection")
            seen[newswire.newid] = file.name
            newswires.append(newswire)
    return newswires


def _split(path, test_split, seed):
    """(train texts, train labels, test texts, test labels, topic names) under the chosen split."""
    if test_split is not None and not (isinstance(test_split, float | int) and 0 < test_split < 1):
        raise ValueError(f"reuters: test_split must be None (the ModApte split) or a fraction in (0, 1), "
                         f"got {test_split!r}")
    single = [n for n in read_newswires(path)
              if n.topics_attr == "YES" and n.lewis_split != "NOT-USED" and len(n.topics) == 1]
    if test_split is None:
        train = [n for n in single if n.lewis_split == "TRAIN"]
        known = {n.topics[0] for n in train}
        test = [n for n in single if n.lewis_split == "TEST" and n.topics[0] in known]
    else:
        order = np.random.RandomState(seed).permutation(len(single))  # noqa: NPY002 (Keras's generator)
        cut = int(len(single) * (1 - test_split))
        train, test = [single[i] for i in order[:cut]], [single[i] for i in order[cut:]]
    if not train or not test:
        raise ValueError(f"reuters: no {'training' if not train else 'test'} newswire in {str(path)!r} "
                         f"(single-topic, TOPICS=\"YES\"): is it the whole collection?")
    kept = {id(n) for n in train + test}
    names = list(dict.fromkeys(n.topics[0] for n in single if id(n) in kept))  # order of first appearance
    label = {name: i for i, name in enumerate(names)}
    return ([n.text for n in train], [label[n.topics[0]] for n in train], [n.text for n in test],
            [label[n.topics[0]] for n in test], names)


def load_data(path, num_words=None, skip_top=0, maxlen=None, test_split=None, seed=113, start_char=1, oov_char=2,
              index_from=3):
    """The newswires as lists of word ranks and their topics, as Keras's ``reuters.load_data``.

    Args:
        path: the folder holding the ``reut2-*.sgm`` files (see the module's note).
        num_words: keep the ids below this (the ``num_words - index_from`` most frequent words).
        skip_top: turn the ids below this into ``oov_char`` too.
        maxlen: drop newswires with ``maxlen`` ids or more.
        test_split: None (default): the ModApte split (see the module's note). A fraction: pool
            the same newswires, shuffle them (``np.random.RandomState(seed)``) and keep the last
            ``test_split`` of them for testing, as Keras does (Keras's default is 0.2).
        seed: for the shuffles (Keras's default 113).
        start_char: the id that starts every newswire (1; 0 is left for padding).
        oov_char: the id of the words cut by ``num_words`` or ``skip_top`` (2); None drops them.
        index_from: the shift of the ranks (3: rank 1 becomes id 4).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays ``(n,)`` of int lists and int64
        topic labels ``(n,)``; ``get_label_names(path)`` names the topics.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> wires = [("TRAIN", "grain", "wheat exports rise"), ("TRAIN", "earn", "net profit up"),
        ...          ("TEST", "grain", "wheat crop"), ("TEST", "ship", "ships idle")]
        >>> _ = (folder / "reut2-000.sgm").write_text("".join(
        ...     f'<REUTERS TOPICS="YES" LEWISSPLIT="{split}" NEWID="{i}"><TOPICS><D>{topic}</D></TOPICS>'
        ...     f'<TEXT><BODY>{body}</BODY></TEXT></REUTERS>\\n' for i, (split, topic, body) in enumerate(wires)))
        >>> (x_train, y_train), (x_test, y_test) = load_data(folder)
        >>> sorted(zip(x_train.tolist(), y_train.tolist())), x_test.tolist(), y_test.tolist()
        ([([1, 4, 5, 6], 0), ([1, 7, 8, 9], 1)], [[1, 4]], [0])
        >>> get_label_names(folder)
        ('grain', 'earn')
    """
    x_train, y_train, x_test, y_test, _ = _split(path, test_split, seed)
    x_train, x_test, _ = word_ranks(x_train, x_test)
    return keras_form("reuters.load_data", x_train, y_train, x_test, y_test, num_words, skip_top, maxlen, seed,
                      start_char, oov_char, index_from)


def get_word_index(path, test_split=None, seed=113) -> dict[str, int]:
    """Word -> rank (1 = the most frequent) over the training newswires of ``load_data``'s split.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "reut2-000.sgm").write_text(
        ...     '<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" NEWID="1"><TOPICS><D>earn</D></TOPICS>'
        ...     '<TEXT><BODY>Net up, net down</BODY></TEXT></REUTERS>'
        ...     '<REUTERS TOPICS="YES" LEWISSPLIT="TEST" NEWID="2"><TOPICS><D>earn</D></TOPICS>'
        ...     '<TEXT><BODY>Net flat</BODY></TEXT></REUTERS>')
        >>> get_word_index(folder)
        {'net': 1, 'up': 2, 'down': 3}
    """
    return word_ranks(_split(path, test_split, seed)[0], [])[2]


def get_label_names(path, test_split=None, seed=113) -> tuple[str, ...]:
    """The topic of each label of ``load_data``: ``get_label_names(path)[label]``."""
    return tuple(_split(path, test_split, seed)[4])
