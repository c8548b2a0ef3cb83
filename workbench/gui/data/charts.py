"""The Data panel's charts: class balance, sequence lengths (with maxlen), pixel intensities.

Each chart takes numbers already counted by the loader (:mod:`workbench.core.data.overview`);
a chart that does not apply to the loaded kind of data says so instead of staying blank.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

BAR_BRUSH = (70, 130, 200)
MAXLEN_PEN = pg.mkPen((220, 60, 40), width=2, style=Qt.PenStyle.DashLine)
MAX_TICK_LABELS = 24


def _plot(name: str, title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setObjectName(name)
    plot.setTitle(title, color="k", size="11pt")
    plot.setLabel("bottom", x_label, color="k")
    plot.setLabel("left", y_label, color="k")
    plot.setMenuEnabled(False)
    plot.showGrid(y=True, alpha=0.25)
    for axis in ("bottom", "left"):
        plot.getAxis(axis).setTextPen("k")
        plot.getAxis(axis).setPen("k")
    plot.setMinimumHeight(180)
    plot.getAxis("left").enableAutoSIPrefix(False)
    return plot


class ChartCard(QWidget):
    """A plot with a line of explanation under it, or a note when it does not apply."""

    def __init__(self, plot: pg.PlotWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = plot
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setObjectName(plot.objectName() + "Caption")
        self.note = QLabel()
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666; border: 1px dashed #bbb; padding: 12px;")
        self.applies = True
        self.stack = QStackedWidget()
        self.stack.addWidget(plot)
        self.stack.addWidget(self.note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.caption)

    def show_plot(self, caption: str) -> None:
        self.stack.setCurrentWidget(self.plot)
        self.caption.setText(caption)
        self.applies = True

    def show_note(self, text: str, applies: bool = False) -> None:
        """``applies`` False: the chart means nothing for this data and the row hides it."""
        self.plot.clear()
        self.stack.setCurrentWidget(self.note)
        self.note.setText(text)
        self.caption.setText("")
        self.applies = applies

    @property
    def has_plot(self) -> bool:
        return self.stack.currentWidget() is self.plot


class DataCharts(QWidget):
    """The charts that apply to the loaded data side by side; a line names those that do not."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.balance = ChartCard(_plot("classBalancePlot", "Class balance", "class", "samples"))
        self.lengths = ChartCard(_plot("lengthHistogramPlot", "Sequence length", "words per sample",
                                       "samples"))
        self.pixels = ChartCard(_plot("pixelHistogramPlot", "Pixel intensity", "pixel value",
                                      "% of pixels"))
        self.others = QLabel()
        self.others.setObjectName("chartsNotApplicable")
        self.others.setWordWrap(True)
        self.others.setStyleSheet("color:#666;")
        row = QHBoxLayout()
        for card in self.cards:
            row.addWidget(card, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.others)
        self.clear()

    @property
    def cards(self) -> tuple[ChartCard, ChartCard, ChartCard]:
        return (self.balance, self.lengths, self.pixels)

    def clear(self, note: str = "Load a dataset to see its charts.") -> None:
        for card in self.cards:
            card.show_note(note, applies=card is self.balance)
        self._arrange()

    def _arrange(self) -> None:
        """Hide the charts that do not apply and say why in one line."""
        notes = []
        for card in self.cards:
            card.setVisible(card.applies)
            if not card.applies:
                notes.append(card.note.text())
        self.others.setText("  ·  ".join(notes))
        self.others.setVisible(bool(notes))

    def show_data(self, names: Sequence[str], counts: Sequence[int], lengths: np.ndarray | None,
                  maxlen: int | None, unit: str, pixel_counts: np.ndarray | None,
                  pixel_edges: np.ndarray | None, split: str = "train",
                  targets: np.ndarray | None = None) -> None:
        """All three charts at once, then the layout; ``targets``: regression values instead of classes."""
        if not len(counts) and targets is not None and len(targets):
            self.show_targets(targets)
        else:
            self.show_class_balance(names, counts, split)
        self.show_lengths(lengths, maxlen, unit)
        self.show_pixels(pixel_counts, pixel_edges)
        self._arrange()

    # ------------------------------------------------------------------ class balance

    def show_class_balance(self, names: Sequence[str], counts: Sequence[int], split: str = "train") -> None:
        card = self.balance
        if not len(counts):
            card.show_note("Class balance: none, this dataset predicts a number (regression).")
            return
        plot = card.plot
        plot.clear()
        plot.setTitle("Class balance", color="k", size="11pt")
        plot.setLabel("bottom", "class", color="k")
        x = np.arange(len(counts))
        plot.addItem(pg.BarGraphItem(x=x, height=np.asarray(counts, dtype=float), width=0.7,
                                     brush=BAR_BRUSH, pen=pg.mkPen("w")))
        axis = plot.getAxis("bottom")
        step = max(1, int(np.ceil(len(names) / MAX_TICK_LABELS)))
        axis.setTicks([[(i, _short(str(names[i]))) for i in range(0, len(names), step)]])
        plot.setXRange(-0.6, len(counts) - 0.4, padding=0)
        plot.setYRange(0, max(counts) * 1.1 or 1, padding=0)
        total = int(sum(counts))
        smallest, largest = min(counts), max(counts)
        if total and largest > 1.5 * max(smallest, 1):
            verdict = (f"Unbalanced: the biggest class has {largest / max(smallest, 1):.1f}× the samples of "
                       "the smallest, so accuracy alone can mislead.")
        else:
            verdict = "Roughly balanced, so accuracy is a fair first measure."
        card.show_plot(f"{total:,} {split} samples in {len(counts)} classes. {verdict}")

    def show_targets(self, targets: np.ndarray) -> None:
        """Regression: the distribution of the number to predict takes the place of class balance."""
        card = self.balance
        plot = card.plot
        plot.clear()
        plot.setTitle("Target values", color="k", size="11pt")
        values = np.asarray(targets, dtype=np.float64)
        counts, edges = np.histogram(values, bins=min(40, max(5, len(values) // 10)))
        plot.addItem(pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts, brush=BAR_BRUSH,
                                     pen=pg.mkPen((255, 255, 255, 120))))
        plot.getAxis("bottom").setTicks(None)
        plot.setLabel("bottom", "target value", color="k")
        plot.enableAutoRange()
        card.show_plot(f"A number to predict (regression): mean {values.mean():.3g}, from {values.min():.3g} "
                       f"to {values.max():.3g}. Guessing the mean everywhere gives a mean absolute error of "
                       f"{np.abs(values - values.mean()).mean():.3g}: a model must beat that.")

    # ------------------------------------------------------------------ sequence lengths

    def show_lengths(self, lengths: np.ndarray | None, maxlen: int | None, unit: str = "words") -> None:
        card = self.lengths
        if lengths is None or not len(lengths):
            card.show_note("Sequence length: applies to text only.")
            return
        plot = card.plot
        plot.clear()
        lengths = np.asarray(lengths)
        top = int(np.percentile(lengths, 99)) + 1
        if maxlen:
            top = max(top, int(maxlen) + 1)
        bins = min(60, max(5, top))
        counts, edges = np.histogram(np.clip(lengths, 0, top), bins=bins, range=(0, top))
        plot.addItem(pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts, brush=BAR_BRUSH,
                                     pen=pg.mkPen((255, 255, 255, 120))))
        plot.setLabel("bottom", f"{unit} per sample", color="k")
        caption = f"Median {int(np.median(lengths))} {unit}, longest {int(lengths.max())}."
        if maxlen:
            line = pg.InfiniteLine(pos=float(maxlen), angle=90, pen=MAXLEN_PEN,
                                   label=f"maxlen = {maxlen}",
                                   labelOpts={"position": 0.9, "color": (200, 40, 20), "fill": (255, 255, 255, 200)})
            plot.addItem(line)
            cut = float(np.mean(lengths > maxlen)) * 100
            caption += f" maxlen {maxlen} cuts {cut:.0f}% of samples short (red line)."
        card.show_plot(caption)

    # ------------------------------------------------------------------ pixels

    def show_pixels(self, counts: np.ndarray | None, edges: np.ndarray | None) -> None:
        card = self.pixels
        if counts is None or edges is None or not len(counts):
            card.show_note("Pixel intensity: applies to images only.")
            return
        plot = card.plot
        plot.clear()
        share = 100.0 * np.asarray(counts, dtype=float) / max(float(np.sum(counts)), 1.0)
        plot.addItem(pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=share, brush=(90, 90, 90),
                                     pen=pg.mkPen((255, 255, 255, 80))))
        card.show_plot(f"Pixel values as the model sees them (scaled to 0…1): {share[0]:.0f}% are in the "
                       f"darkest bin, {share[-1]:.0f}% in the brightest. A tall bar at 0 is a plain black "
                       "background, as in MNIST digits.")


def _short(text: str, width: int = 12) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
