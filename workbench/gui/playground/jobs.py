"""Worker adapters for the Playground: each runs a core function off the GUI thread."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from workbench.core.errors import WorkbenchError
from workbench.gui.workers import Worker

STREAM_EMIT_S = 0.04  # ~25 UI updates per second while generating, however fast the model is


def load_run_task(task, run_dir: str) -> dict[str, Any]:
    """Open a run folder and load its model and preprocessing (imports Keras if needed)."""
    from workbench.core.training.prediction import load_run, open_run

    loaded = load_run(open_run(run_dir))
    result: dict[str, Any] = {"loaded": loaded}
    if loaded.kind == "corpus":
        from workbench.core.generation.charrun import char_run
        from workbench.core.generation.fast import stepper_for

        target = char_run(loaded)
        stepper_for(target.model, len(target.chars)).warm_up()  # Generate then starts at full speed
        result["char_run"] = target
        result["default_seed"] = target.random_window()
    elif loaded.kind == "points":
        from workbench.core.training.prediction import training_points

        result["points"] = training_points(loaded)
    return result


def guarded(fn, *args: Any) -> dict[str, Any]:
    """Run a prediction; input problems come back as ``{"error", "tokens"}`` rather than a failure."""
    from workbench.core.training.prediction import PredictionInputError

    try:
        return {"result": fn(*args)}
    except PredictionInputError as exc:
        return {"error": str(exc), "tokens": exc.tokens}


def predict_text_task(task, loaded, text: str) -> dict[str, Any]:
    from workbench.core.training.prediction import predict_text

    return guarded(predict_text, loaded, text)


def predict_drawing_task(task, loaded, drawing) -> dict[str, Any]:
    from workbench.core.training.prediction import predict_drawing

    return guarded(predict_drawing, loaded, drawing)


def predict_row_task(task, loaded, row: dict) -> dict[str, Any]:
    from workbench.core.training.prediction import predict_row

    return guarded(predict_row, loaded, row)


def decision_grid_task(task, loaded, x_range, y_range) -> dict[str, Any]:
    from workbench.core.training.prediction import decision_grid

    return decision_grid(loaded, x_range, y_range)


def next_char_task(task, char_run, seed_text: str):
    from workbench.core.generation.fast import next_char_probabilities

    return next_char_probabilities(char_run.model, char_run.chars, seed_text, lowercase=char_run.lowercase)


def generate_task(task, char_run, seed_text: str, temperatures: list[float], length: int,
                  rng_seed: int | None) -> dict[str, Any]:
    """Stream generated characters as ``[text per column]`` chunks, a few dozen times a second."""
    from workbench.core.generation.fast import generate_stream

    stream = generate_stream(char_run.model, char_run.chars, seed_text, temperatures, length, rng_seed,
                             task.should_stop, lowercase=char_run.lowercase)
    pending = [[] for _ in temperatures]
    started = last = time.monotonic()
    count = 0
    for column, char in stream:
        pending[column].append(char)
        count += 1
        now = time.monotonic()
        if now - last >= STREAM_EMIT_S:
            task.emit(["".join(p) for p in pending])
            pending = [[] for _ in temperatures]
            last = now
    if any(pending):
        task.emit(["".join(p) for p in pending])
    seconds = max(time.monotonic() - started, 1e-9)
    return {"chars": count, "seconds": seconds, "stopped": task.should_stop()}


class LatestRunner(QObject):
    """Runs one job at a time; requests made meanwhile collapse into the latest one.

    Used for as-you-type predictions: a slow prediction never queues up stale ones behind it.
    ``result(value)`` / ``error(message)`` are emitted only for the most recent request.
    """

    result = Signal(object)
    error = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, pool, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = pool
        self._worker: Worker | None = None
        self._pending: tuple | None = None
        self._generation = 0
        self._worker_generation = -1

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def request(self, fn, *args: Any) -> None:
        self._generation += 1
        self._pending = (self._generation, fn, args)
        if self._worker is None:
            self._start_pending()

    def cancel(self) -> None:
        """Forget queued work and ignore the result of the running job."""
        self._generation += 1
        self._pending = None

    def _start_pending(self) -> None:
        if self._pending is None:
            self.busy_changed.emit(False)
            return
        generation, fn, args = self._pending
        self._pending = None
        worker = Worker(fn, *args, name="playground")
        # Bound slots of this GUI-thread object make the connections queued (lambdas would run
        # on the worker thread).
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        self._worker_generation = generation
        self.busy_changed.emit(True)
        self._pool.start(worker)

    def _on_finished(self, value: Any) -> None:
        self._done(value, None)

    def _on_failed(self, message: str) -> None:
        self._done(None, message)

    def _done(self, value: Any, message: str | None) -> None:
        if self.sender() is not self._worker:
            return
        self._worker = None
        if self._worker_generation == self._generation:
            if message is None:
                self.result.emit(value)
            else:
                self.error.emit(message)
        self._start_pending()


def message_of(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: {exc}"
