"""Typed editors for one layer parameter, built from its ``ParamSpec``.

Each field checks its value as the user types (the core's ``validate_value`` has the last word)
and emits ``committed(value)`` only for a valid value the user actually changed. Writing a value
back from the document never emits anything (signals are blocked), so redraws cannot loop.
"""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

INT_LIMIT = 2_000_000_000
FLOAT_LIMIT = 1e9
NONE_TEXT = "(Keras default)"
INVALID_STYLE = "border: 1px solid #b00020; background: #fde7ea;"


class FloatSpinBox(QDoubleSpinBox):
    """A double spin box that shows ``0.5`` rather than ``0.500000`` and parses with a dot."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setLocale(QLocale.c())
        self.setDecimals(7)

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}".rstrip("0").rstrip(".")
        return text if text not in ("", "-0") else "0"


def parse_numbers(text: str) -> list[int | None] | None:
    """``"28, 28, 1"`` or ``"28x28x1"`` → ``[28, 28, 1]``; None entries from "None"; None if unparsable."""
    parts = [p for p in re.split(r"[\s,x×*()\[\]]+", text.strip()) if p]
    values: list[int | None] = []
    for part in parts:
        if part.lower() == "none":
            values.append(None)
            continue
        try:
            values.append(int(part))
        except ValueError:
            return None
    return values


def format_numbers(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join("None" if v is None else str(v) for v in value)
    return str(value)


class _WheelGuard(QObject):
    """Scrolling the editor past a spin box or combo box must not change the layer."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()
            return True
        return False


WHEEL_GUARD = _WheelGuard()


def guard_wheel(widget: QWidget) -> None:
    """Only a focused spin box / combo box reacts to the mouse wheel."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(WHEEL_GUARD)


class ParamField(QObject):
    """One parameter's editor widget plus the line that explains what is wrong with it."""

    committed = Signal(object)

    def __init__(self, layer_type: str, spec, parent: QObject | None = None):
        super().__init__(parent)
        self.layer_type = layer_type
        self.spec = spec
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setVisible(False)
        self.problem.setObjectName(f"paramProblem_{spec.name}")
        self._value: Any = object()
        self.editor = self._make_editor()
        if isinstance(self.editor, (QSpinBox, QDoubleSpinBox, QComboBox)):
            guard_wheel(self.editor)
        self.editor.setObjectName(f"param_{spec.name}")
        self.editor.setToolTip(spec.help)
        self.editor.setAccessibleName(spec.name)

    # subclasses build the widget and read it back
    def _make_editor(self) -> QWidget:
        raise NotImplementedError

    def _write(self, value: Any) -> None:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        """Show ``value`` from the document, without emitting anything."""
        if value == self._value and type(value) is type(self._value):
            return
        self._value = value
        blocker = [w.blockSignals(True) for w in self._signal_sources()]
        try:
            self._write(value)
        finally:
            for w, was in zip(self._signal_sources(), blocker):
                w.blockSignals(was)
        self.show_problem(None)

    def value(self) -> Any:
        return self._value

    def _signal_sources(self) -> list[QObject]:
        return [self.editor]

    def show_problem(self, message: str | None) -> None:
        self.problem.setText(message or "")
        self.problem.setVisible(bool(message))

    def _offer(self, value: Any) -> bool:
        """Validate a user-entered value; commit it when good and different."""
        from workbench.core.catalog import validate_value

        message = validate_value(self.layer_type, self.spec.name, value)
        self.show_problem(message)
        if message:
            return False
        if value == self._value and type(value) is type(self._value):
            return True
        self._value = value
        self.committed.emit(value)
        return True

    @property
    def optional(self) -> bool:
        return self.spec.default is None and not self.spec.required


class IntField(ParamField):
    def _make_editor(self) -> QWidget:
        box = QSpinBox()
        low = int(self.spec.minimum) if self.spec.minimum is not None else -INT_LIMIT
        high = int(self.spec.maximum) if self.spec.maximum is not None else INT_LIMIT
        if self.optional:
            # One step below the minimum stands for "not set" (Keras' own default).
            low -= 1
            box.setSpecialValueText(NONE_TEXT)
        box.setRange(low, high)
        box.setGroupSeparatorShown(True)
        # Commit on Enter, focus loss or arrow clicks, not on every keystroke (one undo step).
        box.setKeyboardTracking(False)
        box.valueChanged.connect(self._on_changed)
        return box

    def _write(self, value: Any) -> None:
        box: QSpinBox = self.editor
        if value is None:
            box.setValue(box.minimum())
        elif isinstance(value, (list, tuple)) and value:
            box.setValue(int(value[0]))
        elif isinstance(value, (int, float)):
            box.setValue(int(value))

    def _on_changed(self, number: int) -> None:
        box: QSpinBox = self.editor
        value = None if self.optional and number == box.minimum() else number
        self._offer(value)


