"""Turning sample arrays into QImages (grayscale or RGB, uint8 or floats in [0, 1])."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def to_uint8(array: Any) -> np.ndarray:
    """An image array as uint8 H×W or H×W×3, whatever scaling and channel axis it came with."""
    arr = np.asarray(array)
    if arr.ndim == 1:
        side = round(float(np.sqrt(arr.size)))
        if side * side == arr.size:
            arr = arr.reshape(side, side)
        else:
            arr = arr.reshape(1, -1)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim == 3 and arr.shape[-1] == 4:
        arr = arr[..., :3]
    if arr.dtype != np.uint8:
        arr = arr.astype(np.float32)
        high = float(arr.max(initial=0.0))
        if high <= 1.0 + 1e-6:
            arr = arr * 255.0
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr)


def to_qimage(array: Any) -> QImage:
    """A deep-copied QImage, so it never points into a numpy buffer that may be freed."""
    arr = to_uint8(array)
    height, width = arr.shape[:2]
    if arr.ndim == 2:
        image = QImage(arr.data, width, height, arr.strides[0], QImage.Format.Format_Grayscale8)
    else:
        image = QImage(arr.data, width, height, arr.strides[0], QImage.Format.Format_RGB888)
    return image.copy()


def to_pixmap(array: Any, size: int) -> QPixmap:
    """Scaled up without smoothing: a learner should see the real pixels of a 28×28 digit."""
    image = to_qimage(array)
    return QPixmap.fromImage(image).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.FastTransformation)
