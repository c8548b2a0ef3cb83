"""`keras-workbench selftest`: the real window in a fresh process, before TensorFlow."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_selftest_shows_the_window_before_tensorflow_and_shoots_every_panel(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    shots = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "selftest", "--screenshots", str(shots), "--json"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is True
    assert report["tensorflow_imported_before_window"] is False
    assert 0 < report["window_shown_s"] < report["keras_ready_s"]
    assert report["panels"] == ["builder", "data", "train", "playground"]
    assert report["backend"] == "tensorflow"
    for name in report["panels"]:
        png = shots / f"{name}.png"
        assert png.stat().st_size > 1000 and png.read_bytes()[:4] == b"\x89PNG"
