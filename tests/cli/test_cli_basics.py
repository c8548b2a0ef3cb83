"""Command-line basics: help, version, templates, new, exit codes and one-line errors."""

import json

import pytest

import workbench
from workbench.cli import EXIT_ERROR, EXIT_NOT_AVAILABLE, main
from workbench.core.document import load_document


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert workbench.__version__ in capsys.readouterr().out


@pytest.mark.parametrize("command", ["templates", "new", "summary", "export", "datasets", "train", "runs",
                                     "predict", "generate", "sweep", "selftest", "install-desktop",
                                     "import-model"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: keras-workbench " + command in capsys.readouterr().out


def test_data_show_has_help(capsys):
    with pytest.raises(SystemExit):
        main(["data", "show", "--help"])
    assert "--index" in capsys.readouterr().out


def test_templates_json_lists_ids_with_descriptions(capsys):
    assert main(["templates", "--json"]) == 0
    templates = json.loads(capsys.readouterr().out)
    ids = [t["id"] for t in templates]
    assert "imdb-dense" in ids
    assert all(t["description"] for t in templates)


def test_new_writes_a_loadable_document_with_data_override(tmp_path, capsys):
    out = tmp_path / "exp.kwb.json"
    assert main(["new", "imdb-dense", "-o", str(out), "--data", "synthetic:xor"]) == 0
    doc = load_document(out)
    assert doc.template == "imdb-dense"
    assert doc.data.source == "synthetic:xor"


def test_new_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "exp.kwb.json"
    out.write_text("my work")
    assert main(["new", "imdb-dense", "-o", str(out)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "already exists" in err and "Traceback" not in err
    assert out.read_text() == "my work"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["new", "no-such-template", "-o", "x.json"], 'unknown template "no-such-template"; available:'),
        (["new", "imdb-dense", "-o", "x.json", "--data", "keras:imagenet"], 'unknown Keras dataset "imagenet"'),
        (["summary", "missing.kwb.json"], "missing.kwb.json: no such file."),
        (["summary", "."], ".: is a folder; open an experiment file (*.kwb.json) instead."),
    ],
)
def test_errors_are_one_line_on_stderr(argv, expected, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == EXIT_ERROR
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert expected in lines[0]
    assert "Traceback" not in captured.err


def test_broken_file_is_reported_not_traced(tmp_path, capsys):
    bad = tmp_path / "bad.kwb.json"
    bad.write_bytes(b'{"format": "keras-workbench.experiment", "version": 1, "training": {"epochs": 0}}')
    assert main(["summary", str(bad)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "training.epochs: must be at least 1, got 0" in err


def test_debug_shows_the_traceback(tmp_path):
    from workbench.core.errors import WorkbenchError

    with pytest.raises(WorkbenchError, match="missing.kwb.json"):
        main(["--debug", "summary", str(tmp_path / "missing.kwb.json")])


def test_unknown_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["templates", "--nope"])
    assert info.value.code == 2


@pytest.mark.parametrize(("argv", "expected"), [(["exp.kwb.json"], "exp.kwb.json"), ([], None),
                                                  (["--debug"], None)])
def test_no_command_opens_the_window_with_the_file(argv, expected, monkeypatch):
    opened = []
    monkeypatch.setattr("workbench.gui.app.run_app", lambda file=None: opened.append(file) or 0)
    assert main(argv) == 0
    assert opened == [expected]


def test_not_available_yet_has_its_own_exit_code(capsys, monkeypatch):
    from workbench.core.errors import NotAvailableYet

    def missing(args):
        raise NotAvailableYet("this command is not available yet in this version.")

    monkeypatch.setattr("workbench.cli.cmd_templates", missing)
    from workbench import cli

    parser = cli.build_parser()
    for action in parser._actions:
        if hasattr(action, "choices") and action.choices and "templates" in action.choices:
            action.choices["templates"].set_defaults(handler=missing)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    assert cli.main(["templates"]) == EXIT_NOT_AVAILABLE
    assert "not available yet" in capsys.readouterr().err
