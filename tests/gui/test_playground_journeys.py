"""``selftest --journey playground|generate`` drive the real window and report what the widgets show."""

from __future__ import annotations

import argparse

import pytest
from playground_runs import make_char_run, make_image_run, make_text_run


def journey_args(tmp_path, **values):
    base = {"screenshots": str(tmp_path / "shots"), "json": True, "journey": None, "template": None,
            "data": None, "epochs": 1, "run": None, "text": None, "temperatures": "0.2,1.0", "length": 30,
            "runs": str(tmp_path / "runs")}
    base.update(values)
    return argparse.Namespace(**base)


@pytest.mark.slow
def test_playground_and_generate_journeys(tmp_path, qapp):
    from workbench.gui.selftest import run_selftest

    text_run = make_text_run(tmp_path / "runs")
    char_run = make_char_run(tmp_path / "runs", maxlen=20)
    image_run = make_image_run(tmp_path / "runs")

    result = run_selftest(journey_args(tmp_path, journey="playground", run=text_run.name,
                                       text="a great movie"))
    assert result["ok"], result
    assert result["label"] == "positive" and result["shown_label"].startswith("positive")
    assert {"word": "great", "state": "known"} in result["tokens"]
    assert (tmp_path / "shots" / "journey-playground.png").is_file()

    result = run_selftest(journey_args(tmp_path, journey="generate", run=char_run.name, length=40))
    assert result["ok"], result
    assert result["temperatures"] == [0.2, 1.0] and [len(t) for t in result["texts"]] == [40, 40]

    result = run_selftest(journey_args(tmp_path, journey="generate", run=image_run.name))
    assert not result["ok"] and "not a character-level model" in result["error"]
