"""Shared by the training benchmarks: the imdb-dense experiment on synthetic data, trained three ways.

- :func:`train_plain`: the baseline, plain ``model.fit`` on the same model, data and batch size.
- :func:`train_headless`: the workbench's ``Trainer`` with no window (what ``keras-workbench train`` runs).
- :func:`train_in_window`: the real main window, offscreen, Train tab shown, started with the Train
  panel's own ``start_training`` — so the run goes through ``TrainingWorker`` on a QThread while the
  GUI thread draws the live curves and batch progress.

Epochs are timed alike in all three: a stamp (wall ``perf_counter`` and process CPU
``process_time``) on the training thread at the end of every epoch; an epoch's cost is the interval
between consecutive stamps, so it includes validation and whatever runs between epochs (the
Trainer's checkpoint and history writes). The first epoch (graph tracing) has no interval.
CPU seconds count every thread of the process — including the GUI thread drawing — and are less
disturbed than wall time by other processes on a shared machine.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import common
import generators

BATCH = 512
TEMPLATE = "imdb-dense"


def setup(home: Path, reviews: int, test_reviews: int = 500) -> None:
    """User folders in ``home``, with a synthetic ``keras:imdb`` in its Keras cache."""
    common.isolate_user_dirs(home)
    generators.write_imdb_npz(home / "keras", reviews, test_reviews)


def make_document(epochs: int):
    from workbench.core.design.templates import load_template

    document = load_template(TEMPLATE)
    document.data.source = "keras:imdb"
    document.training.epochs = epochs
    document.training.batch_size = BATCH
    return document


def prepare(document):
    from workbench.core.data.prepare import prepare_data

    return prepare_data(document.data, document.training)


def stamp() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def intervals(stamps: list[tuple[float, float]]) -> dict[str, list[float]]:
    """Wall and CPU seconds of each epoch after the first, from epoch-end stamps."""
    return {"wall": [b[0] - a[0] for a, b in itertools.pairwise(stamps)],
            "cpu": [b[1] - a[1] for a, b in itertools.pairwise(stamps)]}


def _epoch_stamper(keras):
    class EpochStamper(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.stamps: list[tuple[float, float]] = []

        def on_epoch_end(self, epoch, logs=None):
            self.stamps.append(stamp())

    return EpochStamper()


def train_plain(document, prepared) -> dict[str, list[float]]:
    """``model.fit`` with the document's model, the prepared batches, batch size and validation."""
    from workbench.core.design.build import build_model
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(int(document.training.seed or 0))
    model = build_model(document, compile=True)
    x = prepared.train.x_for_fit(BATCH, bool(document.training.shuffle), document.training.seed)
    y = prepared.train.y_for_fit()
    validation = None
    if prepared.val is not None and len(prepared.val):
        vx, vy = prepared.val.x_for_fit(BATCH, False, None), prepared.val.y_for_fit()
        validation = vx if vy is None else (vx, vy)
    timer = _epoch_stamper(keras)
    kwargs: dict[str, Any] = {"epochs": document.training.epochs, "validation_data": validation,
                              "callbacks": [timer], "verbose": 0}
    if y is None:
        model.fit(x, **kwargs)
    else:
        model.fit(x, y, batch_size=BATCH, **kwargs)
    del model
    keras.backend.clear_session()
    return intervals(timer.stamps)


def train_headless(document, runs: Path) -> dict[str, list[float]]:
    from workbench.core.training.trainer import Trainer

    stamps: list[tuple[float, float]] = []

    def on_event(event: dict) -> None:
        if event.get("event") == "epoch_ended":
            stamps.append(stamp())

    result = Trainer(document, runs, on_event=on_event).run()
    if result.status != "finished":
        raise RuntimeError(f"headless training ended {result.status}: {result.message}")
    return intervals(stamps)


class WindowRun:
    """The main window with the Train tab up; :meth:`train` runs the panel's own Train action."""

    def __init__(self, runs: Path):
        from workbench.core.kerasenv import import_keras, versions
        from workbench.gui.app import make_application
        from workbench.gui.main_window import PANELS, MainWindow

        self.app = make_application()
        # Long runs emit thousands of signals; see common.guard_bool_refcount (PySide6 6.12.0 bug).
        self.guard_note = common.guard_bool_refcount()
        import_keras()  # as the window's background loader would have done by now
        self.window = MainWindow(load_keras=False, ask_to_save=False)
        self.window.context.runs_dir = runs
        self.window.resize(1280, 860)
        self.window.tabs.setCurrentIndex([key for key, _ in PANELS].index("train"))
        self.window.show()
        self.panel = self.window.panels["train"]
        info = versions()
        info["backend"] = "tensorflow"
        self.window.context.keras_ready.emit(info)
        self.app.processEvents()

    def train(self, document, *, during=None, timeout_s: float = 600) -> dict[str, Any]:
        """Train ``document`` from the panel; ``during(app)`` is set up before and torn down after.

        Returns epoch ``wall``/``cpu`` intervals, the RunResult's epoch seconds, how many batch
        and epoch events the panel drew, and ``training_window`` (perf_counter start/end of fit).
        """
        from PySide6.QtCore import QEventLoop, Qt, QTimer

        self.window.session.replace(document)
        events = {"batch": 0, "epoch_ended": 0}
        window: dict[str, float] = {}
        stamps: list[tuple[float, float]] = []

        def on_worker_event(event: dict) -> None:
            # Runs on the training thread (direct connection): only takes a stamp.
            if event.get("event") == "epoch_ended":
                stamps.append(stamp())

        def on_event(event: dict) -> None:
            kind = event.get("event")
            if kind in events:
                events[kind] += 1
            if kind == "train_started":
                window["start"] = time.perf_counter()
            elif kind in ("finished", "failed") and "end" not in window:
                window["end"] = time.perf_counter()

        loop = QEventLoop()
        outcome: dict[str, Any] = {}

        def finished(result) -> None:
            outcome["result"] = result
            loop.quit()

        def failed(message: str) -> None:
            outcome["error"] = message
            loop.quit()

        self.panel.training_finished.connect(finished)
        self.panel.training_failed.connect(failed)
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(loop.quit)
        guard.start(int(timeout_s * 1000))
        probe = during(self.app) if during else None
        if not self.panel.start_training():
            raise RuntimeError("the Train panel refused to start (is Keras marked ready?)")
        self.panel.worker.yielded.connect(on_event)
        self.panel.worker.yielded.connect(on_worker_event, Qt.ConnectionType.DirectConnection)
        loop.exec()
        if probe is not None:
            probe.stop()
        self.panel.training_finished.disconnect(finished)
        self.panel.training_failed.disconnect(failed)
        self.window.context.pool.shutdown()
        if "error" in outcome:
            raise RuntimeError(f"training in the window failed: {outcome['error']}")
        result = outcome.get("result")
        if result is None:
            raise RuntimeError(f"training in the window did not finish within {timeout_s:.0f} s")
        if result.status != "finished":
            raise RuntimeError(f"training in the window ended {result.status}: {result.message}")
        return {**intervals(stamps), "epoch_seconds": list(result.epoch_seconds), "batch_events": events["batch"],
                "epoch_events": events["epoch_ended"], "batch_points": self.panel.loss_plot.batch_points(),
                "training_window": window}

    def close(self) -> None:
        self.window.close()
        self.app.processEvents()


def median_epoch(runs: list[dict[str, list[float]]], key: str = "wall") -> float | None:
    """Median over every run's epochs (after the first) of ``wall`` or ``cpu`` seconds."""
    return common.median([s for run in runs for s in run[key]])
