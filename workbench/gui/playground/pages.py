"""Playground input pages for classifiers: typed text, a drawn digit, a table row, 2-D points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.playground import jobs
from workbench.gui.widgets.digit_canvas import DigitCanvas, GreyImageView
from workbench.gui.widgets.token_view import TokenView

if TYPE_CHECKING:
    from workbench.gui.playground.panel import PlaygroundPanel

DEBOUNCE_MS = 300


class TextPage(QWidget):
    """A text box; the prediction follows the typing (debounced) and the tokens show what the model saw."""

    def __init__(self, panel: PlaygroundPanel):
        super().__init__()
        self.panel = panel
        self.loaded: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Type a text to classify (the prediction follows as you type):"))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setObjectName("predictText")
        self.text_edit.setPlaceholderText("e.g. This movie was a wonderful surprise, the actors were great…")
        layout.addWidget(self.text_edit, 2)
        layout.addWidget(QLabel("Tokens as the model sees them:"))
        self.token_view = TokenView()
        self.token_view.setObjectName("tokenView")
        layout.addWidget(self.token_view, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.predict_now)
        self.text_edit.textChanged.connect(self.timer.start)

    def set_run(self, payload: dict) -> None:
        self.loaded = payload["loaded"]
        self.token_view.set_tokens([])
        if self.text_edit.toPlainText().strip():
            self.timer.start()

    def reset(self) -> None:
        """Forget the run: a pending debounce must not predict with it after another run is picked."""
        self.timer.stop()
        self.loaded = None
        self.token_view.set_tokens([])

    def predict_now(self) -> None:
        if self.loaded is None:
            return
        text = self.text_edit.toPlainText()
        if not text.strip():
            self.panel.runner.cancel()
            self.token_view.set_tokens([])
            self.panel.clear_prediction()
            self.panel.show_message("Type some text to classify.", "info")
            return
        self.panel.request_prediction(jobs.predict_text_task, self.loaded, text)

    def show_result(self, outcome: dict) -> None:
        self.token_view.set_tokens(outcome.get("tokens") or (outcome.get("result") or {}).get("tokens") or [])


class ImagePage(QWidget):
    """Draw a digit; it is centred like MNIST and the 28×28 image the model receives is shown."""

    def __init__(self, panel: PlaygroundPanel):
        super().__init__()
        self.panel = panel
        self.loaded: Any = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(QLabel("Draw a digit with the mouse (or drop an image file):"))
        self.canvas = DigitCanvas()
        self.canvas.setObjectName("digitCanvas")
        left.addWidget(self.canvas)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearCanvasButton")
        self.clear_button.setFixedWidth(self.canvas.width())
        self.clear_button.clicked.connect(self.clear)
        left.addWidget(self.clear_button)
        left.addStretch(1)
        layout.addLayout(left)
        right = QVBoxLayout()
        right.addWidget(QLabel("What the model receives (28×28, centred by mass):"))
        self.input_view = GreyImageView(scale=6)
        self.input_view.setObjectName("modelInputView")
        right.addWidget(self.input_view)
        right.addStretch(1)
        layout.addLayout(right)
        layout.addStretch(1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(120)
        self.timer.timeout.connect(self.predict_now)
        self.canvas.drawing_finished.connect(self.timer.start)
        self.canvas.load_failed.connect(lambda message: self.panel.show_message(message, "error"))

    def set_run(self, payload: dict) -> None:
        self.loaded = payload["loaded"]
        if not self.canvas.is_empty:
            self.timer.start()

    def reset(self) -> None:
        """Forget the run: a pending debounce must not predict with it after another run is picked."""
        self.timer.stop()
        self.loaded = None

    def clear(self) -> None:
        self.canvas.clear()
        self.input_view.set_array(None)
        self.panel.runner.cancel()
        self.panel.clear_prediction()

    def predict_now(self) -> None:
        if self.loaded is None:
            return
        if self.canvas.is_empty:
            self.panel.show_message("Draw a digit first.", "info")
            return
        self.panel.request_prediction(jobs.predict_drawing_task, self.loaded, self.canvas.to_array())

    def show_result(self, outcome: dict) -> None:
        result = outcome.get("result") or {}
        if "input" in result:
            self.input_view.set_array(np.asarray(result["input"], dtype=np.float32))


class TablePage(QWidget):
    """A form of the run's original columns; any change predicts again."""

    MISSING = "(missing)"

    def __init__(self, panel: PlaygroundPanel):
        super().__init__()
        self.panel = panel
        self.loaded: Any = None
        self.fields: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Fill in a row (empty numbers use the training average):"))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        layout.addWidget(self.scroll, 1)
        self.form_host = QWidget()
        self.form_host.setObjectName("tableForm")
        self.form = QFormLayout(self.form_host)
        self.scroll.setWidget(self.form_host)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.predict_now)

    def set_run(self, payload: dict) -> None:
        self.loaded = payload["loaded"]
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        features = (getattr(self.loaded.preprocessor, "config", {}) or {}).get("features") or []
        for feature in features:
            name = str(feature.get("name"))
            if feature.get("type") == "numeric":
                edit = QLineEdit()
                mean = feature.get("fill", feature.get("mean"))
                edit.setPlaceholderText(f"number, e.g. {mean:.4g}" if isinstance(mean, (int, float)) else "number")
                edit.textChanged.connect(self.timer.start)
                widget: QWidget = edit
            else:
                combo = QComboBox()
                combo.addItems([str(c) for c in feature.get("categories", [])] + [self.MISSING])
                fill = feature.get("fill")
                if fill in feature.get("categories", []):
                    combo.setCurrentText(str(fill))
                combo.currentIndexChanged.connect(self.timer.start)
                widget = combo
            widget.setObjectName(f"tableField_{name}")
            self.fields[name] = widget
            self.form.addRow(name, widget)
        self.timer.start()

    def row(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                values[name] = widget.text().strip() or None
            else:
                text = widget.currentText()
                values[name] = None if text == self.MISSING else text
        return values

    def reset(self) -> None:
        """Forget the run: a pending debounce must not predict with it after another run is picked."""
        self.timer.stop()
        self.loaded = None

    def predict_now(self) -> None:
        if self.loaded is not None:
            self.panel.request_prediction(jobs.predict_row_task, self.loaded, self.row())

    def show_result(self, outcome: dict) -> None:
        pass


class PointsPage(QWidget):
    """The decision boundary of a 2-D classifier as a heatmap under its training points."""

    COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")

    def __init__(self, panel: PlaygroundPanel):
        super().__init__()
        self.panel = panel
        self.loaded: Any = None
        self.grid: dict | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel("Decision boundary: the colour is the predicted class, its strength the confidence.")
        layout.addWidget(self.caption)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("decisionBoundaryPlot")
        self.plot.setBackground("w")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        layout.addWidget(self.plot, 1)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("k", width=0.5))
        self.plot.addItem(self.scatter)

    def set_run(self, payload: dict) -> None:
        self.loaded = payload["loaded"]
        points = payload.get("points")
        self.scatter.clear()
        if points is not None and len(points["x"]):
            x = np.asarray(points["x"])
            margin = 0.15 * (x.max(axis=0) - x.min(axis=0)) + 1e-3
            low, high = x.min(axis=0) - margin, x.max(axis=0) + margin
            brushes = [pg.mkBrush(self.COLOURS[int(c) % len(self.COLOURS)]) for c in points["y"]]
            self.scatter.setData(x=x[:, 0], y=x[:, 1], brush=brushes)
        else:
            low, high = np.array([-1.5, -1.5]), np.array([1.5, 1.5])
        self.range = ((float(low[0]), float(high[0])), (float(low[1]), float(high[1])))
        self.panel.request_prediction(jobs.decision_grid_task, self.loaded, *self.range)

    def reset(self) -> None:
        self.loaded = None
        self.grid = None

    def show_result(self, grid: dict) -> None:
        self.grid = grid
        label, score = np.asarray(grid["label"]), np.asarray(grid["score"])
        confidence = np.abs(score - 0.5) * 2 if grid["binary"] else score
        rgba = np.zeros(label.shape + (4,), dtype=np.float32)
        for c in np.unique(label):
            colour = pg.mkColor(self.COLOURS[int(c) % len(self.COLOURS)])
            rgba[label == c, :3] = (colour.redF(), colour.greenF(), colour.blueF())
        rgba[..., 3] = 0.15 + 0.45 * np.clip(confidence, 0, 1)
        # ImageItem indexes [x, y]; the grid is [row=y, col=x].
        self.image.setImage((rgba.transpose(1, 0, 2) * 255).astype(np.uint8), levels=(0, 255))
        (x0, x1), (y0, y1) = self.range
        self.image.setRect(x0, y0, x1 - x0, y1 - y0)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.image.setZValue(-10)


class EmptyPage(QWidget):
    def __init__(self, text: str):
        super().__init__()
        layout = QVBoxLayout(self)
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        layout.addWidget(label)

    def reset(self) -> None:
        """Nothing to forget; present so that every page can be reset alike."""
