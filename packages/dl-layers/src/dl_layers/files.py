"""Writing files all-or-nothing: the old file or the new one, never half of one.

``atomic_write`` writes to a hidden temporary file next to the target and renames it over
the target (``os.replace``) only when the ``with`` block finished without an error. Saved
models, weights and downloads all go through this.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_write"]



def _new_temp(folder: Path, base: str, make_dir: bool = False) -> tuple[Path, int | None]:
    """Create a fresh hidden entry next to the final one; return (path, fd or None).

    Created with ``os.open``/``os.mkdir`` rather than ``tempfile`` so that the usual umask
    applies (the entry ends up with the permissions a plain ``open`` would give).
    """
    while True:
        path = folder / f".{base}.{secrets.token_hex(4)}.part"
        try:
            if make_dir:
                os.mkdir(path, 0o777)
                return path, None
            return path, os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Write a file all-or-nothing: readers see the old file or the new one, never a part.

    Writes go to a temporary file in the same folder, which replaces ``path`` (with
    ``os.replace``) only when the ``with`` block ends without an exception. On an exception
    the temporary file is deleted and whatever was at ``path`` is left untouched.

    Args:
        path: the file to write; its folder must exist. An existing file keeps its
            permission bits.
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
    tmp, fd = _new_temp(target.parent, target.name)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        f = os.fdopen(fd, mode, **({} if binary else {"encoding": encoding or "utf-8"}))
    except BaseException:
        os.close(fd)
        _remove(tmp)
        raise
    try:
        with f:
            yield f
            if not f.closed:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise


