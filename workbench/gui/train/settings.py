"""Editors for ``document.training``: every change is one undoable edit, impossible values refused."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.document import MAX_VALIDATION_SPLIT, EarlyStoppingSpec, ExperimentDocument, ReduceLRSpec
from workbench.core.errors import WorkbenchError

MONITORS = ["val_loss", "loss", "val_accuracy", "accuracy"]


class TrainSettingsEditor(QWidget):
    """The Train panel's settings form; ``refused(message)`` when a value cannot be applied."""

    refused = Signal(str)

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainSettings")
        self.session = session
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        basics = QGroupBox("Fit")
        form = QFormLayout(basics)
        self.epochs = self._spin("epochsSpin", 1, 100_000, "Passes over the training data.")
        form.addRow("Epochs", self.epochs)
        self.batch_size = self._spin("batchSizeSpin", 1, 1_000_000, "Samples per gradient step (at least 1).")
        form.addRow("Batch size", self.batch_size)
        self.validation_split = QDoubleSpinBox()
        self.validation_split.setObjectName("validationSplitSpin")
        self.validation_split.setRange(0.0, MAX_VALIDATION_SPLIT)
        self.validation_split.setSingleStep(0.05)
        self.validation_split.setDecimals(2)
        self.validation_split.setSpecialValueText("none")
        self.validation_split.setToolTip("Fraction of the training split held out for validation "
                                         "(below 1; a source's own validation set wins).")
        form.addRow("Validation split", self.validation_split)
        self.shuffle = QCheckBox("Shuffle each epoch")
        self.shuffle.setObjectName("shuffleCheck")
        form.addRow("", self.shuffle)
        self.seed = QSpinBox()
        self.seed.setObjectName("seedSpin")
        self.seed.setRange(-1, 2_147_483_647)
        self.seed.setSpecialValueText("random")
        self.seed.setToolTip("Random seed for reproducible runs (lowest value = random each time).")
        form.addRow("Seed", self.seed)
        self.checkpoint = QCheckBox("Keep the best epoch")
        self.checkpoint.setToolTip("Save the model of the best validation epoch as best.keras in the run folder.")
        self.checkpoint.setObjectName("checkpointCheck")
        form.addRow("", self.checkpoint)
        layout.addWidget(basics)

        self.early = QGroupBox("Early stopping")
        self.early.setObjectName("earlyStoppingGroup")
        self.early.setCheckable(True)
        form = QFormLayout(self.early)
        self.early_monitor = self._monitor_combo("earlyMonitorCombo")
        form.addRow("Monitor", self.early_monitor)
        self.early_min_delta = QDoubleSpinBox()
        self.early_min_delta.setObjectName("earlyMinDeltaSpin")
        self.early_min_delta.setRange(0.0, 1000.0)
        self.early_min_delta.setDecimals(4)
        self.early_min_delta.setSingleStep(0.001)
        form.addRow("Min delta", self.early_min_delta)
        self.early_patience = self._spin("earlyPatienceSpin", 0, 10_000, "Epochs without improvement before stopping.")
        form.addRow("Patience", self.early_patience)
        self.early_restore = QCheckBox("Restore best weights")
        self.early_restore.setObjectName("earlyRestoreCheck")
        form.addRow("", self.early_restore)
        layout.addWidget(self.early)

        self.reduce = QGroupBox("Reduce learning rate on plateau")
        self.reduce.setObjectName("reduceLrGroup")
        self.reduce.setCheckable(True)
        form = QFormLayout(self.reduce)
        self.reduce_monitor = self._monitor_combo("reduceMonitorCombo")
        form.addRow("Monitor", self.reduce_monitor)
        self.reduce_factor = QDoubleSpinBox()
        self.reduce_factor.setObjectName("reduceFactorSpin")
        self.reduce_factor.setRange(0.01, 0.99)
        self.reduce_factor.setSingleStep(0.05)
        form.addRow("Factor", self.reduce_factor)
        self.reduce_patience = self._spin("reducePatienceSpin", 0, 10_000, "Epochs without improvement first.")
        form.addRow("Patience", self.reduce_patience)
        self.reduce_min_lr = QDoubleSpinBox()
        self.reduce_min_lr.setObjectName("reduceMinLrSpin")
        self.reduce_min_lr.setRange(0.0, 1.0)
        self.reduce_min_lr.setDecimals(7)
        self.reduce_min_lr.setSingleStep(1e-6)
        form.addRow("Min learning rate", self.reduce_min_lr)
        layout.addWidget(self.reduce)

        self.tensorboard = QGroupBox("TensorBoard logs")
        self.tensorboard.setObjectName("tensorboardGroup")
        self.tensorboard.setCheckable(True)
        row = QHBoxLayout(self.tensorboard)
        self.tensorboard_dir = QLineEdit()
        self.tensorboard_dir.setObjectName("tensorboardDirEdit")
        self.tensorboard_dir.setPlaceholderText("folder for TensorBoard event files")
        row.addWidget(self.tensorboard_dir)
        browse = QPushButton("…")
        browse.setObjectName("tensorboardBrowseButton")
        browse.clicked.connect(self._browse_tensorboard)
        row.addWidget(browse)
        layout.addWidget(self.tensorboard)

        self.error_label = QLabel()
        self.error_label.setObjectName("trainSettingsError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self._connect()
        self.load()
        session.document_replaced.connect(self.load)
        session.document_changed.connect(self._on_document_changed)

    # -- construction helpers --------------------------------------------------------

    def _spin(self, name: str, low: int, high: int, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)  # one edit per finished number, not per keystroke
        return spin

    def _monitor_combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setEditable(True)
        combo.addItems(MONITORS)
        return combo

    def _connect(self) -> None:
        t = lambda doc: doc.training
        self.epochs.valueChanged.connect(lambda v: self._set("Set epochs", lambda d: setattr(t(d), "epochs", v)))
        self.batch_size.valueChanged.connect(
            lambda v: self._set("Set batch size", lambda d: setattr(t(d), "batch_size", v)))
        self.validation_split.setKeyboardTracking(False)
        self.validation_split.valueChanged.connect(
            lambda v: self._set("Set validation split",
                                lambda d: setattr(t(d), "validation_split", round(v, 4) if v > 0 else None)))
        self.shuffle.toggled.connect(lambda v: self._set("Set shuffle", lambda d: setattr(t(d), "shuffle", v)))
        self.seed.setKeyboardTracking(False)
        self.seed.valueChanged.connect(
            lambda v: self._set("Set seed", lambda d: setattr(t(d), "seed", v if v >= 0 else None)))
        self.checkpoint.toggled.connect(
            lambda v: self._set("Set checkpoint", lambda d: setattr(t(d), "checkpoint_best", v)))
        self.early.toggled.connect(self._on_early_changed)
        # Editable: commit a finished name (Enter, focus out) or a picked item, not every keystroke.
        self.early_monitor.activated.connect(self._on_early_changed)
        self.early_monitor.lineEdit().editingFinished.connect(self._on_early_changed)
        self.early_min_delta.setKeyboardTracking(False)
        self.early_min_delta.valueChanged.connect(self._on_early_changed)
        self.early_patience.valueChanged.connect(self._on_early_changed)
        self.early_restore.toggled.connect(self._on_early_changed)
        self.reduce.toggled.connect(self._on_reduce_changed)
        # Editable: commit a finished name (Enter, focus out) or a picked item, not every keystroke.
        self.reduce_monitor.activated.connect(self._on_reduce_changed)
        self.reduce_monitor.lineEdit().editingFinished.connect(self._on_reduce_changed)
        self.reduce_factor.setKeyboardTracking(False)
        self.reduce_factor.valueChanged.connect(self._on_reduce_changed)
        self.reduce_patience.valueChanged.connect(self._on_reduce_changed)
        self.reduce_min_lr.setKeyboardTracking(False)
        self.reduce_min_lr.valueChanged.connect(self._on_reduce_changed)
        self.tensorboard.toggled.connect(self._on_tensorboard_changed)
        self.tensorboard_dir.editingFinished.connect(self._on_tensorboard_changed)

    # -- document → editors -------------------------------------------------------------

    def _on_document_changed(self, area: str) -> None:
        if area in ("training", "all"):
            self.load()

    def load(self) -> None:
        """Show the document's settings without pushing edits back."""
        self._loading = True
        try:
            tr = self.session.document.training
            self.epochs.setValue(tr.epochs)
            self.batch_size.setValue(tr.batch_size)
            self.validation_split.setValue(tr.validation_split or 0.0)
            self.shuffle.setChecked(tr.shuffle)
            self.seed.setValue(tr.seed if tr.seed is not None else -1)
            self.checkpoint.setChecked(tr.checkpoint_best)
            es = tr.early_stopping or EarlyStoppingSpec()
            self.early.setChecked(tr.early_stopping is not None)
            self.early_monitor.setCurrentText(es.monitor)
            self.early_min_delta.setValue(es.min_delta)
            self.early_patience.setValue(es.patience)
            self.early_restore.setChecked(es.restore_best_weights)
            rl = tr.reduce_lr or ReduceLRSpec()
            self.reduce.setChecked(tr.reduce_lr is not None)
            self.reduce_monitor.setCurrentText(rl.monitor)
            self.reduce_factor.setValue(rl.factor)
            self.reduce_patience.setValue(rl.patience)
            self.reduce_min_lr.setValue(rl.min_lr)
            self.tensorboard.setChecked(bool(tr.tensorboard_dir))
            self.tensorboard_dir.setText(tr.tensorboard_dir or "")
        finally:
            self._loading = False

    # -- editors → document ---------------------------------------------------------------

    def _set(self, text: str, change: Callable[[ExperimentDocument], None]) -> bool:
        """Apply ``change`` as one undoable edit if the result is a valid document; else refuse it."""
        if self._loading:
            return False
        trial = self.session.document.copy()
        change(trial)
        try:
            ExperimentDocument.from_dict(trial.to_dict(), origin="training settings")
        except WorkbenchError as exc:
            message = str(exc).removeprefix("training settings: ")
            self.error_label.setText(message)
            self.error_label.show()
            self.refused.emit(message)
            self.load()
            return False
        self.error_label.hide()
        if trial.training == self.session.document.training:
            return False
        self.session.edit(text, "training", change)
        return True

    def _on_early_changed(self, *_args) -> None:
        if not self.early.isChecked():
            self._set("Turn off early stopping", lambda d: setattr(d.training, "early_stopping", None))
            return
        spec = EarlyStoppingSpec(monitor=self.early_monitor.currentText().strip() or "val_loss",
                                 min_delta=self.early_min_delta.value(), patience=self.early_patience.value(),
                                 restore_best_weights=self.early_restore.isChecked())
        self._set("Set early stopping", lambda d: setattr(d.training, "early_stopping", spec))

    def _on_reduce_changed(self, *_args) -> None:
        if not self.reduce.isChecked():
            self._set("Turn off learning-rate reduction", lambda d: setattr(d.training, "reduce_lr", None))
            return
        spec = ReduceLRSpec(monitor=self.reduce_monitor.currentText().strip() or "val_loss",
                            factor=self.reduce_factor.value(), patience=self.reduce_patience.value(),
                            min_lr=self.reduce_min_lr.value())
        self._set("Set learning-rate reduction", lambda d: setattr(d.training, "reduce_lr", spec))

    def _on_tensorboard_changed(self, *_args) -> None:
        folder = self.tensorboard_dir.text().strip() if self.tensorboard.isChecked() else ""
        self._set("Set TensorBoard folder", lambda d: setattr(d.training, "tensorboard_dir", folder or None))

    def _browse_tensorboard(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "TensorBoard log folder", self.tensorboard_dir.text())
        if folder:
            self.tensorboard_dir.setText(folder)
            self.tensorboard.setChecked(True)
            self._on_tensorboard_changed()
