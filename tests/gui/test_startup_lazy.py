"""Start-up stays fast: hidden panels and plots are built on first use, and then work as before."""

import json
import os
import subprocess
import sys

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from workbench.gui.data.panel import DataPanel
from workbench.gui.main_window import PANELS
from workbench.gui.playground.panel import PlaygroundPanel
from workbench.gui.widgets.bar_chart import BarChart
from workbench.gui.widgets.curve_plot import CurvePlot

KEYS = [key for key, _ in PANELS]
LAZY_MODULES = ("pyqtgraph", "workbench.gui.widgets.curve_plot", "workbench.gui.data.panel",
                "workbench.gui.train.panel", "workbench.gui.playground.panel", "tensorflow")

# A fresh interpreter: in this one, other tests have long imported pyqtgraph.
SHOW_WINDOW = """
import json, sys
from workbench.gui.app import make_application
from workbench.gui.main_window import MainWindow
app = make_application()
window = MainWindow(load_keras=False, ask_to_save=False)
window.show()
while not (window.windowHandle() and window.windowHandle().isExposed()):
    app.processEvents()
print(json.dumps({"imported": [m for m in sys.argv[1:] if m in sys.modules],
                  "built": list(window.panels.built()),
                  "compare_plot_built": window.runs_panel._compare_plot is not None}))
window.close()
"""


def test_window_shows_without_pyqtgraph_or_hidden_panels():
    proc = subprocess.run([sys.executable, "-c", SHOW_WINDOW, *LAZY_MODULES], check=False, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    shown = json.loads(proc.stdout.strip().splitlines()[-1])
    assert shown["imported"] == [], f"imported before the window showed: {shown['imported']}"
    assert shown["built"] == ["builder"]
    assert not shown["compare_plot_built"]


def test_switching_to_a_tab_builds_its_panel_with_its_widgets(main_window):
    assert list(main_window.panels.built()) == ["builder"]
    assert main_window.findChild(CurvePlot, "lossPlot") is None
    expected = {"data": (QLineEdit, "dataSourceEdit"), "train": (CurvePlot, "lossPlot"),
                "playground": (QComboBox, "runPicker")}
    for key, (kind, name) in expected.items():
        main_window.tabs.setCurrentIndex(KEYS.index(key))
        assert main_window.panels.is_built(key)
        panel = main_window.panels[key]
        assert panel.objectName() == f"{key}Panel" and panel.isVisible()
        assert main_window.tabs.currentIndex() == KEYS.index(key)
        widget = main_window.findChild(kind, name)
        assert widget is not None and widget.isVisible(), name
    assert main_window.findChild(CurvePlot, "learningRatePlot") is not None
    assert main_window.findChild(BarChart, "probabilityChart") is not None
    train = main_window.panels["train"]
    assert train.loss_plot.epoch_points() == 0
    assert set(main_window.panels.built()) == set(KEYS)


def test_reading_a_panel_builds_it_and_it_stands_for_its_tab(main_window):
    panel = main_window.panels["train"]
    assert main_window.panels.is_built("train") and not panel.isVisible()
    assert main_window.tabs.indexOf(panel) == KEYS.index("train")
    main_window.tabs.setCurrentWidget(panel)
    assert main_window.tabs.currentIndex() == KEYS.index("train") and panel.isVisible()
    assert panel.loss_plot.objectName() == "lossPlot"


def test_requests_reach_panels_not_built_yet_exactly_once(main_window, monkeypatch):
    samples, runs = [], []
    monkeypatch.setattr(DataPanel, "show_requested_samples", lambda self, *args: samples.append(args))
    monkeypatch.setattr(PlaygroundPanel, "open_run", lambda self, run_dir: runs.append(run_dir))
    main_window.context.sample_requested.emit("synthetic:xor", "test", [1, 2])
    main_window.context.run_requested.emit("/nowhere/run")
    assert samples == [("synthetic:xor", "test", [1, 2])] and runs == ["/nowhere/run"]
    main_window.context.sample_requested.emit("synthetic:xor", "test", [3])  # now built: its own slot only
    assert samples[-1] == ("synthetic:xor", "test", [3]) and len(samples) == 2


def test_closing_builds_nothing_more(main_window):
    main_window.close()
    assert list(main_window.panels.built()) == ["builder"]


def test_other_panels_are_built_once_keras_has_loaded(qtbot, main_window):
    main_window._on_keras_loaded({"keras": "3", "backend": "tensorflow"})
    assert list(main_window.panels.built()) == ["builder"]  # not at once: one per timer tick
    qtbot.waitUntil(lambda: set(main_window.panels.built()) == set(KEYS), timeout=20_000)


def test_runs_compare_plot_replaces_its_hint_on_first_use(main_window):
    runs = main_window.runs_panel
    hint = runs.findChild(QLabel, "runsCompareHint")
    assert hint.isVisible() and runs.findChild(CurvePlot, "runsComparePlot") is None
    plot = runs.compare_plot
    assert runs.findChild(CurvePlot, "runsComparePlot") is plot and plot.isVisible() and not hint.isVisible()
    assert runs.compare_plot is plot


def test_selecting_runs_builds_the_compare_plot_in_the_hints_place(qtbot, main_window, tmp_path):
    from workbench.core.document import ExperimentDocument
    from workbench.core.training.runs import RunStore

    writer = RunStore(tmp_path).create(ExperimentDocument(name="one"))
    for epoch in (1, 2):
        writer.append_epoch(epoch, {"loss": 1 / epoch, "val_loss": 1.2 / epoch}, 0.1)
    writer.finish("finished")
    runs = main_window.runs_panel
    main_window.context.runs_dir = tmp_path
    assert runs.table.rowCount() == 1 and runs._compare_plot is None
    runs.select_runs([writer.run_id])
    plot = runs.findChild(CurvePlot, "runsComparePlot")
    assert plot is not None and plot.isVisible() and plot.overlay_count() == 2
    assert not runs.findChild(QLabel, "runsCompareHint").isVisible()
