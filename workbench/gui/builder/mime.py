"""Drag-and-drop and clipboard payloads of the Builder, as MIME data.

Drags carry their own MIME types so a drop target can tell them apart without parsing: a layer
type from the palette, or rows of the stack being dragged within it. Whole layers (type + config)
go to the clipboard for Cut/Copy/Paste as JSON text.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData

LAYER_TYPE_MIME = "application/x-keras-workbench-layer"
STACK_ROWS_MIME = "application/x-keras-workbench-stack-rows"
LAYERS_FORMAT = "keras-workbench.layers"


def layer_type_mime(layer_type: str) -> QMimeData:
    """The payload of a palette drag: one Keras layer class name."""
    data = QMimeData()
    data.setData(LAYER_TYPE_MIME, layer_type.encode("utf-8"))
    data.setText(layer_type)
    return data


def read_layer_type(data: QMimeData) -> str | None:
    if not data.hasFormat(LAYER_TYPE_MIME):
        return None
    text = bytes(data.data(LAYER_TYPE_MIME).data()).decode("utf-8", "replace").strip()
    return text or None


def stack_rows_mime(rows: list[int]) -> QMimeData:
    """The payload of a drag within the stack: the rows being moved."""
    data = QMimeData()
    data.setData(STACK_ROWS_MIME, json.dumps(sorted(set(rows))).encode("utf-8"))
    return data


def read_stack_rows(data: QMimeData) -> list[int] | None:
    if not data.hasFormat(STACK_ROWS_MIME):
        return None
    try:
        rows = json.loads(bytes(data.data(STACK_ROWS_MIME).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(rows, list) or not all(isinstance(r, int) and not isinstance(r, bool) for r in rows):
        return None
    return rows


def layers_to_text(layers: list[dict[str, Any]]) -> str:
    """Clipboard text for whole layers: JSON that names its format, readable in any editor.

    Plain text rather than a QMimeData of our own: PySide6 6.12 crashes on exit when the clipboard
    still holds a QMimeData created from Python (setText is safe).
    """
    return json.dumps({"format": LAYERS_FORMAT, "layers": layers}, indent=2)


def layers_from_text(text: str | None) -> list[dict[str, Any]] | None:
    """Layers from clipboard text; None when it holds no layers (anything malformed is ignored)."""
    if not text or LAYERS_FORMAT not in text:
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("format") != LAYERS_FORMAT:
        return None
    if not isinstance(raw.get("layers"), list):
        return None
    layers = []
    for item in raw["layers"]:
        if (isinstance(item, dict) and isinstance(item.get("type"), str)
                and isinstance(item.get("config", {}), dict)):
            layers.append({"type": item["type"], "config": dict(item.get("config", {}))})
    return layers or None
