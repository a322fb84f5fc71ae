"""Writing files all-or-nothing: the old file or the new one, never half of one.

``atomic_write`` writes to a hidden temporary file next to the target and renames it over
the target (``os.replace``) only when the ``with`` block finished without an error. Saved
models, weights, downloads and extracted archives all go through this module.

Temporary entries are named ``.<name>.<pid>-<hex>.part``: hidden, next to ``<name>``, and
tagged with the id of the process writing them. An error removes them; a hard kill
(``SIGKILL``, a power cut) cannot, so the next write of the same ``<name>`` removes the
parts whose process is gone (``remove_stale_parts``).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "new_temp_file", "new_temp_folder", "remove_path", "remove_stale_parts"]

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows only: no newline translation


def _part_name(name: str) -> str:
    """A fresh hidden name for a part of ``name``, e.g. ``.model.keras.4242-9f3a01bc.part``."""
    return f".{name}.{os.getpid()}-{secrets.token_hex(4)}.part"


def new_temp_file(folder: str | os.PathLike, name: str) -> tuple[Path, int]:
    """Create an empty hidden file in ``folder`` to become ``name``; return its path and an open fd.

    Created with ``os.open`` rather than ``tempfile`` so that the usual umask applies (the
    file gets the permissions a plain ``open`` would give). The caller owns the fd.

    Examples:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path, fd = new_temp_file(folder, "weights.npz")
        ...     os.close(fd)
        ...     path.name.startswith(f".weights.npz.{os.getpid()}-"), path.name.endswith(".part")
        (True, True)
    """
    while True:
        path = Path(folder) / _part_name(name)
        try:
            return path, os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:  # the same random suffix twice: try another
            continue


def new_temp_folder(folder: str | os.PathLike, name: str) -> Path:
    """Create an empty hidden folder in ``folder`` to become ``name``; return its path.

    Examples:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     new_temp_folder(folder, "aclImdb").is_dir()
        True
    """
    while True:
        path = Path(folder) / _part_name(name)
        try:
            os.mkdir(path, 0o777)
            return path
        except FileExistsError:
            continue


def remove_path(path: str | os.PathLike) -> None:
    """Delete a file, a link or a whole folder; a path that does not exist is fine.

    Examples:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     os.makedirs(os.path.join(folder, "a", "b"))
        ...     remove_path(os.path.join(folder, "a"))
        ...     remove_path(os.path.join(folder, "never-existed"))
        ...     os.listdir(folder)
        []
    """
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _process_is_running(pid: int) -> bool:
    if os.name == "nt":  # there os.kill(pid, 0) sends Ctrl-C instead of checking: keep every part
        return True
    try:
        os.kill(pid, 0)  # signal 0 checks that the process exists, and sends nothing
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # e.g. PermissionError: it runs, as another user
        return True
    return True


def remove_stale_parts(folder: str | os.PathLike, name: str) -> list[Path]:
    """Delete the parts of ``name`` in ``folder`` that a killed process left behind.

    A part is stale when the process whose id is in its name no longer runs. Parts of
    running processes (another writer may be busy) and of other names are kept. Removal
    is best effort: a part that cannot be deleted is left. Does nothing on Windows.

    Returns:
        The paths removed.

    Examples:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path, fd = new_temp_file(folder, "model.keras")   # ours: this process runs
        ...     os.close(fd)
        ...     remove_stale_parts(folder, "model.keras"), os.listdir(folder) == [path.name]
        ([], True)
    """
    pattern = re.compile(rf"\.{re.escape(name)}\.([1-9][0-9]{{0,9}})-[0-9a-f]{{8}}\.part")
    try:
        entries = sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
    removed = []
    for entry in entries:
        match = pattern.fullmatch(entry)
        if match and not _process_is_running(int(match.group(1))):
            with contextlib.suppress(OSError):  # e.g. another process removed it first
                remove_path(Path(folder) / entry)
                removed.append(Path(folder) / entry)
    return removed


def _refuse_if_not_writable(target: Path, path: str | os.PathLike) -> None:
    """Refuse to replace a file that ``open(target, "r+b")`` could not open for writing.

    ``os.replace`` only needs write access to the folder, so without this check a
    read-only file would be replaced silently.
    """
    if not target.is_file():  # only regular files: opening a FIFO would block
        return
    try:
        fd = os.open(target, os.O_WRONLY | _O_BINARY)  # no O_TRUNC: the content stays as it is
    except PermissionError as err:
        raise PermissionError(
            err.errno,
            f"atomic_write: refusing to replace a file that cannot be opened for writing ({err.strerror}); "
            f"it was left untouched",
            os.fspath(path),
        ) from err
    os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Write a file all-or-nothing: readers see the old file or the new one, never a part.

    Writes go to a hidden temporary file ``.<name>.<pid>-<hex>.part`` in the same folder,
    which replaces ``path`` (with ``os.replace``) only when the ``with`` block ends without
    an exception. On an exception the temporary file is deleted and whatever was at
    ``path`` is left untouched. A hard kill may leave the temporary file behind (never a
    half-written ``path``): the next ``atomic_write`` of the same path removes it.

    Args:
        path: the file to write; its folder must exist. An existing file keeps its
            permission bits, and must be writable: if opening it for writing fails, a
            ``PermissionError`` naming it is raised before anything is written.
        mode: ``"wb"`` (default) or ``"w"`` (text), optionally with ``"+"``.
        encoding: text mode only; defaults to UTF-8.

    Yields:
        The open temporary file.

    Examples:
        >>> import os, tempfile
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "weights.bin")
        ...     with atomic_write(path) as f:
        ...         _ = f.write(b"new")
        ...     try:
        ...         with atomic_write(path) as f:
        ...             _ = f.write(b"half")
        ...             raise KeyboardInterrupt
        ...     except KeyboardInterrupt:
        ...         pass
        ...     Path(path).read_bytes(), os.listdir(folder)
        (b'new', ['weights.bin'])
    """
    if (
        not isinstance(mode, str)
        or "w" not in mode
        or set(mode) - set("wbt+")
        or len(set(mode)) != len(mode)
        or ("b" in mode and "t" in mode)
    ):
        raise ValueError(f"mode must be a write mode such as 'wb' or 'w', got {mode!r}")
    binary = "b" in mode
    if binary and encoding is not None:
        raise ValueError(f"encoding is for text modes only, got encoding={encoding!r} with mode={mode!r}")
    # Write next to the real target, so a symbolic link at `path` keeps pointing to it.
    target = Path(os.path.realpath(os.fspath(path)))
    if not target.parent.is_dir():
        raise FileNotFoundError(f"atomic_write: the folder {str(target.parent)!r} of path does not exist")
    if target.is_dir():
        raise IsADirectoryError(f"atomic_write: path {str(target)!r} is a folder, expected a file path")
    _refuse_if_not_writable(target, path)
    remove_stale_parts(target.parent, target.name)
    tmp, fd = new_temp_file(target.parent, target.name)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        f = os.fdopen(fd, mode, **({} if binary else {"encoding": encoding or "utf-8"}))
    except BaseException:
        os.close(fd)
        remove_path(tmp)
        raise
    try:
        with f:
            yield f
            if not f.closed:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        remove_path(tmp)
        raise
