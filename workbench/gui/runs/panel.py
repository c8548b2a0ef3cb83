"""The Runs panel (a dock): every run in a sortable table; compare curves, rename, delete, reopen, export."""

from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.training.runs import RunRecord, RunStore
from workbench.gui.context import AppContext

if TYPE_CHECKING:  # the plot module imports pyqtgraph: only once runs are compared
    from workbench.gui.widgets.curve_plot import CurvePlot

COMPARE_HINT = "Select runs to compare"
COLUMNS = ("Name", "Date", "Template", "Data", "Epochs", "Best val", "Test", "Duration", "Status")
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# Beyond a handful of runs overlaid curves cannot be told apart (colours repeat), and drawing
# hundreds of them blocks the window for seconds.
MAX_COMPARED = 8


class _SortItem(QTableWidgetItem):
    """Sorts by a numeric/ISO key while showing friendly text."""

    def __init__(self, text: str, key=None):
        super().__init__(text)
        self._key = key if key is not None else text

    def __lt__(self, other: QTableWidgetItem) -> bool:
        other_key = getattr(other, "_key", other.text())
        try:
            return self._key < other_key
        except TypeError:
            return str(self._key) < str(other_key)


def _date_text(iso: str) -> str:
    try:
        return _dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class RunsPanel(QWidget):
    """Lists ``context.runs_dir``; refreshed on ``context.runs_changed``.

    ``refreshed(count)`` after each reload.
    """

    refreshed = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.records: dict[str, RunRecord] = {}
        self.ask = True  # tests and the self-test answer dialogs themselves
        self._read_error = ""  # why the runs folder could not be listed, kept past selection changes

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        buttons = QHBoxLayout()
        self.refresh_button = self._button("Refresh", "runsRefreshButton", self.refresh, "Reload the runs folder.")
        self.rename_button = self._button("Rename…", "runsRenameButton", self.rename_selected, "Rename the run.")
        self.note_button = self._button("Note…", "runsNoteButton", self.note_selected,
                                        "Write a note about the run (shown as the name's tooltip).")
        self.delete_button = self._button("Delete…", "runsDeleteButton", self.delete_selected,
                                          "Delete the selected runs and their files.")
        self.reopen_button = self._button("Open design", "runsReopenButton", self.reopen_selected,
                                          "Open the experiment this run was trained from.")
        self.export_png_button = self._button("Curves PNG…", "runsExportPngButton", self.export_png_dialog,
                                              "Save the comparison plot as an image.")
        self.export_csv_button = self._button("History CSV…", "runsExportCsvButton", self.export_csv_dialog,
                                              "Save the selected run's per-epoch history.")
        # Two short rows keep the dock narrow beside the panels.
        for button in (self.refresh_button, self.rename_button, self.note_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        more = QHBoxLayout()
        for button in (self.reopen_button, self.export_png_button, self.export_csv_button):
            more.addWidget(button)
        more.addStretch(1)
        layout.addLayout(more)

        splitter = QSplitter(Qt.Orientation.Vertical)
        layout.addWidget(splitter, 1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("runsTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.cellDoubleClicked.connect(self._on_double_clicked)
        splitter.addWidget(self.table)

        compare = QWidget()
        compare_layout = QVBoxLayout(compare)
        compare_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Compare"))
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("runsMetricCombo")
        self.metric_combo.setToolTip("Which curve to overlay for the selected runs (solid: training, dashed: validation).")
        self.metric_combo.currentTextChanged.connect(lambda _text: self._draw_overlay())
        row.addWidget(self.metric_combo, 1)
        compare_layout.addLayout(row)
        self._compare_layout = compare_layout
        self._compare_plot: CurvePlot | None = None
        # Stands in for the plot until runs are selected: building the plot imports pyqtgraph,
        # which would delay the window's first show (benchmarks/startup.py).
        self.compare_hint = QLabel(COMPARE_HINT)
        self.compare_hint.setObjectName("runsCompareHint")
        self.compare_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.compare_hint.setMinimumHeight(170)  # the plot's, so the splitter does not jump
        self.compare_hint.setStyleSheet("background: white; color: #333; font-size: 10pt;")
        compare_layout.addWidget(self.compare_hint, 1)
        splitter.addWidget(compare)
        self.message_label = QLabel("")
        self.message_label.setObjectName("runsMessage")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)

        context.runs_changed.connect(self.refresh)
        self.refresh()
        self._on_selection_changed()

    def sizeHint(self) -> QSize:  # Qt override
        # A dock beside the panels: modest by default (the table's own hint grows with long paths).
        return QSize(420, 600)

    def _button(self, text: str, name: str, slot, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    @property
    def compare_plot(self) -> CurvePlot:
        """The comparison plot, built (in place of the hint) on first use."""
        if self._compare_plot is None:
            from workbench.gui.widgets.curve_plot import CurvePlot

            plot = CurvePlot("loss", live=False)
            plot.setObjectName("runsComparePlot")
            plot.setTitle(COMPARE_HINT, color="#333", size="10pt")
            self._compare_layout.replaceWidget(self.compare_hint, plot)
            self.compare_hint.hide()
            if self.isVisible():
                plot.show()  # else Qt shows it one event-loop turn later and a grab() now is blank
            self._compare_plot = plot
        return self._compare_plot

    @property
    def store(self) -> RunStore:
        return RunStore(self.context.runs_dir)

    # ------------------------------------------------------------------ table

    @Slot()
    def refresh(self) -> None:
        """Reload the runs folder, keeping the selection."""
        selected = set(self.selected_ids())
        self._read_error = ""
        try:
            records = self.store.list_runs()
        except (OSError, WorkbenchError) as exc:
            records = []
            detail = getattr(exc, "strerror", None) or str(exc)
            self._read_error = f"Cannot read the runs folder {self.context.runs_dir}: {detail}"
        self.records = {r.run_id: r for r in records}
        self.table.setSortingEnabled(False)
        self.table.blockSignals(True)
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            for column, item in enumerate(self._items(record)):
                item.setData(RUN_ID_ROLE, record.run_id)
                if not record.readable:
                    item.setForeground(QColor("#999"))
                    item.setToolTip(record.message)
                self.table.setItem(row, column, item)
        self.table.setSortingEnabled(True)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(RUN_ID_ROLE) in selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self._on_selection_changed()
        self.refreshed.emit(len(records))

    def _items(self, record: RunRecord) -> list[QTableWidgetItem]:
        if not record.readable:
            return [_SortItem(record.name), _SortItem(""), _SortItem(""), _SortItem(""), _SortItem("", -1),
                    _SortItem("", float("-inf")), _SortItem("", float("-inf")), _SortItem("", -1),
                    _SortItem("unreadable")]
        best = record.best_validation()
        test = record.test_metric()
        duration = record.duration_s
        name = _SortItem(record.name)
        name.setToolTip(record.note or record.run_id)
        return [
            name,
            _SortItem(_date_text(record.started), record.started),
            _SortItem(record.template),
            _SortItem(record.data_source),
            _SortItem(str(record.epochs_completed), record.epochs_completed),
            _SortItem(f"{best[0]} {best[1]:.4f}" if best else "", best[1] if best else float("-inf")),
            _SortItem(f"{test[0]} {test[1]:.4f}" if test else "", test[1] if test else float("-inf")),
            _SortItem(_duration_text(duration), duration if duration is not None else -1),
            _SortItem(record.status),
        ]

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.table.item(r, 0).data(RUN_ID_ROLE) for r in rows if self.table.item(r, 0) is not None]

    def select_runs(self, run_ids: list[str]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(RUN_ID_ROLE) in run_ids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def _selected_records(self, readable: bool = True) -> list[RunRecord]:
        records = [self.records[i] for i in self.selected_ids() if i in self.records]
        return [r for r in records if r.readable] if readable else records

    @Slot()
    def _on_selection_changed(self) -> None:
        records = self._selected_records(readable=False)
        readable = [r for r in records if r.readable]
        one = len(readable) == 1 and len(records) == 1
        # The store refuses these for a run still training (its process rewrites run.json).
        training = [r for r in records if r.status == "running"]
        self.rename_button.setEnabled(one and not training)
        self.note_button.setEnabled(one and not training)
        self.reopen_button.setEnabled(one)
        self.export_csv_button.setEnabled(one)
        self.delete_button.setEnabled(bool(records) and not training)
        self.export_png_button.setEnabled(bool(readable))
        unreadable = [r for r in records if not r.readable]
        if self._read_error:
            self.message_label.setText(self._read_error)
        elif unreadable:
            self.message_label.setText(unreadable[0].message)
        elif training:
            self.message_label.setText(f'Run "{training[0].name}" is still training; stop the training first '
                                       "to rename, note or delete it.")
        else:
            self.message_label.setText("")
        metrics: list[str] = []
        for record in readable:
            for name in record.history():
                base = name.removeprefix("val_")
                if name not in ("epoch", "seconds") and base not in metrics:
                    metrics.append(base)
        current = self.metric_combo.currentText()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(metrics)
        if current in metrics:
            self.metric_combo.setCurrentText(current)
        elif "loss" in metrics:
            self.metric_combo.setCurrentText("loss")
        self.metric_combo.blockSignals(False)
        self._draw_overlay()

    def _draw_overlay(self) -> None:
        records = self._selected_records()
        if not records and self._compare_plot is None:
            return  # the hint already says to select runs
        plot = self.compare_plot
        metric = self.metric_combo.currentText() or "loss"
        plot.reset(metric)
        shown = records[:MAX_COMPARED]
        for index, record in enumerate(shown):
            history = record.history()
            epochs = history.get("epoch", [])
            for name, dashed in ((metric, False), (f"val_{metric}", True)):
                values = history.get(name)
                if values and any(v is not None for v in values):
                    plot.add_overlay(f"{record.name} {'val' if dashed else 'train'}", epochs, values, index,
                                     dashed=dashed)
        if len(records) > len(shown):
            title = f"{metric}: the first {len(shown)} of {len(records)} selected runs"
        elif records:
            title = f"{metric}: {len(records)} run{'s' if len(records) != 1 else ''}"
        else:
            title = COMPARE_HINT
        plot.setTitle(title, color="#333", size="10pt")

    # ------------------------------------------------------------------ actions

    def _on_double_clicked(self, row: int, _column: int) -> None:
        run_id = self.table.item(row, 0).data(RUN_ID_ROLE)
        record = self.records.get(run_id)
        if record is not None and record.readable:
            self.context.run_requested.emit(str(record.path))

    def rename_selected(self) -> None:
        records = self._selected_records()
        if len(records) != 1:
            return
        name, ok = QInputDialog.getText(self, "Rename run", "Name:", text=records[0].name)
        if ok:
            self.rename_run(records[0].run_id, name)

    def rename_run(self, run_id: str, name: str) -> bool:
        try:
            self.store.rename(run_id, name)
        except WorkbenchError as exc:
            self._error("Cannot rename the run", str(exc))
            return False
        self.context.runs_changed.emit()
        return True

    def note_selected(self) -> None:
        records = self._selected_records()
        if len(records) != 1:
            return
        note, ok = QInputDialog.getMultiLineText(self, "Run note", f"Note for {records[0].name}:", records[0].note)
        if ok:
            self.set_note(records[0].run_id, note)

    def set_note(self, run_id: str, note: str) -> bool:
        try:
            self.store.set_note(run_id, note)
        except WorkbenchError as exc:
            self._error("Cannot save the note", str(exc))
            return False
        self.context.runs_changed.emit()
        return True

    def delete_selected(self) -> None:
        self.delete_runs(self.selected_ids(), confirm=True)

    def delete_runs(self, run_ids: list[str], confirm: bool = True) -> bool:
        """Delete runs (asking first unless ``confirm`` is False); True if all were deleted."""
        if not run_ids:
            return False
        if confirm:
            names = ", ".join(self.records[i].name if i in self.records else i for i in run_ids[:5])
            more = f" and {len(run_ids) - 5} more" if len(run_ids) > 5 else ""
            answer = QMessageBox.question(
                self, "Delete runs",
                f"Delete {len(run_ids)} run{'s' if len(run_ids) != 1 else ''} ({names}{more}) and their saved "
                "models? This cannot be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        failed = []
        for run_id in run_ids:
            try:
                self.store.delete(run_id)
            except WorkbenchError as exc:
                failed.append(str(exc))
        if len(failed) < len(run_ids):
            self.context.runs_changed.emit()
        if failed:
            self._error("Cannot delete the run", failed[0])  # after the refresh, so the message stays
            return False
        return True

    def reopen_selected(self) -> None:
        records = self._selected_records()
        if len(records) == 1:
            self.reopen_run(records[0].run_id)

    def reopen_run(self, run_id: str) -> bool:
        """Make the run's document the open experiment (asks before dropping unsaved changes)."""
        record = self.records.get(run_id)
        if record is None:
            return False
        try:
            document = record.document()
        except WorkbenchError as exc:
            self._error("Cannot open the run's experiment", str(exc))
            return False
        session = self.context.session
        if session.modified and self.ask:
            answer = QMessageBox.question(self, "Unsaved changes",
                                          "The open experiment has unsaved changes. Replace it anyway?")
            if answer != QMessageBox.StandardButton.Yes:
                return False
        session.replace(document)
        self.context.status_message.emit(f"Opened the experiment of run {record.name}.")
        return True

    def export_png_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save curves", "curves.png", "PNG images (*.png)")
        if name:
            self.export_png(name)

    def export_png(self, path: str | Path) -> bool:
        if not self.compare_plot.grab().save(str(path)):
            self._error("Cannot save the image", f"{path}: could not be written.")
            return False
        return True

    def export_csv_dialog(self) -> None:
        records = self._selected_records()
        if len(records) != 1:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save history", f"{records[0].run_id}-history.csv",
                                              "CSV files (*.csv)")
        if name:
            self.export_csv(records[0].run_id, name)

    def export_csv(self, run_id: str, path: str | Path) -> bool:
        record = self.records.get(run_id)
        source = record.path / "history.csv" if record else None
        if source is None or not source.is_file():
            self._error("No history", f"run {run_id} has no recorded epochs yet.")
            return False
        try:
            shutil.copyfile(source, path)
        except OSError as exc:
            self._error("Cannot save the history", f"{path}: {exc.strerror or exc}.")
            return False
        return True

    def _error(self, title: str, message: str) -> None:
        self.message_label.setText(message)
        self.context.status_message.emit(message)
        if self.ask:
            QMessageBox.warning(self, title, message)
