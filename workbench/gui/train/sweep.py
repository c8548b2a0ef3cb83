"""The Sweep box of the Train panel: a grid spec, trial k/N, and a sortable results table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.training.runs import lower_is_better
from workbench.core.training.sweep import TrialOutcome, best_outcome

COLUMNS = ("trial", "parameters", "status", "epochs", "score", "run")


class _NumberItem(QTableWidgetItem):
    def __init__(self, text: str, key: float):
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.key < getattr(other, "key", float("inf"))


class SweepBox(QGroupBox):
    """Shows a sweep's trials as they finish; the best one is highlighted."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Sweep", parent)
        self.setObjectName("sweepBox")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.grid_edit = QLineEdit()
        self.grid_edit.setObjectName("sweepGridEdit")
        self.grid_edit.setPlaceholderText("e.g. activation=relu,tanh;hidden_units=16,32;learning_rate=0.01,0.001")
        self.grid_edit.setToolTip("Dimensions: activation, loss, hidden_units, hidden_layers, optimizer, "
                                  "learning_rate, batch_size, epochs, dropout, or a dotted document path "
                                  "such as training.validation_split. Trials run one after another.")
        self.run_button = QPushButton("Run sweep")
        self.run_button.setObjectName("sweepButton")
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("sweepProgress")
        row.addWidget(self.grid_edit, 1)
        row.addWidget(self.run_button)
        row.addWidget(self.progress_label)
        layout.addLayout(row)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("sweepResults")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.table.sortItems(0, Qt.SortOrder.AscendingOrder)  # trials in order until the user sorts
        self.table.hide()
        layout.addWidget(self.table)
        self.trials = 0
        self.outcomes: list[dict[str, Any]] = []

    def start(self, trials: int) -> None:
        self.trials = trials
        self.outcomes.clear()
        self.table.setRowCount(0)
        self.table.show()
        self.progress_label.setText(f"trial 1/{trials}")

    def trial_started(self, trial: int, trials: int) -> None:
        self.progress_label.setText(f"trial {trial}/{trials}")

    def add_outcome(self, outcome: dict[str, Any]) -> None:
        self.outcomes.append(outcome)
        self.table.setSortingEnabled(False)
        row = self.table.rowCount()
        self.table.insertRow(row)
        score = outcome.get("score")
        params = ", ".join(f"{k}={v}" for k, v in (outcome.get("params") or {}).items())
        metric = outcome.get("score_metric") or ""
        sort_key = float("inf")
        if score is not None:
            sort_key = score if lower_is_better(metric.removeprefix("test_")) else -score
        cells = [
            _NumberItem(str(outcome.get("trial")), float(outcome.get("trial") or 0)),
            QTableWidgetItem(params),
            QTableWidgetItem(outcome.get("status", "")),
            _NumberItem(str(outcome.get("epochs_completed", 0)), float(outcome.get("epochs_completed") or 0)),
            _NumberItem(f"{metric} {score:.4f}" if score is not None else "–", sort_key),
            QTableWidgetItem(outcome.get("run_id") or outcome.get("message", "")),
        ]
        for column, item in enumerate(cells):
            self.table.setItem(row, column, item)
        self.table.setSortingEnabled(True)
        self._highlight_best()
        self.progress_label.setText(f"{len(self.outcomes)}/{self.trials} trials done")

    def best(self) -> dict[str, Any] | None:
        best = best_outcome([TrialOutcome.from_dict(o) for o in self.outcomes])
        return None if best is None else next(o for o in self.outcomes if o.get("trial") == best.trial)

    def _highlight_best(self) -> None:
        best = self.best()
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            is_best = best is not None and item is not None and item.text() == str(best.get("trial"))
            for column in range(self.table.columnCount()):
                cell = self.table.item(row, column)
                if cell is None:
                    continue
                font = QFont(cell.font())
                font.setBold(is_best)
                cell.setFont(font)
                cell.setBackground(QColor("#e3f1df") if is_best else QColor("white"))
