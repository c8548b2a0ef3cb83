"""Preprocessing options of the experiment's data, edited in a form.

The form shows only the options that apply to the kind of data, reads their values from the
document (``data.options``; the validation split from ``training``) and reports each change
as ``option_edited(key, value)`` (``value`` None = back to the default). It never writes the
document itself: the panel turns each change into an undoable edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from workbench.core.document import MAX_VALIDATION_SPLIT, ExperimentDocument

VALIDATION_KEY = "validation_split"  # stored in document.training, not data.options


@dataclass(frozen=True)
class OptionField:
    """One editable option: its key in ``data.options``, widget kind and learner help."""

    key: str
    label: str
    kind: str  # "int" | "float" | "bool" | "choice" | "column"
    default: Any
    help: str
    minimum: float = 0
    maximum: float = 1_000_000
    choices: tuple[str, ...] = ()
    step: float = 1
    true_value: Any = True  # what a ticked "bool" stores (ngrams stores 2); unticked stores the default
    special: str = ""  # int fields: the text shown at ``minimum``, which means "option not set"


TEXT_FIELDS = (
    OptionField("num_words", "Vocabulary size", "int", 10000,
                "Keep only the most frequent words of the training split; others become [OOV].",
                minimum=10, maximum=200_000, step=1000),
    OptionField("encoding", "Encoding", "choice", "multi_hot",
                "multi_hot: 1 if a word occurs · count: how often · tf_idf: weighted by rarity · "
                "sequence: word indices in order (for Embedding/RNN layers).",
                choices=("multi_hot", "count", "tf_idf", "sequence")),
    OptionField("ngrams", "Word pairs (bigrams)", "bool", 1,
                "Also count pairs of neighbouring words, e.g. “not good” (text folders, bag encodings).",
                true_value=2),
    OptionField("maxlen", "maxlen (sequence)", "int", 200,
                "Sequences are padded with [pad] or cut to this many words (sequence encoding only).",
                minimum=1, maximum=100_000, step=10),
)
LIMIT_FIELD = OptionField("limit", "Use only", "int", 0,
                          "Keep a random subset of this many training samples (and of test samples): "
                          "quick experiments on big datasets. “all samples” keeps everything.",
                          minimum=0, maximum=10_000_000, step=1000, special="all samples")
IMAGE_FIELDS = (
    OptionField("flatten", "Flatten images", "bool", False,
                "Turn each image into one long row of numbers, as Dense layers expect; "
                "leave off for Conv2D layers."),
)
TABLE_FIELDS = (
    OptionField("target", "Target column", "column", "",
                "The column the model learns to predict; every other column becomes an input."),
    OptionField("task", "Task", "choice", "",
                "automatic: classes when the target is text or a few whole numbers, else regression.",
                choices=("", "classification", "regression")),
)
CORPUS_FIELDS = (
    OptionField("maxlen", "Window length", "int", 60,
                "Characters the model reads before predicting the next one.", minimum=2, maximum=10_000),
    OptionField("step", "Step between windows", "int", 3,
                "Start a new window every this many characters (smaller: more, overlapping windows).",
                minimum=1, maximum=10_000),
    OptionField("lowercase", "Lowercase", "bool", True,
                "Fold capitals to lowercase: fewer distinct characters to learn."),
)
POINTS_FIELDS = (
    OptionField("n", "Number of points", "int", 400, "How many points to generate.",
                minimum=4, maximum=1_000_000, step=100),
    OptionField("noise", "Noise", "float", 0.1, "How far points scatter from the clean shape.",
                minimum=0.0, maximum=5.0, step=0.05),
)
FIELDS_BY_KIND = {"text": (*TEXT_FIELDS, LIMIT_FIELD), "image": (*IMAGE_FIELDS, LIMIT_FIELD),
                  "table": (*TABLE_FIELDS, LIMIT_FIELD), "corpus": (*CORPUS_FIELDS, LIMIT_FIELD),
                  "points": POINTS_FIELDS}
VALIDATION_FIELD = OptionField(VALIDATION_KEY, "Validation split", "float", 0.2,
                               "Share of the training data held out to check for overfitting "
                               "(ignored when the source has its own validation set).",
                               minimum=0.0, maximum=MAX_VALIDATION_SPLIT, step=0.05)


class PreprocessingEditor(QGroupBox):
    """The options form; ``set_kind`` chooses the fields, ``set_document`` fills them."""

    option_edited = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Preprocessing", parent)
        self.setObjectName("preprocessingEditor")
        self.kind: str | None = None
        self.columns: list[str] = []
        self.editors: dict[str, QWidget] = {}
        self._fields: dict[str, OptionField] = {}
        self._form = QFormLayout(self)
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet("color:#666;")
        self.set_kind(None)

    # ------------------------------------------------------------------ building

    def set_kind(self, kind: str | None, columns: list[str] | None = None) -> None:
        """Rebuild the form for ``kind`` (None: only the validation split)."""
        columns = list(columns or [])
        if kind == self.kind and columns == self.columns and self.editors:
            return
        self.kind, self.columns = kind, columns
        while self._form.rowCount():
            self._form.removeRow(0)
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet("color:#666;")
        self.editors.clear()
        self._fields.clear()
        for field in (*FIELDS_BY_KIND.get(kind or "", ()), VALIDATION_FIELD):
            editor = self._make_editor(field)
            editor.setObjectName(f"option_{field.key}")
            editor.setToolTip(field.help)
            label = QLabel(field.label)
            label.setToolTip(field.help)
            self._form.addRow(label, editor)
            self.editors[field.key] = editor
            self._fields[field.key] = field
        self._form.addRow(self._hint)
        self._hint.setText("Changes are saved in the experiment (Edit ▸ Undo reverts them) and the "
                           "data is reloaded with them.")

    def _make_editor(self, field: OptionField) -> QWidget:
        if field.kind == "int":
            spin = QSpinBox()
            spin.setRange(int(field.minimum), int(field.maximum))
            spin.setSingleStep(int(field.step))
            spin.setKeyboardTracking(False)
            spin.setValue(int(field.default))
            if field.special:
                spin.setSpecialValueText(field.special)
                spin.valueChanged.connect(
                    lambda value, f=field: self._emit(f.key, None if value == f.minimum else int(value)))
            else:
                spin.valueChanged.connect(lambda value, k=field.key: self._emit(k, int(value)))
            return spin
        if field.kind == "float":
            spin = QDoubleSpinBox()
            spin.setRange(float(field.minimum), float(field.maximum))
            spin.setSingleStep(float(field.step))
            spin.setDecimals(2)
            spin.setKeyboardTracking(False)
            spin.setValue(float(field.default))
            spin.valueChanged.connect(lambda value, k=field.key: self._emit(k, round(float(value), 4)))
            return spin
        if field.kind == "bool":
            box = QCheckBox()
            box.setChecked(field.default == field.true_value)
            if field.true_value is True:
                box.toggled.connect(lambda value, k=field.key: self._emit(k, bool(value)))
            else:
                # A ticked box stores its value; unticked removes the option (the loader's default).
                box.toggled.connect(lambda value, f=field: self._emit(f.key, f.true_value if value else None))
            return box
        combo = QComboBox()
        if field.kind == "column":
            combo.addItem(f"(last column: {self.columns[-1]})" if self.columns else "(last column)", "")
            for column in self.columns:
                combo.addItem(column, column)
        else:
            for choice in field.choices:
                combo.addItem(choice or "automatic", choice)
        combo.currentIndexChanged.connect(
            lambda _i, k=field.key, c=combo: self._emit(k, c.currentData() or None))
        return combo

    def _emit(self, key: str, value: Any) -> None:
        self._update_enabled()
        self.option_edited.emit(key, value)

    def _update_enabled(self) -> None:
        encoding = self.editors.get("encoding")
        maxlen = self.editors.get("maxlen")
        if self.kind == "text" and isinstance(encoding, QComboBox) and maxlen is not None:
            maxlen.setEnabled(encoding.currentData() == "sequence")
        ngrams = self.editors.get("ngrams")
        if self.kind == "text" and isinstance(encoding, QComboBox) and ngrams is not None:
            ngrams.setEnabled(encoding.currentData() != "sequence")

    # ------------------------------------------------------------------ values

    def set_document(self, document: ExperimentDocument) -> None:
        """Show the document's values (defaults where an option is unset) without emitting."""
        options = {**_source_options(document.data.source), **document.data.options}
        for key, editor in self.editors.items():
            field = self._fields[key]
            if key == VALIDATION_KEY:
                value = document.training.validation_split
                value = 0.0 if value is None else value
            else:
                value = options.get(key, field.default)
            editor.blockSignals(True)
            try:
                _set_value(editor, field, value)
            finally:
                editor.blockSignals(False)
        self._update_enabled()

    def value(self, key: str) -> Any:
        editor = self.editors[key]
        if isinstance(editor, QCheckBox):
            field = self._fields[key]
            if field.true_value is True:
                return editor.isChecked()
            return field.true_value if editor.isChecked() else field.default
        if isinstance(editor, QComboBox):
            return editor.currentData()
        return editor.value()  # type: ignore[attr-defined]


def _set_value(editor: QWidget, field: OptionField, value: Any) -> None:
    try:
        if isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        elif isinstance(editor, QCheckBox):
            if field.true_value is True:
                editor.setChecked(str(value).lower() in ("1", "true", "yes", "on"))
            else:
                editor.setChecked(str(value) == str(field.true_value))
        elif isinstance(editor, QComboBox):
            position = editor.findData(str(value) if value is not None else "")
            if position < 0 and field.kind == "column" and value:
                editor.addItem(str(value), str(value))  # a column named in the document, not yet seen
                position = editor.count() - 1
            editor.setCurrentIndex(max(0, position))
    except (TypeError, ValueError):
        pass  # a hand-edited document with a bad value: keep the default shown; loading reports it


def _source_options(source: str) -> dict[str, str]:
    """Options written in the source string (``csv:…?target=Survived``); the document's win."""
    from workbench.core.errors import WorkbenchError
    from workbench.core.sources import parse_source

    try:
        return dict(parse_source(source).options)
    except WorkbenchError:
        return {}
