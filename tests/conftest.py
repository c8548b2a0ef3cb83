"""Shared fixtures: every test runs with user folders, QSettings and KERAS_HOME in a temp dir."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Point platformdirs (XDG), QSettings and KERAS_HOME at a fresh temp folder."""
    root = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_CONFIG_HOME", "config"), ("KERAS_HOME", "keras")):
        (root / sub).mkdir()
        monkeypatch.setenv(var, str(root / sub))
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.delenv("WORKBENCH_DATA_DIR", raising=False)
    monkeypatch.delenv("WORKBENCH_CACHE_DIR", raising=False)
    yield root


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Fail a test that leaves a Python thread running (QThreads are checked by the pool)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    assert not leaked, f"test left threads running: {leaked}"


@pytest.fixture
def shared_datasets() -> Path:
    """The real datasets beside the checkout; skips when they are absent."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATASETS} (see shared/datasets/SOURCES.md)")
    return SHARED_DATASETS


@pytest.fixture
def main_window(qtbot):
    """The real main window as at a first start (Builder tab, default size), offscreen, without
    Keras loading and without modal questions."""
    from PySide6.QtCore import QSettings

    from workbench.gui.main_window import MainWindow

    # QSettings keeps its folder for the whole process, so another test's last tab would leak in.
    QSettings().remove("window")
    window = MainWindow(load_keras=False, ask_to_save=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
