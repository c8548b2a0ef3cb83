"""Training on a worker thread: the core Trainer with its events forwarded through ``task.emit``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.gui.workers import Worker


def train_task(task, document, runs_root: Path) -> Any:
    """Runs on the worker thread; never touches a widget (events go out as queued signals).

    No explicit garbage collection here (``free_memory=False``): collecting on this thread can
    destroy Qt objects away from their thread; the panel collects on the GUI thread instead.
    """
    from workbench.core.training.trainer import Trainer

    return Trainer(document, runs_root, on_event=task.emit, should_stop=task.should_stop, free_memory=False).run()


def sweep_task(task, document, runs_root: Path, grid: str) -> Any:
    from workbench.core.training.sweep import run_sweep

    return run_sweep(document, grid, runs_root, on_event=task.emit, should_stop=task.should_stop,
                     free_memory=False)


class TrainingWorker(Worker):
    """A :class:`Worker` that trains a copy of ``document`` into ``runs_root``.

    Trainer events arrive as ``yielded(dict)``; the RunResult as ``finished``; a problem found
    before training (bad data, design, or a mismatch) as ``failed(message)``.
    """

    def __init__(self, document, runs_root: Path, grid: str | None = None):
        if grid:
            super().__init__(sweep_task, document.copy(), Path(runs_root), grid, name="sweep")
        else:
            super().__init__(train_task, document.copy(), Path(runs_root), name="training")
