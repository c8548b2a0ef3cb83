"""`keras-workbench summary` and `export` over experiment files."""

from __future__ import annotations

import json
import runpy

from workbench.cli import main
from workbench.core.design.templates import load_template
from workbench.core.document import LayerEntry, save_document


def write(tmp_path, template="imdb-dense", change=None):
    document = load_template(template)
    if change:
        change(document)
    path = tmp_path / "experiment.kwb.json"
    save_document(document, path)
    return path


def test_summary_json(tmp_path, capsys):
    assert main(["summary", str(write(tmp_path)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [layer["name"] for layer in out["layers"]] == ["dense", "dense_1", "dense_2"]
    assert out["layers"][0] == {"name": "dense", "type": "Dense", "output_shape": [None, 16], "params": 160016,
                                "trainable_params": 160016, "error": None}
    assert out["total_params"] == 160305 and out["trainable_params"] == 160305
    assert out["errors"] == [] and out["warnings"] == []


def test_summary_table(tmp_path, capsys):
    assert main(["summary", str(write(tmp_path, "mnist-convnet"))]) == 0
    out = capsys.readouterr().out
    assert "conv2d (Conv2D)" in out and "(None, 26, 26, 32)" in out and "Total params: 34,826" in out


def test_summary_of_impossible_design_fails_with_first_error(tmp_path, capsys):
    def break_it(document):
        document.model.layers.insert(1, LayerEntry("Conv2D", {"filters": 8}))

    assert main(["summary", str(write(tmp_path, change=break_it)), "--json"]) == 1
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["errors"][0]["layer_index"] == 1
    assert captured.err.strip().startswith("error: layer 2 (Conv2D): Conv2D expects an image")


def test_summary_warnings_do_not_fail(tmp_path, capsys):
    def regression_loss(document):
        document.compile.loss = "mse"

    assert main(["summary", str(write(tmp_path, change=regression_loss)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "regression loss" in out["warnings"][0]["message"]


def test_summary_of_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "bad.kwb.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["summary", str(bad)]) == 1
    assert "is not valid JSON" in capsys.readouterr().err


def test_export_python(tmp_path, capsys):
    out_py = tmp_path / "model.py"
    assert main(["export", str(write(tmp_path, "imdb-conv1d")), "--python", str(out_py)]) == 0
    assert f"Wrote {out_py}" in capsys.readouterr().err
    namespace = runpy.run_path(str(out_py), run_name="exported")
    assert namespace["build_model"]().count_params() == 1_315_937


def test_export_of_impossible_design_fails(tmp_path, capsys):
    def break_it(document):
        document.model.layers.insert(0, LayerEntry("LSTM", {"units": 8}))

    out_py = tmp_path / "model.py"
    assert main(["export", str(write(tmp_path, change=break_it)), "--python", str(out_py)]) == 1
    assert "cannot export" in capsys.readouterr().err
    assert not out_py.exists()
