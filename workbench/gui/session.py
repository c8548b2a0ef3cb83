"""The open experiment, shared by all panels: document, file path, undo stack, modified flag.

Panels change the document only through ``QUndoCommand``s pushed on :attr:`undo_stack`
(see :class:`DocumentEdit`) and redraw from the document when :attr:`document_changed` fires.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.core.document import ExperimentDocument, load_document, save_document


class DocumentSession(QObject):
    """Owns the current :class:`ExperimentDocument`.

    ``document_replaced``: a new/opened document (panels rebuild everything).
    ``document_changed(area)``: an edit; ``area`` is "model", "compile", "data", "training" or "all".
    """

    document_replaced = Signal()
    document_changed = Signal(str)
    path_changed = Signal(str)
    modified_changed = Signal(bool)

    def __init__(self, document: ExperimentDocument | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document or ExperimentDocument()
        self.path: Path | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def replace(self, document: ExperimentDocument, path: Path | None = None) -> None:
        """Make ``document`` the open one; clears undo history."""
        self.document = document
        self.path = Path(path) if path else None
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.document_replaced.emit()
        self.path_changed.emit(str(self.path or ""))
        self.modified_changed.emit(False)

    def open(self, path: str | Path) -> None:
        """Load a file; on error raises DocumentError and leaves the open document untouched."""
        document = load_document(path)
        self.replace(document, Path(path))

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("save() needs a path for a document that was never saved")
        save_document(self.document, target)
        self.path = target
        self.undo_stack.setClean()
        self.path_changed.emit(str(target))
        return target

    def edit(self, text: str, area: str, change: Callable[[ExperimentDocument], None]) -> None:
        """Apply ``change`` to the document as one undoable step."""
        self.undo_stack.push(DocumentEdit(self, text, area, change))


class DocumentEdit(QUndoCommand):
    """An undoable edit kept as before/after snapshots of one area of the document.

    Snapshots keep every edit trivially reversible; documents are small (a few KB).
    """

    def __init__(self, session: DocumentSession, text: str, area: str,
                 change: Callable[[ExperimentDocument], None]):
        super().__init__(text)
        self._session = session
        self._area = area
        self._before = session.document.copy()
        after = session.document.copy()
        change(after)
        self._after = after

    def _apply(self, snapshot: ExperimentDocument) -> None:
        self._session.document = snapshot.copy()
        self._session.document_changed.emit(self._area)

    def redo(self) -> None:
        self._apply(self._after)

    def undo(self) -> None:
        self._apply(self._before)
