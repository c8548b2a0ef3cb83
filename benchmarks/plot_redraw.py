"""Redraw time of the live training plot with 4 curves × 10,000 points, offscreen.

The Train panel's ``CurvePlot`` (``workbench/gui/widgets/curve_plot.py``) gets four 10,000-point
curves: the live per-batch curve, filled through ``add_batch`` as training fills it, and three
10,000-point comparison overlays (``add_overlay``, as when runs are compared), beside 50 per-epoch
train/validation points (``add_epoch``; epochs are drawn with symbols and never number 10,000).
Each measured redraw is one live update — a new batch point (``add_batch``, then ``flush`` where the
plot buffers points until the panel's redraw timer flushes them) — followed by a synchronous repaint
(``viewport().repaint()``); both are timed.
Baseline, measured in the same run: a plain ``pyqtgraph.PlotWidget`` with pyqtgraph's defaults (no
downsampling, no clip-to-view), the same four 10,000-point curves drawn with ``plot()`` and the same
50 epoch points with symbols, the same widget size and the same live-update loop (the live curve
grows by one point, ``setData``, synchronous repaint). The two alternate in blocks.
Goal: ≤ 5 ms per redraw (median; p95 and max are reported too); the ratio is reported beside it.
"""

from __future__ import annotations

import math
import time

import common
import numpy as np

GOAL_MS = 5.0
POINTS = 10_000
EPOCHS = 50
BLOCKS = 4  # the measured and baseline loops alternate in this many blocks each


class PlainPlot:
    """The baseline: a default pyqtgraph PlotWidget fed the same curves, updated the same way."""

    def __init__(self, xs: np.ndarray, ys: np.ndarray, capacity: int) -> None:
        import pyqtgraph as pg

        self.widget = pg.PlotWidget()
        self.widget.resize(900, 420)
        n = len(xs)
        self.x = np.empty(n + capacity)
        self.y = np.empty(n + capacity)
        self.x[:n], self.y[:n], self.n = xs, ys, n
        self.live = self.widget.plot(self.x[:n], self.y[:n])
        for k in range(3):
            self.widget.plot(xs, (1.2 + 0.1 * k) / (1 + 0.09 * xs))
        epochs = np.arange(1, EPOCHS + 1, dtype=float)
        self.widget.plot(epochs, 1 / (1 + 0.1 * epochs), symbol="o")
        self.widget.plot(epochs, 1.1 / (1 + 0.08 * epochs), symbol="o")

    def add(self, x: float, y: float) -> None:
        self.x[self.n], self.y[self.n] = x, y
        self.n += 1
        self.live.setData(self.x[:self.n], self.y[:self.n])


def timed_redraws(update, repaint, count: int, start_i: int, x_next: float, step: float, app,
                  update_ms: list[float], total_ms: list[float]) -> float:
    """``count`` live updates (one new point each) + synchronous repaints; returns the next x."""
    for i in range(start_i, start_i + count):
        start = time.perf_counter()
        x_next += step
        update(x_next, 0.5 + 0.1 * math.sin(i))
        updated = time.perf_counter()
        repaint()
        end = time.perf_counter()
        update_ms.append((updated - start) * 1000)
        total_ms.append((end - start) * 1000)
        app.processEvents()
    return x_next


