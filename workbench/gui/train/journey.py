"""``selftest --journey train``: template → data → Train → finished, read back from the widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QPushButton

TRAIN_TIMEOUT_S = 1800


def train_journey(window, app, args, shoot) -> dict[str, Any]:
    """Drive the real window like a user; every fact returned is read from the widgets."""
    from workbench.gui.selftest import wait_until

    steps: list[dict[str, Any]] = []
    result: dict[str, Any] = {"ok": False, "steps": steps}
    template = getattr(args, "template", None) or "circles-mlp"
    epochs = int(getattr(args, "epochs", None) or 2)

    ok = window.new_from_template(template)
    steps.append({"step": "template", "template": template, "ok": ok})
    shoot("train-1-template")
    if not ok:
        result["error"] = window.statusBar().currentMessage()
        return result

    source = getattr(args, "data", None)
    if source:
        data_panel = window.panels["data"]
        window.tabs.setCurrentWidget(data_panel)
        edit = data_panel.findChild(QLineEdit, "dataSourceEdit")
        button = data_panel.findChild(QPushButton, "loadDataButton")
        outcome: dict[str, Any] = {}
        if edit is not None and button is not None:
            data_panel.data_loaded.connect(lambda _loaded: outcome.setdefault("loaded", True))
            data_panel.load_failed.connect(lambda message: outcome.setdefault("error", message))
            edit.setText(source)
            button.click()
            wait_until(lambda: bool(outcome), TRAIN_TIMEOUT_S, app)
        else:  # a Data panel without its controls: set the source as an edit, as the panel would
            window.session.edit(f"Use data source {source}", "data",
                                lambda d: setattr(d.data, "source", source))
            outcome["loaded"] = True
        adopted = window.session.document.data.source
        steps.append({"step": "data", "source": source, "ok": "error" not in outcome and bool(outcome),
                      "document_source": adopted, "error": outcome.get("error")})
        shoot("train-2-data")
        if "error" in outcome or not outcome:
            result["error"] = outcome.get("error", "the data did not load in time")
            return result

    panel = window.panels["train"]
    window.tabs.setCurrentWidget(panel)
    panel.settings.epochs.setValue(epochs)
    steps.append({"step": "settings", "epochs": window.session.document.training.epochs,
                  "ok": window.session.document.training.epochs == epochs})
    shoot("train-3-settings")

    if not wait_until(lambda: panel.train_button.isEnabled(), 120, app):
        result["error"] = "the Train button never became enabled (TensorFlow not loaded?)"
        return result
    panel.train_button.click()
    started = panel.is_training
    finished = wait_until(lambda: not panel.is_training, TRAIN_TIMEOUT_S, app)
    app.processEvents()
    run = panel.last_result
    status = getattr(run, "status", None) if run is not None else "failed"
    steps.append({"step": "train", "ok": bool(started and finished and status == "finished"), "status": status,
                  "run_id": getattr(run, "run_id", None),
                  "error": panel.error_label.text() if panel.error_label.isVisibleTo(panel) else None})
    shoot("train-4-finished")

    test_metrics = {}
    for row in range(panel.test_metrics.rowCount()):
        name = panel.test_metrics.item(row, 0).text()
        try:
            test_metrics[name] = float(panel.test_metrics.item(row, 1).text())
        except ValueError:
            continue
    result.update({
        "epochs_plotted": panel.epochs_plotted(),
        "val_points_plotted": panel.loss_plot.val_points(),
        "metric_plots": {name: plot.epoch_points() for name, plot in panel.metric_plots.items()},
        "epoch_progress": f"{panel.epoch_progress.value()}/{panel.epoch_progress.maximum()}",
        "final_metrics": dict(getattr(run, "final_metrics", {}) or {}),
        "test_metrics": test_metrics,
        "baseline": dict(getattr(run, "baseline", {}) or {}),
        "run_dir": getattr(run, "run_dir", None),
    })
    result["ok"] = all(step["ok"] for step in steps) and result["epochs_plotted"] == getattr(
        run, "epochs_completed", -1)
    return result
