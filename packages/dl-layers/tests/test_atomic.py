"""Tests of dl_layers.atomic: atomic_write and its helpers, directly and through model saving."""

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from dl_layers import Dense, Input, Sequential, atomic
from dl_layers.atomic import atomic_write, new_temp_file, new_temp_folder, remove_path, remove_stale_parts


def entries(folder: Path) -> list[str]:
    """Every name in a folder, hidden temporary files included."""
    return sorted(os.listdir(folder)) if folder.exists() else []


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


def test_temporary_file_is_hidden_and_named_after_the_target_and_process(tmp_path):
    path = tmp_path / "model.bin"
    with atomic_write(path) as f:
        [part] = entries(tmp_path)
        assert f.name != str(path)
    prefix = f".model.bin.{os.getpid()}-"
    assert part.startswith(prefix) and part.endswith(".part")
    assert len(part) == len(prefix) + 8 + len(".part")  # 8 hexadecimal characters of randomness
    assert entries(tmp_path) == ["model.bin"]


# ------------------------------------------------ write-protected targets (defect 3)


def tiny_model():
    return Sequential([Input(shape=(2,)), Dense(1)])


def saves():
    """The three ways a file goes through atomic_write: directly, save_weights and save."""

    def raw(path):
        with atomic_write(path) as f:
            f.write(b"new")

    return {
        "atomic_write": raw,
        "save_weights": lambda path: tiny_model().save_weights(path),
        "save": lambda path: tiny_model().save(path),
    }


def open_refuses(path: Path) -> bool:
    try:
        with open(path, "r+b"):
            return False
    except PermissionError:
        return True


@pytest.mark.parametrize("how", sorted(saves()))
def test_write_protected_target_is_refused_exactly_when_open_refuses(tmp_path, how):
    path = tmp_path / "protected.keras"
    path.write_bytes(b"old")
    path.chmod(0o444)
    refused = open_refuses(path)  # False as root, who may open any file for writing
    if refused:
        with pytest.raises(PermissionError) as info:
            saves()[how](path)
        assert str(path) in str(info.value)
        assert path.read_bytes() == b"old"
    else:
        saves()[how](path)
        assert path.read_bytes() != b"old"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444  # replaced or not, the mode stays
    assert entries(tmp_path) == ["protected.keras"]


@pytest.mark.parametrize("how", sorted(saves()))
def test_refused_open_stops_the_save_before_anything_is_written(tmp_path, monkeypatch, how):
    path = tmp_path / "protected.keras"
    path.write_bytes(b"old")
    real_open = os.open
    attempts = []

    def refusing_open(file, flags, *args, **kwargs):  # what a non-root user meets on a read-only file
        if os.path.realpath(file) == os.path.realpath(path) and flags & (os.O_WRONLY | os.O_RDWR):
            attempts.append(flags)
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", refusing_open)
    with pytest.raises(PermissionError, match="cannot be opened for writing") as info:
        saves()[how](path)
    assert info.value.filename == os.fspath(path)
    assert str(path) in str(info.value)
    assert attempts and not any(flags & os.O_TRUNC for flags in attempts)  # the check never truncates
    assert path.read_bytes() == b"old"
    assert entries(tmp_path) == ["protected.keras"]  # no temporary file was even created


# ---------------------------------------------- parts left by a hard kill (defect 9)


@pytest.mark.skipif(os.name == "nt", reason="process ids of parts are only checked on POSIX")
def test_next_save_removes_parts_of_dead_writers_only(tmp_path, dead_pid):
    path = tmp_path / "model.weights.npz"
    path.write_bytes(b"old")
    dead = dead_pid  # a process id nobody has
    stale_file = f".model.weights.npz.{dead}-0123abcd.part"  # left by a writer killed with SIGKILL
    stale_folder = f".model.weights.npz.{dead}-4567cdef.part"
    busy = f".model.weights.npz.{os.getpid()}-89abcdef.part"  # a live writer may still be busy with it
    other = f".other.npz.{dead}-0123abcd.part"  # a part of another target: not this save's business
    for name in (stale_file, busy, other):
        (tmp_path / name).write_bytes(b"half")
    (tmp_path / stale_folder).mkdir()
    (tmp_path / stale_folder / "inside").write_bytes(b"half")

    tiny_model().save_weights(path)

    assert entries(tmp_path) == sorted([busy, other, "model.weights.npz"])
    assert (tmp_path / busy).read_bytes() == b"half"
    with np.load(path) as archive:
        assert "paths" in archive.files


@pytest.mark.skipif(os.name == "nt", reason="process ids of parts are only checked on POSIX")
def test_remove_stale_parts_matches_only_the_exact_part_names(tmp_path, dead_pid):
    dead = dead_pid  # a process id nobody has
    kept = [
        "a.bin",  # the target itself
        f".a.bin.{dead}-0123abcd",  # no .part
        f".a.bin.{dead}-0123ABCD.part",  # not the lowercase hex we write
        f".a.bin.{dead}-0123abc.part",  # 7 hexadecimal characters
        f".xa.bin.{dead}-0123abcd.part",  # another target
        f".a.bin.old.{dead}-0123abcd.part",  # another target (a swapped-out folder)
        f".a.bin.{os.getpid()}-0123abcd.part",  # a live process
    ]
    stale = f".a.bin.{dead}-0123abcd.part"
    for name in [*kept, stale]:
        (tmp_path / name).write_bytes(b"")
    assert remove_stale_parts(tmp_path, "a.bin") == [tmp_path / stale]
    assert entries(tmp_path) == sorted(kept)
    assert remove_stale_parts(tmp_path / "missing", "a.bin") == []


def test_temp_helpers(tmp_path):
    path, fd = new_temp_file(tmp_path, "x.bin")
    os.write(fd, b"data")
    os.close(fd)
    folder = new_temp_folder(tmp_path, "x")
    assert path.read_bytes() == b"data" and folder.is_dir()
    assert path.parent == folder.parent == tmp_path
    assert path.name.startswith(f".x.bin.{os.getpid()}-") and folder.name.startswith(f".x.{os.getpid()}-")
    other, other_fd = new_temp_file(tmp_path, "x.bin")
    os.close(other_fd)
    assert other != path  # a fresh name each time
    (folder / "sub").mkdir()
    (folder / "sub" / "f").write_bytes(b"")
    remove_path(folder)
    remove_path(path)
    remove_path(other)
    remove_path(tmp_path / "never-existed")
    assert entries(tmp_path) == []
