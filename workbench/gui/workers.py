"""The one worker-thread abstraction of the GUI.

Long work is a plain function ``fn(task, *args)`` from the core; ``task`` gives it
``progress(fraction, text)``, ``emit(value)`` (a streamed partial result) and
``should_stop()``. :class:`Worker` runs it on a ``QThread`` and reports back only through
signals, so no widget is ever touched from the worker thread.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from workbench.core.errors import WorkbenchError

log = logging.getLogger(__name__)

# Workers whose thread outlived WorkerPool.shutdown(): destroying a running QThread aborts the
# process, so they stay referenced until it exits.
_STILL_RUNNING: list[Worker] = []


class TaskControl:
    """What a core function sees of its worker: thread-safe, Qt-free in use."""

    def __init__(self, worker: Worker):
        self._worker = worker
        self._stop = threading.Event()

    def progress(self, fraction: float, text: str = "") -> None:
        self._worker.progressed.emit(float(fraction), text)

    def emit(self, value: Any) -> None:
        self._worker.yielded.emit(value)

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def request_stop(self) -> None:
        self._stop.set()


class Worker(QObject):
    """Runs ``fn(task, *args, **kwargs)`` on its own thread.

    Signals: ``started``, ``progressed(fraction, text)``, ``yielded(value)``,
    ``finished(result)``, ``failed(message)``; exactly one of finished/failed is emitted.
    """

    started = Signal()
    progressed = Signal(float, str)
    yielded = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    done = Signal()  # after finished or failed, once the thread has ended

    def __init__(self, fn: Callable[..., Any], *args: Any, name: str = "worker", **kwargs: Any):
        super().__init__()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self.task = TaskControl(self)
        self._thread = QThread()
        self._thread.setObjectName(name)
        self.moveToThread(self._thread)
        self._thread.started.connect(self._run)
        self._thread.finished.connect(self.done)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the function to stop at its next check; does not block."""
        self.task.request_stop()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int = 30_000) -> bool:
        """Stop cooperatively and wait for the thread; a QThread destroyed while running crashes."""
        self.task.request_stop()
        self._thread.quit()
        return self._thread.wait(msecs)

    @Slot()
    def _run(self) -> None:
        self.started.emit()
        try:
            result = self._fn(self.task, *self._args, **self._kwargs)
        except WorkbenchError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a worker must report, never die silently
            detail = traceback.format_exc(limit=3)
            self.failed.emit(f"{type(exc).__name__}: {exc}\n\n{detail}")
        else:
            self.finished.emit(result)
        finally:
            self._thread.quit()


class WorkerPool(QObject):
    """Keeps workers alive until their thread ends and waits for all of them on close."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._workers: set[Worker] = set()

    def start(self, worker: Worker) -> Worker:
        self._workers.add(worker)
        # A bound slot of this pool (a GUI-thread object) makes the connection queued.
        worker.done.connect(self._release)
        worker.start()
        return worker

    @Slot()
    def _release(self) -> None:
        worker = self.sender()
        if not isinstance(worker, Worker):
            return
        # QThread.finished fires just before the thread really ends; wait so that dropping the
        # last reference never destroys a running QThread.
        worker._thread.wait()
        self._workers.discard(worker)

    def running(self) -> list[Worker]:
        return [w for w in self._workers if w.is_running()]

    def shutdown(self, msecs: int = 30_000) -> None:
        """Stop and wait for every worker; one still running afterwards is kept alive, never destroyed."""
        for worker in list(self._workers):
            if not worker.wait(msecs):
                log.warning("worker %r still running after %d ms; kept alive until exit",
                            worker._thread.objectName(), msecs)
                _STILL_RUNNING.append(worker)
        self._workers.clear()