class FloatField(ParamField):
    def _make_editor(self) -> QWidget:
        box = FloatSpinBox()
        low = float(self.spec.minimum) if self.spec.minimum is not None else -FLOAT_LIMIT
        high = float(self.spec.maximum) if self.spec.maximum is not None else FLOAT_LIMIT
        box.setRange(low, high)
        box.setSingleStep(0.05 if high - low <= 1.0 else 0.1)
        box.setKeyboardTracking(False)
        box.valueChanged.connect(self._on_changed)
        self._shown: float | None = None
        return box

    def _write(self, value: Any) -> None:
        box: FloatSpinBox = self.editor
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            box.setValue(float(value))
        self._shown = box.value()

    def _on_changed(self, number: float) -> None:
        # The box rounds to its decimals (1/255 shows as 0.0039216): only a real change commits.
        if self._shown is not None and number == self._shown:
            return
        self._shown = number
        self._offer(float(number))


class BoolField(ParamField):
    def _make_editor(self) -> QWidget:
        box = QCheckBox()
        box.toggled.connect(lambda checked: self._offer(bool(checked)))
        return box

    def _write(self, value: Any) -> None:
        self.editor.setChecked(bool(value))


class ChoiceField(ParamField):
    def _make_editor(self) -> QWidget:
        box = QComboBox()
        if self.optional:
            box.addItem("(none)", None)
        for choice in self.spec.choices or []:
            box.addItem(choice, choice)
        box.activated.connect(lambda index: self._offer(box.itemData(index)))
        return box

    def _write(self, value: Any) -> None:
        box: QComboBox = self.editor
        index = box.findData(value)
        if index < 0 and value is not None:
            # A value from an imported or hand-edited file: shown as is, marked unknown.
            box.addItem(f"{value} (unknown)", value)
            index = box.count() - 1
        box.setCurrentIndex(max(index, 0))


class TextField(ParamField):
    """Line edit for tuples ("3, 3"), text and file paths; checked on every keystroke."""

    def _make_editor(self) -> QWidget:
        self.line = QLineEdit()
        if self.spec.kind == "tuple":
            example = "3, 3" if self.spec.length == 2 else "28, 28, 1"
            suffix = " (empty: Keras default)" if self.optional else ""
            self.line.setPlaceholderText(f"e.g. {example}{suffix}")
        elif self.optional:
            self.line.setPlaceholderText("(none)")
        self.line.textEdited.connect(self._on_edited)
        self.line.editingFinished.connect(self._on_finished)
        if self.spec.kind != "path":
            return self.line
        container = QWidget()
        row = QHBoxLayout(container)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip("Choose a file")
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        return container

    def _signal_sources(self) -> list[QObject]:
        return [self.line]

    def _write(self, value: Any) -> None:
        text = format_numbers(value) if self.spec.kind == "tuple" else ("" if value is None else str(value))
        self.line.setText(text)
        self.line.setStyleSheet("")

    def parse(self, text: str) -> tuple[Any, str | None]:
        """The value typed, or a message saying why it is not one."""
        from workbench.core.catalog import validate_value

        stripped = text.strip()
        if not stripped and self.optional:
            return None, None
        if self.spec.kind == "tuple":
            numbers = parse_numbers(stripped)
            if numbers is None or not numbers or any(n is None for n in numbers):
                return None, f"{self.spec.name}: type whole numbers separated by commas, e.g. 3, 3"
            value: Any = numbers
            if self.spec.length and len(numbers) == 1 and self.spec.length > 1:
                value = numbers * self.spec.length
        else:
            value = stripped if self.spec.kind == "path" else text
        return value, validate_value(self.layer_type, self.spec.name, value)

    def _on_edited(self, text: str) -> None:
        _, message = self.parse(text)
        self.line.setStyleSheet(INVALID_STYLE if message else "")
        self.show_problem(message)

    def _on_finished(self) -> None:
        value, message = self.parse(self.line.text())
        if message:
            self.line.setStyleSheet(INVALID_STYLE)
            self.show_problem(message)
            return
        self.line.setStyleSheet("")
        self._offer(value)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.editor, f"Choose {self.spec.name}", self.line.text(),
                                              "Text files (*.txt);;All files (*)")
        if name:
            self.line.setText(name)
            self._on_finished()


FIELD_TYPES = {"int": IntField, "float": FloatField, "bool": BoolField, "choice": ChoiceField,
               "tuple": TextField, "str": TextField, "path": TextField}


def make_field(layer_type: str, spec, parent: QObject | None = None) -> ParamField:
    """The editor that suits ``spec.kind``."""
    return FIELD_TYPES.get(spec.kind, TextField)(layer_type, spec, parent)
