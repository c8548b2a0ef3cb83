"""Commands that write a file report a bad target in one line naming it (never a temp file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import EXIT_ERROR, main
from workbench.core.design.templates import load_template
from workbench.core.document import save_document


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and ".tmp" not in err and "unexpected" not in err
    return lines[0]


def test_export_onto_a_folder_says_it_is_a_folder(tmp_path, capsys):
    experiment = tmp_path / "experiment.kwb.json"
    save_document(load_template("imdb-dense"), experiment)
    folder = tmp_path / "scripts"
    folder.mkdir()
    assert main(["export", str(experiment), "--python", str(folder)]) == EXIT_ERROR
    assert one_error_line(capsys) == f"error: {folder}: is a folder; give a file name."


def test_new_into_a_folder_that_cannot_exist_names_the_target(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    target = blocker / "x.kwb.json"
    assert main(["new", "imdb-dense", "-o", str(target)]) == EXIT_ERROR
    line = one_error_line(capsys)
    assert line.startswith(f"error: {target}: the folder {blocker} does not exist or cannot be written")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_new_into_proc_names_the_target(capsys):
    assert main(["new", "imdb-dense", "-o", "/proc/x.kwb.json"]) == EXIT_ERROR
    assert one_error_line(capsys).startswith("error: /proc/x.kwb.json: ")
