"""The Runs panel lists runs (unreadable ones too), compares, renames, deletes, reopens and exports."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from workbench.core.document import ExperimentDocument
from workbench.core.training.runs import RunStore
from workbench.gui.context import AppContext
from workbench.gui.runs.panel import COLUMNS, RunsPanel
from workbench.gui.session import DocumentSession


def make_runs(root, count=2):
    store = RunStore(root)
    ids = []
    for n in range(count):
        document = ExperimentDocument(name=f"experiment {n}")
        document.data.source = "synthetic:circles"
        writer = store.create(document)
        for epoch in range(1, 3 + n):
            writer.append_epoch(epoch, {"loss": 1 / epoch, "val_loss": 1.2 / epoch, "accuracy": 0.5 + n / 10,
                                        "val_accuracy": 0.45 + n / 10}, 0.2)
        writer.finish("finished", test_metrics={"loss": 0.5, "accuracy": 0.6 + n / 10})
        ids.append(writer.run_id)
    broken = root / "29991231-000000-broken"
    broken.mkdir()
    (broken / "run.json").write_text('{"format": "keras-workbench.run", "version": 7}')
    return ids


def make_panel(qtbot, root):
    context = AppContext(DocumentSession(ExperimentDocument(name="open one")))
    context.runs_dir = root
    panel = RunsPanel(context)
    panel.ask = False
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    return panel


def column_texts(panel, name):
    column = COLUMNS.index(name)
    return [panel.table.item(r, column).text() for r in range(panel.table.rowCount())]


def test_lists_runs_and_an_unreadable_one_without_breaking(qtbot, tmp_path):
    ids = make_runs(tmp_path)
    panel = make_panel(qtbot, tmp_path)
    assert panel.table.rowCount() == 3
    assert sorted(column_texts(panel, "Status")) == ["finished", "finished", "unreadable"]
    assert "accuracy 0.7000" in column_texts(panel, "Test")
    assert "val_accuracy 0.5500" in column_texts(panel, "Best val")
    panel.select_runs(["29991231-000000-broken"])
    assert "newer Keras Workbench" in panel.message_label.text()
    assert not panel.reopen_button.isEnabled() and panel.delete_button.isEnabled()
    panel.table.sortItems(COLUMNS.index("Epochs"), Qt.SortOrder.DescendingOrder)
    assert column_texts(panel, "Epochs")[:2] == ["3", "2"]
    assert set(ids) <= set(panel.records)


def test_selecting_several_overlays_their_curves_and_exports(qtbot, tmp_path):
    ids = make_runs(tmp_path)
    panel = make_panel(qtbot, tmp_path)
    panel.select_runs(ids)
    assert panel.selected_ids() and len(panel.selected_ids()) == 2
    assert panel.compare_plot.overlay_count() == 4  # train + validation per run
    panel.metric_combo.setCurrentText("accuracy")
    assert panel.compare_plot.overlay_count() == 4
    assert panel.export_png(tmp_path / "curves.png") and (tmp_path / "curves.png").stat().st_size > 0
    assert panel.export_csv(ids[0], tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text().startswith("epoch,seconds")


def test_rename_delete_with_confirmation_and_reopen(qtbot, tmp_path, monkeypatch):
    ids = make_runs(tmp_path)
    panel = make_panel(qtbot, tmp_path)
    assert panel.rename_run(ids[0], "Renamed run")
    assert "Renamed run" in column_texts(panel, "Name")
    assert panel.set_note(ids[0], "lr too high?")
    row = column_texts(panel, "Name").index("Renamed run")
    assert panel.table.item(row, 0).toolTip() == "lr too high?"
    assert RunStore(tmp_path).open_run(ids[0]).note == "lr too high?"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not panel.delete_runs([ids[1]])
    assert panel.table.rowCount() == 3
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.select_runs([ids[1]])
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 2 and ids[1] not in panel.records

    assert panel.reopen_run(ids[0])
    assert panel.context.session.document.name == "experiment 0"


def test_double_click_requests_the_run(qtbot, tmp_path):
    ids = make_runs(tmp_path, 1)
    panel = make_panel(qtbot, tmp_path)
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole + 1)
               == ids[0])
    with qtbot.waitSignal(panel.context.run_requested, timeout=5000) as blocker:
        panel.table.cellDoubleClicked.emit(row, 0)
    assert blocker.args[0] == str(tmp_path / ids[0])


def test_empty_and_missing_runs_folder(qtbot, tmp_path):
    panel = make_panel(qtbot, tmp_path / "nothing-here")
    assert panel.table.rowCount() == 0


def test_preview_module_saves_a_screenshot(qtbot, tmp_path):
    from workbench.gui.runs.__main__ import main

    make_runs(tmp_path / "runs")
    target = tmp_path / "runs.png"
    assert main(["--runs", str(tmp_path / "runs"), "--screenshot", str(target)]) == 0
    assert target.stat().st_size > 0


def test_a_run_still_training_cannot_be_renamed_noted_or_deleted(qtbot, tmp_path):
    ids = make_runs(tmp_path, 1)
    writer = RunStore(tmp_path).create(ExperimentDocument(name="training now"))  # this process: alive
    panel = make_panel(qtbot, tmp_path)
    panel.select_runs([writer.run_id])
    assert not panel.rename_button.isEnabled() and not panel.note_button.isEnabled()
    assert not panel.delete_button.isEnabled() and panel.reopen_button.isEnabled()
    assert "still training" in panel.message_label.text()
    panel.select_runs([writer.run_id, ids[0]])
    assert not panel.delete_button.isEnabled()

    # Called directly (e.g. the panel's list is stale), the store refuses and the panel says why.
    assert not panel.rename_run(writer.run_id, "new name")
    assert "stop the training first" in panel.message_label.text()
    assert not panel.delete_runs([writer.run_id], confirm=False)
    assert "stop the training first" in panel.message_label.text()
    assert writer.path.is_dir() and writer.run_id in panel.records

    writer.finish("finished")
    panel.refresh()
    panel.select_runs([writer.run_id])
    assert panel.rename_button.isEnabled() and panel.delete_button.isEnabled()
    assert panel.message_label.text() == ""


def test_comparing_many_runs_draws_the_first_few_and_says_so(qtbot, tmp_path, monkeypatch):
    from workbench.gui.runs import panel as runs_panel

    monkeypatch.setattr(runs_panel, "MAX_COMPARED", 2)
    ids = make_runs(tmp_path, count=3)
    panel = make_panel(qtbot, tmp_path)
    panel.select_runs(ids)
    assert panel.compare_plot.overlay_count() == 4  # 2 runs × (train + validation)
    assert "the first 2 of 3 selected runs" in panel.compare_plot.plotItem.titleLabel.text


def test_a_runs_folder_that_cannot_be_listed_keeps_saying_why(qtbot, tmp_path, monkeypatch):
    from workbench.core.training.runs import RunStore

    def broken(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(RunStore, "list_runs", broken)
    panel = make_panel(qtbot, tmp_path)
    assert "Cannot read the runs folder" in panel.message_label.text()
    assert "Permission denied" in panel.message_label.text()
