"""The IDX file format of MNIST and Fashion-MNIST: read it into a NumPy array, write an array as one.

An IDX file is a small header followed by the raw values, all big-endian:

```
byte 0-1   0x00 0x00                magic number, part 1: two zero bytes
byte 2     dtype code               0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
byte 3     ndim                     the number of dimensions
then       ndim x uint32            the size of each dimension
then       prod(sizes) values       in C (row-major) order
```

The published files are gzipped (``train-images-idx3-ubyte.gz``); ``read_idx`` tells a gzipped
file from a plain one by its first two bytes, whatever its name.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from dl_layers.atomic import atomic_write

__all__ = ["IDX_DTYPES", "read_idx", "write_idx"]

IDX_DTYPES = {
    0x08: np.dtype("uint8"),
    0x09: np.dtype("int8"),
    0x0B: np.dtype(">i2"),  # int16, big-endian
    0x0C: np.dtype(">i4"),  # int32, big-endian
    0x0D: np.dtype(">f4"),  # float32, big-endian
    0x0E: np.dtype(">f8"),  # float64, big-endian
}
"""The IDX dtype codes (byte 2 of the header) and the dtype of the values they announce."""

_GZIP_MAGIC = b"\x1f\x8b"  # the first two bytes of every gzip stream


def _describe_codes() -> str:
    return ", ".join(f"0x{code:02X} {dtype.newbyteorder('=').name}" for code, dtype in IDX_DTYPES.items())


def _read_bytes(path: Path) -> bytes:
    """The file's content, un-gzipped if it starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        content = f.read()
    if not content.startswith(_GZIP_MAGIC):
        return content
    try:
        return gzip.decompress(content)
    except (EOFError, OSError, zlib.error) as err:  # BadGzipFile is an OSError
        raise ValueError(f"read_idx: {str(path)!r} starts like a gzip file but cannot be decompressed "
                         f"({type(err).__name__}: {err}); it is probably truncated or corrupted") from err


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a NumPy array.

    Args:
        path: the file, e.g. ``"train-images-idx3-ubyte.gz"``. Whether it is gzipped is read
            from its first bytes, not from its name.

    Returns:
        A new (writable) array with the file's dimensions and dtype, in native byte order:
        MNIST's ``train-images-idx3-ubyte`` gives uint8 ``(60000, 28, 28)``.

    Raises:
        ValueError: the header is not IDX (magic number, dtype code), or the data is not
            exactly ``prod(dimensions) * itemsize`` bytes long (a truncated file, or trailing
            bytes); the message names the file and both byte counts.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "labels-idx1-ubyte.gz")
        ...     write_idx(path, np.array([5, 0, 4], dtype=np.uint8))
        ...     read_idx(path)
        array([5, 0, 4], dtype=uint8)
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"read_idx: argument `path` must be a file path, got {path!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"read_idx: no file at {str(path)!r}")
    content = _read_bytes(path)

    if len(content) < 4:
        raise ValueError(f"read_idx: {str(path)!r} is too short to be an IDX file: "
                         f"expected a header of at least 4 bytes, got {len(content)} bytes")
    zero1, zero2, code, ndim = content[:4]
    if zero1 != 0 or zero2 != 0:
        raise ValueError(f"read_idx: {str(path)!r} is not an IDX file: its magic number must start with two zero "
                         f"bytes, got 0x{zero1:02X} 0x{zero2:02X}")
    if code not in IDX_DTYPES:
        raise ValueError(f"read_idx: {str(path)!r} has an unknown IDX dtype code 0x{code:02X} (byte 2); "
                         f"expected one of {_describe_codes()}")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(f"read_idx: {str(path)!r} is truncated: its header announces {ndim} dimensions, so "
                         f"expected a header of {header_size} bytes, got {len(content)} bytes")
    shape = tuple(int(d) for d in np.frombuffer(content, dtype=">u4", count=ndim, offset=4))

    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    actual = len(content) - header_size
    if actual != expected:
        problem = "is truncated" if actual < expected else "has trailing bytes"
        raise ValueError(f"read_idx: {str(path)!r} {problem}: its header announces shape {shape} of "
                         f"{dtype.newbyteorder('=').name}, so expected {expected} data bytes, got {actual}")
    values = np.frombuffer(content, dtype=dtype, offset=header_size).reshape(shape)
    return values.astype(dtype.newbyteorder("="))  # a native-order copy: writable, and fast to compute with


def _idx_code(dtype: np.dtype) -> int | None:
    for code, idx_dtype in IDX_DTYPES.items():
        if dtype.kind == idx_dtype.kind and dtype.itemsize == idx_dtype.itemsize:
            return code
    return None


def write_idx(path: str | os.PathLike, array, compress: bool | None = None) -> None:
    """Write an array as an IDX file, all-or-nothing (through a temporary file).

    Args:
        path: the file to write; its folder must exist.
        array: an array of uint8, int8, int16, int32, float32 or float64 with at most 255
            dimensions (cast other dtypes first, e.g. ``labels.astype("uint8")``).
        compress: gzip the file; default (None): only when ``path`` ends with ``.gz``.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "images-idx3-ubyte")
        ...     write_idx(path, np.zeros((2, 28, 28), dtype=np.uint8))
        ...     os.path.getsize(path)          # 4 + 3 * 4 header bytes, then 2 * 28 * 28 values
        1584
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"write_idx: argument `path` must be a file path, got {path!r}")
    if compress is None:
        compress = os.fspath(path).lower().endswith(".gz")
    elif not isinstance(compress, bool):
        raise TypeError(f"write_idx: argument `compress` must be True, False or None, got {compress!r}")
    values = np.asarray(array)
    code = _idx_code(values.dtype)
    if code is None:
        raise TypeError(f"write_idx: argument `array` must have an IDX dtype ({_describe_codes()}), "
                        f"got {values.dtype}")
    if values.ndim > 255:
        raise ValueError(f"write_idx: argument `array` must have at most 255 dimensions, got {values.ndim}")
    if any(d >= 2**32 for d in values.shape):
        raise ValueError(f"write_idx: every dimension of `array` must be below 2**32, got shape {values.shape}")

    header = bytes([0, 0, code, values.ndim]) + np.array(values.shape, dtype=">u4").tobytes()
    data = values.astype(IDX_DTYPES[code], copy=False).tobytes()  # big-endian, C order
    with atomic_write(path) as f:
        if compress:
            # mtime=0 and the final name (not the temporary one) in the gzip header: same array, same bytes
            with gzip.GzipFile(filename=Path(path).name, mode="wb", fileobj=f, mtime=0) as gz:
                gz.write(header)
                gz.write(data)
        else:
            f.write(header)
            f.write(data)
