"""The table that shows the layer stack and takes drops from the palette and from itself."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from workbench.gui.builder.stack_model import (
    COL_INDEX,
    COL_LAYER,
    COL_PARAMS,
    COL_SETTINGS,
    COL_SHAPE,
    LayerStackModel,
)


class LayerStackView(QTableView):
    """Rows are layers; drop a palette layer between rows to insert it, drag rows to reorder.

    Qt's own move handling would also call ``removeRows`` on the source after a move; every
    drop here is one undoable document edit instead, made by ``LayerStackModel.dropMimeData``.
    ``current_row_changed(row)``: -1 when nothing is selected.
    """

    current_row_changed = Signal(int)

    def __init__(self, model: LayerStackModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(COL_INDEX, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_LAYER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SETTINGS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_SHAPE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_PARAMS, QHeaderView.ResizeMode.ResizeToContents)
        self.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        model.modelReset.connect(self._on_model_reset)
        model.rows_placed.connect(self.select_rows)

    def stack_model(self) -> LayerStackModel:
        model = self.model()
        assert isinstance(model, LayerStackModel)
        return model

    # ------------------------------------------------------------------ selection

    def selected_rows(self) -> list[int]:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        return rows

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def select_rows(self, rows: list[int]) -> None:
        """Make ``rows`` the selection, the first one current (scrolled into view)."""
        model = self.stack_model()
        rows = [r for r in rows if 0 <= r < model.rowCount()]
        selection = self.selectionModel()
        if not rows:
            selection.clear()
            self.current_row_changed.emit(-1)
            return
        flags = selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows
        selection.setCurrentIndex(model.index(rows[0], 0), flags)
        for row in rows[1:]:
            selection.select(model.index(row, 0),
                             selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        self.scrollTo(model.index(rows[0], 0))

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_row_changed.emit(current.row() if current.isValid() else -1)

    def _on_model_reset(self) -> None:
        # A reset (rows added/removed, or undo) drops the selection; the panel restores it.
        self.current_row_changed.emit(-1)

    # ------------------------------------------------------------------ drag and drop

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        drag = QDrag(self)
        drag.setMimeData(self.stack_model().mimeData([self.stack_model().index(r, 0) for r in rows]))
        drag.exec(Qt.DropAction.MoveAction)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._can_take(event):
            super().dragEnterEvent(event)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)  # draws the drop indicator
        if self._can_take(event):
            event.setDropAction(self._action_for(event))
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if not self._can_take(event):
            event.ignore()
            return
        row = self.drop_row(event.position().toPoint())
        action = self._action_for(event)
        if self.stack_model().dropMimeData(event.mimeData(), action, row, 0, QModelIndex()):
            # Reported as a copy so the drag source never deletes anything itself.
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()

    def drop_row(self, pos) -> int:
        """The row a drop at ``pos`` inserts before: upper half of a row → before it, lower → after."""
        index = self.indexAt(pos)
        if not index.isValid():
            return self.stack_model().rowCount()
        rect = self.visualRect(index)
        return index.row() + (1 if pos.y() > rect.center().y() else 0)

    def _can_take(self, event) -> bool:
        data = event.mimeData()
        return self.stack_model().canDropMimeData(data, Qt.DropAction.CopyAction, -1, 0, QModelIndex())

    def _action_for(self, event) -> Qt.DropAction:
        return Qt.DropAction.MoveAction if event.source() is self else Qt.DropAction.CopyAction

    # ------------------------------------------------------------------ empty state

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.stack_model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect().adjusted(20, 20, -20, -20),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             "No layers yet.\nDrag a layer from the palette on the left, "
                             "or double-click it, to start the model.")
            painter.end()
