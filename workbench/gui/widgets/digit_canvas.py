"""A canvas to draw a digit on with the mouse, and a pixel-exact view of a small grey image."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class DigitCanvas(QWidget):
    """White ink on black, like MNIST; ``drawing_finished`` after each stroke (mouse released).

    The drawing is kept in a fixed-size QImage so the array handed to the core does not depend
    on the widget's on-screen size.
    """

    drawing_finished = Signal()
    cleared = Signal()
    load_failed = Signal(str)

    def __init__(self, side: int = 280, pen_width: int = 22, parent: QWidget | None = None):
        super().__init__(parent)
        self._image = QImage(side, side, QImage.Format.Format_Grayscale8)
        self._image.fill(0)
        self.pen_width = pen_width
        self._last: QPointF | None = None
        self._strokes = 0
        self.setFixedSize(side, side)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit with the mouse (white on black, like MNIST), or drop an image file.")
        self.setAcceptDrops(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return self._image.size()

    @property
    def is_empty(self) -> bool:
        return self._strokes == 0

    def clear(self) -> None:
        self._image.fill(0)
        self._strokes = 0
        self.update()
        self.cleared.emit()

    def to_array(self) -> np.ndarray:
        """The drawing as float32 ``(side, side)`` in [0, 1], ink high."""
        image = self._image.convertToFormat(QImage.Format.Format_Grayscale8)
        width, height, stride = image.width(), image.height(), image.bytesPerLine()
        data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
        return data.reshape(height, stride)[:, :width].astype(np.float32) / 255.0

    def draw_stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a polyline in canvas coordinates (what the mouse does; also for scripted journeys)."""
        if not points:
            return
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), self.pen_width, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        first = QPointF(*points[0])
        painter.drawPoint(first)
        for a, b in pairwise(points):
            painter.drawLine(QPointF(*a), QPointF(*b))
        painter.end()
        self._strokes += 1
        self.update()
        self.drawing_finished.emit()

    def load_image(self, path: str) -> bool:
        """Replace the drawing with an image file, fitted and centred; dark-on-light is inverted."""
        image = QImage(path)
        if image.isNull():
            self.load_failed.emit(f"{path}: cannot be read as an image (PNG, JPEG, BMP, GIF…).")
            return False
        grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
        width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
        pixels = np.frombuffer(grey.constBits(), dtype=np.uint8, count=stride * height)
        pixels = pixels.reshape(height, stride)[:, :width]
        if pixels.mean() > 127:  # a scan or photo: dark ink on paper; the model expects light ink
            grey.invertPixels()
        side = self._image.width()
        scaled = grey.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        self._image.fill(0)
        painter = QPainter(self._image)
        painter.drawImage((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
        painter.end()
        self._strokes += 1
        self.update()
        self.drawing_finished.emit()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.load_image(files[0])

    # ------------------------------------------------------------------ mouse

    def _to_image(self, pos: QPointF) -> QPointF:
        return QPointF(pos.x() * self._image.width() / max(1, self.width()),
                       pos.y() * self._image.height() / max(1, self.height()))

    def _paint_segment(self, a: QPointF, b: QPointF) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), self.pen_width, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.drawLine(a, b)
        painter.end()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = self._to_image(event.position())
            self._paint_segment(self._last, self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is not None:
            point = self._to_image(event.position())
            self._paint_segment(self._last, point)
            self._last = point

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._last is not None and event.button() == Qt.MouseButton.LeftButton:
            self._paint_segment(self._last, self._to_image(event.position()))
            self._last = None
            self._strokes += 1
            self.drawing_finished.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(self.rect(), self._image)
        painter.setPen(QPen(QColor(90, 90, 90), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()


class GreyImageView(QLabel):
    """Shows a small 2-D array (values 0–1) enlarged with visible pixels (no smoothing)."""

    def __init__(self, scale: int = 5, parent: QWidget | None = None):
        super().__init__(parent)
        self.scale = scale
        self.array: np.ndarray | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedSize(28 * scale + 2, 28 * scale + 2)
        self.setStyleSheet("background: black; border: 1px solid #555;")

    def set_array(self, array: np.ndarray | None) -> None:
        self.array = None if array is None else np.asarray(array, dtype=np.float32)
        if self.array is None:
            self.clear()
            return
        grey = np.ascontiguousarray(np.clip(self.array * 255, 0, 255).astype(np.uint8))
        height, width = grey.shape
        image = QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
        pixmap = QPixmap.fromImage(image).scaled(width * self.scale, height * self.scale,
                                                 Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.FastTransformation)
        self.setPixmap(pixmap)