def main() -> None:
    args = common.parse_args(__doc__.splitlines()[0])
    common.require("plot_redraw", "workbench.gui.widgets.curve_plot")
    points = common.pick(args, smoke=2_000, default=POINTS, full=POINTS)
    redraws = common.pick(args, smoke=20, default=300, full=1000)
    with common.temp_dir("plot") as home:
        common.isolate_user_dirs(home)
        from workbench.gui.app import make_application
        from workbench.gui.widgets.curve_plot import CurvePlot

        app = make_application()
        guard_note = common.guard_bool_refcount()
        plot = CurvePlot("loss")
        plot.resize(900, 420)
        plot.show()
        app.processEvents()

        rng = np.random.default_rng(0)
        # Per-batch points at fractional epochs, as the panel places them.
        xs = np.linspace(0, EPOCHS, points, endpoint=False)
        noisy = 1 / (1 + 0.1 * xs) + rng.normal(0, 0.02, points)
        flush = getattr(plot, "flush", lambda: None)  # newer CurvePlots buffer until flush()
        with common.stopwatch() as fill_s:
            for x, y in zip(xs, noisy):
                plot.add_batch(float(x), float(y))
            flush()
        for e in range(1, EPOCHS + 1):
            plot.add_epoch(e, 1 / (1 + 0.1 * e), 1.1 / (1 + 0.08 * e))
        for k in range(3):
            plot.add_overlay(f"earlier run {k + 1}", xs, (1.2 + 0.1 * k) / (1 + 0.09 * xs), k + 2, dashed=True)
        flush()
        curves = {"batch": plot.batch_points(), "train": plot.epoch_points(), "val": plot.val_points(),
                  "overlays": plot.overlay_count(), "overlay_points": points}
        plot.viewport().repaint()
        app.processEvents()

        plain = PlainPlot(xs, noisy, redraws + 1)
        plain.widget.show()
        plain.widget.viewport().repaint()
        app.processEvents()

        def curve_plot_update(x: float, y: float) -> None:
            plot.add_batch(x, y)
            flush()

        update_ms: list[float] = []
        total_ms: list[float] = []
        base_update_ms: list[float] = []
        base_total_ms: list[float] = []
        x_plot = x_plain = float(xs[-1])
        per_block = max(1, redraws // BLOCKS)
        step = EPOCHS / points
        done = 0
        while done < redraws:
            count = min(per_block, redraws - done)
            x_plot = timed_redraws(curve_plot_update, plot.viewport().repaint, count, done, x_plot, step, app,
                                   update_ms, total_ms)
            x_plain = timed_redraws(plain.add, plain.widget.viewport().repaint, count, done, x_plain, step, app,
                                    base_update_ms, base_total_ms)
            done += count
        plain.widget.close()
        image = plot.grab()
        grabbed = not image.isNull()
        plot.close()
        app.processEvents()
    median = common.median(total_ms)
    base_median = common.median(base_total_ms)
    r = common.ratio(median, base_median)
    notes = [(f"{points:,} points on each of 4 curves (the live batch curve and 3 comparison overlays) plus "
             f"{EPOCHS} epoch points with symbols: {curves}; {redraws} live updates, each add_batch (+ flush) "
             "+ synchronous repaint, widget 900×420, offscreen"),
             f"filling the batch curve point by point (one flush at the end) took {fill_s():.2f} s",
             f"add_batch + flush alone: median {common.median(update_ms):.2f} ms; the rest is painting",
             "the plot downsamples (peak) and clips to view, as configured by CurvePlot",
             (f"baseline: plain pyqtgraph PlotWidget, pyqtgraph defaults, same curves/size/loop, alternating in "
              f"{BLOCKS} blocks: median {base_median:.2f} ms (p95 {common.percentile(base_total_ms, 95):.2f} ms), "
              f"setData alone {common.median(base_update_ms):.2f} ms")]
    if guard_note:
        notes.append(guard_note)
    if not grabbed:
        notes.append("grab() returned an empty image: the offscreen plot may not have painted")
    if args.mode == "smoke":
        notes.append("smoke: 2,000 points, 20 redraws")
    common.emit(
        "plot_redraw", args,
        target=f"plot redraw, 4 curves × {points:,} points",
        goal=f"≤ {GOAL_MS:g} ms per redraw",
        measured={"median_ms": median, "p95_ms": common.percentile(total_ms, 95), "max_ms": max(total_ms),
                  "update_median_ms": common.median(update_ms), "redraws": redraws, "points": points,
                  "curves": curves},
        baseline={"median_ms": base_median, "p95_ms": common.percentile(base_total_ms, 95),
                  "max_ms": max(base_total_ms), "update_median_ms": common.median(base_update_ms),
                  "what": "plain pyqtgraph PlotWidget, defaults, plot() curves"},
        measured_text=f"{median:.2f} ms median (p95 {common.percentile(total_ms, 95):.2f} ms)",
        baseline_text=f"{base_median:.2f} ms median, plain pyqtgraph `PlotWidget` (defaults)",
        ratio=r,
        checks=[common.check("median_ms", median, GOAL_MS, unit=" ms")],
        notes=notes,
    )


if __name__ == "__main__":
    main()
