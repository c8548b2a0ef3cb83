"""The window's "Import from file…" and "Open model…" are scriptable too."""

import json

import numpy as np

from workbench import cli
from workbench.core.design.build import build_model
from workbench.core.design.summary import summarize
from workbench.core.design.templates import load_template
from workbench.core.document import load_document


def test_import_model_writes_an_experiment_with_the_same_layers(tmp_path, capsys):
    source = load_template("mnist-dense")
    model_path = tmp_path / "dense.keras"
    build_model(source).save(model_path)
    out = tmp_path / "imported.kwb.json"
    assert cli.main(["import-model", str(model_path), "-o", str(out), "--data", "keras:mnist"]) == 0
    document = load_document(out)
    assert document.data.source == "keras:mnist"
    assert summarize(document).total_params == summarize(source).total_params
    assert "2 layers" in capsys.readouterr().err


def test_import_model_refuses_a_broken_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"not a zip")
    out = tmp_path / "x.kwb.json"
    assert cli.main(["import-model", str(bad), "-o", str(out)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "broken.keras" in err[0]
    assert not out.exists()


def test_data_import_refuses_an_unknown_file_and_names_it(tmp_path, capsys):
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros(3))
    assert cli.main(["data", "import", str(path), "--json"]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "data.npz" in err and "Traceback" not in err


def test_data_import_reports_the_checksum_of_a_wrong_file(tmp_path, capsys):
    folder = tmp_path / "download"
    folder.mkdir()
    path = folder / "imdb_word_index.json"
    path.write_text(json.dumps({"the": 1}))
    assert cli.main(["data", "import", str(path)]) == cli.EXIT_ERROR
    assert "imdb_word_index.json" in capsys.readouterr().err
