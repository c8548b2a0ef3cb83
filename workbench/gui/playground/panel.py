"""The Playground panel: a finished run meets new input (text, drawings, rows, points, seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.gui.context import AppContext
from workbench.gui.playground import jobs
from workbench.gui.playground.char_page import CharPage
from workbench.gui.playground.pages import EmptyPage, ImagePage, PointsPage, TablePage, TextPage
from workbench.gui.widgets.bar_chart import BarChart
from workbench.gui.workers import Worker

MESSAGE_STYLES = {
    "error": "color: #b00020; background: #fdecea; padding: 4px; border-radius: 3px;",
    "info": "color: #333; background: #eef3fb; padding: 4px; border-radius: 3px;",
}
PAGE_FOR_KIND = {"text": "text", "image": "image", "table": "table", "points": "points", "corpus": "char"}


class PlaygroundPanel(QWidget):
    """Pick a finished run; the input page fits its data. Every computation runs in a Worker.

    Signals: ``run_loaded(kind)`` once a run's model is ready, ``prediction_shown(dict)`` after
    each prediction is displayed (used by tests and selftest journeys).
    """

    run_loaded = Signal(str)
    prediction_shown = Signal(dict)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.loaded: Any = None
        self.current_path: str | None = None
        self._load_worker: Worker | None = None
        self.last_prediction: dict | None = None
        # Which page and run the latest prediction request was made for; results for any other are stale.
        self._prediction_for: tuple[str, Any] | None = None

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Run:"))
        self.run_picker = QComboBox()
        self.run_picker.setObjectName("runPicker")
        self.run_picker.setMinimumWidth(360)
        self.run_picker.setToolTip("Finished runs can be tried here; runs still training are refused.")
        top.addWidget(self.run_picker, 1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshRunsButton")
        self.refresh_button.clicked.connect(self.refresh_runs)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.run_info = QLabel("")
        self.run_info.setObjectName("runInfo")
        self.run_info.setWordWrap(True)
        layout.addWidget(self.run_info)
        self.message = QLabel("")
        self.message.setObjectName("playgroundMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.pages = QStackedWidget()
        self.pages.setObjectName("playgroundPages")
        self.page_widgets: dict[str, QWidget] = {
            "empty": EmptyPage("Choose a finished run above to try it on your own input.\n\n"
                               "Text classifiers get a text box, image classifiers a canvas to draw on, "
                               "tables a form, 2-D sets their decision boundary, and character models "
                               "generate text."),
            "text": TextPage(self),
            "image": ImagePage(self),
            "table": TablePage(self),
            "points": PointsPage(self),
            "char": CharPage(self),
        }
        for page in self.page_widgets.values():
            self.pages.addWidget(page)
        self.splitter.addWidget(self.pages)
        self.result_box = QWidget()
        result_layout = QVBoxLayout(self.result_box)
        result_layout.setContentsMargins(0, 0, 0, 0)
        self.prediction_label = QLabel("")
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        result_layout.addWidget(self.prediction_label)
        self.chart = BarChart("Class probabilities")
        self.chart.setObjectName("probabilityChart")
        result_layout.addWidget(self.chart, 1)
        self.splitter.addWidget(self.result_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)
        self.result_box.hide()

        self.runner = jobs.LatestRunner(context.pool, self)
        self.runner.result.connect(self._on_prediction)
        self.runner.error.connect(lambda message: self.show_message(message, "error"))

        self.run_picker.currentIndexChanged.connect(self._on_run_picked)
        context.runs_changed.connect(self.refresh_runs)
        context.run_requested.connect(self.open_run)
        self.refresh_runs()

    # ------------------------------------------------------------------ messages

    def show_message(self, text: str, level: str = "error") -> None:
        """An inline message above the pages (never a dialog); empty text hides it."""
        self.message.setText(text)
        self.message.setProperty("level", level)
        self.message.setStyleSheet(MESSAGE_STYLES.get(level, MESSAGE_STYLES["info"]))
        self.message.setVisible(bool(text))

    @property
    def message_text(self) -> str:
        return self.message.text() if self.message.isVisible() else ""

    # ------------------------------------------------------------------ runs

    def refresh_runs(self) -> None:
        from workbench.core.training.runs import RunStore

        problem = ""
        try:
            records = RunStore(self.context.runs_dir).list_runs()
        except (OSError, WorkbenchError) as exc:
            records = []
            problem = f"Cannot list runs in {self.context.runs_dir}: {exc}"
        self.run_picker.blockSignals(True)
        self.run_picker.clear()
        self.run_picker.addItem("Choose a run…", None)
        keep = 0
        for record in records:
            kind = ((record.info.get("data") or {}).get("kind")) or "?"
            self.run_picker.addItem(f"{record.name}  ·  {record.status}  ·  {kind}  ·  {record.run_id}",
                                    str(record.path))
            if self.current_path and Path(self.current_path) == Path(record.path):
                keep = self.run_picker.count() - 1
        self.run_picker.setCurrentIndex(keep)
        self.run_picker.blockSignals(False)
        if self.current_path and keep == 0:
            # The open run was deleted (or can no longer be listed): do not keep showing it.
            self._on_run_picked(0)
        if problem:
            self.show_message(problem, "error")

    def open_run(self, run_dir: str) -> None:
        """Select (and load) the run in ``run_dir``, e.g. from the Runs panel."""
        index = self._index_of(run_dir)
        if index < 0:
            self.refresh_runs()
            index = self._index_of(run_dir)
        if index < 0:
            self.show_message(f"{run_dir}: not a run in {self.context.runs_dir}.", "error")
            return
        if index == self.run_picker.currentIndex():
            self._on_run_picked(index)
        else:
            self.run_picker.setCurrentIndex(index)

    def _index_of(self, run_dir: str) -> int:
        for i in range(1, self.run_picker.count()):
            if Path(self.run_picker.itemData(i)) == Path(run_dir):
                return i
        return -1

    def _on_run_picked(self, index: int) -> None:
        path = self.run_picker.itemData(index)
        self.runner.cancel()
        for page in self.page_widgets.values():
            page.reset()
        self.loaded = None
        self.current_path = path
        self.clear_prediction()
        self._show_page("empty")
        if not path:
            self.run_info.setText("")
            self.show_message("", "info")
            return
        from workbench.core.training.prediction import check_usable, open_run

        try:
            record = open_run(path)
            check_usable(record)
        except WorkbenchError as exc:
            self.run_info.setText("")
            self.show_message(str(exc), "error")
            return
        self.run_info.setText(f"{record.name} — {record.status}, {record.epochs_completed} epoch(s), "
                              f"data {record.data_source or '?'}")
        self.show_message("Loading the model…", "info")
        worker = Worker(jobs.load_run_task, path, name="playground-load")
        worker.finished.connect(self._on_run_loaded)
        worker.failed.connect(self._on_run_failed)
        self._load_worker = worker
        self.context.pool.start(worker)

    def _on_run_loaded(self, payload: dict) -> None:
        if self.sender() is not self._load_worker:
            return
        self._load_worker = None
        loaded = payload["loaded"]
        if str(Path(loaded.record.path)) != str(Path(self.current_path or "")):
            return
        self.loaded = loaded
        page = PAGE_FOR_KIND.get(loaded.kind)
        if page is None:
            self.show_message(f"The Playground cannot use {loaded.kind or 'this kind of'} data yet.", "error")
            return
        self.show_message("", "info")
        self._show_page(page)
        self.page_widgets[page].set_run(payload)
        self.run_loaded.emit(loaded.kind)

    def _on_run_failed(self, message: str) -> None:
        if self.sender() is not self._load_worker:
            return
        self._load_worker = None
        self.show_message(message, "error")

    def _show_page(self, key: str) -> None:
        self.pages.setCurrentWidget(self.page_widgets[key])
        self.result_box.setVisible(key in ("text", "image", "table"))

    @property
    def current_page(self) -> str:
        current = self.pages.currentWidget()
        return next(k for k, w in self.page_widgets.items() if w is current)

    # ------------------------------------------------------------------ predictions

    def request_prediction(self, fn, *args: Any) -> None:
        self._prediction_for = (self.current_page, self.loaded)
        self.runner.request(fn, *args)

    def clear_prediction(self) -> None:
        self.last_prediction = None
        self.prediction_label.setText("")
        self.chart.clear_bars()

    def _on_prediction(self, outcome: dict) -> None:
        owner = self._prediction_for
        if self.loaded is None or owner is None or owner[0] != self.current_page or owner[1] is not self.loaded:
            return  # requested for a run or page that is no longer shown
        page = self.pages.currentWidget()
        if self.current_page == "points":
            self.show_message("", "info")
            page.show_result(outcome)
            self.prediction_shown.emit({"grid": True})
            return
        page.show_result(outcome)
        if "error" in outcome:
            self.clear_prediction()
            self.show_message(outcome["error"], "error")
            self.last_prediction = outcome
            self.prediction_shown.emit(outcome)
            return
        result = outcome["result"]
        self.show_message("", "info")
        self.last_prediction = result
        probabilities = result.get("probabilities") or {}
        if result.get("label") is None and "value" in result:
            self.prediction_label.setText(f"Predicted value: {result['value']:.4g}")
            self.chart.clear_bars()
        else:
            best = probabilities.get(result["label"], 0.0)
            self.prediction_label.setText(f"{result['label']}  ({best:.0%})")
            names = list(probabilities)
            self.chart.set_bars(names, {"probability": list(probabilities.values())},
                                highlight=names.index(result["label"]))
        self.prediction_shown.emit(result)
