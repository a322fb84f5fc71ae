"""File utilities (Keras's ``file_utils``): download once into a cache, check the hash, unpack safely.

The chapter packages' loaders (MNIST, IMDB, Jena...) share ``get_file`` (Keras's name and
main arguments):

* the file is downloaded into a cache folder (``cache_dir``, else the environment variable
  ``DL_BOOK_CACHE_DIR``, else ``~/.cache/dl-book``) through a temporary file, its hash
  (MD5 or SHA-256, told apart by length, as in Keras) is checked, and only then is it
  renamed into place; a bad cached copy is fetched once more;
* ``extract_archive`` unpacks ``.zip`` and ``.tar`` (optionally gzip, bzip2 or xz compressed)
  archives into a temporary folder, refusing members that would land outside it (absolute
  paths, ``..``, links pointing out, devices) and archives that are truncated or corrupted,
  and renames the folder into place when done.

Only the standard library is used; nothing is ever unpickled or evaluated. Tests use local
``file://`` URLs and a local HTTP server, never the network.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import lzma
import os
import posixpath
import re
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .atomic import new_temp_file, new_temp_folder, remove_path, remove_stale_parts

__all__ = [
    "CACHE_DIR_ENV",
    "DownloadError",
    "HashMismatchError",
    "UnsafeArchiveError",
    "extract_archive",
    "file_hash",
    "get_file",
]

CACHE_DIR_ENV = "DL_BOOK_CACHE_DIR"
"""Environment variable naming the cache folder when ``get_file`` gets no ``cache_dir``."""

_DEFAULT_CACHE_DIR = Path("~", ".cache", "dl-book")
_CHUNK_SIZE = 1 << 16
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")


class DownloadError(OSError):
    """A file could not be fetched (network failure, HTTP error, truncated transfer)."""


class HashMismatchError(ValueError):
    """A downloaded file does not have the expected hash."""


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the extraction folder, or is a device."""


# --------------------------------------------------------------------------- hashing


