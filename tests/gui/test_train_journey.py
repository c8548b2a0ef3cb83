"""`selftest --journey train` drives the real window end to end (slow: a real TensorFlow training)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_train_journey_on_synthetic_circles(tmp_path):
    shots = tmp_path / "shots"
    command = [sys.executable, "-m", "workbench", "selftest", "--journey", "train", "--template", "circles-mlp",
               "--data", "synthetic:circles", "--epochs", "2", "--screenshots", str(shots),
               "--runs", str(tmp_path / "runs"), "--json"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=540, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], result
    assert [step["step"] for step in result["steps"]] == ["template", "data", "settings", "train"]
    assert result["epochs_plotted"] == 2 and result["metric_plots"] == {"accuracy": 2}
    assert set(result["final_metrics"]) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert result["test_metrics"]["accuracy"] > 0
    names = {os.path.basename(path) for path in result["screenshots"]}
    assert {"train-1-template.png", "train-2-data.png", "train-4-finished.png"} <= names
    assert all(os.path.getsize(path) > 0 for path in result["screenshots"])
