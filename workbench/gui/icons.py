"""Icons from package resources, usable from source and frozen builds."""

from __future__ import annotations

from PySide6.QtGui import QIcon, QPixmap

from workbench.core.resources import resource


def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("keras-workbench.svg", "keras-workbench-256.png"):
        node = resource("icons", name)
        if node.is_file():
            pixmap = QPixmap()
            pixmap.loadFromData(node.read_bytes())
            if not pixmap.isNull():
                icon.addPixmap(pixmap)
    return icon
