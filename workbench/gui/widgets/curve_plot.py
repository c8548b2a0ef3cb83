"""A live training-curve plot: per-batch values faint, per-epoch points bold, validation twin, markers.

Cheap at thousands of points (benchmarks/plot_redraw.py): data lives in growing numpy buffers, curves
downsample to about one min/max pair per pixel and clip to view, each update is one ``setData`` per
curve, a new batch point changes the view range only when it starts a new epoch or a new y extreme,
and what does not change between live updates (axes, epoch curves) is repainted from a pixmap cache.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem, QWidget

TRAIN_COLOUR = "#4c78a8"
VAL_COLOUR = "#f58518"
OVERLAY_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d")


class _Series:
    """A growing (x, y) buffer."""

    def __init__(self) -> None:
        self.x = np.empty(256)
        self.y = np.empty(256)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self.x):
            self.x = np.resize(self.x, 2 * self.n)
            self.y = np.resize(self.y, 2 * self.n)
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.n], self.y[: self.n]

    def clear(self) -> None:
        self.n = 0


LONG_CURVE_POINTS = 500
# pyqtgraph's auto-downsampling aims at ~5 bins per pixel: 10,000 points over ~850 px made bins of 2
# points, and peak mode draws 2 points (min, max) per bin, so all 10,000 were drawn, which was most of a
# redraw's cost. One bin per pixel draws the same min/max envelope with about 1/6 of the points.
DOWNSAMPLE_BINS_PER_PIXEL = 1.0
# Repainted as a pixmap blit until the item changes (Qt regenerates it on update() or a new transform).
_CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache


def _downsample(item: pg.PlotDataItem) -> None:
    item.opts["autoDownsampleFactor"] = DOWNSAMPLE_BINS_PER_PIXEL  # pyqtgraph 0.14 has no setter for it
    item.setDownsampling(auto=True, method="peak")
    item.setClipToView(True)


def _lightened(colour: str, amount: float):
    """``colour`` mixed with white: looks faint like transparency but paints as cheaply as opaque."""
    c = pg.mkColor(colour)
    mix = lambda v: round(v + (255 - v) * amount)
    return pg.mkColor(mix(c.red()), mix(c.green()), mix(c.blue()))


class _LiveBounds(pg.GraphicsObject):
    """Stands in for the batch curve when the view auto-ranges.

    The batch curve is added with ``ignoreBounds``, so a new batch point does not move the view range,
    which would re-downsample every overlay and re-label the axes at each update; these bounds (the batch
    points' extent, x rounded out to whole epochs) change only when a point starts a new epoch or
    reaches a new low or high."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(self.GraphicsItemFlag.ItemHasNoContents)
        self.bounds: tuple[float, float, float, float] | None = None  # x0, x1, y0, y1

    def set_bounds(self, bounds: tuple[float, float, float, float] | None) -> None:
        if bounds != self.bounds:
            self.bounds = bounds
            self.informViewBoundsChanged()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None) -> tuple[float | None, float | None]:
        if self.bounds is None:
            return None, None
        return self.bounds[2 * ax], self.bounds[2 * ax + 1]

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, *args) -> None:
        pass


class _ViewBox(pg.ViewBox):
    """A ViewBox that re-measures its items only when one that counts toward the auto-range changes.

    pyqtgraph queues a re-measure of every item (and so often a new range and new axis labels) whenever
    any item's bounds change, even an item added with ``ignoreBounds`` such as the batch curve."""

    def itemBoundsChanged(self, item) -> None:
        if item in self.addedItems or item.parentItem() in self.addedItems:
            super().itemBoundsChanged(item)


