"""The Data panel: choose a dataset, load it (in a worker), browse its samples, see its charts,
and set its preprocessing options in the experiment document.

The panel computes nothing itself: loading, catalog status and imports are core functions run
by :class:`~workbench.gui.workers.Worker`; every option change is an undoable document edit.
"""

from __future__ import annotations

import copy
import html
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.data.catalog import kind_of_source, same_source
from workbench.core.data.overview import SPLIT_TITLES, LoadedData, load_dataset
from workbench.core.document import DataSpec, ExperimentDocument
from workbench.core.errors import WorkbenchError
from workbench.core.sources import parse_source
from workbench.gui.context import AppContext
from workbench.gui.data.browser import SampleBrowser
from workbench.gui.data.catalog_list import (
    DatasetList,
    download_task,
    import_task,
    list_datasets_task,
    remember_source,
)
from workbench.gui.data.charts import DataCharts
from workbench.gui.data.preprocessing import FIELDS_BY_KIND, VALIDATION_KEY, PreprocessingEditor
from workbench.gui.workers import Worker

OPEN_KINDS = (
    ("csv", "CSV table file…", "file", "CSV files (*.csv *.tsv *.txt);;All files (*)"),
    ("text-folder", "Text folder (one subfolder per class)…", "folder", ""),
    ("image-folder", "Image folder (one subfolder per class)…", "folder", ""),
    ("idx", "MNIST-style idx folder…", "folder", ""),
    ("corpus", "Plain text corpus file…", "file", "Text files (*.txt);;All files (*)"),
)
RELOAD_DELAY_MS = 500
MAX_NOTES = 3


