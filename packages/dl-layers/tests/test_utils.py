"""Tests of dl_layers.utils: downloads, archives, atomic writes and one-hot labels.

Nothing here touches the network: downloads come from a local HTTP server on 127.0.0.1
(a random free port, stopped after each test) or from file:// URLs.
"""

import doctest
import hashlib
import http.server
import io
import os
import socket
import stat
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_layers import utils
from dl_layers.utils import (
    DownloadError,
    HashMismatchError,
    UnsafeArchiveError,
    atomic_write,
    extract_archive,
    file_hash,
    get_file,
    to_categorical,
)

PAYLOAD = b"the quick brown fox jumps over the lazy dog\n" * 1000
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entries(folder: Path) -> list[str]:
    """Every name in a folder, hidden temporary files included."""
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """No test may write into the real ~/.cache/dl-book."""
    monkeypatch.setenv(utils.CACHE_DIR_ENV, str(tmp_path / "env-cache"))


# ----------------------------------------------------------------- the local server


class Server:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, format, *args):  # keep the test output quiet
                pass

            def do_GET(self):
                server.requests.append(self.path)
                if self.path == "/truncated":  # promises 1000 bytes, sends 10, hangs up
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b"x" * 10)
                    self.close_connection = True
                elif self.path == "/drop":  # hangs up without any response
                    self.close_connection = True
                else:
                    super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def publish(self, name: str, data: bytes) -> str:
        (self.root / name).write_bytes(data)
        return self.url(name)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    srv = Server(root)
    yield srv
    srv.close()


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------- get_file


