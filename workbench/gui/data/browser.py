"""The sample browser: split, random sample, jump to index, filter by label, search.

It keeps a *listing* (the sample indices that pass the label filter and the search) and a
current sample, and hands both to the view for the loaded kind of data. Searching reads
every sample's text, so it runs in a Worker.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.data.overview import SPLIT_TITLES, LoadedData, search_samples
from workbench.gui.data.views import (
    CorpusSampleView,
    ImageSampleView,
    PointsSampleView,
    SampleView,
    TableSampleView,
    TextSampleView,
)
from workbench.gui.workers import Worker, WorkerPool

ALL_LABELS = "All labels"
SEARCH_DELAY_MS = 350


class SampleBrowser(QWidget):
    """Browses the samples of a :class:`LoadedData`.

    ``listing_changed(count)``: the filter or search produced a new listing.
    ``sample_shown(index)``: a sample became current.
    """

    listing_changed = Signal(int)
    sample_shown = Signal(int)

    def __init__(self, pool: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sampleBrowser")
        self.pool = pool
        self.loaded: LoadedData | None = None
        self.split = "train"
        self.listing = np.arange(0)
        self.current: int | None = None
        self.requested: np.ndarray | None = None  # indices asked for by another panel
        self._search_worker: Worker | None = None
        self._rng = np.random.default_rng()

        self.split_combo = QComboBox()
        self.split_combo.setObjectName("sampleSplitCombo")
        self.split_combo.setToolTip("Which part of the data to browse")
        self.split_combo.currentIndexChanged.connect(self._on_split_changed)
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.prev_button.setToolTip("Previous sample in the list (filter and search applied)")
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip("Next sample in the list")
        self.next_button.clicked.connect(lambda: self.step(1))
        self.index_spin = QSpinBox()
        self.index_spin.setObjectName("sampleIndexSpin")
        self.index_spin.setToolTip("Jump to a sample by its index in the split")
        self.index_spin.setKeyboardTracking(False)
        self.index_spin.setPrefix("#")
        self.index_spin.valueChanged.connect(self._on_index_spin)
        self.random_button = QPushButton("Random")
        self.random_button.setObjectName("randomSampleButton")
        self.random_button.setToolTip("Show a random sample from the list")
        self.random_button.clicked.connect(self.show_random)
        self.label_filter = QComboBox()
        self.label_filter.setObjectName("labelFilter")
        self.label_filter.setToolTip("Only samples with this label")
        self.label_filter.setMinimumContentsLength(10)
        self.label_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.search = QLineEdit()
        self.search.setObjectName("sampleSearch")
        self.search.setPlaceholderText("Search text or values…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(140)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refilter)
        self.search.textEdited.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.refilter)
        self.count_label = QLabel()
        self.count_label.setObjectName("sampleCount")
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.setObjectName("showAllSamplesButton")
        self.show_all_button.setToolTip("Forget the samples another panel asked for and list the whole split")
        self.show_all_button.clicked.connect(self.clear_request)
        self.show_all_button.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.split_combo)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.index_spin)
        bar.addWidget(self.next_button)
        bar.addWidget(self.random_button)
        bar.addSpacing(12)
        bar.addWidget(self.label_filter)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.show_all_button)

        self.views: dict[str, SampleView] = {
            "text": TextSampleView(),
            "image": ImageSampleView(),
            "table": TableSampleView(),
            "corpus": CorpusSampleView(),
            "points": PointsSampleView(),
        }
        self.empty = QLabel("Choose a dataset on the left and press Load to browse its samples.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("sampleEmpty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        for view in self.views.values():
            view.index_chosen.connect(self.show_sample)
            self.stack.addWidget(view)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self._set_controls_enabled(False)

    # ------------------------------------------------------------------ state

    @property
    def view(self) -> SampleView | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, SampleView) else None

    def _set_controls_enabled(self, enabled: bool) -> None:
        for widget in (self.split_combo, self.prev_button, self.next_button, self.index_spin,
                       self.random_button, self.label_filter, self.search):
            widget.setEnabled(enabled)

    def clear(self, message: str | None = None) -> None:
        self.loaded = None
        self.listing = np.arange(0)
        self.current = None
        self.requested = None
        self.show_all_button.hide()
        self.count_label.setText("")
        if message:
            self.empty.setText(message)
        self.stack.setCurrentWidget(self.empty)
        self._set_controls_enabled(False)

    def set_data(self, loaded: LoadedData, split: str | None = None) -> None:
        """Browse ``loaded`` from its first sample, with no filter."""
        self.loaded = loaded
        self.requested = None
        self.show_all_button.hide()
        self._set_controls_enabled(True)
        splits = loaded.splits()
        self.split_combo.blockSignals(True)
        self.split_combo.clear()
        for name in splits:
            self.split_combo.addItem(f"{SPLIT_TITLES.get(name, name)} ({loaded.count(name):,})", name)
        chosen = split if split in splits else (splits[0] if splits else "train")
        self.split_combo.setCurrentIndex(max(0, splits.index(chosen)) if chosen in splits else 0)
        self.split_combo.blockSignals(False)
        self.label_filter.blockSignals(True)
        self.label_filter.clear()
        self.label_filter.addItem(ALL_LABELS, None)
        if loaded.has_classes:
            for index in range(len(loaded.class_names)):
                self.label_filter.addItem(loaded.class_name(index), index)
        self.label_filter.setEnabled(loaded.has_classes)
        self.label_filter.setCurrentIndex(0)
        self.label_filter.blockSignals(False)
        self.search.clear()
        self.stack.setCurrentWidget(self.views.get(loaded.kind, self.views["table"]))
        self._use_split(chosen)

    def _use_split(self, split: str) -> None:
        assert self.loaded is not None
        self.split = split
        count = self.loaded.count(split)
        self.index_spin.blockSignals(True)
        self.index_spin.setRange(0, max(0, count - 1))
        self.index_spin.setSuffix(f" of {count:,}")
        self.index_spin.blockSignals(False)
        self.refilter()

    # ------------------------------------------------------------------ filtering

    def label_class(self) -> int | None:
        data = self.label_filter.currentData()
        return None if data is None else int(data)

    def set_label_filter(self, class_index: int | None) -> None:
        position = self.label_filter.findData(class_index) if class_index is not None else 0
        self.label_filter.setCurrentIndex(max(0, position))

    def refilter(self) -> None:
        """Recompute the listing from the request, label filter and search."""
        if self.loaded is None:
            return
        self._search_timer.stop()
        candidates = self.loaded.indices_of_class(self.split, self.label_class())
        if self.requested is not None:
            candidates = np.intersect1d(self.requested, candidates)
        query = self.search.text().strip()
        if self._search_worker is not None:
            self._search_worker.stop()
            self._search_worker = None
        if not query:
            self._apply_listing(candidates)
            return
        self.count_label.setText("searching…")
        worker = Worker(search_samples, self.loaded, self.split, query, candidates, name="data-search")
        worker.finished.connect(self._on_search_finished)
        # Bound slots of this GUI-thread widget make the connections queued; a lambda would run
        # on the worker thread and touch the label from there.
        worker.failed.connect(self._on_search_failed)
        self._search_worker = worker
        self.pool.start(worker)

    @Slot(object)
    def _on_search_finished(self, indices: object) -> None:
        if self.sender() is not self._search_worker:
            return  # an older search finished after a newer one started
        self._search_worker = None
        self._apply_listing(np.asarray(indices, dtype=np.int64))

    @Slot(str)
    def _on_search_failed(self, message: str) -> None:
        if self.sender() is not self._search_worker:
            return  # a superseded search failing must not overwrite the newer listing's count
        self._search_worker = None
        self.count_label.setText((message.splitlines() or [""])[0])

    def _apply_listing(self, indices: np.ndarray) -> None:
        assert self.loaded is not None
        self.listing = np.asarray(indices, dtype=np.int64)
        total = self.loaded.count(self.split)
        what = "requested" if self.requested is not None else "shown"
        self.count_label.setText(f"{len(self.listing):,} of {total:,} {what}")
        view = self.view
        if view is not None:
            view.set_listing(self.loaded, self.split, self.listing)
        self.listing_changed.emit(len(self.listing))
        if len(self.listing):
            keep = self.current if self.current is not None and self.current in set(self.listing.tolist()) else None
            self.show_sample(int(self.listing[0]) if keep is None else keep)
        else:
            self.current = None

    # ------------------------------------------------------------------ navigation

    def show_sample(self, index: int) -> None:
        if self.loaded is None or not (0 <= index < self.loaded.count(self.split)):
            return
        self.current = int(index)
        self.index_spin.blockSignals(True)
        self.index_spin.setValue(self.current)
        self.index_spin.blockSignals(False)
        view = self.view
        if view is not None:
            view.show_index(self.current)
        self.sample_shown.emit(self.current)

    def step(self, delta: int) -> None:
        if not len(self.listing):
            return
        positions = np.flatnonzero(self.listing == self.current)
        position = int(positions[0]) + delta if len(positions) else 0
        self.show_sample(int(self.listing[position % len(self.listing)]))

    def show_random(self) -> None:
        if len(self.listing):
            self.show_sample(int(self._rng.choice(self.listing)))

    def _on_index_spin(self, value: int) -> None:
        self.show_sample(value)

    def _on_split_changed(self, _position: int) -> None:
        split = self.split_combo.currentData()
        if split and self.loaded is not None:
            self.requested = None
            self.show_all_button.hide()
            self.current = None
            self._use_split(split)

    def _on_filter_changed(self, _position: int) -> None:
        self.refilter()

    # ------------------------------------------------------------------ requests from other panels

    def show_requested(self, split: str, indices: list[int]) -> None:
        """List only ``indices`` of ``split`` (e.g. the misclassified samples of one cell)."""
        if self.loaded is None:
            return
        if split not in self.loaded.splits():
            split = self.loaded.splits()[0]
        count = self.loaded.count(split)
        wanted = np.asarray(sorted({int(i) for i in indices if 0 <= int(i) < count}), dtype=np.int64)
        self.split_combo.blockSignals(True)
        self.split_combo.setCurrentIndex(max(0, self.split_combo.findData(split)))
        self.split_combo.blockSignals(False)
        self.requested = wanted
        self.show_all_button.show()
        self.label_filter.blockSignals(True)
        self.label_filter.setCurrentIndex(0)
        self.label_filter.blockSignals(False)
        self.search.clear()
        self.current = None
        self._use_split(split)

    def clear_request(self) -> None:
        self.requested = None
        self.show_all_button.hide()
        self.refilter()
