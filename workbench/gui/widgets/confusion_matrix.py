"""A confusion matrix as a table: rows = true class, columns = predicted class; cells are clickable."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget


class ConfusionMatrixView(QTableWidget):
    """``cell_chosen(true_class, predicted_class)`` when the user clicks a cell."""

    cell_chosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setToolTip("Rows: true class · columns: predicted class. Click a cell to see its samples.")
        self.cellClicked.connect(self._on_cell_clicked)
        self.matrix: list[list[int]] = []

    def set_matrix(self, class_names: list[str], matrix: list[list[int]]) -> None:
        self.matrix = [list(row) for row in matrix]
        n = len(matrix)
        self.clear()
        self.setRowCount(n)
        self.setColumnCount(n)
        names = [str(c) for c in class_names[:n]] + [str(i) for i in range(len(class_names), n)]
        self.setHorizontalHeaderLabels([f"→ {name}" for name in names])
        self.setVerticalHeaderLabels(names)
        peak = max((max(row) for row in matrix if row), default=0) or 1
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                strength = count / peak
                # Correct cells green, mistakes red; stronger colour for larger counts.
                base = QColor(84, 162, 75) if i == j else QColor(228, 87, 86)
                colour = QColor(255 - int((255 - base.red()) * strength), 255 - int((255 - base.green()) * strength),
                                255 - int((255 - base.blue()) * strength))
                item.setBackground(colour)
                item.setForeground(QColor("white") if strength > 0.6 else QColor("#222"))
                item.setToolTip(f"true {names[i]}, predicted {names[j]}: {count} samples")
                self.setItem(i, j, item)

    def _on_cell_clicked(self, row: int, column: int) -> None:
        self.cell_chosen.emit(row, column)
