"""The property editor: every setting of the selected layer, as typed widgets."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.builder.fields import ParamField, make_field
from workbench.gui.builder.stack_model import LayerStackModel


class LayerPropertyEditor(QScrollArea):
    """Shows the layer at :attr:`row`; each committed field becomes one undoable edit."""

    def __init__(self, model: LayerStackModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.row = -1
        self._layer_type: str | None = None
        self.fields: dict[str, ParamField] = {}
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._body = QWidget()
        self.setWidget(self._body)
        # Blend into the surrounding group box instead of a grey well.
        self.viewport().setAutoFillBackground(False)
        self._body.setAutoFillBackground(False)
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel()
        self.title.setObjectName("propertyTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self._layout.addWidget(self.title)
        self._form_host = QWidget()
        self._layout.addWidget(self._form_host)
        self._layout.addStretch(1)
        self._form_layout: QVBoxLayout | None = None
        self.show_row(-1)

    def show_row(self, row: int) -> None:
        """Edit layer ``row`` (-1: none); same layer as shown → only refresh values."""
        layers = self.model.layers
        layer_type = layers[row].type if 0 <= row < len(layers) else None
        if row == self.row and layer_type == self._layer_type and layer_type is not None:
            self.refresh_values()
            return
        self.row = row if layer_type is not None else -1
        self._layer_type = layer_type
        self._rebuild()

    def refresh_values(self) -> None:
        """Write the document's values into the fields (no signals, so no edits)."""
        if self.row < 0 or self.row >= len(self.model.layers):
            self.show_row(-1)
            return
        entry = self.model.layers[self.row]
        if entry.type != self._layer_type:
            self.show_row(self.row)
            return
        self._update_title()
        for name, field in self.fields.items():
            field.set_value(entry.config.get(name, field.spec.default))

    def _update_title(self) -> None:
        from workbench.core.catalog import CATALOG

        entry = self.model.layers[self.row]
        summary = self.model.layer_summary(self.row)
        name = summary.name if summary is not None else entry.type.lower()
        spec = CATALOG.get(entry.type)
        explanation = spec.explanation if spec is not None else "A layer the builder does not know."
        error = self.model.row_error(self.row)
        text = (f"<b style='font-size:12pt'>{html.escape(name)}</b> "
                f"<span style='color:gray'>({html.escape(entry.type)}, layer {self.row + 1})</span>"
                f"<br>{html.escape(explanation)}")
        if error:
            text += f"<br><span style='color:#b00020'>✖ {html.escape(error)}</span>"
        self.title.setText(text)

    def _rebuild(self) -> None:
        from workbench.core.catalog import CATALOG

        for field in self.fields.values():
            field.deleteLater()
        self.fields = {}
        old = self._form_host
        self._form_host = QWidget()
        self._layout.replaceWidget(old, self._form_host)
        # Detached at once so that lookups (findChild, tests, accessibility) never see stale editors.
        old.setParent(None)
        old.deleteLater()
        self._form_host.show()
        host_layout = QVBoxLayout(self._form_host)
        host_layout.setContentsMargins(0, 0, 0, 0)
        if self.row < 0:
            self.title.setText("<span style='color:gray'>Select a layer in the stack to see and change "
                               "its settings. Hover over a setting's name to learn what it does.</span>")
            return
        self._update_title()
        entry = self.model.layers[self.row]
        spec = CATALOG.get(entry.type)
        if spec is None:
            host_layout.addWidget(QLabel(f"{entry.type} is not in the catalog; its settings are kept as they "
                                         "are but cannot be edited here."))
            return
        if not spec.params:
            note = QLabel("This layer has no settings: it only changes the shape of the data.")
            note.setWordWrap(True)
            note.setStyleSheet("color: gray;")
            host_layout.addWidget(note)
        basic = [p for p in spec.params if not p.advanced]
        advanced = [p for p in spec.params if p.advanced]
        host_layout.addLayout(self._make_form(entry.type, basic, entry.config))
        if advanced:
            toggle = QToolButton()
            toggle.setObjectName("advancedToggle")
            toggle.setText("Advanced settings")
            toggle.setCheckable(True)
            toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            toggle.setArrowType(Qt.ArrowType.RightArrow)
            toggle.setAutoRaise(True)
            box = QWidget()
            box.setLayout(self._make_form(entry.type, advanced, entry.config))
            box.setVisible(False)

            def on_toggled(checked: bool) -> None:
                box.setVisible(checked)
                toggle.setArrowType(Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow)

            toggle.toggled.connect(on_toggled)
            # Advanced settings changed from their defaults are shown right away.
            if any(p.name in entry.config and entry.config[p.name] != p.default for p in advanced):
                toggle.setChecked(True)
            host_layout.addWidget(toggle)
            host_layout.addWidget(box)

    def _make_form(self, layer_type: str, params: list, config: dict[str, Any]) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for param in params:
            field = make_field(layer_type, param, self)
            field.set_value(config.get(param.name, param.default))
            field.committed.connect(lambda value, name=param.name: self._on_committed(name, value))
            label = QLabel(param.name + ("*" if param.required else ""))
            label.setToolTip(param.help)
            label.setBuddy(field.editor)
            column = QVBoxLayout()
            column.setSpacing(1)
            column.addWidget(field.editor)
            column.addWidget(field.problem)
            form.addRow(label, column)
            self.fields[param.name] = field
        return form

    def focus_first_field(self) -> None:
        """Put the keyboard in the first setting (double-click on a stack row)."""
        for field in self.fields.values():
            field.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            return

    def _on_committed(self, name: str, value: Any) -> None:
        if self.row >= 0:
            self.model.set_layer_value(self.row, name, value)
