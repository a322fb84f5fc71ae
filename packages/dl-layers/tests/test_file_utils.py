"""Tests of dl_layers.file_utils: get_file (downloads into a cache), file_hash, extract_archive.

Nothing here touches the network: downloads come from a local HTTP server on 127.0.0.1
(a random free port, stopped after each test) or from file:// URLs.
"""

import hashlib
import http.server
import io
import os
import random
import socket
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from dl_layers import file_utils
from dl_layers.file_utils import (
    DownloadError,
    HashMismatchError,
    UnsafeArchiveError,
    extract_archive,
    file_hash,
    get_file,
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
    monkeypatch.setenv(file_utils.CACHE_DIR_ENV, str(tmp_path / "env-cache"))


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


# ---------------------------------------------------------- "auto" hash algorithm (defect 10)


def test_auto_hash_algorithm_accepts_keras_md5_and_sha256_digests(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    # the default is "auto": a Keras-style MD5 digest works without naming the algorithm
    path = get_file("data.bin", url, file_hash=md5, cache_dir=cache)
    assert Path(path).read_bytes() == PAYLOAD
    assert get_file("data.bin", url, file_hash=PAYLOAD_SHA256, cache_dir=cache, hash_algorithm="auto") == path
    assert server.requests == ["/data.bin"]  # both digests matched the cached copy


def test_auto_hash_algorithm_checks_with_the_algorithm_of_the_digest(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    wrong_md5 = hashlib.md5(b"something else").hexdigest()
    with pytest.raises(HashMismatchError, match="md5") as info:
        get_file("data.bin", url, file_hash=wrong_md5, cache_dir=cache)
    assert hashlib.md5(PAYLOAD).hexdigest() in str(info.value)
    assert entries(cache / "datasets") == []


@pytest.mark.parametrize(
    ("digest", "algorithm", "match"),
    [
        (
            hashlib.md5(PAYLOAD).hexdigest(),
            "sha256",
            r"sha256 digest of 64 .* looks like an md5 digest\); pass hash_algorithm=.md5. or .auto.",
        ),
        (PAYLOAD_SHA256, "md5", r"looks like a sha256 digest\); pass hash_algorithm=.sha256. or .auto."),
        (hashlib.sha1(PAYLOAD).hexdigest(), "auto", r"looks like a sha1 digest\); pass hash_algorithm=.sha1.$"),
        (hashlib.sha512(PAYLOAD).hexdigest(), "auto", "md5 .* or sha256 .* like a sha512 digest"),
        ("abc123", "auto", "md5 .* or sha256"),
    ],
    ids=["md5-digest-for-sha256", "sha256-digest-for-md5", "sha1-digest-for-auto", "sha512-for-auto", "short"],
)
def test_digest_that_does_not_fit_the_algorithm_says_what_it_looks_like(digest, algorithm, match, cache):
    with pytest.raises(ValueError, match=match) as info:
        get_file("a.bin", "http://127.0.0.1:9/a.bin", file_hash=digest, hash_algorithm=algorithm, cache_dir=cache)
    assert "file_hash" in str(info.value) and digest in str(info.value)
    assert entries(cache) == []  # refused before creating anything


def test_explicit_algorithm_other_than_md5_and_sha256(server, cache):
    url = server.publish("data.bin", PAYLOAD)
    sha1 = hashlib.sha1(PAYLOAD).hexdigest()
    assert Path(get_file("data.bin", url, file_hash=sha1, hash_algorithm="sha1", cache_dir=cache)).exists()


# ------------------------------------------------------ stale parts of killed downloads (defect 9)


@pytest.mark.skipif(os.name == "nt", reason="process ids of parts are only checked on POSIX")
def test_download_removes_parts_left_by_a_killed_download(server, cache, dead_pid):
    url = server.publish("data.bin", PAYLOAD)
    folder = cache / "datasets"
    folder.mkdir(parents=True)
    stale = f".data.bin.{dead_pid}-0123abcd.part"
    busy = f".data.bin.{os.getpid()}-89abcdef.part"  # a live process may still be writing it
    for name in (stale, busy):
        (folder / name).write_bytes(b"half a download")
    get_file("data.bin", url, cache_dir=cache)
    assert entries(folder) == sorted([busy, "data.bin"])


# ------------------------------------------------- truncated and corrupted archives (defect 5)


def incompressible(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def assert_damaged(archive: Path, call, dest: Path):
    """`call()` raises a ValueError naming `archive` as damaged, and leaves nothing behind."""
    before = entries(dest.parent)
    with pytest.raises(ValueError, match="truncated or corrupted") as info:
        call()
    assert not isinstance(info.value, UnsafeArchiveError)
    assert str(archive) in str(info.value)
    assert entries(dest.parent) == before  # no half-extracted folder, no hidden .part folder


def cut(path: Path, keep: int) -> Path:
    """Keep only the first `keep` bytes of a file, as a failed download or copy would."""
    path.write_bytes(path.read_bytes()[:keep])
    return path


@pytest.mark.parametrize(
    ("name", "mode"),
    [("pack.tar.gz", "w:gz"), ("pack.tar.bz2", "w:bz2"), ("pack.tar.xz", "w:xz"), ("pack.tar", "w")],
)
@pytest.mark.parametrize("keep", [0.5, 0.05], ids=["half", "head"])
def test_truncated_tar_is_reported_with_its_path(tmp_path, name, mode, keep):
    archive = make_tar(tmp_path / name, [("a.bin", incompressible(20_000)), ("b.bin", incompressible(20_000, 1))], mode)
    cut(archive, int(archive.stat().st_size * keep))
    assert_damaged(archive, lambda: extract_archive(archive), tmp_path / "pack")


def test_tar_cut_between_two_members_is_truncated(tmp_path):
    # tarfile itself stops quietly here: only the missing end-of-archive marker tells
    archive = make_tar(tmp_path / "pack.tar", [("a.bin", b"A" * 512), ("b.bin", b"B" * 512)], "w")
    cut(archive, 2 * 512)  # the header and data of a.bin: b.bin and the end marker are gone
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["a.bin"]
    assert_damaged(archive, lambda: extract_archive(archive), tmp_path / "pack")


def test_tar_gz_with_a_flipped_byte_is_corrupted(tmp_path):
    # incompressible data is stored as is, so the flip only shows in gzip's CRC at the end
    archive = make_tar(tmp_path / "pack.tar.gz", [("a.bin", incompressible(50_000))])
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    assert_damaged(archive, lambda: extract_archive(archive), tmp_path / "pack")


def test_truncated_zip_is_reported_with_its_path(tmp_path):
    archive = make_zip(tmp_path / "pack.zip", {"a.bin": incompressible(20_000), "b.bin": incompressible(20_000, 1)})
    cut(archive, archive.stat().st_size // 2)
    assert_damaged(archive, lambda: extract_archive(archive), tmp_path / "pack")


def test_zip_with_a_flipped_byte_is_corrupted(tmp_path):
    archive = make_zip(tmp_path / "pack.zip", {"a.bin": incompressible(20_000)})
    data = bytearray(archive.read_bytes())
    data[10_000] ^= 0xFF  # inside a.bin's stored data: its CRC-32 no longer matches
    archive.write_bytes(bytes(data))
    assert_damaged(archive, lambda: extract_archive(archive), tmp_path / "pack")


@pytest.mark.parametrize("name", ["pack.zip", "pack.tar.gz", "pack.bin"])
def test_garbage_bytes_are_reported_with_their_path(tmp_path, name):
    archive = tmp_path / name
    archive.write_bytes(incompressible(5000))
    assert_damaged(archive, lambda: extract_archive(archive, tmp_path / "pack"), tmp_path / "pack")


def test_damaged_archive_keeps_an_older_extraction(tmp_path):
    make_zip(tmp_path / "v1.zip", {"old.txt": b"1"})
    extract_archive(tmp_path / "v1.zip", tmp_path / "out")
    archive = cut(make_zip(tmp_path / "v2.zip", {"new.txt": incompressible(5000)}), 1000)
    assert_damaged(archive, lambda: extract_archive(archive, tmp_path / "out"), tmp_path / "out")
    assert entries(tmp_path / "out") == ["old.txt"]


def test_get_file_reports_a_truncated_tar_gz(server, tmp_path, cache):
    archive = make_tar(tmp_path / "imdb.tar.gz", [("imdb/review.txt", incompressible(20_000))])
    url = server.publish("imdb.tar.gz", archive.read_bytes()[:5000])  # the origin serves a cut copy
    cached = cache / "datasets" / "imdb.tar.gz"
    with pytest.raises(ValueError, match="truncated or corrupted") as info:
        get_file("imdb.tar.gz", url, cache_dir=cache, extract=True)
    assert str(cached) in str(info.value)
    assert entries(cache / "datasets") == ["imdb.tar.gz"]  # no half-extracted imdb folder
