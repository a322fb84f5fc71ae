"""Boston housing: 506 Boston suburbs in the mid-1970s, 13 features each, and the median home
price in thousands of dollars (the book's regression example, section 3.6 / 4.3 of the editions).

The book's listing, with only the import changed::

    from dl_workflow.datasets import boston_housing
    (train_data, train_targets), (test_data, test_targets) = boston_housing.load_data()

``load_data()`` downloads Keras's ``boston_housing.npz`` once into the cache (checked against
its SHA-256) and splits it as Keras does: 404 training and 102 test samples. Offline, pass
``path=`` a local copy: that ``.npz`` (arrays ``x`` and ``y``), or a CSV file of 506 rows and
14 columns (13 features then the price, with or without a header line), such as the copy
that ships inside the ``mlxtend`` package (``mlxtend/data/data/boston_housing.csv``).

A note the data deserves: one of its features, ``B``, was computed from the share of Black
residents by the original 1978 study, which assumed that this share affects prices; the data
set is used here because the book uses it, as an exercise in regression, not as a model of
anything that should be predicted this way.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from dl_layers.checks import check_number
from dl_layers.file_utils import get_file

__all__ = ["FEATURE_NAMES", "ORIGIN", "SHA256", "load_data", "read_csv"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
"""Where Keras downloads the data from."""

SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
"""The SHA-256 of that file, as Keras checks it (not verified live here: no network in CI)."""

FEATURE_NAMES = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT")
"""The 13 features in their column order; the target is MEDV (median value, k$)."""

_OWNER = "boston_housing.load_data"


def load_data(path: str | os.PathLike | None = None, test_split: float = 0.2, seed: int = 113):
    """Load the data and split it as Keras's ``boston_housing.load_data`` does.

    The samples are shuffled by ``numpy.random.RandomState(seed).permutation`` (Keras's
    generator, so the default split is Keras's: the same 404 and 102 houses), then the last
    ``test_split`` of them are the test set.

    Args:
        path: a local ``.npz`` (arrays ``x`` (506, 13) and ``y`` (506,)) or ``.csv`` file; None
            downloads Keras's file into the cache (``DL_BOOK_CACHE_DIR`` or ``~/.cache/dl-book``).
        test_split: the fraction of samples in the test set, in [0, 1).
        seed: the shuffling seed.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: float64 features ``(404, 13)`` and
        ``(102, 13)``, float64 prices ``(404,)`` and ``(102,)`` with the default split.

    Examples:
        A small CSV file in the same layout instead of the real one:

        >>> import tempfile
        >>> rows = np.arange(10 * 14, dtype=float).reshape(10, 14)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     csv = Path(folder) / "houses.csv"
        ...     np.savetxt(csv, rows, delimiter=",")
        ...     (x_train, y_train), (x_test, y_test) = load_data(path=csv, test_split=0.2)
        >>> x_train.shape, y_train.shape, x_test.shape, y_test.shape
        ((8, 13), (8,), (2, 13), (2,))
    """
    test_split = check_number(_OWNER, "test_split", test_split, minimum=0, maximum=1, max_inclusive=False)
    seed = check_number(_OWNER, "seed", seed, minimum=0, integer=True)
    if path is None:
        path = get_file("boston_housing.npz", ORIGIN, file_hash=SHA256, cache_subdir="datasets")
    x, y = _read(Path(path))
    order = np.random.RandomState(seed).permutation(len(x))  # noqa: NPY002 (Keras's generator: Keras's split)
    x, y = x[order], y[order]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"{_OWNER}: no file at {str(path)!r}")
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "x" not in archive or "y" not in archive:
                raise ValueError(f"{_OWNER}: {str(path)!r} holds {sorted(archive.files)}, not the arrays 'x' and 'y'")
            x, y = archive["x"], archive["y"]
    except (OSError, EOFError, zipfile.BadZipFile) as err:  # not a zip archive, truncated
        raise ValueError(f"{_OWNER}: {str(path)!r} is not a readable .npz file ({err})") from err
    return _checked(x, y, path)


def read_csv(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """The features ``(n, 13)`` and prices ``(n,)`` of a CSV file of 14 numeric columns (a header
    line of names is skipped; ``NA`` or empty cells are refused)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if not text:
        raise ValueError(f"{_OWNER}: {str(path)!r} is empty")
    start = 0 if _numeric_row(text[0]) else 1  # a header line of column names
    try:
        table = np.loadtxt(text[start:], delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as err:
        raise ValueError(f"{_OWNER}: {str(path)!r} is not a table of numbers ({err})") from err
    if table.shape[1] != len(FEATURE_NAMES) + 1:
        raise ValueError(f"{_OWNER}: {str(path)!r} has {table.shape[1]} columns; expected 14 "
                         "(13 features, then the price)")
    return _checked(table[:, :-1], table[:, -1], path)


def _numeric_row(line: str) -> bool:
    try:
        [float(cell) for cell in line.split(",")]
    except ValueError:
        return False
    return True


def _checked(x, y, path) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or x.shape[1] != len(FEATURE_NAMES) or len(x) != len(y) or len(x) == 0:
        raise ValueError(f"{_OWNER}: {str(path)!r} holds features {x.shape} and targets {y.shape}; expected "
                         f"(n, {len(FEATURE_NAMES)}) and (n,) with n > 0")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError(f"{_OWNER}: {str(path)!r} holds missing or non-finite values")
    return x, y
