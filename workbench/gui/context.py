"""What every panel is given: the open document, the worker pool, and app-wide events."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from workbench.core import paths
from workbench.gui.session import DocumentSession
from workbench.gui.workers import WorkerPool


class AppContext(QObject):
    """Shared services; panels talk to each other only through these signals.

    ``keras_ready(info)``: Keras has been imported in the background (``info`` has ``backend``
    and versions); training and prediction are enabled from then on.
    ``runs_changed()``: a run was added, renamed or deleted.
    ``sample_requested(source, split, indices)``: open these samples in the Data panel.
    ``run_requested(run_dir)``: open a run (e.g. in the Playground).
    ``status_message(text)``: a transient line for the status bar.
    """

    keras_ready = Signal(dict)
    runs_changed = Signal()
    sample_requested = Signal(str, str, list)
    run_requested = Signal(str)
    status_message = Signal(str)

    def __init__(self, session: DocumentSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.pool = WorkerPool(self)
        self.keras_info: dict | None = None
        self._runs_dir: Path | None = None
        self.keras_ready.connect(self._remember_keras)

    def _remember_keras(self, info: dict) -> None:
        self.keras_info = info

    @property
    def is_keras_ready(self) -> bool:
        return self.keras_info is not None

    @property
    def runs_dir(self) -> Path:
        return self._runs_dir or paths.runs_dir()

    @runs_dir.setter
    def runs_dir(self, value: Path | None) -> None:
        self._runs_dir = Path(value) if value else None
        self.runs_changed.emit()
