"""The live training plot stays cheap to redraw without changing what it shows (benchmarks/plot_redraw.py)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from workbench.gui.widgets.curve_plot import TRAIN_COLOUR, CurvePlot


@pytest.fixture
def plot(qtbot):
    widget = CurvePlot("loss")
    qtbot.addWidget(widget)
    widget.resize(900, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def settled_range(plot: CurvePlot) -> list[list[float]]:
    """The view range after the pending auto-range (pyqtgraph applies it just before painting)."""
    plot.viewport().repaint()
    return plot.plotItem.vb.viewRange()


def test_batch_points_move_the_view_only_at_a_new_epoch_or_extreme(plot, monkeypatch):
    for step in range(1, 11):  # the first half of epoch 1: the view already spans the whole epoch
        plot.add_batch(step / 20, 1.0 - step / 100)
    plot.flush()
    (x0, x1), (y0, y1) = settled_range(plot)
    assert x0 <= 0 and 1 <= x1 < 1.1 and y0 <= 0.9 and 0.99 <= y1  # the whole of epoch 1, not only 0.05–0.5

    measured = []
    vb = plot.plotItem.vb
    original = vb.childrenBounds
    monkeypatch.setattr(vb, "childrenBounds", lambda *a, **k: measured.append(1) or original(*a, **k))
    for step in range(11, 20):  # more of epoch 1, inside the y extent: nothing to re-measure
        plot.add_batch(step / 20, 0.95)
        plot.flush()
        assert settled_range(plot) == [[x0, x1], [y0, y1]]
    assert not measured and plot.batch_points() == 19

    plot.add_batch(1.05, 0.95)  # epoch 2 begins: the view spans it
    plot.flush()
    (_, x1), _ = settled_range(plot)
    assert 2 <= x1 < 2.1 and measured
    plot.add_batch(1.1, 0.2)  # a new low widens the y range
    plot.flush()
    _, (y0, _) = settled_range(plot)
    assert y0 <= 0.2


def test_overlays_and_the_batch_curve_draw_about_one_min_max_pair_per_pixel(plot):
    xs = np.linspace(0, 50, 10_000, endpoint=False)
    ys = 1 / (1 + 0.1 * xs) + np.random.default_rng(0).normal(0, 0.02, xs.size)
    for x, y in zip(xs, ys):
        plot.add_batch(float(x), float(y))
    plot.add_overlay("earlier run", xs, 1.2 / (1 + 0.09 * xs), 2, dashed=True)
    plot.flush()
    settled_range(plot)
    width = plot.plotItem.vb.width()
    overlay = plot._overlays[0]
    for item, original_ys in ((plot.batch_curve, ys), (overlay, 1.2 / (1 + 0.09 * xs))):
        shown_x, shown_y = item.getData()
        assert len(item.getOriginalDataset()[0]) == 10_000
        assert 0.5 * width < len(shown_x) <= 2 * width + 4  # peak downsampling: a min and a max per pixel
        # ... which keeps the curve's extremes (pyqtgraph drops a last, partial bin) and its span
        tolerance = 0.01 * np.ptp(original_ys)
        assert abs(shown_y.min() - original_ys.min()) < tolerance and abs(shown_y.max() - original_ys.max()) < tolerance
        assert shown_x[0] <= xs[20] and shown_x[-1] >= xs[-20]


def _is_train_colour_at(image: QImage, point: QPointF) -> bool:
    """Whether a pixel within 1 px of ``point`` (widget pixels) is the epoch curve's colour."""
    colour = QColor(TRAIN_COLOUR)
    return any(image.pixelColor(round(point.x()) + dx, round(point.y()) + dy) == colour
               for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def test_cached_epoch_curve_is_redrawn_where_the_points_are_after_the_range_changes(plot):
    # The epoch curves repaint from a pixmap cache: after the range changes, each symbol must be drawn
    # where its epoch now maps to, not where the cached picture had it.
    values = {1: 0.9, 2: 0.8}
    for epoch, value in values.items():
        plot.add_epoch(epoch, value, None)
    plot.flush()
    settled_range(plot)
    plot.grab()  # fills the cache
    values.update({3: 0.5, 4: 0.45})
    for epoch in (3, 4):
        plot.add_epoch(epoch, values[epoch], None)
    plot.flush()
    settled_range(plot)
    image = plot.grab().toImage()
    vb = plot.plotItem.vb
    for epoch, value in values.items():
        where = QPointF(plot.mapFromScene(vb.mapViewToScene(QPointF(epoch, value))))
        assert _is_train_colour_at(image, where), (epoch, where)


def test_reset_forgets_the_live_range_and_hover_reads_epoch_values(plot):
    for step in range(1, 41):
        plot.add_batch(step / 4, 1.0)
    plot.flush()
    (_, x1), _ = settled_range(plot)
    assert x1 >= 10

    plot.reset()
    plot.add_batch(0.5, 0.5)
    plot.add_epoch(1, 0.4, 0.45)
    plot.flush()
    (_, x1), _ = settled_range(plot)
    assert x1 < 1.2 and plot.batch_points() == 1

    vb = plot.plotItem.vb
    plot._on_mouse_moved((vb.mapViewToScene(QPointF(1, 0.42)),))
    assert plot.hover_label.toPlainText() == "epoch 1\nloss: 0.4\nval_loss: 0.45"
