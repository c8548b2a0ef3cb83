"""The Builder panel: palette, layer stack with live shapes, property and compile editors.

The session's document is the only state. Every change is one undoable ``session.edit``; the
views redraw from the document (and from ``summarize(document)``) when the session says it
changed, so Edit → Undo/Redo, autosave and the other panels all see the same design.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.gui.builder.compile_editor import CompileEditor
from workbench.gui.builder.formatting import format_bytes, format_count
from workbench.gui.builder.input_editor import InputShapeEditor
from workbench.gui.builder.mime import layers_from_text, layers_to_text
from workbench.gui.builder.model_io import export_python_text, import_model_document
from workbench.gui.builder.palette import LayerPalette
from workbench.gui.builder.properties import LayerPropertyEditor
from workbench.gui.builder.stack_model import LayerStackModel
from workbench.gui.builder.stack_view import LayerStackView
from workbench.gui.context import AppContext
from workbench.gui.workers import Worker

ISSUE_ROW_ROLE = Qt.ItemDataRole.UserRole + 1
PYTHON_FILTER = "Python scripts (*.py);;All files (*)"
KERAS_FILTER = "Keras models (*.keras);;All files (*)"


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the space it gets; the whole text is the tooltip."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), 50)
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))


class BuilderPanel(QWidget):
    """Design a Keras ``Sequential`` model by stacking layers; see every shape as you go."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.session = context.session
        self.import_worker: Worker | None = None
        self._import_path = Path()
        self._last_row = -1

        self.stack_model = LayerStackModel(self.session, self)

        # ---- header: what this experiment is, and the file actions
        self.title = QLabel()
        self.title.setObjectName("designTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.description = ElidedLabel()
        self.description.setObjectName("designDescription")
        self.description.setStyleSheet("color: gray;")
        self.open_model_button = QPushButton("Open model…")
        self.open_model_button.setObjectName("openModelButton")
        self.open_model_button.setToolTip("Import the layers of an existing .keras model file "
                                          "into the builder.")
        self.open_model_button.clicked.connect(self.open_model_dialog)
        self.export_button = QPushButton("Export as Python…")
        self.export_button.setObjectName("exportPythonButton")
        self.export_button.setToolTip("Write a standalone Keras script that builds and trains this model.")
        self.export_button.clicked.connect(self.export_python_dialog)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.description)
        header.addLayout(titles, 1)
        header.addWidget(self.open_model_button)
        header.addWidget(self.export_button)

        self.message = QLabel()
        self.message.setObjectName("builderMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)

        # ---- left: palette
        self.palette_widget = LayerPalette()
        self.palette_widget.layer_activated.connect(self.add_layer)
        self.palette_tree = self.palette_widget.tree
        self.palette_search = self.palette_widget.search

        # ---- centre: input shape, stack, totals, issues
        self.input_editor = InputShapeEditor(self.session)
        self.input_editor.setObjectName("inputShapeEditor")
        self.stack = LayerStackView(self.stack_model)
        self.stack.setObjectName("layerStack")
        self.stack.current_row_changed.connect(self._on_current_row_changed)
        self.stack.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.stack.customContextMenuRequested.connect(self._show_stack_menu)
        self.stack.doubleClicked.connect(lambda _index: self.property_editor.focus_first_field())
        self._make_actions()
        stack_tools = QHBoxLayout()
        stack_tools.setContentsMargins(0, 0, 0, 0)
        stack_title = ElidedLabel()
        font = stack_title.font()
        font.setBold(True)
        stack_title.setFont(font)
        stack_title.setMinimumWidth(60)
        stack_title.set_full_text("Layers, from input to output")
        stack_tools.addWidget(stack_title, 1)
        for action in (self.move_up_action, self.move_down_action, self.duplicate_action, self.delete_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            stack_tools.addWidget(button)

        self.totals = QLabel()
        self.totals.setObjectName("designTotals")
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.issues = QListWidget()
        self.issues.setObjectName("designIssues")
        self.issues.setWordWrap(True)
        self.issues.setMaximumHeight(120)
        self.issues.itemClicked.connect(self._on_issue_clicked)
        self.issues.itemActivated.connect(self._on_issue_clicked)
        self.issues.installEventFilter(self)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.input_editor)
        centre_layout.addLayout(stack_tools)
        centre_layout.addWidget(self.stack, 1)
        centre_layout.addWidget(self.totals)
        centre_layout.addWidget(QLabel("<b>Checks</b>"))
        centre_layout.addWidget(self.issues)

        # ---- right: layer settings and compile settings
        self.property_editor = LayerPropertyEditor(self.stack_model)
        self.property_editor.setObjectName("propertyEditor")
        layer_box = QGroupBox("Layer settings")
        layer_box.setLayout(QVBoxLayout())
        layer_box.layout().addWidget(self.property_editor)
        self.compile_editor = CompileEditor(self.session)
        self.compile_editor.setObjectName("compileEditor")
        compile_box = QGroupBox("Compile (how the model learns)")
        compile_box.setLayout(QVBoxLayout())
        compile_box.layout().addWidget(self.compile_editor)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(layer_box, 1)
        right_layout.addWidget(compile_box)

        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("builderSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.palette_widget)
        splitter.addWidget(centre)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        self._sized = False

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        self.stack_model.summary_changed.connect(self._on_summary_changed)
        self.session.document_changed.connect(self._on_document_changed)
        self.session.document_replaced.connect(self._on_document_replaced)
        self._on_document_replaced()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            # After this event: the window's layout has then given the splitter its real width.
            QTimer.singleShot(0, self._initial_sizes)

    def _initial_sizes(self) -> None:
        """The palette fits its longest name, the editors get a fixed column, the stack the rest."""
        tree = self.palette_tree
        palette = max(tree.sizeHintForColumn(0) + tree.indentation() + 2 * tree.frameWidth() + 24, 190)
        right = 320
        total = max(self.splitter.width(), palette + right + 300)
        self.splitter.setSizes([palette, total - palette - right, right])

    # ------------------------------------------------------------------ actions

    def _make_actions(self) -> None:
        style = self.style()

        def action(text: str, shortcut, slot, name: str, tip: str, icon=None) -> QAction:
            act = QAction(text, self.stack)
            act.setObjectName(name)
            act.setToolTip(tip)
            if icon is not None:
                act.setIcon(style.standardIcon(icon))
            if shortcut is not None:
                act.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
            # Only while the stack has focus: Ctrl+C in a text field must still copy text.
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.stack.addAction(act)
            return act

        keys = QKeySequence.StandardKey
        self.delete_action = action("Delete", [QKeySequence(keys.Delete), QKeySequence("Backspace")],
                                    self.delete_selected, "deleteLayerAction",
                                    "Delete the selected layers (Del)",
                                    QStyle.StandardPixmap.SP_TrashIcon)
        self.duplicate_action = action("Duplicate", "Ctrl+D", self.duplicate_selected, "duplicateLayerAction",
                                       "Duplicate the selected layers (Ctrl+D)")
        self.cut_action = action("Cut", QKeySequence(keys.Cut), self.cut_selected, "cutLayerAction",
                                 "Cut the selected layers (Ctrl+X)")
        self.copy_action = action("Copy", QKeySequence(keys.Copy), self.copy_selected, "copyLayerAction",
                                  "Copy the selected layers (Ctrl+C)")
        self.paste_action = action("Paste", QKeySequence(keys.Paste), self.paste, "pasteLayerAction",
                                   "Paste layers after the current one (Ctrl+V)")
        self.move_up_action = action("Up", "Alt+Up", lambda: self.move_selected(-1), "moveUpAction",
                                     "Move the selected layers towards the input (Alt+Up)",
                                     QStyle.StandardPixmap.SP_ArrowUp)
        self.move_down_action = action("Down", "Alt+Down", lambda: self.move_selected(1), "moveDownAction",
                                       "Move the selected layers towards the output (Alt+Down)",
                                       QStyle.StandardPixmap.SP_ArrowDown)

    def _show_stack_menu(self, pos) -> None:
        menu = QMenu(self)
        for act in (self.cut_action, self.copy_action, self.paste_action, None, self.duplicate_action,
                    self.delete_action, None, self.move_up_action, self.move_down_action):
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(act)
        menu.exec(self.stack.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ layer operations

    def add_layer(self, layer_type: str, row: int | None = None) -> int:
        """Add a catalog layer with default settings before ``row`` (at the end when None)."""
        return self.stack_model.insert_new_layer(layer_type, row)

    def delete_selected(self) -> None:
        self.stack_model.remove_rows(self.stack.selected_rows())

    def duplicate_selected(self) -> None:
        self.stack_model.duplicate_rows(self.stack.selected_rows())

    def copy_selected(self) -> bool:
        layers = self.stack_model.layers_as_dicts(self.stack.selected_rows())
        if not layers:
            return False
        QApplication.clipboard().setText(layers_to_text(layers))
        return True

    def cut_selected(self) -> None:
        rows = self.stack.selected_rows()
        if self.copy_selected():
            first = self.stack_model.layers[rows[0]].type
            text = f"Cut {len(rows)} layers" if len(rows) > 1 else f"Cut {first}"
            self.stack_model.remove_rows(rows, text)

    def paste(self) -> None:
        from workbench.core.catalog import CATALOG

        # Only layers the builder knows: the clipboard may come from another (newer) workbench.
        layers = [layer for layer in layers_from_text(QApplication.clipboard().text()) or []
                  if layer["type"] in CATALOG]
        if not layers:
            self.context.status_message.emit("The clipboard holds no layers to paste.")
            return
        rows = self.stack.selected_rows()
        row = rows[-1] + 1 if rows else len(self.stack_model.layers)
        text = f"Paste {layers[0]['type']}" if len(layers) == 1 else f"Paste {len(layers)} layers"
        self.stack_model.insert_layers(layers, row, text)

    def move_selected(self, step: int) -> None:
        rows = self.stack.selected_rows()
        if not rows:
            return
        destination = rows[0] - 1 if step < 0 else rows[-1] + 2
        if destination < 0 or destination > len(self.stack_model.layers):
            return
        self.stack_model.move_rows(rows, destination)

    # ------------------------------------------------------------------ document → views

    def _on_document_replaced(self) -> None:
        self._last_row = -1
        self.show_message(None)
        self._update_title()
        self.property_editor.show_row(-1)
        self._on_summary_changed()
        if self.stack_model.rowCount():
            self.stack.select_rows([0])
        self._update_actions()

    def _on_document_changed(self, area: str) -> None:
        if area in ("model", "all"):
            # Undo/redo and resets drop the selection: keep the user near where they were.
            count = len(self.stack_model.layers)
            if self.stack.current_row() < 0 and count and self._last_row >= 0:
                self.stack.select_rows([min(self._last_row, count - 1)])
            self.property_editor.show_row(self.stack.current_row())
        elif area in ("compile", "data"):
            self.property_editor.refresh_values()
        self._update_title()

    def _on_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self._last_row = row
        self.property_editor.show_row(row)
        self._update_actions()

    def _update_actions(self) -> None:
        has_rows = bool(self.stack.selected_rows())
        for act in (self.delete_action, self.duplicate_action, self.cut_action, self.copy_action,
                    self.move_up_action, self.move_down_action):
            act.setEnabled(has_rows)

    def _update_title(self) -> None:
        document = self.session.document
        self.title.setText(f"<b style='font-size:13pt'>{html.escape(document.name)}</b>")
        self.description.set_full_text(document.description)

    @Slot()
    def _on_summary_changed(self) -> None:
        summary = self.stack_model.summary
        self.issues.clear()
        if summary is None:
            self.totals.setText(html.escape(self.stack_model.summary_failure or ""))
            return
        trainable = summary.trainable_params
        non_trainable = summary.non_trainable_params
        total = summary.total_params
        self.totals.setText(
            "<table cellspacing=0 cellpadding=1>"
            f"<tr><td><b>Total params:</b>&nbsp;</td><td align=right>{format_count(total)}</td>"
            f"<td>&nbsp;({format_bytes(total or 0)})</td></tr>"
            f"<tr><td>Trainable params:&nbsp;</td><td align=right>{format_count(trainable)}</td>"
            f"<td>&nbsp;({format_bytes(trainable or 0)})</td></tr>"
            f"<tr><td>Non-trainable params:&nbsp;</td><td align=right>{format_count(non_trainable)}</td>"
            f"<td>&nbsp;({format_bytes(non_trainable or 0)})</td></tr></table>"
        )
        style = self.style()
        for issue in [*summary.errors, *summary.warnings]:
            icon = (QStyle.StandardPixmap.SP_MessageBoxCritical if issue.severity == "error"
                    else QStyle.StandardPixmap.SP_MessageBoxWarning)
            item = QListWidgetItem(style.standardIcon(icon), issue.format())
            item.setData(ISSUE_ROW_ROLE, issue.layer_index)
            item.setToolTip(issue.message)
            self.issues.addItem(item)
        if not summary.errors and not summary.warnings:
            item = QListWidgetItem(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
                                   "No problems found: Keras can build this model.")
            item.setData(ISSUE_ROW_ROLE, None)
            self.issues.addItem(item)
        self._fit_issues_height()

    def _fit_issues_height(self) -> None:
        """As tall as its lines (up to about five), so a clean design leaves room for the stack."""
        # Wrapped lines depend on the width: refit after layout settles and on every resize.
        metrics = self.issues.fontMetrics()
        # Text width: the viewport less the icon and the delegate's margins.
        width = max(self.issues.viewport().width() - self.issues.iconSize().width() - 24, 80)
        height = 0
        for i in range(self.issues.count()):
            text = self.issues.item(i).text()
            rect = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
            height += max(rect.height() + 6, 22)
        cap = 5 * (self.fontMetrics().height() + 8)
        target = min(height, cap) + 2 * self.issues.frameWidth() + 4
        if self.issues.height() != target or self.issues.minimumHeight() != target:
            self.issues.setFixedHeight(target)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.issues and event.type() == QEvent.Type.Resize:
            self._fit_issues_height()
        return super().eventFilter(watched, event)

    def _on_issue_clicked(self, item: QListWidgetItem) -> None:
        row = item.data(ISSUE_ROW_ROLE)
        if isinstance(row, int) and 0 <= row < len(self.stack_model.layers):
            self.stack.select_rows([row])
            self.stack.setFocus()

    # ------------------------------------------------------------------ messages

    def show_message(self, text: str | None, *, error: bool = False) -> None:
        """A line above the panel for results and errors (no modal dialog to dismiss)."""
        if not text:
            self.message.setVisible(False)
            self.message.clear()
            return
        colour, background = ("#b00020", "#fde7ea") if error else ("#1b5e20", "#e8f5e9")
        self.message.setStyleSheet(f"QLabel {{ color: {colour}; background: {background}; "
                                   "border-radius: 4px; padding: 6px; }")
        self.message.setText(text)
        self.message.setVisible(True)

    # ------------------------------------------------------------------ export / import

    def export_python_dialog(self) -> None:
        stem = (self.session.path.name.split(".")[0] if self.session.path else
                (self.session.document.template or "model"))
        name, _ = QFileDialog.getSaveFileName(self, "Export as Python", f"{stem}.py", PYTHON_FILTER)
        if name:
            self.export_python_to(name)

    def export_python_to(self, path: str | Path) -> bool:
        """Write the standalone script; a design that cannot be exported says why and writes nothing."""
        from workbench.core.storage import atomic_write_text

        path = Path(path)
        try:
            code = export_python_text(self.session.document)
            atomic_write_text(path, code)
        except WorkbenchError as exc:
            self.show_message(f"Cannot export: {exc}", error=True)
            return False
        except OSError as exc:
            self.show_message(f"Cannot write {path}: {exc.strerror or exc}. Choose another folder.",
                              error=True)
            return False
        self.show_message(f"Exported to {path}. Run it with: python {path.name}")
        self.context.status_message.emit(f"Exported {path}.")
        return True

    def open_model_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open Keras model", "", KERAS_FILTER)
        if name:
            self.open_model_file(name)

    def open_model_file(self, path: str | Path) -> Worker:
        """Import a ``.keras`` file in the background; the design changes only when it succeeds."""
        path = Path(path)
        self._import_path = path
        self.open_model_button.setEnabled(False)
        self.show_message(f"Reading {path.name}…")
        worker = Worker(_import_model_task, str(path), name="model-import")
        # Bound slots of this (GUI-thread) widget: the calls are queued, never run on the worker thread.
        worker.finished.connect(self._on_model_imported)
        worker.failed.connect(self._on_model_import_failed)
        self.import_worker = self.context.pool.start(worker)
        return worker

    @Slot(object)
    def _on_model_imported(self, model) -> None:
        path = self._import_path
        self.open_model_button.setEnabled(True)

        def change(document) -> None:
            document.model = model

        self.session.edit(f"Open model {path.name}", "model", change)
        self.show_message(f"Imported {len(model.layers)} layers from {path.name}. Edit → Undo brings the "
                          "previous design back.")
        if self.stack_model.rowCount():
            self.stack.select_rows([0])

    @Slot(str)
    def _on_model_import_failed(self, message: str) -> None:
        path = self._import_path
        self.open_model_button.setEnabled(True)
        first = message.strip().splitlines()[0] if message.strip() else "unknown error"
        self.show_message(f"Cannot open {path.name}: {first} The current design is unchanged.", error=True)


def _import_model_task(task, path: str):
    """Worker body: read the model file off the GUI thread (it imports TensorFlow)."""
    return import_model_document(path)
