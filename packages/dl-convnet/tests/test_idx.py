"""read_idx / write_idx: the IDX format of MNIST, checked against bytes written by hand."""

import gzip
import os

import numpy as np
import pytest

from dl_convnet.datasets import idx, read_idx, write_idx

IDX_DTYPES = ["uint8", "int8", "int16", "int32", "float32", "float64"]


def idx_bytes(code: int, shape: tuple, payload: bytes) -> bytes:
    """An IDX file built by hand: magic number, big-endian uint32 sizes, then the payload."""
    header = bytes([0, 0, code, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape)
    return header + payload


def leftovers(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".part")]


# ----------------------------------------------------------------------------- reading


def test_reads_a_hand_written_uint8_file(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_bytes(0x08, (2, 2, 3), bytes(range(12))))
    x = read_idx(path)
    assert x.dtype == np.uint8 and x.shape == (2, 2, 3)
    np.testing.assert_array_equal(x, np.arange(12).reshape(2, 2, 3))


@pytest.mark.parametrize("code, payload, expected", [
    (0x09, b"\x7f\x80", np.array([127, -128], np.int8)),
    (0x0B, b"\x01\x02\xff\xfe", np.array([258, -2], np.int16)),
    (0x0C, b"\x00\x01\x00\x00\xff\xff\xff\xff", np.array([65536, -1], np.int32)),
    (0x0D, b"\x3f\x80\x00\x00\xc0\x00\x00\x00", np.array([1.0, -2.0], np.float32)),
    (0x0E, b"\x3f\xf0\x00\x00\x00\x00\x00\x00\x40\x09\x21\xfb\x54\x44\x2d\x18", np.array([1.0, np.pi])),
])
def test_multi_byte_values_are_big_endian(tmp_path, code, payload, expected):
    path = tmp_path / "values.idx"
    path.write_bytes(idx_bytes(code, (2,), payload))
    x = read_idx(path)
    assert x.dtype == expected.dtype and x.dtype.isnative
    np.testing.assert_array_equal(x, expected)


def test_gzip_is_told_by_its_magic_bytes_not_by_the_name(tmp_path):
    content = idx_bytes(0x08, (3,), b"\x01\x02\x03")
    gzipped_without_suffix = tmp_path / "labels-idx1-ubyte"
    gzipped_without_suffix.write_bytes(gzip.compress(content))
    plain_with_suffix = tmp_path / "labels-idx1-ubyte.gz"
    plain_with_suffix.write_bytes(content)
    np.testing.assert_array_equal(read_idx(gzipped_without_suffix), [1, 2, 3])
    np.testing.assert_array_equal(read_idx(plain_with_suffix), [1, 2, 3])


def test_the_result_is_a_writable_copy(tmp_path):
    path = tmp_path / "x.idx"
    write_idx(path, np.arange(4, dtype=np.int16))
    x = read_idx(path)
    x[0] = 7  # np.frombuffer alone would be read-only
    assert x[0] == 7


def test_zero_sized_dimensions(tmp_path):
    path = tmp_path / "empty.idx"
    write_idx(path, np.zeros((0, 28, 28), np.uint8))
    assert read_idx(path).shape == (0, 28, 28)


# ----------------------------------------------------------------------------- writing


def test_write_idx_writes_exactly_the_format(tmp_path):
    path = tmp_path / "x.idx"
    write_idx(path, np.array([[1, -2]], dtype=np.int16))
    assert path.read_bytes() == idx_bytes(0x0B, (1, 2), b"\x00\x01\xff\xfe")


@pytest.mark.parametrize("dtype", IDX_DTYPES)
@pytest.mark.parametrize("name", ["data-idx3", "data-idx3.gz"])
def test_round_trip(tmp_path, dtype, name):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    path = tmp_path / name
    write_idx(path, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, array)


def test_round_trip_of_a_non_native_and_non_contiguous_array(tmp_path):
    array = np.arange(24, dtype=">i4").reshape(4, 6)[:, ::2]  # big-endian, strided view
    write_idx(tmp_path / "x.idx", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "x.idx"), array)


def test_compress_overrides_the_name(tmp_path):
    write_idx(tmp_path / "plain.gz", np.arange(3, dtype=np.uint8), compress=False)
    write_idx(tmp_path / "packed", np.arange(3, dtype=np.uint8), compress=True)
    assert (tmp_path / "plain.gz").read_bytes()[:2] == b"\x00\x00"
    assert (tmp_path / "packed").read_bytes()[:2] == b"\x1f\x8b"


