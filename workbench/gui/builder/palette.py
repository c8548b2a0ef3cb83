"""The layer palette: every catalog layer grouped by category, searchable, draggable."""

from __future__ import annotations

import html

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.builder.mime import LAYER_TYPE_MIME, layer_type_mime

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


def layer_tooltip(spec) -> str:
    """Rich tooltip: the explanation for learners, then the parameters with their defaults."""
    lines = [f"<b>{html.escape(spec.type)}</b> <i>({html.escape(spec.category)})</i>",
             f"<p>{html.escape(spec.explanation)}</p>"]
    if spec.params:
        items = []
        for param in spec.params:
            default = "required" if param.required else f"default {param.default!r}"
            items.append(f"<li><b>{html.escape(param.name)}</b> — {html.escape(default)}</li>")
        lines.append("<ul style='margin-left:-20px'>" + "".join(items) + "</ul>")
    lines.append("<p style='color:gray'>Drag onto the stack, or double-click to add at the end.</p>")
    return "".join(lines)


class _PaletteTree(QTreeWidget):
    """A tree whose layer items drag out as the layer-type MIME payload."""

    def mimeTypes(self) -> list[str]:
        return [LAYER_TYPE_MIME]

    def mimeData(self, items) -> QMimeData:
        types = [item.data(0, TYPE_ROLE) for item in items if item.data(0, TYPE_ROLE)]
        return layer_type_mime(types[0] if types else "")

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class LayerPalette(QWidget):
    """Search box + category tree + a help line for the highlighted layer.

    ``layer_activated(type)``: double-click or Enter on a layer (the panel appends it).
    """

    layer_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        title = QLabel("<b>Layers</b>")
        layout.addWidget(title)

        self.search = QLineEdit()
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText("Search layers (e.g. conv, dropout, lstm)…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_changed)
        layout.addWidget(self.search)

        self.tree = _PaletteTree()
        self.tree.setObjectName("layerPalette")
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemActivated.connect(self._on_item_activated)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        self.tree.setMouseTracking(True)
        self.tree.itemEntered.connect(lambda item, _column: self._on_current_changed(item, None))
        layout.addWidget(self.tree, 1)

        self.help = QLabel("Pick a layer to see what it does.")
        self.help.setObjectName("paletteHelp")
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.RichText)
        self.help.setMinimumHeight(60)
        self.help.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.help.setStyleSheet("QLabel { color: palette(window-text); padding: 4px; }")
        layout.addWidget(self.help)

        self._fill()

    def _fill(self) -> None:
        from workbench.core.catalog import layers_by_category

        self.tree.clear()
        for category, specs in layers_by_category().items():
            group = QTreeWidgetItem([category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for spec in specs:
                item = QTreeWidgetItem([spec.type])
                item.setData(0, TYPE_ROLE, spec.type)
                item.setToolTip(0, layer_tooltip(spec))
                item.setStatusTip(0, spec.explanation)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                group.addChild(item)
        self.tree.expandAll()

    def layer_items(self) -> list[QTreeWidgetItem]:
        """Every layer item (not category headers), in display order."""
        items = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            items.extend(group.child(j) for j in range(group.childCount()))
        return items

    def item_for(self, layer_type: str) -> QTreeWidgetItem | None:
        for item in self.layer_items():
            if item.data(0, TYPE_ROLE) == layer_type:
                return item
        return None

    def visible_types(self) -> list[str]:
        return [item.data(0, TYPE_ROLE) for item in self.layer_items() if not item.isHidden()]

    def _on_search_changed(self, text: str) -> None:
        from workbench.core.catalog import get_layer_spec

        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            any_visible = False
            for j in range(group.childCount()):
                item = group.child(j)
                spec = get_layer_spec(item.data(0, TYPE_ROLE))
                haystack = f"{spec.type} {spec.category} {spec.explanation}".lower()
                visible = not needle or needle in haystack
                item.setHidden(not visible)
                any_visible = any_visible or visible
            group.setHidden(not any_visible)
            group.setExpanded(True)

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        layer_type = item.data(0, TYPE_ROLE)
        if layer_type:
            self.layer_activated.emit(layer_type)

    def _on_current_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        from workbench.core.catalog import get_layer_spec

        layer_type = item.data(0, TYPE_ROLE) if item is not None else None
        if not layer_type:
            return
        spec = get_layer_spec(layer_type)
        self.help.setText(f"<b>{html.escape(spec.type)}</b>: {html.escape(spec.explanation)}")
