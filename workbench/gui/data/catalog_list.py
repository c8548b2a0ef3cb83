"""The dataset list of the Data panel: built-in sources with their status, then the user's own
files opened before; plus the small source-string helpers and the catalog's worker functions."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from workbench.core.data.catalog import same_dataset, same_source
from workbench.core.errors import WorkbenchError
from workbench.core.sources import parse_source

STATUS_LOOK = {
    "ready": ("●", QColor(46, 125, 50), "ready"),
    "imported": ("✓", QColor(21, 101, 192), "imported"),
    "needs download": ("⬇", QColor(239, 108, 0), "needs download"),
    "offline": ("⦸", QColor(117, 117, 117), "offline: import the file"),
    "error": ("✖", QColor(198, 40, 40), "error"),
}
RECENT_KEY = "data/recent_sources"
MAX_RECENT_SOURCES = 8


def recent_sources() -> list[str]:
    """The user's own data sources (files and folders) opened before, newest first."""
    value = QSettings().value(RECENT_KEY, [])
    if isinstance(value, str):
        value = [value]
    good = []
    for text in value or []:
        try:
            if parse_source(str(text)).is_path:
                good.append(str(text))
        except WorkbenchError:
            continue  # an entry from an older version, or edited by hand
    return good


def remember_source(source: str) -> None:
    sources = [s for s in recent_sources() if not same_dataset(s, source)]
    QSettings().setValue(RECENT_KEY, [source, *sources][:MAX_RECENT_SOURCES])


# ---------------------------------------------------------------------------- worker functions


def list_datasets_task(task: Any) -> list:
    from workbench.core.data.catalog import list_datasets

    return list_datasets()


def download_task(task: Any, name: str) -> Any:
    from workbench.core.data.catalog import download_dataset

    return download_dataset(name, progress=task.progress, should_stop=task.should_stop)


def import_task(task: Any, path: str) -> Any:
    from workbench.core.data.catalog import import_dataset_file

    return import_dataset_file(path)


# ---------------------------------------------------------------------------- the list


class DatasetList(QListWidget):
    """One entry per dataset: title, then a coloured status line; the source string is the item's data."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("datasetList")
        self.setIconSize(QSize(12, 12))
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.cards: list = []

    def fill(self, cards: list, current: str = "") -> None:
        """Built-in datasets with their status, then the user's own files opened before."""
        self.cards = list(cards)
        self.blockSignals(True)
        try:
            self.clear()
            for card in self.cards:
                glyph, color, words = STATUS_LOOK.get(card.status, ("?", QColor("gray"), card.status))
                tip = f"<b>{html.escape(card.source)}</b><br/>{html.escape(card.description)}"
                if card.detail:
                    tip += f"<br/><i>{html.escape(card.detail)}</i>"
                self._add(f"{card.title}\n{glyph} {words}", card.source, color, tip)
            for source in recent_sources():
                parsed = parse_source(source)
                exists = Path(parsed.location).expanduser().exists()
                glyph, color, _words = STATUS_LOOK["ready" if exists else "error"]
                status = f"{parsed.kind} · your data" if exists else "missing: moved or deleted?"
                self._add(f"{Path(parsed.location).name or parsed.location}\n{glyph} {status}", source, color,
                          f"<b>{html.escape(source)}</b><br/>Opened before from this computer.")
            self._select(current)
        finally:
            self.blockSignals(False)

    def _add(self, text: str, source: str, color: QColor, tip: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, source)
        item.setData(Qt.ItemDataRole.DecorationRole, color)
        item.setToolTip(tip)
        self.addItem(item)

    def show_unavailable(self, message: str) -> None:
        self.cards = []
        self.clear()
        item = QListWidgetItem("The dataset list is not available; type a source below.")
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setToolTip(message)
        self.addItem(item)

    def card_for(self, source: str) -> Any:
        for card in self.cards:
            if same_source(card.source, source):
                return card
        return None

    def select_source(self, source: str) -> None:
        """Highlight the entry of ``source`` (or none) without emitting selection signals."""
        self.blockSignals(True)
        try:
            self._select(source)
        finally:
            self.blockSignals(False)

    def _select(self, source: str) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if same_dataset(item.data(Qt.ItemDataRole.UserRole) or "", source):
                self.setCurrentItem(item)
                return
        self.clearSelection()
        self.setCurrentItem(None)