def test_gzipped_output_is_reproducible(tmp_path):
    """Same array, same bytes (no timestamp, no temporary name in the gzip header): stable checksums."""
    array = np.arange(100, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    first = (tmp_path / "a.gz").read_bytes()
    write_idx(tmp_path / "a.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == first
    assert b".part" not in first


@pytest.mark.parametrize("array, message", [
    (np.arange(3, dtype=np.int64), "must have an IDX dtype.*got int64"),
    (np.array([True, False]), "must have an IDX dtype.*got bool"),
    (np.array(["a"]), "must have an IDX dtype"),
])
def test_write_idx_refuses_other_dtypes(tmp_path, array, message):
    with pytest.raises(TypeError, match=message):
        write_idx(tmp_path / "x.idx", array)
    assert os.listdir(tmp_path) == []


def test_write_idx_is_all_or_nothing(tmp_path, monkeypatch):
    path = tmp_path / "x.idx.gz"
    write_idx(path, np.arange(3, dtype=np.uint8))
    before = path.read_bytes()

    def broken_write(self, data):
        raise OSError("disk full")

    monkeypatch.setattr(gzip.GzipFile, "write", broken_write)
    with pytest.raises(OSError, match="disk full"):
        write_idx(path, np.arange(10, dtype=np.uint8))
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_write_idx_checks_its_arguments(tmp_path):
    with pytest.raises(TypeError, match="write_idx: argument `path`"):
        write_idx(3, np.zeros(2, np.uint8))
    with pytest.raises(TypeError, match="write_idx: argument `compress`"):
        write_idx(tmp_path / "x", np.zeros(2, np.uint8), compress="yes")


# ----------------------------------------------------------------------------- bad files


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="read_idx: no file at .*nothing-here"):
        read_idx(tmp_path / "nothing-here")


@pytest.mark.parametrize("gzipped", [False, True])
def test_corrupted_magic_number(tmp_path, gzipped):
    content = b"\x08\x03" + idx_bytes(0x08, (1,), b"\x05")[2:]
    path = tmp_path / "bad-magic"
    path.write_bytes(gzip.compress(content) if gzipped else content)
    with pytest.raises(ValueError, match=r"bad-magic.*not an IDX file.*two zero bytes, got 0x08 0x03"):
        read_idx(path)


def test_unknown_dtype_code(tmp_path):
    path = tmp_path / "bad-code"
    path.write_bytes(idx_bytes(0x0A, (1,), b"\x05"))
    with pytest.raises(ValueError, match=r"bad-code.*unknown IDX dtype code 0x0A.*0x08 uint8.*0x0E float64"):
        read_idx(path)


@pytest.mark.parametrize("content, message", [
    (b"", "too short.*at least 4 bytes, got 0 bytes"),
    (b"\x00\x00\x08", "too short.*at least 4 bytes, got 3 bytes"),
    (bytes([0, 0, 8, 3]) + (5).to_bytes(4, "big"), "truncated.*3 dimensions.*header of 16 bytes, got 8 bytes"),
])
def test_truncated_header(tmp_path, content, message):
    path = tmp_path / "short"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"short.*{message}"):
        read_idx(path)


@pytest.mark.parametrize("gzipped", [False, True])
def test_truncated_data_names_the_file_and_both_byte_counts(tmp_path, gzipped):
    content = idx_bytes(0x0C, (2, 3), bytes(4 * 6))[:-5]  # 5 bytes short
    path = tmp_path / "cut-idx2"
    path.write_bytes(gzip.compress(content) if gzipped else content)
    with pytest.raises(ValueError, match=r"cut-idx2.*is truncated.*shape \(2, 3\) of int32.*expected 24 data bytes, "
                                         r"got 19"):
        read_idx(path)


def test_trailing_bytes(tmp_path):
    path = tmp_path / "long-idx1"
    path.write_bytes(idx_bytes(0x08, (3,), b"\x01\x02\x03\x04"))
    with pytest.raises(ValueError, match=r"long-idx1.*has trailing bytes.*expected 3 data bytes, got 4"):
        read_idx(path)


def test_truncated_gzip_stream(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(0x08, (1000,), bytes(1000)))[:20])
    with pytest.raises(ValueError, match=r"cut.gz.*starts like a gzip file but cannot be decompressed"):
        read_idx(path)


def test_read_idx_checks_its_argument():
    with pytest.raises(TypeError, match="read_idx: argument `path` must be a file path"):
        read_idx(None)


def test_the_dtype_table_is_the_published_one():
    assert {code: dtype.newbyteorder("=").name for code, dtype in idx.IDX_DTYPES.items()} == {
        0x08: "uint8", 0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}
    assert all(dtype.byteorder in "|>" for dtype in idx.IDX_DTYPES.values())
