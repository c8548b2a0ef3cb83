"""The main window: four panels as tabs, the Runs list as a dock, menus, status bar."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
)

import workbench
from workbench.core import paths
from workbench.core.document import FILE_SUFFIX, ExperimentDocument, parse_document_bytes
from workbench.core.errors import WorkbenchError
from workbench.gui.context import AppContext
from workbench.gui.panel_host import LazyPanels, PanelHost, PanelTabs, panel_factory
from workbench.gui.runs.panel import RunsPanel
from workbench.gui.session import DocumentSession
from workbench.gui.workers import Worker

MAX_RECENT = 8
AUTOSAVE_MS = 60_000
PRELOAD_DELAY_MS = 300
FILE_FILTER = f"Keras Workbench experiments (*{FILE_SUFFIX} *.json);;All files (*)"
PANELS = (("builder", "Builder"), ("data", "Data"), ("train", "Train"), ("playground", "Playground"))
# Each tab's panel is imported and built when its tab is first shown (or `window.panels[key]` is
# read): the start-up path then never imports pyqtgraph (benchmarks/startup.py).
PANEL_CLASSES = {
    "builder": ("workbench.gui.builder.panel", "BuilderPanel"),
    "data": ("workbench.gui.data.panel", "DataPanel"),
    "train": ("workbench.gui.train.panel", "TrainPanel"),
    "playground": ("workbench.gui.playground.panel", "PlaygroundPanel"),
}


def load_keras_info(task) -> dict:
    """Import Keras (and TensorFlow) off the GUI thread; returns backend and versions."""
    from workbench.core.kerasenv import import_keras, versions

    keras = import_keras()
    info = versions()
    info["backend"] = keras.backend.backend()
    info["keras"] = keras.__version__
    return info


class MainWindow(QMainWindow):
    """Owns the session and the panels; closing it stops and waits for every worker."""

    def __init__(self, *, load_keras: bool = True, ask_to_save: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Keras Workbench")
        self.setAcceptDrops(True)
        self._ask_to_save = ask_to_save
        self.session = DocumentSession(parent=self)
        self.context = AppContext(self.session, parent=self)
        self.settings = QSettings()

        self.tabs = PanelTabs()
        self.tabs.setObjectName("panelTabs")
        self.tabs.setDocumentMode(True)
        hosts = {key: PanelHost(key, panel_factory(*PANEL_CLASSES[key], self.context)) for key, _ in PANELS}
        for key, title in PANELS:
            self.tabs.addTab(hosts[key], title)
        self.panels = LazyPanels(hosts)
        self.setCentralWidget(self.tabs)
        self.context.sample_requested.connect(self._on_sample_requested)
        self.context.run_requested.connect(self._on_run_requested)

        self.runs_panel = RunsPanel(self.context)
        self.runs_panel.setObjectName("runsPanel")
        self.runs_dock = QDockWidget("Runs", self)
        self.runs_dock.setObjectName("runsDock")
        self.runs_dock.setWidget(self.runs_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.runs_dock)

        self.backend_label = QLabel("Loading TensorFlow…")
        self.backend_label.setObjectName("backendStatus")
        self.statusBar().addPermanentWidget(self.backend_label)
        self.statusBar().setObjectName("statusBar")
        self.context.status_message.connect(self._show_status)

        self._build_menus()
        self.session.path_changed.connect(self._update_title)
        self.session.modified_changed.connect(self._update_title)
        self._update_title()

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosave_timer.start()

        # Once TensorFlow has loaded (so the two never compete), the panels not opened yet are
        # built one per timer tick, so that opening their tab later is instant.
        self._preload_timer = QTimer(self)
        self._preload_timer.setSingleShot(True)
        self._preload_timer.setInterval(PRELOAD_DELAY_MS)
        self._preload_timer.timeout.connect(self._preload_next_panel)

        self._restore_state()
        # The tab shown first is built now, so the first layout already has it.
        self.panels.host(PANELS[max(0, self.tabs.currentIndex())][0]).panel()
        self.keras_worker: Worker | None = None
        self._load_keras_on_show = load_keras
        # Recorded at the first show, for selftest and the start-up benchmark.
        self.tensorflow_loaded_when_shown: bool | None = None

    # ------------------------------------------------------------------ menus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_menu = file_menu.addMenu("&New from template")
        self.new_menu.setObjectName("newFromTemplateMenu")
        self._fill_template_menu()
        self.open_action = self._action(file_menu, "&Open…", QKeySequence.StandardKey.Open, self.open_dialog,
                                        "openAction")
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self.save_action = self._action(file_menu, "&Save", QKeySequence.StandardKey.Save, self.save,
                                        "saveAction")
        self.save_as_action = self._action(file_menu, "Save &As…", QKeySequence.StandardKey.SaveAs,
                                           self.save_as, "saveAsAction")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close, "quitAction")

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.session.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setObjectName("undoAction")
        self.redo_action = self.session.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.setObjectName("redoAction")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        view_menu = self.menuBar().addMenu("&View")
        for index, (key, title) in enumerate(PANELS):
            action = QAction(title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda checked=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
        view_menu.addAction(self.runs_dock.toggleViewAction())

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Keras Workbench", None, self.show_about, "aboutAction")

    def _action(self, menu, text, shortcut, slot, name) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _fill_template_menu(self) -> None:
        from workbench.core.design.templates import list_templates

        self.new_menu.clear()
        for info in list_templates():
            action = self.new_menu.addAction(info.name)
            action.setToolTip(info.description)
            action.setData(info.id)
            action.triggered.connect(lambda checked=False, tid=info.id: self.new_from_template(tid))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for name in files:
            action = self.recent_menu.addAction(name)
            action.triggered.connect(lambda checked=False, n=name: self.open_file(n))

    # ------------------------------------------------------------------ documents

    def new_from_template(self, template_id: str) -> bool:
        from workbench.core.design.templates import load_template

        if not self._maybe_save():
            return False
        try:
            document = load_template(template_id)
        except WorkbenchError as exc:
            self.show_error("Cannot create the experiment", str(exc))
            return False
        self.session.replace(document)
        self.context.status_message.emit(f"New experiment from template {template_id}.")
        return True

    def open_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open experiment", "", FILE_FILTER)
        if name:
            self.open_file(name)

    def open_file(self, name: str) -> bool:
        """Open an experiment; a bad file shows why and keeps the open document."""
        if not self._maybe_save():
            return False
        try:
            self.session.open(name)
        except WorkbenchError as exc:
            self.show_error("Cannot open the experiment", str(exc))
            return False
        self._add_recent(name)
        self.context.status_message.emit(f"Opened {name}.")
        return True

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self._save_to(self.session.path)

    def save_as(self) -> bool:
        name, _ = QFileDialog.getSaveFileName(self, "Save experiment as", "untitled" + FILE_SUFFIX, FILE_FILTER)
        if not name:
            return False
        return self._save_to(Path(name))

    def _save_to(self, path: Path) -> bool:
        try:
            self.session.save(path)
        except OSError as exc:
            self.show_error("Cannot save", f"{path}: {exc.strerror or exc}. Choose another folder.")
            return False
        self._add_recent(str(path))
        self._autosave_path().unlink(missing_ok=True)
        self.context.status_message.emit(f"Saved {path}.")
        return True

    def _maybe_save(self) -> bool:
        """Ask before discarding unsaved changes; True when it is fine to go on."""
        if not self.session.modified or not self._ask_to_save:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "The experiment has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _update_title(self, *_args) -> None:
        name = self.session.path.name if self.session.path else self.session.document.name
        self.setWindowTitle(f"{name}{' *' if self.session.modified else ''} — Keras Workbench")

    # ------------------------------------------------------------------ recent files, state

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, name: str) -> None:
        name = str(Path(name).resolve())
        files = [f for f in self.recent_files() if f != name]
        self.settings.setValue("recent_files", [name, *files][:MAX_RECENT])

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            # Wide enough for the widest panel (Data) beside the dock, so building it on its first
            # show does not widen the window.
            self.resize(1300, 800)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        else:
            # First start: the panels get the room; the Runs list stays a side column.
            self.resizeDocks([self.runs_dock], [360], Qt.Orientation.Horizontal)
        tab = self.settings.value("window/tab", 0)
        try:
            self.tabs.setCurrentIndex(int(tab))
        except (TypeError, ValueError):
            pass

    def _save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/tab", self.tabs.currentIndex())

    # ------------------------------------------------------------------ autosave / recovery

    def _autosave_path(self) -> Path:
        return paths.autosave_dir() / ("autosave" + FILE_SUFFIX)

    @Slot()
    def autosave(self) -> None:
        """Keep a copy of unsaved work for recovery after a crash."""
        if self.session.modified:
            from workbench.core.document import save_document

            try:
                save_document(self.session.document, self._autosave_path())
            except OSError:
                pass

    def recoverable_document(self) -> ExperimentDocument | None:
        path = self._autosave_path()
        if not path.exists():
            return None
        try:
            return parse_document_bytes(path.read_bytes(), origin=str(path))
        except (WorkbenchError, OSError):
            return None

    def offer_recovery(self) -> None:
        document = self.recoverable_document()
        if document is None:
            return
        answer = QMessageBox.question(
            self, "Recover unsaved work",
            f"Keras Workbench closed with unsaved changes to “{document.name}”. Restore them?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.session.replace(document)
            # Still unsaved: no state of the undo stack is clean, so undoing any later edit still
            # leaves the document modified and closing asks to save it.
            self.session.undo_stack.resetClean()
        self._autosave_path().unlink(missing_ok=True)

    # ------------------------------------------------------------------ Keras loading

    def start_loading_keras(self) -> None:
        if self.keras_worker is not None:
            return
        self.statusBar().showMessage("Loading TensorFlow…")
        worker = Worker(load_keras_info, name="keras-loader")
        worker.finished.connect(self._on_keras_loaded)
        worker.failed.connect(self._on_keras_failed)
        self.keras_worker = self.context.pool.start(worker)

    @Slot(object)
    def _on_keras_loaded(self, info: dict) -> None:
        self.backend_label.setText(f"Keras {info.get('keras')} · backend: {info.get('backend')}")
        self.statusBar().showMessage("TensorFlow loaded; training is available.", 5000)
        self.context.keras_ready.emit(info)
        self._preload_timer.start()

    @Slot(str)
    def _on_keras_failed(self, message: str) -> None:
        self.backend_label.setText("TensorFlow failed to load")
        self._preload_timer.start()
        self.show_error("TensorFlow could not be loaded",
                        f"{message.splitlines()[0]}\n\nBuilding designs and browsing data still work; "
                        "reinstall with `pip install keras-workbench` to train.")

    # ------------------------------------------------------------------ misc

    # Panels talk through the context; a panel not built yet is built to hear these. Its own
    # connection, made while the signal is being emitted, is not called for that emission.

    @Slot(str, str, list)
    def _on_sample_requested(self, source: str, split: str, indices: list) -> None:
        if not self.panels.is_built("data"):
            self.panels["data"].show_requested_samples(source, split, indices)

    @Slot(str)
    def _on_run_requested(self, run_dir: str) -> None:
        if not self.panels.is_built("playground"):
            self.panels["playground"].open_run(run_dir)

    @Slot()
    def _preload_next_panel(self) -> None:
        unbuilt = [key for key, _title in PANELS if not self.panels.is_built(key)]
        if unbuilt:
            self.panels.host(unbuilt[0]).panel()
        if len(unbuilt) > 1:
            self._preload_timer.start()

    @Slot(str)
    def _show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def show_error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(message.splitlines()[0], 10000)
        if self._ask_to_save:  # interactive use; tests and selftest read the status bar
            QMessageBox.warning(self, title, message)

    def show_about(self) -> None:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        from workbench.core.kerasenv import versions  # not at start-up: it imports importlib.metadata

        info = self.context.keras_info or versions()
        QMessageBox.about(
            self, "About Keras Workbench",
            f"<h3>Keras Workbench {workbench.__version__}</h3>"
            f"<p>Keras {info.get('keras')} · TensorFlow {info.get('tensorflow')} · "
            f"backend {info.get('backend')}<br>Qt {qVersion()} · PySide6 {pyside_version} · "
            f"Python {info.get('python')}</p>",
        )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.tensorflow_loaded_when_shown is None:
            self.tensorflow_loaded_when_shown = "tensorflow" in sys.modules
            if self._load_keras_on_show:
                # Only once the window is up: the import must never delay it.
                QTimer.singleShot(0, self.start_loading_keras)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile() and Path(url.toLocalFile()).is_file():
                self.open_file(url.toLocalFile())
                event.acceptProposedAction()
                return

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._maybe_save():
            event.ignore()
            return
        self._save_state()
        self._autosave_timer.stop()
        self._preload_timer.stop()
        if not self.session.modified:
            self._autosave_path().unlink(missing_ok=True)
        for panel in [*self.panels.built().values(), self.runs_panel]:
            shutdown = getattr(panel, "shutdown", None)
            if shutdown is not None:
                shutdown()
        self.context.pool.shutdown()
        event.accept()


def current_app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
