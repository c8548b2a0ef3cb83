"""One sample view per kind of data: text, images, tables, corpora and 2-D points.

Every view gets the whole filtered listing (``set_listing``) and the current sample
(``show_index``); a view where the user can pick a sample (a thumbnail, a row, a point)
emits ``index_chosen(index)`` and the browser makes it current.
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.core.data.overview import LoadedData, row_of
from workbench.gui.data.images import to_pixmap

CLASS_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
OOV_STYLE = "background:#ffe0b2; color:#8a4b00;"
PAD_STYLE = "color:#9e9e9e;"
CUT_STYLE = "color:#9e9e9e; text-decoration: line-through;"
THUMBNAILS = 120  # per page of the image grid; building thousands of pixmaps would stall the GUI
PREVIEW_SIZE = 280
MAX_POINTS = 20_000


def class_color(index: int) -> QColor:
    return QColor(*CLASS_COLORS[index % len(CLASS_COLORS)])


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def _mono() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    return font


class SampleView(QWidget):
    """Base of the per-kind views."""

    index_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loaded: LoadedData | None = None
        self.split = "train"
        self.indices = np.arange(0)

    def set_listing(self, loaded: LoadedData, split: str, indices: np.ndarray) -> None:
        self.loaded, self.split, self.indices = loaded, split, np.asarray(indices)

    def show_index(self, index: int) -> None:
        raise NotImplementedError

    def label_html(self, index: int) -> str:
        assert self.loaded is not None
        text = html.escape(self.loaded.label_text(self.split, index))
        if self.loaded.has_classes:
            color = class_color(int(self.loaded.label_of(self.split, index))).name()
            return f"<span style='background:{color}; color:white; padding:2px 6px;'>&nbsp;{text}&nbsp;</span>"
        return f"<b>{text}</b>"


# ---------------------------------------------------------------------------- text


class TextSampleView(SampleView):
    """The review as written beside what the model receives: word indices, [OOV] and [pad]."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("sampleTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.text = QTextBrowser()
        self.text.setObjectName("sampleText")
        self.tokens = QTextBrowser()
        self.tokens.setObjectName("sampleIndices")
        self.tokens.setFont(_mono())
        self.legend = QLabel(
            f"<span style='{OOV_STYLE}'>&nbsp;[OOV]&nbsp;</span> word outside the vocabulary (index 2) · "
            f"<span style='{PAD_STYLE}'>[pad]</span> zero added to reach maxlen (index 0) · "
            f"<span style='{CUT_STYLE}'>word</span> cut off by maxlen · [start] marks the beginning (index 1)")
        self.legend.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(_heading("As written"))
        left_layout.addWidget(self.text)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(_heading("What the model sees (index → word)"))
        right_layout.addWidget(self.tokens)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([600, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.legend)

    def show_index(self, index: int) -> None:
        loaded = self.loaded
        assert loaded is not None
        text = _display_text(loaded.raw(self.split, index))
        tokens = _tokens(loaded, self.split, index, text)
        encoding = _encoding(loaded)
        self.title.setText(f"<b>Sample #{index}</b> of {self.split} · label {self.label_html(index)}"
                           f" · {len(tokens)} words · encoding: {encoding}")
        self.text.setHtml(_marked_text(text, tokens))
        self.tokens.setHtml(_token_listing(loaded, self.split, index, tokens, encoding))


def _preprocessor(loaded: LoadedData) -> Any:
    return getattr(loaded.prepared, "preprocessor", None)


def _tokens(loaded: LoadedData, split: str, index: int, text: str) -> list[dict[str, Any]]:
    """Each word with the index the model gets, whether it is known and whether maxlen cuts it.

    The split's own index sequence is the truth (it is what training used); the words of the
    text only name what an [OOV] index stood for.
    """
    from workbench.core.data import text as textlib

    preprocessor = _preprocessor(loaded)
    data = loaded.split(split)
    sequence = data.indices(int(index)) if hasattr(data, "indices") else None
    if sequence is None or preprocessor is None:
        try:
            return list(preprocessor.tokens(text))
        except Exception:  # noqa: BLE001 - a display aid (no vocabulary, say) must not break browsing
            return [{"word": w, "index": None, "in_vocabulary": True, "truncated": False} for w in text.split()]
    values = [int(v) for v in np.asarray(sequence).ravel()]
    if values and values[0] == textlib.START:
        values = values[1:]
    names = list(preprocessor.decode(values))
    words = textlib.split_words(text, True)
    aligned = len(words) == len(values)
    config = _config(loaded)
    kept = len(values)
    if config.get("encoding") == "sequence":
        # Like keras pad_sequences (truncating="pre"): the last maxlen indices stay, so a long
        # review loses its start marker before any of its last maxlen words.
        kept = max(0, int(config.get("maxlen", kept)))
    first_kept = max(0, len(values) - kept)
    tokens = []
    for position, (value, name) in enumerate(zip(values, names)):
        word = words[position] if aligned else name
        tokens.append({"word": word, "index": value, "in_vocabulary": value != textlib.OOV,
                       "truncated": position < first_kept})
    return tokens


def _display_text(raw: Any) -> str:
    """Keras' own sequences decode to "[start] word word…"; the marker is not part of the review."""
    text = raw if isinstance(raw, str) else str(raw)
    return text.removeprefix("[start] ")


def _config(loaded: LoadedData) -> dict[str, Any]:
    return dict(getattr(_preprocessor(loaded), "config", None) or {})


def _encoding(loaded: LoadedData) -> str:
    return str(_config(loaded).get("encoding") or "multi_hot")


# The core's standardization turns <br /> and this punctuation into spaces (apostrophes kept),
# so the words of the original text, in order, line up one to one with the core's tokens.
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD = re.compile(r"[^\s!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~]+")


def _marked_text(text: str, tokens: list[dict[str, Any]]) -> str:
    """The original text with out-of-vocabulary words highlighted and cut words greyed."""
    text = _BREAK.sub("\n", text)
    matches = list(_WORD.finditer(text))
    aligned = len(matches) == len(tokens)
    oov = {str(t["word"]).casefold() for t in tokens if not t.get("in_vocabulary", True)}
    parts, last = [], 0
    for position, match in enumerate(matches):
        parts.append(html.escape(text[last:match.start()]))
        word = html.escape(match.group())
        if aligned:
            token = tokens[position]
            is_oov, is_cut = not token.get("in_vocabulary", True), bool(token.get("truncated"))
        else:
            is_oov, is_cut = match.group().casefold() in oov, False
        if is_cut:
            parts.append(f"<span style='{CUT_STYLE}'>{word}</span>")
        elif is_oov:
            parts.append(f"<span style='{OOV_STYLE}'>{word}</span>")
        else:
            parts.append(word)
        last = match.end()
    parts.append(html.escape(text[last:]))
    body = "".join(parts).replace("\n", "<br/>")
    return f"<div style='font-size:11pt; line-height:140%;'>{body}</div>"


def _token_listing(loaded: LoadedData, split: str, index: int, tokens: list[dict[str, Any]],
                   encoding: str) -> str:
    config = _config(loaded)
    rows = []
    if encoding == "sequence":
        preprocessor = _preprocessor(loaded)
        vector = [int(v) for v in np.asarray(loaded.encoded(split, index)).ravel()]
        try:
            words = list(preprocessor.decode(vector))
        except Exception:  # noqa: BLE001
            words = ["?"] * len(vector)
        pads = sum(1 for v in vector if v == 0)
        kept = [t for t in tokens if not t.get("truncated")]
        body = [v for v in vector if v not in (0, 1)]
        oov_words = iter([str(t["word"]) for t, v in zip(kept, body) if v == 2] if len(kept) == len(body) else [])
        if pads:
            rows.append(f"<span style='{PAD_STYLE}'>{0:>6}  [pad]  × {pads}  (zeros added in front)</span>")
        for value, word in zip(vector, words):
            if value == 0:
                continue
            if word == "[OOV]":
                named = next(oov_words, "[OOV]")
                named = "" if named == "[OOV]" else f" ({html.escape(named)})"
                rows.append(f"<span style='{OOV_STYLE}'>{value:>6}  [OOV]{named}</span>")
            elif word.startswith("["):
                rows.append(f"<span style='{PAD_STYLE}'>{value:>6}  {html.escape(word)}</span>")
            else:
                rows.append(f"{value:>6}  {html.escape(word)}")
        cut = sum(1 for t in tokens if t.get("truncated"))
        note = f"sequence of {len(vector)} numbers (maxlen), as fed to the model."
        if cut:
            note += f" The first {cut} words did not fit and were cut."
    else:
        for token in tokens:
            value = token.get("index")
            number = "     ?" if value is None else f"{int(value):>6}"
            word = html.escape(str(token["word"]))
            if not token.get("in_vocabulary", True):
                named = "" if word == "[OOV]" else f" ({word})"
                rows.append(f"<span style='{OOV_STYLE}'>{number}  [OOV]{named}</span>")
            else:
                rows.append(f"{number}  {word}")
        size = config.get("num_words") or "?"
        note = (f"{encoding}: the model sees {size} numbers, one per vocabulary word; the listed "
                "indices are the positions that are set. [OOV] words are outside the vocabulary.")
    return (f"<p style='color:#555'>{html.escape(note)}</p><pre style='margin:0'>"
            + "<br/>".join(rows) + "</pre>")


# ---------------------------------------------------------------------------- images


class ImageSampleView(SampleView):
    """A page of thumbnails (icon-mode list) and the current image large, with its label."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = QStandardItemModel(self)
        self.grid = QListView()
        self.grid.setObjectName("sampleGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setIconSize(QSize(56, 56))
        self.grid.setGridSize(QSize(78, 84))
        self.grid.setUniformItemSizes(True)
        self.grid.setSpacing(2)
        self.grid.setModel(self.model)
        self.grid.clicked.connect(self._on_clicked)
        self.page_label = QLabel()
        self.large = QLabel()
        self.large.setObjectName("sampleLargeImage")
        self.large.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.large.setMinimumSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.large.setStyleSheet("background:#202020; border:1px solid #555;")
        self.caption = QLabel()
        self.caption.setObjectName("sampleTitle")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.page_label)
        left_layout.addWidget(self.grid, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.large)
        right_layout.addWidget(self.caption)
        right_layout.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(left, 1)
        layout.addWidget(right)
        self._page_start = -1

    def set_listing(self, loaded: LoadedData, split: str, indices: np.ndarray) -> None:
        super().set_listing(loaded, split, indices)
        self._page_start = -1
        self.model.clear()

    def _fill_page(self, start: int) -> None:
        assert self.loaded is not None
        self._page_start = start
        self.model.clear()
        page = self.indices[start:start + THUMBNAILS]
        for index in page:
            index = int(index)
            item = QStandardItem(self.loaded.label_text(self.split, index))
            item.setIcon(to_pixmap(self.loaded.raw(self.split, index), 56))
            item.setData(index, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            item.setToolTip(f"sample #{index}: {self.loaded.label_text(self.split, index)}")
            self.model.appendRow(item)
        end = start + len(page)
        self.page_label.setText(f"Showing {start + 1:,}–{end:,} of {len(self.indices):,} images "
                                "(click one to enlarge)")

    def show_index(self, index: int) -> None:
        assert self.loaded is not None
        positions = np.flatnonzero(self.indices == index)
        position = int(positions[0]) if len(positions) else 0
        start = (position // THUMBNAILS) * THUMBNAILS
        if start != self._page_start:
            self._fill_page(start)
        row = position - start
        if 0 <= row < self.model.rowCount():
            self.grid.setCurrentIndex(self.model.index(row, 0))
        image = np.asarray(self.loaded.raw(self.split, index))
        self.large.setPixmap(to_pixmap(image, PREVIEW_SIZE))
        self.caption.setText(f"<b>Sample #{index}</b> · label {self.label_html(index)}<br/>"
                             f"<span style='color:#555'>{' × '.join(map(str, image.shape))} pixels, "
                             f"values {image.min():.3g} … {image.max():.3g}</span>")

    def _on_clicked(self, model_index: QModelIndex) -> None:
        value = model_index.data(Qt.ItemDataRole.UserRole)
        if value is not None:
            self.index_chosen.emit(int(value))


# ---------------------------------------------------------------------------- tables


class LazyRowsModel(QAbstractTableModel):
    """Rows fetched from the dataset only as the view scrolls to them (fetchMore)."""

    CHUNK = 200

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loaded: LoadedData | None = None
        self.split = "train"
        self.indices = np.arange(0)
        self.columns: list[str] = []
        self.label_key = "label"
        self._rows: list[dict[str, Any]] = []

    def reset(self, loaded: LoadedData, split: str, indices: np.ndarray) -> None:
        self.beginResetModel()
        self.loaded, self.split, self.indices = loaded, split, np.asarray(indices)
        self._rows = []
        first = row_of(loaded.raw(split, int(indices[0]))) if len(indices) else {}
        self.label_key = "label" if loaded.has_classes else "value to predict"
        self.columns = ["#", self.label_key, *first.keys()]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < len(self.indices)

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.loaded is None:
            return
        start = len(self._rows)
        end = min(start + self.CHUNK, len(self.indices))
        self.beginInsertRows(QModelIndex(), start, end - 1)
        for position in range(start, end):
            index = int(self.indices[position])
            row = dict(row_of(self.loaded.raw(self.split, index)))
            row["#"] = index
            row[self.label_key] = self.loaded.label_text(self.split, index)
            self._rows.append(row)
        self.endInsertRows()

    def fetch_until(self, position: int) -> None:
        while len(self._rows) <= position and self.canFetchMore():
            self.fetchMore()

    def position_of(self, index: int) -> int:
        found = np.flatnonzero(self.indices == index)
        return int(found[0]) if len(found) else -1

    def sample_at(self, row: int) -> int:
        return int(self.indices[row])

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        value = self._rows[index.row()].get(self.columns[index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, float):
                return "" if np.isnan(value) else f"{value:.4g}"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole and (value is None or value == ""
                                                       or (isinstance(value, float) and np.isnan(value))):
            return QColor(255, 235, 238)  # missing values stand out: they will be imputed
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return None


class TableSampleView(SampleView):
    """Rows in a lazy table, and one line of statistics per column."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = LazyRowsModel(self)
        self.table = QTableView()
        self.table.setObjectName("sampleTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setMaximumSectionSize(260)
        self.table.clicked.connect(lambda i: self.index_chosen.emit(self.model.sample_at(i.row())))
        self.stats = QTableWidget(0, 4)
        self.stats.setObjectName("columnStats")
        self.stats.setHorizontalHeaderLabels(["column", "type", "missing", "summary (training split)"])
        self.stats.verticalHeader().setVisible(False)
        self.stats.horizontalHeader().setStretchLastSection(True)
        self.stats.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stats.verticalHeader().setDefaultSectionSize(self.stats.fontMetrics().height() + 8)
        self.stats.setWordWrap(False)
        self.title = QLabel()
        self.title.setObjectName("sampleTitle")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        stats_box = QWidget()
        stats_layout = QVBoxLayout(stats_box)
        stats_layout.setContentsMargins(0, 0, 0, 0)
        stats_layout.addWidget(_heading("Columns"))
        stats_layout.addWidget(self.stats)
        splitter.addWidget(stats_box)
        splitter.setSizes([400, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)

    def set_listing(self, loaded: LoadedData, split: str, indices: np.ndarray) -> None:
        super().set_listing(loaded, split, indices)
        self.model.reset(loaded, split, indices)
        if len(indices):
            self.model.fetch_until(0)
            self.table.resizeColumnsToContents()  # from the first chunk of rows only: stays fast
        stats = loaded.column_stats
        self.stats.setRowCount(len(stats))
        for row, column in enumerate(stats):
            for col, text in enumerate(column.to_row()):
                self.stats.setItem(row, col, QTableWidgetItem(text))
        self.stats.resizeColumnsToContents()
        self.stats.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def show_index(self, index: int) -> None:
        position = self.model.position_of(index)
        self.title.setText(f"<b>Sample #{index}</b> of {self.split} · label {self.label_html(index)} · "
                           f"{len(self.indices):,} rows listed (pink cells are missing values)")
        if position < 0:
            return
        self.model.fetch_until(position)
        self.table.selectRow(position)
        self.table.scrollTo(self.model.index(position, 0))


# ---------------------------------------------------------------------------- corpus


class CorpusSampleView(SampleView):
    """A window of characters, the next character it teaches, and its overlapping neighbours."""

    NEIGHBOURS = 4

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("sampleTitle")
        self.window = QTextBrowser()
        self.window.setObjectName("sampleText")
        self.window.setFont(_mono())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.window, 1)

    def show_index(self, index: int) -> None:
        loaded = self.loaded
        assert loaded is not None
        count = loaded.count(self.split)
        preprocessor = getattr(loaded.prepared, "preprocessor", None)
        step = getattr(preprocessor, "step", None)
        maxlen = getattr(preprocessor, "maxlen", None) or loaded.maxlen
        self.title.setText(f"<b>Window #{index}</b> of {count:,} · next character "
                           f"{self.label_html(index)} · windows of {maxlen} characters every {step}")
        lines = [("<p style='color:#555'>The model reads each window and learns to predict the red "
                  f"character that follows it. A window starts every {step} characters of the text, so "
                  "neighbours overlap (a few went to the validation split instead).</p><pre>")]
        first = max(0, index - self.NEIGHBOURS)
        last = min(count - 1, index + self.NEIGHBOURS)
        for neighbour in range(first, last + 1):
            text = _visible(str(loaded.raw(self.split, neighbour)))
            nxt = _next_char(loaded, self.split, neighbour)
            style = "background:#e3f2fd; font-weight:bold;" if neighbour == index else "color:#666;"
            lines.append(f"<span style='{style}'>{neighbour:>7}  {html.escape(text)}</span>"
                         f"<span style='color:#c62828; font-weight:bold;'>{html.escape(nxt)}</span>")
        lines.append("</pre>")
        chars = list(getattr(preprocessor, "chars", []) or loaded.class_names)
        page = lines[0] + "\n".join(lines[1:])
        if chars:
            page += (f"<p style='color:#555'>Each window becomes {maxlen} rows of {len(chars)} numbers: one row "
                     "per character, all zeros except a 1 at the character's index in this table "
                     "(⏎ is a line break, ␣ a space):</p>" + _char_table(chars))
        self.window.setHtml(page)


def _char_table(chars: list[str], per_row: int = 24) -> str:
    """Characters above their indices, in rows of ``per_row``."""
    rows = []
    for start in range(0, len(chars), per_row):
        chunk = list(enumerate(chars))[start:start + per_row]
        top = "".join(f"<td align='center' style='padding:2px 5px; font-weight:bold; background:#f1f1f1'>"
                      f"{html.escape('␣' if c == ' ' else _visible(c))}</td>" for _, c in chunk)
        bottom = "".join(f"<td align='center' style='padding:0 5px; color:#777'>{i}</td>" for i, _ in chunk)
        rows.append(f"<tr>{top}</tr><tr>{bottom}</tr>")
    return "<table cellspacing='2'>" + "".join(rows) + "</table>"


def _next_char(loaded: LoadedData, split: str, index: int) -> str:
    position = int(loaded.label_of(split, index))
    char = loaded.class_names[position] if 0 <= position < len(loaded.class_names) else "?"
    return "␣" if char == " " else _visible(char)


def _thin(indices: np.ndarray) -> np.ndarray:
    """At most MAX_POINTS of ``indices`` (a fixed random subset): a million dots would stall the plot."""
    if len(indices) <= MAX_POINTS:
        return indices
    keep = np.random.default_rng(0).choice(len(indices), size=MAX_POINTS, replace=False)
    return indices[np.sort(keep)]


def _visible(text: str) -> str:
    """Newlines and tabs drawn as symbols, so every window is one line of the same width."""
    return text.replace("\\n", "⏎").replace("\n", "⏎").replace("\t", "⇥")


# ---------------------------------------------------------------------------- points


class PointsSampleView(SampleView):
    """A 2-D scatter plot coloured by class, with the current sample ringed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("sampleTitle")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("samplePointsPlot")
        self.plot.setMenuEnabled(False)
        self.plot.setAspectLocked(True)
        self.plot.addLegend(offset=(10, 10), labelTextColor="k")
        for axis in ("bottom", "left"):
            self.plot.getAxis(axis).setTextPen("k")
            self.plot.getAxis(axis).setPen("k")
        self.marker = pg.ScatterPlotItem(size=18, pen=pg.mkPen("k", width=2), brush=None, symbol="o")
        self.marker.setZValue(10)
        self.scatters: list[pg.ScatterPlotItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)

    def set_listing(self, loaded: LoadedData, split: str, indices: np.ndarray) -> None:
        super().set_listing(loaded, split, indices)
        plot = self.plot
        plot.clear()
        legend = plot.plotItem.legend
        if legend is not None:
            legend.clear()
        self.scatters = []
        everything = _thin(np.arange(loaded.count(split)))
        indices = _thin(np.asarray(indices))
        if len(indices) < len(everything):
            # The rest of the split in pale grey, so a filtered or requested subset keeps its context.
            rest = self._coords(everything)
            background = pg.ScatterPlotItem(x=rest[:, 0], y=rest[:, 1], size=5, pen=None,
                                            brush=(200, 200, 200, 120))
            plot.addItem(background)
        if not len(indices):
            return
        xy = self._coords(indices)
        labels = loaded.labels[split][indices]
        groups = range(len(loaded.class_names)) if loaded.has_classes else [None]
        for group in groups:
            mask = np.ones(len(indices), bool) if group is None else labels == group
            if not mask.any():
                continue
            color = class_color(group or 0)
            color.setAlpha(170)
            size = 6 if len(indices) > 50 else 10
            scatter = pg.ScatterPlotItem(x=xy[mask, 0], y=xy[mask, 1], size=size, pen=None, brush=color,
                                         data=indices[mask], name=loaded.class_name(group) if group is not None else None)
            scatter.sigClicked.connect(self._on_clicked)
            plot.addItem(scatter)
            self.scatters.append(scatter)
        plot.addItem(self.marker)

    def show_index(self, index: int) -> None:
        assert self.loaded is not None
        x, y = self._coords(np.asarray([index]))[0]
        self.marker.setData(x=[x], y=[y])
        shown = f"{len(self.indices):,} points listed"
        if len(self.indices) > MAX_POINTS:
            shown += f" ({MAX_POINTS:,} drawn)"
        self.title.setText(f"<b>Sample #{index}</b> of {self.split} · label {self.label_html(index)} · "
                           f"x = {x:.3f}, y = {y:.3f} · {shown} (click a point to select it)")

    def _coords(self, indices: np.ndarray) -> np.ndarray:
        """x, y of the points; the model's input for a point is the point itself."""
        assert self.loaded is not None
        if not len(indices):
            return np.zeros((0, 2))
        xy = np.asarray(self.loaded.split(self.split).take(np.asarray(indices)), dtype=float)
        return xy.reshape(len(indices), -1)[:, :2]


    def _on_clicked(self, _item, points, *_args) -> None:
        if len(points):
            self.index_chosen.emit(int(points[0].data()))
