"""`keras-workbench train / runs / sweep` on tiny synthetic data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from workbench.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from training_shims import use_pipeline


@pytest.fixture
def experiment(tmp_path, monkeypatch):
    use_pipeline(monkeypatch)
    from workbench.core.design.templates import load_template
    from workbench.core.document import save_document

    document = load_template("circles-mlp")
    document.data.source = "synthetic:circles?n=200"
    path = tmp_path / "circles.kwb.json"
    save_document(document, path)
    return path


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_train_json_prints_epochs_then_the_result_and_runs_lists_it(experiment, tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", str(experiment), "--epochs", "2", "--runs", str(runs), "--json"]) == 0
    lines = json_lines(capsys.readouterr().out)
    assert [line["event"] for line in lines] == ["epoch", "epoch", "result"]
    assert [line["epoch"] for line in lines[:2]] == [1, 2]
    result = lines[-1]
    for key in ("run_id", "run_dir", "status", "epochs_completed", "history", "test_metrics", "baseline",
                "epoch_seconds"):
        assert key in result
    assert result["status"] == "finished" and result["epochs_completed"] == 2
    assert len(result["history"]["loss"]) == 2 and len(result["epoch_seconds"]) == 2
    assert Path(result["run_dir"]).parent == runs

    assert main(["runs", "--runs", str(runs), "--json"]) == 0
    listed = json_lines(capsys.readouterr().out)[0]
    assert [row["run_id"] for row in listed] == [result["run_id"]]
    assert listed[0]["status"] == "finished" and listed[0]["epochs_completed"] == 2

    assert main(["runs", "--runs", str(runs)]) == 0
    assert result["run_id"] in capsys.readouterr().out


def test_train_mismatch_is_one_clear_line(experiment, tmp_path, capsys):
    raw = json.loads(experiment.read_text())
    raw["model"]["input_shape"] = [5]
    experiment.write_text(json.dumps(raw))
    assert main(["train", str(experiment), "--runs", str(tmp_path / "runs"), "--json"]) == 1
    err = capsys.readouterr().err
    assert "expects inputs of shape (5,)" in err and "Traceback" not in err
    assert main(["train", str(experiment), "--epochs", "0", "--runs", str(tmp_path / "runs")]) == 1
    assert "--epochs must be at least 1" in capsys.readouterr().err


def test_sweep_json_prints_one_line_per_trial_and_a_ranking(experiment, tmp_path, capsys):
    runs = tmp_path / "runs"
    code = main(["sweep", str(experiment), "--grid", "hidden_units=4,8", "--epochs", "1", "--runs", str(runs),
                 "--json"])
    assert code == 0
    lines = json_lines(capsys.readouterr().out)
    assert [line["event"] for line in lines] == ["trial", "trial", "ranking"]
    assert [line["params"] for line in lines[:2]] == [{"hidden_units": 4}, {"hidden_units": 8}]
    assert {row["run_id"] for row in lines[-1]["ranking"]} == {lines[0]["run_id"], lines[1]["run_id"]}
    assert main(["sweep", str(experiment), "--grid", "colour=red", "--runs", str(runs)]) == 1
    assert 'unknown sweep dimension "colour"' in capsys.readouterr().err