class DataPanel(QWidget):
    """Datasets, samples, charts and preprocessing options.

    ``data_loaded(loaded)``: a dataset finished loading and is shown.
    ``load_failed(message)``: loading failed; the message is shown inline.
    ``catalog_refreshed(count)``: the dataset list was (re)filled.
    """

    data_loaded = Signal(object)
    load_failed = Signal(str)
    catalog_refreshed = Signal(int)
    auto_load = True  # load the experiment's data when first shown (tests may turn it off)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.session = context.session
        self.loaded: LoadedData | None = None
        self._loaded_key: tuple | None = None
        self._loading_key: tuple | None = None
        self._loading_spec: DataSpec | None = None
        self._adopt = False
        self._load_worker: Worker | None = None
        self._download_worker: Worker | None = None
        self._pending_request: tuple[str, list[int]] | None = None

        self._build()
        self.session.document_replaced.connect(self._on_document_replaced)
        self.session.document_changed.connect(self._on_document_changed)
        self.context.sample_requested.connect(self.show_requested_samples)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self._reload_if_stale)
        self._on_document_replaced()
        self.refresh_catalog()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.dataset_list = DatasetList()
        self.dataset_list.currentItemChanged.connect(self._on_card_selected)
        self.dataset_list.itemDoubleClicked.connect(lambda _item: self.load_from_edit())

        self.open_button = QToolButton()
        self.open_button.setObjectName("openDataButton")
        self.open_button.setText("Open folder/file…")
        self.open_button.setToolTip("Use your own data: a CSV, folders of texts or images, idx files, a text")
        self.open_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.open_button)
        for kind, title, what, pattern in OPEN_KINDS:
            action = QAction(title, menu)
            action.triggered.connect(lambda _checked=False, k=kind, w=what, p=pattern: self.open_dialog(k, w, p))
            menu.addAction(action)
        self.open_button.setMenu(menu)
        self.import_button = QPushButton("Import from file…")
        self.import_button.setObjectName("importDatasetButton")
        self.import_button.setToolTip("Offline? Point at a downloaded Keras dataset file (imdb.npz, "
                                      "mnist.npz, imdb_word_index.json…); it is checked and copied "
                                      "into the cache.")
        self.import_button.clicked.connect(self.import_dialog)

        self.source_edit = QLineEdit()
        self.source_edit.setObjectName("dataSourceEdit")
        self.source_edit.setPlaceholderText("e.g. keras:imdb, csv:/path/file.csv, synthetic:spirals")
        self.source_edit.setToolTip("The data source string; press Enter or Load")
        self.source_edit.returnPressed.connect(self.load_from_edit)
        self.load_button = QPushButton("Load")
        self.load_button.setObjectName("loadDataButton")
        self.load_button.setDefault(True)
        self.load_button.setToolTip("Use this source for the experiment and show its samples")
        self.load_button.clicked.connect(self.load_from_edit)

        self.progress = QProgressBar()
        self.progress.setObjectName("dataProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelLoadButton")
        self.cancel_button.clicked.connect(self.cancel_load)
        self.progress_row = QWidget()
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row.hide()

        self.error_label = QLabel()
        self.error_label.setObjectName("dataError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("color:#b71c1c; background:#ffebee; border:1px solid #ef9a9a; "
                                       "border-radius:3px; padding:6px;")
        self.error_label.hide()

        self.hint_label = QLabel()
        self.hint_label.setObjectName("dataHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color:#5d4300; background:#fff8e1; border:1px solid #ffe082; "
                                      "border-radius:3px; padding:6px;")
        self.download_button = QPushButton("Download")
        self.download_button.setObjectName("downloadDatasetButton")
        self.download_button.setToolTip("Fetch the dataset's files (checked against their known checksums) "
                                        "into the cache; needs a network connection")
        self.download_button.clicked.connect(self.download_selected)
        self.hint_box = QWidget()
        hint_layout = QVBoxLayout(self.hint_box)
        hint_layout.setContentsMargins(0, 0, 0, 0)
        hint_layout.addWidget(self.hint_label)
        hint_layout.addWidget(self.download_button, 0, Qt.AlignmentFlag.AlignRight)
        self.hint_label.show()
        self.hint_box.hide()

        self.editor = PreprocessingEditor()
        self.editor.option_edited.connect(self._on_option_edited)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        title = QLabel("<b>Datasets</b>")
        left_layout.addWidget(title)
        left_layout.addWidget(self.dataset_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.import_button)
        left_layout.addLayout(buttons)
        source_row = QHBoxLayout()
        source_row.addWidget(self.source_edit, 1)
        source_row.addWidget(self.load_button)
        left_layout.addLayout(source_row)
        left_layout.addWidget(self.progress_row)
        left_layout.addWidget(self.error_label)
        left_layout.addWidget(self.hint_box)
        left_layout.addWidget(self.editor)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(320)

        self.summary = QLabel()
        self.summary.setObjectName("dataSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.browser = SampleBrowser(self.context.pool)
        self.charts = DataCharts()
        self.view_tabs = QTabWidget()
        self.view_tabs.setObjectName("dataViewTabs")
        self.view_tabs.addTab(self.browser, "Samples")
        self.view_tabs.addTab(self.charts, "Charts")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.view_tabs, 1)

        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    # ------------------------------------------------------------------ catalog

    def refresh_catalog(self) -> None:
        """Re-read each source's status (files are checked on disk, so in a worker)."""
        worker = Worker(list_datasets_task, name="data-catalog")
        worker.finished.connect(self._on_catalog)
        worker.failed.connect(self._on_catalog_failed)
        self.context.pool.start(worker)

    @Slot(object)
    def _on_catalog(self, cards: object) -> None:
        self.dataset_list.fill(list(cards or []), self.source_edit.text())  # type: ignore[call-overload]
        if self.isVisible() and self.loaded is None and not self.is_loading():
            self._maybe_auto_load()  # a Keras dataset waits for its status before loading by itself
        self.catalog_refreshed.emit(len(self.cards))

    @Slot(str)
    def _on_catalog_failed(self, message: str) -> None:
        self.dataset_list.show_unavailable(message)
        self.catalog_refreshed.emit(0)

    @property
    def cards(self) -> list:
        return self.dataset_list.cards

    def card_for(self, source: str):
        return self.dataset_list.card_for(source)

    def _on_card_selected(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        source = item.data(Qt.ItemDataRole.UserRole)
        if not source:
            return
        self.source_edit.setText(source)
        card = self.card_for(source)
        self.clear_error()
        self.hint_box.hide()
        if card is None:
            return
        if card.status == "error":
            self.show_error(f"{card.title}: {card.detail}")
        elif card.status in ("needs download", "offline") or (card.detail and card.status == "imported"):
            self.hint_label.setText(f"<b>{html.escape(card.title)}</b>: {html.escape(card.detail)}")
            self.download_button.setVisible(card.status in ("needs download", "offline"))
            self.hint_box.show()

    # ------------------------------------------------------------------ download

    def download_selected(self) -> Worker | None:
        """Download the selected Keras dataset in a worker (progress bar, Cancel); then load it."""
        try:
            source = parse_source(self.source_edit.text())
        except WorkbenchError as exc:
            self.show_error(str(exc))
            return None
        if source.kind != "keras":
            self.show_error(f"Only Keras datasets can be downloaded; {source} is read from your computer.")
            return None
        self.clear_error()
        self.progress.setValue(0)
        self.progress.setFormat(f"Downloading {source}…")
        self.progress_row.show()
        self.download_button.setEnabled(False)
        worker = Worker(download_task, source.location, name="data-download")
        worker.progressed.connect(self._on_progress)
        worker.finished.connect(self._on_downloaded)
        worker.failed.connect(self._on_download_failed)
        self._download_worker = worker
        self.context.pool.start(worker)
        return worker

    @Slot(object)
    def _on_downloaded(self, card: object) -> None:
        self._download_worker = None
        self.progress_row.hide()
        self.download_button.setEnabled(True)
        self.hint_box.hide()
        self.context.status_message.emit(f"Downloaded {getattr(card, 'title', 'the dataset')}.")
        self.refresh_catalog()
        self.load_from_edit()

    @Slot(str)
    def _on_download_failed(self, message: str) -> None:
        worker, self._download_worker = self._download_worker, None
        self.progress_row.hide()
        self.download_button.setEnabled(True)
        if worker is not None and worker.task.should_stop():
            self.context.status_message.emit("Download cancelled.")
            return
        self.show_error(message)
        self.refresh_catalog()  # an offline attempt changes the status to "offline"

    # ------------------------------------------------------------------ open / import

    def open_dialog(self, kind: str, what: str, pattern: str) -> None:
        if what == "folder":
            path = QFileDialog.getExistingDirectory(self, "Choose a data folder")
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a data file", "", pattern)
        if path:
            self.source_edit.setText(f"{kind}:{path}")
            self.load_from_edit()

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a dataset file", "",
            "Keras dataset files (*.npz *.json *.gz *.pkl *.tar.gz);;All files (*)")
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> Worker:
        """Check and copy a downloaded dataset file into the cache (in a worker)."""
        self.clear_error()
        worker = Worker(import_task, path, name="data-import")
        worker.finished.connect(self._on_imported)
        worker.failed.connect(self.show_error)
        self.context.pool.start(worker)
        return worker

    @Slot(object)
    def _on_imported(self, card: object) -> None:
        title = getattr(card, "title", "The dataset")
        status = getattr(card, "status", "imported")
        self.context.status_message.emit(f"Imported: {title} is now {status}.")
        self.refresh_catalog()
        source = getattr(card, "source", None)
        if source and status in ("ready", "imported"):
            self.source_edit.setText(source)

    # ------------------------------------------------------------------ loading

    def load_from_edit(self) -> None:
        """Load the typed source; once it loads it becomes the experiment's data source (undoable).

        A source that fails to load leaves the experiment as it was.
        """
        text = self.source_edit.text().strip()
        try:
            source = str(parse_source(text))
        except WorkbenchError as exc:
            self.show_error(str(exc))
            return
        if same_source(self.session.document.data.source, source):
            self.start_load()
        else:
            self.start_load(DataSpec(source=source, options=self._options_for(source)), adopt=True)

    def _options_for(self, source: str) -> dict[str, Any]:
        """The document's options that still make sense for ``source``'s kind of data."""
        new_kind = kind_of_source(source)
        keep = {f.key for f in FIELDS_BY_KIND.get(new_kind or "", ())}
        # Options of another kind of data (num_words for images…) would only confuse the loader.
        known_elsewhere = {f.key for fields in FIELDS_BY_KIND.values() for f in fields} - keep
        return {k: v for k, v in self.session.document.data.options.items() if k not in known_elsewhere}

    def _set_document_source(self, source: str) -> None:
        options = self._options_for(source)

        def change(document: ExperimentDocument) -> None:
            document.data.source = source
            document.data.options = dict(options)

        self.session.edit(f"Use data source {source}", "data", change)

    def _spec_key(self, spec: DataSpec) -> tuple:
        training = self.session.document.training
        return (spec.source, repr(sorted(spec.options.items())), training.validation_split,
                training.validation_count, training.seed)

    def _document_key(self) -> tuple:
        return self._spec_key(self.session.document.data)

    def start_load(self, spec: DataSpec | None = None, *, adopt: bool = False) -> Worker:
        """Load ``spec`` (default: the document's data) in a worker.

        ``adopt``: when it loads, make ``spec`` the experiment's data source (one undoable edit).
        """
        self._reload_timer.stop()
        if self._load_worker is not None:
            self._load_worker.stop()
        document = self.session.document
        if spec is None:
            spec = DataSpec(source=document.data.source, options=dict(document.data.options))
        self.clear_error()
        self.progress.setValue(0)
        self.progress.setFormat(f"Loading {spec.source}…")
        self.progress_row.show()
        # Copies: the worker reads them while the user may go on editing the document.
        worker = Worker(load_dataset, DataSpec(spec.source, dict(spec.options)), copy.deepcopy(document.training),
                        name="data-load")
        worker.progressed.connect(self._on_progress)
        worker.finished.connect(self._on_loaded)
        worker.failed.connect(self._on_load_failed)
        self._load_worker = worker
        self._loading_spec = spec
        self._adopt = adopt
        self._loading_key = self._spec_key(spec)
        self.context.pool.start(worker)
        return worker

    def cancel_load(self) -> None:
        """Stop the running load or download at its next check."""
        for worker in (self._load_worker, self._download_worker):
            if worker is not None:
                worker.stop()
                self.progress.setFormat("Cancelling…")

    @Slot(float, str)
    def _on_progress(self, fraction: float, text: str) -> None:
        if self.sender() not in (self._load_worker, self._download_worker):
            return
        self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if text:
            self.progress.setFormat(f"{text} (%p%)")

    @Slot(object)
    def _on_loaded(self, loaded: object) -> None:
        if self.sender() is not self._load_worker:
            return  # superseded by a newer load
        self._load_worker = None
        self.progress_row.hide()
        self.hint_box.hide()
        assert isinstance(loaded, LoadedData)
        self.loaded = loaded
        self._loaded_key = self._loading_key
        if self._adopt and not same_source(self.session.document.data.source, self._loading_spec.source):
            self._set_document_source(self._loading_spec.source)
        columns = [c.name for c in loaded.column_stats] if loaded.kind == "table" else []
        self.editor.set_kind(loaded.kind, columns)
        self.editor.set_document(self.session.document)
        self._show_summary(loaded)
        self._show_charts(loaded)
        if parse_source(loaded.source).is_path and same_source(self.session.document.data.source, loaded.source):
            remember_source(loaded.source)
            self.dataset_list.fill(self.cards, loaded.source)
        pending, self._pending_request = self._pending_request, None
        self.browser.set_data(loaded)
        self._select_card(loaded.source)
        if pending is not None:
            self.browser.show_requested(*pending)
        self.context.status_message.emit(f"Loaded {loaded.source}.")
        self.data_loaded.emit(loaded)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        if self.sender() is not self._load_worker:
            return
        worker = self._load_worker
        self._load_worker = None
        self._pending_request = None
        self.progress_row.hide()
        if worker is not None and worker.task.should_stop():
            self.context.status_message.emit("Loading cancelled.")
            return
        self.show_error(message)
        if self.loaded is not None and not self.summary.text().startswith("<i>Still"):
            self.summary.setText("<i>Still showing the last data that loaded:</i> " + self.summary.text())
        self.load_failed.emit(message)

    def _reload_if_stale(self) -> None:
        if self.loaded is not None and self._document_key() != (self._loading_key if self._load_worker
                                                                 else self._loaded_key):
            self.start_load()

    def is_loading(self) -> bool:
        return self._load_worker is not None

    # ------------------------------------------------------------------ showing

    def _show_summary(self, loaded: LoadedData) -> None:
        prepared = loaded.prepared
        parts = [f"{SPLIT_TITLES[s].lower()} {loaded.count(s):,}" for s in loaded.splits()]
        shape = " × ".join("?" if d is None else str(d) for d in (prepared.input_shape or ()))
        if loaded.has_classes:
            what = f"{len(loaded.class_names)} classes ({loaded.label_format} labels)"
        else:
            what = "a number to predict (regression)"
        text = (f"<b>{html.escape(loaded.source)}</b> — {loaded.kind}: {', '.join(parts)} samples · "
                f"each input is {shape or 'a scalar'} · {what}")
        shown = loaded.notes[:MAX_NOTES]
        for note in shown:
            text += f"<br/><span style='color:#8d6e00'>Note: {html.escape(note)}</span>"
        hidden = len(loaded.notes) - len(shown)
        if hidden > 0:
            text += f"<br/><span style='color:#8d6e00'>… and {hidden} more notes (hover to read them)</span>"
        self.summary.setText(text)
        self.summary.setToolTip("<br/>".join(html.escape(n) for n in loaded.notes))

    def _show_charts(self, loaded: LoadedData) -> None:
        names = [loaded.class_name(i) for i in range(len(loaded.class_names))]
        maxlen = loaded.maxlen if _uses_maxlen(self.session.document) else None
        self.charts.show_data(names, loaded.class_counts if loaded.has_classes else [], loaded.lengths,
                              maxlen, loaded.length_unit, loaded.pixel_counts, loaded.pixel_edges,
                              targets=None if loaded.has_classes else loaded.labels.get("train"))

    def show_error(self, message: str) -> None:
        """Show a core error inline; the panel stays usable."""
        first, _, rest = message.partition("\n\n")
        self.error_label.setText(first.strip())
        self.error_label.setToolTip(rest.strip())
        self.error_label.show()

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    # ------------------------------------------------------------------ document

    def _on_document_replaced(self) -> None:
        document = self.session.document
        self.source_edit.setText(document.data.source)
        kind = self.loaded.kind if self.loaded is not None and same_source(
            self.loaded.source, document.data.source) else kind_of_source(document.data.source)
        self.editor.set_kind(kind, self.editor.columns if kind == "table" else [])
        self.editor.set_document(document)
        self._select_card(document.data.source)
        if self.loaded is not None:
            self._reload_timer.start()
        elif not self.is_loading():
            self.browser.clear(f"This experiment uses {document.data.source}. Press Load to browse its "
                               "samples.")
            if self.isVisible():
                self._maybe_auto_load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.loaded is None and not self.is_loading():
            self._maybe_auto_load()

    def _maybe_auto_load(self) -> None:
        """Load the experiment's data when the panel is first shown, if that needs no download.

        Waiting for a click would show an empty panel; a source that must be downloaded or
        imported waits for the user, who sees its status in the catalog.
        """
        if not self.auto_load:
            return
        source = self.session.document.data.source
        try:
            parsed = parse_source(source)
        except WorkbenchError:
            return
        if parsed.kind == "keras":
            card = self.card_for(source)
            if card is None or card.status not in ("ready", "imported"):
                return
        self.start_load()

    def _on_document_changed(self, area: str) -> None:
        if area not in ("data", "training", "all"):
            return
        document = self.session.document
        if self.source_edit.text().strip() != document.data.source and not self.source_edit.hasFocus():
            self.source_edit.setText(document.data.source)
        kind = kind_of_source(document.data.source)
        if self.loaded is not None and same_source(self.loaded.source, document.data.source):
            kind = self.loaded.kind
        self.editor.set_kind(kind, self.editor.columns if kind == "table" else [])
        self.editor.set_document(document)
        if self.loaded is not None or self.is_loading():
            self._reload_timer.start()

    def _select_card(self, source: str) -> None:
        self.dataset_list.select_source(source)

    @Slot(str, object)
    def _on_option_edited(self, key: str, value: Any) -> None:
        if key == VALIDATION_KEY:
            def change(document: ExperimentDocument) -> None:
                document.training.validation_split = float(value) if value else None

            self.session.edit(f"Set validation split to {value}", "training", change)
            return

        def change_option(document: ExperimentDocument) -> None:
            if value is None:
                document.data.options.pop(key, None)
            else:
                document.data.options[key] = value

        self.session.edit(f"Set {key} to {value}", "data", change_option)

    # ------------------------------------------------------------------ requests

    @Slot(str, str, list)
    def show_requested_samples(self, source: str, split: str, indices: list) -> None:
        """Show ``indices`` of ``split`` of ``source`` (e.g. from the trainer's confusion matrix)."""
        self._raise_tab()
        if self.loaded is not None and same_source(self.loaded.source, source) and not self.is_loading():
            self.view_tabs.setCurrentWidget(self.browser)
            self.browser.show_requested(split, [int(i) for i in indices])
            return
        self._pending_request = (split, [int(i) for i in indices])
        self.view_tabs.setCurrentWidget(self.browser)
        if same_source(self.session.document.data.source, source):
            self.start_load()
            return
        # A run of another source (an older experiment): show it without changing this experiment.
        try:
            spec = DataSpec(source=str(parse_source(source)), options=self._options_for(source))
        except WorkbenchError as exc:
            self._pending_request = None
            self.show_error(str(exc))
            return
        self.start_load(spec)

    def _raise_tab(self) -> None:
        widget: QWidget | None = self
        while widget is not None:
            parent = widget.parentWidget()
            tabs = parent.parentWidget() if parent is not None else None
            if isinstance(tabs, QTabWidget) and tabs.indexOf(widget) >= 0:
                tabs.setCurrentWidget(widget)
                return
            widget = parent


def _uses_maxlen(document: ExperimentDocument) -> bool:
    """maxlen matters for padded sequences (text) and for corpus windows."""
    kind = kind_of_source(document.data.source)
    if kind == "text":
        return document.data.options.get("encoding") == "sequence"
    return kind == "corpus"