def test_download_with_matching_hash(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    path = get_file("data.bin", url, file_hash=PAYLOAD_SHA256, cache_dir=cache)
    assert path == str(cache / "datasets" / "data.bin")
    assert Path(path).read_bytes() == PAYLOAD
    assert entries(cache / "datasets") == ["data.bin"]
    assert server.requests == ["/data.bin"]


def test_cached_file_is_not_downloaded_again(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    first = get_file("data.bin", url, file_hash=PAYLOAD_SHA256, cache_dir=cache)
    (server.root / "data.bin").unlink()  # a second download would now fail
    second = get_file("data.bin", url, file_hash=PAYLOAD_SHA256, cache_dir=cache)
    third = get_file("data.bin", url, cache_dir=cache)  # no hash: any cached copy is used
    assert first == second == third
    assert server.requests == ["/data.bin"]


def test_wrong_hash_raises_and_leaves_nothing(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    wrong = sha256(b"something else")
    with pytest.raises(HashMismatchError) as info:
        get_file("data.bin", url, file_hash=wrong, cache_dir=cache)
    message = str(info.value)
    assert "data.bin" in message and wrong in message and PAYLOAD_SHA256 in message
    assert entries(cache / "datasets") == []  # no final file, no temporary file


def test_hash_check_is_case_insensitive_and_supports_md5(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    md5 = hashlib.md5(PAYLOAD).hexdigest().upper()
    path = get_file("data.bin", url, file_hash=md5, hash_algorithm="md5", cache_dir=cache)
    assert Path(path).read_bytes() == PAYLOAD


def test_corrupt_cached_file_is_downloaded_again(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    (cache / "datasets").mkdir(parents=True)
    (cache / "datasets" / "data.bin").write_bytes(PAYLOAD[:100])  # e.g. an old partial copy
    with pytest.warns(UserWarning, match="downloading it again"):
        path = get_file("data.bin", url, file_hash=PAYLOAD_SHA256, cache_dir=cache)
    assert Path(path).read_bytes() == PAYLOAD
    assert server.requests == ["/data.bin"]
    assert entries(cache / "datasets") == ["data.bin"]


def test_corrupt_cache_and_bad_origin_is_downloaded_only_once(server, cache):
    url = server.publish("data.bin", b"tampered")
    (cache / "datasets").mkdir(parents=True)
    (cache / "datasets" / "data.bin").write_bytes(b"corrupt")
    with pytest.warns(UserWarning), pytest.raises(HashMismatchError):
        get_file("data.bin", url, file_hash=PAYLOAD_SHA256, cache_dir=cache)
    assert server.requests == ["/data.bin"]
    assert entries(cache / "datasets") == ["data.bin"]  # no temporary file left


def test_environment_variable_chooses_the_cache(server, tmp_path, monkeypatch):
    url = server.publish("data.bin", PAYLOAD)
    monkeypatch.setenv("DL_BOOK_CACHE_DIR", str(tmp_path / "from-env"))
    path = get_file("data.bin", url, file_hash=PAYLOAD_SHA256, cache_subdir="mnist")
    assert path == str(tmp_path / "from-env" / "mnist" / "data.bin")
    # an explicit cache_dir wins over the variable
    other = get_file("data.bin", url, cache_dir=tmp_path / "explicit")
    assert other == str(tmp_path / "explicit" / "datasets" / "data.bin")


def test_default_cache_is_under_home(server, tmp_path, monkeypatch):
    url = server.publish("data.bin", PAYLOAD)
    monkeypatch.delenv("DL_BOOK_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = get_file("data.bin", url)
    assert path == str(tmp_path / "home" / ".cache" / "dl-book" / "datasets" / "data.bin")


def test_file_url_and_default_fname(tmp_path, cache):
    source = tmp_path / "source.bin"
    source.write_bytes(PAYLOAD)
    path = get_file(None, source.as_uri(), file_hash=PAYLOAD_SHA256, cache_dir=cache)
    assert path == str(cache / "datasets" / "source.bin")
    assert Path(path).read_bytes() == PAYLOAD


def test_truncated_body_raises_and_leaves_nothing(server, cache):
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", server.url("truncated"), cache_dir=cache)  # no hash: still detected
    assert server.url("truncated") in str(info.value)
    assert entries(cache / "datasets") == []


def test_dropped_connection_raises_and_leaves_nothing(server, cache):
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", server.url("drop"), file_hash=PAYLOAD_SHA256, cache_dir=cache)
    assert server.url("drop") in str(info.value)
    assert entries(cache / "datasets") == []


def test_http_error_names_the_status_and_url(server, cache):
    with pytest.raises(DownloadError, match="404") as info:
        get_file("missing.bin", server.url("missing.bin"), cache_dir=cache)
    assert server.url("missing.bin") in str(info.value)
    assert entries(cache / "datasets") == []


def test_unreachable_url_names_the_url_and_the_manual_path(cache):
    url = f"http://127.0.0.1:{closed_port()}/data.bin"
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", url, cache_dir=cache, timeout=5)
    message = str(info.value)
    assert url in message
    assert str(cache / "datasets" / "data.bin") in message  # where to put the file by hand
    assert entries(cache / "datasets") == []
    assert isinstance(info.value, OSError)


def test_missing_file_url_raises_download_error(tmp_path, cache):
    url = (tmp_path / "nope.bin").as_uri()
    with pytest.raises(DownloadError, match="nope.bin"):
        get_file("nope.bin", url, cache_dir=cache)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"origin": "ftp://example.com/a"}, ValueError, "origin"),
        ({"origin": 3}, TypeError, "origin"),
        ({"fname": "../a.bin"}, ValueError, "fname"),
        ({"fname": "sub/a.bin"}, ValueError, "fname"),
        ({"file_hash": "abc"}, ValueError, "file_hash"),
        ({"file_hash": 123}, TypeError, "file_hash"),
        ({"hash_algorithm": "nope"}, ValueError, "hash_algorithm"),
        ({"cache_subdir": "../escape"}, ValueError, "cache_subdir"),
        ({"cache_subdir": "/abs"}, ValueError, "cache_subdir"),
        ({"timeout": 0}, ValueError, "timeout"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match, cache):
    args = {"fname": "a.bin", "origin": "http://127.0.0.1:9/a.bin", "cache_dir": cache, **kwargs}
    with pytest.raises(error, match=match):
        get_file(**args)


def test_file_hash_helper(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(PAYLOAD)
    assert file_hash(path) == PAYLOAD_SHA256
    assert file_hash(path, "md5", chunk_size=7) == hashlib.md5(PAYLOAD).hexdigest()
    with pytest.raises(ValueError, match="chunk_size"):
        file_hash(path, chunk_size=0)


# ------------------------------------------------------------------------- archives


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


def make_tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def link(name: str, target: str, kind=tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_extract_zip(tmp_path):
    archive = make_zip(tmp_path / "pack.zip", {"pack/a.txt": b"A", "pack/sub/b.txt": b"B"})
    folder = Path(extract_archive(archive))
    assert folder == tmp_path / "pack"
    assert (folder / "pack" / "a.txt").read_bytes() == b"A"
    assert (folder / "pack" / "sub" / "b.txt").read_bytes() == b"B"
    assert entries(tmp_path) == ["pack", "pack.zip"]


@pytest.mark.parametrize(("name", "mode"), [("pack.tar.gz", "w:gz"), ("pack.tgz", "w:gz"), ("pack.tar", "w")])
def test_extract_tar(tmp_path, name, mode):
    archive = make_tar(tmp_path / name, [("a.txt", b"A"), ("sub/b.txt", b"B"), link("sub/to_a", "../a.txt")], mode)
    folder = Path(extract_archive(archive))
    assert folder == tmp_path / "pack"
    assert (folder / "a.txt").read_bytes() == b"A"
    assert (folder / "sub" / "b.txt").read_bytes() == b"B"
    assert (folder / "sub" / "to_a").read_bytes() == b"A"  # a link inside the folder is fine
    assert entries(tmp_path) == sorted(["pack", name])


def test_extract_replaces_an_older_extraction(tmp_path):
    dest = tmp_path / "out"
    make_zip(tmp_path / "v1.zip", {"old.txt": b"1"})
    make_zip(tmp_path / "v2.zip", {"new.txt": b"2"})
    extract_archive(tmp_path / "v1.zip", dest)
    extract_archive(tmp_path / "v2.zip", dest)
    assert entries(dest) == ["new.txt"]
    assert entries(tmp_path) == ["out", "v1.zip", "v2.zip"]


def test_get_file_extracts_and_reuses_the_folder(server, tmp_path, cache):
    archive = make_tar(tmp_path / "imdb.tar.gz", [("imdb/review.txt", b"great movie")])
    url = server.publish("imdb.tar.gz", archive.read_bytes())
    folder = get_file("imdb.tar.gz", url, file_hash=sha256(archive.read_bytes()), cache_dir=cache, extract=True)
    assert folder == str(cache / "datasets" / "imdb")
    assert (Path(folder) / "imdb" / "review.txt").read_bytes() == b"great movie"
    (Path(folder) / "marker").write_bytes(b"")  # a second call reuses the folder as it is
    assert get_file("imdb.tar.gz", url, cache_dir=cache, extract=True) == folder
    assert (Path(folder) / "marker").exists()
    assert server.requests == ["/imdb.tar.gz"]


def assert_nothing_escaped(tmp_path: Path, dest: Path):
    assert not dest.exists()
    assert not [name for name in entries(dest.parent) if name.endswith(".part")]
    assert not list(tmp_path.rglob("evil*"))


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "ok/../../evil.txt", "..\\evil.txt", "/ABSOLUTE/evil.txt"],
    ids=["dotdot", "nested-dotdot", "backslash-dotdot", "absolute"],
)
def test_malicious_zip_is_refused(tmp_path, name):
    name = name.replace("/ABSOLUTE", str(tmp_path / "abs"))
    (tmp_path / "in").mkdir()
    archive = make_zip(tmp_path / "in" / "bad.zip", {"fine.txt": b"x", name: b"evil"})
    with pytest.raises(UnsafeArchiveError, match="evil"):
        extract_archive(archive)
    assert_nothing_escaped(tmp_path, tmp_path / "in" / "bad")


@pytest.mark.parametrize(
    "member",
    [
        ("../evil.txt", b"evil"),
        ("/ABSOLUTE/evil.txt", b"evil"),
        link("evil-passwd", "/etc/passwd"),
        link("evil-up", "../../outside"),
        link("evil-hard", "/etc/passwd", tarfile.LNKTYPE),
        link("evil-hard-up", "../outside", tarfile.LNKTYPE),
    ],
    ids=["dotdot", "absolute", "symlink-etc-passwd", "symlink-up", "hardlink-absolute", "hardlink-up"],
)
def test_malicious_tar_is_refused(tmp_path, member):
    if isinstance(member, tuple):
        member = (member[0].replace("/ABSOLUTE", str(tmp_path / "abs")), member[1])
    (tmp_path / "in").mkdir()
    archive = make_tar(tmp_path / "in" / "bad.tar.gz", [("fine.txt", b"x"), member])
    with pytest.raises(UnsafeArchiveError, match="evil"):
        extract_archive(archive)
    assert_nothing_escaped(tmp_path, tmp_path / "in" / "bad")


@pytest.mark.skipif(not hasattr(tarfile, "data_filter"), reason="needs tarfile extraction filters")
def test_link_through_a_link_is_refused(tmp_path):
    # each link looks harmless on its own: "p" points to the folder itself, and
    # "p/p/evil" climbs two levels, which (through p) leaves the folder
    (tmp_path / "in").mkdir()
    archive = make_tar(tmp_path / "in" / "bad.tar", [link("p", "."), link("p/p/evil", "../../evil-target")], "w")
    with pytest.raises(UnsafeArchiveError, match="evil"):
        extract_archive(archive)
    assert_nothing_escaped(tmp_path, tmp_path / "in" / "bad")


def test_device_member_is_refused(tmp_path):
    fifo = tarfile.TarInfo("evil-fifo")
    fifo.type = tarfile.FIFOTYPE
    archive = make_tar(tmp_path / "bad.tar", [fifo], "w")
    with pytest.raises(UnsafeArchiveError, match="evil-fifo"):
        extract_archive(archive)


def test_not_an_archive(tmp_path):
    path = tmp_path / "plain.zip"
    path.write_bytes(b"not really a zip")
    with pytest.raises(ValueError, match="neither a zip nor a tar"):
        extract_archive(path)


# --------------------------------------------------------------------- atomic_write


def test_atomic_write_replaces_on_success(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old")
    with atomic_write(path) as f:
        f.write(b"new")
        assert path.read_bytes() == b"old"  # nothing visible before the block ends
    assert path.read_bytes() == b"new"
    with atomic_write(path, "w") as f:
        f.write("text é")
    assert path.read_text(encoding="utf-8") == "text é"
    assert entries(tmp_path) == ["model.bin"]


def test_atomic_write_keeps_old_content_on_error(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_write(path) as f:
            f.write(b"half-written")
            raise RuntimeError("boom")
    assert path.read_bytes() == b"old"
    assert entries(tmp_path) == ["model.bin"]


def test_atomic_write_creates_nothing_on_error(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(tmp_path / "new.bin") as f:
            f.write(b"x")
            raise KeyboardInterrupt
    assert entries(tmp_path) == []


def test_atomic_write_keeps_permissions(tmp_path):
    path = tmp_path / "secret.bin"
    path.write_bytes(b"old")
    path.chmod(0o600)
    with atomic_write(path) as f:
        f.write(b"new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_atomic_write_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(tmp_path / "x", "r"):
            pass
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(tmp_path / "x", "a"):
            pass
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_write(tmp_path / "missing" / "x"):
            pass
    assert entries(tmp_path) == []


# -------------------------------------------------------------------- to_categorical


def test_to_categorical_values_and_dtype():
    out = to_categorical(np.array([0, 2, 1, 2]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])
    out = to_categorical([1], num_classes=4, dtype="int8")
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [[0, 1, 0, 0]])


def test_to_categorical_shapes():
    assert to_categorical(np.arange(5)).shape == (5, 5)
    two_d = np.array([[0, 1, 2], [2, 1, 0]])
    out = to_categorical(two_d, num_classes=3)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.argmax(-1), two_d)
    assert to_categorical(np.array([[1], [0]])).shape == (2, 2)  # Keras drops a trailing axis of 1
    assert to_categorical(np.zeros(0, dtype=int), num_classes=3).shape == (0, 3)
    assert to_categorical(2, num_classes=3).tolist() == [0, 0, 1]
    assert to_categorical(np.array([0.0, 3.0])).shape == (2, 4)  # integral floats are labels


@given(st.lists(st.integers(0, 9), min_size=1, max_size=30))
def test_to_categorical_round_trips(labels):
    out = to_categorical(labels, num_classes=10)
    np.testing.assert_array_equal(out.argmax(-1), labels)
    assert out.sum() == len(labels)


@pytest.mark.parametrize(
    ("y", "kwargs", "error", "match"),
    [
        ([0, 1.5], {}, ValueError, "1.5"),
        ([0, np.nan], {}, ValueError, "nan"),
        (["a", "b"], {}, TypeError, "integer"),
        ([0, -1, 2], {}, ValueError, "-1"),
        ([0, -3], {"num_classes": 4}, ValueError, "-3"),
        ([0, 5, 1], {"num_classes": 3}, ValueError, r"got 5 at index \(1,\)"),
        ([0, 1], {"num_classes": 0}, ValueError, "num_classes"),
        ([0, 1], {"num_classes": 2.0}, ValueError, "num_classes"),
        ([], {}, ValueError, "num_classes"),
    ],
)
def test_to_categorical_errors(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        to_categorical(y, **kwargs)


def test_docstring_examples_run():
    result = doctest.testmod(utils, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
