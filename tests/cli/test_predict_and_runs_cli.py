"""Everything the Playground predicts and the Runs panel changes, from the command line."""

from __future__ import annotations

import json

import numpy as np
from playground_runs import make_image_run, make_points_run, make_table_run, make_text_run

from workbench.cli import main
from workbench.core.training.runs import RunStore


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_predict_a_point_a_row_and_an_image_file(tmp_path, capsys):
    points, table, image = make_points_run(tmp_path), make_table_run(tmp_path), make_image_run(tmp_path)
    assert main(["predict", points.name, "--point=-0.1,0.2", "--runs", str(tmp_path), "--json"]) == 0
    out = last_json(capsys)
    assert set(out["probabilities"]) == {"outer", "inner"} and out["label"] in ("outer", "inner")
    row = '{"age": 22, "sex": "female"}'
    assert main(["predict", table.name, "--row", row, "--runs", str(tmp_path), "--json"]) == 0
    assert set(last_json(capsys)["probabilities"]) == {"died", "survived"}
    digit = np.full((40, 30), 255, np.uint8)
    digit[8:32, 12:17] = 0  # a dark "1" on white paper: inverted and centred like a drawing
    path = tmp_path / "one.pgm"
    path.write_bytes(b"P5\n30 40\n255\n" + digit.tobytes())
    assert main(["predict", image.name, "--image", str(path), "--runs", str(tmp_path), "--json"]) == 0
    out = last_json(capsys)
    assert len(out["probabilities"]) == 10 and abs(sum(out["probabilities"].values()) - 1) < 1e-4


def test_predict_refuses_inputs_the_run_cannot_take(tmp_path, capsys):
    text, points = make_text_run(tmp_path), make_points_run(tmp_path)
    for args, expected in (([points.name, "--point", "1"], "--point must be two numbers X,Y"),
                           ([points.name, "--row", "[1, 2]"], "--row must be a JSON object"),
                           ([text.name, "--point", "1,2"], "2-D points"),
                           ([text.name, "--image", str(tmp_path / "none.png")], "image")):
        code = main(["predict", *args, "--runs", str(tmp_path)])
        err = capsys.readouterr().err
        assert code == 1 and expected in err and "Traceback" not in err, (args, err)


def test_runs_rename_note_and_delete(tmp_path, capsys):
    run = make_points_run(tmp_path)
    assert main(["runs", "--rename", run.name, "circles, first try", "--runs", str(tmp_path)]) == 0
    assert main(["runs", "--note", run.name, "lr too high?", "--runs", str(tmp_path), "--json"]) == 0
    record = RunStore(tmp_path).open_run(run.name)
    assert record.name == "circles, first try" and record.info["note"] == "lr too high?"
    capsys.readouterr()
    assert main(["runs", "--delete", "..", "--runs", str(tmp_path)]) == 1
    assert "Traceback" not in capsys.readouterr().err and run.exists()
    assert main(["runs", "--delete", run.name, "--runs", str(tmp_path)]) == 0
    assert not run.exists()
