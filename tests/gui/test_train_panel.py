"""The Train panel trains through the real worker, stops, refuses bad settings and reports mismatches."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from workbench.gui.context import AppContext
from workbench.gui.session import DocumentSession
from workbench.gui.train.panel import TrainPanel


def circles_document(epochs: int = 2):
    from workbench.core.design.templates import load_template

    document = load_template("circles-mlp")
    document.data.source = "synthetic:circles?n=200"
    document.training.epochs = epochs
    return document


@pytest.fixture
def make_panel(qtbot, tmp_path):
    contexts = []

    def make(document, keras_ready: bool = True) -> TrainPanel:
        context = AppContext(DocumentSession(document))
        context.runs_dir = tmp_path / "runs"
        panel = TrainPanel(context)
        qtbot.addWidget(panel)
        panel.resize(1200, 800)
        panel.show()
        contexts.append((context, panel))
        if keras_ready:
            from workbench.core.kerasenv import import_keras

            import_keras()
            context.keras_ready.emit({"backend": "tensorflow"})
        return panel

    yield make
    for context, panel in contexts:
        panel.shutdown()
        context.pool.shutdown()


def test_train_is_disabled_until_keras_is_ready(make_panel):
    panel = make_panel(circles_document(), keras_ready=False)
    assert not panel.train_button.isEnabled()
    assert not panel.start_training()
    panel.context.keras_ready.emit({"backend": "tensorflow"})
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()


def test_training_shows_curves_progress_results_and_confusion(make_panel, qtbot):
    panel = make_panel(circles_document(2))
    runs_changed = []
    panel.context.runs_changed.connect(lambda: runs_changed.append(True))
    with qtbot.waitSignal(panel.training_finished, timeout=120_000) as blocker:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert panel.stop_button.isEnabled() and not panel.train_button.isEnabled()
    result = blocker.args[0]
    assert result.status == "finished"
    assert panel.epochs_plotted() == 2 and panel.loss_plot.val_points() == 2
    assert panel.loss_plot.batch_points() >= 1
    accuracy = panel.metric_plots["accuracy"]
    assert accuracy.objectName() == "metricPlot" and accuracy.epoch_points() == 2
    assert panel.loss_plot.best_epoch() in (1, 2)
    assert panel.epoch_progress.value() == 2 and panel.epoch_progress.maximum() == 2
    metrics = {panel.test_metrics.item(r, 0).text(): panel.test_metrics.item(r, 2).text()
               for r in range(panel.test_metrics.rowCount())}
    assert set(metrics) == {"loss", "accuracy"} and metrics["accuracy"] != "–"
    assert metrics["loss"] == f"{result.baseline['loss']:.4f}"  # the class-frequency predictor's loss
    assert "most common training class" in panel.baseline_label.text()
    assert "training class frequencies" in panel.baseline_label.text()
    assert runs_changed and panel.train_button.isEnabled() and not panel.stop_button.isEnabled()

    assert panel.confusion.isVisible() and panel.confusion.rowCount() == 2
    cell = panel.confusion.item(0, 0)
    expected = int(cell.text())
    with qtbot.waitSignal(panel.context.sample_requested, timeout=5000) as request:
        rect = panel.confusion.visualItemRect(cell)
        qtbot.mouseClick(panel.confusion.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    source, split, indices = request.args
    assert source.startswith("synthetic:circles") and split == "test" and len(indices) == expected


def test_stop_keeps_the_run_as_stopped(make_panel, qtbot):
    document = circles_document(500)
    document.training.batch_size = 4
    panel = make_panel(document)
    assert panel.start_training()
    with qtbot.waitSignal(panel.epoch_shown, timeout=120_000):
        pass
    with qtbot.waitSignal(panel.training_finished, timeout=60_000) as blocker:
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result.status == "stopped"
    assert 1 <= result.epochs_completed < 500
    assert "stopped" in panel.status_label.text()
    # What it had learned is evaluated on the test set and shown like a finished run's.
    shown = {panel.test_metrics.item(r, 0).text(): panel.test_metrics.item(r, 1).text()
             for r in range(panel.test_metrics.rowCount())}
    assert set(shown) == {"loss", "accuracy"} and shown["accuracy"] == f"{result.test_metrics['accuracy']:.4f}"
    assert panel.baseline_label.text().startswith("Stopped run")
    assert panel.confusion.isVisible()


def test_bad_settings_are_refused_and_edits_are_undoable(make_panel):
    panel = make_panel(circles_document(2), keras_ready=False)
    settings, session = panel.settings, panel.context.session
    settings.batch_size.setValue(0)
    assert settings.batch_size.value() == 1
    settings.validation_split.setValue(1.0)
    assert settings.validation_split.value() < 1
    settings.early_patience.setValue(-3)
    assert settings.early_patience.value() == 0
    assert not settings._set("Set batch size", lambda d: setattr(d.training, "batch_size", 0))
    assert settings.error_label.isVisibleTo(settings) and "batch_size" in settings.error_label.text()

    settings.epochs.setValue(7)
    assert session.document.training.epochs == 7
    settings.early.setChecked(True)
    assert session.document.training.early_stopping is not None
    session.undo_stack.undo()
    assert session.document.training.early_stopping is None and not settings.early.isChecked()
    session.undo_stack.undo()
    assert session.document.training.epochs == 2 and settings.epochs.value() == 2


def test_mismatch_is_reported_and_the_panel_returns_to_ready(make_panel, qtbot):
    document = circles_document(2)
    document.model.input_shape = [3]
    panel = make_panel(document)
    with qtbot.waitSignal(panel.training_failed, timeout=60_000) as blocker:
        panel.start_training()
    assert "expects inputs of shape (3,)" in blocker.args[0]
    assert panel.error_label.isVisible() and "(3,)" in panel.error_label.text()
    assert panel.train_button.isEnabled()


def test_sweep_fills_the_results_table_and_refuses_bad_grids(make_panel, qtbot, tmp_path):
    panel = make_panel(circles_document(1))
    assert not panel.start_sweep("colour=red")
    assert 'unknown sweep dimension "colour"' in panel.error_label.text()
    panel.sweep.grid_edit.setText("hidden_units=4,8")
    statuses = []
    with qtbot.waitSignal(panel.training_finished, timeout=120_000) as blocker:
        qtbot.mouseClick(panel.sweep.run_button, Qt.MouseButton.LeftButton)
        # Trials train in a child process; while it loads TensorFlow the panel says so.
        qtbot.waitUntil(lambda: statuses.append(panel.status_label.text()) or "training process" in statuses[-1],
                        timeout=60_000)
    outcomes = blocker.args[0]
    assert [o.status for o in outcomes] == ["finished", "finished"]
    assert panel.sweep.table.rowCount() == 2
    assert panel.sweep.best() is not None
    assert panel.sweep.progress_label.text() == "2/2 trials done"
    assert panel.epochs_plotted() == 1  # the last trial's curves
    assert panel.trial_curves_shown() == 1  # the first trial's validation curve behind it
    assert "trials 1–2 of 2" in statuses[-1]
    panel.grab().save(str(tmp_path / "sweep.png"))


def test_closing_the_window_stops_and_waits_for_training(main_window, qtbot, tmp_path):
    from workbench.core.kerasenv import import_keras
    from workbench.core.training.runs import RunStore

    import_keras()
    main_window.context.runs_dir = tmp_path / "runs"
    document = circles_document(500)
    document.training.batch_size = 4
    main_window.session.replace(document)
    main_window.context.keras_ready.emit({"backend": "tensorflow"})
    panel = main_window.panels["train"]
    assert panel.start_training()
    with qtbot.waitSignal(panel.epoch_shown, timeout=120_000):
        pass
    main_window.close()
    assert not panel.worker or not panel.worker.is_running()
    [record] = RunStore(tmp_path / "runs").list_runs()
    assert record.status == "stopped" and (record.path / "model.keras").is_file()


def test_character_samples_appear_after_each_epoch_and_clear_on_reset(make_panel):
    panel = make_panel(circles_document(), keras_ready=False)
    assert panel.samples_view.isHidden()
    panel._on_event({"event": "samples", "epoch": 1, "seed": "the quick ",
                     "samples": {"0.2": "the the the", "1.2": "qxz brown"}})
    text = panel.samples_view.toPlainText()
    assert panel.samples_view.isVisible()
    assert "epoch 1" in text and "T=0.2: the the the" in text and "T=1.2: qxz brown" in text
    panel._reset_view()
    assert panel.samples_view.isHidden() and panel.samples_view.toPlainText() == ""


def test_typing_a_monitor_name_is_one_undo_step(qtbot):
    from PySide6.QtTest import QTest

    from workbench.gui.train.settings import TrainSettingsEditor

    session = DocumentSession(circles_document(2))
    settings = TrainSettingsEditor(session)
    qtbot.addWidget(settings)
    settings.show()
    settings.early.setChecked(True)
    steps = session.undo_stack.count()
    line_edit = settings.early_monitor.lineEdit()
    line_edit.selectAll()
    QTest.keyClicks(line_edit, "val_auc")
    assert session.undo_stack.count() == steps  # no partial names while typing
    assert session.document.training.early_stopping.monitor == "val_loss"
    QTest.keyClick(line_edit, Qt.Key.Key_Return)
    assert session.undo_stack.count() == steps + 1
    assert session.document.training.early_stopping.monitor == "val_auc"

    # Picking an item from the list commits it at once, as one step.
    position = settings.early_monitor.findText("accuracy")
    settings.early_monitor.setCurrentIndex(position)
    settings.early_monitor.activated.emit(position)
    assert session.undo_stack.count() == steps + 2
    assert session.document.training.early_stopping.monitor == "accuracy"
    session.undo_stack.undo()
    assert session.document.training.early_stopping.monitor == "val_auc"
    assert settings.early_monitor.currentText() == "val_auc"