class CurvePlot(pg.PlotWidget):
    """One metric over epochs (x axis = epochs; batch points sit at fractional epochs)."""

    def __init__(self, metric: str = "loss", parent: QWidget | None = None, *, live: bool = True):
        super().__init__(parent=parent, viewBox=_ViewBox())
        # Not "metric": QPaintDevice.metric() is what Qt calls to paint; shadowing it crashes grab().
        self.metric_name = metric
        self.live = live  # False: a comparison plot that only shows overlays
        self.setBackground("w")
        self.setMenuEnabled(False)
        self.setMinimumHeight(170)
        # No grid: at 10,000 points the grid and translucent pens were most of a redraw's cost
        # (benchmarks/plot_redraw.py); opaque, thin, solid pens keep redraws cheap.
        self.setLabel("bottom", "epoch")
        self.setTitle(metric, color="#333", size="10pt")
        self.plotItem.setDownsampling(auto=True, mode="peak")
        self.plotItem.setClipToView(True)
        # A light backing keeps the labels readable where a curve passes behind them.
        self._legend = self.addLegend(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 210))
        self.batch_curve = pg.PlotDataItem(pen=pg.mkPen(_lightened(TRAIN_COLOUR, 0.7), width=1))
        self.plotItem.addItem(self.batch_curve, ignoreBounds=True)
        self._live_bounds = _LiveBounds()
        self.plotItem.addItem(self._live_bounds)
        self.train_curve = self.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2.5), symbol="o", symbolSize=6,
                                     symbolBrush=TRAIN_COLOUR, symbolPen=None, name=metric if live else None)
        self.val_curve = self.plot(pen=pg.mkPen(VAL_COLOUR, width=2.5), symbol="o", symbolSize=6,
                                   symbolBrush=VAL_COLOUR, symbolPen=None, name=f"val_{metric}" if live else None)
        for curve in (self.batch_curve, self.train_curve, self.val_curve):
            _downsample(curve)
        self.best_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#54a24b", width=1.5, style=Qt.PenStyle.DashLine),
                                         label="best", labelOpts={"position": 0.08, "color": "#54a24b"})
        self.stop_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#e45756", width=1.5, style=Qt.PenStyle.DotLine),
                                         label="early stop", labelOpts={"position": 0.2, "color": "#e45756"})
        self.hover_label = pg.TextItem(color="#222", anchor=(0, 1), fill=pg.mkBrush(255, 255, 255, 220))
        self.hover_label.setZValue(10)
        self._batches = _Series()
        self._batch_extent: list[float] | None = None  # x min, x max, y min, y max of the batch points
        self._dirty: set[str] = set()
        self._train = _Series()
        self._val = _Series()
        self._overlays: list[pg.PlotDataItem] = []
        # Static during live updates (the epoch curves change once per epoch) and each repainted only
        # from its own state, so a cached picture cannot go stale. Not the legend: its samples paint
        # the curves' styles, which change without telling them. Not the overlays: blitting a pixmap
        # the size of the plot costs about what drawing a downsampled curve does.
        for item in (self.plotItem.getAxis("left"), self.plotItem.getAxis("bottom"), self.train_curve.curve,
                     self.train_curve.scatter, self.val_curve.curve, self.val_curve.scatter):
            item.setCacheMode(_CACHED)
        self._hover_proxy = pg.SignalProxy(self.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved)

    # -- data -----------------------------------------------------------------

    def reset(self, metric: str | None = None) -> None:
        """Empty the plot (for a new run)."""
        if metric is not None and metric != self.metric_name:
            self.metric_name = metric
            self.setTitle(metric, color="#333", size="10pt")
            self._legend.clear()
            if self.live:
                self._legend.addItem(self.train_curve, metric)
                self._legend.addItem(self.val_curve, f"val_{metric}")
        for series in (self._batches, self._train, self._val):
            series.clear()
        self._dirty.clear()
        self._batch_extent = None
        self._live_bounds.set_bounds(None)
        for curve in (self.batch_curve, self.train_curve, self.val_curve):
            curve.setData([], [])
        for line in (self.best_line, self.stop_line, self.hover_label):
            if line.scene() is not None:
                self.removeItem(line)
        self.clear_overlays()

    def hide_validation_legend(self) -> None:
        """For series without a validation twin (the learning rate)."""
        self._legend.removeItem(self.val_curve)

    def add_batch(self, x: float, value: float | None) -> None:
        """Buffer a per-batch value; it is drawn at the next :meth:`flush`."""
        if value is None or not math.isfinite(value) or not math.isfinite(x):
            return
        self._batches.append(x, value)
        extent = self._batch_extent
        if extent is None:
            self._batch_extent = [x, x, value, value]
        else:
            extent[0], extent[1] = min(extent[0], x), max(extent[1], x)
            extent[2], extent[3] = min(extent[2], value), max(extent[3], value)
        self._dirty.add("batch")

    def add_epoch(self, epoch: int, value: float | None, val_value: float | None) -> None:
        """Buffer one epoch's value and validation value; drawn at the next :meth:`flush`."""
        if value is not None and math.isfinite(value):
            self._train.append(epoch, value)
            self._dirty.add("train")
        if val_value is not None and math.isfinite(val_value):
            self._val.append(epoch, val_value)
            self._dirty.add("val")

    def flush(self) -> None:
        """Draw what was buffered. Each redraw repaints the whole plot, which competes with training
        for the CPU, so the panel calls this a few times per second rather than per event."""
        if not self._dirty:
            return
        for key, curve, series in (("batch", self.batch_curve, self._batches),
                                   ("train", self.train_curve, self._train), ("val", self.val_curve, self._val)):
            if key in self._dirty:
                curve.setData(*series.data())
        if "batch" in self._dirty and self._batch_extent is not None:
            x0, x1, y0, y1 = self._batch_extent
            self._live_bounds.set_bounds((math.floor(x0), math.ceil(x1), y0, y1))
        self._dirty.clear()

    def mark_best(self, epoch: int | None) -> None:
        self._mark(self.best_line, epoch)

    def mark_stop(self, epoch: int | None) -> None:
        self._mark(self.stop_line, epoch)

    def _mark(self, line: pg.InfiniteLine, epoch: int | None) -> None:
        if epoch is not None and line.scene() is not None and line.value() == epoch:
            return  # unchanged: no repaint
        if epoch is None:
            if line.scene() is not None:
                self.removeItem(line)
            return
        line.setValue(epoch)
        if line.scene() is None:
            self.addItem(line, ignoreBounds=True)

    # -- read back (tests, the journey) -------------------------------------------

    def epoch_points(self) -> int:
        """How many per-epoch points the train curve shows."""
        self.flush()
        x, _ = self.train_curve.getOriginalDataset()
        return 0 if x is None else len(x)

    def val_points(self) -> int:
        self.flush()
        x, _ = self.val_curve.getOriginalDataset()
        return 0 if x is None else len(x)

    def batch_points(self) -> int:
        self.flush()
        x, _ = self.batch_curve.getOriginalDataset()
        return 0 if x is None else len(x)

    def best_epoch(self) -> int | None:
        return int(self.best_line.value()) if self.best_line.scene() is not None else None

    # -- comparison ---------------------------------------------------------------

    def add_overlay(self, name: str, xs, ys, index: int, dashed: bool = False, *, faint: bool = False) -> None:
        """Another run's curve; ``faint`` ones (earlier sweep trials) get no legend entry."""
        colour = OVERLAY_COLOURS[index % len(OVERLAY_COLOURS)]
        colour = _lightened(colour, 0.55) if faint else pg.mkColor(colour)
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        width = 1 if faint else 2
        xs = list(xs)
        if len(xs) > LONG_CURVE_POINTS:
            # Dashes and wide pens over thousands of segments dominate a redraw; a long curve is
            # told apart by a lighter shade instead.
            if dashed:
                colour = _lightened(colour.name(), 0.4)
            style, width = Qt.PenStyle.SolidLine, 1
        ys = [float("nan") if v is None else v for v in ys]
        item = self.plot(xs, ys, pen=pg.mkPen(colour, width=width, style=style),
                         name=None if faint else name, connect="finite")
        _downsample(item)
        if faint:
            item.setToolTip(name)
        self._overlays.append(item)

    def clear_overlays(self) -> None:
        for item in self._overlays:
            self.removeItem(item)
            self._legend.removeItem(item)
        self._overlays.clear()

    def overlay_count(self) -> int:
        return len(self._overlays)

    # -- hover --------------------------------------------------------------------

    def _on_mouse_moved(self, args) -> None:
        pos = args[0]
        if not self.sceneBoundingRect().contains(pos):
            return
        point = self.plotItem.vb.mapSceneToView(pos)
        epoch = round(point.x())
        lines = []
        for label, series in ((self.metric_name, self._train), (f"val_{self.metric_name}", self._val)):
            x, y = series.data()
            hits = np.nonzero(x == epoch)[0]
            if hits.size:
                lines.append(f"{label}: {y[hits[-1]]:.4g}")
        if not lines:
            if self.hover_label.scene() is not None:
                self.removeItem(self.hover_label)
            return
        self.hover_label.setText(f"epoch {epoch}\n" + "\n".join(lines))
        self.hover_label.setPos(point.x(), point.y())
        if self.hover_label.scene() is None:
            self.addItem(self.hover_label, ignoreBounds=True)
