"""The input-shape line above the stack: the shape of one sample, or "take it from the data"."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from workbench.core.document import ExperimentDocument
from workbench.gui.builder.fields import INVALID_STYLE, format_numbers, parse_numbers
from workbench.gui.session import DocumentSession


def parse_input_shape(text: str) -> tuple[list[int | None] | None, str | None]:
    """``"28, 28, 1"`` → ``[28, 28, 1]``; a message for anything else (empty → None, "not set")."""
    if not text.strip():
        return None, None
    numbers = parse_numbers(text)
    if numbers is None or not numbers:
        return None, "Type the size of one sample, numbers separated by commas: e.g. 784 or 28, 28, 1."
    for i, dim in enumerate(numbers):
        if dim is not None and dim < 1:
            return None, (f"Dimension {i + 1} is {dim}; every size must be at least 1 "
                          "(or None for any length).")
    return numbers, None


class InputShapeEditor(QWidget):
    """Edits ``model.input_shape`` and ``model.input_from_data``, one undoable step each."""

    def __init__(self, session: DocumentSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("<b>Input shape</b>")
        label.setToolTip("The shape of one sample, without the batch axis (Keras' Input(shape=…)).")
        row.addWidget(label)
        self.line = QLineEdit()
        self.line.setObjectName("inputShapeEdit")
        self.line.setPlaceholderText("e.g. 10000 or 28, 28, 1")
        self.line.setToolTip(label.toolTip())
        self.line.setMinimumWidth(140)
        self.line.setMaximumWidth(280)
        self.line.textEdited.connect(self._on_edited)
        self.line.editingFinished.connect(self._on_finished)
        label.setBuddy(self.line)
        row.addWidget(self.line)
        self.from_data = QCheckBox("take it from the data")
        self.from_data.setObjectName("inputFromData")
        self.from_data.setToolTip("When training starts, use the shape of the prepared data instead.")
        self.from_data.toggled.connect(self._on_from_data_toggled)
        row.addWidget(self.from_data)
        self.problem = QLabel()
        self.problem.setObjectName("inputShapeProblem")
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setWordWrap(True)
        row.addWidget(self.problem, 1)
        session.document_changed.connect(self._on_document_changed)
        session.document_replaced.connect(self.refresh)
        self.refresh()

    def _on_document_changed(self, area: str) -> None:
        if area in ("model", "all"):
            self.refresh()

    def refresh(self) -> None:
        spec = self.session.document.model
        text = format_numbers(spec.input_shape)
        current, message = parse_input_shape(self.line.text())
        if message or current != spec.input_shape:
            self.line.blockSignals(True)
            self.line.setText(text)
            self.line.blockSignals(False)
        self.line.setStyleSheet("")
        self.problem.clear()
        self.from_data.blockSignals(True)
        self.from_data.setChecked(spec.input_from_data)
        self.from_data.blockSignals(False)
        self.line.setPlaceholderText("taken from the data" if spec.input_from_data
                                     else "e.g. 10000 or 28, 28, 1")

    def _on_edited(self, text: str) -> None:
        _, message = parse_input_shape(text)
        self.line.setStyleSheet(INVALID_STYLE if message else "")
        self.problem.setText(message or "")

    def _on_finished(self) -> None:
        shape, message = parse_input_shape(self.line.text())
        if message:
            self._on_edited(self.line.text())
            return
        if shape == self.session.document.model.input_shape:
            return

        def change(document: ExperimentDocument) -> None:
            document.model.input_shape = shape

        self.session.edit(f"Set input shape {format_numbers(shape) or 'none'}", "model", change)

    def _on_from_data_toggled(self, checked: bool) -> None:
        def change(document: ExperimentDocument) -> None:
            document.model.input_from_data = checked

        self.session.edit("Take input shape from data" if checked else "Fixed input shape", "model", change)
