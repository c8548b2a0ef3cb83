"""The layer stack as a Qt table model over the session's document.

The document is the only state: every change goes through ``session.edit`` (one undoable step)
and the model redraws from the document and from ``summarize(document)`` when the session says
it changed. Drops from the palette and drags within the stack both arrive in
:meth:`LayerStackModel.dropMimeData`, so a test that calls it with real MIME data takes the
same path as a mouse drag.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from workbench.core.design.shapes import keras_shape_text
from workbench.core.document import ExperimentDocument, LayerEntry
from workbench.gui.builder.formatting import format_count, key_settings
from workbench.gui.builder.mime import (
    LAYER_TYPE_MIME,
    STACK_ROWS_MIME,
    read_layer_type,
    read_stack_rows,
    stack_rows_mime,
)
from workbench.gui.session import DocumentSession

COL_INDEX, COL_LAYER, COL_SETTINGS, COL_SHAPE, COL_PARAMS = range(5)
HEADERS = ("#", "Layer (type)", "Settings", "Output shape", "Param #")

ERROR_ROLE = Qt.ItemDataRole.UserRole + 10  # the row's error message, or None
SHAPE_ROLE = Qt.ItemDataRole.UserRole + 11  # the inferred output shape (tuple) or None
PARAMS_ROLE = Qt.ItemDataRole.UserRole + 12  # the parameter count (int) or None
TYPE_ROLE = Qt.ItemDataRole.UserRole + 13  # the Keras class name

ERROR_FG = QColor("#b00020")
ERROR_BG = QColor("#fde7ea")
WARNING_BG = QColor("#fff4d6")


def _move_block(layers: list, rows: list[int], destination: int) -> tuple[list, list[int]]:
    """Move ``rows`` (kept in order) so they land before ``destination`` of the original list."""
    rows = sorted({r for r in rows if 0 <= r < len(layers)})
    moving = [layers[r] for r in rows]
    before = sum(1 for r in rows if r < destination)
    rest = [layer for i, layer in enumerate(layers) if i not in rows]
    target = max(0, min(destination - before, len(rest)))
    result = rest[:target] + moving + rest[target:]
    return result, list(range(target, target + len(moving)))


class LayerStackModel(QAbstractTableModel):
    """Rows are ``document.model.layers``; columns mirror ``model.summary()``.

    ``rows_placed(rows)``: after an edit made through this model, the rows the edited layers
    now occupy (the view selects them). ``summary_changed()``: a new design summary is ready.
    """

    rows_placed = Signal(list)
    summary_changed = Signal()

    def __init__(self, session: DocumentSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.summary = None
        self.summary_failure: str | None = None
        self._row_count = 0
        self._issues_by_row: dict[int, list] = {}
        session.document_changed.connect(self._on_document_changed)
        session.document_replaced.connect(self._on_document_replaced)
        self._recompute()
        self._row_count = len(self.layers)

    # ------------------------------------------------------------------ document access

    @property
    def document(self) -> ExperimentDocument:
        return self.session.document

    @property
    def layers(self) -> list[LayerEntry]:
        return self.session.document.model.layers

    def layer_summary(self, row: int):
        if self.summary is None:
            return None
        for layer in self.summary.layers:
            if layer.index == row:
                return layer
        return None

    def row_error(self, row: int) -> str | None:
        """The message that marks a row red: its own inference error or a design error at it."""
        layer = self.layer_summary(row)
        if layer is not None and layer.error:
            return layer.error
        for issue in self._issues_by_row.get(row, []):
            if issue.severity == "error":
                return issue.message
        return None

    def row_warning(self, row: int) -> str | None:
        for issue in self._issues_by_row.get(row, []):
            if issue.severity == "warning":
                return issue.message
        return None

    # ------------------------------------------------------------------ refresh

    def _recompute(self) -> None:
        from workbench.core.design.summary import summarize

        try:
            self.summary = summarize(self.document)
            self.summary_failure = None
        except Exception as exc:  # noqa: BLE001 - a half-typed design must never crash the panel
            self.summary = None
            self.summary_failure = f"The design could not be checked: {exc}"
        self._issues_by_row = {}
        if self.summary is not None:
            for issue in [*self.summary.errors, *self.summary.warnings]:
                if issue.layer_index is not None:
                    self._issues_by_row.setdefault(issue.layer_index, []).append(issue)

    def refresh(self) -> None:
        """Redraw from the document: a reset when rows come or go, else a cheap dataChanged."""
        self._recompute()
        count = len(self.layers)
        if count != self._row_count:
            self.beginResetModel()
            self._row_count = count
            self.endResetModel()
        elif count:
            self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(HEADERS) - 1))
        self.summary_changed.emit()

    def _on_document_changed(self, _area: str) -> None:
        self.refresh()

    def _on_document_replaced(self) -> None:
        self._recompute()
        self.beginResetModel()
        self._row_count = len(self.layers)
        self.endResetModel()
        self.summary_changed.emit()

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt override)
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt override)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("Position in the stack", "Keras layer name and class",
                    "Key settings (all of them are in the property editor)",
                    "Shape of this layer's output; None is the batch axis",
                    "Number of weights this layer learns")[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < min(self._row_count, len(self.layers)):
            return None
        row, column = index.row(), index.column()
        entry = self.layers[row]
        layer = self.layer_summary(row)
        error = self.row_error(row)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_INDEX:
                return str(row + 1)
            if column == COL_LAYER:
                name = layer.name if layer is not None else entry.type.lower()
                return f"{name} ({entry.type})"
            if column == COL_SETTINGS:
                settings = key_settings(entry.type, entry.config)
                # The table keeps the diagnosis; the advice after ";" is in the tooltip and the Checks list.
                return f"{settings}\n✖ {error.split('; ')[0]}" if error else settings
            # An unknown output shape (an earlier layer failed, or no input shape yet) also
            # means an unknown parameter count: a dash, not a misleading 0.
            if column == COL_SHAPE:
                if layer is None or layer.output_shape is None:
                    return "—"
                return keras_shape_text(layer.output_shape)
            if column == COL_PARAMS:
                if layer is None or layer.output_shape is None:
                    return "—"
                return format_count(layer.params)
        if role == Qt.ItemDataRole.ToolTipRole:
            warning = self.row_warning(row)
            if error:
                return f"<b>Error:</b> {error}"
            if warning:
                return f"<b>Warning:</b> {warning}"
            return None
        if role == Qt.ItemDataRole.ForegroundRole and error:
            return QBrush(ERROR_FG)
        if role == Qt.ItemDataRole.BackgroundRole:
            if error:
                return QBrush(ERROR_BG)
            if self.row_warning(row):
                return QBrush(WARNING_BG)
        if role == Qt.ItemDataRole.FontRole and column == COL_LAYER:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_INDEX, COL_PARAMS):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == ERROR_ROLE:
            return error
        if role == SHAPE_ROLE:
            return None if layer is None else layer.output_shape
        if role == PARAMS_ROLE:
            return None if layer is None else layer.params
        if role == TYPE_ROLE:
            return entry.type
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between rows or after the last one, never "onto" a layer.
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled)

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [LAYER_TYPE_MIME, STACK_ROWS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        return stack_rows_mime([index.row() for index in indexes if index.isValid()])

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,
                        column: int, parent: QModelIndex) -> bool:
        if data is None:
            return False
        if data.hasFormat(LAYER_TYPE_MIME):
            return self._known_type(read_layer_type(data))
        return data.hasFormat(STACK_ROWS_MIME)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,
                     column: int, parent: QModelIndex) -> bool:
        """Insert a palette layer, or move stack rows, before ``row`` (append when -1)."""
        if data is None or action == Qt.DropAction.IgnoreAction:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self.layers)
        layer_type = read_layer_type(data)
        if layer_type is not None:
            if not self._known_type(layer_type):
                return False
            self.insert_new_layer(layer_type, row)
            return True
        rows = read_stack_rows(data)
        if rows:
            self.move_rows(rows, row)
            return True
        return False

    # ------------------------------------------------------------------ edits (all undoable)

    @staticmethod
    def _known_type(layer_type: str | None) -> bool:
        if not layer_type:
            return False
        from workbench.core.catalog import CATALOG

        return layer_type in CATALOG

    def insert_new_layer(self, layer_type: str, row: int | None = None) -> int:
        """Add a catalog layer with its default settings before ``row`` (end when None)."""
        from workbench.core.catalog import get_layer_spec

        config = get_layer_spec(layer_type).default_config()
        row = self._insert([{"type": layer_type, "config": config}], row, f"Add {layer_type}")[0]
        return row

    def insert_layers(self, layers: list[dict[str, Any]], row: int | None, text: str) -> list[int]:
        """Insert ``[{"type", "config"}...]`` (e.g. pasted) before ``row``; returns their rows."""
        return self._insert(layers, row, text)

    def _insert(self, layers: list[dict[str, Any]], row: int | None, text: str) -> list[int]:
        count = len(self.layers)
        row = count if row is None else max(0, min(row, count))
        entries = [LayerEntry(type=item["type"], config=copy.deepcopy(item.get("config", {})))
                   for item in layers]

        def change(document: ExperimentDocument) -> None:
            document.model.layers[row:row] = copy.deepcopy(entries)

        self.session.edit(text, "model", change)
        rows = list(range(row, row + len(entries)))
        self.rows_placed.emit(rows)
        return rows

    def move_rows(self, rows: list[int], destination: int) -> list[int]:
        """Move ``rows`` so they sit before ``destination``; no undo step when nothing moves."""
        order, placed = _move_block(list(range(len(self.layers))), rows, destination)
        if order == list(range(len(self.layers))):
            self.rows_placed.emit(placed)
            return placed
        moved = sorted(set(rows))
        text = (f"Move {self.layers[moved[0]].type}" if len(moved) == 1 else f"Move {len(moved)} layers")

        def change(document: ExperimentDocument) -> None:
            document.model.layers[:] = [document.model.layers[i] for i in order]

        self.session.edit(text, "model", change)
        self.rows_placed.emit(placed)
        return placed

    def remove_rows(self, rows: list[int], text: str | None = None) -> None:
        rows = sorted({r for r in rows if 0 <= r < len(self.layers)})
        if not rows:
            return
        if text is None:
            text = f"Delete {self.layers[rows[0]].type}" if len(rows) == 1 else f"Delete {len(rows)} layers"

        def change(document: ExperimentDocument) -> None:
            for r in reversed(rows):
                del document.model.layers[r]

        self.session.edit(text, "model", change)
        remaining = len(self.layers)
        if remaining:
            self.rows_placed.emit([min(rows[0], remaining - 1)])

    def duplicate_rows(self, rows: list[int]) -> list[int]:
        rows = sorted({r for r in rows if 0 <= r < len(self.layers)})
        if not rows:
            return []
        copies = [{"type": self.layers[r].type, "config": self.layers[r].config} for r in rows]
        text = f"Duplicate {copies[0]['type']}" if len(rows) == 1 else f"Duplicate {len(rows)} layers"
        return self._insert(copies, rows[-1] + 1, text)

    def set_layer_value(self, row: int, name: str, value: Any) -> None:
        """Change one setting of one layer (no step when the value is already that)."""
        if not 0 <= row < len(self.layers) or self.layers[row].config.get(name, _MISSING) == value:
            return
        layer_type = self.layers[row].type

        def change(document: ExperimentDocument) -> None:
            document.model.layers[row].config[name] = copy.deepcopy(value)

        self.session.edit(f"Set {layer_type} {name}", "model", change)

    def layers_as_dicts(self, rows: list[int]) -> list[dict[str, Any]]:
        return [{"type": self.layers[r].type, "config": copy.deepcopy(self.layers[r].config)}
                for r in sorted(set(rows)) if 0 <= r < len(self.layers)]


_MISSING = object()
