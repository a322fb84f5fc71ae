"""Checks of the file paths the callbacks write to, made before training starts."""

from __future__ import annotations

import os

__all__ = ["check_path", "require_folder"]


def check_path(owner: str, name: str, value) -> str:
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{owner}: argument `{name}` must be a file path (str or os.PathLike), got {value!r}")
    path = os.fspath(value)
    if isinstance(path, bytes) or not path:
        raise TypeError(f"{owner}: argument `{name}` must be a non-empty str path, got {value!r}")
    return path


def require_folder(owner: str, name: str, path: str, is_file: bool = True) -> None:
    """A clear error now, rather than after an epoch of training, if ``path``'s folder is missing
    (or, with ``is_file``, if ``path`` is a folder)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{owner}: the folder {folder!r} of {name} {path!r} does not exist; create it "
                                f"first (os.makedirs)")
    if is_file and os.path.isdir(path):
        raise IsADirectoryError(f"{owner}: {name} {path!r} is a folder, expected a file path")
