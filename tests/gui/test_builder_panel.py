"""The Builder panel: palette drops, reordering, undo/redo, live shapes, typed editors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from workbench.core.design.templates import load_template
from workbench.core.document import ExperimentDocument, LayerEntry, ModelSpec
from workbench.gui.builder.mime import LAYER_TYPE_MIME, STACK_ROWS_MIME, layer_type_mime, stack_rows_mime
from workbench.gui.builder.panel import BuilderPanel
from workbench.gui.builder.stack_model import COL_LAYER, COL_PARAMS, COL_SETTINGS, COL_SHAPE, ERROR_ROLE
from workbench.gui.context import AppContext
from workbench.gui.session import DocumentSession


@pytest.fixture
def panel(qtbot):
    session = DocumentSession(load_template("imdb-dense"))
    context = AppContext(session)
    widget = BuilderPanel(context)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    context.pool.shutdown()


def cell(panel: BuilderPanel, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    model = panel.stack_model
    return model.data(model.index(row, column), role)


def types(panel: BuilderPanel) -> list[str]:
    return [entry.type for entry in panel.session.document.model.layers]


def test_template_rows_show_shapes_and_params_like_keras(panel):
    model = panel.stack_model
    assert model.rowCount() == 3
    assert cell(panel, 0, COL_LAYER) == "dense (Dense)"
    assert cell(panel, 1, COL_LAYER) == "dense_1 (Dense)"
    assert cell(panel, 0, COL_SHAPE) == "(None, 16)"
    assert cell(panel, 0, COL_PARAMS) == "160,016"
    assert cell(panel, 2, COL_PARAMS) == "17"
    assert "units=16" in cell(panel, 0, COL_SETTINGS) and "relu" in cell(panel, 0, COL_SETTINGS)
    assert "160,305" in panel.totals.text()
    assert panel.issues.count() == 1 and "No problems" in panel.issues.item(0).text()


def test_palette_groups_searches_and_explains(panel):
    palette = panel.palette_widget
    tree = panel.palette_tree
    categories = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert "Core" in categories and "Convolution" in categories and "Recurrent" in categories
    item = palette.item_for("Dropout")
    assert "overfitting" in item.toolTip(0)
    tree.setCurrentItem(item)
    assert "overfitting" in palette.help.text()
    panel.palette_search.setText("pool")
    visible = palette.visible_types()
    assert "MaxPooling2D" in visible and "Dense" not in visible
    panel.palette_search.setText("")
    assert "Dense" in palette.visible_types()
    # The palette's drag payload is the layer-type MIME the stack accepts.
    data = tree.mimeData([item])
    assert bytes(data.data(LAYER_TYPE_MIME).data()) == b"Dropout"


def test_drop_from_palette_inserts_at_position_and_undo_redo(panel):
    model = panel.stack_model
    session = panel.session
    # The same call a drag from the palette ends in: real QMimeData, a row between layers.
    tree = panel.palette_tree
    data = tree.model().mimeData([tree.indexFromItem(panel.palette_widget.item_for("Dropout"))])
    assert data.hasFormat(LAYER_TYPE_MIME)
    assert model.canDropMimeData(data, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert model.dropMimeData(data, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert types(panel) == ["Dense", "Dropout", "Dense", "Dense"]
    assert model.rowCount() == 4
    assert cell(panel, 1, COL_LAYER) == "dropout (Dropout)"
    assert cell(panel, 1, COL_SHAPE) == "(None, 16)"
    assert cell(panel, 1, COL_PARAMS) == "0"
    assert "rate=0.5" in cell(panel, 1, COL_SETTINGS)
    assert panel.stack.current_row() == 1, "the dropped layer is selected"
    assert session.modified

    session.undo_stack.undo()
    assert types(panel) == ["Dense", "Dense", "Dense"]
    assert model.rowCount() == 3
    session.undo_stack.redo()
    assert types(panel) == ["Dense", "Dropout", "Dense", "Dense"]
    assert model.rowCount() == 4


def test_drop_on_empty_area_appends_and_unknown_types_are_refused(panel):
    model = panel.stack_model
    assert model.dropMimeData(layer_type_mime("Flatten"), Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert types(panel)[-1] == "Flatten"
    bogus = layer_type_mime("NotALayer")
    assert not model.canDropMimeData(bogus, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    assert not model.dropMimeData(bogus, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    assert len(types(panel)) == 4


def test_reorder_by_drop_updates_shapes_and_is_one_undo_step(panel):
    model = panel.stack_model
    session = panel.session
    # Make the last layer distinguishable, then drag it (row 2) to the top (before row 0).
    panel.stack.select_rows([2])
    model.set_layer_value(2, "units", 4)
    steps = session.undo_stack.count()
    data = model.mimeData([model.index(2, 0)])
    assert data.hasFormat(STACK_ROWS_MIME)
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    units = [entry.config["units"] for entry in session.document.model.layers]
    assert units == [4, 16, 16]
    assert session.undo_stack.count() == steps + 1
    # Shapes and parameters follow the new order: 10000*4+4, then 4*16+16.
    assert cell(panel, 0, COL_SHAPE) == "(None, 4)"
    assert cell(panel, 0, COL_PARAMS) == "40,004"
    assert cell(panel, 1, COL_PARAMS) == "80"
    assert panel.stack.current_row() == 0
    session.undo_stack.undo()
    assert [entry.config["units"] for entry in session.document.model.layers] == [16, 16, 4]
    assert cell(panel, 0, COL_PARAMS) == "160,016"
    # Dropping rows right where they are changes nothing and adds no undo step.
    count = session.undo_stack.count()
    model.dropMimeData(stack_rows_mime([1]), Qt.DropAction.MoveAction, 2, 0, QModelIndex())
    assert session.undo_stack.count() == count


def test_invalid_layer_is_red_with_its_message(panel):
    model = panel.stack_model
    model.dropMimeData(layer_type_mime("Conv2D"), Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    error = cell(panel, 1, 0, ERROR_ROLE)
    assert error, "Conv2D on a flat vector must be an error"
    assert error.split("; ")[0] in cell(panel, 1, COL_SETTINGS)
    assert error in cell(panel, 1, COL_SETTINGS, Qt.ItemDataRole.ToolTipRole)
    assert cell(panel, 1, COL_LAYER, Qt.ItemDataRole.ForegroundRole).color().name() == "#b00020"
    texts = [panel.issues.item(i).text() for i in range(panel.issues.count())]
    assert any(text.startswith("layer 2") for text in texts)
    # Clicking the issue selects the layer at fault.
    panel.stack.select_rows([0])
    item = next(panel.issues.item(i) for i in range(panel.issues.count())
                if panel.issues.item(i).text().startswith("layer 2"))
    panel._on_issue_clicked(item)
    assert panel.stack.current_row() == 1
    panel.session.undo_stack.undo()
    assert cell(panel, 1, 0, ERROR_ROLE) is None


def test_double_click_appends_delete_duplicate_and_clipboard(panel, qtbot):
    session = panel.session
    item = panel.palette_widget.item_for("Dropout")
    panel.palette_tree.itemActivated.emit(item, 0)
    assert types(panel) == ["Dense", "Dense", "Dense", "Dropout"]

    panel.stack.setFocus()
    panel.stack.select_rows([0])
    qtbot.keyClick(panel.stack, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert types(panel) == ["Dense", "Dense", "Dense", "Dense", "Dropout"]
    assert panel.stack.current_row() == 1

    panel.stack.select_rows([4])
    qtbot.keyClick(panel.stack, Qt.Key.Key_Delete)
    assert types(panel) == ["Dense"] * 4

    # Cut the last layer, paste it after the first one.
    session.edit("units", "model", lambda d: d.model.layers[3].config.update(units=7))
    panel.stack.select_rows([3])
    qtbot.keyClick(panel.stack, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert len(types(panel)) == 3
    panel.stack.select_rows([0])
    qtbot.keyClick(panel.stack, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [e.config["units"] for e in session.document.model.layers] == [16, 7, 16, 16]
    # Copy leaves the design alone and pastes a copy.
    qtbot.keyClick(panel.stack, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert len(types(panel)) == 4
    assert "keras-workbench.layers" in QApplication.clipboard().text()
    # Clipboard text that is not layers pastes nothing.
    QApplication.clipboard().setText("hello")
    with qtbot.waitSignal(panel.context.status_message, timeout=1000):
        qtbot.keyClick(panel.stack, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(types(panel)) == 4


def test_property_edits_change_the_document_and_undo(panel, qtbot):
    session = panel.session
    panel.stack.select_rows([0])
    editor = panel.property_editor
    units = editor.findChild(QSpinBox, "param_units")
    assert units.value() == 16
    units.setValue(64)
    assert session.document.model.layers[0].config["units"] == 64
    assert cell(panel, 0, COL_SHAPE) == "(None, 64)"
    assert cell(panel, 0, COL_PARAMS) == f"{10000 * 64 + 64:,}"
    activation = editor.findChild(QComboBox, "param_activation")
    activation.activated.emit(activation.findData("tanh"))
    assert session.document.model.layers[0].config["activation"] == "tanh"
    session.undo_stack.undo()
    assert session.document.model.layers[0].config["activation"] == "relu"
    assert activation.currentData() == "relu", "the editor follows undo"
    session.undo_stack.undo()
    assert units.value() == 16


def test_out_of_range_values_are_refused_by_the_editors(panel, qtbot):
    session = panel.session
    panel.stack.select_rows([0])
    units = panel.property_editor.findChild(QSpinBox, "param_units")
    assert units.minimum() == 1
    steps = session.undo_stack.count()
    units.lineEdit().selectAll()
    qtbot.keyClicks(units.lineEdit(), "0")
    qtbot.keyClick(units.lineEdit(), Qt.Key.Key_Return)
    units.clearFocus()
    assert session.document.model.layers[0].config["units"] == 16
    assert session.undo_stack.count() == steps
    units.setValue(-5)  # programmatic values are clamped, never stored out of range
    assert session.document.model.layers[0].config["units"] >= 1

    # Dropout's rate spin box stops at 0.99.
    panel.stack_model.insert_new_layer("Dropout", 1)
    rate = panel.property_editor.findChild(QDoubleSpinBox, "param_rate")
    assert rate.maximum() == pytest.approx(0.99)
    rate.setValue(1.5)
    assert session.document.model.layers[1].config["rate"] == pytest.approx(0.99)


def test_tuple_editor_validates_as_you_type(panel, qtbot):
    session = panel.session
    session.edit("image", "model", lambda d: setattr(d.model, "input_shape", [28, 28, 1]))
    conv = LayerEntry("Conv2D", {"filters": 8, "kernel_size": [3, 3]})
    session.edit("conv", "model", lambda d: d.model.layers.insert(0, conv))
    panel.stack.select_rows([0])
    kernel = panel.property_editor.findChild(QLineEdit, "param_kernel_size")
    assert kernel.text() == "3, 3"
    kernel.selectAll()
    qtbot.keyClicks(kernel, "5, a")
    problem = panel.property_editor.fields["kernel_size"].problem
    assert problem.isVisibleTo(panel) and "whole numbers" in problem.text()
    qtbot.keyClick(kernel, Qt.Key.Key_Return)
    assert session.document.model.layers[0].config["kernel_size"] == [3, 3]
    kernel.selectAll()
    qtbot.keyClicks(kernel, "5, 5")
    assert not problem.isVisibleTo(panel)
    qtbot.keyClick(kernel, Qt.Key.Key_Return)
    assert session.document.model.layers[0].config["kernel_size"] == [5, 5]
    assert cell(panel, 0, COL_SHAPE) == "(None, 24, 24, 8)"


def test_input_shape_editor(panel, qtbot):
    session = panel.session
    line = panel.findChild(QLineEdit, "inputShapeEdit")
    assert line.text() == "10000"
    line.selectAll()
    qtbot.keyClicks(line, "0")
    assert "at least 1" in panel.input_editor.problem.text()
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert session.document.model.input_shape == [10000]
    line.selectAll()
    qtbot.keyClicks(line, "500")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert session.document.model.input_shape == [500]
    assert cell(panel, 0, COL_PARAMS) == f"{500 * 16 + 16:,}"
    session.undo_stack.undo()
    assert line.text() == "10000"


def test_compile_editor_edits_are_undoable(panel):
    session = panel.session
    editor = panel.compile_editor
    editor.optimizer.activated.emit(editor.optimizer.findData("adam"))
    assert session.document.compile.optimizer == "adam"
    editor.learning_rate.setValue(0.01)
    assert session.document.compile.optimizer_config["learning_rate"] == pytest.approx(0.01)
    editor.loss.activated.emit(editor.loss.findData("mean_squared_error"))
    assert session.document.compile.loss == "mean_squared_error"
    editor.metric_boxes["auc"].setChecked(True)
    assert session.document.compile.metrics == ["accuracy", "auc"]
    for _ in range(4):
        session.undo_stack.undo()
    assert session.document.compile.optimizer == "rmsprop"
    assert session.document.compile.loss == "binary_crossentropy"
    assert editor.optimizer.currentData() == "rmsprop"
    assert not editor.metric_boxes["auc"].isChecked()


def test_document_replaced_redraws_everything(panel):
    document = ExperimentDocument(name="Tiny", model=ModelSpec(input_shape=[4], layers=[
        LayerEntry("Dense", {"units": 3, "activation": "softmax"})]))
    panel.session.replace(document)
    assert panel.stack_model.rowCount() == 1
    assert cell(panel, 0, COL_PARAMS) == "15"
    assert "Tiny" in panel.title.text()
    assert panel.findChild(QLineEdit, "inputShapeEdit").text() == "4"


def test_export_python_writes_script_or_explains(panel, tmp_path):
    target = tmp_path / "model.py"
    assert panel.export_python_to(target)
    code = target.read_text(encoding="utf-8")
    assert "def build_model" in code
    assert "import workbench" not in code and "from workbench" not in code
    assert str(target) in panel.message.text()
    # A design that cannot be built is refused with its error, and nothing is written.
    panel.stack_model.insert_new_layer("Conv2D", 1)
    broken = tmp_path / "broken.py"
    assert not panel.export_python_to(broken)
    assert not broken.exists()
    assert "Cannot export" in panel.message.text() and "layer 2" in panel.message.text()


def test_open_model_refusal_leaves_design_untouched(panel, qtbot, tmp_path):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"this is not a keras zip file")
    before = panel.session.document.to_dict()
    panel.open_model_file(bad)
    assert not panel.open_model_button.isEnabled()
    # The worker's own signals come from its thread; wait on what the GUI thread shows instead.
    qtbot.waitUntil(lambda: panel.open_model_button.isEnabled(), timeout=60_000)
    assert panel.session.document.to_dict() == before
    assert "Cannot open broken.keras" in panel.message.text()
    assert "unchanged" in panel.message.text()


def test_open_model_imports_a_keras_file_as_one_undo_step(panel, qtbot, tmp_path):
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dropout(0.25), keras.layers.Dense(1, activation="sigmoid")])
    path = tmp_path / "tiny.keras"
    model.save(path)
    panel.open_model_file(path)
    qtbot.waitUntil(lambda: panel.open_model_button.isEnabled(), timeout=60_000)
    assert types(panel) == ["Dense", "Dropout", "Dense"], panel.message.text()
    assert panel.session.document.model.input_shape == [8]
    assert cell(panel, 0, COL_PARAMS) == "36"
    assert "Imported 3 layers" in panel.message.text()
    panel.session.undo_stack.undo()
    assert types(panel) == ["Dense", "Dense", "Dense"]
    assert panel.session.document.model.input_shape == [10000]


def test_builder_in_main_window(main_window, qtbot, tmp_path):
    panel = main_window.panels["builder"]
    assert isinstance(panel, BuilderPanel)
    assert main_window.new_from_template("imdb-dense")
    for name in ("layerPalette", "paletteSearch", "layerStack", "propertyEditor", "compileEditor",
                 "designIssues", "designTotals", "exportPythonButton", "openModelButton"):
        assert panel.findChild(object, name) is not None, name
    assert panel.stack_model.rowCount() == 3
    panel.stack_model.dropMimeData(layer_type_mime("Dropout"), Qt.DropAction.CopyAction, 2, 0, QModelIndex())
    assert types(panel) == ["Dense", "Dense", "Dropout", "Dense"]
    assert "*" in main_window.windowTitle()
    main_window.undo_action.trigger()
    assert types(panel) == ["Dense", "Dense", "Dense"]
    main_window.redo_action.trigger()
    assert types(panel)[2] == "Dropout"
    checkbox = panel.findChild(QCheckBox, "metric_auc")
    assert checkbox is not None
    QApplication.processEvents()
    assert main_window.grab().save(str(tmp_path / "builder_main_window.png"))


def test_drop_event_on_the_view_inserts_between_rows(panel):
    """A real QDropEvent on the stack: the upper half of a row inserts before it, the lower half after."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDropEvent

    view = panel.stack
    rect = view.visualRect(panel.stack_model.index(1, 0))
    upper = QPointF(rect.center().x(), rect.top() + 2)
    data = layer_type_mime("Dropout")
    event = QDropEvent(upper, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    assert event.isAccepted()
    assert types(panel) == ["Dense", "Dropout", "Dense", "Dense"]
    rect = view.visualRect(panel.stack_model.index(3, 0))
    lower = QPointF(rect.center().x(), rect.bottom() - 1)
    flatten = layer_type_mime("Flatten")  # the event does not own its data: keep it alive
    view.dropEvent(QDropEvent(lower, Qt.DropAction.CopyAction, flatten,
                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert types(panel) == ["Dense", "Dropout", "Dense", "Dense", "Flatten"]
    # Something that is not a layer is ignored and changes nothing.
    from PySide6.QtCore import QMimeData

    text = QMimeData()
    text.setText("hello")
    event = QDropEvent(upper, Qt.DropAction.CopyAction, text, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    assert len(types(panel)) == 5


def test_move_up_and_down_with_keys(panel, qtbot):
    session = panel.session
    session.edit("units", "model", lambda d: d.model.layers[2].config.update(units=3))
    panel.stack.setFocus()
    panel.stack.select_rows([2])
    qtbot.keyClick(panel.stack, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [e.config["units"] for e in session.document.model.layers] == [16, 3, 16]
    assert panel.stack.current_row() == 1
    qtbot.keyClick(panel.stack, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert [e.config["units"] for e in session.document.model.layers] == [16, 16, 3]
    count = session.undo_stack.count()
    qtbot.keyClick(panel.stack, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # already last
    assert session.undo_stack.count() == count


def test_scrolling_over_an_unfocused_spin_box_changes_nothing(panel):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    panel.stack.setFocus()
    panel.stack.select_rows([0])
    units = panel.property_editor.findChild(QSpinBox, "param_units")
    assert not units.hasFocus()
    event = QWheelEvent(QPointF(5, 5), QPointF(5, 5), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(units, event)
    assert units.value() == 16
    assert panel.session.document.model.layers[0].config["units"] == 16
