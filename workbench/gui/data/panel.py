"""The Data panel."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from workbench.gui.context import AppContext
from workbench.gui.widgets.placeholder import PanelPlaceholder


class DataPanel(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        layout.addWidget(PanelPlaceholder("Data", "Browse datasets and samples."))
