"""Tab pages that build their panel the first time it is shown or asked for.

Building every panel before the window shows cost about half of the start-up time: the Data,
Train and Playground panels import pyqtgraph and build plots nobody sees until their tab is
opened (benchmarks/startup.py). A :class:`PanelHost` holds the place of a panel until then.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

PanelFactory = Callable[[], QWidget]


def panel_factory(module: str, class_name: str, *args, **kwargs) -> PanelFactory:
    """A factory that imports ``module`` only when the panel is built (its imports are the cost)."""

    def build() -> QWidget:
        return getattr(importlib.import_module(module), class_name)(*args, **kwargs)

    return build


class PanelHost(QWidget):
    """A tab page whose panel is built on first show, or by :meth:`panel`; it then fills the page."""

    def __init__(self, key: str, factory: PanelFactory, on_built: Callable[[str, QWidget], None] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self._factory: PanelFactory | None = factory
        self._on_built = on_built
        self._panel: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def is_built(self) -> bool:
        return self._panel is not None

    def panel(self) -> QWidget:
        """The panel, built now if it was not yet."""
        if self._panel is None:
            assert self._factory is not None
            panel = self._factory()
            self._factory = None
            panel.setObjectName(f"{self.key}Panel")
            self._panel = panel
            self.layout().addWidget(panel)
            if self.isVisible():
                # A widget added to a visible parent is otherwise shown one event-loop turn
                # later: the tab would paint empty once.
                panel.show()
            if self._on_built is not None:
                self._on_built(self.key, panel)
        return self._panel

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        self.panel()
        super().showEvent(event)


class PanelTabs(QTabWidget):
    """Tabs of :class:`PanelHost` pages; a hosted panel stands for its page, as if it were the page."""

    def indexOf(self, widget: QWidget | None) -> int:  # Qt override (Python callers)
        index = super().indexOf(widget)
        if index < 0 and isinstance(widget, QWidget) and isinstance(widget.parentWidget(), PanelHost):
            index = super().indexOf(widget.parentWidget())
        return index

    def setCurrentWidget(self, widget: QWidget) -> None:  # Qt override (Python callers)
        index = self.indexOf(widget)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            super().setCurrentWidget(widget)


class LazyPanels(Mapping[str, QWidget]):
    """``window.panels[key]``: the panel, built on first access like on first show."""

    def __init__(self, hosts: Mapping[str, PanelHost]):
        self._hosts = dict(hosts)

    def __getitem__(self, key: str) -> QWidget:
        return self._hosts[key].panel()

    def __iter__(self) -> Iterator[str]:
        return iter(self._hosts)

    def __len__(self) -> int:
        return len(self._hosts)

    def host(self, key: str) -> PanelHost:
        return self._hosts[key]

    def is_built(self, key: str) -> bool:
        return self._hosts[key].is_built

    def built(self) -> dict[str, QWidget]:
        """The panels built so far (without building the others)."""
        return {key: host.panel() for key, host in self._hosts.items() if host.is_built}
