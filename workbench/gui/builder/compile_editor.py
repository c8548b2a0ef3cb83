"""The compile section: optimizer and learning rate, loss, metrics (``model.compile`` arguments)."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QWidget,
)

from workbench.core.catalog.compile_choices import LOSSES, METRICS, OPTIMIZERS
from workbench.core.document import ExperimentDocument
from workbench.gui.builder.fields import FloatSpinBox, guard_wheel
from workbench.gui.session import DocumentSession


class CompileEditor(QWidget):
    """Edits ``document.compile``; each change is one undoable edit of the "compile" area."""

    def __init__(self, session: DocumentSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.optimizer = QComboBox()
        self.optimizer.setObjectName("compileOptimizer")
        for name, (_rate, text) in OPTIMIZERS.items():
            self.optimizer.addItem(name, name)
            self.optimizer.setItemData(self.optimizer.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.optimizer.activated.connect(self._on_optimizer_changed)
        form.addRow("Optimizer", self.optimizer)

        self.learning_rate = FloatSpinBox()
        self.learning_rate.setObjectName("compileLearningRate")
        self.learning_rate.setRange(1e-7, 10.0)
        self.learning_rate.setSingleStep(0.0001)
        self.learning_rate.setKeyboardTracking(False)
        self.learning_rate.setToolTip("Size of each weight update. Too high: the loss jumps around; "
                                      "too low: training crawls.")
        self.learning_rate.valueChanged.connect(self._on_learning_rate_changed)
        self._shown_rate: float | None = None
        form.addRow("Learning rate", self.learning_rate)

        self.loss = QComboBox()
        self.loss.setObjectName("compileLoss")
        for name, text in LOSSES.items():
            self.loss.addItem(name, name)
            self.loss.setItemData(self.loss.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.loss.activated.connect(self._on_loss_changed)
        form.addRow("Loss", self.loss)

        metrics = QWidget()
        metrics.setObjectName("compileMetrics")
        grid = QGridLayout(metrics)
        grid.setContentsMargins(0, 0, 0, 0)
        self.metric_boxes: dict[str, QCheckBox] = {}
        for i, (name, text) in enumerate(METRICS.items()):
            box = QCheckBox(name)
            box.setObjectName(f"metric_{name}")
            box.setToolTip(text)
            box.toggled.connect(self._on_metrics_changed)
            grid.addWidget(box, i // 2, i % 2)
            self.metric_boxes[name] = box
        form.addRow("Metrics", metrics)

        for widget in (self.optimizer, self.learning_rate, self.loss):
            guard_wheel(widget)
        for combo in (self.optimizer, self.loss):
            # Long loss names must not force the whole column wide; the popup still shows them in full.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        session.document_changed.connect(self._on_document_changed)
        session.document_replaced.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ document → widgets

    def _on_document_changed(self, area: str) -> None:
        if area in ("compile", "all"):
            self.refresh()

    def refresh(self) -> None:
        spec = self.session.document.compile
        widgets = [self.optimizer, self.learning_rate, self.loss, *self.metric_boxes.values()]
        blocked = [w.blockSignals(True) for w in widgets]
        try:
            self._select(self.optimizer, spec.optimizer)
            self._select(self.loss, spec.loss)
            self.learning_rate.setValue(self._effective_rate(spec.optimizer, spec.optimizer_config))
            self._shown_rate = self.learning_rate.value()
            for name, box in self.metric_boxes.items():
                box.setChecked(name in spec.metrics)
        finally:
            for widget, was in zip(widgets, blocked):
                widget.blockSignals(was)

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index < 0:
            # A name from a hand-edited file or an imported model: kept and shown, not lost.
            combo.addItem(value, value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    @staticmethod
    def _effective_rate(optimizer: str, config: dict) -> float:
        rate = config.get("learning_rate")
        if isinstance(rate, (int, float)) and not isinstance(rate, bool):
            return float(rate)
        return OPTIMIZERS.get(optimizer, (0.001, ""))[0]

    # ------------------------------------------------------------------ widgets → document

    def _edit(self, text: str, change) -> None:
        self.session.edit(text, "compile", change)

    def _on_optimizer_changed(self, index: int) -> None:
        name = self.optimizer.itemData(index)
        current = self.session.document.compile
        if name == current.optimizer:
            return
        # Other optimizer kwargs (momentum, rho…) belong to the old optimizer; a chosen rate stays.
        config = {k: v for k, v in current.optimizer_config.items() if k == "learning_rate"}

        def change(document: ExperimentDocument) -> None:
            document.compile.optimizer = name
            document.compile.optimizer_config = copy.deepcopy(config)

        self._edit(f"Set optimizer {name}", change)

    def _on_learning_rate_changed(self, value: float) -> None:
        if self._shown_rate is not None and value == self._shown_rate:
            return
        self._shown_rate = value

        def change(document: ExperimentDocument) -> None:
            document.compile.optimizer_config["learning_rate"] = float(value)

        self._edit(f"Set learning rate {value:g}", change)

    def _on_loss_changed(self, index: int) -> None:
        name = self.loss.itemData(index)
        if name == self.session.document.compile.loss:
            return

        def change(document: ExperimentDocument) -> None:
            document.compile.loss = name

        self._edit(f"Set loss {name}", change)

    def _on_metrics_changed(self, _checked: bool) -> None:
        chosen = [name for name, box in self.metric_boxes.items() if box.isChecked()]
        # Metrics this editor does not offer (from a file) are kept.
        extra = [m for m in self.session.document.compile.metrics if m not in self.metric_boxes]
        metrics = chosen + extra
        if metrics == self.session.document.compile.metrics:
            return

        def change(document: ExperimentDocument) -> None:
            document.compile.metrics = list(metrics)

        self._edit("Set metrics", change)
