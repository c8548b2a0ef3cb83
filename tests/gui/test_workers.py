"""WorkerPool.shutdown never drops a worker whose thread is still running."""

from __future__ import annotations

import logging
import threading

from workbench.gui import workers
from workbench.gui.workers import Worker, WorkerPool


def test_shutdown_keeps_a_worker_that_did_not_finish(qtbot, caplog):
    release = threading.Event()
    entered = threading.Event()

    def stubborn(task):
        entered.set()
        release.wait(10)  # ignores should_stop(), like a long Keras call

    pool = WorkerPool()
    worker = pool.start(Worker(stubborn, name="stubborn"))
    qtbot.waitUntil(entered.is_set, timeout=5000)
    try:
        with caplog.at_level(logging.WARNING, logger="workbench.gui.workers"):
            pool.shutdown(msecs=50)
        assert worker.is_running()
        assert worker in workers._STILL_RUNNING
        assert pool.running() == []
        assert "stubborn" in caplog.text and "still running" in caplog.text
    finally:
        release.set()
        assert worker._thread.wait(10_000)
        workers._STILL_RUNNING.remove(worker)