# "auto" tells these two apart by the digest's length (in hexadecimal characters), as Keras does
_AUTO_ALGORITHMS = {32: "md5", 64: "sha256"}
# what a digest of some length most likely is, for error messages
_LOOKS_LIKE = {32: "md5", 40: "sha1", 56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


def _check_algorithm(algorithm: Any, argument: str = "hash_algorithm", auto: bool = False) -> str:
    if not isinstance(algorithm, str):
        raise TypeError(f"{argument} must be a string such as 'sha256', got {algorithm!r}")
    name = algorithm.lower()
    if auto and name == "auto":
        return name
    if name.startswith("shake_") or name not in {a.lower() for a in hashlib.algorithms_available}:
        choices = "'auto', 'sha256' or 'md5'" if auto else "'sha256' or 'md5'"
        raise ValueError(f"{argument} must be a fixed-length hashlib algorithm such as {choices}, got {algorithm!r}")
    return name


def file_hash(path: str | os.PathLike, algorithm: str = "sha256", chunk_size: int = 65536) -> str:
    """The hexadecimal digest of a file's bytes, read in chunks (large files are fine).

    Args:
        path: the file to hash.
        algorithm: any fixed-length ``hashlib`` algorithm name, e.g. ``"sha256"`` or ``"md5"``.
        chunk_size: bytes read at a time.

    Returns:
        The digest as a lowercase hexadecimal string.

    Examples:
        >>> import hashlib, os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "hello.txt")
        ...     with open(path, "w") as f:
        ...         _ = f.write("hello")
        ...     file_hash(path) == hashlib.sha256(b"hello").hexdigest()
        True
    """
    name = _check_algorithm(algorithm, "algorithm")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size <= 0:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    digest = hashlib.new(name)
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


# `get_file` has an argument named `file_hash`, which hides the function inside it
_file_hash = file_hash


def _check_expected_hash(expected: Any, algorithm: str) -> tuple[str | None, str]:
    """The digest in lowercase and the algorithm to check it with ("auto" resolved)."""
    if expected is None:
        return None, "sha256" if algorithm == "auto" else algorithm
    if not isinstance(expected, str):
        raise TypeError(f"file_hash must be a hexadecimal string or None, got {expected!r}")
    value = expected.strip().lower()
    if not re.fullmatch("[0-9a-f]+", value):
        raise ValueError(f"file_hash must be a hexadecimal digest, got {expected!r}")
    if algorithm == "auto":
        if len(value) in _AUTO_ALGORITHMS:
            return value, _AUTO_ALGORITHMS[len(value)]
        expected_length = "an md5 (32 hexadecimal characters) or sha256 (64) digest when hash_algorithm='auto'"
    else:
        length = hashlib.new(algorithm).digest_size * 2
        if len(value) == length:
            return value, algorithm
        expected_length = f"a {algorithm} digest of {length} hexadecimal characters"
    message = f"file_hash must be {expected_length}, got {expected!r} ({len(value)} characters"
    looks_like = _LOOKS_LIKE.get(len(value))
    if looks_like:
        article = "an" if looks_like == "md5" else "a"
        message += f", which looks like {article} {looks_like} digest); pass hash_algorithm={looks_like!r}"
        message += "" if algorithm == "auto" or looks_like not in _AUTO_ALGORITHMS.values() else " or 'auto'"
    else:
        message += ")"
    raise ValueError(message)


# --------------------------------------------------------------------------- get_file


def _cache_folder(cache_dir: Any, cache_subdir: Any) -> Path:
    if cache_dir is None:
        cache_dir = os.environ.get(CACHE_DIR_ENV) or _DEFAULT_CACHE_DIR
    elif not isinstance(cache_dir, str | os.PathLike):
        raise TypeError(f"cache_dir must be a path or None, got {cache_dir!r}")
    if not isinstance(cache_subdir, str | os.PathLike):
        raise TypeError(f"cache_subdir must be a relative folder name such as 'datasets', got {cache_subdir!r}")
    sub = Path(cache_subdir)
    if sub.is_absolute() or ".." in sub.parts:
        raise ValueError(f"cache_subdir must be a relative folder name without '..', got {str(cache_subdir)!r}")
    return Path(cache_dir).expanduser() / sub


def _check_origin(origin: Any) -> str:
    if not isinstance(origin, str):
        raise TypeError(f"origin must be a URL string, got {origin!r}")
    scheme = urllib.parse.urlsplit(origin).scheme.lower()
    if scheme not in ("http", "https", "file"):
        raise ValueError(f"origin must be an http://, https:// or file:// URL, got {origin!r}")
    return origin


def _check_fname(fname: Any, origin: str) -> str:
    if fname is None:
        fname = posixpath.basename(urllib.parse.unquote(urllib.parse.urlsplit(origin).path))
        if not fname:
            raise ValueError(f"fname is None and the origin {origin!r} ends without a file name; pass fname")
    if not isinstance(fname, str):
        raise TypeError(f"fname must be a file name string, got {fname!r}")
    if fname in ("", ".", "..") or "/" in fname or "\\" in fname or "\0" in fname:
        raise ValueError(f"fname must be a plain file name (no folders; use cache_subdir), got {fname!r}")
    return fname


def _read_chunks(origin: str, timeout: float, fname: str, fpath: Path) -> Iterator[bytes]:
    """Yield the body of `origin`; any transfer failure becomes a DownloadError."""

    def failure(reason: str) -> DownloadError:
        return DownloadError(
            f"get_file: could not download {fname!r} from {origin}: {reason}.\n"
            f"If you are offline or the URL has moved, fetch the file another way and place it at\n"
            f"    {fpath}\n"
            f"(the cache folder is the cache_dir argument, else ${CACHE_DIR_ENV}, else ~/.cache/dl-book)."
        )

    total = 0
    try:
        with urllib.request.urlopen(origin, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            while chunk := response.read(_CHUNK_SIZE):
                total += len(chunk)
                yield chunk
    except urllib.error.HTTPError as err:
        err.close()  # it holds the open connection
        raise failure(f"HTTP error {err.code} ({err.reason})") from err
    except urllib.error.URLError as err:
        raise failure(f"{type(err.reason).__name__}: {err.reason}") from err
    except (OSError, http.client.HTTPException) as err:
        raise failure(f"{type(err).__name__}: {err}") from err
    if length is not None and length.strip().isdigit() and total != int(length):
        raise failure(f"the transfer stopped after {total} of {int(length)} bytes")


def _download(origin: str, fpath: Path, expected: str | None, algorithm: str, timeout: float) -> None:
    print(f"Downloading data from {origin}")
    remove_stale_parts(fpath.parent, fpath.name)  # left by a download that was killed
    tmp, fd = new_temp_file(fpath.parent, fpath.name)
    try:
        digest = hashlib.new(algorithm)
        with os.fdopen(fd, "wb") as f, contextlib.closing(_read_chunks(origin, timeout, fpath.name, fpath)) as body:
            for chunk in body:
                f.write(chunk)
                digest.update(chunk)
            f.flush()
            os.fsync(f.fileno())
        actual = digest.hexdigest()
        if expected is not None and actual != expected:
            raise HashMismatchError(
                f"get_file: {fpath.name!r} downloaded from {origin} does not have the expected {algorithm} hash.\n"
                f"    expected: {expected}\n"
                f"    actual:   {actual}\n"
                f"The download was deleted. The file at the origin may have changed, or the transfer was corrupted."
            )
        os.replace(tmp, fpath)
    except BaseException:
        remove_path(tmp)
        raise


def get_file(
    fname: str | None,
    origin: str,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    cache_dir: str | os.PathLike | None = None,
    extract: bool = False,
    hash_algorithm: str = "auto",
    *,
    timeout: float = 60.0,
) -> str:
    """Download a file into the local cache unless a good copy is already there.

    The file lands at ``<cache>/<cache_subdir>/<fname>``, where ``<cache>`` is
    ``cache_dir``, else the ``DL_BOOK_CACHE_DIR`` environment variable, else
    ``~/.cache/dl-book``. The transfer goes to a hidden temporary file in that folder,
    which is renamed into place only once complete and verified (a download killed
    half-way leaves ``.<fname>.<pid>-<hex>.part``, removed by the next download of
    ``fname``). A cached copy whose hash does not match is downloaded again (once).
    Offline, put the file at that path yourself.

    Args:
        fname: the file name in the cache; ``None`` takes the last part of ``origin``.
        origin: an ``http://``, ``https://`` or ``file://`` URL.
        file_hash: the expected hexadecimal digest, or ``None`` to skip the check.
        cache_subdir: folder inside the cache, e.g. ``"datasets"``.
        cache_dir: the cache folder (see above for the default).
        extract: if true, ``fname`` is a ``.zip`` / ``.tar`` / ``.tar.gz`` / ``.tgz``
            archive, unpacked safely into ``<cache>/<cache_subdir>/<fname without
            extension>``, and that folder is returned.
        hash_algorithm: the ``hashlib`` algorithm of ``file_hash``, e.g. ``"sha256"``;
            ``"auto"`` (default, as in Keras) reads it from the digest's length: 32
            hexadecimal characters for ``"md5"``, 64 for ``"sha256"``.
        timeout: seconds to wait for the server before giving up.

    Returns:
        The path of the cached file (or of the extracted folder), as a string.

    Raises:
        DownloadError: the transfer failed; the message names the URL and the path
            where the file can be placed by hand.
        HashMismatchError: the downloaded file does not match ``file_hash``; nothing is
            left under the final name.
        UnsafeArchiveError: ``extract`` found a member that would escape the folder.
        ValueError: ``extract`` found the archive truncated or corrupted (see
            ``extract_archive``); delete the file to download it again.

    Examples:
        The MNIST arrays of the book's first listing (needs the network, not run here)::

            path = get_file("mnist.npz",
                            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz")
    """
    origin = _check_origin(origin)
    fname = _check_fname(fname, origin)
    expected, algorithm = _check_expected_hash(file_hash, _check_algorithm(hash_algorithm, auto=True))
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    folder = _cache_folder(cache_dir, cache_subdir)
    folder.mkdir(parents=True, exist_ok=True)
    fpath = folder / fname
    if fpath.exists() and not fpath.is_file():
        raise FileExistsError(f"get_file: {str(fpath)!r} exists but is not a regular file; move it away")

    downloaded = False
    if not fpath.exists():
        _download(origin, fpath, expected, algorithm, timeout)
        downloaded = True
    elif expected is not None:
        actual = _file_hash(fpath, algorithm)
        if actual != expected:
            warnings.warn(
                f"get_file: the cached {str(fpath)!r} has {algorithm} hash {actual}, expected {expected}; "
                f"downloading it again from {origin}",
                UserWarning,
                stacklevel=2,
            )
            _download(origin, fpath, expected, algorithm, timeout)
            downloaded = True

    if not extract:
        return str(fpath)
    dest = _extraction_folder(fpath)
    if downloaded or not dest.is_dir():
        extract_archive(fpath, dest)
    return str(dest)


# ------------------------------------------------------------------------- archives


def _extraction_folder(archive: Path) -> Path:
    name = archive.name
    for suffix in _ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return archive.with_name(name[: -len(suffix)])
    stem = archive.stem if archive.suffix and archive.stem else name
    return archive.with_name(stem if stem != name else name + "_extracted")


def _unsafe_name(name: str) -> str | None:
    """Why an archive member name is unsafe, or None when it stays inside the folder."""
    if not name:
        return "has an empty name"
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or os.path.isabs(name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "has a '..' component"
    if "\0" in name:
        return "contains a NUL character"
    return None


def _refuse(archive: Path, member: str, reason: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(f"extract_archive: refusing {str(archive)!r}: member {member!r} {reason}")


def _check_tar_member(archive: Path, member: tarfile.TarInfo, allow_links: bool) -> None:
    reason = _unsafe_name(member.name)
    if reason is None and (member.issym() or member.islnk()) and not allow_links:
        reason = "is a link (this Python has no tarfile extraction filters, so links are refused)"
    if reason is None and member.issym():
        target = member.linkname
        if not target or target.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", target) or os.path.isabs(target):
            reason = f"is a symbolic link to the absolute path {target!r}"
        else:
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(member.name), target.replace("\\", "/")))
            if resolved == ".." or resolved.startswith("../"):
                reason = f"is a symbolic link to {target!r}, outside the destination"
    elif reason is None and member.islnk():
        link_reason = _unsafe_name(member.linkname)
        if link_reason is not None:
            reason = f"is a hard link to {member.linkname!r}, which {link_reason}"
    elif reason is None and not (member.isfile() or member.isdir()):
        reason = "is a device, FIFO or other special file"
    if reason is not None:
        raise _refuse(archive, member.name, reason)


# The first bytes of each format. A truncated or damaged archive usually still has them,
# which tells "a broken archive" apart from "not an archive at all".
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_COMPRESSED_TAR_MODES = {b"\x1f\x8b": "r:gz", b"BZh": "r:bz2", b"\xfd7zXZ\x00": "r:xz"}  # tarfile.open modes
_TAR_MAGIC_OFFSET = 257  # "ustar" sits at this offset of a tar header

# What reading a damaged archive raises: tarfile's and zipfile's own errors, and those of
# the decompressors (a cut gzip or xz stream raises EOFError, a bad CRC BadGzipFile...).
_DAMAGED_ERRORS = (tarfile.ReadError, zipfile.BadZipFile, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError)


def _damaged(archive: Path, err: BaseException) -> ValueError:
    cause = err.__cause__ or err  # tarfile turns e.g. an EOFError into ReadError("not a bzip2 file")
    details = (str(cause).splitlines() or ["no details"])[0]
    return ValueError(
        f"extract_archive: {str(archive)!r} is truncated or corrupted ({type(cause).__name__}: {details}); "
        f"delete it and download it again"
    )


def _first_bytes(archive: Path) -> bytes:
    with open(archive, "rb") as f:
        return f.read(tarfile.BLOCKSIZE)


def _archive_format(archive: Path) -> str | None:
    """``"zip"`` or ``"tar"``, read from the content (not the name), or None."""
    if zipfile.is_zipfile(archive):
        return "zip"
    head = _first_bytes(archive)
    if head.startswith(_ZIP_MAGIC):
        return "zip"  # the start of a zip whose end (its table of contents) is missing
    if head.startswith(tuple(_COMPRESSED_TAR_MODES)) or head[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + 5] == b"ustar":
        return "tar"
    try:
        return "tar" if tarfile.is_tarfile(archive) else None  # e.g. an old tar without "ustar"
    except (*_DAMAGED_ERRORS, OSError):
        return None


def _read_tar_members(archive: Path, tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Every member, after reading the archive to its end: a cut or damaged file fails here."""
    try:
        # Reading the headers walks through the whole archive (decompressing it all).
        members = tar.getmembers()
        # A tar ends with blocks of zeros. tarfile stops quietly when a file just ends
        # between two members, so without this check a cut copy would pass as complete.
        tar.fileobj.seek(tar.offset)
        if tar.fileobj.read(tarfile.BLOCKSIZE) != tarfile.NUL * tarfile.BLOCKSIZE:
            raise tarfile.ReadError("the end-of-archive marker is missing")
        # Read the rest, so that the compression's own check (CRC) runs too.
        while tar.fileobj.read(_CHUNK_SIZE):
            pass
    # Nothing is written yet, so an OSError here comes from reading the archive (bzip2
    # reports bad data as a plain OSError).
    except (*_DAMAGED_ERRORS, OSError) as err:
        raise _damaged(archive, err) from err
    return members


def _extract_tar(archive: Path, into: Path) -> None:
    has_filters = hasattr(tarfile, "data_filter")
    # open with the compression the first bytes name, so that errors are about that one
    head, mode = _first_bytes(archive), "r:*"  # "r:*": let tarfile find out
    for magic, compressed_mode in _COMPRESSED_TAR_MODES.items():
        if head.startswith(magic):
            mode = compressed_mode
    try:
        tar = tarfile.open(archive, mode)
    except _DAMAGED_ERRORS as err:
        raise _damaged(archive, err) from err
    with tar:
        members = _read_tar_members(archive, tar)
        for member in members:  # check everything before writing anything
            _check_tar_member(archive, member, allow_links=has_filters)
        try:
            if has_filters:
                # the "data" filter re-checks every path against the real file system while
                # extracting (links through links), and drops permissions it should not keep
                tar.extractall(into, members=members, filter="data")
            else:  # pragma: no cover - Python 3.11.0 to 3.11.3 only
                tar.extractall(into, members=members)
        except tarfile.FilterError as err:
            raise _refuse(archive, err.tarinfo.name, f"was refused by tarfile's data filter ({err})") from err
        except _DAMAGED_ERRORS as err:
            raise _damaged(archive, err) from err


def _extract_zip(archive: Path, into: Path) -> None:
    root = os.path.realpath(into)
    try:
        zf = zipfile.ZipFile(archive)
    except _DAMAGED_ERRORS as err:
        raise _damaged(archive, err) from err
    with zf:
        infos = zf.infolist()
        for info in infos:  # check everything before writing anything
            reason = _unsafe_name(info.filename)
            if reason is None:
                target = os.path.realpath(os.path.join(root, info.filename))
                if os.path.commonpath([root, target]) != root:
                    reason = "would be written outside the destination"
            if reason is not None:
                raise _refuse(archive, info.filename, reason)
        try:
            zf.extractall(into, members=infos)  # checks each member's CRC
        except _DAMAGED_ERRORS as err:
            raise _damaged(archive, err) from err


def extract_archive(path: str | os.PathLike, dest: str | os.PathLike | None = None) -> str:
    """Unpack a ``.zip`` or ``.tar`` archive (plain, gzip, bzip2 or xz) safely.

    Members with absolute paths, ``..`` components, links leading outside the destination,
    or device files are refused with ``UnsafeArchiveError`` before anything is written.
    A truncated or corrupted archive raises a ``ValueError`` naming it. Everything is
    unpacked into a hidden temporary folder next to ``dest``, which takes the place of
    ``dest`` (replacing an older extraction) only once it is complete; on any error it
    is deleted, and ``dest`` is left as it was.

    Args:
        path: the archive; its format is read from its content, not its name.
        dest: the folder to create; default: the archive's path without its extension
            (``data/aclImdb_v1.tar.gz`` → ``data/aclImdb_v1``).

    Returns:
        ``dest`` as a string.

    Examples:
        >>> import os, shutil, tempfile, zipfile
        >>> folder = tempfile.mkdtemp()
        >>> archive = os.path.join(folder, "notes.zip")
        >>> with zipfile.ZipFile(archive, "w") as zf:
        ...     zf.writestr("notes/hello.txt", "hello")
        >>> out = extract_archive(archive)                   # next to the archive, named after it
        >>> os.path.basename(out), os.listdir(os.path.join(out, "notes"))
        ('notes', ['hello.txt'])
        >>> with open(archive, "r+b") as f:                  # cut the archive short
        ...     _ = f.truncate(40)
        >>> extract_archive(archive, os.path.join(folder, "again"))
        Traceback (most recent call last):
        ...
        ValueError: extract_archive: '...notes.zip' is truncated or corrupted (...); delete it and download it again
        >>> sorted(os.listdir(folder))                       # no half-extracted folder
        ['notes', 'notes.zip']
        >>> shutil.rmtree(folder)
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be the path of an archive, got {path!r}")
    archive = Path(path).expanduser()
    if not archive.is_file():
        raise FileNotFoundError(f"extract_archive: path {str(archive)!r} is not an existing file")
    if dest is None:
        target = _extraction_folder(archive)
    elif isinstance(dest, str | os.PathLike):
        target = Path(dest).expanduser()
    else:
        raise TypeError(f"dest must be a folder path or None, got {dest!r}")
    kind = _archive_format(archive)
    if kind == "zip":
        extract = _extract_zip
    elif kind == "tar":
        extract = _extract_tar
    else:
        raise ValueError(
            f"extract_archive: {str(archive)!r} is neither a zip nor a tar archive (plain, gzip, bzip2 or xz), "
            f"or it is truncated or corrupted beyond recognition"
        )
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"extract_archive: dest {str(target)!r} exists and is not a folder")

    target.parent.mkdir(parents=True, exist_ok=True)
    for name in (target.name, target.name + ".old"):  # left by an extraction that was killed
        remove_stale_parts(target.parent, name)
    tmp = new_temp_folder(target.parent, target.name)
    old: Path | None = None
    try:
        extract(archive, tmp)
        if target.is_dir():  # a folder cannot be renamed over a non-empty one: swap
            old = new_temp_folder(target.parent, target.name + ".old")
            os.replace(target, old)
        os.replace(tmp, target)
    except BaseException:
        remove_path(tmp)
        if old is not None and not target.exists():
            os.replace(old, target)
        raise
    if old is not None:
        remove_path(old)
    return str(target)
