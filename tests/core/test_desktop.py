"""Linux desktop integration (install-desktop) and starting with an unwritable home."""

import configparser
import fnmatch
import os
import shutil
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core import desktop, paths
from workbench.core.document import FILE_SUFFIX
from workbench.core.errors import WorkbenchError
from workbench.core.resources import resource

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _read_desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


@pytest.fixture
def no_refresh_tools(monkeypatch):
    """Hide update-desktop-database/update-mime-database so tests never touch a real cache."""
    real_which = shutil.which
    monkeypatch.setattr(desktop.shutil, "which",
                        lambda name, *a, **k: None if name.startswith("update-") else real_which(name, *a, **k))


def test_install_desktop_writes_entry_icon_and_mime_type(tmp_path, no_refresh_tools):
    lines = desktop.install_desktop(prefix=tmp_path)

    entry_path = tmp_path / "applications" / "keras-workbench.desktop"
    entry = _read_desktop_entry(entry_path)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Keras Workbench"
    assert entry["Exec"] == "keras-workbench %f"
    assert entry["Icon"] == "keras-workbench"
    assert entry["Terminal"] == "false"
    assert entry["MimeType"].split(";")[0] == "application/x-keras-workbench-experiment"
    assert entry["MimeType"].endswith(";") and entry["Categories"].endswith(";")

    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "keras-workbench.svg"
    assert icon.read_bytes() == resource("icons", "keras-workbench.svg").read_bytes()
    assert ET.fromstring(icon.read_bytes()).tag.endswith("svg")
    mime_icon = (tmp_path / "icons" / "hicolor" / "scalable" / "mimetypes"
                 / "application-x-keras-workbench-experiment.svg")
    assert mime_icon.read_bytes() == icon.read_bytes()

    package = ET.parse(tmp_path / "mime" / "packages" / "keras-workbench.xml").getroot()
    assert package.tag == MIME_NS + "mime-info"
    (mime_type,) = package.findall(MIME_NS + "mime-type")
    assert mime_type.get("type") == "application/x-keras-workbench-experiment"
    (glob,) = mime_type.findall(MIME_NS + "glob")
    assert fnmatch.fnmatch("my-model" + FILE_SUFFIX, glob.get("pattern"))
    assert not fnmatch.fnmatch("data.json", glob.get("pattern"))
    assert int(glob.get("weight")) > 50  # beats the plain *.json glob
    assert mime_type.find(MIME_NS + "sub-class-of").get("type") == "application/json"

    assert [line for line in lines if line.startswith("Wrote ")] == [
        f"Wrote {entry_path}", f"Wrote {icon}", f"Wrote {mime_icon}",
        f"Wrote {tmp_path / 'mime' / 'packages' / 'keras-workbench.xml'}",
    ]
    assert any(line.startswith("Skipped update-mime-database") for line in lines)
    assert any(line.startswith("Skipped update-desktop-database") for line in lines)


def test_install_desktop_defaults_to_xdg_data_home(tmp_path, monkeypatch, no_refresh_tools):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "platform", "linux")
    desktop.install_desktop()
    assert (tmp_path / "xdg" / "applications" / "keras-workbench.desktop").is_file()


def test_install_desktop_runs_cache_tools_only_when_present(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    tool = bin_dir / "update-mime-database"
    tool.write_text(f'#!/bin/sh\necho "update-mime-database $@" >> "{calls}"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))  # update-desktop-database is absent from this PATH

    lines = desktop.install_desktop(prefix=tmp_path / "share")

    assert calls.read_text().split() == ["update-mime-database", str(tmp_path / "share" / "mime")]
    assert f"Ran update-mime-database {tmp_path / 'share' / 'mime'}" in lines
    assert any(line.startswith("Skipped update-desktop-database") for line in lines)


def test_a_failing_cache_tool_is_a_warning_not_an_error(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "update-desktop-database"
    tool.write_text("#!/bin/sh\necho broken cache >&2\nexit 1\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))

    lines = desktop.install_desktop(prefix=tmp_path / "share")

    assert any(line.startswith("Warning: update-desktop-database failed (broken cache)") for line in lines)
    assert (tmp_path / "share" / "applications" / "keras-workbench.desktop").is_file()


def test_frozen_bundle_launches_itself_by_absolute_quoted_path(tmp_path, monkeypatch, no_refresh_tools):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/Keras Workbench 100%/KerasWorkbench")
    desktop.install_desktop(prefix=tmp_path)
    entry = _read_desktop_entry(tmp_path / "applications" / "keras-workbench.desktop")
    assert entry["Exec"] == '"/opt/Keras Workbench 100%%/KerasWorkbench" %f'


def test_unwritable_prefix_is_a_clear_error(tmp_path, no_refresh_tools):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file")
    with pytest.raises(WorkbenchError, match="cannot write .*not-a-folder.*--prefix"):
        desktop.install_desktop(prefix=blocker / "share")


def test_cli_install_desktop_prints_what_it_wrote(tmp_path, capsys, no_refresh_tools):
    assert main(["install-desktop", "--prefix", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote {tmp_path / 'applications' / 'keras-workbench.desktop'}" in out
    assert (tmp_path / "mime" / "packages" / "keras-workbench.xml").is_file()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None or shutil.which("update-mime-database") is None,
                    reason="needs desktop-file-utils and shared-mime-info")
def test_real_freedesktop_tools_accept_the_files(tmp_path):
    import subprocess

    lines = desktop.install_desktop(prefix=tmp_path)
    entry = tmp_path / "applications" / "keras-workbench.desktop"
    check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False)
    assert check.returncode == 0 and "error" not in check.stdout, check.stdout
    assert f"Ran update-mime-database {tmp_path / 'mime'}" in lines
    globs = (tmp_path / "mime" / "globs2").read_text()
    assert f"60:application/x-keras-workbench-experiment:*{FILE_SUFFIX}" in globs.splitlines()


# --------------------------------------------------------------------------- unwritable home


@pytest.fixture
def fresh_fallbacks(monkeypatch):
    """A clean fallback registry; removes the temp folders the test made."""
    monkeypatch.setattr(paths, "_fallbacks", {})
    yield paths._fallbacks
    for temp in list(paths._fallbacks.values()):
        shutil.rmtree(temp, ignore_errors=True)


def test_unwritable_data_dir_falls_back_to_a_temp_folder_with_a_note(tmp_path, monkeypatch, fresh_fallbacks):
    # Tests run as root, for whom chmod does not stop mkdir; a path below a regular file always fails.
    blocker = tmp_path / "home-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "share"))
    wanted = blocker / "share" / paths.APP_NAME

    data = paths.data_dir()
    runs = paths.runs_dir()

    assert data != wanted and data.is_dir()
    assert os.access(data, os.W_OK)
    assert runs.parent == data and runs.is_dir()  # runs go below the fallback, not lost
    (runs / "probe.txt").write_text("saved")  # the session can really write there
    notes = paths.fallback_notes()
    assert notes == [(f"Cannot write to {wanted}; using {data} for this session "
                      "(files there are lost on exit).")]
    assert paths.data_dir() == data  # one fallback per session, not a new folder per call


def test_writable_data_dir_has_no_fallback_note(fresh_fallbacks):
    data = paths.data_dir()
    assert data.name == paths.APP_NAME
    assert paths.fallback_notes() == []
