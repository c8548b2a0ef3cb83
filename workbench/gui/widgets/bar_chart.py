"""A labelled bar chart (pyqtgraph BarGraphItem) for class and next-character probabilities."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

SERIES_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756")


class BarChart(pg.PlotWidget):
    """Bars per label; several series are drawn side by side (e.g. before/after reweighting)."""

    def __init__(self, title: str = "", y_label: str = "probability", parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMinimumHeight(160)
        if title:
            self.setTitle(title, color="#333", size="10pt")
        self.setLabel("left", y_label)
        self.showGrid(y=True, alpha=0.2)
        # Room for the category labels: pyqtgraph sizes the axis for numbers and clips taller text.
        self.getAxis("bottom").setHeight(32)
        self.getAxis("bottom").setStyle(tickTextOffset=6)
        self._legend = self.addLegend(offset=(-10, 5), brush=pg.mkBrush(255, 255, 255, 220),
                                      pen=pg.mkPen("#bbb"), labelTextColor="#333")
        self._legend.setVisible(False)
        self.labels: list[str] = []
        self.series: dict[str, list[float]] = {}

    def set_bars(self, labels: Sequence[str], series: dict[str, Sequence[float]], *, y_max: float | None = 1.0,
                 highlight: int | None = None) -> None:
        """Replace the chart; ``series`` maps a legend name to one value per label."""
        self.clear()
        self._legend.clear()
        self.labels = list(labels)
        self.series = {name: [float(v) for v in values] for name, values in series.items()}
        n = len(self.series)
        self._legend.setVisible(n > 1)
        width = 0.8 / max(1, n)
        for s, (name, values) in enumerate(self.series.items()):
            xs = [i - 0.4 + width * (s + 0.5) for i in range(len(values))]
            colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
            brushes = [pg.mkBrush(colour) for _ in values]
            if highlight is not None and 0 <= highlight < len(values) and n == 1:
                brushes[highlight] = pg.mkBrush("#e45756")
            # The legend swatch reads ``brush``; per-bar ``brushes`` only when a bar is highlighted.
            colours = {"brushes": brushes} if highlight is not None and n == 1 else {"brush": pg.mkBrush(colour)}
            item = pg.BarGraphItem(x=xs, height=values, width=width, pen=pg.mkPen(None), name=name, **colours)
            self.addItem(item)
        axis = self.getAxis("bottom")
        axis.setTicks([[(i, label) for i, label in enumerate(self.labels)]])
        # Headroom above the tallest bar keeps the legend clear of the bars.
        top = y_max if y_max is not None else max([max(v) for v in self.series.values() if v] + [1e-6]) * 1.35
        self.setXRange(-0.6, max(0, len(self.labels) - 1) + 0.6, padding=0)
        self.setYRange(0, top, padding=0)

    def clear_bars(self) -> None:
        self.set_bars([], {})
