"""Atomic writes keep the usual file modes and name the target file, never the temp file, in errors."""

from __future__ import annotations

import os
import stat

import pytest

from workbench.core.errors import StorageError, WorkbenchError
from workbench.core.storage import atomic_write_bytes, atomic_write_text


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path, umask_022):
    target = tmp_path / "experiment.kwb.json"
    atomic_write_text(target, "{}")
    assert mode(target) == 0o644


def test_replacing_a_file_keeps_its_mode(tmp_path, umask_022):
    target = tmp_path / "shared.kwb.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and mode(target) == 0o640


def test_writing_onto_a_folder_names_the_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(StorageError) as info:
        atomic_write_bytes(folder, b"x")
    assert str(info.value) == f"{folder}: is a folder; give a file name."
    assert list(folder.iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_folder_that_cannot_exist_names_the_target(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    target = blocker / "x.kwb.json"
    with pytest.raises(WorkbenchError) as info:
        atomic_write_bytes(target, b"x")
    message = str(info.value)
    assert message.startswith(f"{target}: the folder {blocker} does not exist or cannot be written")
    assert ".tmp" not in message


def test_storage_errors_are_still_os_errors_for_existing_callers(tmp_path):
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path, b"x")


def test_a_failed_write_names_the_target_and_leaves_no_temp_file(tmp_path, monkeypatch):
    def full_disk(src, dst):
        raise OSError(28, "No space left on device", str(src))

    monkeypatch.setattr(os, "replace", full_disk)
    target = tmp_path / "run.json"
    with pytest.raises(StorageError) as info:
        atomic_write_text(target, "{}")
    assert str(info.value).startswith(f"{target}: cannot be written (No space left on device)")
    assert ".tmp" not in str(info.value) and list(tmp_path.iterdir()) == []
