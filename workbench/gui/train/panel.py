"""The Train panel: settings, Train/Stop, live curves, progress, and test results beside a baseline."""

from __future__ import annotations

import gc
import math
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.context import AppContext
from workbench.gui.train.settings import TrainSettingsEditor
from workbench.gui.train.sweep import SweepBox
from workbench.gui.train.worker import TrainingWorker
from workbench.gui.widgets.confusion_matrix import ConfusionMatrixView
from workbench.gui.widgets.curve_plot import CurvePlot

_NOT_METRICS = ("loss", "learning_rate")
# Plots redraw this often while training: each redraw repaints a whole plot, which on a 2-core
# machine takes CPU from training (events still arrive up to 10 per second for the progress bars).
REDRAW_MS = 1000


def _format_seconds(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class TrainPanel(QWidget):
    """Runs :class:`TrainingWorker` and draws what it reports; never computes itself.

    ``training_finished(result)``: a run ended (finished, stopped or failed during fit);
    ``training_failed(message)``: training could not start (bad data, design or mismatch);
    ``epoch_shown(epoch)``: an epoch's points were drawn.
    """

    training_finished = Signal(object)
    training_failed = Signal(str)
    epoch_shown = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.worker: TrainingWorker | None = None
        self.last_result: Any = None
        self.metric_plots: dict[str, CurvePlot] = {}
        self._steps: int | None = None
        self._epochs = 0
        self._first_lr: float | None = None
        self._predictions: dict[str, list[int]] | None = None
        self._source = ""
        # Finished sweep trials' validation curves, drawn faintly behind the current trial.
        self._trial_curves: list[tuple[str, list, list]] = []

        outer = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(splitter)

        self.settings = TrainSettingsEditor(context.session)
        settings_scroll = QScrollArea()
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setWidget(self.settings)
        settings_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        settings_scroll.setMinimumWidth(330)
        splitter.addWidget(settings_scroll)

        main = QWidget()
        column = QVBoxLayout(main)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 900])

        controls = QHBoxLayout()
        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("trainButton")
        self.train_button.setToolTip("Train the experiment (available once TensorFlow has loaded).")
        self.train_button.clicked.connect(self.start_training)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("Stop after the current batch; the run is kept as “stopped” and what it "
                                    "learned is evaluated on the test set (for a few seconds at most).")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_training)
        self.status_label = QLabel("Waiting for TensorFlow to load…")
        self.status_label.setObjectName("trainStatus")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        controls.addWidget(self.train_button)
        controls.addWidget(self.stop_button)
        controls.addWidget(self.status_label, 1)
        column.addLayout(controls)

        progress = QHBoxLayout()
        self.epoch_progress = QProgressBar()
        self.epoch_progress.setObjectName("epochProgress")
        self.epoch_progress.setFormat("epoch %v / %m")
        self.epoch_progress.setRange(0, 1)
        self.epoch_progress.setValue(0)
        self.batch_progress = QProgressBar()
        self.batch_progress.setObjectName("batchProgress")
        self.batch_progress.setFormat("batch %v / %m")
        self.batch_progress.setRange(0, 1)
        self.batch_progress.setValue(0)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("trainSpeed")
        # A fixed width: a label that resizes with its text relayouts (and repaints) the plots.
        self.speed_label.setFixedWidth(self.speed_label.fontMetrics().horizontalAdvance("0" * 34))
        progress.addWidget(self.epoch_progress, 1)
        progress.addWidget(self.batch_progress, 1)
        progress.addWidget(self.speed_label)
        column.addLayout(progress)

        self.error_label = QLabel()
        self.error_label.setObjectName("trainError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        column.addWidget(self.error_label)

        plots = QWidget()
        plots.setObjectName("trainPlots")
        self.plot_grid = QGridLayout(plots)
        self.plot_grid.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = CurvePlot("loss")
        self.loss_plot.setObjectName("lossPlot")
        self.plot_grid.addWidget(self.loss_plot, 0, 0)
        self.lr_plot = CurvePlot("learning_rate", parent=plots)
        self.lr_plot.setObjectName("learningRatePlot")
        self.lr_plot.hide_validation_legend()
        self.lr_plot.hide()
        column.addWidget(plots, 3)

        results = QHBoxLayout()
        self.test_metrics = QTableWidget(0, 3)
        self.test_metrics.setObjectName("testMetrics")
        self.test_metrics.setHorizontalHeaderLabels(["metric", "test", "baseline"])
        self.test_metrics.verticalHeader().hide()
        self.test_metrics.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.test_metrics.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.test_metrics.setToolTip("Test-set metrics after training, beside what a trivial predictor scores.")
        self.baseline_label = QLabel("")
        self.baseline_label.setObjectName("baselineNote")
        self.baseline_label.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.test_metrics)
        left.addWidget(self.baseline_label)
        results.addLayout(left, 1)
        self.confusion = ConfusionMatrixView()
        self.confusion.setObjectName("confusionMatrix")
        self.confusion.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.cell_chosen.connect(self._on_confusion_cell)
        self.confusion.hide()
        results.addWidget(self.confusion, 1)
        self.samples_view = QPlainTextEdit()
        self.samples_view.setObjectName("epochSamples")
        self.samples_view.setReadOnly(True)
        self.samples_view.setToolTip("After each epoch: text generated from a random seed window at "
                                     "temperatures 0.2, 0.5, 1.0 and 1.2, as the book's loop prints it.")
        self.samples_view.hide()
        results.addWidget(self.samples_view, 2)
        column.addLayout(results, 1)

        self.sweep = SweepBox()
        self.sweep.run_button.clicked.connect(lambda _checked=False: self.start_sweep())
        self.sweep.grid_edit.returnPressed.connect(self.start_sweep)
        column.addWidget(self.sweep)

        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._flush_plots)

        self.settings.refused.connect(lambda message: self.context.status_message.emit(message))
        context.keras_ready.connect(self._on_keras_ready)
        self._update_buttons()
        if context.is_keras_ready:
            self.status_label.setText("Ready to train.")

    # ------------------------------------------------------------------ state

    @property
    def is_training(self) -> bool:
        return self.worker is not None

    def _update_buttons(self) -> None:
        running = self.is_training
        if running and not self._redraw_timer.isActive():
            self._redraw_timer.start()
        elif not running:
            self._redraw_timer.stop()
            self._flush_plots()
        self.train_button.setEnabled(self.context.is_keras_ready and not running)
        self.sweep.run_button.setEnabled(self.context.is_keras_ready and not running)
        self.stop_button.setEnabled(running)
        self.settings.setEnabled(not running)

    @Slot(dict)
    def _on_keras_ready(self, info: dict) -> None:
        if not self.is_training:
            self.status_label.setText("Ready to train.")
        self._update_buttons()

    # ------------------------------------------------------------------ actions

    @Slot()
    def start_training(self) -> bool:
        """Start a run of the open document; False if one is running or Keras is not loaded."""
        if self.is_training or not self.context.is_keras_ready:
            return False
        self.error_label.hide()
        self._reset_view()
        self.status_label.setText(f"Preparing {self.context.session.document.data.source}…")
        worker = TrainingWorker(self.context.session.document, self.context.runs_dir)
        return self._start(worker)

    @Slot()
    def start_sweep(self, grid: str | None = None) -> bool:
        """Run a grid of trials (``grid`` or the sweep box's text); False if refused."""
        from workbench.core.errors import WorkbenchError
        from workbench.core.training.sweep import expand_grid, parse_grid

        if self.is_training or not self.context.is_keras_ready:
            return False
        grid = (grid if grid is not None else self.sweep.grid_edit.text()).strip()
        try:
            # Checked here (pure Python, instant) so a typo never starts a worker.
            trials = expand_grid(self.context.session.document, parse_grid(grid))
        except WorkbenchError as exc:
            self._show_error(str(exc))
            return False
        self.error_label.hide()
        self._reset_view()
        self._trial_curves.clear()
        self.sweep.start(len(trials))
        self.status_label.setText(f"Sweep of {len(trials)} trials…")
        worker = TrainingWorker(self.context.session.document, self.context.runs_dir, grid=grid)
        return self._start(worker)

    def _start(self, worker: TrainingWorker) -> bool:
        worker.yielded.connect(self._on_event)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.done.connect(self._on_done)
        self.worker = worker
        self._update_buttons()
        self.context.pool.start(worker)
        return True

    @Slot()
    def stop_training(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.stop_button.setEnabled(False)
            self.status_label.setText("Stopping after this batch…")

    def shutdown(self) -> None:
        """Stop and wait for a running training (the main window calls this on close)."""
        if self.worker is not None:
            self.worker.wait(60_000)

    # ------------------------------------------------------------------ events (GUI thread)

    def _reset_view(self) -> None:
        self.loss_plot.reset("loss")
        for plot in self.metric_plots.values():
            self.plot_grid.removeWidget(plot)
            plot.deleteLater()
        self.metric_plots.clear()
        self.lr_plot.reset("learning_rate")
        self.lr_plot.hide()
        self.plot_grid.removeWidget(self.lr_plot)
        self._first_lr = None
        self.test_metrics.setRowCount(0)
        self.baseline_label.setText("")
        self.confusion.hide()
        self.samples_view.clear()
        self.samples_view.hide()
        self._predictions = None
        self.epoch_progress.setValue(0)
        self.batch_progress.setValue(0)
        self.speed_label.setText("")

    @Slot()
    def _flush_plots(self) -> None:
        for plot in [self.loss_plot, *self.metric_plots.values(), self.lr_plot]:
            plot.flush()

    def _plot_for(self, metric: str) -> CurvePlot:
        plot = self.metric_plots.get(metric)
        if plot is None:
            plot = CurvePlot(metric)
            plot.setObjectName("metricPlot" if not self.metric_plots else f"metricPlot_{metric}")
            plot.setXLink(self.loss_plot)
            self.metric_plots[metric] = plot
            count = len(self.metric_plots)
            self.plot_grid.addWidget(plot, count // 2, count % 2)
        return plot

    def _metric_names(self, logs: dict[str, float]) -> list[str]:
        return [k for k in logs if not k.startswith("val_") and k not in _NOT_METRICS]

    @Slot(object)
    def _on_event(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "preparing":
            if event.get("text"):
                self.status_label.setText(event["text"])
        elif kind == "train_started":
            if "trial" in event:
                self._reset_view()
                self.sweep.trial_started(event["trial"], event["trials"])
                for index, (label, xs, ys) in enumerate(self._trial_curves):
                    self.loss_plot.add_overlay(label, xs, ys, index, dashed=True, faint=True)
            self._epochs = int(event.get("epochs") or 1)
            self._steps = event.get("steps")
            self._source = event.get("source") or ""
            self.epoch_progress.setRange(0, self._epochs)
            self.epoch_progress.setValue(0)
            self.batch_progress.setRange(0, int(self._steps or 1))
            for metric in event.get("metrics") or []:
                if metric not in _NOT_METRICS:
                    self._plot_for(metric)
            self.status_label.setText(f"Training on {event.get('samples')} samples "
                                      f"({'with' if event.get('validation') else 'no'} validation)…")
        elif kind == "batch":
            self._on_batch(event)
        elif kind == "epoch_ended":
            self._on_epoch(event)
        elif kind == "samples":
            self._on_samples(event)
        elif kind == "finished":
            self._show_results(event)
        elif kind == "failed":
            self._show_error(event.get("message", ""))
        elif kind == "trial_ended":
            self.sweep.add_outcome(event)
            self._remember_trial_curve(event)
            self.context.runs_changed.emit()
            # Trials normally train in a child process; when they fall back to this one, the
            # trial's model is gone now: collect here, on the GUI thread (see worker.train_task).
            gc.collect()
        elif kind == "trial_process_started":
            self.status_label.setText(f"Starting a training process for trials {event['first_trial']}–"
                                      f"{event['last_trial']} of {event['trials']} (loading TensorFlow)…")
        elif kind == "notice":
            self.status_label.setText(event.get("message", ""))
        elif kind == "sweep_finished":
            best = self.sweep.best()
            if best is not None:
                params = ", ".join(f"{k}={v}" for k, v in best["params"].items())
                self.context.status_message.emit(f"Best trial: {params} ({best['score_metric']} {best['score']:.4f})")

    def _on_batch(self, event: dict) -> None:
        steps = event.get("steps") or self._steps or 1
        batch = int(event.get("batch") or 0)
        if self.batch_progress.maximum() != steps:
            self.batch_progress.setRange(0, int(steps))
        self.batch_progress.setValue(min(batch, int(steps)))
        x = (event.get("epoch", 1) - 1) + batch / steps
        logs = event.get("logs") or {}
        self.loss_plot.add_batch(x, logs.get("loss"))
        for metric in self._metric_names(logs):
            self._plot_for(metric).add_batch(x, logs.get(metric))
        rate = event.get("samples_per_s")
        eta = event.get("eta_s")
        if rate:
            self.speed_label.setText(f"{rate:,.0f} samples/s · ETA {_format_seconds(eta)}")

    def _on_epoch(self, event: dict) -> None:
        epoch = int(event["epoch"])
        logs = event.get("logs") or {}
        self.epoch_progress.setValue(min(epoch, self.epoch_progress.maximum()))
        self.batch_progress.setValue(self.batch_progress.maximum())
        self.loss_plot.add_epoch(epoch, logs.get("loss"), logs.get("val_loss"))
        for metric in self._metric_names(logs):
            self._plot_for(metric).add_epoch(epoch, logs.get(metric), logs.get(f"val_{metric}"))
        best = event.get("best_epoch")
        for plot in [self.loss_plot, *self.metric_plots.values()]:
            plot.mark_best(best)
        lr = logs.get("learning_rate")
        if lr is not None:
            if self._first_lr is None:
                self._first_lr = lr
            self.lr_plot.add_epoch(epoch, lr, None)
            if lr != self._first_lr and self.lr_plot.isHidden():
                count = len(self.metric_plots) + 1
                self.plot_grid.addWidget(self.lr_plot, count // 2, count % 2)
                self.lr_plot.show()
        seconds = event.get("seconds") or 0.0
        text = f"Epoch {epoch}/{event.get('epochs', self._epochs)} took {seconds:.1f}s"
        if "val_loss" in logs:
            text += f" · val_loss {logs['val_loss']:.4f}"
        self.status_label.setText(text)
        self.epoch_shown.emit(epoch)

    def _on_samples(self, event: dict) -> None:
        lines = [f"— epoch {event.get('epoch')} — seed: “{event.get('seed', '')}”"]
        if event.get("error"):
            lines.append(f"(no samples: {event['error']})")
        for temperature, text in (event.get("samples") or {}).items():
            lines.append(f"T={temperature}: {text}")
        self.samples_view.show()
        self.samples_view.appendPlainText("\n".join(lines) + "\n")

    def _show_results(self, event: dict) -> None:
        stopped_at = event.get("early_stopped_epoch")
        if stopped_at:
            for plot in [self.loss_plot, *self.metric_plots.values()]:
                plot.mark_stop(stopped_at)
        test = event.get("test_metrics") or {}
        baseline = event.get("baseline") or {}
        rows = []
        for name, value in test.items():
            rows.append((name, value, baseline.get(name)))
        if baseline.get("kind") == "mean predictor":
            for name in ("mse", "mae"):
                if name not in test and baseline.get(name) is not None:
                    rows.append((f"{name} (baseline only)", None, baseline[name]))
        self.test_metrics.setRowCount(len(rows))
        for r, (name, value, base) in enumerate(rows):
            for c, text in enumerate((name, "–" if value is None else f"{value:.4f}",
                                      "–" if base is None else f"{base:.4f}")):
                self.test_metrics.setItem(r, c, QTableWidgetItem(text))
        note = ""
        if baseline.get("kind") == "majority class":
            note = (f"Baseline: always answering “{baseline.get('majority_class')}” (the most common training "
                    f"class) scores {baseline.get('accuracy', 0):.3f} accuracy; chance is "
                    f"{baseline.get('chance', 0):.3f}.")
            if baseline.get("loss") is not None:
                note += (f" Predicting the training class frequencies for every sample gives loss "
                         f"{baseline['loss']:.4f}.")
        elif baseline.get("kind") == "mean predictor":
            note = (f"Baseline: always predicting the training mean ({baseline.get('mean')}) gives mse "
                    f"{baseline.get('mse')}.")
        coverage = event.get("test_coverage")
        if coverage:
            note = (f"Test metrics cover the first {coverage['samples']} of {coverage['total']} test samples "
                    f"(evaluation cut short after Stop). " + note)
        if event.get("status") == "stopped" and test:
            note = "Stopped run: the test metrics show what it had learned when stopped. " + note
        self.baseline_label.setText(note)
        confusion = event.get("confusion")
        self._predictions = event.get("predictions")
        self._source = event.get("source") or self._source
        if confusion:
            self.confusion.set_matrix(confusion["class_names"], confusion["matrix"])
            self.confusion.show()

    def _remember_trial_curve(self, event: dict) -> None:
        from workbench.core.training.runs import HISTORY_FILE, read_history

        if not event.get("run_id"):
            return
        history = read_history(self.context.runs_dir / event["run_id"] / HISTORY_FILE)
        values = history.get("val_loss") or history.get("loss")
        if values:
            label = ", ".join(f"{k}={v}" for k, v in (event.get("params") or {}).items())
            self._trial_curves.append((label, history.get("epoch", []), values))

    def trial_curves_shown(self) -> int:
        """Earlier sweep trials drawn behind the current one."""
        return self.loss_plot.overlay_count()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    @Slot(object)
    def _on_finished(self, result) -> None:
        self.last_result = result
        self.worker = None
        self.speed_label.setText(self.speed_label.text().split(" · ")[0])  # no ETA once it has ended
        self._update_buttons()
        if isinstance(result, list):  # a sweep: its outcomes
            done = sum(1 for o in result if o.status != "failed")
            self.status_label.setText(f"Sweep ended: {len(result)} of {self.sweep.trials} trials run, "
                                      f"{done} trained.")
            self.context.runs_changed.emit()
            self.training_finished.emit(result)
            return
        status = getattr(result, "status", "finished")
        if status == "failed":
            self.status_label.setText("Training failed.")
            self._show_error(result.message)
        else:
            epochs = getattr(result, "epochs_completed", 0)
            self.status_label.setText(f"Run {status} after {epochs} epoch{'s' if epochs != 1 else ''}: "
                                      f"{getattr(result, 'run_id', '')}")
        self.context.runs_changed.emit()
        self.context.status_message.emit(f"Training {status}.")
        self.training_finished.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.last_result = None
        self.worker = None
        self._update_buttons()
        self.status_label.setText("Training could not start.")
        self._show_error(message)
        self.training_failed.emit(message)

    @Slot()
    def _on_done(self) -> None:
        self._update_buttons()

    # ------------------------------------------------------------------ confusion → Data panel

    def samples_for_cell(self, true_class: int, predicted_class: int) -> list[int]:
        """Test-set indices with this true and predicted class."""
        if not self._predictions:
            return []
        y_true = np.asarray(self._predictions["y_true"])
        y_pred = np.asarray(self._predictions["y_pred"])
        return np.nonzero((y_true == true_class) & (y_pred == predicted_class))[0].tolist()

    @Slot(int, int)
    def _on_confusion_cell(self, true_class: int, predicted_class: int) -> None:
        indices = self.samples_for_cell(true_class, predicted_class)
        if indices and self._source:
            self.context.sample_requested.emit(self._source, "test", indices)
            self.context.status_message.emit(f"Showing {len(indices)} test samples in the Data panel.")

    # ------------------------------------------------------------------ read back

    def epochs_plotted(self) -> int:
        """Epoch points on the loss plot (what the user sees)."""
        self._flush_plots()
        return self.loss_plot.epoch_points()
